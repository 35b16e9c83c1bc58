// Tensor: an owned, contiguous, row-major float32 array of rank 0 to 4.
//
// Tensors are values: copying one copies its numbers. Storage is 64-byte aligned.
// Tensors hold data that lives across steps (parameters, data sets, results);
// the short-lived values of a training step live on the tape (see tape.h).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <span>
#include <string>

#include "autodiff/aligned_buffer.h"
#include "autodiff/kernels/rng.h"
#include "autodiff/shape.h"

namespace aevb {

class Tensor {
 public:
  Tensor() = default;  // an empty rank-0 tensor with no storage
  explicit Tensor(const Shape& shape);  // zero-filled

  static Tensor zeros(const Shape& shape);
  static Tensor ones(const Shape& shape);
  static Tensor full(const Shape& shape, float value);
  static Tensor from_values(const Shape& shape, std::span<const float> values);
  static Tensor from_values(const Shape& shape, std::initializer_list<float> values);
  static Tensor uniform(const Shape& shape, Rng& rng, float low = 0.0f, float high = 1.0f);
  static Tensor normal(const Shape& shape, Rng& rng, float mean = 0.0f, float stddev = 1.0f);

  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;

  const Shape& shape() const { return shape_; }
  int64_t numel() const { return storage_ ? shape_.numel() : 0; }  // 0 when empty
  float* data() { return storage_.get(); }
  const float* data() const { return storage_.get(); }
  std::span<float> values() { return {storage_.get(), static_cast<std::size_t>(numel())}; }
  std::span<const float> values() const { return {storage_.get(), static_cast<std::size_t>(numel())}; }

  float& operator[](int64_t flat_index) { return storage_[flat_index]; }
  float operator[](int64_t flat_index) const { return storage_[flat_index]; }
  float at(std::initializer_list<int64_t> index) const;  // bounds-checked, throws

  void fill(float value);
  // "Tensor[2,3] mean=0.5 std=0.29 min=0 max=1 {0, 0.2, 0.4, 0.6, 0.8, 1}"
  std::string summary() const;

 private:
  Shape shape_;
  AlignedFloats storage_;
};

std::ostream& operator<<(std::ostream& out, const Tensor& tensor);

// Summary statistics of `count` floats; non-finite values are counted, not averaged.
struct ValueStats {
  double mean = 0, stddev = 0, min = 0, max = 0;
  int64_t non_finite = 0;
};
ValueStats value_stats(const float* values, int64_t count);
std::string describe_values(const Shape& shape, const float* values);

}  // namespace aevb
