// linreg/cholesky.hpp -- Cholesky factorisation C = L L' of a symmetric positive definite matrix,
// threaded, with a condition estimate; the factorisation reports, the caller decides.
//
// Right-looking blocked algorithm (panels of nb columns):
//   L11 = chol(C11);  L21 = C21 L11^-T;  C22 -= L21 L21'
// The diagonal block is factorised by Eigen's LLT in place, the panel solve runs on row chunks in
// parallel, and the trailing update, where nearly all the flops are, is lower_rank_update
// (kernels.hpp): threads own row panels of C22 of equal area. Eigen's own LLT runs its trailing
// update on one thread; at d = 2000 this is about 3x slower on 2 cores.
//
// Failure: a non-positive pivot, or a pivot L_jj^2 below n * eps relative to the largest diagonal
// entry of C (the matrix is singular to working precision).
// Condition: rcond = 1 / (||C||_1 ||C^-1||_1), with ||C^-1||_1 estimated by Hager's method
// (Higham, Accuracy and Stability, alg. 15.1): a handful of solves with L, O(n^2) each.
#pragma once

#include "kernels.hpp"
#include "types.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace linreg {

class Cholesky {
 public:
  // Factorises the lower triangle of C (the upper one is not read). Without estimate_condition
  // rcond() stays 0 and only the pivot test decides ok().
  Cholesky(const MatrixXd& C, int n_threads, bool estimate_condition = true) : L_(C) {
    const Index n = L_.rows();
    norm1_ = 0.0;
    for (Index j = 0; j < n; ++j) {  // ||C||_1 from the lower triangle
      double s = L_.col(j).tail(n - j).cwiseAbs().sum();
      for (Index i = 0; i < j; ++i) s += std::abs(L_(j, i));
      norm1_ = std::max(norm1_, s);
    }
    const double max_diag = n ? L_.diagonal().maxCoeff() : 0.0;
    if (!factorise(n_threads)) return;
    const VectorXd piv = L_.diagonal().cwiseAbs2();
    min_pivot_ = n ? piv.minCoeff() / std::max(max_diag, std::numeric_limits<double>::min()) : 1.0;
    ok_ = min_pivot_ > double(n) * std::numeric_limits<double>::epsilon();
    if (ok_ && estimate_condition) rcond_ = 1.0 / (norm1_ * inverse_norm1());
  }

  bool ok() const { return ok_; }
  double rcond() const { return rcond_; }          // 0 when not ok
  double min_pivot() const { return min_pivot_; }  // relative to the largest diagonal entry

  MatrixXd solve(const MatrixXd& B) const {
    const auto L = L_.triangularView<Eigen::Lower>();
    return L.transpose().solve(L.solve(B));
  }

 private:
  bool factorise(int n_threads) {
    const Index n = L_.rows(), nb = 256;
    if (n <= 2 * nb) {
      Eigen::LLT<Eigen::Ref<MatrixXd>> llt(L_);
      return llt.info() == Eigen::Success;
    }
    for (Index j0 = 0; j0 < n; j0 += nb) {
      const Index jb = std::min(nb, n - j0), rest = n - j0 - jb;
      Eigen::Ref<MatrixXd> C11 = L_.block(j0, j0, jb, jb);
      Eigen::LLT<Eigen::Ref<MatrixXd>> llt(C11);
      if (llt.info() != Eigen::Success) return false;
      if (rest == 0) break;
      // L21 = C21 L11^-T, on row chunks in parallel.
      const Index chunks = std::max<Index>(1, std::min<Index>(n_threads, rest / 64));
#ifdef _OPENMP
#pragma omp parallel for num_threads(int(chunks)) schedule(static, 1)
#endif
      for (Index c = 0; c < chunks; ++c) {
        const Index r0 = rest * c / chunks, r1 = rest * (c + 1) / chunks;
        Eigen::Ref<MatrixXd> part = L_.block(j0 + jb + r0, j0, r1 - r0, jb);
        L_.block(j0, j0, jb, jb).triangularView<Eigen::Lower>().transpose()
            .solveInPlace<Eigen::OnTheRight>(part);
      }
      // C22 -= L21 L21'
      lower_rank_update(-1.0, L_.data() + (j0 + jb) + j0 * n, rest, jb, n,
                        L_.data() + (j0 + jb) + (j0 + jb) * n, n, n_threads);
    }
    return true;
  }

  // Hager's estimate of ||C^-1||_1 (C symmetric, so C^-T = C^-1).
  double inverse_norm1() const {
    const Index n = L_.rows();
    VectorXd x = VectorXd::Constant(n, 1.0 / double(n));
    double estimate = 0.0;
    for (int it = 0; it < 5; ++it) {
      const VectorXd y = solve(x);
      estimate = y.cwiseAbs().sum();
      const VectorXd xi = y.unaryExpr([](double v) { return v >= 0.0 ? 1.0 : -1.0; });
      const VectorXd z = solve(xi);
      Index j = 0;
      const double zmax = z.cwiseAbs().maxCoeff(&j);
      if (zmax <= z.dot(x)) break;
      x.setZero();
      x[j] = 1.0;
    }
    return estimate;
  }

  MatrixXd L_;
  double norm1_ = 0.0;
  double rcond_ = 0.0;
  double min_pivot_ = 0.0;
  bool ok_ = false;
};

}  // namespace linreg
