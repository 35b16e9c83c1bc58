#include "autodiff/tensor.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

#include "autodiff/error.h"

namespace aevb {

Tensor::Tensor(const Shape& shape) : shape_(shape), storage_(allocate_aligned_floats(shape.numel())) {
  std::fill_n(storage_.get(), shape.numel(), 0.0f);
}

Tensor Tensor::zeros(const Shape& shape) { return Tensor(shape); }

Tensor Tensor::ones(const Shape& shape) { return full(shape, 1.0f); }

Tensor Tensor::full(const Shape& shape, float value) {
  Tensor tensor(shape);
  tensor.fill(value);
  return tensor;
}

Tensor Tensor::from_values(const Shape& shape, std::span<const float> values) {
  check(static_cast<int64_t>(values.size()) == shape.numel(), "Tensor::from_values: shape ", shape, " holds ",
        shape.numel(), " values but ", values.size(), " were given");
  Tensor tensor(shape);
  std::copy(values.begin(), values.end(), tensor.data());
  return tensor;
}

Tensor Tensor::from_values(const Shape& shape, std::initializer_list<float> values) {
  return from_values(shape, std::span<const float>(values.begin(), values.size()));
}

Tensor Tensor::uniform(const Shape& shape, Rng& rng, float low, float high) {
  check(low < high, "Tensor::uniform: low ", low, " must be below high ", high);
  Tensor tensor(shape);
  rng.fill_uniform(tensor.data(), tensor.numel(), low, high);
  return tensor;
}

Tensor Tensor::normal(const Shape& shape, Rng& rng, float mean, float stddev) {
  check(stddev > 0, "Tensor::normal: stddev ", stddev, " must be positive");
  Tensor tensor(shape);
  rng.fill_normal(tensor.data(), tensor.numel(), mean, stddev);
  return tensor;
}

Tensor::Tensor(const Tensor& other) : shape_(other.shape_) {
  if (other.storage_) {
    storage_ = allocate_aligned_floats(shape_.numel());
    std::memcpy(storage_.get(), other.storage_.get(), sizeof(float) * static_cast<size_t>(shape_.numel()));
  }
}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this != &other) *this = Tensor(other);
  return *this;
}

float Tensor::at(std::initializer_list<int64_t> index) const {
  check(static_cast<int>(index.size()) == shape_.rank(), "Tensor::at: ", index.size(),
        " indices for a tensor of shape ", shape_);
  int64_t flat = 0;
  int axis = 0;
  for (int64_t i : index) {
    check(i >= 0 && i < shape_[axis], "Tensor::at: index ", i, " is out of range for axis ", axis, " of shape ",
          shape_);
    flat = flat * shape_[axis] + i;
    ++axis;
  }
  return storage_[flat];
}

void Tensor::fill(float value) { std::fill_n(storage_.get(), numel(), value); }

ValueStats value_stats(const float* values, int64_t count) {
  ValueStats stats;
  double sum = 0, sum_squares = 0;
  int64_t finite = 0;
  stats.min = std::numeric_limits<double>::infinity();
  stats.max = -std::numeric_limits<double>::infinity();
  for (int64_t i = 0; i < count; ++i) {
    double v = values[i];
    if (!std::isfinite(v)) {
      ++stats.non_finite;
      continue;
    }
    ++finite;
    sum += v;
    sum_squares += v * v;
    stats.min = std::min(stats.min, v);
    stats.max = std::max(stats.max, v);
  }
  if (finite > 0) {
    stats.mean = sum / finite;
    stats.stddev = std::sqrt(std::max(0.0, sum_squares / finite - stats.mean * stats.mean));
  } else {
    stats.min = stats.max = 0;
  }
  return stats;
}

std::string describe_values(const Shape& shape, const float* values) {
  constexpr int64_t kShownValues = 6;
  int64_t count = shape.numel();
  ValueStats stats = value_stats(values, count);
  std::ostringstream text;
  text.precision(4);
  text << "Tensor" << shape << " mean=" << stats.mean << " std=" << stats.stddev << " min=" << stats.min
       << " max=" << stats.max;
  if (stats.non_finite > 0) text << " non_finite=" << stats.non_finite;
  text << " {";
  for (int64_t i = 0; i < std::min(count, kShownValues); ++i) text << (i ? ", " : "") << values[i];
  if (count > kShownValues) text << ", ...";
  text << "}";
  return text.str();
}

std::string Tensor::summary() const {
  if (!storage_) return "Tensor" + shape_.to_string() + " (empty)";
  return describe_values(shape_, data());
}

std::ostream& operator<<(std::ostream& out, const Tensor& tensor) { return out << tensor.summary(); }

}  // namespace aevb
