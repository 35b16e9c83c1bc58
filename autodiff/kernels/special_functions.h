// Special functions the distributions need, with their derivatives:
//   d/dx lgamma(x) = digamma(x),   d/dx digamma(x) = trigamma(x).
// Computed in double. Poles (x = 0, -1, -2, ...) give NaN: the limit's sign depends on
// the side from which x approaches.
#pragma once

namespace aevb::kernels {

double digamma(double x);
double trigamma(double x);

}  // namespace aevb::kernels
