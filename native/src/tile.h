// The inner loop every convolution here reduces to: kRows rows of 16 output floats, each row the
// sum over t of a scalar from A times a 16-float row of B. Plain vector extensions sized to the
// build machine's SIMD (AVX-512, AVX2, SSE or NEON): a vector wider than the hardware's would
// be split by the compiler through memory, several times slower.
#pragma once
#include <cstddef>
#include <cstring>

namespace nasbook {

// The widest float vector the build machine has, and how many rows a tile keeps in registers.
#if defined(__AVX512F__)
constexpr int kVector = 16;
constexpr int kRows = 12;  // 12 accumulators of 32 registers
#elif defined(__AVX__)
constexpr int kVector = 8;
constexpr int kRows = 6;   // 12 of 16
#else
constexpr int kVector = 4;  // SSE, NEON
constexpr int kRows = 6;
#endif
typedef float vec __attribute__((vector_size(kVector * sizeof(float))));

constexpr int kLanes = 16;  // columns of a tile
constexpr int kParts = kLanes / kVector;

inline vec load(const float* p) {
  vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void store(float* p, vec v) { std::memcpy(p, &v, sizeof v); }

// c[i][0:16] (+)= sum_t a[i * a_row + t * a_step] * b[t * b_step + 0:16] for i < kRows.
inline void tile(int steps, const float* a, ptrdiff_t a_row, ptrdiff_t a_step, const float* b, ptrdiff_t b_step,
                 float* c, ptrdiff_t c_row, bool accumulate) {
  vec acc[kRows][kParts];
  for (int i = 0; i < kRows; i++)
    for (int p = 0; p < kParts; p++) acc[i][p] = accumulate ? load(c + i * c_row + p * kVector) : vec{};
  for (int t = 0; t < steps; t++) {
    vec bt[kParts];
    for (int p = 0; p < kParts; p++) bt[p] = load(b + t * b_step + p * kVector);
    const float* at = a + t * a_step;
    for (int i = 0; i < kRows; i++)
      for (int p = 0; p < kParts; p++) acc[i][p] += at[i * a_row] * bt[p];
  }
  for (int i = 0; i < kRows; i++)
    for (int p = 0; p < kParts; p++) store(c + i * c_row + p * kVector, acc[i][p]);
}

}  // namespace nasbook
