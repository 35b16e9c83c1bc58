// Processes and the fixed-order sum of shard gradients (data_parallel.h). With MPI
// (AEVB_HAVE_MPI) the collectives are MPI's; without it there is one process.
#include "models/data_parallel.h"

#include <cstdlib>
#include <stdexcept>

#if AEVB_HAVE_MPI
#define OMPI_SKIP_MPICXX 1  // the C interface only (the C++ bindings are deprecated)
#include <mpi.h>
#endif

namespace aevb::models {
namespace {

// Element i of the result is g_0[i] + g_1[i] + ... in this order, whatever holds them.
void add_in_shard_order(const float* const* shards, int64_t count, int64_t floats, float* sum) {
  for (int64_t i = 0; i < floats; ++i) sum[i] = count > 0 ? shards[0][i] : 0.0f;
  for (int64_t s = 1; s < count; ++s)
    for (int64_t i = 0; i < floats; ++i) sum[i] += shards[s][i];
}

#if AEVB_HAVE_MPI
bool started = false;

// MPI counts and displacements are int: a gradient above 2^31 floats is refused.
int as_count(int64_t value) {
  if (value > 0x7fffffff) throw std::length_error("data_parallel: a message of more than 2^31 values");
  return static_cast<int>(value);
}
#endif

}  // namespace

bool Processes::available() { return AEVB_HAVE_MPI != 0; }

void Processes::start(int& argc, char**& argv) {
#if AEVB_HAVE_MPI
  // Only under a launcher: a plain run stays one process without MPI at all (an MPI
  // singleton would start Open MPI's run-time for nothing).
  if (std::getenv("OMPI_COMM_WORLD_SIZE") == nullptr && std::getenv("PMIX_RANK") == nullptr &&
      std::getenv("PMI_RANK") == nullptr)
    return;
  MPI_Init(&argc, &argv);
  // Errors end the job with a message rather than returning codes nobody checks.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
  started = true;
  std::atexit([] {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
  });
#else
  (void)argc;
  (void)argv;
#endif
}

void Processes::finish() {
#if AEVB_HAVE_MPI
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (started && !finalized) MPI_Finalize();
#endif
}

void Processes::abort(int status) {
#if AEVB_HAVE_MPI
  if (started && count() > 1) MPI_Abort(MPI_COMM_WORLD, status);
#endif
  std::_Exit(status);
}

int Processes::rank() {
#if AEVB_HAVE_MPI
  if (!started) return 0;
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
#else
  return 0;
#endif
}

int Processes::count() {
#if AEVB_HAVE_MPI
  if (!started) return 1;
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
#else
  return 1;
#endif
}

Processes::Range Processes::share(int64_t items, int rank) {
  const int64_t processes = count();
  return {items * rank / processes, items * (rank + 1) / processes};
}

std::vector<double> Processes::gather(const std::vector<double>& values) {
  if (count() == 1) return values;
#if AEVB_HAVE_MPI
  const int processes = count();
  const int mine = as_count(static_cast<int64_t>(values.size()));
  std::vector<int> counts(static_cast<size_t>(processes)), offsets(static_cast<size_t>(processes));
  MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
  int64_t total = 0;
  for (int p = 0; p < processes; ++p) {
    offsets[static_cast<size_t>(p)] = as_count(total);
    total += counts[static_cast<size_t>(p)];
  }
  std::vector<double> all(static_cast<size_t>(total));
  MPI_Allgatherv(values.data(), mine, MPI_DOUBLE, all.data(), counts.data(), offsets.data(), MPI_DOUBLE,
                 MPI_COMM_WORLD);
  return all;
#else
  return values;
#endif
}

uint64_t Processes::maximum(uint64_t value) {
#if AEVB_HAVE_MPI
  if (count() > 1) {
    uint64_t result = 0;
    MPI_Allreduce(&value, &result, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    return result;
  }
#endif
  return value;
}

bool Processes::all(bool value) {
#if AEVB_HAVE_MPI
  if (count() > 1) {
    int mine = value ? 1 : 0, result = 0;
    MPI_Allreduce(&mine, &result, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    return result != 0;
  }
#endif
  return value;
}

std::string Processes::broadcast(const std::string& text) {
#if AEVB_HAVE_MPI
  if (count() > 1) {
    uint64_t size = text.size();
    MPI_Bcast(&size, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    std::string result = root() ? text : std::string(size, '\0');
    MPI_Bcast(result.data(), as_count(static_cast<int64_t>(size)), MPI_CHAR, 0, MPI_COMM_WORLD);
    return result;
  }
#endif
  return text;
}

std::string Processes::first_nonempty(const std::string& text) {
#if AEVB_HAVE_MPI
  if (count() > 1) {
    const int mine = text.empty() ? count() : rank();
    int first = 0;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first == count()) return {};
    uint64_t size = text.size();
    MPI_Bcast(&size, 1, MPI_UINT64_T, first, MPI_COMM_WORLD);
    std::string result = rank() == first ? text : std::string(size, '\0');
    MPI_Bcast(result.data(), as_count(static_cast<int64_t>(size)), MPI_CHAR, first, MPI_COMM_WORLD);
    return result;
  }
#endif
  return text;
}

void Processes::barrier() {
#if AEVB_HAVE_MPI
  if (count() > 1) MPI_Barrier(MPI_COMM_WORLD);
#endif
}

void sum_shard_gradients(const std::vector<std::vector<float>>& mine, int64_t shards, int64_t floats,
                         std::vector<float>& sum) {
  sum.resize(static_cast<size_t>(floats));
  const int processes = Processes::count();
  if (static_cast<int64_t>(mine.size()) != Processes::my_share(shards).size())
    throw std::logic_error("sum_shard_gradients: this process holds the wrong number of shards");
  if (processes == 1) {
    std::vector<const float*> pointers;
    for (const std::vector<float>& shard : mine) pointers.push_back(shard.data());
    add_in_shard_order(pointers.data(), shards, floats, sum.data());
    return;
  }
#if AEVB_HAVE_MPI
  // Process q owns elements share(floats, q) of the sum.
  const auto owned = [&](int q) {
    const int64_t first = floats * q / processes, last = floats * (q + 1) / processes;
    return Processes::Range{first, last};
  };
  const Processes::Range mine_slice = owned(Processes::rank());
  const auto held = static_cast<int64_t>(mine.size());
  // To process q: each of my shards' piece of q's slice, shard after shard.
  std::vector<int> send_counts(static_cast<size_t>(processes)), send_offsets(static_cast<size_t>(processes));
  std::vector<int> receive_counts(static_cast<size_t>(processes)), receive_offsets(static_cast<size_t>(processes));
  std::vector<float> sending(static_cast<size_t>(held * floats));
  int64_t at = 0;
  for (int q = 0; q < processes; ++q) {
    const Processes::Range slice = owned(q);
    send_offsets[static_cast<size_t>(q)] = as_count(at);
    for (int64_t s = 0; s < held; ++s)
      for (int64_t i = slice.first; i < slice.last; ++i) sending[static_cast<size_t>(at++)] = mine[static_cast<size_t>(s)][static_cast<size_t>(i)];
    send_counts[static_cast<size_t>(q)] = as_count(held * slice.size());
  }
  // From process q: its shards' pieces of my slice, in its shard order; q after q is shard order.
  at = 0;
  for (int q = 0; q < processes; ++q) {
    receive_offsets[static_cast<size_t>(q)] = as_count(at);
    receive_counts[static_cast<size_t>(q)] = as_count(Processes::share(shards, q).size() * mine_slice.size());
    at += receive_counts[static_cast<size_t>(q)];
  }
  std::vector<float> received(static_cast<size_t>(at));
  MPI_Alltoallv(sending.data(), send_counts.data(), send_offsets.data(), MPI_FLOAT, received.data(),
                receive_counts.data(), receive_offsets.data(), MPI_FLOAT, MPI_COMM_WORLD);
  std::vector<const float*> pointers;
  for (int64_t s = 0; s < shards; ++s) pointers.push_back(received.data() + s * mine_slice.size());
  std::vector<float> my_sum(static_cast<size_t>(mine_slice.size()));
  add_in_shard_order(pointers.data(), shards, mine_slice.size(), my_sum.data());
  // Every process gets every slice.
  std::vector<int> slice_counts(static_cast<size_t>(processes)), slice_offsets(static_cast<size_t>(processes));
  for (int q = 0; q < processes; ++q) {
    slice_counts[static_cast<size_t>(q)] = as_count(owned(q).size());
    slice_offsets[static_cast<size_t>(q)] = as_count(owned(q).first);
  }
  MPI_Allgatherv(my_sum.data(), slice_counts[static_cast<size_t>(Processes::rank())], MPI_FLOAT, sum.data(),
                 slice_counts.data(), slice_offsets.data(), MPI_FLOAT, MPI_COMM_WORLD);
#endif
}

}  // namespace aevb::models
