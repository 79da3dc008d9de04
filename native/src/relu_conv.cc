#include "relu_conv.h"

#include <algorithm>
#include <vector>

#include "conv.h"

namespace nasbook {
namespace {

// relu(x) for the input of g, in a buffer reused by the calling thread's next call.
const float* relu_of(const Geometry& g, const float* x) {
  thread_local std::vector<float> buffer;
  buffer.resize(size_t(g.n) * g.h * g.w * g.c);
  std::transform(x, x + buffer.size(), buffer.begin(), [](float v) { return std::max(v, 0.0f); });
  return buffer.data();
}

}  // namespace

void relu_conv2d(const Geometry& g, const float* x, const float* filter, float* y, ThreadPool& pool) {
  conv2d(g, relu_of(g, x), filter, y, pool);
}

void relu_conv2d_filter_grad(const Geometry& g, const float* x, const float* dy, float* dfilter, ThreadPool& pool) {
  conv2d_filter_grad(g, relu_of(g, x), dy, dfilter, pool);
}

void relu_grad(const float* x, const float* dy, float* dx, int64_t n) {
  for (int64_t i = 0; i < n; i++) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
}

}  // namespace nasbook
