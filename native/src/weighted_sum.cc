#include "weighted_sum.h"

#include <algorithm>

#include "tile.h"

namespace nasbook {
namespace {

constexpr int64_t kChunk = 4096;               // floats per task: each term's chunk stays in L1
constexpr int64_t kParallelFloats = 1 << 16;   // below this a call runs on the calling thread

int chunks_of(int64_t n) { return int((n + kChunk - 1) / kChunk); }

void run(int64_t n, ThreadPool& pool, const std::function<void(int)>& task) {
  if (n >= kParallelFloats) pool.run(chunks_of(n), task);
  else for (int t = 0; t < chunks_of(n); t++) task(t);
}

}  // namespace

void weighted_sum(const std::vector<const float*>& terms, const float* weights, int64_t n, float* out, ThreadPool& pool) {
  run(n, pool, [&](int chunk) {
    const int64_t begin = chunk * kChunk, end = std::min(n, begin + kChunk);
    std::fill(out + begin, out + end, 0.0f);
    for (size_t k = 0; k < terms.size(); k++) {
      const float w = weights[k];
      const float* t = terms[k];
      for (int64_t i = begin; i < end; i++) out[i] += w * t[i];
    }
  });
}

// Each chunk's dot products are summed apart, then added in chunk order: the chunks depend on n
// only, so results are the same bits on any number of threads.
void weighted_sum_grad(const std::vector<const float*>& terms, const float* weights, const float* dy, int64_t n,
                       const std::vector<float*>& dterms, float* dweights, ThreadPool& pool) {
  const size_t k_terms = terms.size();
  std::vector<double> partial(size_t(chunks_of(n)) * k_terms, 0.0);
  run(n, pool, [&](int chunk) {
    const int64_t begin = chunk * kChunk, end = std::min(n, begin + kChunk);
    for (size_t k = 0; k < k_terms; k++) {
      const float w = weights[k];
      const float* t = terms[k];
      float* dt = dterms[k];
      // Whole vectors of lanes summed apart (a float sum in order would not vectorise), then the rest.
      vec lanes{};
      int64_t i = begin;
      for (; i + kVector <= end; i += kVector) {
        const vec g = load(dy + i);
        store(dt + i, w * g);
        lanes += g * load(t + i);
      }
      double dot = 0.0;
      for (int l = 0; l < kVector; l++) dot += lanes[l];
      for (; i < end; i++) {
        dt[i] = w * dy[i];
        dot += double(dy[i]) * t[i];
      }
      partial[size_t(chunk) * k_terms + k] = dot;
    }
  });
  for (size_t k = 0; k < k_terms; k++) {
    double total = 0.0;
    for (int chunk = 0; chunk < chunks_of(n); chunk++) total += partial[size_t(chunk) * k_terms + k];
    dweights[k] = float(total);
  }
}

}  // namespace nasbook
