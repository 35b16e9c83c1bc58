#include "nn/init.h"

#include <cmath>

#include "autodiff/error.h"

namespace aevb::nn {
namespace {
Fans fans_of(const char* initializer, const Tensor& weight) {
  check(weight.shape().rank() == 2, initializer, ": weight shape ", weight.shape(), " is not [fan_in, fan_out]");
  return {static_cast<double>(weight.shape()[0]), static_cast<double>(weight.shape()[1])};
}
void fill_uniform(Tensor& weight, Rng& rng, double bound) {
  rng.fill_uniform(weight.data(), weight.numel(), static_cast<float>(-bound), static_cast<float>(bound));
}
void fill_normal(Tensor& weight, Rng& rng, double stddev) {
  rng.fill_normal(weight.data(), weight.numel(), 0.0f, static_cast<float>(stddev));
}
}  // namespace

void glorot_uniform(Tensor& weight, Rng& rng) { initialize(weight, Init::glorot_uniform, rng, fans_of("glorot_uniform", weight)); }
void glorot_normal(Tensor& weight, Rng& rng) { initialize(weight, Init::glorot_normal, rng, fans_of("glorot_normal", weight)); }
void he_uniform(Tensor& weight, Rng& rng) { initialize(weight, Init::he_uniform, rng, fans_of("he_uniform", weight)); }
void he_normal(Tensor& weight, Rng& rng) { initialize(weight, Init::he_normal, rng, fans_of("he_normal", weight)); }
void torch_uniform(Tensor& weight, Rng& rng) { initialize(weight, Init::torch_uniform, rng, fans_of("torch_uniform", weight)); }
void constant(Tensor& tensor, float value) { tensor.fill(value); }
void zeros(Tensor& tensor) { tensor.fill(0.0f); }

void initialize(Tensor& weight, Init init, Rng& rng) {
  if (init == Init::zeros) return zeros(weight);
  initialize(weight, init, rng, fans_of(to_string(init), weight));
}

void initialize(Tensor& weight, Init init, Rng& rng, Fans f) {
  check(f.in > 0 && f.out > 0, to_string(init), ": fans ", f.in, " and ", f.out, " must be positive");
  switch (init) {
    case Init::glorot_uniform: return fill_uniform(weight, rng, std::sqrt(6.0 / (f.in + f.out)));
    case Init::glorot_normal: return fill_normal(weight, rng, std::sqrt(2.0 / (f.in + f.out)));
    case Init::he_uniform: return fill_uniform(weight, rng, std::sqrt(6.0 / f.in));
    case Init::he_normal: return fill_normal(weight, rng, std::sqrt(2.0 / f.in));
    case Init::torch_uniform: return fill_uniform(weight, rng, 1.0 / std::sqrt(f.in));
    case Init::zeros: return zeros(weight);
  }
}

const char* to_string(Init init) {
  switch (init) {
    case Init::glorot_uniform: return "glorot_uniform";
    case Init::glorot_normal: return "glorot_normal";
    case Init::he_uniform: return "he_uniform";
    case Init::he_normal: return "he_normal";
    case Init::torch_uniform: return "torch_uniform";
    case Init::zeros: return "zeros";
  }
  return "?";
}

Init parse_init(const std::string& name) {
  for (Init init :
       {Init::glorot_uniform, Init::glorot_normal, Init::he_uniform, Init::he_normal, Init::torch_uniform, Init::zeros})
    if (name == to_string(init)) return init;
  fail("unknown initializer '", name,
       "': expected glorot_uniform, glorot_normal, he_uniform, he_normal, torch_uniform or zeros");
}

}  // namespace aevb::nn
