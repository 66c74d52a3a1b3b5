// linreg/types.hpp -- matrix aliases and the plain result every solver returns.
//
// Conventions used across the core:
//   X   (n x d) design, read in place, either row-major (C order) or column-major (F order)
//   Y   (n x k) targets, column-major; a single target is k = 1
//   w   (n)     sample weights, or empty for unit weights
//   W           the sum of the weights (n for unit weights)
// Coefficients are returned in double whatever the input precision; the Python layer casts.
#pragma once

#include <Eigen/Dense>

#include <string>
#include <vector>

namespace linreg {

using Eigen::Index;
using MatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic>;
using VectorXd = Eigen::Matrix<double, Eigen::Dynamic, 1>;
template <class Scalar>
using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
template <class Scalar>
using RowMatrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A read-only strided view of the design: X(i, j) = data[i * row_stride + j * col_stride].
// Row-major input has col_stride == 1, column-major input has row_stride == 1. Nothing is copied.
template <class Scalar>
struct DesignView {
  const Scalar* data = nullptr;
  Index rows = 0;
  Index cols = 0;
  Index row_stride = 0;
  Index col_stride = 0;

  bool row_major() const { return col_stride == 1; }
  Scalar operator()(Index i, Index j) const { return data[i * row_stride + j * col_stride]; }
};

template <class Scalar>
DesignView<Scalar> view_of(const Eigen::Ref<const RowMatrix<Scalar>>& X) {
  return {X.data(), X.rows(), X.cols(), X.outerStride(), 1};
}
template <class Scalar>
DesignView<Scalar> view_of(const Eigen::Ref<const Matrix<Scalar>>& X) {
  return {X.data(), X.rows(), X.cols(), 1, X.outerStride()};
}

// Targets as a column-major view: Y(i, t) = data[i + t * stride].
template <class Scalar>
struct TargetView {
  const Scalar* data = nullptr;
  Index rows = 0;
  Index cols = 0;
  Index stride = 0;
  Scalar operator()(Index i, Index t) const { return data[i + t * stride]; }
};

// Which solver actually produced a FitResult. The names are what users see in `solver_`.
struct FitResult {
  MatrixXd coef;        // d x k
  VectorXd intercept;   // k (zeros without an intercept)
  std::string solver;   // "cholesky", "cholesky+refinement", "qr", "dual-cholesky"
  Index rank = 0;       // numerical rank of the (scaled, centred) design
  double cond = 0.0;    // estimate of the 2-norm condition number of the scaled design
  int n_iter = 0;       // refinement steps taken
  bool fell_back = false;         // auto left the fast path for the precise one
  std::string fallback_reason;    // why, in words with numbers
  std::vector<Index> dependent_columns;  // columns dropped as linearly dependent
  double refinement_change = 0.0;  // relative size of the last refinement correction
};

}  // namespace linreg
