#include "adam.h"

#include <cmath>

namespace nasbook {

void adam(int64_t n, const float* w, const float* g, const float* m, const float* v, float* w_out, float* m_out, float* v_out,
          const AdamStep& s) {
  for (int64_t i = 0; i < n; i++) {
    m_out[i] = m[i] * s.beta1 + g[i] * (1.0f - s.beta1);
    v_out[i] = v[i] * s.beta2 + (g[i] * g[i]) * (1.0f - s.beta2);
    const float update = (m_out[i] / s.correction1) / (std::sqrt(v_out[i] / s.correction2) + s.epsilon);
    w_out[i] = w[i] - update * s.learning_rate;
  }
}

}  // namespace nasbook
