// The tape: reverse-mode automatic differentiation on a Wengert list.
//
// Every op appends one node to the tape, in execution order: its name, its shape,
// its value, the indices of its inputs, and a small closure that pushes the
// gradient of its output back into the gradients of its inputs. `backward(loss)`
// walks the list from `loss` back to the first node (a loop, not a recursion, so a
// graph of any depth works), calling each closure. Gradients accumulate (`+=`): a
// value used twice receives both contributions.
//
// Zeroing is lazy: backward does not fill the intermediate gradients with zeros, and a
// parameter's zero_grad() only marks its gradient unwritten. An op that writes a whole
// gradient (a gemm) takes it with grad_target() and overwrites it if it is the first
// contribution (beta 0), adds to it otherwise; grad() writes the pending zeros first,
// so every other op accumulates as before. Both give the same bits (0 + x is x, and a
// gemm's sums start from +0, so not even a zero's sign differs); what is saved is a
// pass over the memory. After backward every gradient holds its value.
//
// Lifetimes and rules, each enforced with an aevb::Error:
// - A Var is a handle (tape, index, generation). `clear()` rewinds the tape for the
//   next step; a Var made before it is stale, and using it throws.
// - `backward` runs once per recording: a second call throws (clear and record again).
// - `backward` needs a loss of exactly one value: reduce it with sum or mean first.
// - Parameters live outside the tape and must outlive its recording. Their gradients
//   accumulate across backward calls until `zero_grad()`.
// - Values made during a step come from the tape's arena, which `clear()` rewinds but
//   does not free: a steady-state training step makes no heap allocation.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "autodiff/arena.h"
#include "autodiff/backward_fn.h"
#include "autodiff/error.h"
#include "autodiff/tensor.h"

namespace aevb {

class Parameter;
class Tape;

enum class NodeKind : uint8_t {
  parameter,  // a leaf that receives a gradient
  input,      // a leaf without gradient: data, constants
  noise,      // a leaf without gradient drawn at random (the eps of a reparameterized sample)
  op,         // the result of an op
};
const char* to_string(NodeKind kind);

struct Node {
  const char* op = "";  // the op's name, or "parameter" / "input" / "noise" for leaves
  const std::string* module = nullptr;  // the module the op ran in ("encoder.hidden1"), if any
  NodeKind kind = NodeKind::op;
  bool requires_grad = false;
  Shape shape;
  float* value = nullptr;
  float* grad = nullptr;
  bool grad_unwritten = false;      // op nodes during backward: grad holds no zeros yet (see the top)
  const int32_t* inputs = nullptr;  // indices of the input nodes, in argument order
  int32_t input_count = 0;
  Parameter* parameter = nullptr;  // for parameter leaves: where the value and gradient live
  BackwardFn backward;
};

// Where an op's backward writes one input's gradient. accumulate false: nothing was
// written there yet in this pass, and the op must overwrite every element (a gemm's
// beta 0); true: it adds, as to any gradient.
struct GradientTarget {
  float* values;
  bool accumulate;
};

// A handle to one value on a tape.
class Var {
 public:
  Var() = default;

  bool defined() const { return tape_ != nullptr; }  // false for a default-constructed Var (none)
  Tape& tape() const;
  int32_t index() const { return index_; }
  const Shape& shape() const;
  int64_t numel() const { return shape().numel(); }
  bool requires_grad() const;

  const float* data() const;  // the value
  float* grad() const;        // the gradient; nullptr before backward or when none is needed
  // The gradient for an op that writes all of it; see GradientTarget. Taking it ends
  // the gradient's unwritten state, so the caller must write it in full.
  GradientTarget grad_target() const;
  float item() const;         // the value of a Var holding exactly one number
  Tensor value() const;       // a copy of the value
  Tensor grad_tensor() const; // a copy of the gradient (zeros when there is none)

 private:
  friend class Tape;
  Var(Tape* tape, int32_t index, uint32_t generation) : tape_(tape), index_(index), generation_(generation) {}

  Tape* tape_ = nullptr;
  int32_t index_ = -1;
  uint32_t generation_ = 0;
};

class Tape {
 public:
  Tape();
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  // Leaves.
  Var param(Parameter& parameter);  // reads the value in place; gradients go to parameter.grad()
  Var input(const Tensor& values);  // copies the values; no gradient
  Var input(const Shape& shape, const float* values);
  Var noise(const Tensor& values);  // like input, marked as random noise
  Var noise(const Shape& shape);    // a noise leaf to fill in place through value_buffer()
  Var constant(const Shape& shape, float value);

  // What an op uses to record itself (see ops/*.cpp). The result's value is uninitialized.
  Var record(const char* op, Shape shape, std::initializer_list<Var> inputs);
  Var record(const char* op, Shape shape, const Var* inputs, int32_t input_count);
  // Shapes are taken by value: callers pass `x.shape()`, a reference into the node
  // list that recording may reallocate.
  // A result that shares its input's value memory (reshape): values are never written
  // after their op, so sharing is safe.
  Var record_view(const char* op, Shape shape, Var source);
  // Attaches the backward closure; ignored when the result needs no gradient.
  template <class F>
  void set_backward(Var result, const F& backward) {
    Node& result_node = node(result);
    if (result_node.requires_grad) result_node.backward.set(backward);
  }
  // The result's value memory, for the op that records it to fill in.
  float* value_buffer(Var result) { return node(result).value; }
  // Arena memory for values an op saves for its backward.
  template <class T>
  T* scratch(int64_t count) {
    return arena_.allocate<T>(count);
  }

