#include "depthwise.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "tile.h"

namespace nasbook {
namespace {

constexpr double kParallelMacs = 1e6;
constexpr int kMaxShares = 8;  // partial sums of a filter gradient, fixed by the sizes (see conv.cc)

bool parallel(const Geometry& g) { return double(g.pixels()) * g.taps() * g.out_c >= kParallelMacs; }

int multiplier(const Geometry& g) { return g.out_c / g.c; }

// The first n < kVector floats at p, then zeros: a run's last vector reads nothing past its end.
inline vec load_part(const float* p, int n) {
  vec v{};
  std::memcpy(&v, p, sizeof(float) * n);
  return v;
}

// Several sums of products of runs of floats: for r < Rows and e < length,
//   out[r * out_row + e] (+)= sum over t < count of a[t][offsets[r] + e] * b[t][e % period].
// b[t] repeats every `period` floats and holds period + kVector of them (a period of `length` or
// more does not repeat); each b vector is loaded once for the Rows sums that share it. Blocks
// vectors of each sum at a time, in registers; returns where they stop.
template <int Rows, int Blocks>
int sum_rows_from(int e, int count, const float* const* a, const int64_t* offsets, const float* const* b, int period, int length,
                  float* out, int64_t out_row, bool accumulate) {
  for (; e + Blocks * kVector <= length; e += Blocks * kVector) {
    int phase[Blocks];
    vec acc[Rows][Blocks];
    for (int k = 0; k < Blocks; k++) phase[k] = (e + k * kVector) % period;
    for (int r = 0; r < Rows; r++)
      for (int k = 0; k < Blocks; k++) acc[r][k] = accumulate ? load(out + r * out_row + e + k * kVector) : vec{};
    for (int t = 0; t < count; t++) {
      const float* at = a[t] + e;
      for (int k = 0; k < Blocks; k++) {
        const vec bt = load(b[t] + phase[k]);
        for (int r = 0; r < Rows; r++) acc[r][k] += load(at + offsets[r] + k * kVector) * bt;
      }
    }
    for (int r = 0; r < Rows; r++)
      for (int k = 0; k < Blocks; k++) store(out + r * out_row + e + k * kVector, acc[r][k]);
  }
  return e;
}

// The whole runs: as many vectors at a time as the registers hold, then the last partial vector.
template <int Rows>
void sum_rows(int count, const float* const* a, const int64_t* offsets, const float* const* b, int period, int length, float* out,
              int64_t out_row, bool accumulate) {
  constexpr int kBlocks = std::max(1, 8 / Rows);
  int e = sum_rows_from<Rows, kBlocks>(0, count, a, offsets, b, period, length, out, out_row, accumulate);
  e = sum_rows_from<Rows, 1>(e, count, a, offsets, b, period, length, out, out_row, accumulate);
  if (e == length) return;
  const int rest = length - e, phase = e % period;
  for (int r = 0; r < Rows; r++) {
    float* to = out + r * out_row + e;
    vec acc = accumulate ? load_part(to, rest) : vec{};
    for (int t = 0; t < count; t++) acc += load_part(a[t] + offsets[r] + e, rest) * load_part(b[t] + phase, rest);
    std::memcpy(to, &acc, sizeof(float) * rest);
  }
}

// sum_rows for up to kRowsAtOnce sums: all at once when there are that many, else one by one.
constexpr int kRowsAtOnce = 4;

void sum_some_rows(int sums, int count, const float* const* a, const int64_t* offsets, const float* const* b, int period, int length,
                   float* out, int64_t out_row, bool accumulate) {
  if (sums == kRowsAtOnce) return sum_rows<kRowsAtOnce>(count, a, offsets, b, period, length, out, out_row, accumulate);
  for (int r = 0; r < sums; r++) sum_rows<1>(count, a, offsets + r, b, period, length, out + r * out_row, out_row, accumulate);
}

// The filter's taps, each repeated along the floats of an output row (pixel after pixel of out_c
// channels) for a whole number of vectors: period = lcm(out_c, kVector), plus one vector more.
struct RepeatedTaps {
  int period;
  std::vector<float> values;

