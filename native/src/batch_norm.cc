#include "batch_norm.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace nasbook {
namespace {

constexpr int64_t kShareRows = 4096;       // rows summed by one task
constexpr int kMaxShares = 16;
constexpr int64_t kParallelFloats = 1 << 17;  // below this a pass runs on the calling thread

int shares_of(const ChannelRows& s) { return int(std::clamp<int64_t>(s.rows / kShareRows, 1, kMaxShares)); }

void run(const ChannelRows& s, int tasks, ThreadPool& pool, const std::function<void(int)>& task) {
  if (s.rows * s.channels >= kParallelFloats) pool.run(tasks, task);
  else for (int t = 0; t < tasks; t++) task(t);
}

// Per channel: first[c] = sum over rows of a[m][c], second[c] = sum of a[m][c] * b[m][c] (b = a when b is null).
void channel_sums(const ChannelRows& s, const float* a, const float* b, std::vector<double>& first, std::vector<double>& second,
                  ThreadPool& pool) {
  const int shares = shares_of(s), c = s.channels;
  std::vector<double> partial(size_t(shares) * 2 * c, 0.0);
  run(s, shares, pool, [&](int share) {
    double* sum = &partial[size_t(share) * 2 * c];
    double* product = sum + c;
    const int64_t begin = s.rows * share / shares, end = s.rows * (share + 1) / shares;
    for (int64_t m = begin; m < end; m++) {
      const float* ar = a + m * c;
      const float* br = (b ? b : a) + m * c;
      for (int ch = 0; ch < c; ch++) {
        sum[ch] += ar[ch];
        product[ch] += double(ar[ch]) * br[ch];
      }
    }
  });
  first.assign(c, 0.0);
  second.assign(c, 0.0);
  for (int share = 0; share < shares; share++) {
    for (int ch = 0; ch < c; ch++) {
      first[ch] += partial[size_t(share) * 2 * c + ch];
      second[ch] += partial[size_t(share) * 2 * c + c + ch];
    }
  }
}

// out[m][c] = (x[m][c] - center[c]) * scale[c] + (extra ? extra[m][c] * extra_scale[c] : 0) + offset[c]:
// centred first, so that a large mean does not cancel away the precision of small deviations.
struct ChannelMap {
  const float *center, *scale, *extra, *extra_scale, *offset;
};

void channel_map(const ChannelRows& s, const float* x, const ChannelMap& f, float* out, ThreadPool& pool) {
  const int c = s.channels;
  const int tasks = int((s.rows + kShareRows - 1) / kShareRows);
  run(s, tasks, pool, [&](int t) {
    const int64_t end = std::min(s.rows, (t + 1) * kShareRows);
    for (int64_t m = t * kShareRows; m < end; m++) {
      const float* xr = x + m * c;
      float* o = out + m * c;
      if (f.extra) {
        const float* e = f.extra + m * c;
        for (int ch = 0; ch < c; ch++) o[ch] = (xr[ch] - f.center[ch]) * f.scale[ch] + e[ch] * f.extra_scale[ch] + f.offset[ch];
      } else {
        for (int ch = 0; ch < c; ch++) o[ch] = (xr[ch] - f.center[ch]) * f.scale[ch] + f.offset[ch];
      }
    }
  });
}

}  // namespace

void batch_norm_forward(ChannelRows s, const float* x, const float* gamma, const float* beta, float epsilon, float* y,
                        float* mean, float* variance, ThreadPool& pool) {
  std::vector<double> sum, squares;
  channel_sums(s, x, nullptr, sum, squares, pool);
  std::vector<float> gain(s.channels);
  for (int ch = 0; ch < s.channels; ch++) {
    const double mu = sum[ch] / double(s.rows);
    const double var = std::max(0.0, squares[ch] / double(s.rows) - mu * mu);
    mean[ch] = float(mu);
    variance[ch] = float(var);
    gain[ch] = float(gamma[ch] / std::sqrt(var + epsilon));
  }
  channel_map(s, x, {mean, gain.data(), nullptr, nullptr, beta}, y, pool);
}

// dx = (x - mean) * k + dy * gain + r, with gain = gamma * inv, k = -gain * inv * dgamma / M and
// r = -gain * dbeta / M: the closed form with xhat = (x - mean) * inv multiplied out.
void batch_norm_backward(ChannelRows s, const float* dy, const float* x, const float* mean, const float* variance,
                         const float* gamma, float epsilon, float* dx, float* dgamma, float* dbeta, ThreadPool& pool) {
  std::vector<double> sum_dy, sum_dy_x;
  channel_sums(s, dy, x, sum_dy, sum_dy_x, pool);
  std::vector<float> gain(s.channels), k(s.channels), r(s.channels);
  const double count = double(s.rows);
  for (int ch = 0; ch < s.channels; ch++) {
    const double inv = 1.0 / std::sqrt(double(variance[ch]) + epsilon);
    const double db = sum_dy[ch];
    const double dg = (sum_dy_x[ch] - mean[ch] * db) * inv;
    dbeta[ch] = float(db);
    dgamma[ch] = float(dg);
    const double g = gamma[ch] * inv;
    gain[ch] = float(g);
    k[ch] = float(-g * inv * dg / count);
    r[ch] = float(-g * db / count);
  }
  channel_map(s, x, {mean, k.data(), dy, gain.data(), r.data()}, dx, pool);
}

}  // namespace nasbook