  void backward(Var loss);
  // The same, telling `observer` before and after each node's closure runs (inspect.h's
  // trace_backward uses it to measure the gradient every node passes).
  void backward(Var loss, class BackwardObserver& observer);
  void clear();

  // Anomaly mode: every op's output is checked for inf and NaN as soon as the next op
  // reads it, at backward and at item(); the first one stops the run with an error
  // naming the op, its node index, its inputs' statistics and its module. Also on
  // when the environment variable AEVB_ANOMALY is set to 1.
  void set_anomaly_detection(bool on) { anomaly_detection_ = on; }
  bool anomaly_detection() const { return anomaly_detection_; }
  void check_finite(int32_t index);  // throws as above if node `index` holds inf or NaN
  // "op exp (node #23, module encoder.output), from its inputs: ..." for messages that
  // name where a value came from (anomaly mode's reports).
  std::string describe_origin(int32_t index) const;

  // Reading the record (printers, tests).
  int32_t size() const { return static_cast<int32_t>(nodes_.size()); }
  const Node& node_at(int32_t index) const { return nodes_.at(static_cast<std::size_t>(index)); }
  bool backward_done() const { return backward_done_; }
  uint32_t generation() const { return generation_; }
  const Arena& arena() const { return arena_; }

  Node& node(const Var& var);  // checks that the Var belongs to this recording

 private:
  friend class Var;  // grad() writes pending zeros
  Var push_leaf(const char* name, NodeKind kind, Shape shape);

  void check_inputs_finite(const Var* inputs, int32_t count);
  void prepare_backward(Var loss, bool lazy_zeros);
  static bool& unwritten(Node& node);  // the node's lazy-zero state (tape.h's top)
  void write_pending_zeros(Node& node);
  void walk_backward(Var loss, BackwardObserver* observer);

  std::vector<Node> nodes_;
  std::string describe_inputs(int32_t index) const;
  std::vector<uint8_t> checked_;  // anomaly mode: which nodes were already scanned
  Arena arena_;
  bool anomaly_detection_;
  uint32_t generation_ = 1;  // 0 marks a default-constructed Var
  bool backward_done_ = false;
};

// Watches a backward pass node by node, from outside the walk (inspect.h's tracing).
class BackwardObserver {
 public:
  virtual ~BackwardObserver() = default;
  virtual void before(const Tape& tape, int32_t node) = 0;
  virtual void after(const Tape& tape, int32_t node) = 0;
};

// A trainable tensor with a persistent value and gradient.
class Parameter {
 public:
  Parameter(std::string name, Tensor value);

  const std::string& name() const { return name_; }
  const Shape& shape() const { return value_.shape(); }
  Tensor& value() { return value_; }
  const Tensor& value() const { return value_; }
  // The gradient, with the zeros a zero_grad() left pending written first.
  Tensor& grad() {
    write_pending_zeros();
    return grad_;
  }
  const Tensor& grad() const {
    write_pending_zeros();
    return grad_;
  }
  // Marks the gradient zero without writing it: the first backward op to reach it
  // overwrites it (tape.h's top), and grad() writes the zeros if none does.
  void zero_grad() { grad_unwritten_ = true; }
  // A frozen parameter is read as a constant: no gradient flows into it (a trained
  // decoder held fixed while inference moves a latent code; see nn::FrozenScope).
  bool requires_grad() const { return requires_grad_; }
  void set_requires_grad(bool on) { requires_grad_ = on; }

 private:
  friend class Tape;
  friend class Var;
  // Writes, even from grad() const: two threads reading a parameter whose zeros are
  // pending race (none does: a frozen, shared parameter is never zero_grad()ed and read).
  void write_pending_zeros() const {
    if (!grad_unwritten_) return;
    grad_.fill(0.0f);
    grad_unwritten_ = false;
  }

  std::string name_;
  Tensor value_;
  mutable Tensor grad_;  // mutable for the lazy zeros: logically, it was zeroed at zero_grad()
  mutable bool grad_unwritten_ = false;
  bool requires_grad_ = true;
};

// The module whose forward is running, recorded on every node made meanwhile (for
// messages and pictures). Modules set it; the innermost scope wins.
class ModuleScope {
 public:
  explicit ModuleScope(const std::string* module_path);
  ~ModuleScope();
  ModuleScope(const ModuleScope&) = delete;
  ModuleScope& operator=(const ModuleScope&) = delete;
  static const std::string* current();

 private:
  const std::string* previous_;
};

// Inside its scope, on this thread, ops compute values but record no gradient links:
// their results are constants (for evaluation, and for optimizer updates).
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};
bool grad_enabled();

}  // namespace aevb
