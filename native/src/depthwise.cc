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

// Output columns [first, last) that read inside the image at horizontal tap j.
struct ColumnRange {
  int first, last;
};

ColumnRange columns_inside(const Geometry& g, int j) {
  const int shift = j * g.dw - g.pad_left;  // input column of output column 0
  const int first = shift >= 0 ? 0 : (-shift + g.sw - 1) / g.sw;
  const int last = g.w - 1 - shift < 0 ? 0 : std::min(g.wo, (g.w - 1 - shift) / g.sw + 1);
  return {first, std::max(first, last)};
}

// For one output row of one image, calls visit(input row offset, tap index, j, tap's column range) for
// every tap whose row is inside the image: the per-pixel bounds checks are hoisted out.
template <typename Visit>
void for_each_tap(const Geometry& g, int b, int oy, Visit visit) {
  for (int i = 0; i < g.kh; i++) {
    const int iy = oy * g.sh + i * g.dh - g.pad_top;
    if (iy < 0 || iy >= g.h) continue;
    const int64_t row = x_row_start(g, b, iy);
    for (int j = 0; j < g.kw; j++) visit(row, i * g.kw + j, j, columns_inside(g, j));
  }
}

}  // namespace

void depthwise_conv2d(const Geometry& g, const float* x, const float* filter, float* y, ThreadPool& pool) {
  const int m = multiplier(g);
  // One task per output row of one image.
  auto task = [&](int row_index) {
    const int b = row_index / g.ho, oy = row_index % g.ho;
    float* out = y + (int64_t(row_index) * g.wo) * g.out_c;
    std::memset(out, 0, sizeof(float) * g.wo * g.out_c);
    for_each_tap(g, b, oy, [&](int64_t row, int tap, int j, ColumnRange cols) {
      const float* taps = filter + int64_t(tap) * g.out_c;
      for (int ox = cols.first; ox < cols.last; ox++) {
        const float* in = x + row + int64_t(ox * g.sw + j * g.dw - g.pad_left) * g.c;
        multiply_add(in, taps, out + int64_t(ox) * g.out_c, g.c, m);
      }
    });
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
      for_each_tap(g, b, oy, [&](int64_t row, int tap, int j, ColumnRange cols) {
        float* taps = acc + int64_t(tap) * g.out_c;
        for (int ox = cols.first; ox < cols.last; ox++) {
          const float* in = x + row + int64_t(ox * g.sw + j * g.dw - g.pad_left) * g.c;
          // The same product as the forward pass, summed into the tap instead of the output.
          multiply_add(in, grad + int64_t(ox) * g.out_c, taps, g.c, m);
        }
      });
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
