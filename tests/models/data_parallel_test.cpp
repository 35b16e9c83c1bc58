// The one-process side of data_parallel.h (the multi-process side runs under mpirun in
// tests/examples/data_parallel_mpi.sh): shards are added in shard order, exactly, and
// the shares of items are contiguous, in rank order, and cover everything once.
#include <doctest/doctest.h>

#include <cstring>
#include <stdexcept>
#include <vector>

#include "models/data_parallel.h"

using aevb::models::Processes;
using aevb::models::sum_shard_gradients;

TEST_CASE("one process: the sum of shard gradients is ((g0 + g1) + g2), bit for bit") {
  // Float addition is not associative here: (1e8 + -1e8) + 1 = 1, 1e8 + (-1e8 + 1) = 0.
  const std::vector<std::vector<float>> shards = {{1e8f, 0.5f, 3.0f}, {-1e8f, 0.25f, -3.0f}, {1.0f, 0.125f, 1e-8f}};
  std::vector<float> sum;
  sum_shard_gradients(shards, 3, 3, sum);
  REQUIRE(sum.size() == 3);
  const float expected[3] = {(1e8f + -1e8f) + 1.0f, (0.5f + 0.25f) + 0.125f, (3.0f + -3.0f) + 1e-8f};
  CHECK(std::memcmp(sum.data(), expected, sizeof expected) == 0);
  CHECK(sum[0] == 1.0f);                  // the other grouping gives 0
  CHECK(1e8f + (-1e8f + 1.0f) == 0.0f);   // which is why the order is fixed
}

TEST_CASE("one process: a single shard is its own sum; the shard count must match what the process holds") {
  std::vector<float> sum;
  sum_shard_gradients({{2.0f, -0.0f}}, 1, 2, sum);
  CHECK(sum == std::vector<float>{2.0f, -0.0f});
  CHECK_THROWS_AS(sum_shard_gradients({{1.0f}}, 2, 1, sum), std::logic_error);
}

TEST_CASE("shares are contiguous, in rank order, and cover every item once") {
  CHECK(Processes::count() == 1);  // not launched by mpirun
  const Processes::Range all = Processes::my_share(7);
  CHECK(all.first == 0);
  CHECK(all.last == 7);
  CHECK(Processes::share(0, 0).size() == 0);
  CHECK(Processes::gather({1.5, 2.5}) == std::vector<double>{1.5, 2.5});
  CHECK(Processes::first_nonempty("") == "");
  CHECK(Processes::maximum(42) == 42);
  CHECK(Processes::all(true));
}
