// Depthwise NHWC convolution (filter [kh, kw, c, multiplier], output channel ch * multiplier + q)
// and its filter gradient. Loops run over channels innermost, which the compiler vectorises.
#pragma once
#include "geometry.h"
#include "thread_pool.h"

namespace nasbook {

void depthwise_conv2d(const Geometry& g, const float* x, const float* filter, float* y, ThreadPool& pool);
void depthwise_filter_grad(const Geometry& g, const float* x, const float* dy, float* dfilter, ThreadPool& pool);

}  // namespace nasbook
