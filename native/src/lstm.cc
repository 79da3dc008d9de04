#include "lstm.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "tile.h"

namespace nasbook {
namespace {

inline float sigmoid(float v) { return 1.0f / (1.0f + std::exp(-v)); }

// Row r's input k of [x, h].
inline float xh(const LstmShape& s, const float* x, const float* h, int r, int k) {
  return k < s.inputs ? x[int64_t(r) * s.inputs + k] : h[int64_t(r) * s.units + (k - s.inputs)];
}

}  // namespace

void lstm_layer_forward(const LstmShape& s, const float* x, const float* h, const float* c, const float* w, const float* b,
                        float* z, float* h_next, float* c_next) {
  const int gates = 4 * s.units, fan_in = s.inputs + s.units;
  for (int r = 0; r < s.batch; r++) {
    float* zr = z + int64_t(r) * gates;
    std::copy(b, b + gates, zr);
    for (int k = 0; k < fan_in; k++) {
      const float a = xh(s, x, h, r, k);
      const float* wk = w + int64_t(k) * gates;
      for (int n = 0; n < gates; n++) zr[n] += a * wk[n];
    }
    for (int j = 0; j < s.units; j++) {
      const float i = sigmoid(zr[j]), f = sigmoid(zr[s.units + j]), g = std::tanh(zr[2 * s.units + j]), o = sigmoid(zr[3 * s.units + j]);
      const int64_t at = int64_t(r) * s.units + j;
      c_next[at] = f * c[at] + i * g;
      h_next[at] = o * std::tanh(c_next[at]);
    }
  }
}

void lstm_layer_backward(const LstmShape& s, const float* dh_next, const float* dc_next, const float* x, const float* h,
                         const float* c, const float* w, const float* z, float* dx, float* dh, float* dc, float* dw, float* db) {
  const int gates = 4 * s.units, fan_in = s.inputs + s.units;
  std::vector<float> dz(size_t(s.batch) * gates);
  for (int r = 0; r < s.batch; r++) {
    const float* zr = z + int64_t(r) * gates;
    float* dzr = dz.data() + int64_t(r) * gates;
    for (int j = 0; j < s.units; j++) {
      const int64_t at = int64_t(r) * s.units + j;
      const float i = sigmoid(zr[j]), f = sigmoid(zr[s.units + j]), g = std::tanh(zr[2 * s.units + j]), o = sigmoid(zr[3 * s.units + j]);
      const float tc = std::tanh(f * c[at] + i * g);
      const float total = dc_next[at] + dh_next[at] * o * (1 - tc * tc);
      dzr[j] = total * g * i * (1 - i);
      dzr[s.units + j] = total * c[at] * f * (1 - f);
      dzr[2 * s.units + j] = total * i * (1 - g * g);
      dzr[3 * s.units + j] = dh_next[at] * tc * o * (1 - o);
      dc[at] = total * f;
    }
  }
  std::fill(dw, dw + int64_t(fan_in) * gates, 0.0f);
  std::fill(db, db + gates, 0.0f);
  for (int r = 0; r < s.batch; r++) {
    const float* dzr = dz.data() + int64_t(r) * gates;
    for (int n = 0; n < gates; n++) db[n] += dzr[n];
    for (int k = 0; k < fan_in; k++) {
      const float* wk = w + int64_t(k) * gates;
      float* dwk = dw + int64_t(k) * gates;
      const float a = xh(s, x, h, r, k);
      // The dot product in whole vectors of lanes summed apart (a float sum in order would not vectorise), then the rest.
      vec lanes{};
      int n = 0;
      for (; n + kVector <= gates; n += kVector) {
        const vec d = load(dzr + n);
        lanes += d * load(wk + n);
        store(dwk + n, load(dwk + n) + a * d);
      }
      float dot = 0.0f;
      for (int l = 0; l < kVector; l++) dot += lanes[l];
      for (; n < gates; n++) {
        dot += dzr[n] * wk[n];
        dwk[n] += a * dzr[n];
      }
      if (k < s.inputs) dx[int64_t(r) * s.inputs + k] = dot;
      else dh[int64_t(r) * s.units + (k - s.inputs)] = dot;
    }
  }
}

}  // namespace nasbook
