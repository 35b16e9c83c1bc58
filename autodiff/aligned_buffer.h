// 64-byte aligned float storage (one cache line; the widest SIMD load).
//
// Memory comes from the aligned global operator new, so a test that replaces
// operator new sees every allocation aevb makes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

namespace aevb {

inline constexpr std::size_t kAlignment = 64;

struct AlignedDelete {
  void operator()(float* data) const { ::operator delete(data, std::align_val_t{kAlignment}); }
};
using AlignedFloats = std::unique_ptr<float[], AlignedDelete>;

inline AlignedFloats allocate_aligned_floats(int64_t count) {
  std::size_t bytes = static_cast<std::size_t>(count > 0 ? count : 1) * sizeof(float);
  bytes = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  return AlignedFloats(static_cast<float*>(::operator new(bytes, std::align_val_t{kAlignment})));
}

}  // namespace aevb
