// aevb autodiff: tensors, a tape, differentiable ops and a gradient checker.
//
// A worked example: fit y = 2x + 1 with one weight and one bias (tests/readme compiles
// and runs these lines, so they cannot drift from the API).
//
//   #include <autodiff/autodiff.h>
//
//   int main() {
//     aevb::Tensor inputs = aevb::Tensor::from_values({4, 1}, {0, 1, 2, 3});
//     aevb::Tensor targets = aevb::Tensor::from_values({4, 1}, {1, 3, 5, 7});
//     aevb::Parameter w("w", aevb::Tensor::zeros({1, 1})), b("b", aevb::Tensor::zeros({1}));
//     aevb::Tape tape;
//     for (int step = 0; step < 500; ++step) {
//       tape.clear();                                  // rewinds the arena: no allocation
//       aevb::Var x = tape.input(inputs);              // [N,1], copied onto the tape
//       aevb::Var y = aevb::linear(x, tape.param(w), tape.param(b));
//       aevb::Var loss = aevb::mse(y, tape.input(targets));
//       w.zero_grad();
//       b.zero_grad();
//       tape.backward(loss);                           // fills w.grad() and b.grad()
//       for (aevb::Parameter* p : {&w, &b})
//         for (int64_t i = 0; i < p->value().numel(); ++i) p->value()[i] -= 0.1f * p->grad()[i];
//     }
//     return w.value()[0] > 1.99f && w.value()[0] < 2.01f ? 0 : 1;  // w is 2 by now
//   }
//
// tape.h explains the tape's rules; ops.h lists every op; gradcheck.h checks new ones.
#pragma once

#include "autodiff/error.h"
#include "autodiff/gradcheck.h"
#include "autodiff/inspect.h"
#include "autodiff/ops.h"
#include "autodiff/shape.h"
#include "autodiff/tape.h"
#include "autodiff/tensor.h"
