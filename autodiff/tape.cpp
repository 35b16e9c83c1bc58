#include "autodiff/tape.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace aevb {
namespace {
thread_local bool grad_mode = true;
thread_local const std::string* current_module = nullptr;

bool anomaly_from_environment() {
  const char* value = std::getenv("AEVB_ANOMALY");
  return value != nullptr && std::string(value) == "1";
}
}  // namespace

ModuleScope::ModuleScope(const std::string* module_path) : previous_(current_module) { current_module = module_path; }
ModuleScope::~ModuleScope() { current_module = previous_; }
const std::string* ModuleScope::current() { return current_module; }

bool grad_enabled() { return grad_mode; }
NoGradGuard::NoGradGuard() : previous_(grad_mode) { grad_mode = false; }
NoGradGuard::~NoGradGuard() { grad_mode = previous_; }

Parameter::Parameter(std::string name, Tensor value)
    : name_(std::move(name)), value_(std::move(value)), grad_(Tensor::zeros(value_.shape())) {
  check(value_.data() != nullptr, "Parameter '", name_, "': value is an empty tensor");
}

const char* to_string(NodeKind kind) {
  switch (kind) {
    case NodeKind::parameter: return "parameter";
    case NodeKind::input: return "input";
    case NodeKind::noise: return "noise";
    case NodeKind::op: return "op";
  }
  return "?";
}

// --- Var --------------------------------------------------------------------------

Tape& Var::tape() const {
  check(tape_ != nullptr, "Var: use of an empty Var (default-constructed, never assigned)");
  return *tape_;
}
const Shape& Var::shape() const { return tape().node(*this).shape; }
bool Var::requires_grad() const { return tape().node(*this).requires_grad; }
const float* Var::data() const { return tape().node(*this).value; }
float* Var::grad() const {
  Node& n = tape().node(*this);
  tape_->write_pending_zeros(n);
  return n.grad;
}

GradientTarget Var::grad_target() const {
  Node& n = tape().node(*this);
  bool& unwritten = Tape::unwritten(n);
  const GradientTarget target{n.grad, !unwritten};
  unwritten = false;
  return target;
}

float Var::item() const {
  const Node& n = tape().node(*this);
  check(n.shape.numel() == 1, "item: Var #", index_, " (", n.op, ") has shape ", n.shape, ", not one value");
  if (tape_->anomaly_detection()) tape_->check_finite(index_);
  return n.value[0];
}

Tensor Var::value() const {
  const Node& n = tape().node(*this);
  return Tensor::from_values(n.shape, std::span<const float>(n.value, static_cast<std::size_t>(n.shape.numel())));
}

Tensor Var::grad_tensor() const {
  Node& n = tape().node(*this);
  tape_->write_pending_zeros(n);
  if (n.grad == nullptr) return Tensor::zeros(n.shape);
  return Tensor::from_values(n.shape, std::span<const float>(n.grad, static_cast<std::size_t>(n.shape.numel())));
}

// --- Tape -------------------------------------------------------------------------

Tape::Tape() : anomaly_detection_(anomaly_from_environment()) { nodes_.reserve(256); }

Node& Tape::node(const Var& var) {
  check(var.tape_ == this, "Var #", var.index_, " belongs to another tape");
  check(var.generation_ == generation_, "Var #", var.index_, " comes from a cleared recording (generation ",
        var.generation_, ", tape now at ", generation_, "): record the step again after clear()");
  return nodes_[static_cast<std::size_t>(var.index_)];
}

Var Tape::push_leaf(const char* name, NodeKind kind, Shape shape) {
  Node& leaf = nodes_.emplace_back();
  leaf.op = name;
  leaf.module = current_module;
  leaf.kind = kind;
  leaf.shape = shape;
  return Var(this, static_cast<int32_t>(nodes_.size() - 1), generation_);
}

Var Tape::param(Parameter& parameter) {
  Var var = push_leaf("parameter", NodeKind::parameter, parameter.shape());
  Node& leaf = nodes_.back();
  leaf.value = parameter.value().data();
  leaf.grad = parameter.grad_.data();  // not grad(): zeros pending from zero_grad() stay pending
  leaf.parameter = &parameter;
  leaf.requires_grad = grad_mode && parameter.requires_grad();
  return var;
}

