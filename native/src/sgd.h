// PyTorch's SGD with momentum on one variable, into fresh buffers (w_out, v_out):
//   step = scale * g + decay * w;  v_out = momentum * v + step;  w_out = w - lr * v_out.
// Not in place: wasm's XNNPACK caches weights packed from a buffer until the buffer is freed.
#pragma once
#include <cstdint>

namespace nasbook {

struct SgdStep {
  float learning_rate, momentum, weight_decay, grad_scale;
};

void momentum_sgd(int64_t n, const float* w, const float* g, const float* v, float* w_out, float* v_out, const SgdStep& step);

}  // namespace nasbook
