// The shape of one NHWC convolution or pooling window sweep, as JS passes it (an Int32Array).
#pragma once
#include <cstdint>

namespace nasbook {

struct Geometry {
  int n, h, w, c;       // input [n, h, w, c]
  int kh, kw;           // window
  int out_c;            // output channels (conv: filter's last dim; depthwise: c * multiplier)
  int ho, wo;           // output spatial size
  int sh, sw, dh, dw;   // strides and dilations
  int pad_top, pad_left;

  int64_t pixels() const { return int64_t(n) * ho * wo; }
  int taps() const { return kh * kw; }
};

constexpr int kGeometryFields = 15;

// Offset of the input row (c floats) that output pixel (b, oy, ox) reads at tap (i, j), or -1 in the padding.
inline int64_t tap_offset(const Geometry& g, int b, int oy, int ox, int i, int j) {
  const int iy = oy * g.sh + i * g.dh - g.pad_top;
  const int ix = ox * g.sw + j * g.dw - g.pad_left;
  if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) return -1;
  return ((int64_t(b) * g.h + iy) * g.w + ix) * g.c;
}

// Offset of input row iy of image b.
inline int64_t x_row_start(const Geometry& g, int b, int iy) { return (int64_t(b) * g.h + iy) * g.w * g.c; }

inline const float* tap_row(const Geometry& g, const float* x, int b, int oy, int ox, int i, int j) {
  const int64_t at = tap_offset(g, b, oy, ox, i, j);
  return at < 0 ? nullptr : x + at;
}

}  // namespace nasbook
