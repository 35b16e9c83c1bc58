#include "nn/optimizer.h"

#include <cmath>
#include <numbers>

#include "autodiff/error.h"
#include "autodiff/kernels/optimizer.h"
#include "autodiff/kernels/reduce.h"

namespace aevb::nn {

Optimizer::Optimizer(std::vector<NamedParameter> parameters, float learning_rate)
    : parameters_(std::move(parameters)), learning_rate_(learning_rate) {
  set_learning_rate(learning_rate);
  for (const NamedParameter& named : parameters_)
    check(named.parameter != nullptr, "Optimizer: parameter '", named.name, "' is null");
}

void Optimizer::set_learning_rate(float learning_rate) {
  check(learning_rate > 0.0f && std::isfinite(learning_rate), "Optimizer: learning rate ", learning_rate,
        " must be positive and finite");
  learning_rate_ = learning_rate;
}

size_t Optimizer::add_slot(const std::string& slot_name) {
  slot_names_.push_back(slot_name);
  std::vector<Tensor>& slot_tensors = slots_.emplace_back();
  for (const NamedParameter& named : parameters_) slot_tensors.push_back(Tensor::zeros(named.parameter->shape()));
  return slots_.size() - 1;
}

void Optimizer::step() {
  ++step_count_;
  for (size_t i = 0; i < parameters_.size(); ++i) update(i, *parameters_[i].parameter);
}

void Optimizer::zero_grad() {
  for (const NamedParameter& named : parameters_) named.parameter->zero_grad();
}

std::vector<std::pair<std::string, Tensor*>> Optimizer::state() {
  std::vector<std::pair<std::string, Tensor*>> out;
  for (size_t s = 0; s < slots_.size(); ++s)
    for (size_t p = 0; p < parameters_.size(); ++p)
      out.emplace_back(std::string(name()) + "." + slot_names_[s] + "." + parameters_[p].name, &slots_[s][p]);
  return out;
}

Sgd::Sgd(std::vector<NamedParameter> parameters, SgdOptions options)
    : Optimizer(std::move(parameters), options.learning_rate), options_(options), velocity_(add_slot("velocity")) {
  check(options.momentum >= 0.0f && options.momentum < 1.0f, "Sgd: momentum ", options.momentum,
        " is outside [0, 1)");
  check(options.weight_decay >= 0.0f, "Sgd: weight decay ", options.weight_decay, " is negative");
  check(!options.nesterov || options.momentum > 0.0f, "Sgd: Nesterov momentum needs momentum > 0");
}

void Sgd::update(size_t index, Parameter& parameter) {
  kernels::sgd_update(parameter.value().data(), slot(velocity_, index).data(), parameter.grad().data(),
                      parameter.value().numel(), learning_rate(), options_.momentum, options_.weight_decay,
                      options_.nesterov);
}

Adagrad::Adagrad(std::vector<NamedParameter> parameters, AdagradOptions options)
    : Optimizer(std::move(parameters), options.learning_rate),
      options_(options),
      sum_squares_(add_slot("sum_squares")) {
  check(options.weight_decay >= 0.0f, "Adagrad: weight decay ", options.weight_decay, " is negative");
  check(options.epsilon > 0.0f, "Adagrad: epsilon ", options.epsilon, " must be positive");
}

void Adagrad::update(size_t index, Parameter& parameter) {
  kernels::adagrad_update(parameter.value().data(), slot(sum_squares_, index).data(), parameter.grad().data(),
                          parameter.value().numel(), learning_rate(), options_.weight_decay, options_.epsilon);
}

Adam::Adam(std::vector<NamedParameter> parameters, AdamOptions options, bool decoupled_weight_decay)
    : Optimizer(std::move(parameters), options.learning_rate),
      options_(options),
      decoupled_(decoupled_weight_decay),
      first_moment_(add_slot("first_moment")),
      second_moment_(add_slot("second_moment")) {
  const char* who = decoupled_weight_decay ? "AdamW" : "Adam";
  check(options.beta1 >= 0.0f && options.beta1 < 1.0f, who, ": beta1 ", options.beta1, " is outside [0, 1)");
  check(options.beta2 >= 0.0f && options.beta2 < 1.0f, who, ": beta2 ", options.beta2, " is outside [0, 1)");
  check(options.epsilon > 0.0f, who, ": epsilon ", options.epsilon, " must be positive");
  check(options.weight_decay >= 0.0f, who, ": weight decay ", options.weight_decay, " is negative");
}

void Adam::update(size_t index, Parameter& parameter) {
  kernels::adam_update(parameter.value().data(), slot(first_moment_, index).data(),
                       slot(second_moment_, index).data(), parameter.grad().data(), parameter.value().numel(),
                       learning_rate(), options_.beta1, options_.beta2, options_.epsilon, options_.weight_decay,
                       decoupled_, step_count());
}

double squared_l2_norm(const Tensor& t) {
  const float fast = kernels::squared_norm(t.data(), t.numel());
  if (!std::isinf(fast)) return fast;  // NaN stays NaN
  double squares = 0;
  for (float v : t.values()) squares += static_cast<double>(v) * v;
  return squares;
}

double clip_grad_norm(std::span<const NamedParameter> parameters, double max_norm) {
  check(max_norm > 0, "clip_grad_norm: max_norm ", max_norm, " must be positive");
  double sum_squares = 0;
  for (const NamedParameter& named : parameters) sum_squares += squared_l2_norm(named.parameter->grad());
  const double norm = std::sqrt(sum_squares);
  if (norm > max_norm) {
    const float scale = static_cast<float>(max_norm / norm);
    for (const NamedParameter& named : parameters)
      for (float& g : named.parameter->grad().values()) g *= scale;
  }
  return norm;
}

Schedule constant_schedule(float learning_rate) {
  return [learning_rate](int64_t) { return learning_rate; };
}

Schedule step_schedule(float learning_rate, int64_t every, float gamma) {
  check(every > 0, "step_schedule: every ", every, " must be positive");
  return [=](int64_t step) { return learning_rate * std::pow(gamma, static_cast<float>(step / every)); };
}

Schedule cosine_schedule(float learning_rate, int64_t total_steps, float min_rate) {
  check(total_steps > 0, "cosine_schedule: total_steps ", total_steps, " must be positive");
  return [=](int64_t step) {
    if (step >= total_steps) return min_rate;
    double progress = static_cast<double>(step) / static_cast<double>(total_steps);
    return static_cast<float>(min_rate +
                              0.5 * (learning_rate - min_rate) * (1 + std::cos(std::numbers::pi * progress)));
  };
}

Schedule linear_warmup(Schedule after, int64_t warmup_steps) {
  check(warmup_steps > 0, "linear_warmup: warmup_steps ", warmup_steps, " must be positive");
  return [after = std::move(after), warmup_steps](int64_t step) {
    float rate = after(step);
    if (step >= warmup_steps) return rate;
    return rate * static_cast<float>(step + 1) / static_cast<float>(warmup_steps);
  };
}

namespace {
constexpr OptimizerKind kOptimizerKinds[] = {OptimizerKind::adam, OptimizerKind::adagrad, OptimizerKind::sgd};
}  // namespace

const char* to_string(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::adam: return "adam";
    case OptimizerKind::adagrad: return "adagrad";
    case OptimizerKind::sgd: return "sgd";
  }
  return "?";
}

