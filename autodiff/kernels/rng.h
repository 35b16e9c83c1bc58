// Philox4x32-10: a counter-based random generator (Salmon et al., "Parallel random
// numbers: as easy as 1, 2, 3", SC 2011).
//
// A draw is a pure function of (seed, stream, position): the generator is only a key
// and a counter. Any block of positions can be computed by any thread in any order
// and gives the same numbers, so results do not depend on the thread count.
#pragma once

#include <array>
#include <cstdint>

namespace aevb {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0, uint64_t stream = 0) : seed_(seed), stream_(stream) {}

  // Four 32-bit words for counter block `block` (the pure function behind the draws).
  std::array<uint32_t, 4> block(uint64_t block) const;

  // Sequential draws: each advances the position.
  uint32_t next_u32();
  float uniform();                  // in the open interval (0, 1): log(u) is always finite
  float uniform(float low, float high);
  float normal();                   // standard normal, Box-Muller on two uniforms
  float normal(float mean, float stddev);

  // Fills `out[0, count)`. fill_uniform gives the same numbers as `count` sequential
  // calls; fill_normal consumes the same positions as `count` calls of normal() and runs
  // the Box-Muller transform on SIMD batches (xsimd), so its values may differ from the
  // scalar ones in the last bits, the same on every run.
  void fill_uniform(float* out, int64_t count, float low, float high);
  void fill_normal(float* out, int64_t count, float mean, float stddev);

  uint64_t seed() const { return seed_; }
  uint64_t stream() const { return stream_; }
  uint64_t position() const { return position_; }  // words drawn so far
  void set_position(uint64_t position) { position_ = position; }  // restore a saved state

 private:
  uint64_t seed_;
  uint64_t stream_;
  uint64_t position_ = 0;
  // The last block computed: sequential draws use all four of its words.
  uint64_t cached_block_ = ~uint64_t{0};
  std::array<uint32_t, 4> cached_words_{};
};

// Maps 32 random bits to (0, 1): the centre of one of 2^23 equal cells, never 0 or 1.
// (23 bits, not 24: the largest centre, 1 - 2^-24, must itself be a float below 1.)
inline float uniform_from_bits(uint32_t bits) { return (static_cast<float>(bits >> 9) + 0.5f) * (1.0f / 8388608.0f); }

}  // namespace aevb
