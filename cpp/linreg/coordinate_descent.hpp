// linreg/coordinate_descent.hpp -- Lasso / Elastic Net by coordinate descent with
// soft-thresholding, certified by the duality gap.
//
// Objective (penalty.hpp), per-weight units, W = sum of the weights:
//     P(w) = 1/(2W) ||S^1/2 (yc - Xc w)||^2 + l1 ||w||_1 + l2/2 ||w||^2.
// With every coordinate but j fixed, P is a one-dimensional a_j/2 w_j^2 - z_j w_j + l1|w_j| +
// l2/2 w_j^2 (+ const), where a_j = xc_j'S xc_j / W and z_j = xc_j'S R / W + a_j w_j (R the
// residual yc - Xc w). Its exact minimiser is the soft-thresholding update
//     w_j <- soft_threshold(z_j, l1) / (a_j + l2).
// An epoch applies it to every coordinate in turn (cyclic) or to as many coordinates drawn
// uniformly with replacement (random, scikit-learn's "random" selection).
//
// Two modes, the same update:
//   naive       keeps R (n doubles) and reads the column x_j twice per update: a dot product for
//               z_j, and R -= delta (x_j - m_j) when w_j moves. Cost per epoch O(n k).
//   covariance  works on the Gram G = Xc'S Xc / W and c = Xc'S yc / W (the sufficient
//               statistics): z_j = c_j - q_j + G_jj w_j with q = G w kept up to date,
//               q += delta G[:, j]. Cost per epoch O(k) plus O(k) per coordinate that moves,
//               independent of n.
// Both stop when the duality gap (penalty.hpp, scikit-learn's definition) is <= tol, an absolute
// threshold in the units of P (the Python layer passes tol * yc'S yc / W, scikit-learn's rule).
// The columns a mode works on may be a working set: the caller (the Python driver) solves the
// problem restricted to it, then checks the gap and the KKT conditions of the full problem.
#pragma once

#include "errors.hpp"
#include "gradient_descent.hpp"  // Xoshiro256, DesignView
#include "penalty.hpp"
#include "types.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace linreg {

struct CoordinateDescentOptions {
  ElasticNetPenalty penalty;
  int max_iter = 0;      // epochs
  double tol = 0.0;      // absolute duality-gap threshold, units of P
  double dw_tol = 0.0;   // naive mode: evaluate the gap when max|dw| / max|w| <= dw_tol (or
                         // every gap_every epochs); covariance mode evaluates it every epoch
  int gap_every = 10;
  bool random = false;   // coordinates drawn with replacement instead of in turn
  std::uint64_t seed = 0;
  int anderson = 0;      // extrapolate every this many epochs from as many iterates (0: never)
};

struct CoordinateDescentResult {
  VectorXd coef;          // k
  double gap = 0.0;       // duality gap at coef (of the problem on these columns)
  double primal = 0.0;    // P(coef)
  double dual_norm = 0.0;
  VectorXd XtR;           // Xc'S R / W at coef (the negative gradient of the loss), for the KKT
                          // check of the caller
  int n_iter = 0;         // epochs run
  bool converged = false;
};

namespace detail {
class CoordinateOrder {
 public:
  CoordinateOrder(Index k, bool random, std::uint64_t seed) : k_(k), random_(random), rng_(seed) {}
  Index operator()(Index t) { return random_ ? Index(rng_.below(std::uint64_t(k_))) : t; }

 private:
  Index k_;
  bool random_;
  Xoshiro256 rng_;
};

// Anderson extrapolation of the iterates (as in celer and skglm; Bertrand & Massias 2021).
// Coordinate descent is a fixed-point map whose iterates converge linearly; every M epochs the
// point w_acc = sum_i c_i w_i of the last M iterates, with c minimising ||sum_i c_i (w_i -
// w_(i-1))|| subject to sum_i c_i = 1, removes the slowest modes. The caller keeps it only if it
// lowers the objective, so the method stays monotone and every certificate stays valid.
class Anderson {
 public:
  Anderson(Index k, int M) : M_(std::max(M, 0)), W_(k, std::max(M, 0) + 1) {}
  bool enabled() const { return M_ > 1; }
  void push(const VectorXd& w) {
    W_.col(count_ % (M_ + 1)) = w;
    ++count_;
  }
  // After epoch `epoch` (its iterate pushed): the extrapolated point, when one is due and defined.
  bool extrapolate(int epoch, VectorXd& out) const {
    if (!enabled() || epoch % M_ != 0 || count_ < M_ + 1) return false;
    auto col = [&](int j) { return W_.col((count_ - (M_ + 1) + j) % (M_ + 1)); };
    MatrixXd U(W_.rows(), M_);
    for (int i = 0; i < M_; ++i) U.col(i) = col(i + 1) - col(i);
    MatrixXd A = U.transpose() * U;
    const double scale = A.trace();
    if (!(scale > 0.0)) return false;
    // The differences are nearly dependent near the end; the ridge keeps c from following
    // rounding (two fits of one problem whose data differ in rounding stay on one path).
    A.diagonal().array() += 1e-6 * scale;
    const VectorXd z = A.ldlt().solve(VectorXd::Ones(M_));
    const double sz = z.sum();
    if (!z.allFinite() || std::abs(sz) < 1e-300) return false;
    out.setZero(W_.rows());
    for (int i = 0; i < M_; ++i) out.noalias() += (z[i] / sz) * col(i + 1);
    return out.allFinite();
  }

