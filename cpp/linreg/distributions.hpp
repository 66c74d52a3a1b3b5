// linreg/distributions.hpp -- Student t and Fisher F: tail probabilities and quantiles for
// regression inference (t tests, F tests, confidence intervals), accurate far into the tails.
//
// Both are the regularized incomplete beta function I_x(a, b) = int_0^x s^(a-1) (1-s)^(b-1) ds
// / B(a, b) at a point x + y = 1:
//
//   Student t, nu dof, t >= 0:  P(|T| > t) = I_x(nu/2, 1/2),   x = nu / (nu + t^2)
//                               sf(t) = P(T > t) = 1/2 I_x(nu/2, 1/2),   cdf(t) = sf(-t)
//   F(d1, d2), f >= 0:          sf(f)  = I_x(d2/2, d1/2),      x = d2 / (d2 + d1 f)
//                               cdf(f) = I_y(d1/2, d2/2),      y = d1 f / (d2 + d1 f)
//
// nu, d1, d2 are finite and > 0, not necessarily integers.
//
// Relative accuracy in both tails: ~1e-15 for moderate values, growing as eps |log I| to ~2e-13
// at 1e-300 (a tail is exp() of a computed exponent), for any a, b (measured against 50-digit
// references for dof 0.5 .. 1e6). Three things decide it:
//
// 1. The small tail is computed, the large one is 1 minus it. Whichever of I_x(a, b) and
//    I_y(b, a) = 1 - I_x(a, b) has its point below the mean (delta < 1 - 2x, see 3) is
//    evaluated by the continued fraction, which converges fast there; the other is its
//    complement. A p-value of 1e-300 is never formed as 1 - (1 - 1e-300).
//
// 2. The prefactor x^a y^b / B(a, b) without lgamma cancellation. With Stirling's series
//    lgamma(z) = (z - 1/2) log z - z + log sqrt(2 pi) + mu(z),
//
//      x^a y^b / B(a, b) = sqrt(a b / (2 pi (a + b))) exp(mu(a+b) - mu(a) - mu(b) - D),
//      D = a phi(delta / a) + b phi(-delta / b),   phi(u) = u - log(1 + u) >= 0,
//      delta = (a + b) x - a                  (the distance of x from the mean, scaled).
//
//    The lgamma form lgamma(a+b) - lgamma(a) - lgamma(b) + a log x + b log y cancels terms of
//    size a log a: at nu = 1e6 that leaves ~1e-10 of relative error, which is what Eigen's
//    betainc (unsupported/SpecialFunctions) shows there, and it also forms 1 - x itself; so the
//    core evaluates I_x here and uses Eigen's lgamma (reentrant lgamma_r where the C library has
//    it: the bindings run this without the GIL) only for mu(z) at small z. phi is summed
//    as a series in v = u / (2 + u) near u = 0 (u - log1p(u) cancels there), and the callers
//    give delta, x, y and log x, log y from the distribution's own variables, never from 1 - x.
//
// 3. The continued fraction (DLMF 8.17.22), a I_x(a, b) / (x^a y^b / B(a, b)) =
//      1 / (1 + d1 / (1 + d2 / (1 + ...))),
//      d(2m+1) = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),
//      d(2m)   =  m (b - m) x / ((a + 2m - 1)(a + 2m)),
//    has d(2m+1) ~ -1 for large a near the mean, and 1 + d(2m+1) then cancels to O(m/a). It is
//    evaluated in its even contraction
//      1 + d1 / (1 + d2 - d2 d3 / (1 + d3 + d4 - d4 d5 / (1 + d5 + d6 - ...)))
//    with 1 + d(2m+1) written out exactly, a sum of positive terms when delta < 1 - 2x:
//      (a + 2m)(a + 2m + 1) (1 + d(2m+1)) = a (1 - delta) + a m (2 + y) + m (3m + 2 - delta + m y).
//    The number of terms grows like sqrt(min(a, b)) near the mean (~450 at d1 = d2 = 1e6).
//
// Quantiles invert a tail by Newton's method on log G(z) against log z (G = the small tail:
// sf or, near the centre, the probability between 0 and z), safeguarded by a bracket and
// bisection. In those coordinates the t and F tails are near-linear (power tails) or gently
// curved (Gaussian ones), and the derivative is the prefactor again: t dP(|T| > t)/dt = -2 x^a
// y^b / B(a, b), f d sf/df = -x^a y^b / B(a, b). A quantile is as accurate as the tail
// probability it inverts allows; q = 0 and 1 give the ends of the support. A value costs
// 2-10 us (a quantile ~10 tail evaluations).
#pragma once

