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

}  // namespace nasbook
