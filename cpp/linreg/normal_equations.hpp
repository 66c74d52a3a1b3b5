// linreg/normal_equations.hpp -- OLS and Ridge: the closed form and the policy around it.
//
// Objective (per target t, with its own alpha_t >= 0; alpha = 0 is ordinary least squares):
//   minimise over (b, v):  sum_i w_i (y_i - b - x_i' v)^2 + alpha ||v||^2
// With the statistics of gram.hpp, the intercept is unpenalised and recovered from the means,
//   (Gxx + alpha I) v = Gxy,   b = my - m' v.
// The system is solved scaled, C = S^-1 (Gxx + alpha I) S^-1 with S = sqrt(diag Gxx), so that
// Cholesky's pivots and the condition estimate are those of the correlation matrix.
//
// Paths, and when solver="auto" takes each (kappa = estimated 2-norm condition number of the
// centred, column-scaled design; u = unit roundoff of the input type; tau = 1e-10 for double and
// 1e-5 for float input; e0 = kappa^2 u is the relative error the normal equations can make):
//   "qr"                   rows p min(rows, p) <= 1e8, the QR's flops up to a constant (rows = n,
//                          plus d for Ridge's augmented design): the QR costs little. Or e0 too
//                          large to refine (below):
//                          least_squares.hpp, on a copy of the design. Forced by solver="qr".
//   "cholesky"             e0 <= tau: the normal equations as they are.
//   "cholesky+refinement"  e0 <= 1/4 and e0^(s+1) <= tau for s <= 3 refinement steps: each step is
//                          one more pass over X computing the residual R = Y - X V - b and the
//                          gradient X_c' W R - alpha V in double, then a solve with the same
//                          Cholesky factor (corrected semi-normal equations); steps stop early once
//                          the correction is below tau.
//   "dual-cholesky"        n < d and every alpha > 0: v = Z' (Z Z' + alpha I)^-1 t with Z the
//                          centred, weighted design (n x n kernel), when e0 <= tau.
// solver="cholesky" runs the normal equations (or the dual) only: no refinement, no fallback; a
// non-positive or numerically zero pivot throws NotPositiveDefinite.
#pragma once

#include "cholesky.hpp"
#include "errors.hpp"
#include "gram.hpp"
#include "kernels.hpp"
#include "least_squares.hpp"
#include "types.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace linreg {

struct NormalEquationsPolicy {
  double precise_work = 1e8;   // QR work at or below which auto takes the QR path outright
  int max_refinement = 3;      // refinement passes over X the Gram path may add
  int max_precise_iter = 10;   // refinement iterations of the QR path
};

template <class Scalar>
constexpr double accuracy_target() {
  return std::is_same_v<Scalar, float> ? 1e-5 : 1e-10;
}

namespace detail {

// Targets grouped by their alpha: one factorisation serves each group.
inline std::map<double, std::vector<Index>> alpha_groups(const VectorXd& alphas) {
  std::map<double, std::vector<Index>> groups;
  for (Index t = 0; t < alphas.size(); ++t) groups[alphas[t]].push_back(t);
  return groups;
}

// R = Y - b - X V for all targets, and the gradient pieces G = sum_i w_i (x_i - m) r_i'
// (d x k) and g_b = sum_i w_i r_i (k), in one pass over X (threads over row blocks).
template <class Scalar>
void residual_gradient(const DesignView<Scalar>& X, const TargetView<Scalar>& Y, const double* w,
                       const VectorXd& mean, const MatrixXd& V, const VectorXd& b, int n_threads,
                       MatrixXd& G, VectorXd& gb) {
  const Index n = X.rows, d = X.cols, k = Y.cols;
  // Blocks small enough that the double copy of a block stays in cache for its two products.
  const Index B = std::clamp<Index>((Index(1) << 19) / (8 * std::max<Index>(d, 1)), 16, 512);
  const Index blocks = (n + B - 1) / B;
  const int T = int(std::max<Index>(1, std::min<Index>(std::max(n_threads, 1), blocks)));
  std::vector<MatrixXd> Gs(T, MatrixXd::Zero(d, k));
  std::vector<VectorXd> gbs(T, VectorXd::Zero(k));
#ifdef _OPENMP
#pragma omp parallel for num_threads(T) schedule(static, 1)
#endif
  for (int t = 0; t < T; ++t) {
    const Index r0 = std::min(n, blocks * t / T * B), r1 = std::min(n, blocks * (t + 1) / T * B);
    MatrixXd Xc(B, d), R(B, k);
    for (Index r = r0; r < r1; r += B) {
      const Index m = std::min(B, r1 - r);
      for (Index j = 0; j < d; ++j)
        for (Index i = 0; i < m; ++i) Xc(i, j) = double(X(r + i, j)) - mean[j];
      for (Index c = 0; c < k; ++c)
        for (Index i = 0; i < m; ++i) R(i, c) = double(Y(r + i, c)) - b[c];
      // R -= X_block @ V, with X_block = Xc + mean (the mean is folded into b by the caller's
      // convention b_used = b + mean' V, see fit_normal_equations)
      R.topRows(m).noalias() -= Xc.topRows(m) * V;
      if (w) {
        for (Index i = 0; i < m; ++i) R.row(i) *= w[r + i];
      }
      Gs[t].noalias() += Xc.topRows(m).transpose() * R.topRows(m);
      gbs[t] += R.topRows(m).colwise().sum().transpose();
    }
  }
  G = Gs[0];
  gb = gbs[0];
  for (int t = 1; t < T; ++t) {
    G += Gs[t];
    gb += gbs[t];
  }
}

}  // namespace detail

