#include "batch_norm.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "tile.h"

namespace nasbook {
namespace {

constexpr int64_t kShareRows = 512;           // rows summed by one task
constexpr int kMaxShares = 16;
constexpr int64_t kParallelFloats = 1 << 15;  // below this a pass runs on the calling thread
constexpr int kMinPeriodVectors = 4;          // independent sums in flight: one vector's adds would wait on each other
constexpr int kMaxPeriodVectors = 16;         // longer periods (odd channel counts above 16) are summed row by row
constexpr int kFlushPeriods = 64;             // periods summed in float before they are added in double

// [M, C] as flat vectors: a period of P floats, a multiple of lcm(C, kVector), is a whole number
// of rows and of vectors, and lane q of every period holds channel q % C, so per-channel work is
// whole-vector arithmetic against period-long rows of coefficients (8 channels fill 16 lanes with
// two rows).
struct Period {
  int floats, vectors, rows;
  explicit Period(int channels) {
    const int lcm = std::lcm(channels, kVector);
    floats = lcm * ((kMinPeriodVectors * kVector + lcm - 1) / lcm);
    vectors = floats / kVector;
    rows = floats / channels;
  }
};

// A per-channel vector repeated over a period.
std::vector<float> over_period(const Period& p, int channels, const float* v) {
  std::vector<float> row(p.floats);
  for (int q = 0; q < p.floats; q++) row[q] = v[q % channels];
  return row;
}

int shares_of(const ChannelRows& s) { return int(std::clamp<int64_t>(s.rows / kShareRows, 1, kMaxShares)); }

void run(const ChannelRows& s, int tasks, ThreadPool& pool, const std::function<void(int)>& task) {
  if (s.rows * s.channels >= kParallelFloats) pool.run(tasks, task);
  else for (int t = 0; t < tasks; t++) task(t);
}

// What channel_sums adds up: first = a, second = (a - center) * (b - center) when both are
// centred (the forward pass's squares), else a * (b - center). Centring before the product keeps
// a large mean from cancelling away the variance's precision.
struct SumTerms {
  const float *a, *b, *center;
  bool center_both;
};

// The sums over `rows` rows from row `first_row` into per-channel doubles, one row at a time.
void row_sums(const SumTerms& t, int channels, int64_t first_row, int64_t rows, double* first, double* second) {
  for (int64_t m = first_row; m < first_row + rows; m++) {
    const float* ar = t.a + m * channels;
    const float* br = t.b + m * channels;
    for (int ch = 0; ch < channels; ch++) {
      const float d = br[ch] - t.center[ch];
      first[ch] += ar[ch];
      second[ch] += double(t.center_both ? ar[ch] - t.center[ch] : ar[ch]) * d;
    }
  }
}

// The sums over `periods` whole periods from float offset `start`, per lane of the period: V
// vectors of partial sums in registers, added in double every kFlushPeriods periods.
template <int V, bool CenterBoth>
void period_sums(const SumTerms& t, const float* center, int64_t start, int64_t periods, double* first, double* second) {
  constexpr int P = V * kVector;
  vec c[V];
  for (int v = 0; v < V; v++) c[v] = load(center + v * kVector);
  for (int64_t p0 = 0; p0 < periods; p0 += kFlushPeriods) {
    vec s[V] = {}, q[V] = {};
    for (int64_t p = p0; p < std::min(periods, p0 + kFlushPeriods); p++) {
      const int64_t at = start + p * P;
      for (int v = 0; v < V; v++) {
        const vec a = load(t.a + at + v * kVector), d = load(t.b + at + v * kVector) - c[v];
        s[v] += a;
        q[v] += (CenterBoth ? a - c[v] : a) * d;
      }
    }
    for (int v = 0; v < V; v++)
      for (int l = 0; l < kVector; l++) first[v * kVector + l] += s[v][l], second[v * kVector + l] += q[v][l];
  }
}

template <int V>
void period_sums(const SumTerms& t, const float* center, int64_t start, int64_t periods, double* first, double* second) {
  if (t.center_both) period_sums<V, true>(t, center, start, periods, first, second);
  else period_sums<V, false>(t, center, start, periods, first, second);
}

using PeriodSums = void (*)(const SumTerms&, const float*, int64_t, int64_t, double*, double*);

template <int... V>
PeriodSums period_sums_for(int vectors, std::integer_sequence<int, V...>) {
  PeriodSums found = nullptr;
  ((vectors == V + 1 ? found = period_sums<V + 1> : found), ...);
  return found;
}

// Per channel, summed over the rows in fixed shares (set by M alone) added in order.
void channel_sums(const ChannelRows& s, const SumTerms& t, std::vector<double>& first, std::vector<double>& second, ThreadPool& pool) {
  const int shares = shares_of(s), c = s.channels;
  const Period period(c);
  const PeriodSums sums = period_sums_for(period.vectors, std::make_integer_sequence<int, kMaxPeriodVectors>{});
  const std::vector<float> center = over_period(period, c, t.center);
  // Per share: the period's lanes, then the channels.
  std::vector<double> partial(size_t(shares) * 2 * (period.floats + c), 0.0);
  run(s, shares, pool, [&](int share) {
    double* lanes = &partial[size_t(share) * 2 * (period.floats + c)];
    double* channels = lanes + 2 * period.floats;
    const int64_t begin = s.rows * share / shares, end = s.rows * (share + 1) / shares;
    const int64_t periods = sums ? (end - begin) / period.rows : 0;
    if (sums) sums(t, center.data(), begin * c, periods, lanes, lanes + period.floats);
    const int64_t rest = begin + periods * period.rows;
    row_sums(t, c, rest, end - rest, channels, channels + c);
    for (int q = 0; q < period.floats; q++) channels[q % c] += lanes[q], channels[c + q % c] += lanes[period.floats + q];
  });
  first.assign(c, 0.0);
  second.assign(c, 0.0);
  for (int share = 0; share < shares; share++) {
    const double* channels = &partial[size_t(share) * 2 * (period.floats + c) + 2 * period.floats];
    for (int ch = 0; ch < c; ch++) first[ch] += channels[ch], second[ch] += channels[c + ch];
  }
}

// out[m][c] = (x[m][c] - center[c]) * scale[c] + (extra ? extra[m][c] * extra_scale[c] : 0) + offset[c]:
// centred first, so that a large mean does not cancel away the precision of small deviations.
struct ChannelMap {
  const float *center, *scale, *extra, *extra_scale, *offset;
};

void channel_map(const ChannelRows& s, const float* x, const ChannelMap& f, float* out, ThreadPool& pool) {
  const int c = s.channels;
  const Period period(c);
  const std::vector<float> center = over_period(period, c, f.center), scale = over_period(period, c, f.scale),
                           offset = over_period(period, c, f.offset),
                           extra_scale = f.extra ? over_period(period, c, f.extra_scale) : std::vector<float>();
  const int tasks = int((s.rows + kShareRows - 1) / kShareRows);
  run(s, tasks, pool, [&](int t) {
    // A task's rows are whole periods (kShareRows * c is a multiple of P) but for the last one's tail.
    const int64_t begin = t * kShareRows * c, end = std::min(s.rows, (t + 1) * kShareRows) * c;
    int64_t i = begin;
    for (; i + period.floats <= end; i += period.floats) {
      for (int v = 0; v < period.vectors; v++) {
        const int64_t at = i + v * kVector;
        const int q = v * kVector;
        vec o = (load(x + at) - load(&center[q])) * load(&scale[q]) + load(&offset[q]);
        if (f.extra) o += load(f.extra + at) * load(&extra_scale[q]);
        store(out + at, o);
      }
    }
    for (; i < end; i++) {
      const int ch = int(i % c);
      out[i] = (x[i] - f.center[ch]) * f.scale[ch] + (f.extra ? f.extra[i] * f.extra_scale[ch] : 0.0f) + f.offset[ch];
    }
  });
}

}  // namespace

void batch_norm_forward(ChannelRows s, const float* x, const float* gamma, const float* beta, float epsilon, float* y,
                        float* mean, float* variance, ThreadPool& pool) {
  const std::vector<float> zeros(s.channels, 0.0f);
  std::vector<double> sum, squares;
  channel_sums(s, {x, x, zeros.data(), false}, sum, squares, pool);
  for (int ch = 0; ch < s.channels; ch++) mean[ch] = float(sum[ch] / double(s.rows));
  channel_sums(s, {x, x, mean, true}, sum, squares, pool);
  std::vector<float> gain(s.channels);
  for (int ch = 0; ch < s.channels; ch++) {
    const double var = squares[ch] / double(s.rows);
    variance[ch] = float(var);
    gain[ch] = float(gamma[ch] / std::sqrt(var + epsilon));
  }
  channel_map(s, x, {mean, gain.data(), nullptr, nullptr, beta}, y, pool);
}

// dx = (x - mean) * k + dy * gain + r, with gain = gamma * inv, k = -gain * inv * dgamma / M and
// r = -gain * dbeta / M: the closed form with xhat = (x - mean) * inv multiplied out.
void batch_norm_backward(ChannelRows s, const float* dy, const float* x, const float* mean, const float* variance,
                         const float* gamma, float epsilon, float* dx, float* dgamma, float* dbeta, ThreadPool& pool) {
  std::vector<double> sum_dy, sum_dy_centred;
  channel_sums(s, {dy, x, mean, false}, sum_dy, sum_dy_centred, pool);
  std::vector<float> gain(s.channels), k(s.channels), r(s.channels);
  const double count = double(s.rows);
  for (int ch = 0; ch < s.channels; ch++) {
    const double inv = 1.0 / std::sqrt(double(variance[ch]) + epsilon);
    const double db = sum_dy[ch];
    const double dg = sum_dy_centred[ch] * inv;
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
