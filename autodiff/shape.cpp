#include "autodiff/shape.h"

#include "autodiff/error.h"

namespace aevb {

Shape::Shape(std::initializer_list<int64_t> dims) {
  check(dims.size() <= kMaxRank, "Shape: rank ", dims.size(), " is above the maximum rank ", kMaxRank);
  for (int64_t size : dims) {
    check(size >= 0, "Shape: negative size ", size);
    dims_[rank_++] = size;
  }
}

int64_t Shape::numel() const {
  int64_t count = 1;
  for (int axis = 0; axis < rank_; ++axis) count *= dims_[axis];
  return count;
}

bool Shape::operator==(const Shape& other) const {
  if (rank_ != other.rank_) return false;
  for (int axis = 0; axis < rank_; ++axis)
    if (dims_[axis] != other.dims_[axis]) return false;
  return true;
}

int Shape::normalize_axis(const char* op, int axis) const {
  int resolved = axis < 0 ? axis + rank_ : axis;
  check(resolved >= 0 && resolved < rank_, op, ": axis ", axis, " is out of range for shape ", *this);
  return resolved;
}

Shape Shape::with_dim(int axis, int64_t size) const {
  Shape result = *this;
  result.dims_[axis] = size;
  return result;
}

Shape Shape::without_dim(int axis) const {
  Shape result;
  for (int i = 0; i < rank_; ++i)
    if (i != axis) result.dims_[result.rank_++] = dims_[i];
  return result;
}

Shape Shape::with_rank_appended(int64_t size) const {
  check(rank_ < kMaxRank, "Shape: cannot add an axis to ", *this, " (maximum rank ", kMaxRank, ")");
  check(size >= 0, "Shape: negative size ", size);
  Shape result = *this;
  result.dims_[result.rank_++] = size;
  return result;
}

std::string Shape::to_string() const {
  std::string text = "[";
  for (int axis = 0; axis < rank_; ++axis) {
    if (axis > 0) text += ",";
    text += std::to_string(dims_[axis]);
  }
  return text + "]";
}

std::ostream& operator<<(std::ostream& out, const Shape& shape) { return out << shape.to_string(); }

}  // namespace aevb