namespace detail {

// sum_i w_i x_i over the rows of X (d), in double, reading X in its own order.
template <class Scalar>
VectorXd weighted_column_sums(const DesignView<Scalar>& X, const double* w) {
  using Vec = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  VectorXd s = VectorXd::Zero(X.cols);
  if (X.row_major()) {
    for (Index i = 0; i < X.rows; ++i)
      s.noalias() += (w ? w[i] : 1.0) * Eigen::Map<const Vec>(X.data + i * X.row_stride, X.cols)
                                            .template cast<double>();
  } else {
    for (Index j = 0; j < X.cols; ++j) {
      Eigen::Map<const Vec> col(X.data + j * X.col_stride, X.rows);
      s[j] = w ? Eigen::Map<const VectorXd>(w, X.rows).dot(col.template cast<double>())
               : col.template cast<double>().sum();
    }
  }
  return s;
}

// X' S for S (n x k), in double, reading X in its own order.
template <class Scalar>
MatrixXd transpose_times(const DesignView<Scalar>& X, const MatrixXd& S) {
  using Vec = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  MatrixXd out = MatrixXd::Zero(X.cols, S.cols());
  if (X.row_major()) {
    for (Index i = 0; i < X.rows; ++i)
      out.noalias() += Eigen::Map<const Vec>(X.data + i * X.row_stride, X.cols)
                           .template cast<double>() * S.row(i);
  } else {
    for (Index j = 0; j < X.cols; ++j)
      out.row(j) = Eigen::Map<const Vec>(X.data + j * X.col_stride, X.rows)
                       .template cast<double>().transpose() * S;
  }
  return out;
}

}  // namespace detail

namespace detail {

// S^-1 with S = sqrt(diag Gxx); a constant column (zero diagonal) keeps scale 1.
inline VectorXd inverse_column_scale(const GramStatistics& st) {
  VectorXd s = st.xx.diagonal().cwiseSqrt();
  for (Index j = 0; j < s.size(); ++j)
    if (!(s[j] > 0.0)) s[j] = 1.0;
  return s.cwiseInverse();
}

}  // namespace detail

// OLS / Ridge from the statistics alone (partial_fit, files, clusters): the scaled Cholesky of
// the closed form, with no rows to refine against and no QR to fall back to. fell_back is set
// when a factorisation fails or C + alpha S^-2 is singular to working precision: a relative
// pivot min L_jj^2 / max C_jj <= 1e3 d u (no condition estimate: this runs after every batch of
// partial_fit and costs about a d^3/3 factorisation); the caller then takes the minimum-norm
// solution from an eigendecomposition.
inline FitResult solve_statistics(const GramStatistics& st, const VectorXd& alphas, int n_threads) {
  const Index d = st.n_features(), k = st.n_targets();
  require(!st.empty() && st.weight_sum > 0.0,
          "the statistics hold no rows with positive weight yet");
  require(alphas.size() == k, "alpha has " + std::to_string(alphas.size()) + " values, the "
                                  "statistics have " + std::to_string(k) + " targets");
  for (Index t = 0; t < k; ++t)
    require(std::isfinite(alphas[t]) && alphas[t] >= 0.0,
            "alpha must be finite and >= 0, got " + std::to_string(alphas[t]));
  FitResult out;
  out.coef.setZero(d, k);
  out.intercept.setZero(k);
  out.rank = d;
  out.solver = "cholesky";
  const VectorXd s_inv = detail::inverse_column_scale(st);
  const MatrixXd C0 = s_inv.asDiagonal() * st.xx * s_inv.asDiagonal();
  const double floor = 1e3 * double(d) * std::numeric_limits<double>::epsilon();
  for (const auto& [alpha, targets] : detail::alpha_groups(alphas)) {
    MatrixXd C = C0;
    C.diagonal() += alpha * s_inv.cwiseAbs2();
    const Cholesky chol(C, n_threads, /*estimate_condition=*/false);
    if (!chol.ok() || !(chol.min_pivot() > floor)) {
      std::ostringstream why;
      why << "the statistics' Gram" << (alpha > 0 ? " + alpha I" : "") << " is singular to "
          << "working precision (smallest relative pivot " << chol.min_pivot() << ")";
      out.fell_back = true;
      out.fallback_reason = why.str();
      return out;
    }
    // v = S^-1 C^-1 S^-1 Gxy[:, targets];  b = my - m' v
    const MatrixXd V = s_inv.asDiagonal() * chol.solve(s_inv.asDiagonal() *
                                                        st.xy(Eigen::all, targets));
    for (size_t c = 0; c < targets.size(); ++c) {
      out.coef.col(targets[c]) = V.col(c);
      if (st.centered) out.intercept[targets[c]] = st.y_mean[targets[c]] - st.x_mean.dot(V.col(c));
    }
  }
  return out;
}