#include "errors.hpp"
#include "types.hpp"

#include <unsupported/Eigen/SpecialFunctions>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <utility>

namespace linreg {

using ArrayXd = Eigen::ArrayXd;

namespace dist_detail {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kLogSqrt2Pi = 0.918938533204672741780329736406;
constexpr double kPi = 3.14159265358979323846264338328;
constexpr double kLn2 = 0.693147180559945309417232121458;

inline std::string str(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

inline void check_df(double df, const char* name) {
  require(std::isfinite(df) && df > 0.0,
          std::string(name) + " must be finite and > 0, got " + str(df));
}

inline void check_probability(double q) {
  require(q >= 0.0 && q <= 1.0, "q must be a probability in [0, 1], got " + str(q));
}

// mu(z) = lgamma(z) - (z - 1/2) log z + z - log sqrt(2 pi), the remainder of Stirling's series:
// sum_k B_2k / (2k (2k - 1) z^(2k-1)) for z >= 10 (the first omitted term is below 3e-17 there).
inline double stirling_remainder(double z) {
  if (z >= 10.0) {
    constexpr double c[] = {1.0 / 12,   -1.0 / 360,        1.0 / 1260, -1.0 / 1680,
                            1.0 / 1188, -691.0 / 360360.0, 1.0 / 156,  -3617.0 / 122400.0};
    const double z2 = 1.0 / (z * z);
    double s = c[7];
    for (int k = 6; k >= 0; --k) s = s * z2 + c[k];
    return s / z;
  }
  return Eigen::numext::lgamma(z) - (z - 0.5) * std::log(z) + z - kLogSqrt2Pi;
}

// phi(u) = u - log(1 + u) >= 0 for u > -1, with log(1 + u) supplied by the caller (accurate even
// where 1 + u underflows). Near u = 0, with v = u / (2 + u) (so log(1 + u) = 2 atanh v):
//   phi(u) = u v - 2 (v^3/3 + v^5/5 + ...),   both parts of one sign, no cancellation.
inline double phi(double u, double log1p_u) {
  const double v = u / (2.0 + u);
  if (!(std::abs(v) <= 0.5)) return u - log1p_u;
  const double v2 = v * v;
  double term = v2 * v, s = 0.0;
  for (int k = 3; k < 200; k += 2) {
    const double add = term / k;
    s += add;
    if (std::abs(add) <= 1e-17 * std::abs(s)) break;
    term *= v2;
  }
  return u * v - 2.0 * s;
}

// A point of the beta distribution, given so that nothing cancels: x + y = 1 exactly in the
// caller's arithmetic, delta = (a + b) x - a, log_x and log_y finite where x or y underflows.
struct BetaPoint {
  double x, y, log_x, log_y, delta;
};

// log(x^a y^b / B(a, b)) by the Stirling form of the header.
inline double log_prefactor(double a, double b, const BetaPoint& p) {
  const double ra = (a + b) / a, rb = (a + b) / b;
  // log(1 + u) = log(x (a + b) / a): one log of a product, or a sum of logs when x is tiny
  const double la = p.x >= 1e-290 && ra < 1e290 ? std::log(p.x * ra) : p.log_x + std::log(ra);
  const double lb = p.y >= 1e-290 && rb < 1e290 ? std::log(p.y * rb) : p.log_y + std::log(rb);
  const double D = a * phi(p.delta / a, la) + b * phi(-p.delta / b, lb);
  return 0.5 * std::log(a / (a + b) * b / (2.0 * kPi)) + stirling_remainder(a + b) -
         stirling_remainder(a) - stirling_remainder(b) - D;
}

// a I_x(a, b) / (x^a y^b / B(a, b)) by the even contraction of the header's continued fraction,
// for delta < 1 - 2x. The contracted fraction is 1 + d1 / (1 + d2 + R), R = alpha_1 / (beta_1 +
// alpha_2 / (beta_2 + ...)), alpha_m = -d(2m) d(2m+1), beta_m = 1 + d(2m+1) + d(2m+2); its
// value 1 / (1 + d1 / (1 + d2 + R)) = (1 + d2 + R) / (1 + d1 + d2 + R) keeps 1 + d1 exact too.
inline double beta_continued_fraction(double a, double b, double x, double y, double delta) {
  const auto d_even = [&](double m) { return m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)); };
  const auto d_odd = [&](double m) {
    return -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
  };
  const auto one_plus_d_odd = [&](double m) {  // 1 + d(2m+1) without cancellation
    return (a * (1 - delta) + a * m * (2 + y) + m * (3 * m + 2 - delta + m * y)) /
           ((a + 2 * m) * (a + 2 * m + 1));
  };
  constexpr double tiny = 1e-300;
  // S = beta_1 + alpha_2 / (beta_2 + ...) by the modified Lentz method; R = alpha_1 / S.
  double f = one_plus_d_odd(1) + d_even(2);
  if (f == 0.0) f = tiny;
  double C = f, Dn = 0.0;
  const int max_terms = 100000 + int(std::min(1e7, 50.0 * std::sqrt(std::min(a, b))));
  for (int m = 2; m < max_terms; ++m) {
    const double alpha = -d_even(m) * d_odd(m);
    const double beta = one_plus_d_odd(m) + d_even(m + 1);
    Dn = beta + alpha * Dn;
    if (Dn == 0.0) Dn = tiny;
    C = beta + alpha / C;
    if (C == 0.0) C = tiny;
    Dn = 1.0 / Dn;
    const double step = C * Dn;
    f *= step;
    if (std::abs(step - 1.0) <= 2 * kEps) break;
  }
  const double R = -d_even(1) * d_odd(1) / f;
  const double d2 = d_even(1);
  return (1.0 + d2 + R) / (one_plus_d_odd(0) + d2 + R);
}

// log(1 - exp(l)) for l <= 0, accurate at both ends.
inline double log1mexp(double l) {
  if (l >= 0.0) return -kInf;
  return l > -kLn2 ? std::log(-std::expm1(l)) : std::log1p(-std::exp(l));
}

// Both tails of the beta distribution at a point: log P = log I_x(a, b), log Q = log(1 - P), and
// log of the prefactor x^a y^b / B(a, b) (the density at x times x y, the quantiles' derivative).
struct BetaTails {
  double log_p, log_q, log_prefactor;
};

inline BetaTails beta_tails(double a, double b, const BetaPoint& p) {
  BetaTails out;
  if (p.delta < 1.0 - 2.0 * p.x) {
    out.log_prefactor = log_prefactor(a, b, p);
    out.log_p = out.log_prefactor - std::log(a) +
                std::log(beta_continued_fraction(a, b, p.x, p.y, p.delta));
    out.log_q = log1mexp(out.log_p);
  } else {
    const BetaPoint s{p.y, p.x, p.log_y, p.log_x, -p.delta};
    out.log_prefactor = log_prefactor(b, a, s);
    out.log_q = out.log_prefactor - std::log(b) +
                std::log(beta_continued_fraction(b, a, s.x, s.y, s.delta));
    out.log_p = log1mexp(out.log_q);
  }
  return out;
}

// The beta point of Student's t with nu dof at t > 0 (finite): a = nu/2, b = 1/2,
// x = nu / (nu + t^2), delta = nu/2 (1 - t^2) / (nu + t^2); divided through by t^2 when t > 1
// so that nothing overflows, with 1 - t^2 kept as a product so that t ~ 1 loses nothing.
inline BetaPoint t_point(double t, double nu) {
  BetaPoint p;
  if (t <= 1.0) {
    const double s = t * t / nu;
    p.x = 1.0 / (1.0 + s);
    p.y = s / (1.0 + s);
    p.log_x = -std::log1p(s);
    p.log_y = 2.0 * std::log(t) - std::log(nu) + p.log_x;
    p.delta = 0.5 * nu * ((1.0 - t) * (1.0 + t)) / (nu + t * t);
  } else {
    const double r = nu / t / t;  // nu / t^2
    p.x = r / (1.0 + r);
    p.y = 1.0 / (1.0 + r);
    p.log_y = -std::log1p(r);
    p.log_x = std::log(nu) - 2.0 * std::log(t) + p.log_y;
    p.delta = 0.5 * nu * (((1.0 - t) / t) * ((1.0 + t) / t)) / (r + 1.0);
  }
  return p;
}

// The beta point of F(d1, d2) at f > 0 (finite): a = d2/2, b = d1/2, x = d2 / (d2 + d1 f),
// delta = d2/2 d1 (1 - f) / (d2 + d1 f); divided through by f when f > 1.
inline BetaPoint f_point(double f, double d1, double d2) {
  BetaPoint p;
  if (f <= 1.0) {
    const double den = d2 + d1 * f;
    p.x = d2 / den;
    p.y = d1 * f / den;
    p.log_x = std::log(d2) - std::log(den);
    p.log_y = std::log(d1) + std::log(f) - std::log(den);
    p.delta = 0.5 * d2 * d1 * (1.0 - f) / den;
  } else {
    const double g = d2 / f, den = g + d1;
    p.x = g / den;
    p.y = d1 / den;
    p.log_x = std::log(d2) - std::log(f) - std::log(den);
    p.log_y = std::log(d1) - std::log(den);
    p.delta = 0.5 * d2 * d1 * ((1.0 - f) / f) / den;
  }
  return p;
}

// Solves G(z) = target for z >= 0, G a tail of the distribution, monotone in z: Newton's method
// on h(u) = log G(e^u) - log target, safeguarded by the bracket (lo, hi) that the signs of h
// found so far allow, and by bisection in log z (or stepping out while one side is open) when a
// step leaves it. `eval(z)` returns {log G(z), d log G / d log z}. z itself is carried, not
// u = log z, so that a large |u| costs no digits of z. The answer is clamped to the doubles: 0
// when the root lies below the smallest positive double, inf above the largest.
template <class Eval>
double solve_tail(Eval eval, double log_target, bool increasing, double u0) {
  constexpr double u_min = -744.0, u_max = 709.78;  // exp() of them is finite and > 0
  const double z_min = std::exp(u_min), z_max = std::exp(u_max);
  const double s = increasing ? 1.0 : -1.0;
  double lo = 0.0, hi = kInf;  // the root lies in (lo, hi)
  double z = std::exp(std::clamp(u0, u_min, u_max)), open_step = 2.0;
  for (int it = 0; it < 300; ++it) {
    const std::pair<double, double> g = eval(z);
    const double h = g.first - log_target;
    if (h == 0.0) return z;
    if (s * h < 0.0)
      lo = z;  // G(z) is on the near side of the target: the root is at larger z
    else
      hi = z;
    if (lo >= z_max) return kInf;
    if (hi <= z_min) return 0.0;
    const double du = -h / g.second;
    bool newton = std::abs(du) < 1.0;  // a small step keeps z's digits: z e^du, not e^(u + du)
    double next = newton ? z * std::exp(du) : std::exp(std::clamp(std::log(z) + du, u_min, u_max));
    if (!(next > lo && next < hi)) {
      newton = false;
      if (lo > 0.0 && hi < kInf) {
        next = std::exp(0.5 * (std::log(lo) + std::log(hi)));
      } else {
        const double step = lo > 0.0 ? open_step : -open_step;
        next = std::exp(std::clamp(std::log(z) + step, u_min, u_max));
        open_step *= 2.0;
      }
    }
    z = next;
    // Newton converges quadratically: once a step is below 1e-14, or below what the rounding of
    // log G (about eps |log G|) can resolve, the point it lands on is the root to rounding.
    const double resolvable = 1e-14 + 8 * kEps * (std::abs(g.first) + 10.0) / std::abs(g.second);
    if (newton && std::abs(du) <= resolvable) break;
    if (hi < kInf && hi - lo <= 4 * kEps * hi) break;
  }
  return z;
}

// out(i) = f(u(i), v(i), w(i)): every argument has n entries or one (broadcast to all n).
inline Index broadcast_size(std::initializer_list<Index> sizes) {
  Index n = 1;
  bool fixed = false;
  for (Index s : sizes) {
    if (s == 1) continue;
    require(!fixed || s == n, "arguments have " + std::to_string(n) + " and " + std::to_string(s) +
                                  " entries; each needs the same number, or one");
    n = s;
    fixed = true;
  }
  return n;
}

template <class F>
ArrayXd elementwise(F f, const Eigen::Ref<const ArrayXd>& u, const Eigen::Ref<const ArrayXd>& v) {
  const Index n = broadcast_size({u.size(), v.size()});
  const Index su = u.size() == 1 ? 0 : 1, sv = v.size() == 1 ? 0 : 1;
  ArrayXd out(n);
  for (Index i = 0; i < n; ++i) out(i) = f(u(i * su), v(i * sv));
  return out;
}

template <class F>
ArrayXd elementwise(F f, const Eigen::Ref<const ArrayXd>& u, const Eigen::Ref<const ArrayXd>& v,
                    const Eigen::Ref<const ArrayXd>& w) {
  const Index n = broadcast_size({u.size(), v.size(), w.size()});
  const Index su = u.size() == 1 ? 0 : 1, sv = v.size() == 1 ? 0 : 1, sw = w.size() == 1 ? 0 : 1;
  ArrayXd out(n);
  for (Index i = 0; i < n; ++i) out(i) = f(u(i * su), v(i * sv), w(i * sw));
  return out;
}

}  // namespace dist_detail

