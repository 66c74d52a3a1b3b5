// linreg/least_squares.hpp -- the precise path: a rank-revealing QR of the centred, column-scaled
// design itself, refined until the answer is correct to working precision.
//
// Problem. With weights w, intercept b and coefficients v, minimise
//   || E beta - s ||^2 + alpha ||v||^2,   E = [sqrt(w), sqrt(W) X],  s = sqrt(W) y,  beta = (b, v)
// (no sqrt(w) column without an intercept). Ridge (alpha > 0) is the same least-squares problem on
// the augmented design [E; 0 sqrt(alpha) I] with zero targets below.
//
// Factorisation. E = F T, where F = [q0, A] has unit-norm columns:
//   q0 = sqrt(w) / c,  c = ||sqrt(w)||,  A_j = sqrt(w) (x_j - m_j) / s_j   (centred, scaled)
//   T  = [[c, c m'], [0, S]],  S = diag(s_j),
// s_j = ||sqrt(w) (x_j - m_j)||, or hypot of it and sqrt(alpha) for the augmented Ridge design.
// q0 is orthogonal to every A_j, so F is as well conditioned as the centred, scaled design; the
// intercept and the column scales live in T, which is solved in O(d). F P = Q R is factorised by
// Householder QR with column pivoting; the numerical rank r is the number of |R_ii| above
// max(rows, cols) * eps * |R_00| (the rule of numpy.linalg.lstsq).
//
// Refinement. F is formed from rounded data (the centring and scaling round), so its factors only
// approximate E. They are used as the solver inside Bjorck's iterative refinement of the augmented
// system  r + E beta = s,  E' r = 0, whose residuals
//   f = s - r - E beta,   g = -E' r
// are computed from the original X, y, w in double-double (extended.hpp). The fixed point is then
// the least-squares solution of the data as given, to working precision, and both beta and the
// residual r are refined, which removes the kappa^2 * ||r|| term that limits plain refinement
// when the residual is large. One step, with M = R11 T (so that E_B = Q1 M):
//   h = M^-T g,  [d1; d2] = Q' f,  delta_beta = M^-1 (d1 - h),  delta_r = Q [h; d2].
// (Bjorck 1967; Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., ch. 20.5.)
//
// A penalty that dwarfs the data (alpha >= ||X_c||_F^2 / sqrt(u)) takes the normal equations
// instead (solve_penalty_dominated): their condition number is then below 1 + sqrt(u), so they
// are as precise, while the augmented system's rows differ in scale by more than the refinement
// can carry. The result still reports solver "qr", the precise path it belongs to.
//
// Rank deficiency. The basic solution on the r pivot columns is refined as above, then moved along
// the null space of E to the solution of minimum ||v|| (the intercept is not penalised): the same
// answer numpy.linalg.lstsq gives on the centred data. The dropped columns are reported.
#pragma once

#include "errors.hpp"
#include "extended.hpp"
#include "types.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <vector>

