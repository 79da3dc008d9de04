// Depthwise NHWC convolution (filter [kh, kw, c, multiplier], output channel ch * multiplier + q)
// and its filter and input gradients. Each image is first laid out padded so that every tap of an
// output row reads one run of floats (depthwise.cc): the sums then run over whole vectors of
// pixels and channels together, however few the channels.
#pragma once
#include "geometry.h"
#include "thread_pool.h"

namespace nasbook {

void depthwise_conv2d(const Geometry& g, const float* x, const float* filter, float* y, ThreadPool& pool);
void depthwise_filter_grad(const Geometry& g, const float* x, const float* dy, float* dfilter, ThreadPool& pool);
// g is the forward convolution's geometry.
void depthwise_input_grad(const Geometry& g, const float* dy, const float* filter, float* dx, ThreadPool& pool);

}  // namespace nasbook