// ---- Student t ---------------------------------------------------------------------------------

// P(|T| > |t|), the two-sided p-value of a t statistic. NaN t gives NaN.
inline double t_two_sided_pvalue(double t, double df) {
  using namespace dist_detail;
  check_df(df, "df");
  if (std::isnan(t)) return kNaN;
  t = std::abs(t);
  if (t == 0.0) return 1.0;
  if (std::isinf(t)) return 0.0;
  return std::exp(beta_tails(0.5 * df, 0.5, t_point(t, df)).log_p);
}

// P(T > t). NaN t gives NaN.
inline double t_sf(double t, double df) {
  using namespace dist_detail;
  check_df(df, "df");
  if (std::isnan(t)) return kNaN;
  if (t == 0.0) return 0.5;
  if (std::isinf(t)) return t > 0 ? 0.0 : 1.0;
  const BetaTails bt = beta_tails(0.5 * df, 0.5, t_point(std::abs(t), df));
  // t > 0: half the two-sided tail; t < 0: 1/2 + P(0 < T < |t|), a sum of positive terms
  return t > 0 ? 0.5 * std::exp(bt.log_p) : 0.5 + 0.5 * std::exp(bt.log_q);
}

// P(T <= t) = P(T > -t).
inline double t_cdf(double t, double df) { return t_sf(-t, df); }