  const float* tap(int t) const { return &values[size_t(t) * (period + kVector)]; }
};

RepeatedTaps repeat_taps(const Geometry& g, const float* filter) {
  const int period = std::lcm(g.out_c, kVector), floats = period + kVector;
  std::vector<float> values(size_t(g.taps()) * floats);
  for (int t = 0; t < g.taps(); t++)
    for (int k = 0; k < floats; k++) values[size_t(t) * floats + k] = filter[int64_t(t) * g.out_c + k % g.out_c];
  return {period, std::move(values)};
}

// Tap j of an output row reads every sw-th padded column from j * dw on. Splitting each padded row
// into sw planes by column phase (column X at plane X % sw, pixel X / sw) makes those columns
// neighbours: tap j reads plane (j * dw) % sw from pixel (j * dw) / sw + ox on.
struct TapColumn {
  int plane, shift;
};

TapColumn tap_column(const Geometry& g, int j) { return {j * g.dw % g.sw, j * g.dw / g.sw}; }

// The pixels [first, last) of plane p whose columns hold the image (the others are padding).
struct PixelRange {
  int first, last;
};

PixelRange image_pixels(const Geometry& g, int p) {
  const int first = g.pad_left > p ? (g.pad_left - p + g.sw - 1) / g.sw : 0;
  const int end = g.pad_left + g.w - p;  // one past the image's last column, counted from p
  return {first, std::max(first, end <= 0 ? 0 : (end - 1) / g.sw + 1)};
}

// One image padded and split into planes, with each input channel ch repeated for its outputs
// ch * m + q: at every tap, an output row (wo pixels of out_c floats) is the product of one run of
// these floats with the repeated tap.
struct Planes {
  int rows, width, channels;  // padded rows read; pixels of each of the sw planes of a row; out_c

  Planes(const Geometry& g)
      : rows((g.ho - 1) * g.sh + (g.kh - 1) * g.dh + 1),
        width(((g.wo - 1) * g.sw + (g.kw - 1) * g.dw) / g.sw + 1),
        channels(g.out_c) {}

  int64_t row_floats(const Geometry& g) const { return int64_t(g.sw) * width * channels; }

  // Where tap (i, j) of output row 0 starts.
  int64_t tap_start(const Geometry& g, int i, int j) const {
    const TapColumn column = tap_column(g, j);
    return i * g.dh * row_floats(g) + (int64_t(column.plane) * width + column.shift) * channels;
  }

  // Image b of x in this layout, in the calling thread's buffer (reused: a fresh one would be
  // mapped from the OS page by page). Each float is written once: a pixel or a zero of padding.
  const float* lay_out(const Geometry& g, const float* x, int b) const {
    thread_local std::vector<float> buffer;
    buffer.resize(size_t(rows * row_floats(g)));
    const int m = multiplier(g);
    for (int padded_y = 0; padded_y < rows; padded_y++) {
      float* row = &buffer[padded_y * row_floats(g)];
      const int iy = padded_y - g.pad_top;
      if (iy < 0 || iy >= g.h) {
        std::fill(row, row + row_floats(g), 0.0f);
        continue;
      }
      const float* in = x + x_row_start(g, b, iy);
      for (int p = 0; p < g.sw; p++) {
        float* plane = row + int64_t(p) * width * channels;
        const PixelRange inside = image_pixels(g, p);
        const int first = std::min(inside.first, width), last = std::min(inside.last, width);
        std::fill(plane, plane + int64_t(first) * channels, 0.0f);
        std::fill(plane + int64_t(std::max(first, last)) * channels, plane + int64_t(width) * channels, 0.0f);
        const float* from = in + int64_t(p + g.sw * first - g.pad_left) * g.c;
        if (g.sw == 1 && m == 1) {
          copy_floats(plane + int64_t(first) * channels, from, (last - first) * g.c);
          continue;
        }
        for (float* to = plane + int64_t(first) * channels; to < plane + int64_t(last) * channels; to += channels, from += g.sw * g.c) {
          if (m == 1) copy_floats(to, from, g.c);
          else for (int ch = 0; ch < g.c; ch++) std::fill(to + ch * m, to + (ch + 1) * m, from[ch]);
        }
      }
    }
    return buffer.data();
  }
};

// Calls task(i) for i < tasks, on the pool when the call is large enough to share.
template <typename Task>
void run(const Geometry& g, int tasks, Task task, ThreadPool& pool) {
  if (parallel(g)) pool.run(tasks, task);
  else for (int t = 0; t < tasks; t++) task(t);
}

// Whether window row i reads any image row for output rows [oy0, oy1), and column j any image
// column: taps that read only padding (most of a dilated 5x5 on a 4x4 image) are skipped.
bool row_inside(const Geometry& g, int i, int oy0, int oy1) {
  for (int oy = oy0; oy < oy1; oy++)
    if (unsigned(oy * g.sh + i * g.dh - g.pad_top) < unsigned(g.h)) return true;
  return false;
}

bool column_inside(const Geometry& g, int j) {
  for (int ox = 0; ox < g.wo; ox++)
    if (unsigned(ox * g.sw + j * g.dw - g.pad_left) < unsigned(g.w)) return true;
  return false;
}

// dY of one image with zero pixels either side of each row, so that every dX plane row below reads
// whole runs of it: `before` for the widest tap shift, `after` for the dX columns past the last output's reach.
struct PaddedGrad {
  int before, width;  // zero pixels before each row; pixels per row

