#include "relu_conv.h"

#include <algorithm>
#include <vector>

#include "conv.h"
#include "depthwise.h"
#include "tile.h"

namespace nasbook {
namespace {

// relu(x) for the input of g, in a buffer reused by the calling thread's next call.
const float* relu_of(const Geometry& g, const float* x) {
  thread_local std::vector<float> buffer;
  buffer.resize(size_t(g.n) * g.h * g.w * g.c);
  std::transform(x, x + buffer.size(), buffer.begin(), [](float v) { return std::max(v, 0.0f); });
  return buffer.data();
}

// body(begin, end) over chunks of [0, n), on the pool's threads when n is large: a pass over an
// activation larger than the cache is bound by one core's memory bandwidth.
template <typename Body>
void in_chunks(int64_t n, ThreadPool& pool, Body body) {
  constexpr int64_t kChunk = 1 << 16, kParallelFloats = 1 << 18;
  if (n < kParallelFloats) return body(0, n);
  pool.run(int((n + kChunk - 1) / kChunk), [&](int t) { body(t * kChunk, std::min(n, (t + 1) * kChunk)); });
}

}  // namespace

void relu_conv2d(const Geometry& g, const float* x, const float* filter, float* y, ThreadPool& pool) {
  conv2d(g, relu_of(g, x), filter, y, pool);
}

void relu_conv2d_filter_grad(const Geometry& g, const float* x, const float* dy, float* dfilter, ThreadPool& pool) {
  conv2d_filter_grad(g, relu_of(g, x), dy, dfilter, pool);
}

void relu_depthwise_conv2d(const Geometry& g, const float* x, const float* filter, float* y, ThreadPool& pool) {
  depthwise_conv2d(g, relu_of(g, x), filter, y, pool);
}

void relu_depthwise_filter_grad(const Geometry& g, const float* x, const float* dy, float* dfilter, ThreadPool& pool) {
  depthwise_filter_grad(g, relu_of(g, x), dy, dfilter, pool);
}

void relu(const float* x, float* y, int64_t n, ThreadPool& pool) {
  in_chunks(n, pool, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; i++) y[i] = x[i] < 0.0f ? 0.0f : x[i];
  });
}

void relu_grad(const float* x, const float* dy, float* dx, int64_t n, ThreadPool& pool) {
  in_chunks(n, pool, [&](int64_t begin, int64_t end) {
    // In whole vectors by hand: dx may be dy, and with three pointers that may alias the compiler
    // keeps a scalar loop whose branch mispredicts on every other sign.
    int64_t i = begin;
    for (; i + kVector <= end; i += kVector) {
      const vec xv = load(x + i), gv = load(dy + i);
      store(dx + i, xv > 0.0f ? gv : vec{});
    }
    for (; i < end; i++) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
  });
}

}  // namespace nasbook