Var Tape::input(const Shape& shape, const float* values) {
  Var var = push_leaf("input", NodeKind::input, shape);
  float* copy = arena_.allocate<float>(shape.numel());
  std::memcpy(copy, values, sizeof(float) * static_cast<std::size_t>(shape.numel()));
  nodes_.back().value = copy;
  return var;
}

Var Tape::input(const Tensor& values) {
  check(values.data() != nullptr, "input: the tensor is empty");
  return input(values.shape(), values.data());
}

Var Tape::noise(const Tensor& values) {
  Var var = input(values);
  nodes_.back().op = "noise";
  nodes_.back().kind = NodeKind::noise;
  return var;
}

Var Tape::noise(const Shape& shape) {
  Var var = push_leaf("noise", NodeKind::noise, shape);
  nodes_.back().value = arena_.allocate<float>(shape.numel());
  return var;
}

Var Tape::constant(const Shape& shape, float value) {
  Var var = push_leaf("constant", NodeKind::input, shape);
  float* values = arena_.allocate<float>(shape.numel());
  std::fill_n(values, shape.numel(), value);
  nodes_.back().value = values;
  return var;
}

Var Tape::record(const char* op, Shape shape, const Var* inputs, int32_t input_count) {
  if (anomaly_detection_) check_inputs_finite(inputs, input_count);
  int32_t* input_indices = arena_.allocate<int32_t>(input_count);
  bool any_input_requires_grad = false;
  for (int32_t i = 0; i < input_count; ++i) {
    check(inputs[i].tape_ == this, op, ": input ", i, " belongs to another tape");
    Node& input_node = node(inputs[i]);
    any_input_requires_grad = any_input_requires_grad || input_node.requires_grad;
    input_indices[i] = inputs[i].index_;
  }
  float* value = arena_.allocate<float>(shape.numel());
  Node& result = nodes_.emplace_back();
  result.op = op;
  result.module = current_module;
  result.kind = NodeKind::op;
  result.shape = shape;
  result.value = value;
  result.requires_grad = grad_mode && any_input_requires_grad;
  if (grad_mode) {  // NoGradGuard: no links to inputs are kept
    result.inputs = input_indices;
    result.input_count = input_count;
  }
  return Var(this, static_cast<int32_t>(nodes_.size() - 1), generation_);
}

Var Tape::record(const char* op, Shape shape, std::initializer_list<Var> inputs) {
  return record(op, shape, inputs.begin(), static_cast<int32_t>(inputs.size()));
}

Var Tape::record_view(const char* op, Shape shape, Var source) {
  const float* source_value = node(source).value;
  Var result = push_leaf(op, NodeKind::op, shape);
  Node& view = nodes_.back();
  view.value = const_cast<float*>(source_value);  // read-only by the tape's rule: values are never rewritten
  if (grad_mode) {
    int32_t* input_indices = arena_.allocate<int32_t>(1);
    input_indices[0] = source.index_;
    view.inputs = input_indices;
    view.input_count = 1;
    view.requires_grad = node(source).requires_grad;
  }
  return result;
}

void Tape::check_inputs_finite(const Var* inputs, int32_t count) {
  for (int32_t i = 0; i < count; ++i) check_finite(inputs[i].index_);
}

void Tape::check_finite(int32_t index) {
  if (checked_.size() < nodes_.size()) checked_.resize(nodes_.size(), 0);
  if (checked_[static_cast<size_t>(index)]) return;
  const Node& n = nodes_[static_cast<size_t>(index)];
  if (n.kind != NodeKind::op) return;  // data is checked where it is read, not here
  const ValueStats stats = value_stats(n.value, n.shape.numel());
  if (stats.non_finite == 0) {
    checked_[static_cast<size_t>(index)] = 1;  // only finite nodes: a bad one is reported at every read
    return;
  }
  std::ostringstream message;
  message << "anomaly: op " << n.op << " (node #" << index << (n.module ? ", module " + *n.module : std::string())
          << ") produced " << stats.non_finite << " non-finite value(s) of shape " << n.shape
          << "; its inputs:" << describe_inputs(index);
  throw Error(message.str());
}