// The q-quantile: P(T <= t_ppf(q)) = q; -inf at q = 0, inf at q = 1.
inline double t_ppf(double q, double df) {
  using namespace dist_detail;
  check_probability(q);
  check_df(df, "df");
  if (q == 0.0) return -kInf;
  if (q == 1.0) return kInf;
  if (q == 0.5) return 0.0;
  const double p = std::min(q, 1.0 - q);  // the tail beyond |t|; 1 - q is exact for q >= 1/2
  const double a = 0.5 * df;
  double z;
  if (p <= 0.25) {
    // P(T > z) = P(|T| > z) / 2 = p; d log P / d log z = -2 prefactor / P
    const auto eval = [&](double t) {
      const BetaTails bt = beta_tails(a, 0.5, t_point(t, df));
      return std::pair<double, double>{bt.log_p - kLn2,
                                       -2.0 * std::exp(bt.log_prefactor - bt.log_p)};
    };
    // Start where I_x(nu/2, 1/2) ~ x^(nu/2) = 2p: t^2 = nu ((2p)^(-2/nu) - 1)
    const double L = -2.0 * std::log(2.0 * p) / df;
    const double u0 = 0.5 * (std::log(df) + (L > 30 ? L : std::log(std::expm1(L))));
    z = solve_tail(eval, std::log(p), false, u0);
  } else {
    // Near the centre, the probability between 0 and z: P(|T| < z) / 2 = 1/2 - p (exact)
    const auto eval = [&](double t) {
      const BetaTails bt = beta_tails(a, 0.5, t_point(t, df));
      return std::pair<double, double>{bt.log_q - kLn2,
                                       2.0 * std::exp(bt.log_prefactor - bt.log_q)};
    };
    z = solve_tail(eval, std::log(0.5 - p), true, std::log(2.5 * (0.5 - p)));
  }
  return q < 0.5 ? -z : z;
}