namespace linreg {

// Estimate of the 2-norm condition number of an upper-triangular R from power iterations on
// R'R and on its inverse. Good to a small factor, O(r^2) per iteration.
inline double triangular_condition(const MatrixXd& R, int iterations = 25) {
  const Index r = R.rows();
  if (r == 0) return 1.0;
  const auto U = R.triangularView<Eigen::Upper>();
  VectorXd v = VectorXd::Ones(r) / std::sqrt(double(r));
  double smax = 0.0, smin_inv = 0.0;
  for (int it = 0; it < iterations; ++it) {
    VectorXd u = U.transpose() * (U * v);
    smax = u.norm();
    if (!(smax > 0.0)) return std::numeric_limits<double>::infinity();
    v = u / smax;
  }
  v = VectorXd::Ones(r) / std::sqrt(double(r));
  for (int it = 0; it < iterations; ++it) {
    VectorXd u = U.transpose().solve(v);
    u = U.solve(u);
    smin_inv = u.norm();
    if (!std::isfinite(smin_inv)) return std::numeric_limits<double>::infinity();
    v = u / smin_inv;
  }
  return std::sqrt(smax * smin_inv);
}

template <class Scalar>
class PreciseLeastSquares {
 public:
  PreciseLeastSquares(const DesignView<Scalar>& X, const double* w, bool fit_intercept)
      : X_(X), w_(w), off_(fit_intercept ? 1 : 0), n_(X.rows), d_(X.cols), p_(X.cols + off_) {
    sqrt_w_.resize(n_);
    double W = 0.0;
    for (Index i = 0; i < n_; ++i) {
      const double wi = w ? w[i] : 1.0;
      sqrt_w_[i] = std::sqrt(wi);
      W += wi;
    }
    c_ = std::sqrt(W);
    mean_ = VectorXd::Zero(d_);
    if (off_ && W > 0.0) {
      for (Index j = 0; j < d_; ++j) {
        double s = 0.0;
        for (Index i = 0; i < n_; ++i) s += (w ? w[i] : 1.0) * double(X(i, j));
        mean_[j] = s / W;
      }
    }
    bias_.resize(p_);
    for (Index q = 0; q < p_; ++q) bias_[q] = 1.0 + 0.5 * double(p_ - 1 - q) / double(p_);
    // s_j = ||sqrt(w) (x_j - m_j)||, summed relative to the column's largest entry: the squares
    // themselves underflow below |x| ~ 1e-154 (s_j then read 0 or a denormal, and the column
    // was dropped as zero or scaled wrongly) and overflow above ~1e154.
    norm_.resize(d_);
    for (Index j = 0; j < d_; ++j) {
      double top = 0.0;
      bool finite = true;
      for (Index i = 0; i < n_; ++i) {
        const double a = std::abs(sqrt_w_[i] * (double(X(i, j)) - mean_[j]));
        finite = finite && std::isfinite(a);  // std::max would skip a NaN
        top = std::max(top, a);
      }
      require(finite, kNonFiniteX);
      double s = 0.0;
      if (top > 0.0)
        for (Index i = 0; i < n_; ++i) {
          const double a = sqrt_w_[i] * (double(X(i, j)) - mean_[j]) / top;
          s += a * a;
        }
      norm_[j] = top * std::sqrt(s);
    }
  }

