// The distributions against an independent oracle, where the first checks found them
// short (issue "Distributions, checked against an independent oracle"):
//   - KL(Kumaraswamy || Beta) against quadratures of the densities (mpmath, 50 digits:
//     tests/nn/distributions/oracle_values.py prints every constant below) and the
//     identity Kumaraswamy(1, b) = Beta(1, b), down to b = 0.05;
//   - the KL registry dispatches on dynamic types: wrappers and transformed families;
//   - every family at and beyond each end of its support: -inf outside with zero
//     gradient, the finite value at an end where a shape is exactly 1, never NaN;
//   - Gamma draws at shapes 0.05 and 0.1, Kolmogorov-Smirnov on the log scale;
//   - the continuous Bernoulli's cdf, icdf, entropy, variance and rsample.
#include <doctest/doctest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "autodiff/autodiff.h"
#include "autodiff/kernels/special_functions.h"
#include "nn/distributions/distributions.h"

using namespace aevb;
using namespace aevb::nn;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

Var scalar(Tape& tape, float value) { return tape.input(Tensor::from_values({1}, {value})); }

double close_to(double value, double expected, double relative) {
  return std::fabs(value - expected) <= relative * std::max(1.0, std::fabs(expected));
}

// Kolmogorov-Smirnov's D for float draws: each float value stands for the draws that
// round to it, the interval halfway to its neighbours, so the empirical cdf after (before)
// a value is compared with the cdf at that interval's top (bottom). Near 1 a float's
// interval holds real mass (Beta(0.1, 0.1): 1% within 6e-8 of 1); a test on the values
// alone would read that as a misfit.
double ks_statistic_of_floats(std::vector<float> values, const std::function<double(double)>& cdf) {
  std::sort(values.begin(), values.end());
  const double n = static_cast<double>(values.size());
  double d = 0;
  for (size_t i = 0; i < values.size();) {
    size_t j = i;
    while (j < values.size() && values[j] == values[i]) ++j;
    const double v = values[i];
    const double below = 0.5 * (v + std::nextafter(values[i], -kInf)),
                 above = 0.5 * (v + std::nextafter(values[i], kInf));
    d = std::max(
        {d, std::fabs(static_cast<double>(i) / n - cdf(below)), std::fabs(static_cast<double>(j) / n - cdf(above))});
    i = j;
  }
  return d;
}

// The largest |empirical cdf - cdf| over sorted values (Kolmogorov-Smirnov's D).
double ks_statistic(std::vector<double> values, const std::function<double(double)>& cdf) {
  std::sort(values.begin(), values.end());
  const double n = static_cast<double>(values.size());
  double d = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const double f = cdf(values[i]);
    d = std::max({d, std::fabs(f - static_cast<double>(i) / n), std::fabs(static_cast<double>(i + 1) / n - f)});
  }
  return d;
}

}  // namespace

TEST_CASE("kumaraswamy_log1m_mean: closed forms at a = 1, and gradcheck in a and b") {
  // Z ~ Kumaraswamy(1, b) is Beta(1, b): E log(1 - Z) = digamma(b) - digamma(1 + b) = -1/b.
  for (double b : {0.05, 0.2, 1.0, 5.0, 40.0}) {
    INFO("b = " << b);
    CHECK(close_to(kernels::kumaraswamy_log1m_mean(1.0, b).value, -1.0 / b, 1e-13));
    CHECK(close_to(kernels::kumaraswamy_log1m_mean(1.0, b).d_b, 1.0 / (b * b), 1e-11));
  }
  // a = 2, b = 0.5: E log(1 - Z) = -(pi/2 + 1) (the mpmath quadrature gives -2.5707963267949).
  CHECK(close_to(kernels::kumaraswamy_log1m_mean(2.0, 0.5).value, -2.5707963267949, 1e-13));
  CHECK(std::isnan(kernels::kumaraswamy_log1m_mean(0.0, 1.0).value));
  CHECK(std::isnan(kernels::kumaraswamy_log1m_mean(1.0, -1.0).value));
  GradcheckReport report = gradcheck(
      [](std::span<const Var> v) { return kumaraswamy_log1m_mean(exp(v[0]), exp(v[1])); },
      {Tensor::from_values({4}, {std::log(0.3f), 0.0f, std::log(2.0f), std::log(5.0f)}),
       Tensor::from_values({4}, {std::log(0.15f), std::log(0.7f), std::log(3.0f), std::log(8.0f)})});
  INFO(report.to_string());
  CHECK(report.passed);
}

