#include "conv.h"

#include <algorithm>
#include <type_traits>
#include <utility>
#include <vector>

#include "tile.h"

namespace nasbook {
namespace {

constexpr int kForwardTiles = 4;           // tiles of rows per forward task
constexpr int kGradPixels = 256;           // pixels gathered at a time by the filter gradient
constexpr double kParallelMacs = 2e6;      // below this a call runs on the calling thread
constexpr int kMaxShares = 8;              // partial sums of a filter gradient

int64_t patch_length(const Geometry& g) { return int64_t(g.taps()) * g.c; }

// Rows [first, first + rows) of the patch matrix (one row of kh*kw*c input values per output
// pixel, zeros for padding); `padded_rows` - rows more rows of zeros follow. The pixel's
// coordinates advance incrementally; with dilation 1 a window row inside the image is kw*c
// contiguous floats, copied at once.
void gather_patches(const Geometry& g, const float* x, int64_t first, int rows, int padded_rows, float* patches) {
  const int64_t k = patch_length(g);
  const int row_floats = g.kw * g.c;
  int b = int(first / (int64_t(g.ho) * g.wo)), oy = int(first / g.wo % g.ho), ox = int(first % g.wo);
  for (int r = 0; r < rows; r++) {
    float* out = patches + r * k;
    const int top = oy * g.sh - g.pad_top, left = ox * g.sw - g.pad_left;
    const bool whole_rows = g.dw == 1 && left >= 0 && left + g.kw <= g.w;
    for (int i = 0; i < g.kh; i++, out += row_floats) {
      const int iy = top + i * g.dh;
      if (iy < 0 || iy >= g.h) {
        std::fill(out, out + row_floats, 0.0f);
        continue;
      }
      const float* row = x + x_row_start(g, b, iy);
      if (whole_rows) {
        copy_floats(out, row + int64_t(left) * g.c, row_floats);
        continue;
      }
      for (int j = 0; j < g.kw; j++) {
        const int ix = left + j * g.dw;
        if (ix >= 0 && ix < g.w) copy_floats(out + j * g.c, row + int64_t(ix) * g.c, g.c);
        else std::fill(out + j * g.c, out + (j + 1) * g.c, 0.0f);
      }
    }
    if (++ox == g.wo) {
      ox = 0;
      if (++oy == g.ho) oy = 0, b++;
    }
  }
  std::fill(patches + rows * k, patches + padded_rows * k, 0.0f);
}

int column_blocks(int channels, int lanes) { return (channels + lanes - 1) / lanes; }

// [k, out_c] as [column block][k][lanes], zero-padded: each tile reads one contiguous block.
std::vector<float> pack_columns(const float* filter, int64_t k, int out_c, int lanes) {
  const int blocks = column_blocks(out_c, lanes);
  std::vector<float> packed(size_t(blocks) * k * lanes, 0.0f);
  for (int blk = 0; blk < blocks; blk++) {
    const int width = std::min(lanes, out_c - blk * lanes);
    for (int64_t t = 0; t < k; t++) {
      std::memcpy(&packed[(blk * k + t) * lanes], filter + t * out_c + blk * lanes, sizeof(float) * width);
    }
  }
  return packed;
}

bool parallel(const Geometry& g) { return double(g.pixels()) * patch_length(g) * g.out_c >= kParallelMacs; }

// task(0) to task(tasks - 1): shared with the pool's threads when the call is big enough.
template <class F>
void run_tasks(const Geometry& g, ThreadPool& pool, int tasks, F&& task) {
  if (parallel(g)) pool.run(tasks, task);
  else for (int t = 0; t < tasks; t++) task(t);
}

// dfilter[t][o] for t < taps: the shares' partial sums at at(t, o), added in share order.
template <class At>
void add_shares(const std::vector<std::vector<float>>& sums, int64_t taps, int out_c, At at, float* dfilter) {
  for (int64_t t = 0; t < taps; t++)
    for (int o = 0; o < out_c; o++) {
      float total = 0;
      for (const auto& s : sums) total += s[at(t, o)];
      dfilter[t * out_c + o] = total;
    }
}

// Stride 1 and dilation 1: gathering patches would cost as much as the products, so the tiles
// read a zero-padded copy of the input in place. Output pixel (oy, ox) reads from pixel
// oy * wp + ox of its padded image at every tap, so pixel ox + 1 reads c floats after pixel ox.
bool in_place_window(const Geometry& g) {
  return g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 && g.pad_top >= 0 && g.pad_left >= 0;
}
// The forward pass in place: with the output channels in one vector or less.
bool in_place_patches(const Geometry& g) { return in_place_window(g) && lanes_for(g.out_c) <= kVectorLanes; }

// How a filter gradient's products are summed:
// - kGathered: from gathered patches, tiles of taps by channels (any geometry);
// - kInPlace: the same tiles read from the padded input in place, with up to one wide tile of
//   channels; but a wide tile (6 taps by 32 channels) over a 4x4 image's 16 pixels stops too
//   often, and one image is one share (one thread): patches gathered across images were 15%
//   faster at 4x4, in place 8% faster at 7x7 and 17% at 32x32;
// - kChannelRows: in place with 9 to 12 channels on a tile's rows and taps on its lanes, where
//   tiles of channels would leave up to 7 of 16 lanes idle (faster at every size timed: 5x5
//   28->9 at 4x4 by 64 images 190 against 330 us, at 14x14 by one image 37 against 56).
enum class FilterGradPath { kGathered, kInPlace, kChannelRows };

FilterGradPath filter_grad_path(const Geometry& g) {
  if (!in_place_window(g)) return FilterGradPath::kGathered;
  if (g.out_c >= 9 && g.out_c <= 12) return FilterGradPath::kChannelRows;
  if (g.out_c > kWideLanes) return FilterGradPath::kGathered;
  const bool in_place = lanes_for(g.out_c) <= kVectorLanes || (int64_t(g.ho) * g.wo >= 32 && g.n >= 2);
  return in_place ? FilterGradPath::kInPlace : FilterGradPath::kGathered;
}

// The input with its padding written out: n images of hp x wp pixels, then `slack` zero pixels
// for the reads of the dropped rows past the last image. Kept in a buffer of the calling thread,
// reused by its next call: a fresh one would be mapped from the OS every call, page by page.
// Images are written by write_image, so that a call's tasks can share the copying (done on the
// calling thread alone it took a third of a small convolution on two threads).
struct PaddedInput {
  const Geometry& g;
  const float* x;
  int hp, wp;
  int64_t image_floats;
  float* data;

