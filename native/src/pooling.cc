#include "pooling.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace nasbook {

void max_pool_grad(const Geometry& g, const float* x, const float* dy, float* dx, ThreadPool& pool) {
  const int64_t image = int64_t(g.h) * g.w * g.c;
  // One task per image: windows of different images never overlap.
  auto task = [&](int b) {
    float* dxb = dx + b * image;
    const float* xb = x + b * image;
    std::memset(dxb, 0, sizeof(float) * image);
    // Per channel: the window's maximum so far and the number of the tap that holds it (a float,
    // so that compare and both selects vectorise together; a later tap takes over only when
    // strictly greater: the first maximum wins). Then dY goes to each channel's tap.
    std::vector<float> best(g.c), which(g.c);
    std::vector<int64_t> where(g.taps());
    const float* grad = dy + int64_t(b) * g.ho * g.wo * g.c;
    for (int oy = 0; oy < g.ho; oy++) {
      for (int ox = 0; ox < g.wo; ox++, grad += g.c) {
        int seen = 0;
        for (int t = 0; t < g.taps(); t++) {
          where[t] = tap_offset(g, 0, oy, ox, t / g.kw, t % g.kw);
          if (where[t] < 0) continue;
          const float* __restrict row = xb + where[t];
          float* __restrict top = best.data();
          float* __restrict tap = which.data();
          const float number = float(t);
          if (seen++ == 0) {
            for (int ch = 0; ch < g.c; ch++) top[ch] = row[ch], tap[ch] = number;
            continue;
          }
          for (int ch = 0; ch < g.c; ch++) {
            const bool take = row[ch] > top[ch];
            top[ch] = take ? row[ch] : top[ch];
            tap[ch] = take ? number : tap[ch];
          }
        }
        if (seen == 0) continue;
        for (int ch = 0; ch < g.c; ch++) dxb[where[int(which[ch])] + ch] += grad[ch];
      }
    }
  };
  pool.run(g.n, task);
}

namespace {

// The rows [top, bottom) and columns [left, right) of output (oy, ox)'s window inside the image
// (pooling windows are not dilated).
struct Window {
  int top, bottom, left, right;
  int pixels() const { return std::max(bottom - top, 0) * std::max(right - left, 0); }
};

Window window_of(const Geometry& g, int oy, int ox) {
  const int top = oy * g.sh - g.pad_top, left = ox * g.sw - g.pad_left;
  return {std::max(top, 0), std::min(top + g.kh, g.h), std::max(left, 0), std::min(left + g.kw, g.w)};
}

// Image b pooled row by row: an output row's windows share their rows, so each input row is read
// once for the whole output row, and the windows' columns are worked out once per call, not per
// pixel. Each output still sums its window row by row, left to right. C is the channel count
// when the compiler is to know it (1: an image's raw pixels), else 0 for g.c: at one channel
// the general loops' bookkeeping cost ten times the adds (NAS-RL's input pooling, 50 x 28x28 x 1,
// took 121 us on one thread).
template <int C>
void avg_pool_image(const Geometry& g, const std::vector<Window>& columns, const float* x, float* y, int b) {
  const int c = C > 0 ? C : g.c;
  const int64_t out_row = int64_t(g.wo) * c;
  const float* image = x + int64_t(b) * g.h * g.w * c;
  float* __restrict out = y + int64_t(b) * g.ho * out_row;
  for (int oy = 0; oy < g.ho; oy++, out += out_row) {
    const Window rows = window_of(g, oy, 0);
    std::fill(out, out + out_row, 0.0f);
    for (int iy = rows.top; iy < rows.bottom; iy++) {
      const float* __restrict row = image + int64_t(iy) * g.w * c;
      for (int ox = 0; ox < g.wo; ox++) {
        float* __restrict o = out + int64_t(ox) * c;
        for (int ix = columns[ox].left; ix < columns[ox].right; ix++)
          for (int ch = 0; ch < c; ch++) o[ch] += row[int64_t(ix) * c + ch];
      }
    }
    for (int ox = 0; ox < g.wo; ox++) {
      const Window win{rows.top, rows.bottom, columns[ox].left, columns[ox].right};
      const float share = win.pixels() > 0 ? 1.0f / float(win.pixels()) : 0.0f;
      for (int ch = 0; ch < c; ch++) out[int64_t(ox) * c + ch] *= share;
    }
  }
}

}  // namespace

void avg_pool_real(const Geometry& g, const float* x, const float*, float* y, ThreadPool& pool) {
  std::vector<Window> columns(g.wo);
  for (int ox = 0; ox < g.wo; ox++) columns[ox] = window_of(g, 0, ox);
  const auto image = g.c == 1 ? avg_pool_image<1> : avg_pool_image<0>;
  pool.run(g.n, [&](int b) { image(g, columns, x, y, b); });
}

namespace {

// Each window's dY spread over its pixels inside the image, as dY times `share_of(window)`.
template <typename Share>
void spread_average(const Geometry& g, const float* dy, float* dx, ThreadPool& pool, Share share_of) {
  const int64_t image = int64_t(g.h) * g.w * g.c;
  auto task = [&](int b) {
    float* dxb = dx + b * image;
    std::memset(dxb, 0, sizeof(float) * image);
    const float* grad = dy + int64_t(b) * g.ho * g.wo * g.c;
    for (int oy = 0; oy < g.ho; oy++) {
      for (int ox = 0; ox < g.wo; ox++, grad += g.c) {
        const Window win = window_of(g, oy, ox);
        if (win.pixels() <= 0) continue;
        const float share = share_of(win);
        for (int iy = win.top; iy < win.bottom; iy++)
          for (int ix = win.left; ix < win.right; ix++) {
            float* __restrict to = dxb + (int64_t(iy) * g.w + ix) * g.c;
            for (int ch = 0; ch < g.c; ch++) to[ch] += grad[ch] * share;
          }
      }
    }
  };
  pool.run(g.n, task);
}

}  // namespace

void avg_pool_grad(const Geometry& g, const float*, const float* dy, float* dx, ThreadPool& pool) {
  const float share = 1.0f / float(g.taps());
  spread_average(g, dy, dx, pool, [&](const Window&) { return share; });
}

void avg_pool_real_grad(const Geometry& g, const float*, const float* dy, float* dx, ThreadPool& pool) {
  spread_average(g, dy, dx, pool, [](const Window& win) { return 1.0f / float(win.pixels()); });
}

}  // namespace nasbook
