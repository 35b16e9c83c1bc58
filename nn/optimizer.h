// Optimizers: SGD (momentum, Nesterov, weight decay), Adagrad, Adam and AdamW.
//
// Each update is one fused kernel pass per parameter (autodiff/kernels/optimizer.h).
// Per-parameter state (velocity, moment estimates) lives in named slots, so a
// checkpoint can save and restore it by name: "<optimizer>.<slot>.<parameter name>".
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "nn/module.h"

namespace aevb::nn {

class Optimizer {
 public:
  Optimizer(std::vector<NamedParameter> parameters, float learning_rate);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  void step();  // updates every parameter from its gradient; counts the step
  void zero_grad();

  float learning_rate() const { return learning_rate_; }
  void set_learning_rate(float learning_rate);
  int64_t step_count() const { return step_count_; }
  void set_step_count(int64_t steps) { step_count_ = steps; }  // when restoring a checkpoint
  virtual const char* name() const = 0;

  // The optimizer's state by name, for checkpoints.
  std::vector<std::pair<std::string, Tensor*>> state();
  const std::vector<NamedParameter>& parameters() const { return parameters_; }

 protected:
  // Adds a zero-filled state tensor per parameter; returns the slot's index.
  size_t add_slot(const std::string& slot_name);
  Tensor& slot(size_t slot_index, size_t parameter_index) { return slots_[slot_index][parameter_index]; }
  virtual void update(size_t parameter_index, Parameter& parameter) = 0;

 private:
  std::vector<NamedParameter> parameters_;
  std::vector<std::string> slot_names_;
  std::vector<std::vector<Tensor>> slots_;
  float learning_rate_;
  int64_t step_count_ = 0;
};

struct SgdOptions {
  float learning_rate = 0.01f;
  float momentum = 0.0f;
  float weight_decay = 0.0f;
  bool nesterov = false;
};
class Sgd : public Optimizer {
 public:
  Sgd(std::vector<NamedParameter> parameters, SgdOptions options);
  const char* name() const override { return "sgd"; }

 private:
  void update(size_t index, Parameter& parameter) override;
  SgdOptions options_;
  size_t velocity_;
};

// Adagrad (Duchi et al. 2011), the optimizer of Kingma & Welling's experiments.
struct AdagradOptions {
  float learning_rate = 0.01f;
  float weight_decay = 0.0f;
  float epsilon = 1e-10f;
};
class Adagrad : public Optimizer {
 public:
  Adagrad(std::vector<NamedParameter> parameters, AdagradOptions options);
  const char* name() const override { return "adagrad"; }

 private:
  void update(size_t index, Parameter& parameter) override;
  AdagradOptions options_;
  size_t sum_squares_;
};

struct AdamOptions {
  float learning_rate = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float epsilon = 1e-8f;
  float weight_decay = 0.0f;  // Adam: added to the gradient (L2); AdamW: decoupled
};
class Adam : public Optimizer {
 public:
  Adam(std::vector<NamedParameter> parameters, AdamOptions options, bool decoupled_weight_decay = false);
  const char* name() const override { return decoupled_ ? "adamw" : "adam"; }

 private:
  void update(size_t index, Parameter& parameter) override;
  AdamOptions options_;
  bool decoupled_;
  size_t first_moment_, second_moment_;
};
// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay.
class AdamW : public Adam {
 public:
  AdamW(std::vector<NamedParameter> parameters, AdamOptions options) : Adam(std::move(parameters), options, true) {}
};

// The optimizers a training program offers by name (--optimizer), with the options
// they share; like models' Likelihood and Posterior.
enum class OptimizerKind { adam, adagrad, sgd };
OptimizerKind parse_optimizer(const std::string& name);  // throws naming the choices
const char* to_string(OptimizerKind kind);
std::vector<std::string> optimizer_names();  // "adam", "adagrad", "sgd"
std::unique_ptr<Optimizer> make_optimizer(OptimizerKind kind, std::vector<NamedParameter> parameters,
                                          float learning_rate, float weight_decay);

// sum_i t[i]^2: the SIMD pairwise kernel (kernels/reduce.h), redone in double when its
// float result overflows (values beyond about 1e19), so a diverging gradient's norm is
// still a number.
double squared_l2_norm(const Tensor& t);

// Scales all gradients together so that their global L2 norm is at most max_norm.
// Returns the norm before clipping (per tensor in float, pairwise; summed in double).
double clip_grad_norm(std::span<const NamedParameter> parameters, double max_norm);

// Learning-rate schedules: the rate for a step counted from 0.
using Schedule = std::function<float(int64_t step)>;
Schedule constant_schedule(float learning_rate);
// learning_rate * gamma^floor(step / every)
Schedule step_schedule(float learning_rate, int64_t every, float gamma);
// From learning_rate down to min_rate over total_steps along half a cosine, then min_rate.
Schedule cosine_schedule(float learning_rate, int64_t total_steps, float min_rate = 0.0f);
// Rises linearly from after(0) / warmup_steps to the schedule `after` over warmup_steps.
Schedule linear_warmup(Schedule after, int64_t warmup_steps);

}  // namespace aevb::nn