// ---- F -----------------------------------------------------------------------------------------

// P(F > f) for F ~ F(df1, df2); 1 for f <= 0, NaN for NaN f.
inline double f_sf(double f, double df1, double df2) {
  using namespace dist_detail;
  check_df(df1, "df1");
  check_df(df2, "df2");
  if (std::isnan(f)) return kNaN;
  if (f <= 0.0) return 1.0;
  if (std::isinf(f)) return 0.0;
  return std::exp(beta_tails(0.5 * df2, 0.5 * df1, f_point(f, df1, df2)).log_p);
}

// The f with P(F > f) = q; inf at q = 0, 0 at q = 1.
inline double f_isf(double q, double df1, double df2) {
  using namespace dist_detail;
  check_probability(q);
  check_df(df1, "df1");
  check_df(df2, "df2");
  if (q == 0.0) return kInf;
  if (q == 1.0) return 0.0;
  const double a = 0.5 * df2, b = 0.5 * df1;
  if (q <= 0.5) {
    // sf(f) = q; f d sf / df = -prefactor
    const auto eval = [&](double f) {
      const BetaTails bt = beta_tails(a, b, f_point(f, df1, df2));
      return std::pair<double, double>{bt.log_p, -std::exp(bt.log_prefactor - bt.log_p)};
    };
    return solve_tail(eval, std::log(q), false, 0.0);
  }
  // cdf(f) = 1 - q (exact); f d cdf / df = prefactor
  const auto eval = [&](double f) {
    const BetaTails bt = beta_tails(a, b, f_point(f, df1, df2));
    return std::pair<double, double>{bt.log_q, std::exp(bt.log_prefactor - bt.log_q)};
  };
  return solve_tail(eval, std::log(1.0 - q), true, 0.0);
}

