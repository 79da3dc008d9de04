#include "pooling.h"

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

void avg_pool_grad(const Geometry& g, const float*, const float* dy, float* dx, ThreadPool& pool) {
  const int64_t image = int64_t(g.h) * g.w * g.c;
  const float share = 1.0f / float(g.taps());
  auto task = [&](int b) {
    float* dxb = dx + b * image;
    std::memset(dxb, 0, sizeof(float) * image);
    const float* grad = dy + int64_t(b) * g.ho * g.wo * g.c;
    for (int oy = 0; oy < g.ho; oy++) {
      for (int ox = 0; ox < g.wo; ox++, grad += g.c) {
        for (int i = 0; i < g.kh; i++) {
          for (int j = 0; j < g.kw; j++) {
            const int64_t at = tap_offset(g, 0, oy, ox, i, j);
            if (at < 0) continue;
            for (int ch = 0; ch < g.c; ch++) dxb[at + ch] += grad[ch] * share;
          }
        }
      }
    }
  };
  pool.run(g.n, task);
}

}  // namespace nasbook
