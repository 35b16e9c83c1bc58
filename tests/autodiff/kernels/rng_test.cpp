// Tests for autodiff/kernels/rng.cpp: the Philox known-answer vectors of Random123,
// reproducibility, and the open interval of the uniforms.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "autodiff/kernels/rng.h"

using aevb::Rng;

TEST_CASE("Philox4x32-10 matches Random123's known-answer vectors") {
  // counter 0, key 0
  CHECK(Rng(0, 0).block(0) == std::array<uint32_t, 4>{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u});
  // counter all ones, key all ones
  CHECK(Rng(~0ull, ~0ull).block(~0ull) == std::array<uint32_t, 4>{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu});
  // the digits of pi: counter (243f6a88 85a308d3 13198a2e 03707344), key (a4093822 299f31d0)
  CHECK(Rng(0x299f31d0a4093822ull, 0x0370734413198a2eull).block(0x85a308d3243f6a88ull) ==
        std::array<uint32_t, 4>{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u});
}

TEST_CASE("Rng: same seed, same numbers; another seed or stream, other numbers") {
  Rng a(7), b(7), c(8), d(7, 1);
  float first = a.normal();
  CHECK(first == b.normal());
  CHECK(first != c.normal());
  CHECK(first != d.normal());
  // A saved position restores the sequence.
  uint64_t position = a.position();
  float next = a.uniform();
  a.set_position(position);
  CHECK(a.uniform() == next);
}

TEST_CASE("Rng: uniforms lie in the open interval (0,1); moments are right") {
  CHECK(aevb::uniform_from_bits(0) > 0.0f);
  CHECK(aevb::uniform_from_bits(0xffffffffu) < 1.0f);
  Rng rng(3);
  const int count = 200000;
  double sum = 0, sum_squares = 0, normal_sum = 0, normal_squares = 0;
  for (int i = 0; i < count; ++i) {
    float u = rng.uniform();
    REQUIRE(u > 0.0f);
    REQUIRE(u < 1.0f);
    sum += u;
    sum_squares += u * u;
    float z = rng.normal();
    normal_sum += z;
    normal_squares += z * z;
  }
  // 5 standard errors: sd(u) = 0.289, sd(mean) = 0.289/sqrt(n) = 6.5e-4
  CHECK(std::fabs(sum / count - 0.5) < 5 * 6.5e-4);
  CHECK(std::fabs(sum_squares / count - 1.0 / 3) < 5 * 6.7e-4);
  CHECK(std::fabs(normal_sum / count) < 5 * 2.3e-3);
  CHECK(std::fabs(normal_squares / count - 1) < 5 * 3.2e-3);
}

TEST_CASE("fill_normal's SIMD batches match the scalar draws at every size, and use the same positions") {
  const int64_t width = 16;  // at least the widest batch
  for (int64_t count :
       {int64_t{0}, int64_t{1}, int64_t{3}, int64_t{4}, int64_t{5}, width - 1, width, width + 1, int64_t{1001}}) {
    CAPTURE(count);
    Rng vectorized(77), scalar(77);
    std::vector<float> fast(static_cast<size_t>(count) + 1, -1.0f);
    vectorized.fill_normal(fast.data(), count, 0.5f, 2.0f);
    for (int64_t i = 0; i < count; ++i) {
      const float expected = scalar.normal(0.5f, 2.0f);
      CHECK(std::fabs(fast[static_cast<size_t>(i)] - expected) <= 1e-5f * std::max(1.0f, std::fabs(expected)));
    }
    CHECK(fast[static_cast<size_t>(count)] == -1.0f);  // nothing written past the end
    CHECK(vectorized.position() == scalar.position());
  }
}