// ---- Vectorised: each argument has n entries or one (broadcast) --------------------------------

inline ArrayXd t_sf(const Eigen::Ref<const ArrayXd>& t, const Eigen::Ref<const ArrayXd>& df) {
  return dist_detail::elementwise([](double v, double d) { return t_sf(v, d); }, t, df);
}
inline ArrayXd t_cdf(const Eigen::Ref<const ArrayXd>& t, const Eigen::Ref<const ArrayXd>& df) {
  return dist_detail::elementwise([](double v, double d) { return t_cdf(v, d); }, t, df);
}
inline ArrayXd t_two_sided_pvalue(const Eigen::Ref<const ArrayXd>& t,
                                  const Eigen::Ref<const ArrayXd>& df) {
  return dist_detail::elementwise([](double v, double d) { return t_two_sided_pvalue(v, d); }, t,
                                  df);
}
inline ArrayXd t_ppf(const Eigen::Ref<const ArrayXd>& q, const Eigen::Ref<const ArrayXd>& df) {
  return dist_detail::elementwise([](double v, double d) { return t_ppf(v, d); }, q, df);
}
inline ArrayXd f_sf(const Eigen::Ref<const ArrayXd>& f, const Eigen::Ref<const ArrayXd>& df1,
                    const Eigen::Ref<const ArrayXd>& df2) {
  return dist_detail::elementwise([](double v, double d1, double d2) { return f_sf(v, d1, d2); },
                                  f, df1, df2);
}
inline ArrayXd f_isf(const Eigen::Ref<const ArrayXd>& q, const Eigen::Ref<const ArrayXd>& df1,
                     const Eigen::Ref<const ArrayXd>& df2) {
  return dist_detail::elementwise([](double v, double d1, double d2) { return f_isf(v, d1, d2); },
                                  q, df1, df2);
}

}  // namespace linreg
