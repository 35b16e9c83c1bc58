#include "nn/module.h"

#include "autodiff/error.h"

namespace aevb::nn {

void Module::check_new_name(const std::string& name) const {
  check(!name.empty() && name.find('.') == std::string::npos, "Module: name '", name,
        "' must be non-empty and without '.' (dots join hierarchical names)");
  for (const auto& parameter : parameters_)
    check(parameter->name() != name, "Module: the name '", name, "' is already taken by a parameter");
  for (const auto& [child_name, child] : children_)
    check(child_name != name, "Module: the name '", name, "' is already taken by a child module");
}

Parameter& Module::register_parameter(const std::string& name, Tensor value) {
  check_new_name(name);
  parameters_.push_back(std::make_unique<Parameter>(name, std::move(value)));
  return *parameters_.back();
}

void Module::add_child(const std::string& name, Module& child) {
  check_new_name(name);
  check(&child != this, "Module: '", name, "' cannot be its own child");
  children_.emplace_back(name, &child);
  child.train(training_);
  child.set_path(path_.empty() ? name : path_ + "." + name);
}

void Module::set_path(const std::string& path) {
  path_ = path;
  for (auto& [name, child] : children_) child->set_path(path + "." + name);
}

void Module::collect(const std::string& prefix, std::vector<NamedParameter>& out) {
  for (const auto& parameter : parameters_) out.push_back({prefix + parameter->name(), parameter.get()});
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", out);
}

std::vector<NamedParameter> Module::named_parameters() {
  std::vector<NamedParameter> out;
  collect("", out);
  return out;
}

std::vector<Parameter*> Module::parameters() {
  std::vector<Parameter*> out;
  for (const NamedParameter& named : named_parameters()) out.push_back(named.parameter);
  return out;
}

int64_t Module::parameter_count() {
  int64_t count = 0;
  for (const NamedParameter& named : named_parameters()) count += named.parameter->value().numel();
  return count;
}

void Module::zero_grad() {
  for (const NamedParameter& named : named_parameters()) named.parameter->zero_grad();
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

FrozenScope::FrozenScope(Module& module) {
  for (Parameter* parameter : module.parameters()) {
    saved_.emplace_back(parameter, parameter->requires_grad());
    parameter->set_requires_grad(false);
  }
}

FrozenScope::~FrozenScope() {
  for (auto& [parameter, was] : saved_) parameter->set_requires_grad(was);
}

}  // namespace aevb::nn
