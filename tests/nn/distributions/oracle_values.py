#!/usr/bin/python3
"""Prints the oracle constants of oracle_test.cpp, computed independently of aevb.

KL(Kumaraswamy(a, b) || Beta(alpha, beta)): mpmath (50 digits) integrates
log K(z) - log B(z) over z = F_K^-1(w), w uniform on (0, 1), with both log densities
written out from their definitions; Kumaraswamy(1, b) = Beta(1, b) is checked with
scipy's closed-form Beta KL. The continuous Bernoulli: mpmath (30 digits) integrates the
density eta e^(eta x) / (e^eta - 1) for the cdf, moments and entropy, and inverts the
cdf by root finding. The Concrete densities of relaxed_test.cpp: PyTorch's
RelaxedOneHotCategorical and RelaxedBernoulli in float64, at inputs rounded to float32 as
the test holds them. Needs python3-mpmath, python3-scipy and python3-torch (Debian); the
tests themselves need none of them.
"""
import mpmath
from scipy import special


def kl_kumaraswamy_beta(a, b, alpha, beta):
    mpmath.mp.dps = 50
    a, b, alpha, beta = map(mpmath.mpf, (a, b, alpha, beta))
    log_beta_function = mpmath.log(mpmath.beta(alpha, beta))

    def integrand(w):
        u = mpmath.log(w) / b  # log w^(1/b) = log(1 - z^a)
        log_one_minus_wb = mpmath.log1p(-mpmath.exp(u)) if u < -1 else mpmath.log(-mpmath.expm1(u))
        log_z = log_one_minus_wb / a
        log_one_minus_z = mpmath.log(-mpmath.expm1(log_z))
        log_k = mpmath.log(a * b) + (a - 1) * log_z + (b - 1) * u
        log_b = (alpha - 1) * log_z + (beta - 1) * log_one_minus_z - log_beta_function
        return log_k - log_b

    return mpmath.quad(integrand, [0, 0.5, 1])


def kl_beta_beta(a, b, alpha, beta):
    return (special.betaln(alpha, beta) - special.betaln(a, b) + (a - alpha) * special.digamma(a)
            + (b - beta) * special.digamma(b) + (alpha - a + beta - b) * special.digamma(a + b))


def continuous_bernoulli_row(eta):
    mpmath.mp.dps = 30

    def density(x):
        e = mpmath.mpf(eta)
        return mpmath.mpf(1) if e == 0 else e * mpmath.exp(e * x) / mpmath.expm1(e)

    def cdf(x):
        return mpmath.quad(density, [0, x])

    points = (0.1, 0.5, 0.93)
    first = mpmath.quad(lambda t: t * density(t), [0, 1])
    second = mpmath.quad(lambda t: t * t * density(t), [0, 1])
    entropy = -mpmath.quad(lambda t: density(t) * mpmath.log(density(t)), [0, 1])
    icdf = [mpmath.findroot(lambda x: cdf(x) - u, (mpmath.mpf(0), mpmath.mpf(1)), solver="illinois") for u in points]
    return [float(cdf(x)) for x in points], [float(v) for v in icdf], float(second - first * first), float(entropy)


def relaxed_rows():
    import torch
    from torch.distributions import RelaxedBernoulli, RelaxedOneHotCategorical

    def f64(values):  # the float32 the test holds, in float64
        return torch.tensor(values, dtype=torch.float32).double()

    categorical = [(0.5, [0.3, -1.2, 2.0], [0.2, 0.1, 0.7]), (1.0, [0.0, 0.0, 0.0, 0.0], [0.1, 0.2, 0.3, 0.4]),
                   (0.1, [1.0, -0.5, 0.2], [0.05, 0.05, 0.9]), (2.5, [-2.0, 3.0], [0.35, 0.65])]
    for t, logits, x in categorical:
        d = RelaxedOneHotCategorical(f64(t), logits=f64(logits))
        yield "RelaxedOneHotCategorical", (t, logits, x), d.log_prob(f64(x)).item()
    for t, logit, x in [(0.5, 0.7, 0.3), (0.1, -1.5, 0.02), (1.0, 0.0, 0.5), (2.0, 2.5, 0.9), (0.3, 4.0, 0.999)]:
        d = RelaxedBernoulli(f64(t), logits=f64(logit))
        yield "RelaxedBernoulli", (t, logit, x), d.log_prob(f64(x)).item()


def main():
    print("KL(Kumaraswamy || Beta):")
    for case in [(1, 0.2, 1, 3), (1, 1, 1, 5), (2, 0.5, 1, 5), (2, 3, 1.5, 2.5), (0.5, 0.1, 2, 2), (5, 0.05, 1, 1),
                 (3, 8, 0.7, 0.4), (1, 0.05, 1, 3)]:
        identity = f"  Beta identity {kl_beta_beta(1.0, *case[1:]):.10f}" if case[0] == 1 else ""
        print(f"  {case}: {float(kl_kumaraswamy_beta(*case)):.10f}{identity}")
    print("ContinuousBernoulli (cdf and icdf at 0.1, 0.5, 0.93; variance; entropy):")
    for eta in [-30, -3, -0.4, 0.005, 0, 0.7, 5, 40]:
        cdf, icdf, variance, entropy = continuous_bernoulli_row(eta)
        print(f"  {eta}: {cdf} {icdf} {variance:.12g} {entropy:.12g}")
    print("Concrete log densities (temperature, logits, x: log p):")
    for family, case, value in relaxed_rows():
        print(f"  {family} {case}: {value:.12g}")


if __name__ == "__main__":
    main()
