// linreg/penalty.hpp -- the elastic-net penalty: value, coordinate update, and the duality gap of the penalised least-squares problem.
//
// All solvers of the L1 family minimise, in per-weight units (W = sum of the sample weights),
//
//     P(w) = 1/(2W) ||S^1/2 (yc - Xc w)||^2 + l1 ||w||_1 + l2/2 ||w||^2,
//
// with Xc, yc centred by the weighted means (or not centred without an intercept). This is
// scikit-learn's ElasticNet objective with l1 = alpha * l1_ratio and l2 = alpha * (1 - l1_ratio)
// (scikit-learn rescales the weights to sum to n, which is the same thing).
#pragma once

#include "types.hpp"

#include <algorithm>
#include <cmath>

namespace linreg {

struct ElasticNetPenalty {
  double l1 = 0.0;
  double l2 = 0.0;
  bool positive = false;  // constrain w >= 0

  double value(const VectorXd& w) const {
    return l1 * w.lpNorm<1>() + 0.5 * l2 * w.squaredNorm();
  }

  // The exact minimiser over one coordinate of a/2 v^2 - z v + l1 |v| + l2/2 v^2:
  //   v = soft_threshold(z, l1) / (a + l2)        (positive: 0 when z < l1)
  double coordinate(double z, double a) const {
    if (positive && z < 0.0) return 0.0;
    const double t = std::abs(z) - l1;
    if (t <= 0.0) return 0.0;
    return std::copysign(t, z) / (a + l2);
  }
};

// The duality gap with scikit-learn's definition (sklearn/linear_model/_cd_fast.pyx, divided by
// n there), from scalar summaries of the current point:
//   Rn = R'SR / W,   Ry = R'S yc / W,   XtR = Xc'S R / W (the negative gradient of the loss).
// l1 > 0 ("formulation A"): the dual point is theta = scale * [R; -sqrt(l2) w] with
//   scale = min(1, l1 / ||XtR - l2 w||_inf)  (positive: the max instead of the max-abs), and
//   gap = P(w) - D(theta),  D = scale Ry - scale^2/2 (Rn + l2 ||w||^2).
// l1 = 0, l2 > 0 (Ridge, "formulation B"): gap = Rn + l2/2 ||w||^2 - Ry + ||XtR||^2 / (2 l2).
// l1 = l2 = 0 (no penalty): no dual; the first-order residual W ||XtR||^2.
struct GapParts {
  double gap = 0.0;
  double primal = 0.0;
  double dual_norm = 0.0;  // ||XtR - l2 w||_inf, the scale of the dual point
};

inline GapParts duality_gap(const ElasticNetPenalty& pen, double Rn, double Ry, const VectorXd& w,
                            const VectorXd& XtR, double W) {
  GapParts out;
  const double w2 = w.squaredNorm();
  const double w1 = w.lpNorm<1>();
  out.primal = 0.5 * (Rn + pen.l2 * w2) + pen.l1 * w1;
  if (pen.l1 > 0.0) {
    double dn = 0.0;
    for (Index j = 0; j < w.size(); ++j) {
      const double a = XtR[j] - pen.l2 * w[j];
      dn = std::max(dn, pen.positive ? a : std::abs(a));
    }
    out.dual_norm = dn;
    const double scale = dn > pen.l1 ? pen.l1 / dn : 1.0;
    const double dual = -0.5 * scale * scale * (Rn + pen.l2 * w2) + scale * Ry;
    out.gap = out.primal - dual;
  } else if (pen.l2 > 0.0) {
    out.dual_norm = XtR.lpNorm<Eigen::Infinity>();
    out.gap = Rn + 0.5 * pen.l2 * w2 - Ry + XtR.squaredNorm() / (2.0 * pen.l2);
  } else {
    out.dual_norm = XtR.lpNorm<Eigen::Infinity>();
    out.gap = W * XtR.squaredNorm();
  }
  return out;
}

}  // namespace linreg
