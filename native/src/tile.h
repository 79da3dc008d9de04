// The inner loop every convolution here reduces to: R rows of 16 output floats, each row the
// sum over t of a scalar from A times a 16-float row of B. Plain vector extensions, so the
// compiler picks the widest SIMD the build machine has (AVX-512, AVX2, NEON).
#pragma once
#include <cstddef>
#include <cstring>

namespace nasbook {

typedef float v16 __attribute__((vector_size(64)));
constexpr int kLanes = 16;

#if defined(__AVX512F__)
constexpr int kRows = 12;  // 12 accumulators of 32 registers
#else
constexpr int kRows = 6;   // AVX2 and NEON split a v16 into 2 or 4 registers
#endif

inline v16 load16(const float* p) {
  v16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void store16(float* p, v16 v) { std::memcpy(p, &v, sizeof v); }

// c[i][0:16] (+)= sum_t a[i * a_row + t * a_step] * b[t * b_step + 0:16] for i < kRows.
inline void tile(int steps, const float* a, ptrdiff_t a_row, ptrdiff_t a_step, const float* b, ptrdiff_t b_step,
                 float* c, ptrdiff_t c_row, bool accumulate) {
  v16 acc[kRows];
  for (int i = 0; i < kRows; i++) acc[i] = accumulate ? load16(c + i * c_row) : v16{};
  for (int t = 0; t < steps; t++) {
    const v16 bt = load16(b + t * b_step);
    const float* at = a + t * a_step;
    for (int i = 0; i < kRows; i++) acc[i] += at[i * a_row] * bt;
  }
  for (int i = 0; i < kRows; i++) store16(c + i * c_row, acc[i]);
}

}  // namespace nasbook