 private:
  int M_;
  MatrixXd W_;
  long count_ = 0;
};

// An extrapolated point is kept only for a real decrease, not one within rounding: otherwise
// two fits of the same problem whose data differ only in rounding (weights against repeated
// rows) would take different paths and stop at different points.
// The certificate of the current point into the result; whether it meets the tolerance.
inline bool record(CoordinateDescentResult& out, const GapParts& g, const VectorXd& XtR,
                   double tol) {
  out.XtR = XtR;
  out.gap = g.gap;
  out.primal = g.primal;
  out.dual_norm = g.dual_norm;
  return g.gap <= tol;
}

inline bool better(double candidate, double current) {
  return candidate < current - 1e-12 * std::abs(current);
}
}  // namespace detail

// --- covariance mode ----------------------------------------------------------------------------
// G (k x k, symmetric, per W), c (k), yy = yc'S yc / W, w0 the starting point.
inline CoordinateDescentResult cd_covariance(const Eigen::Ref<const MatrixXd>& G,
                                             const Eigen::Ref<const VectorXd>& c, double yy,
                                             const Eigen::Ref<const VectorXd>& w0, double W,
                                             const CoordinateDescentOptions& opt) {
  const Index k = c.size();
  require(G.rows() == k && G.cols() == k, "the Gram is " + std::to_string(G.rows()) + " x " +
                                              std::to_string(G.cols()) + ", c has " +
                                              std::to_string(k) + " entries");
  require(w0.size() == k, "w0 has " + std::to_string(w0.size()) + " entries, expected " +
                              std::to_string(k));
  const ElasticNetPenalty& pen = opt.penalty;
  CoordinateDescentResult out;
  VectorXd w = w0;
  VectorXd q = G.selfadjointView<Eigen::Lower>() * w;  // q = G @ w
  detail::CoordinateOrder order(k, opt.random, opt.seed);
  auto certify = [&]() {
    const VectorXd XtR = c - q;                // Xc'S R / W
    const double cw = c.dot(w);
    const double Rn = std::max(0.0, yy - 2.0 * cw + w.dot(q));
    const double Ry = yy - cw;
    return detail::record(out, duality_gap(pen, Rn, Ry, w, XtR, W), XtR, opt.tol);
  };
  if (k == 0 || certify()) {
    out.converged = true;
    out.coef = w;
    return out;
  }
  auto primal = [&](const VectorXd& v, const VectorXd& Gv) {
    const double Rn = std::max(0.0, yy - 2.0 * c.dot(v) + v.dot(Gv));
    return 0.5 * Rn + pen.value(v);
  };
  detail::Anderson anderson(k, opt.anderson);
  if (anderson.enabled()) anderson.push(w);
  VectorXd wa, qa;
  for (int epoch = 1; epoch <= opt.max_iter; ++epoch) {
    for (Index t = 0; t < k; ++t) {
      const Index j = order(t);
      const double a = G(j, j);
      const double old = w[j];
      const double z = c[j] - q[j] + a * old;
      const double v = (a + pen.l2) > 0.0 ? pen.coordinate(z, a) : 0.0;
      if (v != old) {
        q.noalias() += (v - old) * G.col(j);  // q += delta * G[:, j]
        w[j] = v;
      }
    }
    if (anderson.enabled()) {
      anderson.push(w);
      if (anderson.extrapolate(epoch, wa)) {
        if (pen.positive) wa = wa.cwiseMax(0.0);
        qa.setZero(k);
        for (Index j = 0; j < k; ++j)
          if (wa[j] != 0.0) qa.noalias() += wa[j] * G.col(j);  // qa = G @ wa, by its support
        if (detail::better(primal(wa, qa), primal(w, q))) {
          w.swap(wa);
          q.swap(qa);
        }
      }
    }
    out.n_iter = epoch;
    if (certify()) {
      out.converged = true;
      break;
    }
  }
  out.coef = w;
  return out;
}