std::string Tape::describe_inputs(int32_t index) const {
  const Node& n = nodes_.at(static_cast<size_t>(index));
  std::ostringstream message;
  for (int32_t i = 0; i < n.input_count; ++i) {
    const Node& input = nodes_[static_cast<size_t>(n.inputs[i])];
    message << "\n  #" << n.inputs[i] << " " << input.op << " " << describe_values(input.shape, input.value);
  }
  return message.str();
}

std::string Tape::describe_origin(int32_t index) const {
  const Node& n = nodes_.at(static_cast<size_t>(index));
  std::ostringstream message;
  message << "op " << n.op << " (node #" << index << (n.module ? ", module " + *n.module : std::string()) << ")";
  if (n.input_count > 0) message << ", from its inputs:" << describe_inputs(index);
  return message.str();
}

// A parameter leaf's gradient is the parameter's, and so is its state.
bool& Tape::unwritten(Node& n) {
  return n.kind == NodeKind::parameter ? n.parameter->grad_unwritten_ : n.grad_unwritten;
}

void Tape::write_pending_zeros(Node& n) {
  bool& pending = unwritten(n);
  if (!pending) return;
  std::fill_n(n.grad, n.shape.numel(), 0.0f);
  pending = false;
}

void Tape::backward(Var loss) { walk_backward(loss, nullptr); }
void Tape::backward(Var loss, BackwardObserver& observer) { walk_backward(loss, &observer); }

void Tape::walk_backward(Var loss, BackwardObserver* observer) {
  // An observer reads gradients before each node adds to them: it gets them zeroed.
  prepare_backward(loss, observer == nullptr);
  // The record is already in topological order: walking it backwards visits every
  // node after all the nodes that consume it.
  for (int32_t i = loss.index_; i >= 0; --i) {
    const Node& n = nodes_[static_cast<std::size_t>(i)];
    if (!n.requires_grad || !n.backward) continue;
    if (observer != nullptr) observer->before(*this, i);
    n.backward();
    if (observer != nullptr) observer->after(*this, i);
  }
  // Gradients nothing wrote (a value the loss does not depend on) get their zeros now,
  // so that whoever reads a node's gradient afterwards reads a value.
  // (Frozen parameters are left alone: other threads' tapes may read them.)
  for (int32_t i = 0; i <= loss.index_; ++i) {
    Node& n = nodes_[static_cast<std::size_t>(i)];
    if (n.requires_grad) write_pending_zeros(n);
  }
  backward_done_ = true;
}

// The checks, the gradients of the intermediate values (unwritten, or zeroed when
// `lazy_zeros` is false), anomaly mode's scan and the seed dloss/dloss = 1.
void Tape::prepare_backward(Var loss, bool lazy_zeros) {
  Node& root = node(loss);
  check(!backward_done_, "backward: this recording was already differentiated; clear() the tape and record the "
                         "step again (gradients of parameters keep accumulating until zero_grad)");
  check(root.shape.numel() == 1, "backward: the loss must hold one value, but ", root.op, " #", loss.index_,
        " has shape ", root.shape, "; reduce it with sum or mean first");
  check(root.requires_grad, "backward: the loss (", root.op, " #", loss.index_,
        ") does not depend on any parameter, or was recorded under NoGradGuard");
  // Gradients of intermediate values live in the arena, then accumulate.
  for (int32_t i = 0; i <= loss.index_; ++i) {
    Node& n = nodes_[static_cast<std::size_t>(i)];
    if (n.requires_grad && n.kind == NodeKind::op) {
      n.grad = arena_.allocate<float>(n.shape.numel());
      n.grad_unwritten = true;
    }
    if (!lazy_zeros && n.requires_grad) write_pending_zeros(n);
  }
  if (anomaly_detection_)
    for (int32_t i = 0; i <= loss.index_; ++i) check_finite(i);
  write_pending_zeros(root);
  root.grad[0] += 1.0f;
}

void Tape::clear() {
  nodes_.clear();  // keeps its capacity
  checked_.clear();
  arena_.rewind();
  ++generation_;
  backward_done_ = false;
}

}  // namespace aevb
