// The inner loop every convolution here reduces to: Rows rows of Lanes output floats, each row
// the sum over t of a scalar from A times a Lanes-float row of B. Plain vector extensions sized
// to the build machine's SIMD (AVX-512, AVX2, SSE or NEON): a vector wider than the hardware's
// would be split by the compiler through memory, several times slower. Two tile widths, so that
// 8 output channels do not fill 16-lane tiles with zeros.
#pragma once
#include <cstddef>
#include <cstring>

namespace nasbook {

// The widest float vector the build machine has, and how many accumulators a tile keeps in registers.
#if defined(__AVX512F__)
constexpr int kVector = 16;
constexpr int kAccumulators = 12;  // of 32 registers
#elif defined(__AVX__)
constexpr int kVector = 8;
constexpr int kAccumulators = 12;  // of 16
#else
constexpr int kVector = 4;  // SSE, NEON
constexpr int kAccumulators = 24;
#endif
typedef float vec __attribute__((vector_size(kVector * sizeof(float))));

constexpr int kWideLanes = 16;                                    // columns of a wide tile
constexpr int kNarrowLanes = kVector > 8 ? kVector : 8;           // of a narrow one (8 channels)

// Rows of a tile Lanes wide: as many as the accumulators allow.
template <int Lanes>
constexpr int tile_rows() { return kAccumulators / (Lanes / kVector); }

// The tile width for `channels` output columns: narrow when they fit in it.
inline int lanes_for(int channels) { return channels <= kNarrowLanes ? kNarrowLanes : kWideLanes; }

inline vec load(const float* p) {
  vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void store(float* p, vec v) { std::memcpy(p, &v, sizeof v); }

// n floats from `from` to `to` in whole vectors, then singly: cheaper than memcpy's call for the
// few dozen floats of a window row.
inline void copy_floats(float* to, const float* from, int n) {
  int t = 0;
  for (; t + kVector <= n; t += kVector) store(to + t, load(from + t));
  for (; t < n; t++) to[t] = from[t];
}

// c[i][0:Lanes] (+)= sum_t a[i * a_row + t * a_step] * b[t * b_step + 0:Lanes] for i < tile_rows<Lanes>().
template <int Lanes>
inline void tile(int steps, const float* a, ptrdiff_t a_row, ptrdiff_t a_step, const float* b, ptrdiff_t b_step,
                 float* c, ptrdiff_t c_row, bool accumulate) {
  constexpr int kRows = tile_rows<Lanes>(), kParts = Lanes / kVector;
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

// The same sums with A read in place: step t = tap * c + ci reads a[i * a_row + offsets[tap] + ci],
// so a padded image stands in for its patch matrix; B's rows follow one another, Lanes apart.
template <int Lanes>
inline void tile_taps(int taps, const int64_t* offsets, int c, const float* a, ptrdiff_t a_row, const float* b,
                      float* out) {
  constexpr int kRows = tile_rows<Lanes>(), kParts = Lanes / kVector;
  vec acc[kRows][kParts] = {};
  for (int tap = 0; tap < taps; tap++) {
    const float* at = a + offsets[tap];
    for (int ci = 0; ci < c; ci++, b += Lanes) {
      vec bt[kParts];
      for (int p = 0; p < kParts; p++) bt[p] = load(b + p * kVector);
      for (int i = 0; i < kRows; i++)
        for (int p = 0; p < kParts; p++) acc[i][p] += at[i * a_row + ci] * bt[p];
    }
  }
  for (int i = 0; i < kRows; i++)
    for (int p = 0; p < kParts; p++) store(out + i * Lanes + p * kVector, acc[i][p]);
}

}  // namespace nasbook
