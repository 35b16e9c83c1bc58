// Tests for autodiff/inspect.cpp and the tape's anomaly mode: exact output on a
// 3-node graph, and log(-1) stopped at the op that made it.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>

#include "autodiff/autodiff.h"

using namespace aevb;

namespace {
// loss = sum(w^2) for w = {1, 2}: three nodes, gradient {2, 4} at w.
struct ThreeNodes {
  Parameter w{"w", Tensor::from_values({2}, {1, 2})};
  Tape tape;
  BackwardTrace trace;
  ThreeNodes() { trace = trace_backward(tape, sum(square(tape.param(w)))); }
};
}  // namespace

TEST_CASE("the tape printer shows each node, its inputs, shape, value and gradient statistics") {
  ThreeNodes graph;
  CHECK(format_tape(graph.tape) ==
        "#0 w [param] [2]  value: mean 1.5 std 0.5 min 1 max 2\n"
        "      grad: mean 3 std 1 min 2 max 4\n"
        "#1 square(#0) [2]  value: mean 2.5 std 1.5 min 1 max 4\n"
        "      grad: mean 1 std 0 min 1 max 1\n"
        "#2 sum(#1) []  value: mean 5 std 0 min 5 max 5\n"
        "      grad: mean 1 std 0 min 1 max 1\n");
}

TEST_CASE("the backward trace shows the order and the norm passed to each input") {
  ThreeNodes graph;
  // sum passes {1, 1} (norm sqrt 2); square passes {2, 4} (norm sqrt 20)
  CHECK(format_trace(graph.tape, graph.trace) == "#2 sum ->  #1 square: 1.414\n#1 square ->  #0 w: 4.472\n");
  CHECK(graph.w.grad()[1] == 4);  // tracing changes nothing
}

TEST_CASE("the dot export labels nodes by op and shape, colours them by kind, weights edges by gradient") {
  ThreeNodes graph;
  CHECK(to_dot(graph.tape, &graph.trace) ==
        "digraph tape {\n  rankdir=TB;\n  node [shape=box, style=filled, fontname=\"Helvetica\", fontsize=10];\n"
        "  edge [fontname=\"Helvetica\", fontsize=9];\n"
        "  n0 [label=\"#0 w\\n[2]\", fillcolor=\"#fdd49e\"];\n"
        "  n1 [label=\"#1 square\\n[2]\", fillcolor=\"#deebf7\"];\n"
        "  n2 [label=\"#2 sum\\n[]\", fillcolor=\"#deebf7\"];\n"
        "  n0 -> n1 [label=\"4.47\", penwidth=4.5];\n"
        "  n1 -> n2 [label=\"1.41\", penwidth=2.75];\n"
        "}\n");
}

TEST_CASE("anomaly mode stops at the op that made a NaN, naming it and its inputs") {
  Tape tape;
  tape.set_anomaly_detection(true);
  Var y = log(tape.input(Tensor::from_values({1}, {-1})));
  CHECK_THROWS_WITH_AS(exp(y),
                       "anomaly: op log (node #1) produced 1 non-finite value(s) of shape [1]; its inputs:\n"
                       "  #0 input Tensor[1] mean=-1 std=0 min=-1 max=-1 {-1}",
                       Error);
  CHECK_THROWS_AS(y.item(), Error);  // reading it is stopped too
  Tape quiet;  // off by default: NaN flows on
  CHECK(std::isnan(exp(log(quiet.input(Tensor::from_values({1}, {-1})))).item()));
}

TEST_CASE("anomaly mode names the module, and AEVB_ANOMALY=1 turns it on") {
  ::setenv("AEVB_ANOMALY", "1", 1);
  Tape tape;
  ::unsetenv("AEVB_ANOMALY");
  CHECK(tape.anomaly_detection());
  std::string module = "encoder.hidden1";
  Var bad;
  {
    ModuleScope scope(&module);
    bad = div(tape.input(Tensor::ones({2})), tape.input(Tensor::zeros({2})));
  }
  try {
    sum(bad);
    FAIL("the division by zero went through");
  } catch (const Error& error) {
    CHECK(
        std::string(error.what()).rfind("anomaly: op div (node #2, module encoder.hidden1) produced 2 non-finite", 0) ==
        0);
  }
}