std::vector<std::string> optimizer_names() {
  std::vector<std::string> names;
  for (OptimizerKind kind : kOptimizerKinds) names.emplace_back(to_string(kind));
  return names;
}

OptimizerKind parse_optimizer(const std::string& name) {
  for (OptimizerKind kind : kOptimizerKinds)
    if (name == to_string(kind)) return kind;
  fail("unknown optimizer '", name, "': expected ", or_list(optimizer_names()));
}

std::unique_ptr<Optimizer> make_optimizer(OptimizerKind kind, std::vector<NamedParameter> parameters,
                                          float learning_rate, float weight_decay) {
  switch (kind) {
    case OptimizerKind::adam:
      return std::make_unique<Adam>(parameters,
                                    AdamOptions{.learning_rate = learning_rate, .weight_decay = weight_decay});
    case OptimizerKind::adagrad:
      return std::make_unique<Adagrad>(parameters,
                                       AdagradOptions{.learning_rate = learning_rate, .weight_decay = weight_decay});
    case OptimizerKind::sgd:
      return std::make_unique<Sgd>(parameters,
                                   SgdOptions{.learning_rate = learning_rate, .weight_decay = weight_decay});
  }
  fail("make_optimizer: unknown optimizer ", static_cast<int>(kind));
}

}  // namespace aevb::nn
