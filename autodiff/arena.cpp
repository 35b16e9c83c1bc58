#include "autodiff/arena.h"

#include <algorithm>

namespace aevb {
namespace {
std::size_t round_up(std::size_t bytes) { return (bytes + kAlignment - 1) / kAlignment * kAlignment; }
}  // namespace

Arena::Arena(std::size_t first_block_bytes) { add_block(round_up(std::max<std::size_t>(first_block_bytes, 1))); }

void Arena::add_block(std::size_t bytes) {
  Block block;
  block.memory = allocate_aligned_floats(static_cast<int64_t>(bytes / sizeof(float)));
  block.size = bytes;
  blocks_.push_back(std::move(block));
}

std::byte* Arena::allocate_bytes(std::size_t bytes) {
  bytes = round_up(std::max<std::size_t>(bytes, 1));
  while (blocks_[current_].used + bytes > blocks_[current_].size) {
    if (current_ + 1 == blocks_.size()) add_block(std::max(bytes, 2 * blocks_[current_].size));
    ++current_;
  }
  Block& block = blocks_[current_];
  std::byte* start = reinterpret_cast<std::byte*>(block.memory.get()) + block.used;
  block.used += bytes;
  return start;
}

void Arena::rewind() {
  if (blocks_.size() > 1) {
    // The step needed more than one block: next time give it all in one piece.
    std::size_t total = bytes_reserved();
    blocks_.clear();
    add_block(total);
  }
  for (Block& block : blocks_) block.used = 0;
  current_ = 0;
}

std::size_t Arena::bytes_in_use() const {
  std::size_t used = 0;
  for (const Block& block : blocks_) used += block.used;
  return used;
}

std::size_t Arena::bytes_reserved() const {
  std::size_t size = 0;
  for (const Block& block : blocks_) size += block.size;
  return size;
}

}  // namespace aevb