TEST_CASE("KL(Kumaraswamy || Beta) against quadratures of the densities and the Beta identity") {
  struct Case {
    float a, b, alpha, beta;
    double expected;  // mpmath quadrature of log K(z) - log B(z) over z = F_K^-1(w), 50 digits
  };
  const Case cases[] = {
      {1.0f, 0.2f, 1.0f, 3.0f, 11.2919497989},  {1.0f, 1.0f, 1.0f, 5.0f, 2.3905620876},
      {2.0f, 0.5f, 1.0f, 5.0f, 9.3668945753},   {2.0f, 3.0f, 1.5f, 2.5f, 0.0889006328},
      {0.5f, 0.1f, 2.0f, 2.0f, 14.0330663943},  {5.0f, 0.05f, 1.0f, 1.0f, 17.5502091000},
      {3.0f, 8.0f, 0.7f, 0.4f, 0.9614706762},   {1.0f, 0.05f, 1.0f, 3.0f, 54.9056554378},
  };
  for (const Case& c : cases) {
    INFO("K(" << c.a << ", " << c.b << ") || B(" << c.alpha << ", " << c.beta << ")");
    Tape tape;
    Kumaraswamy p(scalar(tape, c.a), scalar(tape, c.b));
    Beta q(scalar(tape, c.alpha), scalar(tape, c.beta));
    // float32 throughout the formula: lgamma and digamma of floats, a few ulps each.
    CHECK(close_to(kl_divergence(p, q).data()[0], c.expected, 2e-5));
    if (c.a == 1.0f) {  // Kumaraswamy(1, b) is Beta(1, b), whose KL has a closed form
      Beta same(scalar(tape, 1.0f), scalar(tape, c.b));
      CHECK(close_to(kl_divergence(p, q).data()[0], kl_divergence(same, q).data()[0], 2e-5));
    }
  }
  // Gradients in all four parameters (the stick-breaking VAE trains through them).
  GradcheckReport report = gradcheck(
      [](std::span<const Var> v) {
        Kumaraswamy p(exp(v[0]), exp(v[1]));
        Beta q(exp(v[2]), exp(v[3]));
        return kl_divergence(p, q);
      },
      {Tensor::from_values({3}, {0.0f, 0.7f, -0.5f}), Tensor::from_values({3}, {-1.2f, 1.1f, 0.3f}),
       Tensor::from_values({3}, {0.4f, 0.0f, -0.3f}), Tensor::from_values({3}, {1.0f, -0.6f, 0.2f})});
  INFO(report.to_string());
  CHECK(report.passed);
}

