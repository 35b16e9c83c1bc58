// Data-parallel training over processes (MPI, when the build has it): every process
// holds the whole model, each global batch is cut into S fixed shards, each process
// computes the gradients of its shards, and the shards' gradients are summed in shard
// order, always the same order. The sum of shard 0, then 1, ..., then S - 1 is what one
// process computing all S shards one after another adds up too, so a run depends on S
// and never on the number of processes P (README, "Past one machine").
//
// Without MPI (or under a plain launch) there is one process and everything here is
// local. Process r holds the contiguous shards [r S / P, (r + 1) S / P): rank order is
// shard order, which is what makes a gather in rank order a sum in shard order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace aevb::models {

// The processes of this run. start() once in main, before anything else reads argv.
class Processes {
 public:
  static void start(int& argc, char**& argv);
  // The normal end: every process calls it. After an error on one process, abort()
  // instead, which ends all of them (a collective finish would wait forever).
  static void finish();
  [[noreturn]] static void abort(int status);
  static int rank();
  static int count();
  static bool root() { return rank() == 0; }
  static bool available();  // built with MPI

  // Items [first, last) of `items` that process `rank` takes, contiguous and in rank order.
  struct Range {
    int64_t first = 0, last = 0;
    int64_t size() const { return last - first; }
  };
  static Range share(int64_t items, int rank);
  static Range my_share(int64_t items) { return share(items, rank()); }

  // Every process's `values`, concatenated in rank order (each may hold a different count).
  static std::vector<double> gather(const std::vector<double>& values);
  // The largest of every process's `value`.
  static uint64_t maximum(uint64_t value);
  // Whether every process says true.
  static bool all(bool value);
  // Process 0's text, on every process.
  static std::string broadcast(const std::string& text);
  // The text of the lowest-ranked process whose text is not empty ("" if all are), on every process.
  static std::string first_nonempty(const std::string& text);
  static void barrier();
};

// The sum, over S shards, of each shard's gradient (`floats` values each), added in shard
// order: ((g_0 + g_1) + g_2) + ... . `mine` holds this process's shards, my_share(S) of
// them, in order. Every process gets the whole sum in `sum`. Across processes, each owns
// a slice of the vector: the shards' pieces of it go to its owner (all-to-all), the owner
// adds them in shard order, and the sums are gathered (all-gather), so each process sends
// and receives about 2 (P - 1) / P times the gradient, as a ring all-reduce does.
void sum_shard_gradients(const std::vector<std::vector<float>>& mine, int64_t shards, int64_t floats,
                         std::vector<float>& sum);

}  // namespace aevb::models
