#include "channel_affine.h"

#include <algorithm>

namespace nasbook {

void channel_affine(const Geometry& g, const float* x, const float* coefficients, float* out, ThreadPool& pool) {
  constexpr int64_t kRowsPerTask = 1024;
  constexpr int64_t kParallelFloats = 1 << 18;
  const int64_t rows = g.pixels(), channels = g.c;
  const float* scale = coefficients;
  const float* shift = coefficients + channels;
  const int tasks = int((rows + kRowsPerTask - 1) / kRowsPerTask);
  auto task = [&](int t) {
    const int64_t end = std::min(rows, (t + 1) * kRowsPerTask);
    for (int64_t m = t * kRowsPerTask; m < end; m++) {
      const float* in = x + m * channels;
      float* o = out + m * channels;
      for (int64_t ch = 0; ch < channels; ch++) o[ch] = in[ch] * scale[ch] + shift[ch];
    }
  };
  if (rows * channels >= kParallelFloats) pool.run(tasks, task);
  else for (int t = 0; t < tasks; t++) task(t);
}

}  // namespace nasbook
