// Shape: the sizes of a tensor's dimensions, rank 0 (a scalar) to rank 4.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>

namespace aevb {

inline constexpr int kMaxRank = 4;

class Shape {
 public:
  Shape() = default;  // rank 0: a scalar holding one value
  Shape(std::initializer_list<int64_t> dims);

  int rank() const { return rank_; }
  int64_t operator[](int axis) const { return dims_[axis]; }
  int64_t numel() const;
  bool operator==(const Shape& other) const;

  // Resolves a possibly negative axis (-1 is the last) or throws naming `op`.
  int normalize_axis(const char* op, int axis) const;
  Shape with_dim(int axis, int64_t size) const;  // same shape, one size replaced
  Shape without_dim(int axis) const;             // one axis removed
  Shape with_rank_appended(int64_t size) const;  // one more axis at the end

  std::string to_string() const;  // "[64,20]"

 private:
  std::array<int64_t, kMaxRank> dims_{};
  int rank_ = 0;
};

std::ostream& operator<<(std::ostream& out, const Shape& shape);

}  // namespace aevb
