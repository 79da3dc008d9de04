#include "conv.h"

#include <algorithm>
#include <vector>

#include "tile.h"

namespace nasbook {
namespace {

constexpr int kForwardPixels = kRows * 4;  // output pixels per forward task
constexpr int kGradPixels = 256;           // pixels gathered at a time by the filter gradient
constexpr double kParallelMacs = 2e6;      // below this a call runs on the calling thread
constexpr int kMaxShares = 8;              // partial sums of a filter gradient

int64_t patch_length(const Geometry& g) { return int64_t(g.taps()) * g.c; }

// Rows [first, first + rows) of the patch matrix (one row of kh*kw*c input values per output
// pixel, zeros for padding); `padded_rows` - rows more rows of zeros follow. With dilation 1 a
// window row inside the image is kw*c contiguous floats, copied at once.
void gather_patches(const Geometry& g, const float* x, int64_t first, int rows, int padded_rows, float* patches) {
  const int64_t k = patch_length(g);
  const size_t tap_bytes = sizeof(float) * g.c;
  for (int r = 0; r < rows; r++) {
    const int64_t m = first + r;
    const int b = int(m / (int64_t(g.ho) * g.wo));
    const int oy = int(m / g.wo % g.ho), ox = int(m % g.wo);
    const int left = ox * g.sw - g.pad_left;
    const bool whole_rows = g.dw == 1 && left >= 0 && left + g.kw <= g.w;
    float* out = patches + r * k;
    for (int i = 0; i < g.kh; i++) {
      const float* row = tap_row(g, x, b, oy, ox, i, 0);
      if (whole_rows && row) {
        std::memcpy(out, row, tap_bytes * g.kw);
        out += int64_t(g.kw) * g.c;
        continue;
      }
      for (int j = 0; j < g.kw; j++, out += g.c) {
        const float* tap = tap_row(g, x, b, oy, ox, i, j);
        if (tap) std::memcpy(out, tap, tap_bytes);
        else std::memset(out, 0, tap_bytes);
      }
    }
  }
  std::fill(patches + rows * k, patches + padded_rows * k, 0.0f);
}

int column_blocks(int channels) { return (channels + kLanes - 1) / kLanes; }

// [k, out_c] as [column block][k][16], zero-padded: each tile reads one contiguous block.
std::vector<float> pack_columns(const float* filter, int64_t k, int out_c) {
  const int blocks = column_blocks(out_c);
  std::vector<float> packed(size_t(blocks) * k * kLanes, 0.0f);
  for (int blk = 0; blk < blocks; blk++) {
    const int width = std::min(kLanes, out_c - blk * kLanes);
    for (int64_t t = 0; t < k; t++) {
      std::memcpy(&packed[(blk * k + t) * kLanes], filter + t * out_c + blk * kLanes, sizeof(float) * width);
    }
  }
  return packed;
}

bool parallel(const Geometry& g) { return double(g.pixels()) * patch_length(g) * g.out_c >= kParallelMacs; }

}  // namespace

void conv2d(const Geometry& g, const float* x, const float* filter, float* y, ThreadPool& pool) {
  const int64_t k = patch_length(g), pixels = g.pixels();
  const int blocks = column_blocks(g.out_c);
  const std::vector<float> packed = pack_columns(filter, k, g.out_c);
  const int tasks = int((pixels + kForwardPixels - 1) / kForwardPixels);
  auto task = [&](int task_index) {
    thread_local std::vector<float> patches, partial;
    patches.resize(size_t(kForwardPixels) * k);
    partial.resize(size_t(kRows) * kLanes);
    const int64_t first = int64_t(task_index) * kForwardPixels;
    const int rows = int(std::min<int64_t>(kForwardPixels, pixels - first));
    const int padded = (rows + kRows - 1) / kRows * kRows;
    gather_patches(g, x, first, rows, padded, patches.data());
    for (int r0 = 0; r0 < padded; r0 += kRows) {
      const int valid_rows = std::min(kRows, rows - r0);
      for (int blk = 0; blk < blocks; blk++) {
        const int width = std::min(kLanes, g.out_c - blk * kLanes);
        float* out = y + (first + r0) * g.out_c + blk * kLanes;
        const float* a = patches.data() + r0 * k;
        const float* b = packed.data() + blk * k * kLanes;
        if (valid_rows == kRows && width == kLanes) {
          tile(int(k), a, k, 1, b, kLanes, out, g.out_c, false);
          continue;
        }
        tile(int(k), a, k, 1, b, kLanes, partial.data(), kLanes, false);
        for (int i = 0; i < valid_rows; i++) std::memcpy(out + i * g.out_c, &partial[i * kLanes], sizeof(float) * width);
      }
    }
  };
  if (parallel(g)) pool.run(tasks, task);
  else for (int t = 0; t < tasks; t++) task(t);
}

// dfilter[k][o] = sum over pixels m of patch[m][k] * dy[m][o]: each task sums a share of the
// pixels into its own [k][blocks * 16] buffer; the shares are added at the end, in order. The
// shares depend on the sizes only, never on the thread count, so results are the same bits on
// any number of threads (a search's workers use one, the main thread all).
void conv2d_filter_grad(const Geometry& g, const float* x, const float* dy, float* dfilter, ThreadPool& pool) {
  const int64_t k = patch_length(g), pixels = g.pixels();
  const int blocks = column_blocks(g.out_c), width = blocks * kLanes;
  const int64_t k_padded = (k + kRows - 1) / kRows * kRows;
  const int shares = parallel(g) ? int(std::clamp<int64_t>(pixels / (4 * kGradPixels), 1, kMaxShares)) : 1;
  std::vector<std::vector<float>> sums(shares, std::vector<float>(size_t(k_padded) * width, 0.0f));
  auto task = [&](int share) {
    thread_local std::vector<float> patches, grads;
    // A tile's last row reads up to kRows - 1 floats past the patch row (into padding rows that are discarded).
    patches.resize(size_t(kGradPixels) * k + kRows);
    grads.assign(size_t(kGradPixels) * width, 0.0f);
    float* sum = sums[share].data();
    const int64_t begin = pixels * share / shares, end = pixels * (share + 1) / shares;
    for (int64_t first = begin; first < end; first += kGradPixels) {
      const int rows = int(std::min<int64_t>(kGradPixels, end - first));
      gather_patches(g, x, first, rows, rows, patches.data());
      for (int r = 0; r < rows; r++) std::memcpy(&grads[r * width], dy + (first + r) * g.out_c, sizeof(float) * g.out_c);
      for (int64_t k0 = 0; k0 < k_padded; k0 += kRows) {
        for (int blk = 0; blk < blocks; blk++) {
          tile(rows, patches.data() + k0, 1, k, grads.data() + blk * kLanes, width, sum + k0 * width + blk * kLanes, width, true);
        }
      }
    }
  };
  pool.run(shares, task);
  for (int64_t t = 0; t < k; t++) {
    for (int o = 0; o < g.out_c; o++) {
      float total = 0;
      for (const auto& s : sums) total += s[t * width + o];
      dfilter[t * g.out_c + o] = total;
    }
  }
}

}  // namespace nasbook
