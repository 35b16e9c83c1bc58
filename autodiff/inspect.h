// Seeing how gradients flow: the tape as text, the backward pass as text, and the
// graph as Graphviz dot with edges weighted by the gradient that flowed along them.
//
//   aevb::BackwardTrace trace = aevb::trace_backward(tape, loss);
//   std::cout << aevb::format_tape(tape) << aevb::format_trace(tape, trace);
//   std::ofstream("step.dot") << aevb::to_dot(tape, &trace);   // dot -Tpng step.dot -o step.png
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/tape.h"

namespace aevb {

// What a traced backward saw: the nodes in the order they ran, and for each the L2
// norm of the gradient it added to each of its inputs.
struct BackwardTrace {
  struct Step {
    int32_t node;
    std::vector<std::pair<int32_t, double>> passed;  // (input node, norm of what it received)
  };
  std::vector<Step> steps;
};

// tape.backward(loss), watching every node: what it added to each input's gradient
// (slower: each node's input gradients are copied before it runs).
BackwardTrace trace_backward(Tape& tape, Var loss);

// One line per node in execution order: index, op (or leaf kind), input indices, shape,
// value statistics (mean, std, min, max, non-finite count), the module it ran in, and,
// once backward has run, the same statistics of its gradient. Parameters, inputs and
// noise leaves are marked [param], [input], [noise].
std::string format_tape(const Tape& tape);

// The backward pass in the order it ran: for each node, the L2 norm of the gradient it
// passed to each of its inputs.
std::string format_trace(const Tape& tape, const BackwardTrace& trace);

// Graphviz dot: nodes labelled with op and shape and coloured by kind (parameter,
// input, noise, op); with a trace, edges labelled with the gradient norm that flowed
// along them and drawn thicker for more.
std::string to_dot(const Tape& tape, const BackwardTrace* trace = nullptr);

}  // namespace aevb
