// The output of a DARTS edge, sum_k w_k * t_k over its candidate ops' outputs t_k, and its
// gradient, each as one pass: dt_k = w_k * dy and dw_k = sum_i dy_i * t_k,i.
#pragma once
#include <cstdint>
#include <vector>

#include "thread_pool.h"

namespace nasbook {

void weighted_sum(const std::vector<const float*>& terms, const float* weights, int64_t n, float* out, ThreadPool& pool);
void weighted_sum_grad(const std::vector<const float*>& terms, const float* weights, const float* dy, int64_t n,
                       const std::vector<float*>& dterms, float* dweights, ThreadPool& pool);

}  // namespace nasbook
