// BackwardFn: the closure a tape node keeps to push its output's gradient into its
// inputs' (autodiff/tape.h), stored inside the node so that recording an op never
// allocates.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>

namespace aevb {

// A closure kept inside the node: no heap allocation. Captures must be trivially
// copyable (Vars, sizes, scalars, pointers into the arena), which is all a backward needs.
class BackwardFn {
 public:
  static constexpr std::size_t kCapacity = 128;

  template <class F>
  void set(const F& function) {
    static_assert(sizeof(F) <= kCapacity, "backward closure captures too much; save values in the arena");
    static_assert(alignof(F) <= alignof(std::max_align_t));
    static_assert(std::is_trivially_copyable_v<F>, "backward closure must capture only trivially copyable values");
    ::new (static_cast<void*>(storage_)) F(function);
    invoke_ = [](const std::byte* storage) { (*std::launder(reinterpret_cast<const F*>(storage)))(); };
  }
  explicit operator bool() const { return invoke_ != nullptr; }
  void operator()() const { invoke_(storage_); }

 private:
  alignas(std::max_align_t) std::byte storage_[kCapacity];
  void (*invoke_)(const std::byte*) = nullptr;
};

}  // namespace aevb
