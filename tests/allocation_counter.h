// Counts every heap allocation of the program: replaces the global operator new and
// delete. Include it in exactly one source file of a program (a test, or bench/vae).
#pragma once

#include <atomic>
#include <cstdlib>
#include <new>

namespace aevb::testing {
inline std::atomic<long> allocation_count{0};
}  // namespace aevb::testing

// GCC warns that free() meets memory from operator new wherever it inlines a delete;
// here both are ours, and they match (malloc and free).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t size) {
  aevb::testing::allocation_count.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, std::align_val_t alignment) {
  aevb::testing::allocation_count.fetch_add(1, std::memory_order_relaxed);
  const std::size_t a = static_cast<std::size_t>(alignment);
  if (void* p = std::aligned_alloc(a, (size + a - 1) / a * a)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

#pragma GCC diagnostic pop
