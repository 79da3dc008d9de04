// out[m][c] = x[m][c] * coefficients[c] + coefficients[C + c] over the rows m of an [M, C] tensor:
// batch norm, and products or differences with a per-channel vector, in one pass.
#pragma once
#include "geometry.h"
#include "thread_pool.h"

namespace nasbook {

// The geometry's n counts the rows (h = w = 1), its c the channels.
void channel_affine(const Geometry& g, const float* x, const float* coefficients, float* out, ThreadPool& pool);

}  // namespace nasbook
