#include "models/inference/gibbs.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "autodiff/error.h"

namespace aevb::models::inference {
namespace {

constexpr double kPriorRange = 8;          // |z_j| <= 8 holds all of N(0, 1) but 1e-15
constexpr double kNegligibleMass = 1e-12;  // cells of the first grid below this share are dropped

// Evaluates, for every chain r, coordinate j at the grid points low[r] + (k + 1/2)
// width[r], k < points, the others held at z[r]; fills log_f [R * points].
void conditional_on_grid(LatentTarget& target, const Tensor& z, int64_t j, const std::vector<double>& low,
                         const std::vector<double>& width, int64_t points, Tensor& grid_codes, TargetValues& values,
                         std::vector<double>& log_f) {
  const int64_t rows = z.shape()[0], dimension = z.shape()[1];
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = 0; k < points; ++k) {
      float* code = row(grid_codes, r * points + k);
      std::copy(row(z, r), row(z, r) + dimension, code);
      code[j] = static_cast<float>(low[size_t(r)] + (k + 0.5) * width[size_t(r)]);
    }
  target.evaluate(grid_codes, 1.0, false, values);
  log_f.resize(static_cast<size_t>(rows * points));
  for (int64_t i = 0; i < rows * points; ++i) log_f[size_t(i)] = values.log_density(i, 1);
}

// Cell masses proportional to exp(log_f - max), for one chain's `points` cells.
void cell_masses(const double* log_f, int64_t points, std::vector<double>& mass) {
  const double top = *std::max_element(log_f, log_f + points);
  mass.resize(static_cast<size_t>(points));
  double total = 0;
  for (int64_t k = 0; k < points; ++k) total += mass[size_t(k)] = std::isfinite(top) ? std::exp(log_f[k] - top) : 1;
  for (double& m : mass) m /= total;
}

}  // namespace

ChainRun run_gibbs(LatentTarget& target, const Tensor& initial, const GibbsOptions& options, Rng& rng,
                   const ProgressFn& progress) {
  check(options.warmup >= 0 && options.samples >= 1 && options.points >= 8, "run_gibbs: bad options");
  const auto start = std::chrono::steady_clock::now();
  const int64_t rows = initial.shape()[0], dimension = initial.shape()[1], points = options.points;
  // The rows of the grids are grouped by image as the target needs: chain r's points
  // follow one another, and chains follow their image's order.
  Tensor z = initial, grid_codes({rows * points, dimension});
  TargetValues values;
  std::vector<double> low(static_cast<size_t>(rows)), width(static_cast<size_t>(rows)), log_f, mass;
  ChainRun run;
  run.samples = Tensor({options.samples, rows, dimension});
  run.acceptance.assign(static_cast<size_t>(rows), 1.0);  // every Gibbs draw is accepted
  run.step_size.assign(static_cast<size_t>(rows), 0.0);   // the mean width of the fine cells, below
  const int64_t total = options.warmup + options.samples;
  for (int64_t sweep = 0; sweep < total; ++sweep) {
    for (int64_t j = 0; j < dimension; ++j) {
      // The coarse grid over the prior's range, then the fine grid over its cells with mass.
      std::fill(low.begin(), low.end(), -kPriorRange);
      std::fill(width.begin(), width.end(), 2 * kPriorRange / double(points));
      conditional_on_grid(target, z, j, low, width, points, grid_codes, values, log_f);
      for (int64_t r = 0; r < rows; ++r) {
        cell_masses(log_f.data() + r * points, points, mass);
        int64_t first = 0, last = points - 1;
        while (first < last && mass[size_t(first)] < kNegligibleMass) ++first;
        while (last > first && mass[size_t(last)] < kNegligibleMass) --last;
        const double coarse = width[size_t(r)];
        low[size_t(r)] = -kPriorRange + double(std::max<int64_t>(0, first - 1)) * coarse;
        const double high = -kPriorRange + double(std::min(points, last + 2)) * coarse;
        width[size_t(r)] = (high - low[size_t(r)]) / double(points);
      }
      conditional_on_grid(target, z, j, low, width, points, grid_codes, values, log_f);
      for (int64_t r = 0; r < rows; ++r) {
        cell_masses(log_f.data() + r * points, points, mass);
        double u = rng.uniform(), cumulative = 0;
        int64_t cell = points - 1;
        for (int64_t k = 0; k < points; ++k)
          if ((cumulative += mass[size_t(k)]) >= u) {
            cell = k;
            break;
          }
        row(z, r)[j] = static_cast<float>(low[size_t(r)] + (double(cell) + rng.uniform()) * width[size_t(r)]);
        if (sweep >= options.warmup) run.step_size[size_t(r)] += width[size_t(r)] / double(options.samples * dimension);
      }
    }
    if (sweep >= options.warmup)
      std::copy(z.data(), z.data() + rows * dimension,
                run.samples.data() + (sweep - options.warmup) * rows * dimension);
    if (progress) progress(sweep + 1, total);
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

}  // namespace aevb::models::inference