  // Solves for the targets in Y (columns `targets`), all with the same alpha; writes coef/intercept.
  void solve(const TargetView<Scalar>& Y, const std::vector<Index>& targets, double alpha,
             int max_iter, FitResult& out) {
    if (alpha > 0.0 && alpha * std::sqrt(std::numeric_limits<double>::epsilon()) >=
                           norm_.squaredNorm()) {
      solve_penalty_dominated(Y, targets, alpha, out);
      return;
    }
    const Index rows = n_ + (alpha > 0.0 ? d_ : 0);
    // Column scales of the augmented design [A_j; sqrt(alpha) e_j]: hypot(s_j, sqrt(alpha)), so
    // that F's columns have unit norm with their ridge rows too. Scaled by s_j alone, a penalty
    // far above a column's curvature (alpha = 1e300, or X ~ 1e-160 with alpha = 1e-3) put
    // entries near 1e150 in F, whose squares overflowed inside the QR (NaN, or rank 0).
    scale_.resize(d_);
    for (Index j = 0; j < d_; ++j) {
      const double sj = std::hypot(norm_[j], std::sqrt(alpha));
      scale_[j] = sj > 0.0 ? sj : 1.0;
    }
    MatrixXd F = MatrixXd::Zero(rows, p_);
    if (off_) F.col(0).head(n_) = sqrt_w_ / (c_ > 0.0 ? c_ : 1.0);
    for (Index j = 0; j < d_; ++j) {
      for (Index i = 0; i < n_; ++i)
        F(i, off_ + j) = sqrt_w_[i] * (double(X_(i, j)) - mean_[j]) / scale_[j];
      if (alpha > 0.0) F(n_ + j, off_ + j) = std::sqrt(alpha) / scale_[j];
    }
    // Pivoting picks the largest remaining column; between columns that tie (duplicates, exact
    // dependencies) prefer the earlier one, so the later columns are the ones reported dependent.
    for (Index q = 0; q < p_; ++q) F.col(q) *= bias_[q];
    Eigen::ColPivHouseholderQR<Eigen::Ref<MatrixXd>> qr(F);
    qr.setThreshold(double(std::max(rows, p_)) * std::numeric_limits<double>::epsilon());
    const Index r = qr.rank();
    const auto& piv = qr.colsPermutation().indices();
    std::vector<Index> basis(piv.data(), piv.data() + r);
    const MatrixXd R11 = qr.matrixR().topLeftCorner(r, r).template triangularView<Eigen::Upper>();

    out.rank = r - (std::find(basis.begin(), basis.end(), 0) != basis.end() ? off_ : 0);
    out.cond = std::max(out.cond, triangular_condition(R11));
    for (Index i = r; i < p_; ++i)
      if (piv[i] >= off_) out.dependent_columns.push_back(piv[i] - off_);
    std::sort(out.dependent_columns.begin(), out.dependent_columns.end());
    out.dependent_columns.erase(std::unique(out.dependent_columns.begin(), out.dependent_columns.end()),
                                out.dependent_columns.end());

    if (r == 0) {  // every column zero (X = 0 without an intercept): 0 is the minimum-norm answer
      for (Index t : targets) {
        out.coef.col(t).setZero();
        out.intercept[t] = 0.0;
      }
      return;
    }
    const MatrixXd N = r < p_ ? null_space(qr, r) : MatrixXd();
    const double sqrt_alpha = std::sqrt(alpha);
    const double u = std::numeric_limits<double>::epsilon();
    for (Index t : targets) {
      VectorXd beta = VectorXd::Zero(r);  // in basis order
      VectorXd res = VectorXd::Zero(rows);
      VectorXd f(rows), g(r);
      double previous = std::numeric_limits<double>::infinity();
      int steps = 0;
      double change = 0.0;
      for (int it = 0; it <= max_iter; ++it) {
        residuals(Y, t, basis, beta, res, sqrt_alpha, f, g);
        const VectorXd h = solve_MT(R11, basis, g);
        VectorXd q = qr.householderQ().adjoint() * f;
        const VectorXd delta = solve_M(R11, basis, q.head(r) - h);
        q.head(r) = h;
        res.noalias() += qr.householderQ() * q;
        beta += delta;
        const double scale = beta.cwiseAbs().maxCoeff();
        change = scale > 0.0 ? delta.cwiseAbs().maxCoeff() / scale : 0.0;
        if (it == 0) continue;
        steps = it;
        if (change <= 2.0 * u || change > 0.5 * previous) break;
        previous = change;
      }
      out.n_iter = std::max(out.n_iter, steps);
      out.refinement_change = std::max(out.refinement_change, change);
      // Back to natural order: beta_full[q] for q in 0..p-1 (q = 0 is the intercept).
      VectorXd full = VectorXd::Zero(p_);
      for (Index i = 0; i < r; ++i) full[basis[i]] = beta[i];
      if (r < p_) {
        // Minimum ||v|| among all solutions full + N z (the intercept moves freely).
        const MatrixXd Nv = N.bottomRows(d_);
        const VectorXd z = Nv.colPivHouseholderQr().solve(full.tail(d_));
        full -= N * z;
      }
      out.coef.col(t) = full.tail(d_);
      out.intercept[t] = off_ ? full[0] : 0.0;
    }
  }

