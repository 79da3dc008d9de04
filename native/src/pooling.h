// Pooling gradients; overlapping windows add up. Max: each window's dY goes to the first of its
// maxima. Average: each window's dY / (kh * kw) goes to every input it covers (tfjs divides by
// the whole window, padding included, in every backend's gradient).
#pragma once
#include "geometry.h"
#include "thread_pool.h"

namespace nasbook {

void max_pool_grad(const Geometry& g, const float* x, const float* dy, float* dx, ThreadPool& pool);
// x is only its shape's witness: the gradient does not depend on its values.
void avg_pool_grad(const Geometry& g, const float* x, const float* dy, float* dx, ThreadPool& pool);
// Average pooling over each window's pixels inside the image only (PyTorch's count_include_pad=False,
// DARTS' avg_pool_3x3), forward and gradient: y = the window's sum / its real pixels.
void avg_pool_real(const Geometry& g, const float* x, const float* unused, float* y, ThreadPool& pool);
void avg_pool_real_grad(const Geometry& g, const float* x, const float* dy, float* dx, ThreadPool& pool);

}  // namespace nasbook