  PaddedInput(const Geometry& geometry, const float* input, int slack)
      : g(geometry), x(input), hp(g.ho + g.kh - 1), wp(g.wo + g.kw - 1), image_floats(int64_t(hp) * wp * g.c) {
    thread_local std::vector<float> buffer;
    buffer.resize(size_t(g.n * image_floats + int64_t(slack) * g.c));
    data = buffer.data();
    std::fill(data + g.n * image_floats, data + buffer.size(), 0.0f);
  }

  // Image b, padding included.
  void write_image(int b) const {
    float* image = data + b * image_floats;
    std::fill(image, image + image_floats, 0.0f);
    const int rows = std::min(g.h, hp - g.pad_top), cols = std::min(g.w, wp - g.pad_left);
    for (int iy = 0; iy < rows; iy++)
      copy_floats(image + ((iy + g.pad_top) * int64_t(wp) + g.pad_left) * g.c, x + x_row_start(g, b, iy), cols * g.c);
  }

  // Where tap (i, j) of row 0 starts, for every tap in filter order.
  std::vector<int64_t> tap_offsets(const Geometry& g) const {
    std::vector<int64_t> offsets;
    for (int i = 0; i < g.kh; i++)
      for (int j = 0; j < g.kw; j++) offsets.push_back((int64_t(i) * wp + j) * g.c);
    return offsets;
  }
};

// A run of Rows output pixels of one image row: tile_window_rows for the window widths NAS spaces
// use (1 to 7), else tile_taps.
using RowTile = void (*)(const Geometry&, const int64_t* row_offsets, const int64_t* offsets, const float*, const float*, float*);

template <int Lanes, int Rows, int KW>
void window_run(const Geometry& g, const int64_t* row_offsets, const int64_t*, const float* a, const float* b, float* out) {
  tile_window_rows<Lanes, KW, Rows>(g.kh, row_offsets, g.c, a, b, out);
}

template <int Lanes, int Rows>
void taps_run(const Geometry& g, const int64_t*, const int64_t* offsets, const float* a, const float* b, float* out) {
  tile_taps<Lanes, Rows>(g.taps(), offsets, g.c, a, g.c, b, out);
}

template <int Lanes, int Rows>
RowTile run_tile(int kw) {
  if constexpr (Lanes <= kVector) {
    switch (kw) {
      case 1: return window_run<Lanes, Rows, 1>;
      case 3: return window_run<Lanes, Rows, 3>;
      case 5: return window_run<Lanes, Rows, 5>;
      case 7: return window_run<Lanes, Rows, 7>;
    }
  }
  return taps_run<Lanes, Rows>;
}

template <int Lanes, int... R>
RowTile run_tile_for(int kw, int rows, std::integer_sequence<int, R...>) {
  RowTile found = nullptr;
  ((rows == R + 1 ? found = run_tile<Lanes, R + 1>(kw) : found), ...);
  return found;
}

// The most pixels in a run: a tile's rows, or 16 with half vectors (16 accumulators and up to 7
// filter rows of 32 registers), which take a 14-wide row in one run: 12% faster at 14x14.
template <int Lanes>
constexpr int run_rows() { return Lanes < kVector ? 16 : tile_rows<Lanes>(); }

// Each output row in runs of equal length, as few as a tile's rows allow (14 pixels: two of 7),
// so that no tile computes the padding columns (a wp-wide row, computed whole and cropped, had
// (kw - 1) / wp of its products thrown away: 30% for a 7-wide window at 14x14). A 1-wide window
// has no padding columns: an image's output rows are then one row, in whole tiles.
template <int Lanes>
void conv2d_in_place(const Geometry& g, const float* x, const float* filter, float* y, ThreadPool& pool) {
  constexpr int kRows = run_rows<Lanes>();
  const int rows_per_image = g.kw == 1 ? 1 : g.ho;
  const int64_t row_pixels = int64_t(g.ho) * g.wo / rows_per_image;
  const int64_t runs = (row_pixels + kRows - 1) / kRows;
  const int run = int((row_pixels + runs - 1) / runs);
  const PaddedInput padded(g, x, run + g.kw);  // the last run's extra pixels read past the image
  run_tasks(g, pool, g.n, [&](int b) { padded.write_image(b); });
  const std::vector<int64_t> offsets = padded.tap_offsets(g);
  std::vector<int64_t> row_offsets;  // window row i's first tap, for tile_window_rows
  for (int i = 0; i < g.kh; i++) row_offsets.push_back(offsets[size_t(i) * g.kw]);
  const RowTile tile = run_tile_for<Lanes>(g.kw, run, std::make_integer_sequence<int, kRows>{});
  const std::vector<float> packed = pack_columns(filter, patch_length(g), g.out_c, Lanes);
  const int64_t all_runs = int64_t(g.n) * rows_per_image * runs;
  const int64_t runs_per_task = std::max(1, kForwardTiles * kRows / run);  // about kForwardTiles whole tiles
  auto task = [&](int task_index) {
    float partial[run_rows<Lanes>() * Lanes];
    const int64_t last = std::min(all_runs, (task_index + 1) * runs_per_task);
    for (int64_t r = task_index * runs_per_task; r < last; r++) {
      const int64_t row = r / runs, b = row / rows_per_image, oy = row % rows_per_image, ox0 = r % runs * run;
      tile(g, row_offsets.data(), offsets.data(), padded.data + b * padded.image_floats + (oy * padded.wp + ox0) * g.c,
           packed.data(), partial);
      float* out = y + (row * row_pixels + ox0) * g.out_c;
      for (int i = 0; i < std::min<int64_t>(run, row_pixels - ox0); i++) copy_floats(out + i * g.out_c, partial + i * Lanes, g.out_c);
    }
  };
  const int tasks = int((all_runs + runs_per_task - 1) / runs_per_task);
  run_tasks(g, pool, tasks, task);
}

template <int Lanes>
void conv2d_tiled(const Geometry& g, const float* x, const float* filter, float* y, ThreadPool& pool) {
  constexpr int kRows = tile_rows<Lanes>(), kForwardPixels = kRows * kForwardTiles;
  const int64_t k = patch_length(g), pixels = g.pixels();
  const int blocks = column_blocks(g.out_c, Lanes);
  const std::vector<float> packed = pack_columns(filter, k, g.out_c, Lanes);
  const int tasks = int((pixels + kForwardPixels - 1) / kForwardPixels);
  auto task = [&](int task_index) {
    thread_local std::vector<float> patches, partial;
    patches.resize(size_t(kForwardPixels) * k);
    partial.resize(size_t(kRows) * Lanes);
    const int64_t first = int64_t(task_index) * kForwardPixels;
    const int rows = int(std::min<int64_t>(kForwardPixels, pixels - first));
    const int padded = (rows + kRows - 1) / kRows * kRows;
    gather_patches(g, x, first, rows, padded, patches.data());
    for (int r0 = 0; r0 < padded; r0 += kRows) {
      const int valid_rows = std::min(kRows, rows - r0);
      for (int blk = 0; blk < blocks; blk++) {
        const int width = std::min(Lanes, g.out_c - blk * Lanes);
        float* out = y + (first + r0) * g.out_c + blk * Lanes;
        const float* a = patches.data() + r0 * k;
        const float* b = packed.data() + blk * k * Lanes;
        if (valid_rows == kRows && width == Lanes) {
          tile<Lanes>(int(k), a, k, 1, b, Lanes, out, g.out_c, false);
          continue;
        }
        tile<Lanes>(int(k), a, k, 1, b, Lanes, partial.data(), Lanes, false);
        for (int i = 0; i < valid_rows; i++) std::memcpy(out + i * g.out_c, &partial[i * Lanes], sizeof(float) * width);
      }
    }
  };
  run_tasks(g, pool, tasks, task);
}

// The shares of a filter gradient's partial sums, at most `limit`: fixed by the sizes, never by
// the thread count, so that results are the same bits on any number of threads.
int shares(const Geometry& g, int64_t limit) {
  return parallel(g) ? int(std::clamp<int64_t>(g.pixels() / kGradPixels, 1, limit)) : 1;
}

// In place, a share is whole images.
int image_shares(const Geometry& g) { return shares(g, std::min(kMaxShares, g.n)); }

// The filter gradient from the padded input in place: for window row i, the kw * c taps
// (j, ci) of output pixel (oy, ox) are the contiguous floats at (oy * wp + ox + i * wp) * c, so a
// tile's rows are taps and its steps an image's output pixels, row by row, against dY padded to
// Lanes channels, in image_shares.
template <int Lanes>
void conv2d_filter_grad_in_place(const Geometry& g, const float* x, const float* dy, float* dfilter, ThreadPool& pool) {
  constexpr int kRows = tile_rows<Lanes>();
  const int row_taps = g.kw * g.c, row_taps_padded = (row_taps + kRows - 1) / kRows * kRows;
  const PaddedInput padded(g, x, row_taps_padded / g.c + 1);  // the last tile reads past its image
  const int64_t pixels = int64_t(g.ho) * g.wo;  // per image
  thread_local std::vector<float> grad_rows;  // reused, as the padded input
  grad_rows.resize(size_t(g.n * pixels) * Lanes);
  float* grads = grad_rows.data();  // the tasks' threads name their own thread_locals
  // Each image and its dY rows first (a tile reads into the next image), then the sums.
  auto write_image = [&](int b) {
    padded.write_image(b);
    float* image_grads = grads + b * pixels * Lanes;
    if (g.out_c < Lanes) std::fill(image_grads, image_grads + pixels * Lanes, 0.0f);
    for (int64_t p = 0; p < pixels; p++) copy_floats(image_grads + p * Lanes, dy + (b * pixels + p) * g.out_c, g.out_c);
  };
  run_tasks(g, pool, g.n, write_image);
  const int shares = image_shares(g);
  const size_t sum_floats = size_t(g.kh) * row_taps_padded * Lanes;
  std::vector<std::vector<float>> sums(shares, std::vector<float>(sum_floats, 0.0f));
  const int64_t padded_row = int64_t(padded.wp) * g.c;
  auto task = [&](int share) {
    float* sum = sums[share].data();
    for (int b = g.n * share / shares; b < g.n * (share + 1) / shares; b++) {
      const float* image = padded.data + b * padded.image_floats;
      const float* dy_rows = grads + b * pixels * Lanes;
      for (int i = 0; i < g.kh; i++)
        for (int t0 = 0; t0 < row_taps; t0 += kRows)
          tile_2d<Lanes>(g.ho, g.wo, image + i * padded_row + t0, 1, g.c, padded_row, dy_rows, Lanes, int64_t(g.wo) * Lanes,
                         sum + (int64_t(i) * row_taps_padded + t0) * Lanes, Lanes, true);
    }
  };
  pool.run(shares, task);
  add_shares(sums, int64_t(g.kh) * row_taps, g.out_c,
             [&](int64_t t, int o) { return (t / row_taps * row_taps_padded + t % row_taps) * Lanes + o; }, dfilter);
}

// The filter gradient in place for 9 to 12 output channels, which fill 9 to 12 of a 16-lane
// tile's lanes: here a tile's rows are the channels and its lanes kVector consecutive taps (j, ci)
// of window row i, side by side in the padded input, and dY is read as it is. The same products
// summed in the same order as conv2d_filter_grad_in_place, into dW transposed ([o][i][taps]).
template <int Channels>
void conv2d_filter_grad_channel_rows(const Geometry& g, const float* x, const float* dy, float* dfilter, ThreadPool& pool) {
  const int row_taps = g.kw * g.c, row_taps_padded = (row_taps + kVector - 1) / kVector * kVector;
  const PaddedInput padded(g, x, row_taps_padded / g.c + 1);  // the last tile reads past its image
  run_tasks(g, pool, g.n, [&](int b) { padded.write_image(b); });
  const int64_t pixels = int64_t(g.ho) * g.wo;  // per image
  const int shares = image_shares(g);
  const int64_t channel_floats = int64_t(g.kh) * row_taps_padded;  // one channel's row of the transposed sums
  std::vector<std::vector<float>> sums(shares, std::vector<float>(size_t(Channels * channel_floats), 0.0f));
  const int64_t padded_row = int64_t(padded.wp) * g.c;
  auto task = [&](int share) {
    float* sum = sums[share].data();
    for (int b = g.n * share / shares; b < g.n * (share + 1) / shares; b++) {
      const float* image = padded.data + b * padded.image_floats;
      const float* image_dy = dy + b * pixels * Channels;
      for (int i = 0; i < g.kh; i++)
        for (int t0 = 0; t0 < row_taps; t0 += kVector)
          tile_2d<kVector, Channels>(g.ho, g.wo, image_dy, 1, Channels, int64_t(g.wo) * Channels, image + i * padded_row + t0, g.c,
                                     padded_row, sum + int64_t(i) * row_taps_padded + t0, channel_floats, true);
    }
  };
  pool.run(shares, task);
  add_shares(sums, int64_t(g.kh) * row_taps, Channels,
             [&](int64_t t, int o) { return o * channel_floats + t / row_taps * row_taps_padded + t % row_taps; }, dfilter);
}

// dfilter[k][o] = sum over pixels m of patch[m][k] * dy[m][o]: each task sums a share of the
// pixels into its own [k][blocks * Lanes] buffer; the shares are added at the end, in order. The
// shares depend on the sizes only, never on the thread count, so results are the same bits on
// any number of threads (a search's workers use one, the main thread all).
template <int Lanes>
void conv2d_filter_grad_tiled(const Geometry& g, const float* x, const float* dy, float* dfilter, ThreadPool& pool) {
  constexpr int kRows = tile_rows<Lanes>();
  const int64_t k = patch_length(g), pixels = g.pixels();
  const int blocks = column_blocks(g.out_c, Lanes), width = blocks * Lanes;
  const int64_t k_padded = (k + kRows - 1) / kRows * kRows;
  const int share_count = shares(g, kMaxShares);
  std::vector<std::vector<float>> sums(share_count, std::vector<float>(size_t(k_padded) * width, 0.0f));
  auto task = [&](int share) {
    thread_local std::vector<float> patches, grads;
    // A tile's last row reads up to kRows - 1 floats past the patch row (into padding rows that are discarded).
    patches.resize(size_t(kGradPixels) * k + kRows);
    grads.assign(size_t(kGradPixels) * width, 0.0f);
    float* sum = sums[share].data();
    const int64_t begin = pixels * share / share_count, end = pixels * (share + 1) / share_count;
    for (int64_t first = begin; first < end; first += kGradPixels) {
      const int rows = int(std::min<int64_t>(kGradPixels, end - first));
      gather_patches(g, x, first, rows, rows, patches.data());
      for (int r = 0; r < rows; r++) std::memcpy(&grads[r * width], dy + (first + r) * g.out_c, sizeof(float) * g.out_c);
      for (int64_t k0 = 0; k0 < k_padded; k0 += kRows) {
        for (int blk = 0; blk < blocks; blk++) {
          tile<Lanes>(rows, patches.data() + k0, 1, k, grads.data() + blk * Lanes, width, sum + k0 * width + blk * Lanes, width, true);
        }
      }
    }
  };
  pool.run(share_count, task);
  add_shares(sums, k, g.out_c, [&](int64_t t, int o) { return t * width + o; }, dfilter);
}

// Calls f with the tile width for `channels`, as a std::integral_constant.
template <class F>
void with_lanes(int channels, F&& f) {
  const int lanes = lanes_for(channels);
  if (lanes == kNarrowLanes) f(std::integral_constant<int, kNarrowLanes>{});
  else if (lanes == kVectorLanes) f(std::integral_constant<int, kVectorLanes>{});
  else f(std::integral_constant<int, kWideLanes>{});
}

}  // namespace

void conv2d(const Geometry& g, const float* x, const float* filter, float* y, ThreadPool& pool) {
  with_lanes(g.out_c, [&](auto lanes) {
    if constexpr (lanes <= kVectorLanes) {
      if (in_place_patches(g)) return conv2d_in_place<lanes>(g, x, filter, y, pool);
    }
    conv2d_tiled<lanes>(g, x, filter, y, pool);
  });
}

void conv2d_filter_grad(const Geometry& g, const float* x, const float* dy, float* dfilter, ThreadPool& pool) {
  using Kernel = void (*)(const Geometry&, const float*, const float*, float*, ThreadPool&);
  static constexpr Kernel kChannelRows[] = {conv2d_filter_grad_channel_rows<9>, conv2d_filter_grad_channel_rows<10>,
                                            conv2d_filter_grad_channel_rows<11>, conv2d_filter_grad_channel_rows<12>};
  const FilterGradPath path = filter_grad_path(g);
  if (path == FilterGradPath::kChannelRows) return kChannelRows[g.out_c - 9](g, x, dy, dfilter, pool);
  with_lanes(g.out_c, [&](auto lanes) {
    if (path == FilterGradPath::kInPlace) return conv2d_filter_grad_in_place<lanes>(g, x, dy, dfilter, pool);
    conv2d_filter_grad_tiled<lanes>(g, x, dy, dfilter, pool);
  });
}

namespace {

// The taps of one window axis that reach dX positions p + k * stride (p < stride), and where they
// read dY: tap i = first - t * step reads dY at output index k + offset + t * spacing.
struct PhaseTaps {
  int count = 0, first = 0, step = 1, offset = 0, spacing = 1;
};

PhaseTaps phase_taps(int phase, int pad, int kernel, int stride, int dilation) {
  PhaseTaps taps;
  for (int i = kernel - 1; i >= 0; i--) {
    if ((phase + pad - i * dilation) % stride != 0) continue;  // the sign of % is that of the dividend: 0 either way
    if (taps.count == 0) taps.first = i, taps.offset = (phase + pad - i * dilation) / stride;
    else if (taps.count == 1) taps.step = taps.first - i, taps.spacing = taps.step * dilation / stride;
    taps.count++;
  }
  return taps;
}

// dX of a convolution with stride 1: the forward convolution of dY with the filter turned by 180
// degrees and its channel axes swapped, padded by (k - 1) * d - pad before (a negative pad skips
// rows, which the gathered patches handle).
void input_grad_stride_one(const Geometry& g, const float* dy, const float* filter, float* dx, ThreadPool& pool) {
  thread_local std::vector<float> turned;
  turned.resize(size_t(g.taps()) * g.c * g.out_c);
  for (int t = 0; t < g.taps(); t++)
    for (int ci = 0; ci < g.c; ci++)
      for (int o = 0; o < g.out_c; o++)
        turned[(int64_t(g.taps() - 1 - t) * g.out_c + o) * g.c + ci] = filter[(int64_t(t) * g.c + ci) * g.out_c + o];
  const Geometry back{g.n, g.ho, g.wo, g.out_c, g.kh, g.kw, g.c, g.h, g.w, 1, 1, g.dh, g.dw,
                      (g.kh - 1) * g.dh - g.pad_top, (g.kw - 1) * g.dw - g.pad_left};
  conv2d(back, dy, turned.data(), dx, pool);
}

}  // namespace

// With a stride s, dX splits into s x s phases (rows p + k * s, columns q + l * s), each a stride-1
// convolution of dY with the taps that reach it: dY is never spread with zeros (a stride-2 3x3
// input gradient had four times the products it needs).
void conv2d_input_grad(const Geometry& g, const float* dy, const float* filter, float* dx, ThreadPool& pool) {
  if (g.sh == 1 && g.sw == 1) return input_grad_stride_one(g, dy, filter, dx, pool);
  thread_local std::vector<float> sub, phase_dx;
  std::fill(dx, dx + int64_t(g.n) * g.h * g.w * g.c, 0.0f);
  for (int py = 0; py < std::min(g.sh, g.h); py++) {
    for (int px = 0; px < std::min(g.sw, g.w); px++) {
      const PhaseTaps rows = phase_taps(py, g.pad_top, g.kh, g.sh, g.dh), cols = phase_taps(px, g.pad_left, g.kw, g.sw, g.dw);
      if (rows.count == 0 || cols.count == 0) continue;  // no tap reaches these positions: their dX is 0
      sub.resize(size_t(rows.count) * cols.count * g.out_c * g.c);
      for (int ti = 0; ti < rows.count; ti++)
        for (int tj = 0; tj < cols.count; tj++) {
          const int i = rows.first - ti * rows.step, j = cols.first - tj * cols.step;
          for (int o = 0; o < g.out_c; o++)
            for (int ci = 0; ci < g.c; ci++)
              sub[((int64_t(ti) * cols.count + tj) * g.out_c + o) * g.c + ci] = filter[((int64_t(i) * g.kw + j) * g.c + ci) * g.out_c + o];
        }
      const int hp = (g.h - py + g.sh - 1) / g.sh, wp = (g.w - px + g.sw - 1) / g.sw;
      const Geometry phase{g.n, g.ho, g.wo, g.out_c, rows.count, cols.count, g.c, hp, wp, 1, 1, rows.spacing, cols.spacing,
                           -rows.offset, -cols.offset};
      phase_dx.resize(size_t(g.n) * hp * wp * g.c);
      conv2d(phase, dy, sub.data(), phase_dx.data(), pool);
      for (int b = 0; b < g.n; b++)
        for (int y = 0; y < hp; y++)
          for (int x = 0; x < wp; x++)
            copy_floats(dx + x_row_start(g, b, py + y * g.sh) + int64_t(px + x * g.sw) * g.c,
                        &phase_dx[((int64_t(b) * hp + y) * wp + x) * g.c], g.c);
    }
  }
}

}  // namespace nasbook
