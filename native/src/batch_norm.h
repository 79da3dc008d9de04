// Training-mode batch norm over the rows of an [M, C] tensor (M = N*H*W), with the batch's own
// statistics, and its closed-form gradient (lib/nn/batch-norm-training.ts has the maths):
//   forward:  mean, biased variance; y = gamma * (x - mean) / sqrt(variance + eps) + beta;
//   backward: dbeta = sum dy, dgamma = sum dy * xhat, dx = gain * (dy - dbeta/M - xhat * dgamma/M).
// The variance and dgamma's sum are taken about the mean (a large mean cancels no precision away);
// sums run in float vectors over a few rows, then in double over fixed shares of rows (set by M
// alone) added in order: the same bits on any number of threads.
#pragma once
#include <cstdint>

#include "thread_pool.h"

namespace nasbook {

struct ChannelRows {
  int64_t rows;
  int channels;
};

void batch_norm_forward(ChannelRows shape, const float* x, const float* gamma, const float* beta, float epsilon, float* y,
                        float* mean, float* variance, ThreadPool& pool);

void batch_norm_backward(ChannelRows shape, const float* dy, const float* x, const float* mean, const float* variance,
                         const float* gamma, float epsilon, float* dx, float* dgamma, float* dbeta, ThreadPool& pool);

}  // namespace nasbook
