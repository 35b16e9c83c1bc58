// Probability distributions whose parameters are tape values, so that gradients flow
// into whatever computed them (an encoder, in a VAE).
//
// rsample(rng) draws a differentiable sample: a deterministic, differentiable function
// of the parameters and of parameter-free noise, which the tape records as a noise
// leaf (the reparameterization trick, Kingma & Welling 2013, Section 2.4). sample(rng)
// draws without gradient. log_prob, entropy, mean, variance, cdf and icdf are tape ops
// too. Asking for something a family does not define is an aevb::Error naming the
// family, never a wrong number. The families follow the paper's three groups:
//   location-scale, z = loc + scale * eps:   Normal, Laplace, Logistic, Cauchy, Gumbel, Uniform
//   inverse cdf, z = F^-1(u), u ~ U(0,1):    Exponential, Weibull, Kumaraswamy (and Logistic, Cauchy,
//                                            Gumbel above); InverseCdfSampled for any family with an icdf
//   composition:                             LogNormal (exp of a Normal), Gamma and ChiSquared
//                                            and Beta (implicit reparameterization)
//   observation models for decoders:         Bernoulli, ContinuousBernoulli, Categorical
//   relaxed discrete draws (Concrete):       RelaxedOneHotCategorical, RelaxedBernoulli, each with a
//                                            straight-through variant
// Each family has its header and its file (nn/distributions/<family>.h and .cpp);
// analytic KL divergences live in kl.h and kl.cpp. This header is the index.
#pragma once

#include "nn/distributions/distribution.h"
#include "nn/distributions/normal.h"
#include "nn/distributions/laplace.h"
#include "nn/distributions/logistic.h"
#include "nn/distributions/cauchy.h"
#include "nn/distributions/student_t.h"
#include "nn/distributions/gumbel.h"
#include "nn/distributions/uniform.h"
#include "nn/distributions/exponential.h"
#include "nn/distributions/weibull.h"
#include "nn/distributions/kumaraswamy.h"
#include "nn/distributions/inverse_cdf.h"
#include "nn/distributions/gamma.h"
#include "nn/distributions/beta.h"
#include "nn/distributions/transformed.h"
#include "nn/distributions/lognormal.h"
#include "nn/distributions/bernoulli.h"
#include "nn/distributions/continuous_bernoulli.h"
#include "nn/distributions/categorical.h"
#include "nn/distributions/relaxed.h"
#include "nn/distributions/kl.h"
