#include "depthwise.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace nasbook {
namespace {

constexpr double kParallelMacs = 1e6;
constexpr int kMaxShares = 8;  // partial sums of a filter gradient, fixed by the sizes (see conv.cc)

bool parallel(const Geometry& g) { return double(g.pixels()) * g.taps() * g.out_c >= kParallelMacs; }

int multiplier(const Geometry& g) { return g.out_c / g.c; }

// out[ch * m + q] += row[ch] * taps[ch * m + q]
inline void multiply_add(const float* row, const float* taps, float* out, int channels, int m) {
  if (m == 1) {
    for (int ch = 0; ch < channels; ch++) out[ch] += row[ch] * taps[ch];
    return;
  }
  for (int ch = 0; ch < channels; ch++)
    for (int q = 0; q < m; q++) out[ch * m + q] += row[ch] * taps[ch * m + q];
}

}  // namespace

void depthwise_conv2d(const Geometry& g, const float* x, const float* filter, float* y, ThreadPool& pool) {
  const int m = multiplier(g);
  // One task per output row of one image.
  auto task = [&](int row_index) {
    const int b = row_index / g.ho, oy = row_index % g.ho;
    float* out = y + (int64_t(row_index) * g.wo) * g.out_c;
    std::memset(out, 0, sizeof(float) * g.wo * g.out_c);
    for (int ox = 0; ox < g.wo; ox++, out += g.out_c) {
      for (int i = 0; i < g.kh; i++) {
        for (int j = 0; j < g.kw; j++) {
          const float* row = tap_row(g, x, b, oy, ox, i, j);
          if (row) multiply_add(row, filter + (i * g.kw + j) * g.out_c, out, g.c, m);
        }
      }
    }
  };
  const int rows = g.n * g.ho;
  if (parallel(g)) pool.run(rows, task);
  else for (int r = 0; r < rows; r++) task(r);
}

void depthwise_filter_grad(const Geometry& g, const float* x, const float* dy, float* dfilter, ThreadPool& pool) {
  const int m = multiplier(g);
  const int rows = g.n * g.ho;
  const int shares = parallel(g) ? std::min(kMaxShares, rows) : 1;
  const size_t size = size_t(g.taps()) * g.out_c;
  std::vector<std::vector<float>> sums(shares, std::vector<float>(size, 0.0f));
  auto task = [&](int share) {
    float* acc = sums[share].data();
    for (int r = rows * share / shares; r < rows * (share + 1) / shares; r++) {
      const int b = r / g.ho, oy = r % g.ho;
      const float* grad = dy + (int64_t(r) * g.wo) * g.out_c;
      for (int ox = 0; ox < g.wo; ox++, grad += g.out_c) {
        for (int i = 0; i < g.kh; i++) {
          for (int j = 0; j < g.kw; j++) {
            const float* row = tap_row(g, x, b, oy, ox, i, j);
            // The same product as the forward pass, summed into the tap instead of the output.
            if (row) multiply_add(row, grad, acc + (i * g.kw + j) * g.out_c, g.c, m);
          }
        }
      }
    }
  };
  pool.run(shares, task);
  for (size_t t = 0; t < size; t++) {
    float total = 0;
    for (const auto& s : sums) total += s[t];
    dfilter[t] = total;
  }
}

}  // namespace nasbook
