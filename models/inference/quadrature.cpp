#include "models/inference/quadrature.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "autodiff/error.h"

namespace aevb::models::inference {
namespace {

constexpr double kPriorBox = 6;
constexpr double kNegligibleMass = 1e-10;

struct Box {
  double low[2], high[2];
};

// log f(z) = log p(z) + log p(x | z) at the centres of side x side cells of each image's
// box: [N * side * side], image-major, then a (z_0) then b (z_1).
std::vector<double> log_joint_on_grids(LatentTarget& target, const std::vector<Box>& boxes, int64_t side) {
  const int64_t n = target.images(), cells = side * side;
  Tensor z({n * cells, 2});
  for (int64_t i = 0; i < n; ++i) {
    const Box& box = boxes[size_t(i)];
    const double wa = (box.high[0] - box.low[0]) / double(side), wb = (box.high[1] - box.low[1]) / double(side);
    for (int64_t a = 0; a < side; ++a)
      for (int64_t b = 0; b < side; ++b) {
        float* code = row(z, i * cells + a * side + b);
        code[0] = static_cast<float>(box.low[0] + (a + 0.5) * wa);
        code[1] = static_cast<float>(box.low[1] + (b + 0.5) * wb);
      }
  }
  TargetValues values;
  target.evaluate(z, 1.0, false, values);
  std::vector<double> log_f(static_cast<size_t>(n * cells));
  for (int64_t r = 0; r < n * cells; ++r) log_f[size_t(r)] = values.log_density(r, 1);
  return log_f;
}

double log_sum_exp(const double* a, int64_t count) {
  const double top = *std::max_element(a, a + count);
  if (!std::isfinite(top)) return top;
  double sum = 0;
  for (int64_t k = 0; k < count; ++k) sum += std::exp(a[k] - top);
  return top + std::log(sum);
}

}  // namespace

std::vector<PosteriorGrid> exact_posterior(LatentTarget& target, const QuadratureOptions& options,
                                           const ProgressFn& progress) {
  check(target.dimension() == 2, "exact_posterior: the latent has ", target.dimension(), " dimensions, not 2");
  check(options.tolerance > 0 && options.coarse_side >= 8 && options.first_side >= 4 &&
            options.largest_side >= options.first_side,
        "exact_posterior: bad options");
  const int64_t n = target.images(), coarse = options.coarse_side;
  const double coarse_width = 2 * kPriorBox / double(coarse), coarse_area = coarse_width * coarse_width;
  std::vector<Box> boxes(static_cast<size_t>(n), Box{{-kPriorBox, -kPriorBox}, {kPriorBox, kPriorBox}});
  const std::vector<double> coarse_log_f = log_joint_on_grids(target, boxes, coarse);
  // Each image's box of coarse cells with mass, and the log of the mass outside it.
  std::vector<double> log_outside(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const double* f = coarse_log_f.data() + i * coarse * coarse;
    const double total = log_sum_exp(f, coarse * coarse);
    int64_t a0 = coarse, a1 = -1, b0 = coarse, b1 = -1;
    for (int64_t a = 0; a < coarse; ++a)
      for (int64_t b = 0; b < coarse; ++b)
        if (std::exp(f[a * coarse + b] - total) > kNegligibleMass) {
          a0 = std::min(a0, a), a1 = std::max(a1, a), b0 = std::min(b0, b), b1 = std::max(b1, b);
        }
    check(a1 >= 0, "exact_posterior: image ", i, " has no finite posterior mass on the grid");
    a0 = std::max<int64_t>(0, a0 - 2), b0 = std::max<int64_t>(0, b0 - 2);
    a1 = std::min(coarse - 1, a1 + 2), b1 = std::min(coarse - 1, b1 + 2);
    boxes[size_t(i)] = {{-kPriorBox + double(a0) * coarse_width, -kPriorBox + double(b0) * coarse_width},
                        {-kPriorBox + double(a1 + 1) * coarse_width, -kPriorBox + double(b1 + 1) * coarse_width}};
    std::vector<double> outside;
    for (int64_t a = 0; a < coarse; ++a)
      for (int64_t b = 0; b < coarse; ++b)
        if (a < a0 || a > a1 || b < b0 || b > b1) outside.push_back(f[a * coarse + b] + std::log(coarse_area));
    log_outside[size_t(i)] = outside.empty() ? -std::numeric_limits<double>::infinity()
                                             : log_sum_exp(outside.data(), int64_t(outside.size()));
  }
  std::vector<PosteriorGrid> grids(static_cast<size_t>(n));
  std::vector<double> previous(static_cast<size_t>(n), std::numeric_limits<double>::quiet_NaN());
  int64_t refinements = 0, most = 0;
  for (int64_t s = options.first_side; s <= options.largest_side; s *= 2) ++most;
  for (int64_t side = options.first_side; side <= options.largest_side; side *= 2) {
    const std::vector<double> log_f = log_joint_on_grids(target, boxes, side);
    bool all_converged = true;
    for (int64_t i = 0; i < n; ++i) {
      const Box& box = boxes[size_t(i)];
      const double area = (box.high[0] - box.low[0]) * (box.high[1] - box.low[1]) / double(side * side);
      const double* f = log_f.data() + i * side * side;
      const double inside = log_sum_exp(f, side * side) + std::log(area);
      const double top = std::max(inside, log_outside[size_t(i)]);
      const double value = top + std::log(std::exp(inside - top) + std::exp(log_outside[size_t(i)] - top));
      PosteriorGrid& grid = grids[size_t(i)];
      grid.change = std::abs(value - previous[size_t(i)]);  // NaN on the first grid: not converged
      grid.converged = grid.change < options.tolerance;
      all_converged = all_converged && grid.converged;
      previous[size_t(i)] = value;
      grid.log_marginal = value;
      grid.side = side;
      for (int k = 0; k < 2; ++k) grid.low[k] = box.low[k], grid.high[k] = box.high[k];
      grid.density.resize(static_cast<size_t>(side * side));
      for (int64_t c = 0; c < side * side; ++c) grid.density[size_t(c)] = std::exp(f[c] - value);
    }
    if (progress) progress(++refinements, most);
    if (all_converged) break;
  }
  for (PosteriorGrid& grid : grids) {  // the moments of the normalized density on the last grid
    const int64_t side = grid.side;
    const double wa = (grid.high[0] - grid.low[0]) / double(side), wb = (grid.high[1] - grid.low[1]) / double(side);
    double mass = 0, m[2] = {0, 0}, c[3] = {0, 0, 0};
    for (int64_t a = 0; a < side; ++a)
      for (int64_t b = 0; b < side; ++b) {
        const double p = grid.density[size_t(a * side + b)], za = grid.low[0] + (a + 0.5) * wa,
                     zb = grid.low[1] + (b + 0.5) * wb;
        mass += p, m[0] += p * za, m[1] += p * zb, c[0] += p * za * za, c[1] += p * za * zb, c[2] += p * zb * zb;
      }
    m[0] /= mass, m[1] /= mass;
    grid.mean = {m[0], m[1]};
    grid.covariance = {c[0] / mass - m[0] * m[0], c[1] / mass - m[0] * m[1], c[1] / mass - m[0] * m[1],
                       c[2] / mass - m[1] * m[1]};
  }
  return grids;
}

}  // namespace aevb::models::inference
