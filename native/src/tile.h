// The inner loop every convolution here reduces to: Rows rows of Lanes output floats, each row
// the sum over t of a scalar from A times a Lanes-float row of B. Plain vector extensions sized
// to the build machine's SIMD (AVX-512, AVX2, SSE or NEON): a vector wider than the hardware's
// would be split by the compiler through memory, several times slower. Up to three tile widths,
// so that 8 output channels do not fill 16-lane tiles with zeros.
#pragma once
#include <cstddef>
#include <cstdint>
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

// Columns of a wide tile: with AVX-512 two vectors, so that each input value broadcast feeds two
// products (a step loads 8 values for 12 products instead of 13: 10-15% faster from 32 channels).
constexpr int kWideLanes = kVector > 8 ? 2 * kVector : 16;
// Of a narrow one (8 channels): with AVX-512 half a vector, since Zen 4 runs two 8-float FMAs a
// cycle but one 16-float: 8 channels in 16 lanes took 1.5x as long at 14x14. Intel's AVX-512 cores run
// either at the same floats a cycle, so the half vector costs them nothing.
constexpr int kNarrowLanes = 8;

// The vector a tile Lanes wide sums in: the machine's, or one as narrow as the tile.
template <int Lanes>
constexpr int vector_lanes() { return Lanes < kVector ? Lanes : kVector; }
template <int N>
struct floats {  // a typedef in a class template: GCC drops vector_size from an alias template
  typedef float vector __attribute__((vector_size(N * sizeof(float))));
};
template <int Lanes>
using tile_vec = typename floats<vector_lanes<Lanes>()>::vector;

// Rows of a tile Lanes wide: as many as the accumulators allow.
template <int Lanes>
constexpr int tile_rows() { return kAccumulators / (Lanes / vector_lanes<Lanes>()); }

// The tile widths: narrow, one vector (AVX-512's 16 lanes) and wide; the tile for `channels`
// output columns is the narrowest they fit in. A forward tile of one vector or less reads its
// input in place (conv.cc).
constexpr int kVectorLanes = kVector > kNarrowLanes ? kVector : kNarrowLanes;
inline int lanes_for(int channels) {
  return channels <= kNarrowLanes ? kNarrowLanes : channels <= kVectorLanes ? kVectorLanes : kWideLanes;
}

