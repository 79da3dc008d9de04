// Regular NHWC convolution (filter [kh, kw, c, out_c]) and its filter gradient, as tiled
// matrix products over patches gathered on the fly. The input gradient is a forward
// convolution of dY with the flipped filter (lib/backend/wasm-kernels/conv-as-forward.ts).
#pragma once
#include "geometry.h"
#include "thread_pool.h"

namespace nasbook {

void conv2d(const Geometry& g, const float* x, const float* filter, float* y, ThreadPool& pool);
void conv2d_filter_grad(const Geometry& g, const float* x, const float* dy, float* dfilter, ThreadPool& pool);

}  // namespace nasbook