  // A penalty that dwarfs the data: alpha >= ||X_c||_F^2 / sqrt(u) >= lambda_max(X_c' W X_c) /
  // sqrt(u). Then X_c' W X_c + alpha I has condition number below 1 + sqrt(u), and the normal
  // equations (X_c' W X_c + alpha I) v = X_c' W y_c, with X_c' W y_c summed in double-double, are
  // solved to working precision by one Cholesky. The augmented QR cannot do it: its ridge rows'
  // residuals are sqrt(alpha) v, about sqrt(u) / sqrt(alpha / ||X_c||^2) of the data rows', and
  // below ~1e-35 of them the refinement lost them (alpha ~ 1e70 at ||x_j||^2 ~ 1e3 doubled v).
  void solve_penalty_dominated(const TargetView<Scalar>& Y, const std::vector<Index>& targets,
                               double alpha, FitResult& out) {
    MatrixXd A = alpha * MatrixXd::Identity(d_, d_);
    VectorXd xc(d_);
    for (Index i = 0; i < n_; ++i) {
      for (Index j = 0; j < d_; ++j) xc[j] = sqrt_w_[i] * (double(X_(i, j)) - mean_[j]);
      A.template selfadjointView<Eigen::Lower>().rankUpdate(xc);
    }
    const Eigen::LLT<MatrixXd> llt(A);
    const double W = c_ * c_;
    for (Index t : targets) {
      double ybar = 0.0;
      if (off_) {
        DoubleDouble sy;
        for (Index i = 0; i < n_; ++i) sy.add_product(w_ ? w_[i] : 1.0, double(Y(i, t)));
        ybar = sy.value() / W;
      }
      std::vector<DoubleDouble> cx(d_);
      for (Index i = 0; i < n_; ++i) {
        const double yi = sqrt_w_[i] * (double(Y(i, t)) - ybar);
        for (Index j = 0; j < d_; ++j)
          cx[j].add_product(sqrt_w_[i] * (double(X_(i, j)) - mean_[j]), yi);
      }
      VectorXd rhs(d_);
      for (Index j = 0; j < d_; ++j) rhs[j] = cx[j].value();
      const VectorXd v = llt.solve(rhs);
      out.coef.col(t) = v;
      out.intercept[t] = off_ ? ybar - mean_.dot(v) : 0.0;
    }
    out.rank = d_;
    out.cond = std::max(out.cond, 1.0);
  }

 private:
  // E = F T with F's columns multiplied by bias: T(q, q) on the diagonal, T(0, q) = c m_j on the
  // intercept row, each row divided by its column's bias.
  double T_diag(Index q) const { return ((off_ && q == 0) ? c_ : scale_[q - off_]) / bias_[q]; }
  double T_top(Index q) const { return c_ * mean_[q - off_] / bias_[0]; }

  // x = T_BB^-1 v for the columns in `basis` (v in basis order).
  VectorXd apply_T_inverse(const std::vector<Index>& basis, const VectorXd& v) const {
    VectorXd x(v.size());
    Index pos0 = -1;
    for (Index i = 0; i < Index(basis.size()); ++i) {
      if (off_ && basis[i] == 0) { pos0 = i; continue; }
      x[i] = v[i] / T_diag(basis[i]);
    }
    if (pos0 >= 0) {
      double s = v[pos0];
      for (Index i = 0; i < Index(basis.size()); ++i)
        if (i != pos0) s -= T_top(basis[i]) * x[i];
      x[pos0] = s / T_diag(0);
    }
    return x;
  }
  // x = T_BB^-T v.
  VectorXd apply_T_inverse_transpose(const std::vector<Index>& basis, const VectorXd& v) const {
    VectorXd x(v.size());
    Index pos0 = -1;
    for (Index i = 0; i < Index(basis.size()); ++i)
      if (off_ && basis[i] == 0) pos0 = i;
    const double x0 = pos0 >= 0 ? v[pos0] / T_diag(0) : 0.0;
    for (Index i = 0; i < Index(basis.size()); ++i) {
      if (i == pos0) { x[i] = x0; continue; }
      x[i] = (v[i] - (pos0 >= 0 ? T_top(basis[i]) * x0 : 0.0)) / T_diag(basis[i]);
    }
    return x;
  }
  VectorXd solve_M(const MatrixXd& R11, const std::vector<Index>& basis, const VectorXd& v) const {
    return apply_T_inverse(basis, R11.triangularView<Eigen::Upper>().solve(v));
  }
  VectorXd solve_MT(const MatrixXd& R11, const std::vector<Index>& basis, const VectorXd& g) const {
    return R11.triangularView<Eigen::Upper>().transpose().solve(apply_T_inverse_transpose(basis, g));
  }

