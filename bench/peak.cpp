#include "bench/peak.h"

#include <algorithm>
#include <chrono>
#include <immintrin.h>

namespace aevb::bench {

namespace {

// Twelve accumulators: more than FMA latency (4 cycles) times ports (2) in flight.
constexpr int kChains = 12;
constexpr long kIterations = 20'000'000;

__attribute__((target("sse2"))) float chains_128() {
  __m128 acc[kChains], x = _mm_set1_ps(0.999f), y = _mm_set1_ps(1e-4f);
  for (auto& a : acc) a = _mm_set1_ps(1.0f);
  for (long i = 0; i < kIterations; ++i)
    for (auto& a : acc) a = _mm_add_ps(_mm_mul_ps(a, x), y);  // SSE2 has no FMA: mul + add, 2 flops
  float sum = 0;
  for (auto& a : acc) sum += _mm_cvtss_f32(a);
  return sum;
}

__attribute__((target("avx2,fma"))) float chains_256() {
  __m256 acc[kChains], x = _mm256_set1_ps(0.999f), y = _mm256_set1_ps(1e-4f);
  for (auto& a : acc) a = _mm256_set1_ps(1.0f);
  for (long i = 0; i < kIterations; ++i)
    for (auto& a : acc) a = _mm256_fmadd_ps(a, x, y);
  float sum = 0;
  for (auto& a : acc) sum += _mm256_cvtss_f32(a);
  return sum;
}

__attribute__((target("avx512f"))) float chains_512() {
  __m512 acc[kChains], x = _mm512_set1_ps(0.999f), y = _mm512_set1_ps(1e-4f);
  for (auto& a : acc) a = _mm512_set1_ps(1.0f);
  for (long i = 0; i < kIterations; ++i)
    for (auto& a : acc) a = _mm512_fmadd_ps(a, x, y);
  float sum = 0;
  for (auto& a : acc) sum += _mm512_cvtss_f32(a);
  return sum;
}

}  // namespace

double fma_peak_gflops(int width_bits, int threads) {
  float (*chains)() = nullptr;
  if (width_bits == 128) chains = chains_128;
  if (width_bits == 256 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) chains = chains_256;
  if (width_bits == 512 && __builtin_cpu_supports("avx512f")) chains = chains_512;
  if (chains == nullptr) return 0.0;
  // The best of three runs: a peak is what the machine can do, so noise only lowers it.
  double best = 0.0;
  for (int run = 0; run < 3; ++run) {
    float total = 0;
    const auto start = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads) reduction(+ : total)
    total += chains();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double flops = 2.0 * (width_bits / 32) * kChains * static_cast<double>(kIterations) * threads;
    if (total != 0.0f) best = std::max(best, flops / seconds / 1e9);  // total is never 0: it keeps the chains alive
  }
  return best;
}

}  // namespace aevb::bench