TEST_CASE("the KL registry dispatches on dynamic types: wrappers and transformed families") {
  Tape tape;
  auto normal = [&](float loc, float scale) {
    return std::make_unique<Normal>(scalar(tape, loc), scalar(tape, scale));
  };
  Normal plain(scalar(tape, 0.3f), scalar(tape, 1.2f));
  Normal target(scalar(tape, -0.5f), scalar(tape, 0.7f));
  const float expected = kl_divergence(plain, target).data()[0];

  // InverseCdfSampled shares its base's family name; before, the registry cast it to a
  // LocationScale it is not (undefined behaviour). Now it is its base, for KL.
  InverseCdfSampled wrapped(normal(0.3f, 1.2f), tape);
  CHECK(has_analytic_kl(wrapped, target));
  CHECK(kl_divergence(wrapped, target).data()[0] == expected);
  InverseCdfSampled wrapped_target(normal(-0.5f, 0.7f), tape);
  CHECK(kl_divergence(plain, wrapped_target).data()[0] == expected);
  CHECK(kl_divergence(wrapped, wrapped_target).data()[0] == expected);

  InverseCdfSampled kumaraswamy(std::make_unique<Kumaraswamy>(scalar(tape, 2.0f), scalar(tape, 3.0f)), tape);
  Beta beta(scalar(tape, 1.5f), scalar(tape, 2.5f));
  CHECK(close_to(kl_divergence(kumaraswamy, beta).data()[0], 0.0889006328, 2e-5));

  // ChiSquared(k) is Gamma(k/2, 1/2), and is one by type: the Gamma pair serves it.
  ChiSquared chi(scalar(tape, 3.0f));
  Gamma as_gamma(scalar(tape, 1.5f), scalar(tape, 0.5f));
  Gamma other(scalar(tape, 2.0f), scalar(tape, 1.3f));
  CHECK(kl_divergence(chi, other).data()[0] == doctest::Approx(kl_divergence(as_gamma, other).data()[0]).epsilon(1e-6));

  // A transformed family has no registered pair: an error naming both, never a cast.
  std::vector<std::unique_ptr<Transform>> transforms;
  transforms.push_back(std::make_unique<ExpTransform>());
  TransformedDistribution transformed(normal(0.0f, 1.0f), std::move(transforms));
  CHECK_FALSE(has_analytic_kl(transformed, target));
  CHECK_THROWS_WITH_AS(kl_divergence(transformed, target),
                       doctest::Contains("no analytic form for Transformed || Normal"), Error);
  LogNormal lognormal(scalar(tape, 0.0f), scalar(tape, 1.0f));
  CHECK_THROWS_WITH_AS(kl_divergence(lognormal, target), doctest::Contains("no analytic form for LogNormal || Normal"),
                       Error);
}

