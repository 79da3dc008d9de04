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
    std::memset(dxb, 0, sizeof(float) * image);
    // Per channel: the window's maximum, and whether a tap has taken its gradient yet.
    std::vector<float> best(g.c);
    std::vector<float> taken(g.c);
    const float* grad = dy + int64_t(b) * g.ho * g.wo * g.c;
    for (int oy = 0; oy < g.ho; oy++) {
      for (int ox = 0; ox < g.wo; ox++, grad += g.c) {
        bool first = true;
        for (int i = 0; i < g.kh; i++) {
          for (int j = 0; j < g.kw; j++) {
            const float* row = tap_row(g, x, b, oy, ox, i, j);
            if (!row) continue;
            float* __restrict top = best.data();
            if (first) std::memcpy(top, row, sizeof(float) * g.c);
            else for (int ch = 0; ch < g.c; ch++) top[ch] = row[ch] > top[ch] ? row[ch] : top[ch];
            first = false;
          }
        }
        // The first tap equal to the maximum takes dY; selects instead of branches, per channel.
        std::fill(taken.begin(), taken.end(), 0.0f);
        for (int i = 0; i < g.kh; i++) {
          for (int j = 0; j < g.kw; j++) {
            const int64_t at = tap_offset(g, 0, oy, ox, i, j);
            if (at < 0) continue;
            const float* __restrict row = x + b * image + at;
            const float* __restrict top = best.data();
            float* __restrict out = dxb + at;
            float* __restrict done = taken.data();
            for (int ch = 0; ch < g.c; ch++) {
              const bool hit = done[ch] == 0.0f && row[ch] == top[ch];
              out[ch] += hit ? grad[ch] : 0.0f;
              done[ch] = hit ? 1.0f : done[ch];
            }
          }
        }
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