// The kernel (dual) Ridge for n < d: v = Z' (Z Z' + alpha I)^-1 t, Z = sqrt(w) (X - m) (n x d),
// t = sqrt(w) (y - my). K = Z Z' is built by column blocks of Z, each centred into a small
// buffer (in double, whatever the input: when n < d these products are a small part of the work)
// and added by lower_rank_update, whose threads own row panels of K. Returns false (auto falls
// back) when a factorisation fails or is too ill-conditioned for the accuracy target.
template <class Scalar>
bool fit_dual_ridge(const DesignView<Scalar>& X, const TargetView<Scalar>& Y, const double* w,
                    const VectorXd& alphas, bool fit_intercept, bool strict, int n_threads,
                    FitResult& out) {
  const Index n = X.rows, d = X.cols, k = Y.cols;
  VectorXd sw(n);
  double W = 0.0;
  for (Index i = 0; i < n; ++i) {
    const double wi = w ? w[i] : 1.0;
    sw[i] = std::sqrt(wi);
    W += wi;
  }
  VectorXd mean = VectorXd::Zero(d), ymean = VectorXd::Zero(k);
  if (fit_intercept) {
    mean = detail::weighted_column_sums(X, w) / W;
    for (Index t = 0; t < k; ++t) {
      double s = 0.0;
      for (Index i = 0; i < n; ++i) s += (w ? w[i] : 1.0) * double(Y(i, t));
      ymean[t] = s / W;
    }
  }
  MatrixXd K = MatrixXd::Zero(n, n);
  const Index cb = 1024;  // columns per block: 0.47 s at 512, 0.44 s at 1024 (2000 x 5000)
  MatrixXd buf(n, std::min(cb, d));
  const int T = std::max(1, n_threads);
  for (Index c0 = 0; c0 < d; c0 += cb) {
    const Index m = std::min(cb, d - c0);
    // buf = sqrt(w) (X[:, c0:c0+m] - m), threads over rows (C order) or columns (F order).
#ifdef _OPENMP
#pragma omp parallel for num_threads(T) schedule(static)
#endif
    for (Index part = 0; part < (X.row_major() ? n : m); ++part) {
      if (X.row_major()) {
        const Index i = part;
        const Scalar* x = X.data + i * X.row_stride + c0;
        for (Index j = 0; j < m; ++j) buf(i, j) = sw[i] * (double(x[j]) - mean[c0 + j]);
      } else {
        const Index j = part;
        const Scalar* x = X.data + (c0 + j) * X.col_stride;
        for (Index i = 0; i < n; ++i) buf(i, j) = sw[i] * (double(x[i]) - mean[c0 + j]);
      }
    }
    lower_rank_update(1.0, buf.data(), n, m, n, K.data(), n, T);
  }
  require(K.diagonal().allFinite() && mean.allFinite(), kNonFiniteX);
  const double kscale = std::max(K.diagonal().maxCoeff(), std::numeric_limits<double>::min());

  out.coef.setZero(d, k);
  out.intercept.setZero(k);
  out.solver = "dual-cholesky";
  out.rank = std::min(n - (fit_intercept ? 1 : 0), d);
  for (const auto& [alpha, targets] : detail::alpha_groups(alphas)) {
    MatrixXd C = K / kscale;
    C.diagonal().array() += alpha / kscale;
    const Cholesky chol(C, T);
    if (!chol.ok()) {
      if (strict)
        throw NotPositiveDefinite("Cholesky factorisation of the kernel matrix X X' + alpha I "
                                  "failed (alpha = " + std::to_string(alpha) + ")");
      return false;
    }
    const double kappa = std::sqrt(1.0 / chol.rcond());
    out.cond = std::max(out.cond, kappa);
    if (!strict && kappa * kappa * std::numeric_limits<double>::epsilon() >
                       accuracy_target<Scalar>())
      return false;
    MatrixXd Tt(n, Index(targets.size()));
    for (size_t c = 0; c < targets.size(); ++c)
      for (Index i = 0; i < n; ++i)
        Tt(i, c) = sw[i] * (double(Y(i, targets[c])) - ymean[targets[c]]);
    // v = Z' a = X' (sqrt(w) a) - m (sum sqrt(w) a)
    const MatrixXd S = sw.asDiagonal() * (chol.solve(Tt) / kscale);
    const MatrixXd V = detail::transpose_times(X, S) - mean * S.colwise().sum();
    for (size_t c = 0; c < targets.size(); ++c) {
      out.coef.col(targets[c]) = V.col(c);
      out.intercept[targets[c]] = fit_intercept ? ymean[targets[c]] - mean.dot(V.col(c)) : 0.0;
    }
  }
  return true;
}