  // Null space of E in natural coordinates (p x (p - r)), from F P = Q [R11 R12].
  MatrixXd null_space(const Eigen::ColPivHouseholderQR<Eigen::Ref<MatrixXd>>& qr, Index r) const {
    const Index k = p_ - r;
    const auto& piv = qr.colsPermutation().indices();
    MatrixXd Z(p_, k);
    Z.topRows(r) = -qr.matrixR().topLeftCorner(r, r).template triangularView<Eigen::Upper>().solve(
        qr.matrixR().block(0, r, r, k));
    Z.bottomRows(k).setIdentity();
    MatrixXd N(p_, k);  // gamma = P z is the null vector of F; beta = T^-1 gamma
    std::vector<Index> all(p_);
    for (Index q = 0; q < p_; ++q) all[q] = q;
    for (Index col = 0; col < k; ++col) {
      VectorXd gamma(p_);
      for (Index i = 0; i < p_; ++i) gamma[piv[i]] = Z(i, col);
      N.col(col) = apply_T_inverse(all, gamma);
    }
    return N;
  }

  // f = s - r - E_B beta (rows of the augmented system) and g = -E_B' r, in double-double.
  void residuals(const TargetView<Scalar>& Y, Index t, const std::vector<Index>& basis,
                 const VectorXd& beta, const VectorXd& res, double sqrt_alpha, VectorXd& f,
                 VectorXd& g) const {
    const Index r = Index(basis.size());
    double b0 = 0.0;
    std::vector<Index> cols;  // X columns in the basis and their positions
    std::vector<Index> pos;
    for (Index i = 0; i < r; ++i) {
      if (off_ && basis[i] == 0) {
        b0 = beta[i];
      } else {
        cols.push_back(basis[i] - off_);
        pos.push_back(i);
      }
    }
    Index pos0 = -1;
    for (Index q = 0; q < r; ++q)
      if (off_ && basis[q] == 0) pos0 = q;
    std::vector<Index> where(d_, -1);  // position in the basis of X column j, or -1
    for (size_t a = 0; a < cols.size(); ++a) where[cols[a]] = pos[a];
    std::vector<DoubleDouble> gx(r);
    for (Index i = 0; i < n_; ++i) {
      DoubleDouble e;
      e.add(double(Y(i, t)));
      e.add(-b0);
      for (size_t a = 0; a < cols.size(); ++a) e.add_product(-double(X_(i, cols[a])), beta[pos[a]]);
      // f_i = sqrt(w_i) * e - r_i, with the product kept exact.
      DoubleDouble fi;
      fi.add_product(e.hi, sqrt_w_[i]);
      fi.lo += e.lo * sqrt_w_[i];
      fi.add(-res[i]);
      f[i] = fi.value();
      // g = -E' r: the row's contribution sqrt(w_i) r_i, as a double-double (th, tl).
      const double th = sqrt_w_[i] * res[i];
      const double tl = std::fma(sqrt_w_[i], res[i], -th);
      for (size_t a = 0; a < cols.size(); ++a) {
        const double x = double(X_(i, cols[a]));
        gx[pos[a]].add_product(-x, th);
        gx[pos[a]].lo -= x * tl;
      }
      if (pos0 >= 0) {
        gx[pos0].add(-th);
        gx[pos0].lo -= tl;
      }
    }
    for (Index a = n_; a < f.size(); ++a) {  // ridge rows: 0 - r - sqrt(alpha) v_j
      const Index q = where[a - n_];
      DoubleDouble fa;
      fa.add(-res[a]);
      if (q >= 0) {
        fa.add_product(-sqrt_alpha, beta[q]);
        gx[q].add_product(-sqrt_alpha, res[a]);
      }
      f[a] = fa.value();
    }
    for (Index q = 0; q < r; ++q) g[q] = gx[q].value();
  }

  DesignView<Scalar> X_;
  const double* w_;
  Index off_, n_, d_, p_;
  VectorXd sqrt_w_, mean_, norm_, scale_, bias_;  // scale_: per solve() (it depends on alpha)
  double c_ = 0.0;
};

}  // namespace linreg
