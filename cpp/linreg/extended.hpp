// linreg/extended.hpp -- sums and dot products as if computed in twice double precision.
//
// Error-free transformations (Knuth's TwoSum, and TwoProd through a fused multiply-add):
//   a + b = s + e exactly,   a * b = p + e exactly.
// Accumulating the error terms beside the running sum (Ogita, Rump and Oishi's Dot2) gives a
// result as accurate as if it had been computed with unit roundoff u^2 and rounded once. Used for
// the residuals of iterative refinement, which must be more accurate than the solve they correct.
// Portable: no long double, which is plain double on some platforms.
#pragma once

#include <cmath>

namespace linreg {

struct DoubleDouble {
  double hi = 0.0;
  double lo = 0.0;

  void add(double a) {
    const double s = hi + a;
    const double bb = s - hi;
    lo += (hi - (s - bb)) + (a - bb);
    hi = s;
  }
  // Adds a * b with the product's rounding error kept.
  void add_product(double a, double b) {
    const double p = a * b;
    const double e = std::fma(a, b, -p);
    add(p);
    lo += e;
  }
  double value() const { return hi + lo; }
};

}  // namespace linreg
