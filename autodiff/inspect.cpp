#include "autodiff/inspect.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

namespace aevb {
namespace {

std::string statistics(const Shape& shape, const float* values) {
  const ValueStats s = value_stats(values, shape.numel());
  char text[160];
  std::snprintf(text, sizeof text, "mean %.4g std %.4g min %.4g max %.4g", s.mean, s.stddev, s.min, s.max);
  std::string out = text;
  if (s.non_finite > 0) out += " non-finite " + std::to_string(s.non_finite);
  return out;
}

const char* kind_mark(NodeKind kind) {
  switch (kind) {
    case NodeKind::parameter: return "[param]";
    case NodeKind::input: return "[input]";
    case NodeKind::noise: return "[noise]";
    case NodeKind::op: return "";
  }
  return "";
}

std::string inputs_of(const Node& n) {
  std::string text = "(";
  for (int32_t i = 0; i < n.input_count; ++i) text += (i ? ", #" : "#") + std::to_string(n.inputs[i]);
  return text + ")";
}

// A parameter is named by its module's path and its own name: encoder.hidden1.weight.
std::string label_of(const Node& n) {
  if (n.kind == NodeKind::parameter && n.parameter)
    return n.module ? *n.module + "." + n.parameter->name() : n.parameter->name();
  return n.op;
}

}  // namespace

std::string format_tape(const Tape& tape) {
  std::ostringstream out;
  for (int32_t i = 0; i < tape.size(); ++i) {
    const Node& n = tape.node_at(i);
    out << "#" << i << " " << label_of(n);
    if (n.kind == NodeKind::op)
      out << inputs_of(n);
    else
      out << " " << kind_mark(n.kind);
    out << " " << n.shape << "  value: " << statistics(n.shape, n.value);
    if (n.module) out << "  in " << *n.module;
    if (tape.backward_done() && n.grad) out << "\n      grad: " << statistics(n.shape, n.grad);
    out << "\n";
  }
  return out.str();
}

namespace {

// Keeps each input's gradient before a node runs and measures what the node added.
class TraceObserver : public BackwardObserver {
 public:
  explicit TraceObserver(BackwardTrace& trace) : trace_(trace) {}

  void before(const Tape& tape, int32_t index) override {
    const Node& n = tape.node_at(index);
    before_.clear();
    for (int32_t k = 0; k < n.input_count; ++k) {
      const Node& input = tape.node_at(n.inputs[k]);
      before_.emplace_back(input.grad ? std::vector<float>(input.grad, input.grad + input.shape.numel())
                                      : std::vector<float>());
    }
  }

  void after(const Tape& tape, int32_t index) override {
    const Node& n = tape.node_at(index);
    BackwardTrace::Step step{index, {}};
    for (int32_t k = 0; k < n.input_count; ++k) {
      const Node& input = tape.node_at(n.inputs[k]);
      if (!input.grad) continue;
      const std::vector<float>& was = before_[static_cast<std::size_t>(k)];
      double squares = 0;
      for (int64_t e = 0; e < input.shape.numel(); ++e) {
        const double delta =
            static_cast<double>(input.grad[e]) - (was.empty() ? 0.0 : was[static_cast<std::size_t>(e)]);
        squares += delta * delta;
      }
      step.passed.emplace_back(n.inputs[k], std::sqrt(squares));
    }
    trace_.steps.push_back(std::move(step));
  }

 private:
  BackwardTrace& trace_;
  std::vector<std::vector<float>> before_;
};

}  // namespace

BackwardTrace trace_backward(Tape& tape, Var loss) {
  BackwardTrace trace;
  TraceObserver observer(trace);
  tape.backward(loss, observer);
  return trace;
}

std::string format_trace(const Tape& tape, const BackwardTrace& trace) {
  std::ostringstream out;
  out.precision(4);
  for (const BackwardTrace::Step& step : trace.steps) {
    const Node& n = tape.node_at(step.node);
    out << "#" << step.node << " " << n.op << " ->";
    for (const auto& [input, norm] : step.passed)
      out << "  #" << input << " " << label_of(tape.node_at(input)) << ": " << norm;
    out << "\n";
  }
  return out.str();
}

std::string to_dot(const Tape& tape, const BackwardTrace* trace) {
  std::map<std::pair<int32_t, int32_t>, double> flowed;  // (from, to) in forward direction -> gradient norm
  double largest = 0;
  if (trace)
    for (const BackwardTrace::Step& step : trace->steps)
      for (const auto& [input, norm] : step.passed) {
        flowed[{input, step.node}] = norm;
        largest = std::max(largest, norm);
      }
  std::ostringstream out;
  out << "digraph tape {\n  rankdir=TB;\n  node [shape=box, style=filled, fontname=\"Helvetica\", fontsize=10];\n"
      << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  for (int32_t i = 0; i < tape.size(); ++i) {
    const Node& n = tape.node_at(i);
    const char* colour = n.kind == NodeKind::parameter ? "#fdd49e" : n.kind == NodeKind::input ? "#d9d9d9"
                         : n.kind == NodeKind::noise   ? "#c7e9c0"
                                                       : "#deebf7";
    out << "  n" << i << " [label=\"#" << i << " " << label_of(n) << "\\n" << n.shape.to_string() << "\", fillcolor=\""
        << colour << "\"];\n";
  }
  out.precision(3);
  for (int32_t i = 0; i < tape.size(); ++i) {
    const Node& n = tape.node_at(i);
    for (int32_t k = 0; k < n.input_count; ++k) {
      const int32_t from = n.inputs[k];
      out << "  n" << from << " -> n" << i;
      auto found = flowed.find({from, i});
      if (found != flowed.end()) {
        const double width = 0.5 + 4.0 * (largest > 0 ? std::sqrt(found->second / largest) : 0.0);
        out << " [label=\"" << found->second << "\", penwidth=" << width << "]";
      }
      out << ";\n";
    }
  }
  out << "}\n";
  return out.str();
}

}  // namespace aevb