// --- naive mode ---------------------------------------------------------------------------------
// Columns: X (n rows, column-major with leading dimension ld, any Scalar), the k columns
// cols[0..k) of it, with their weighted means m (zeros without an intercept) and a = xc'S xc / W.
// R (n, in/out) is the residual yc - Xc w of the *whole* problem (columns outside the set hold
// their values fixed), yc (n) the centred target. s: weights or null.
template <class Scalar>
CoordinateDescentResult cd_naive(const Scalar* X, Index n, Index ld, const Index* cols, Index k,
                                 const double* m, const double* a, const double* s, double W,
                                 const double* yc, double* R, const Eigen::Ref<const VectorXd>& w0,
                                 const CoordinateDescentOptions& opt) {
  using ColMap = Eigen::Map<const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>>;
  using VecMap = Eigen::Map<VectorXd>;
  using CVecMap = Eigen::Map<const VectorXd>;
  const ElasticNetPenalty& pen = opt.penalty;
  CoordinateDescentResult out;
  VectorXd w = w0;
  VecMap r(R, n);
  CVecMap y(yc, n);
  Eigen::Map<const VectorXd> sw(s ? s : yc, s ? n : 0);
  detail::CoordinateOrder order(k, opt.random, opt.seed);

  // xc_j' S v / W for a residual-like v, with the centring applied inside the sum (no copy).
  auto dot = [&](Index t, const auto& v) {
    const ColMap x(X + cols[t] * ld, n);
    if (s) return ((x.template cast<double>().array() - m[t]) * sw.array() * v.array()).sum() / W;
    return (x.template cast<double>().array() - m[t]).matrix().dot(v) / W;
  };
  auto certify = [&]() {
    VectorXd XtR(k);
    for (Index t = 0; t < k; ++t) XtR[t] = dot(t, r);
    double Rn, Ry;
    if (s) {
      Rn = (sw.array() * r.array().square()).sum() / W;
      Ry = (sw.array() * r.array() * y.array()).sum() / W;
    } else {
      Rn = r.squaredNorm() / W;
      Ry = r.dot(y) / W;
    }
    return detail::record(out, duality_gap(pen, Rn, Ry, w, XtR, W), XtR, opt.tol);
  };
  if (k == 0 || certify()) {
    out.converged = true;
    out.coef = w;
    return out;
  }
  auto primal = [&](const VectorXd& v, const auto& res) {
    const double Rn = s ? (sw.array() * res.array().square()).sum() / W : res.squaredNorm() / W;
    return 0.5 * Rn + pen.value(v);
  };
  detail::Anderson anderson(k, opt.anderson);
  if (anderson.enabled()) anderson.push(w);
  VectorXd wa, Ra;
  for (int epoch = 1; epoch <= opt.max_iter; ++epoch) {
    double w_max = 0.0, dw_max = 0.0;
    for (Index t0 = 0; t0 < k; ++t0) {
      const Index t = order(t0);
      const double old = w[t];
      if (a[t] + pen.l2 <= 0.0) continue;  // a constant column (and no L2): w stays 0
      const double z = dot(t, r) + a[t] * old;
      const double v = pen.coordinate(z, a[t]);
      if (v != old) {
        const ColMap x(X + cols[t] * ld, n);
        const double delta = v - old;
        // R -= delta * (X[:, j] - m_j)
        r.array() -= delta * (x.template cast<double>().array() - m[t]);
        w[t] = v;
        dw_max = std::max(dw_max, std::abs(delta));
      }
      w_max = std::max(w_max, std::abs(v));
    }
    if (anderson.enabled()) {
      anderson.push(w);
      if (anderson.extrapolate(epoch, wa)) {
        if (pen.positive) wa = wa.cwiseMax(0.0);
        Ra = r;
        for (Index t = 0; t < k; ++t) {
          const double delta = wa[t] - w[t];
          if (delta == 0.0) continue;
          const ColMap x(X + cols[t] * ld, n);
          Ra.array() -= delta * (x.template cast<double>().array() - m[t]);  // Ra -= delta xc_j
        }
        if (detail::better(primal(wa, Ra), primal(w, r))) {
          w.swap(wa);
          r = Ra;
        }
      }
    }
    out.n_iter = epoch;
    const bool small_step = w_max == 0.0 || dw_max <= opt.dw_tol * w_max;
    if (small_step || epoch % std::max(1, opt.gap_every) == 0 || epoch == opt.max_iter) {
      if (certify()) {
        out.converged = true;
        break;
      }
    }
  }
  out.coef = w;
  return out;
}

