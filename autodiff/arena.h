// Arena: the memory of one training step's values and gradients.
//
// Allocation is a pointer bump; `rewind()` makes all of it free again without
// returning it to the system. After one step has shown how much it needs, rewinding
// merges the blocks into one, so steady-state steps allocate nothing from the heap
// (the idea of Stan Math's arena).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "autodiff/aligned_buffer.h"

namespace aevb {

class Arena {
 public:
  explicit Arena(std::size_t first_block_bytes = std::size_t{1} << 20);

  // Uninitialized, 64-byte aligned room for `count` objects of a trivial type.
  template <class T>
  T* allocate(int64_t count) {
    static_assert(std::is_trivially_copyable_v<T> && alignof(T) <= kAlignment);
    return reinterpret_cast<T*>(allocate_bytes(static_cast<std::size_t>(count) * sizeof(T)));
  }

  void rewind();  // everything allocated so far becomes free; memory is kept
  std::size_t bytes_in_use() const;
  std::size_t bytes_reserved() const;

 private:
  struct Block {
    AlignedFloats memory;
    std::size_t size = 0;
    std::size_t used = 0;
  };
  std::byte* allocate_bytes(std::size_t bytes);
  void add_block(std::size_t bytes);

  std::vector<Block> blocks_;
  std::size_t current_ = 0;  // the block being filled
};

}  // namespace aevb
