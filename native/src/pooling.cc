#include "pooling.h"

#include <cstring>
#include <vector>

namespace nasbook {

void max_pool_grad(const Geometry& g, const float* x, const float* dy, float* dx, ThreadPool& pool) {
  const int64_t image = int64_t(g.h) * g.w * g.c;
  // One task per image: windows of different images never overlap.
  auto task = [&](int b) {
    float* dxb = dx + b * image;
    std::memset(dxb, 0, sizeof(float) * image);
    std::vector<const float*> best(g.c);
    const float* grad = dy + int64_t(b) * g.ho * g.wo * g.c;
    for (int oy = 0; oy < g.ho; oy++) {
      for (int ox = 0; ox < g.wo; ox++, grad += g.c) {
        std::fill(best.begin(), best.end(), nullptr);
        for (int i = 0; i < g.kh; i++) {
          for (int j = 0; j < g.kw; j++) {
            const float* row = tap_row(g, x, b, oy, ox, i, j);
            if (!row) continue;
            for (int ch = 0; ch < g.c; ch++) {
              if (!best[ch] || row[ch] > *best[ch]) best[ch] = row + ch;
            }
          }
        }
        for (int ch = 0; ch < g.c; ch++) {
          if (best[ch]) dxb[best[ch] - (x + b * image)] += grad[ch];
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
