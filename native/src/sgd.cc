#include "sgd.h"

namespace nasbook {

void momentum_sgd(int64_t n, const float* w, const float* g, const float* v, float* w_out, float* v_out, const SgdStep& s) {
  for (int64_t i = 0; i < n; i++) {
    const float step = g[i] * s.grad_scale + w[i] * s.weight_decay;
    v_out[i] = v[i] * s.momentum + step;
    w_out[i] = w[i] - v_out[i] * s.learning_rate;
  }
}

}  // namespace nasbook