TEST_CASE("every family at and beyond each end of its support: values and gradients, never NaN") {
  struct Probe {
    const char* family;
    std::function<std::unique_ptr<Distribution>(Tape&, const std::vector<Var>&)> make;
    std::vector<float> parameters;
    float x;
    float expected;  // log p(x); -inf outside the support
  };
  auto gamma = [](Tape&, const std::vector<Var>& v) { return std::make_unique<Gamma>(v[0], v[1]); };
  auto chi = [](Tape&, const std::vector<Var>& v) { return std::make_unique<ChiSquared>(v[0]); };
  auto weibull = [](Tape&, const std::vector<Var>& v) { return std::make_unique<Weibull>(v[0], v[1]); };
  auto lognormal = [](Tape&, const std::vector<Var>& v) { return std::make_unique<LogNormal>(v[0], v[1]); };
  auto beta = [](Tape&, const std::vector<Var>& v) { return std::make_unique<Beta>(v[0], v[1]); };
  auto kumaraswamy = [](Tape&, const std::vector<Var>& v) { return std::make_unique<Kumaraswamy>(v[0], v[1]); };
  auto exponential = [](Tape&, const std::vector<Var>& v) { return std::make_unique<Exponential>(v[0]); };
  auto uniform = [](Tape&, const std::vector<Var>& v) { return std::make_unique<Uniform>(v[0], v[1]); };
  const std::vector<Probe> probes = {
      // The boundary values: a shape of exactly 1 makes the density finite at 0.
      {"Gamma(1, 1.7) at 0", gamma, {1.0f, 1.7f}, 0.0f, std::log(1.7f)},
      {"ChiSquared(2) at 0", chi, {2.0f}, 0.0f, std::log(0.5f)},
      {"Weibull(scale 1.4, k 1) at 0", weibull, {1.4f, 1.0f}, 0.0f, std::log(1.0f / 1.4f)},
      {"Beta(1, 0.7) at 0", beta, {1.0f, 0.7f}, 0.0f, std::log(0.7f)},
      {"Kumaraswamy(1, 3.2) at 0", kumaraswamy, {1.0f, 3.2f}, 0.0f, std::log(3.2f)},
      {"Exponential(1.7) at 0", exponential, {1.7f}, 0.0f, std::log(1.7f)},
      {"Beta(2.5, 1) at 1", beta, {2.5f, 1.0f}, 1.0f, std::log(2.5f)},
      {"Kumaraswamy(2, 1) at 1", kumaraswamy, {2.0f, 1.0f}, 1.0f, std::log(2.0f)},
      // Shapes above 1: the density is 0 at the end; below 1 it is infinite.
      {"Gamma(2.5, 1) at 0", gamma, {2.5f, 1.0f}, 0.0f, -kInf},
      {"Gamma(0.5, 1) at 0", gamma, {0.5f, 1.0f}, 0.0f, kInf},
      {"Beta(2, 3) at 1", beta, {2.0f, 3.0f}, 1.0f, -kInf},
      {"Weibull(1, 2) at 0", weibull, {1.0f, 2.0f}, 0.0f, -kInf},
      {"LogNormal at 0", lognormal, {0.3f, 0.8f}, 0.0f, -kInf},
      // Beyond each end.
      {"Gamma below 0", gamma, {2.5f, 1.0f}, -1.0f, -kInf},
      {"Gamma(1, 1.7) below 0", gamma, {1.0f, 1.7f}, -1.0f, -kInf},
      {"Gamma at +inf", gamma, {2.5f, 1.0f}, kInf, -kInf},
      {"ChiSquared below 0", chi, {3.0f}, -1.0f, -kInf},
      {"Weibull below 0", weibull, {1.4f, 1.5f}, -1.0f, -kInf},
      {"Weibull at +inf", weibull, {1.4f, 1.5f}, kInf, -kInf},
      {"LogNormal at -1", lognormal, {0.3f, 0.8f}, -1.0f, -kInf},
      {"LogNormal at +inf", lognormal, {0.3f, 0.8f}, kInf, -kInf},
      {"Beta below 0", beta, {2.0f, 3.0f}, -0.5f, -kInf},
      {"Beta above 1", beta, {2.0f, 3.0f}, 1.5f, -kInf},
      {"Kumaraswamy below 0", kumaraswamy, {2.0f, 3.0f}, -0.5f, -kInf},
      {"Kumaraswamy above 1", kumaraswamy, {2.0f, 3.0f}, 2.0f, -kInf},
      {"Exponential below 0", exponential, {1.7f}, -1.0f, -kInf},
      {"Exponential at +inf", exponential, {1.7f}, kInf, -kInf},
      {"Uniform(-1, 1) at its end 1", uniform, {-1.0f, 1.0f}, 1.0f, std::log(0.5f)},
      {"Uniform(-1, 1) below low", uniform, {-1.0f, 1.0f}, -2.0f, -kInf},
      {"Uniform(-1, 1) above high", uniform, {-1.0f, 1.0f}, 1.5f, -kInf},
      {"Uniform(-1, 1) at +inf", uniform, {-1.0f, 1.0f}, kInf, -kInf},
  };
  for (const Probe& probe : probes) {
    INFO(std::string(probe.family));
    Tape tape;
    std::vector<Parameter> parameters;
    parameters.reserve(probe.parameters.size());
    for (size_t i = 0; i < probe.parameters.size(); ++i)
      parameters.emplace_back("p" + std::to_string(i), Tensor::from_values({1}, {probe.parameters[i]}));
    std::vector<Var> vars;
    for (Parameter& p : parameters) vars.push_back(tape.param(p));
    std::unique_ptr<Distribution> d = probe.make(tape, vars);
    Var log_p = d->log_prob(scalar(tape, probe.x));
    const float value = log_p.data()[0];
    if (std::isinf(probe.expected))
      CHECK(value == probe.expected);
    else
      CHECK(value == doctest::Approx(probe.expected).epsilon(1e-6));
    tape.backward(sum(log_p));
    for (Parameter& p : parameters) {
      INFO("gradient of " << p.name() << ": " << p.grad()[0]);
      CHECK_FALSE(std::isnan(p.grad()[0]));
      if (probe.expected == -kInf && (probe.x < 0 || probe.x > 1e30f || probe.x == 1.5f || probe.x == 2.0f))
        CHECK(p.grad()[0] == 0.0f);  // outside the support: 0 whatever the parameters
    }
  }
  // A NaN x stays NaN.
  Tape tape;
  Gamma g(scalar(tape, 2.0f), scalar(tape, 1.0f));
  CHECK(std::isnan(g.log_prob(scalar(tape, std::nanf(""))).data()[0]));
  // LogNormal's cdf is 0 at and below 0 (it was NaN at -1).
  LogNormal lognormal_d(scalar(tape, 0.3f), scalar(tape, 0.8f));
  CHECK(lognormal_d.cdf(scalar(tape, -1.0f)).data()[0] == 0.0f);
  CHECK(lognormal_d.cdf(scalar(tape, 0.0f)).data()[0] == 0.0f);
  CHECK(lognormal_d.cdf(scalar(tape, kInf)).data()[0] == 1.0f);
  // Inside the support nothing changed: log_prob's gradcheck in x and both shapes.
  using Make = std::function<std::unique_ptr<Distribution>(Var, Var)>;
  const std::vector<std::pair<const char*, Make>> two_shape_families = {
      {"Beta", [](Var a, Var b) { return std::make_unique<Beta>(a, b); }},
      {"Kumaraswamy", [](Var a, Var b) { return std::make_unique<Kumaraswamy>(a, b); }},
      {"Weibull", [](Var scale, Var k) { return std::make_unique<Weibull>(scale, k); }},
  };
  for (const auto& [name, make] : two_shape_families) {
    const bool unit_interval = std::string(name) != "Weibull";
    GradcheckReport report = gradcheck(
        [&](std::span<const Var> v) { return make(exp(v[1]), exp(v[2]))->log_prob(v[0]); },
        {unit_interval ? Tensor::from_values({3}, {0.2f, 0.5f, 0.85f}) : Tensor::from_values({3}, {0.3f, 1.1f, 2.4f}),
         Tensor::from_values({3}, {0.3f, -0.4f, 0.0f}), Tensor::from_values({3}, {0.1f, 0.6f, -0.2f})});
    INFO(name << " " << report.to_string());
    CHECK(report.passed);
  }
}

