// Module: a part of a model that owns parameters and child modules.
//
// Parameters and children are registered by name, so every parameter has a
// hierarchical name ("encoder.hidden.weight") used by checkpoints and reports.
// Modules do not move or copy: children are registered by address, so a model is
// built in place (or held by unique_ptr) and keeps its shape for its whole life.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "autodiff/tape.h"

namespace aevb::nn {

struct NamedParameter {
  std::string name;  // hierarchical: "encoder.hidden.weight"
  Parameter* parameter;
};

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // All parameters of this module and its children, depth-first in registration order.
  std::vector<NamedParameter> named_parameters();
  std::vector<Parameter*> parameters();
  int64_t parameter_count();  // number of scalar values
  void zero_grad();

  // Train mode (the default) versus eval mode: Dropout is active only in train mode.
  void train(bool on = true);
  void eval() { train(false); }
  bool training() const { return training_; }

  // The hierarchical name of this module in its model ("encoder.hidden1"; empty for the
  // root). Ops run by a layer's forward record it, for messages and pictures.
  const std::string& path() const { return path_; }

 protected:
  Parameter& register_parameter(const std::string& name, Tensor value);
  // The child must live as long as this module (a member, or owned through `adopt`).
  template <class M>
  M& register_module(const std::string& name, M& child) {
    add_child(name, child);
    return child;
  }
  // Takes ownership of a child made at run time (Sequential, the MLP builder).
  template <class M>
  M& adopt(const std::string& name, std::unique_ptr<M> child) {
    M& ref = *child;
    owned_.push_back(std::move(child));
    add_child(name, ref);
    return ref;
  }

 private:
  void add_child(const std::string& name, Module& child);
  void check_new_name(const std::string& name) const;
  void collect(const std::string& prefix, std::vector<NamedParameter>& out);
  void set_path(const std::string& path);

  std::vector<std::unique_ptr<Parameter>> parameters_;
  std::vector<std::pair<std::string, Module*>> children_;
  std::vector<std::unique_ptr<Module>> owned_;
  bool training_ = true;
  std::string path_;
};

// Holds every parameter of a module frozen (Parameter::requires_grad false) for its
// lifetime, then restores each one's setting: a backward pass through the frozen model
// computes only the gradients inference needs (a latent code's), none of the weights'.
class FrozenScope {
 public:
  explicit FrozenScope(Module& module);
  ~FrozenScope();
  FrozenScope(const FrozenScope&) = delete;
  FrozenScope& operator=(const FrozenScope&) = delete;

 private:
  std::vector<std::pair<Parameter*, bool>> saved_;
};

// A module that maps one value to one value; what Sequential chains.
class Layer : public Module {
 public:
  virtual Var forward(Var x) = 0;
  Var operator()(Var x) { return forward(x); }
};

}  // namespace aevb::nn
