// A convolution of relu(x), the first two thirds of the ReLU-conv-BN edge that NAS-Bench-201 and
// DARTS cells are made of, as one call each way: relu(x) is formed in a buffer of the calling
// thread instead of a tfjs tensor, and the input gradient is masked where x <= 0. The depthwise
// pair is the same for DARTS' SepConv and DilConv (ReLU, depthwise, pointwise, BN).
#pragma once
#include "geometry.h"
#include "thread_pool.h"

namespace nasbook {

void relu_conv2d(const Geometry& g, const float* x, const float* filter, float* y, ThreadPool& pool);
void relu_conv2d_filter_grad(const Geometry& g, const float* x, const float* dy, float* dfilter, ThreadPool& pool);
void relu_depthwise_conv2d(const Geometry& g, const float* x, const float* filter, float* y, ThreadPool& pool);
void relu_depthwise_filter_grad(const Geometry& g, const float* x, const float* dy, float* dfilter, ThreadPool& pool);
// y = x where x >= 0, else 0: tfjs's ReLU (a NaN stays NaN, so that a diverging loss still shows).
void relu(const float* x, float* y, int64_t n, ThreadPool& pool);
// dx = dy where x > 0, else 0 (dx may be dy): tfjs's ReLU gradient, dy times step(x), in one pass.
void relu_grad(const float* x, const float* dy, float* dx, int64_t n, ThreadPool& pool);

}  // namespace nasbook
