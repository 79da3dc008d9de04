// Regular NHWC convolution (filter [kh, kw, c, out_c]) and its gradients, as tiled matrix
// products over patches gathered on the fly (or read in place from a padded input). The input
// gradient is a forward convolution of dY with the flipped filter, as
// lib/backend/wasm-kernels/conv-as-forward.ts composes it without the addon.
#pragma once
#include "geometry.h"
#include "thread_pool.h"

namespace nasbook {

void conv2d(const Geometry& g, const float* x, const float* filter, float* y, ThreadPool& pool);
void conv2d_filter_grad(const Geometry& g, const float* x, const float* dy, float* dfilter, ThreadPool& pool);
// g is the forward convolution's geometry.
void conv2d_input_grad(const Geometry& g, const float* dy, const float* filter, float* dx, ThreadPool& pool);

}  // namespace nasbook
