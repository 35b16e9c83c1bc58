#include "autodiff/gradcheck.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "autodiff/ops.h"

namespace aevb {
namespace {

constexpr double kAbsoluteFloor = 1e-2;  // gradients smaller than this are compared absolutely

struct Evaluation {
  Shape output_shape;
  std::vector<float> output;
};

// Runs f once on `tape` with the parameters as leaves.
Var record(Tape& tape, const GradcheckFunction& f, std::vector<Parameter>& parameters, std::vector<Var>& leaves) {
  tape.clear();
  leaves.clear();
  for (Parameter& parameter : parameters) leaves.push_back(tape.param(parameter));
  return f(leaves);
}

double projected(const Var& output, const std::vector<float>& weights) {
  double total = 0;
  const float* values = output.data();
  for (size_t i = 0; i < weights.size(); ++i) total += static_cast<double>(weights[i]) * values[i];
  return total;
}

}  // namespace

GradcheckReport gradcheck(const GradcheckFunction& f, std::vector<Tensor> inputs, GradcheckOptions options) {
  std::vector<Parameter> parameters;
  parameters.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) parameters.emplace_back("input" + std::to_string(i), std::move(inputs[i]));

  Tape tape;
  std::vector<Var> leaves;
  Var output = record(tape, f, parameters, leaves);
  const Shape output_shape = output.shape();

  // Projection weights in [0.5, 1.5] with random signs: never zero, never symmetric.
  Rng rng(options.seed);
  std::vector<float> weights(static_cast<size_t>(output.numel()));
  for (float& w : weights) w = (rng.uniform() < 0.5f ? -1.0f : 1.0f) * rng.uniform(0.5f, 1.5f);

  // Analytic: backward of sum(w * y), through the lazy zeros (tape.h): each gradient's
  // memory holds NaN, marked zero, so a first write that reads it instead of
  // overwriting it fails the check.
  for (Parameter& parameter : parameters) {
    parameter.grad().fill(std::nanf(""));
    parameter.zero_grad();
  }
  Var projection = sum(mul(output, tape.input(Tensor::from_values(output_shape, weights))));
  tape.backward(projection);
  std::vector<Tensor> analytic;
  for (Parameter& parameter : parameters) analytic.push_back(parameter.grad());

  GradcheckReport report;
  report.passed = true;
  for (size_t p = 0; p < parameters.size(); ++p) {
    GradcheckInputResult result;
    Tensor& value = parameters[p].value();
    bool any_nonzero = false;
    for (int64_t i = 0; i < value.numel(); ++i) {
      const float original = value[i];
      const double h = options.step * std::max(1.0, std::fabs(static_cast<double>(original)));
      // The perturbed points, rounded to float; the difference uses the actual spacing.
      const float plus_point = static_cast<float>(original + h), minus_point = static_cast<float>(original - h);
      value[i] = plus_point;
      double plus = projected(record(tape, f, parameters, leaves), weights);
      value[i] = minus_point;
      double minus = projected(record(tape, f, parameters, leaves), weights);
      value[i] = original;

      double numeric = (plus - minus) / (static_cast<double>(plus_point) - minus_point);
      double exact = analytic[p][i];
      if (!std::isfinite(numeric) || !std::isfinite(exact)) {
        result.non_finite = true;
        result.worst_index = i;
        result.analytic_at_worst = exact;
        result.numeric_at_worst = numeric;
        result.worst_error = std::numeric_limits<double>::infinity();
        continue;
      }
      any_nonzero = any_nonzero || exact != 0.0 || numeric != 0.0;
      double error = std::fabs(exact - numeric) / std::max({std::fabs(exact), std::fabs(numeric), kAbsoluteFloor});
      if (error > result.worst_error || result.worst_index < 0) {
        result.worst_error = error;
        result.worst_index = i;
        result.analytic_at_worst = exact;
        result.numeric_at_worst = numeric;
      }
    }
    result.all_zero = !any_nonzero && !result.non_finite;
    result.passed = !result.all_zero && !result.non_finite && result.worst_error <= options.tolerance;
    report.passed = report.passed && result.passed;
    report.inputs.push_back(result);
  }
  return report;
}

std::string GradcheckReport::to_string() const {
  std::ostringstream text;
  text << "gradcheck " << (passed ? "passed" : "FAILED") << "\n";
  for (size_t p = 0; p < inputs.size(); ++p) {
    const GradcheckInputResult& r = inputs[p];
    text << "  input " << p << ": ";
    if (r.all_zero)
      text << "both gradients are zero everywhere: the check proves nothing";
    else
      text << "worst error " << r.worst_error << " at element " << r.worst_index << " (analytic "
           << r.analytic_at_worst << ", numeric " << r.numeric_at_worst << ")" << (r.non_finite ? ", non-finite" : "");
    text << (r.passed ? "" : "  <-- fails") << "\n";
  }
  return text.str();
}

}  // namespace aevb
