// Tests for autodiff/tensor.cpp, shape.cpp and arena.cpp.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>

#include "autodiff/arena.h"
#include "autodiff/autodiff.h"

using namespace aevb;

TEST_CASE("Tensor creation") {
  Tensor z = Tensor::zeros({2, 3});
  CHECK(z.shape() == Shape{2, 3});
  CHECK(z.numel() == 6);
  CHECK(z[5] == 0);
  CHECK(Tensor::ones({4})[3] == 1);
  CHECK(Tensor::full({2, 2}, 7.5f).at({1, 1}) == 7.5f);
  Tensor v = Tensor::from_values({2, 2}, {1, 2, 3, 4});
  CHECK(v.at({1, 0}) == 3);
  CHECK(Tensor().numel() == 0);
  CHECK(Tensor::zeros({}).numel() == 1);  // rank 0 holds one value
}

TEST_CASE("Tensor storage is 64-byte aligned") {
  for (int64_t n : {1, 3, 17, 1000}) CHECK(reinterpret_cast<std::uintptr_t>(Tensor::zeros({n}).data()) % 64 == 0);
}

TEST_CASE("Tensor copies are deep") {
  Tensor a = Tensor::ones({3});
  Tensor b = a;
  b[0] = 5;
  CHECK(a[0] == 1);
}

TEST_CASE("seeded draws are reproducible") {
  Rng first(9), second(9);
  Tensor a = Tensor::normal({10}, first), b = Tensor::normal({10}, second);
  for (int64_t i = 0; i < 10; ++i) CHECK(a[i] == b[i]);
  Rng rng(1);
  Tensor u = Tensor::uniform({1000}, rng, -2, 3);
  for (float value : u.values()) {
    CHECK(value > -2);
    CHECK(value < 3);
  }
}

TEST_CASE("printing shows shape and a value summary") {
  Tensor t = Tensor::from_values({2, 3}, {0, 1, 2, 3, 4, 5});
  CHECK(t.summary() == "Tensor[2,3] mean=2.5 std=1.708 min=0 max=5 {0, 1, 2, 3, 4, 5}");
  Tensor big = Tensor::full({10}, 1);
  big[0] = std::numeric_limits<float>::quiet_NaN();
  CHECK(big.summary() == "Tensor[10] mean=1 std=0 min=1 max=1 non_finite=1 {nan, 1, 1, 1, 1, 1, ...}");
}

TEST_CASE("bad tensor arguments are refused") {
  CHECK_THROWS_WITH_AS(Tensor::from_values({2, 2}, {1, 2, 3}),
                       "Tensor::from_values: shape [2,2] holds 4 values but 3 were given", Error);
  CHECK_THROWS_WITH_AS(Shape({1, 2, 3, 4, 5}), "Shape: rank 5 is above the maximum rank 4", Error);
  CHECK_THROWS_WITH_AS(Shape({2, -1}), "Shape: negative size -1", Error);
  CHECK_THROWS_WITH_AS(Tensor::ones({2}).at({2}), "Tensor::at: index 2 is out of range for axis 0 of shape [2]", Error);
  Rng rng;
  CHECK_THROWS_WITH_AS(Tensor::normal({2}, rng, 0, 0), "Tensor::normal: stddev 0 must be positive", Error);
}

TEST_CASE("Arena: aligned, rewound not freed, merged after growth") {
  Arena arena(1024);
  float* first = arena.allocate<float>(3);
  float* second = arena.allocate<float>(1);
  CHECK(reinterpret_cast<std::uintptr_t>(first) % 64 == 0);
  CHECK(reinterpret_cast<std::uintptr_t>(second) % 64 == 0);
  arena.allocate<float>(10000);  // grows into a new block
  std::size_t reserved = arena.bytes_reserved();
  arena.rewind();
  CHECK(arena.bytes_in_use() == 0);
  CHECK(arena.bytes_reserved() == reserved);
  // After the merge the same requests fit in one block: no growth.
  arena.allocate<float>(3);
  arena.allocate<float>(1);
  arena.allocate<float>(10000);
  CHECK(arena.bytes_reserved() == reserved);
}