  PaddedGrad(const Geometry& g)
      : before((g.kw - 1) * g.dw / g.sw),
        width(before + g.wo + std::max(0, (g.pad_left + g.w - 1) / g.sw - (g.wo - 1))) {}

  // Image b of dy padded, in the calling thread's buffer.
  const float* lay_out(const Geometry& g, const float* dy, int b) const {
    thread_local std::vector<float> buffer;
    buffer.assign(size_t(g.ho) * width * g.out_c, 0.0f);
    for (int oy = 0; oy < g.ho; oy++)
      copy_floats(&buffer[(int64_t(oy) * width + before) * g.out_c], dy + (int64_t(b) * g.ho + oy) * g.wo * g.out_c, g.wo * g.out_c);
    return buffer.data();
  }
};

// Stride 1 without a multiplier: dX is the forward convolution of dY with the filter turned by 180
// degrees, padded by (k - 1) * d - pad before (a negative pad skips what no tap reads).
void depthwise_input_grad_as_forward(const Geometry& g, const float* dy, const float* filter, float* dx, ThreadPool& pool) {
  std::vector<float> turned(size_t(g.taps()) * g.c);
  for (int t = 0; t < g.taps(); t++) std::memcpy(&turned[size_t(g.taps() - 1 - t) * g.c], filter + int64_t(t) * g.c, sizeof(float) * g.c);
  const Geometry back{g.n, g.ho, g.wo, g.c, g.kh, g.kw, g.c, g.h, g.w, 1, 1, g.dh, g.dw,
                      (g.kh - 1) * g.dh - g.pad_top, (g.kw - 1) * g.dw - g.pad_left};
  depthwise_conv2d(back, dy, turned.data(), dx, pool);
}

}  // namespace

// One task per image: its output rows, kRowsAtOnce at a time, each a sum over the taps of runs of its planes.
void depthwise_conv2d(const Geometry& g, const float* x, const float* filter, float* y, ThreadPool& pool) {
  const Planes planes(g);
  const RepeatedTaps taps = repeat_taps(g, filter);
  std::vector<int64_t> starts;
  for (int i = 0; i < g.kh; i++)
    for (int j = 0; j < g.kw; j++) starts.push_back(planes.tap_start(g, i, j));
  std::vector<int> columns;  // the taps j that read the image
  for (int j = 0; j < g.kw; j++)
    if (column_inside(g, j)) columns.push_back(j);
  const int length = g.wo * g.out_c;
  const int64_t row_step = g.sh * planes.row_floats(g);  // between the runs of consecutive output rows
  const int64_t offsets[kRowsAtOnce] = {0, row_step, 2 * row_step, 3 * row_step};
  run(g, g.n, [&](int b) {
    const float* image = planes.lay_out(g, x, b);
    std::vector<const float*> runs, repeated;
    for (int oy = 0; oy < g.ho; oy += kRowsAtOnce) {
      const int rows = std::min(kRowsAtOnce, g.ho - oy);
      runs.clear();
      repeated.clear();
      for (int i = 0; i < g.kh; i++) {
        if (!row_inside(g, i, oy, oy + rows)) continue;
        for (int j : columns) {
          runs.push_back(image + oy * row_step + starts[i * g.kw + j]);
          repeated.push_back(taps.tap(i * g.kw + j));
        }
      }
      sum_some_rows(rows, int(runs.size()), runs.data(), offsets, repeated.data(), taps.period, length,
                    y + (int64_t(b) * g.ho + oy) * length, length, false);
    }
  }, pool);
}

// Each share of the output rows sums dY's row times each tap's run into its own row-long sum per
// tap (kRowsAtOnce taps at a time, which share dY's vectors); the shares (fixed by the sizes, so
// the same bits on any thread count) are added in order at the end. Taps that read only padding
// get zeros.
void depthwise_filter_grad(const Geometry& g, const float* x, const float* dy, float* dfilter, ThreadPool& pool) {
  const Planes planes(g);
  const int rows = g.n * g.ho, length = g.wo * g.out_c;
  const int shares = parallel(g) ? std::min(kMaxShares, rows) : 1;
  std::vector<int> active;  // the taps that read the image
  std::vector<int64_t> starts;
  for (int i = 0; i < g.kh; i++)
    for (int j = 0; j < g.kw; j++) {
      if (!row_inside(g, i, 0, g.ho) || !column_inside(g, j)) continue;
      active.push_back(i * g.kw + j);
      starts.push_back(planes.tap_start(g, i, j));
    }
  const int taps = int(active.size());
  const int64_t row_step = g.sh * planes.row_floats(g);
  std::vector<std::vector<float>> sums(shares, std::vector<float>(size_t(taps) * length, 0.0f));
  auto task = [&](int share) {
    const int begin = rows * share / shares, end = rows * (share + 1) / shares;
    std::vector<const float*> grads, runs;
    for (int b = begin / g.ho; b * g.ho < end; b++) {
      const float* image = planes.lay_out(g, x, b);
      const int first = std::max(begin, b * g.ho) - b * g.ho, last = std::min(end, (b + 1) * g.ho) - b * g.ho;
      grads.clear();
      runs.clear();
      for (int oy = first; oy < last; oy++) {
        grads.push_back(dy + (int64_t(b) * g.ho + oy) * length);
        runs.push_back(image + oy * row_step);
      }
      for (int t = 0; t < taps; t += kRowsAtOnce) {
        sum_some_rows(std::min(kRowsAtOnce, taps - t), int(runs.size()), runs.data(), &starts[t], grads.data(), length, length,
                      sums[share].data() + int64_t(t) * length, length, true);
      }
    }
    // The share's sums per channel, pixel after pixel, into the first pixel of each tap's row.
    for (int t = 0; t < taps; t++) {
      float* tap = sums[share].data() + int64_t(t) * length;
      for (int ox = 1; ox < g.wo; ox++)
        for (int o = 0; o < g.out_c; o++) tap[o] += tap[ox * g.out_c + o];
    }
  };
  run(g, shares, task, pool);
  std::fill(dfilter, dfilter + int64_t(g.taps()) * g.out_c, 0.0f);
  for (int t = 0; t < taps; t++)
    for (int o = 0; o < g.out_c; o++) {
      float total = 0;
      for (const auto& s : sums) total += s[int64_t(t) * length + o];
      dfilter[int64_t(active[t]) * g.out_c + o] = total;
    }
}

// dX[Y][X] = sum of dY[oy][ox] * tap (i, j) over oy * sh + i * dh = Y and ox * sw + j * dw = X
// (padded coordinates): for each dX row, the taps i that meet an output row; in each plane p of
// its columns, the taps j with (j * dw) % sw = p, whose ox = u - (j * dw) / sw make runs of dY.
// One task per image; each dX float is one such sum, so the same bits on any thread count.
void depthwise_input_grad(const Geometry& g, const float* dy, const float* filter, float* dx, ThreadPool& pool) {
  const int m = multiplier(g);
  if (g.sh == 1 && g.sw == 1 && m == 1) return depthwise_input_grad_as_forward(g, dy, filter, dx, pool);
  const RepeatedTaps taps = repeat_taps(g, filter);
  const PaddedGrad padded(g);
  std::vector<std::vector<std::pair<int, int>>> plane_taps(g.sw);  // (j, its shift) for the taps j that read each plane
  for (int j = 0; j < g.kw; j++) plane_taps[tap_column(g, j).plane].push_back({j, tap_column(g, j).shift});
  run(g, g.n, [&](int b) {
    const float* grad = padded.lay_out(g, dy, b);
    std::vector<const float*> runs, repeated;
    thread_local std::vector<float> planar;  // one plane row of dX over the out_c channels
    // Columns left of a negative pad are read by no tap.
    if (g.pad_left < 0) std::fill(dx + x_row_start(g, b, 0), dx + x_row_start(g, b + 1, 0), 0.0f);
    for (int y = 0; y < g.h; y++) {
      const int padded_y = y + g.pad_top;
      float* dx_row = dx + x_row_start(g, b, y);
      for (int p = 0; p < g.sw; p++) {
        // This plane's dX pixels u0..u1: columns X = p + sw * u inside the image.
        const PixelRange inside = image_pixels(g, p);
        const int u0 = inside.first, u1 = inside.last - 1;
        if (u1 < u0) continue;
        runs.clear();
        repeated.clear();
        for (int i = 0; i < g.kh; i++) {
          const int top = padded_y - i * g.dh;
          if (top < 0 || top % g.sh != 0 || top / g.sh >= g.ho) continue;
          for (const auto& [j, shift] : plane_taps[p]) {
            runs.push_back(grad + (int64_t(top / g.sh) * padded.width + padded.before + u0 - shift) * g.out_c);
            repeated.push_back(taps.tap(i * g.kw + j));
          }
        }
        const int pixels = u1 - u0 + 1, length = pixels * g.out_c;
        planar.resize(size_t(length));
        const int64_t none = 0;
        sum_rows<1>(int(runs.size()), runs.data(), &none, repeated.data(), taps.period, length, planar.data(), 0, false);
        for (int u = 0; u < pixels; u++) {
          float* to = dx_row + int64_t(p + g.sw * (u0 + u) - g.pad_left) * g.c;
          const float* from = planar.data() + int64_t(u) * g.out_c;
          if (m == 1) {
            copy_floats(to, from, g.c);
            continue;
          }
          for (int ch = 0; ch < g.c; ch++) {
            float total = 0;
            for (int q = 0; q < m; q++) total += from[ch * m + q];
            to[ch] = total;
          }
        }
      }
    }
  }, pool);
}

}  // namespace nasbook
