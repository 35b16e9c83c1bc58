// gradcheck: compares reverse-mode gradients with central finite differences.
//
//   auto report = aevb::gradcheck([](std::span<const aevb::Var> x) { return aevb::tanh(x[0]); },
//                                 {aevb::Tensor::from_values({3}, {-1.f, 0.2f, 2.f})});
//   if (!report.passed) std::cerr << report.to_string();
//
// A non-scalar output y is projected to J = sum_i w_i y_i with fixed random weights w
// (so every output element is checked, and symmetric errors cannot cancel), J is
// evaluated in double from the float outputs, and for each input element
//   numeric = (J(x + h) - J(x - h)) / 2h,   h = step * max(1, |x|).
// An element passes when |analytic - numeric| <= tolerance * max(|analytic|, |numeric|, 1e-2).
//
// Why the defaults (step 1e-2, tolerance 1e-2) suit float32: J's rounding error from one
// perturbed output is about 6e-8 |y| / h ~ 1e-5 absolute, the truncation error of the
// central difference is about h^2 |f'''| / 6 ~ 2e-5 relative for smooth ops, so a correct
// derivative stays 100x below the tolerance while a wrong one (a missing factor, a sign,
// a missing term) is off by 10% or more. Gradients below 1e-2 are compared absolutely.
// Inputs must stay farther than h from kinks (relu at 0, abs at 0, clamp's bounds).
//
// An input whose analytic and numeric gradients are both zero everywhere fails: such a
// check would prove nothing. Non-finite gradients fail.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "autodiff/tape.h"

namespace aevb {

struct GradcheckOptions {
  double step = 1e-2;
  double tolerance = 1e-2;
  uint64_t seed = 12345;  // for the projection weights
};

struct GradcheckInputResult {
  double worst_error = 0;       // the largest scaled error over this input's elements
  int64_t worst_index = -1;     // the flat index where it occurs
  double analytic_at_worst = 0;
  double numeric_at_worst = 0;
  bool all_zero = false;        // both gradients were zero at every element
  bool non_finite = false;      // a gradient was inf or NaN
  bool passed = false;
};

struct GradcheckReport {
  bool passed = false;
  std::vector<GradcheckInputResult> inputs;
  std::string to_string() const;  // one line per input
};

using GradcheckFunction = std::function<Var(std::span<const Var>)>;

// Records f on a fresh tape with each input as a leaf that needs a gradient.
GradcheckReport gradcheck(const GradcheckFunction& f, std::vector<Tensor> inputs, GradcheckOptions options = {});

}  // namespace aevb
