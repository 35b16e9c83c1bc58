// Special functions the distributions need, with their derivatives:
//   d/dx lgamma(x) = digamma(x),   d/dx digamma(x) = trigamma(x).
// Computed in double. Poles (x = 0, -1, -2, ...) give NaN: the limit's sign depends on
// the side from which x approaches.
#pragma once

namespace aevb::kernels {

double digamma(double x);
double trigamma(double x);

// The standard normal quantile: Phi^-1(p) for p in (0, 1), -inf at 0, +inf at 1, NaN
// outside [0, 1]. Wichura's algorithm AS241 (PPND16), accurate to about 1e-16.
double normal_quantile(double p);

}  // namespace aevb::kernels
