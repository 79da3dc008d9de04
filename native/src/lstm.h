// One LSTM layer's step for a batch of B rows, [x, h] of I + U inputs and U units, as one call
// each way (lib/backend/wasm-kernels/lstm-layer.ts): the gate pre-activations z = [x, h] W + b,
// the gates (i, f, g, o = sigma, sigma, tanh, sigma of z's four column blocks), c' = f c + i g and
// h' = o tanh(c'); back, with dh', dc' arriving, the cell's gradient dz (lstm-cell.ts' formulas),
// then d[x, h] = dz W^T, dW = [x, h]^T dz, db = dz summed over rows, dc = (dc' + dh' o (1 - tanh^2 c')) f.
#pragma once
#include <cstdint>

namespace nasbook {

struct LstmShape {
  int batch, inputs, units;
};

// Writes z [B, 4U] (kept for the gradient), h' and c' [B, U].
void lstm_layer_forward(const LstmShape& s, const float* x, const float* h, const float* c, const float* w, const float* b,
                        float* z, float* h_next, float* c_next);
// Writes dx [B, I], dh, dc [B, U], dw [I + U, 4U], db [4U].
void lstm_layer_backward(const LstmShape& s, const float* dh_next, const float* dc_next, const float* x, const float* h,
                         const float* c, const float* w, const float* z, float* dx, float* dh, float* dc, float* dw, float* db);

}  // namespace nasbook
