#include "autodiff/kernels/rng.h"

#include <xsimd/xsimd.hpp>

#include <cmath>
#include <numbers>

namespace aevb {
namespace {

constexpr uint32_t kMultiplier0 = 0xD2511F53u;
constexpr uint32_t kMultiplier1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u;  // golden ratio
constexpr uint32_t kWeyl1 = 0xBB67AE85u;  // sqrt(3) - 1
constexpr int kRounds = 10;

void multiply_high_low(uint32_t a, uint32_t b, uint32_t& high, uint32_t& low) {
  uint64_t product = static_cast<uint64_t>(a) * b;
  high = static_cast<uint32_t>(product >> 32);
  low = static_cast<uint32_t>(product);
}

}  // namespace

std::array<uint32_t, 4> Rng::block(uint64_t block) const {
  // counter = (block, stream), key = seed
  std::array<uint32_t, 4> counter = {static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32),
                                     static_cast<uint32_t>(stream_), static_cast<uint32_t>(stream_ >> 32)};
  uint32_t key0 = static_cast<uint32_t>(seed_);
  uint32_t key1 = static_cast<uint32_t>(seed_ >> 32);
  for (int round = 0; round < kRounds; ++round) {
    uint32_t high0, low0, high1, low1;
    multiply_high_low(kMultiplier0, counter[0], high0, low0);
    multiply_high_low(kMultiplier1, counter[2], high1, low1);
    counter = {high1 ^ counter[1] ^ key0, low1, high0 ^ counter[3] ^ key1, low0};
    key0 += kWeyl0;
    key1 += kWeyl1;
  }
  return counter;
}

uint32_t Rng::next_u32() {
  const uint64_t block_index = position_ / 4;
  if (block_index != cached_block_) {
    cached_words_ = block(block_index);
    cached_block_ = block_index;
  }
  return cached_words_[position_++ % 4];
}

float Rng::uniform() { return uniform_from_bits(next_u32()); }

float Rng::uniform(float low, float high) { return low + (high - low) * uniform(); }

float Rng::normal() {
  // Box-Muller with u1 in (0,1) so the log is finite; the second value is discarded so
  // that every normal costs exactly two words and positions stay easy to reason about.
  float u1 = uniform();
  float u2 = uniform();
  return std::sqrt(-2.0f * std::log(u1)) * std::cos(2.0f * std::numbers::pi_v<float> * u2);
}

float Rng::normal(float mean, float stddev) { return mean + stddev * normal(); }

void Rng::fill_uniform(float* out, int64_t count, float low, float high) {
  for (int64_t i = 0; i < count; ++i) out[i] = uniform(low, high);
}

void Rng::fill_normal(float* out, int64_t count, float mean, float stddev) {
  using Batch = xsimd::batch<float>;
  constexpr int64_t kWidth = static_cast<int64_t>(Batch::size);
  alignas(64) float u1[kWidth], u2[kWidth];
  int64_t i = 0;
  for (; i + kWidth <= count; i += kWidth) {
    for (int64_t k = 0; k < kWidth; ++k) {  // the words normal() would use, in its order
      u1[k] = uniform();
      u2[k] = uniform();
    }
    const Batch radius = xsimd::sqrt(Batch(-2.0f) * xsimd::log(Batch::load_aligned(u1)));
    const Batch z = radius * xsimd::cos(Batch(2.0f * std::numbers::pi_v<float>) * Batch::load_aligned(u2));
    (Batch(mean) + Batch(stddev) * z).store_unaligned(out + i);
  }
  for (; i < count; ++i) out[i] = normal(mean, stddev);  // the scalar tail
}

}  // namespace aevb