TEST_CASE("Gamma draws at shapes 0.05 and 0.1: no clamp, Kolmogorov-Smirnov on the log scale") {
  const int64_t draws = 200000;
  // 0.1% critical value of sqrt(n) D: 1.949.
  const double critical = 1.949 / std::sqrt(static_cast<double>(draws));
  for (float shape : {0.05f, 0.1f}) {
    INFO("Gamma(" << shape << ", 1)");
    Tape tape;
    Gamma gamma(tape.input(Tensor::full({draws}, shape)), tape.input(Tensor::ones({draws})));
    Rng rng(17);
    Tensor z = gamma.sample(rng);
    // The old sampler put 3.2% of Gamma(0.05) draws at exactly 1e-30.
    const int64_t at_old_clamp = std::count(z.data(), z.data() + draws, 1e-30f);
    CHECK(at_old_clamp < 5);
    // Below FLT_MIN float holds subnormals, or 0 where the kernels flush them: those
    // draws are checked by their count, the rest by KS on log z against log P(a, e^t).
    std::vector<double> logs;
    int64_t below_normal = 0;
    for (int64_t i = 0; i < draws; ++i) {
      if (z[i] < FLT_MIN)
        ++below_normal;
      else
        logs.push_back(std::log(static_cast<double>(z[i])));
    }
    const double mass_below = kernels::regularized_gamma_p(shape, FLT_MIN);
    const double standard_error = std::sqrt(mass_below * (1 - mass_below) / static_cast<double>(draws));
    INFO("below FLT_MIN: " << below_normal << " draws, expected " << mass_below * draws);
    CHECK(std::fabs(static_cast<double>(below_normal) / draws - mass_below) < 5 * standard_error);
    // The cdf of the draws above FLT_MIN, as a fraction of all draws.
    const double d = ks_statistic(logs, [&](double t) {
      return (kernels::regularized_gamma_p(shape, std::exp(t)) - mass_below) / (1 - mass_below);
    });
    INFO("KS D = " << d << " (critical " << critical << ")");
    CHECK(d < critical * std::sqrt(static_cast<double>(draws) / static_cast<double>(logs.size())));
  }
  // Beta(0.1, 0.1), built on two Gamma draws (the old clamp reached it too), on the
  // natural scale, where 9% of its mass lies within 6e-8 of 1; and the ratio's gradient.
  Tape tape;
  Beta beta(tape.input(Tensor::full({draws}, 0.1f)), tape.input(Tensor::full({draws}, 0.1f)));
  Rng rng(23);
  Tensor x = beta.sample(rng);
  const double d = ks_statistic_of_floats(std::vector<float>(x.data(), x.data() + draws), [](double v) {
    return v <= 0 ? 0.0 : v >= 1 ? 1.0 : kernels::regularized_beta(v, 0.1, 0.1);
  });
  INFO("Beta(0.1, 0.1) KS D = " << d);
  CHECK(d < critical);
  GradcheckReport ratio =
      gradcheck([](std::span<const Var> v) { return beta_from_gammas(exp(v[0]), exp(v[1])); },
                {Tensor::from_values({3}, {-2.0f, 0.1f, 1.3f}), Tensor::from_values({3}, {0.5f, -1.0f, 1.2f})});
  INFO(ratio.to_string());
  CHECK(ratio.passed);
}