// --- column summaries -------------------------------------------------------------------------
// Per column j: the weighted mean m_j (0 without an intercept) and a_j = xc_j'S xc_j / W, in one
// pass. Sums are taken about the first row's value K_j (a shifted data pass), so the variance of
// a column with a large mean keeps its digits: with D = x - K, m = K + sum(sD)/W and
// a = (sum(s D^2) - (sum(sD))^2 / W) / W.
struct ColumnMoments {
  VectorXd mean;
  VectorXd sq_norm;  // a_j
};

template <class Scalar>
ColumnMoments column_moments(const DesignView<Scalar>& X, const double* s, bool fit_intercept,
                             int n_threads) {
  const Index n = X.rows, d = X.cols;
  const double W = weight_sum(s, n);
  VectorXd K = VectorXd::Zero(d);
  if (fit_intercept && n > 0)
    for (Index j = 0; j < d; ++j) K[j] = double(X(0, j));
  const int T = int(std::max<Index>(1, std::min<Index>(std::max(n_threads, 1), n / 256 + 1)));
  std::vector<VectorXd> S1(T, VectorXd::Zero(d)), S2(T, VectorXd::Zero(d));
#ifdef _OPENMP
#pragma omp parallel for num_threads(T) schedule(static, 1)
#endif
  for (int t = 0; t < T; ++t) {
    VectorXd& s1 = S1[t];
    VectorXd& s2 = S2[t];
    if (X.row_major()) {
      const Index r0 = n * t / T, r1 = n * (t + 1) / T;
      double* a1 = s1.data();
      double* a2 = s2.data();
      const double* k0 = K.data();
      for (Index i = r0; i < r1; ++i) {
        const Scalar* row = X.data + i * X.row_stride;
        const double si = s ? s[i] : 1.0;
        for (Index j = 0; j < d; ++j) {  // s1 += s_i (x_i - K); s2 += s_i (x_i - K)^2
          const double v = double(row[j]) - k0[j];
          a1[j] += si * v;
          a2[j] += si * v * v;
        }
      }
    } else {
      const Index c0 = d * t / T, c1 = d * (t + 1) / T;
      for (Index j = c0; j < c1; ++j) {
        const Eigen::Map<const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>> col(
            X.data + j * X.col_stride, n);
        const Eigen::ArrayXd D = col.template cast<double>().array() - K[j];
        if (s) {
          const Eigen::Map<const Eigen::ArrayXd> sw(s, n);
          s1[j] = (sw * D).sum();
          s2[j] = (sw * D.square()).sum();
        } else {
          s1[j] = D.sum();
          s2[j] = D.square().sum();
        }
      }
    }
  }
  for (int t = 1; t < T; ++t) {
    S1[0] += S1[t];
    S2[0] += S2[t];
  }
  ColumnMoments out;
  if (fit_intercept) {
    out.mean = K + S1[0] / W;
    out.sq_norm = ((S2[0].array() - S1[0].array().square() / W) / W).max(0.0).matrix();
  } else {
    out.mean = VectorXd::Zero(d);
    out.sq_norm = S2[0] / W;
  }
  require(out.mean.allFinite() && out.sq_norm.allFinite(), kNonFiniteX);
  return out;
}

// The columns cols of X copied into a column-major n x k buffer (the working set of a C-ordered
// design: naive coordinate descent reads columns, and a row-major X has none contiguous).
template <class Scalar>
Matrix<Scalar> gather_columns(const DesignView<Scalar>& X, const std::vector<Index>& cols,
                              int n_threads) {
  const Index n = X.rows, k = Index(cols.size());
  for (Index c : cols)
    require(c >= 0 && c < X.cols, "column index " + std::to_string(c) + " out of range [0, " +
                                      std::to_string(X.cols) + ")");
  Matrix<Scalar> out(n, k);
  if (!X.row_major()) {
    for (Index t = 0; t < k; ++t)
      std::memcpy(out.data() + t * n, X.data + cols[t] * X.col_stride, sizeof(Scalar) * n);
    return out;
  }
  constexpr Index kRows = 64;  // a block of rows stays in L1/L2 while its columns are picked
  const Index blocks = (n + kRows - 1) / kRows;
#ifdef _OPENMP
#pragma omp parallel for num_threads(std::max(n_threads, 1)) schedule(static)
#endif
  for (Index b = 0; b < blocks; ++b) {
    const Index i0 = b * kRows, i1 = std::min(n, i0 + kRows);
    for (Index t = 0; t < k; ++t) {
      const Scalar* src = X.data + cols[t];
      Scalar* dst = out.data() + t * n;
      for (Index i = i0; i < i1; ++i) dst[i] = src[i * X.row_stride];
    }
  }
  return out;
}

}  // namespace linreg
