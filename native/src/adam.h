// Adam on one variable in PyTorch's formulation (lib/nn/adam.ts), into fresh buffers:
//   m' = b1 m + (1 - b1) g;  v' = b2 v + (1 - b2) g^2;  w' = w - lr (m' / c1) / (sqrt(v' / c2) + eps),
// with the bias corrections c = 1 - b^t computed by the caller. Not in place, as momentum_sgd.
#pragma once
#include <cstdint>

namespace nasbook {

struct AdamStep {
  float learning_rate, beta1, beta2, epsilon, correction1, correction2;
};

void adam(int64_t n, const float* w, const float* g, const float* m, const float* v, float* w_out, float* m_out, float* v_out,
          const AdamStep& step);

}  // namespace nasbook