TEST_CASE("ContinuousBernoulli: cdf, icdf, variance and entropy against quadratures; rsample; gradchecks") {
  struct Row {
    float eta;
    double cdf[3], icdf[3], variance, entropy;  // at x = u = 0.1, 0.5, 0.93; mpmath, 30 digits
  };
  const Row rows[] = {
      {-30.0f,
       {0.950212931632, 0.999999694098, 0.999999999999},
       {0.00351201718859, 0.0231049060187, 0.0886420012311},
       0.00111111111102,
       -2.40119738167},
      {-3.0f,
       {0.272761789164, 0.817574476194, 0.987756275294},
       {0.033281287972, 0.214853276329, 0.717188416617},
       0.0559701056091,
       -0.306868559085},
      {-0.4f,
       {0.11893522908, 0.549833997312, 0.942264622827},
       {0.0838092181966, 0.4503298204, 0.915379112997},
       0.0826708758897,
       -0.00664011240267},
      {0.005f,
       {0.0997751500421, 0.499375000326, 0.929837133385},
       {0.100225300216, 0.500624999349, 0.930162516932},
       0.0833332291668,
       -1.04166601563e-06},
      {0.0f, {0.1, 0.5, 0.93}, {0.1, 0.5, 0.93}, 0.0833333333333, 0},
      {0.7f,
       {0.0715245253797, 0.413382421083, 0.905010976712},
       {0.137942350044, 0.585769811894, 0.948750133577},
       0.0813306955713,
       -0.0201697634138},
      {5.0f,
       {0.00440070123081, 0.0758581800212, 0.70268479563},
       {0.551257768487, 0.862713633586, 0.985587267181},
       0.0331703271198,
       -0.650116936415},
      {40.0f,
       {2.27703928769e-16, 2.06115361819e-09, 0.0608100626252},
       {0.942435372675, 0.982671320486, 0.998185732679},
       0.000625,
       -2.68887945411},
  };
  const float points[3] = {0.1f, 0.5f, 0.93f};
  for (const Row& row : rows) {
    INFO("eta = " << row.eta);
    Tape tape;
    ContinuousBernoulli d(tape.input(Tensor::full({3}, row.eta)));
    Var at = tape.input(Tensor::from_values({3}, {points[0], points[1], points[2]}));
    Var cdf = d.cdf(at), icdf = d.icdf(at);
    for (int i = 0; i < 3; ++i) {
      CHECK(cdf.data()[i] == doctest::Approx(row.cdf[i]).epsilon(2e-6));
      CHECK(icdf.data()[i] == doctest::Approx(row.icdf[i]).epsilon(2e-6));
    }
    CHECK(d.variance().data()[0] == doctest::Approx(row.variance).epsilon(2e-6));
    // Entropy sums terms of about log 2 that cancel near eta = 0: float's absolute error.
    CHECK(close_to(d.entropy().data()[0], row.entropy, 2e-6));
    // Below 0 and above 1.
    CHECK(d.cdf(tape.input(Tensor::full({3}, -0.5f))).data()[0] == 0.0f);
    CHECK(d.cdf(tape.input(Tensor::full({3}, 1.5f))).data()[0] == 1.0f);
  }
  // rsample: KS against the cdf; the same draws as sample() from the same generator.
  for (float eta : {-4.0f, 0.0f, 0.3f, 6.0f}) {
    INFO("eta = " << eta);
    const int64_t draws = 100000;
    Tape tape;
    ContinuousBernoulli d(tape.input(Tensor::full({draws}, eta)));
    Rng rng(5), same(5);
    Var z = d.rsample(rng);
    Tensor plain = d.sample(same);
    CHECK(std::equal(plain.data(), plain.data() + draws, z.data()));
    std::vector<double> values(z.data(), z.data() + draws);
    Tape scratch;
    const double d_statistic = ks_statistic(values, [&](double v) {
      ContinuousBernoulli one(scratch.input(Tensor::full({1}, eta)));
      return static_cast<double>(one.cdf(scratch.input(Tensor::full({1}, static_cast<float>(v)))).data()[0]);
    });
    CHECK(d_statistic < 1.949 / std::sqrt(static_cast<double>(draws)));
  }
  // Gradients: in x (or u) and eta, near eta = 0 and away from it.
  const Tensor etas = Tensor::from_values({4}, {-2.5f, 0.004f, 0.6f, 3.0f});
  GradcheckReport cdf = gradcheck([](std::span<const Var> v) { return ContinuousBernoulli(v[1]).cdf(v[0]); },
                                  {Tensor::from_values({4}, {0.2f, 0.45f, 0.7f, 0.9f}), etas});
  INFO("cdf " << cdf.to_string());
  CHECK(cdf.passed);
  GradcheckReport icdf = gradcheck([](std::span<const Var> v) { return ContinuousBernoulli(v[1]).icdf(v[0]); },
                                   {Tensor::from_values({4}, {0.2f, 0.45f, 0.7f, 0.9f}), etas}, {.step = 1e-3});
  INFO("icdf " << icdf.to_string());
  CHECK(icdf.passed);
  GradcheckReport variance =
      gradcheck([](std::span<const Var> v) { return ContinuousBernoulli(v[0]).variance(); }, {etas});
  INFO("variance " << variance.to_string());
  CHECK(variance.passed);
  GradcheckReport entropy =
      gradcheck([](std::span<const Var> v) { return ContinuousBernoulli(v[0]).entropy(); }, {etas});
  INFO("entropy " << entropy.to_string());
  CHECK(entropy.passed);
}