template <class V = vec>
inline V load(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <class V>
inline void store(float* p, V v) { std::memcpy(p, &v, sizeof v); }

// n floats from `from` to `to` in whole vectors, then singly: cheaper than memcpy's call for the
// few dozen floats of a window row or a channel slice.
inline void copy_floats(float* to, const float* from, int64_t n) {
  int64_t t = 0;
  for (; t + kVector <= n; t += kVector) store(to + t, load(from + t));
  for (; t < n; t++) to[t] = from[t];
}

// c[i][0:Lanes] (+)= sum over u < outer, t < inner of a[i * a_row + u * a_outer + t * a_step] *
// b[u * b_outer + t * b_step + 0:Lanes] for i < Rows: steps in rows of steps, so that a tile can
// walk an image's rows and skip what lies between them.
template <int Lanes, int Rows = tile_rows<Lanes>()>
inline void tile_2d(int outer, int inner, const float* a, ptrdiff_t a_row, ptrdiff_t a_step, ptrdiff_t a_outer, const float* b,
                    ptrdiff_t b_step, ptrdiff_t b_outer, float* c, ptrdiff_t c_row, bool accumulate) {
  using V = tile_vec<Lanes>;
  constexpr int kRows = Rows, kWidth = vector_lanes<Lanes>(), kParts = Lanes / kWidth;
  V acc[kRows][kParts];
  for (int i = 0; i < kRows; i++)
    for (int p = 0; p < kParts; p++) acc[i][p] = accumulate ? load<V>(c + i * c_row + p * kWidth) : V{};
  for (int u = 0; u < outer; u++, a += a_outer, b += b_outer) {
    for (int t = 0; t < inner; t++) {
      V bt[kParts];
      for (int p = 0; p < kParts; p++) bt[p] = load<V>(b + t * b_step + p * kWidth);
      const float* at = a + t * a_step;
      for (int i = 0; i < kRows; i++)
        for (int p = 0; p < kParts; p++) acc[i][p] += at[i * a_row] * bt[p];
    }
  }
  for (int i = 0; i < kRows; i++)
    for (int p = 0; p < kParts; p++) store(c + i * c_row + p * kWidth, acc[i][p]);
}

// c[i][0:Lanes] (+)= sum_t a[i * a_row + t * a_step] * b[t * b_step + 0:Lanes] for i < tile_rows<Lanes>().
template <int Lanes>
inline void tile(int steps, const float* a, ptrdiff_t a_row, ptrdiff_t a_step, const float* b, ptrdiff_t b_step,
                 float* c, ptrdiff_t c_row, bool accumulate) {
  tile_2d<Lanes>(1, steps, a, a_row, a_step, 0, b, b_step, 0, c, c_row, accumulate);
}

// The same sums with A read in place: step t = tap * c + ci reads a[i * a_row + offsets[tap] + ci],
// so a padded image stands in for its patch matrix; B's rows follow one another, Lanes apart.
// Rows may be fewer than a tile's, for a run of pixels that fills no whole tile.
template <int Lanes, int Rows = tile_rows<Lanes>()>
inline void tile_taps(int taps, const int64_t* offsets, int c, const float* a, ptrdiff_t a_row, const float* b,
                      float* out) {
  using V = tile_vec<Lanes>;
  constexpr int kRows = Rows, kWidth = vector_lanes<Lanes>(), kParts = Lanes / kWidth;
  V acc[kRows][kParts] = {};
  for (int tap = 0; tap < taps; tap++) {
    const float* at = a + offsets[tap];
    for (int ci = 0; ci < c; ci++, b += Lanes) {
      V bt[kParts];
      for (int p = 0; p < kParts; p++) bt[p] = load<V>(b + p * kWidth);
      for (int i = 0; i < kRows; i++)
        for (int p = 0; p < kParts; p++) acc[i][p] += at[i * a_row + ci] * bt[p];
    }
  }
  for (int i = 0; i < kRows; i++)
    for (int p = 0; p < kParts; p++) store(out + i * Lanes + p * kWidth, acc[i][p]);
}

// tile_taps for a window KW taps wide with rows c floats apart (a_row = c): row r at tap (i, j)
// reads what row r + j reads at tap (i, 0), so each value loaded feeds up to KW products, one
// per tap of the window row, instead of one (a 3-wide window: 14 loads for 36 products, not 39).
// `row_offsets[i]` is where window row i starts; B holds taps (i, j) in filter order, as there.
template <int Lanes, int KW, int Rows = tile_rows<Lanes>()>
inline void tile_window_rows(int kh, const int64_t* row_offsets, int c, const float* a, const float* b, float* out) {
  using V = tile_vec<Lanes>;
  constexpr int kRows = Rows;
  static_assert(Lanes <= kVector, "one vector per row: the accumulators and KW filter rows fill the registers");
  V acc[kRows] = {};
  for (int i = 0; i < kh; i++) {
    const float* ai = a + row_offsets[i];
    const float* bi = b + int64_t(i) * KW * c * Lanes;
    for (int ci = 0; ci < c; ci++) {
      V bj[KW];
      for (int j = 0; j < KW; j++) bj[j] = load<V>(bi + (int64_t(j) * c + ci) * Lanes);
      // Unrolled whole, so that every accumulator's index is a constant and it stays in a register.
#pragma GCC unroll 32
      for (int q = 0; q < kRows + KW - 1; q++) {
        const float v = ai[q * c + ci];
#pragma GCC unroll 8
        for (int j = 0; j < KW; j++)
          if (q - j >= 0 && q - j < kRows) acc[q - j] += v * bj[j];
      }
    }
  }
  for (int r = 0; r < kRows; r++) store(out + r * Lanes, acc[r]);
}

}  // namespace nasbook
