// Initializers: fill a weight [fan_in, fan_out] from a seeded generator, so the same
// seed builds the same model.
//   Glorot/Xavier (Glorot & Bengio 2010): variance 2 / (fan_in + fan_out), for tanh and sigmoid.
//   He/Kaiming (He et al. 2015): variance 2 / fan_in, for ReLU.
// A uniform draw on [-a, a] has variance a^2 / 3, which sets each bound below.
#pragma once

#include <string>

#include "autodiff/tensor.h"

namespace aevb::nn {

enum class Init { glorot_uniform, glorot_normal, he_uniform, he_normal, torch_uniform, zeros };

void glorot_uniform(Tensor& weight, Rng& rng);  // U(-a, a), a = sqrt(6 / (fan_in + fan_out))
void glorot_normal(Tensor& weight, Rng& rng);   // N(0, 2 / (fan_in + fan_out))
void he_uniform(Tensor& weight, Rng& rng);      // U(-a, a), a = sqrt(6 / fan_in)
void he_normal(Tensor& weight, Rng& rng);       // N(0, 2 / fan_in)
// PyTorch's default for Linear: U(-a, a), a = 1 / sqrt(fan_in), for the weight and (by
// Linear) the bias too; variance 1 / (3 fan_in). For comparisons with PyTorch models.
void torch_uniform(Tensor& weight, Rng& rng);
void constant(Tensor& tensor, float value);
void zeros(Tensor& tensor);
void initialize(Tensor& weight, Init init, Rng& rng);
// The same for a weight of any shape, with its fans given: a convolution's are
// channels x kernel area (nn::Conv2d, nn::ConvTranspose2d), as PyTorch counts them.
struct Fans {
  double in, out;
};
void initialize(Tensor& weight, Init init, Rng& rng, Fans fans);

Init parse_init(const std::string& name);  // "glorot_uniform", ..., "torch_uniform"; throws listing the names
const char* to_string(Init init);

}  // namespace aevb::nn