// The precise path for every target (grouped by alpha).
template <class Scalar>
void fit_precise(const DesignView<Scalar>& X, const TargetView<Scalar>& Y, const double* w,
                 const VectorXd& alphas, bool fit_intercept, const NormalEquationsPolicy& policy,
                 FitResult& out) {
  const Index d = X.cols, k = Y.cols;
  out.coef.setZero(d, k);
  out.intercept.setZero(k);
  out.solver = "qr";
  out.cond = 0.0;
  out.n_iter = 0;
  out.dependent_columns.clear();
  PreciseLeastSquares<Scalar> ls(X, w, fit_intercept);
  for (const auto& [alpha, targets] : detail::alpha_groups(alphas))
    ls.solve(Y, targets, alpha, policy.max_precise_iter, out);
}

template <class Scalar>
FitResult fit_normal_equations(const DesignView<Scalar>& X, const TargetView<Scalar>& Y,
                               const double* w, const VectorXd& alphas, bool fit_intercept,
                               const std::string& solver, int n_threads,
                               const NormalEquationsPolicy& policy = {},
                               GramStatistics* statistics = nullptr) {
  const Index n = X.rows, d = X.cols, k = Y.cols;
  require(n >= 1 && d >= 1, "X must have at least one row and one column, got " +
                                std::to_string(n) + " x " + std::to_string(d));
  require(Y.rows == n, "y has " + std::to_string(Y.rows) + " rows, X has " + std::to_string(n));
  require(k >= 1, "y must have at least one target column");
  require(alphas.size() == k, "alpha has " + std::to_string(alphas.size()) +
                                  " values, y has " + std::to_string(k) + " targets");
  for (Index t = 0; t < k; ++t)
    require(std::isfinite(alphas[t]) && alphas[t] >= 0.0,
            "alpha must be finite and >= 0, got " + std::to_string(alphas[t]));
  require(solver == "auto" || solver == "cholesky" || solver == "qr",
          "solver must be 'auto', 'cholesky' or 'qr', got '" + solver + "'");

  FitResult out;
  // Flops of the QR, up to a constant: rows x p x min(rows, p), with the d extra rows of the
  // augmented design when any alpha > 0.
  const double p = double(d + (fit_intercept ? 1 : 0));
  const double rows = double(n) + (alphas.maxCoeff() > 0.0 ? double(d) : 0.0);
  const double qr_work = rows * p * std::min(rows, p);
  if (solver == "qr" || (solver == "auto" && qr_work <= policy.precise_work)) {
    fit_precise(X, Y, w, alphas, fit_intercept, policy, out);
    return out;
  }
  const bool strict = solver == "cholesky";
  const double u = std::numeric_limits<Scalar>::epsilon();
  const double tau = accuracy_target<Scalar>();

  if (n < d && alphas.minCoeff() > 0.0) {
    if (fit_dual_ridge(X, Y, w, alphas, fit_intercept, strict, n_threads, out)) return out;
    std::ostringstream why;
    why << "the kernel matrix X X' + alpha I is too ill-conditioned for Cholesky (condition "
           "estimate "
        << out.cond << ")";
    fit_precise(X, Y, w, alphas, fit_intercept, policy, out);
    out.fell_back = true;
    out.fallback_reason = why.str();
    return out;
  }

  const GramStatistics st = gram_statistics(X, Y, w, fit_intercept, n_threads);
  require(st.xx.diagonal().allFinite() && st.x_mean.allFinite(), kNonFiniteX);
  // The caller may keep the statistics (inference needs them): no second pass over X.
  if (statistics) *statistics = st;
  const VectorXd s_inv = detail::inverse_column_scale(st);
  const MatrixXd C0 = s_inv.asDiagonal() * st.xx * s_inv.asDiagonal();

  out.coef.setZero(d, k);
  out.intercept.setZero(k);
  out.rank = d;
  int steps_needed = 0;
  std::vector<std::pair<std::vector<Index>, Cholesky>> factors;
  std::ostringstream why;
  bool fall_back = false;
  for (const auto& [alpha, targets] : detail::alpha_groups(alphas)) {
    MatrixXd C = C0;
    C.diagonal() += alpha * s_inv.cwiseAbs2();
    Cholesky chol(C, n_threads);
    if (!chol.ok()) {
      if (strict) {
        std::ostringstream msg;
        msg << "Cholesky factorisation of X'X" << (alpha > 0 ? " + alpha I" : "")
            << " failed: the matrix is singular or not positive definite to working precision "
               "(smallest relative pivot "
            << chol.min_pivot() << "); the design is rank-deficient. Use solver='auto' or 'qr'.";
        throw NotPositiveDefinite(msg.str());
      }
      why << "Cholesky of the normal equations met a numerically zero pivot (smallest relative "
             "pivot "
          << chol.min_pivot() << ")";
      fall_back = true;
      break;
    }
    const double kappa = std::sqrt(1.0 / chol.rcond());
    out.cond = std::max(out.cond, kappa);
    const double e0 = kappa * kappa * u;
    if (!strict && e0 > tau) {
      int steps = 0;
      double e = e0;
      while (e > tau && steps <= policy.max_refinement) {
        e *= e0;
        ++steps;
      }
      if (e0 > 0.25 || steps > policy.max_refinement) {
        why << "the normal equations would lose too many digits (condition estimate of the "
               "scaled design "
            << kappa << ", so about " << int(std::ceil(std::log10(std::max(e0 / u, 1.0))))
            << " of " << int(std::floor(-std::log10(u))) << " digits)";
        fall_back = true;
        break;
      }
      steps_needed = std::max(steps_needed, steps);
    }
    const MatrixXd rhs = s_inv.asDiagonal() * st.xy(Eigen::all, targets);
    const MatrixXd V = s_inv.asDiagonal() * chol.solve(rhs);
    for (size_t c = 0; c < targets.size(); ++c) {
      out.coef.col(targets[c]) = V.col(c);
      out.intercept[targets[c]] = fit_intercept ? st.y_mean[targets[c]] - st.x_mean.dot(V.col(c)) : 0.0;
    }
    factors.emplace_back(targets, std::move(chol));
  }
  if (fall_back) {
    fit_precise(X, Y, w, alphas, fit_intercept, policy, out);
    out.fell_back = true;
    out.fallback_reason = why.str();
    return out;
  }
  out.solver = "cholesky";
  // Corrected semi-normal equations: each step one pass over X, one solve per alpha group.
  for (int step = 0; step < steps_needed; ++step) {
    MatrixXd G;
    VectorXd gb;
    // Residual about the means: y - b - x'v = y - (b + m'v) - (x - m)'v = y - my' - (x - m)'v
    VectorXd b_centred = out.intercept;
    if (fit_intercept) b_centred += out.coef.transpose() * st.x_mean;
    detail::residual_gradient(X, Y, w, st.x_mean, out.coef, b_centred, n_threads, G, gb);
    double change = 0.0;
    for (const auto& [targets, chol] : factors) {
      const double alpha = alphas[targets[0]];
      MatrixXd rhs = G(Eigen::all, targets) - alpha * out.coef(Eigen::all, targets);
      const MatrixXd dV = s_inv.asDiagonal() * chol.solve(s_inv.asDiagonal() * rhs);
      for (size_t c = 0; c < targets.size(); ++c) {
        const Index t = targets[c];
        const double scale = out.coef.col(t).cwiseAbs().maxCoeff();
        if (scale > 0.0) change = std::max(change, dV.col(c).cwiseAbs().maxCoeff() / scale);
        out.coef.col(t) += dV.col(c);
        if (fit_intercept)
          out.intercept[t] += gb[t] / st.weight_sum - st.x_mean.dot(dV.col(c));
      }
    }
    out.n_iter = step + 1;
    out.refinement_change = change;
    out.solver = "cholesky+refinement";
    if (change <= tau) break;
  }
  return out;
}

}  // namespace linreg
