// linreg/gram.hpp -- sufficient statistics of a weighted least-squares problem.
//
// For rows x_i (d), targets y_i (k) and weights w_i >= 0 the statistics are
//   W    = sum_i w_i                                    (weight_sum)
//   m    = sum_i w_i x_i / W,   my = sum_i w_i y_i / W    (means)
//   Gxx  = sum_i w_i (x_i - m)(x_i - m)'                 (centred Gram, d x d)
//   Gxy  = sum_i w_i (x_i - m)(y_i - my)'                (d x k)
//   Gyy  = sum_i w_i (y_i - my)(y_i - my)'               (k x k)
// Without an intercept the "means" are fixed at zero and the sums are uncentred.
//
// They are built block by block over rows. Each block is centred about its *own* mean in a small
// buffer (so no digit is lost to a large mean), its Gram formed by one syrk, and the block merged
// into a running total with the pairwise update of Chan, Golub and LeVeque (1979):
//   W = Wa + Wb,  delta = mb - ma,  m = ma + delta * Wb / W,
//   Gxx = Gxx_a + Gxx_b + (Wa Wb / W) delta delta'         (all terms positive semidefinite)
// which never forms X'X - W m m' and is exact in exact arithmetic, so any split merges to the same
// statistics. Threads own contiguous row ranges; their totals merge in thread order, so a result
// is reproducible for a given thread count. For float input the block product runs in float;
// everything across blocks is double.
#pragma once

#include "errors.hpp"
#include "kernels.hpp"
#include "types.hpp"

#include <cmath>
#include <string>
#include <vector>

namespace linreg {

struct GramStatistics {
  Index n_samples = 0;      // rows seen, including rows of zero weight
  double weight_sum = 0.0;  // W
  bool centered = true;     // means subtracted (fit_intercept)
  VectorXd x_mean;          // d
  VectorXd y_mean;          // k
  MatrixXd xx;              // d x d, symmetric
  MatrixXd xy;              // d x k
  MatrixXd yy;              // k x k, symmetric

  GramStatistics() = default;
  GramStatistics(Index d, Index k, bool centered_)
      : centered(centered_),
        x_mean(VectorXd::Zero(d)),
        y_mean(VectorXd::Zero(k)),
        xx(MatrixXd::Zero(d, d)),
        xy(MatrixXd::Zero(d, k)),
        yy(MatrixXd::Zero(k, k)) {}

  Index n_features() const { return x_mean.size(); }
  Index n_targets() const { return y_mean.size(); }

  // Add another block's statistics (Chan's pairwise update). When lower_only, only the lower
  // triangle of xx is read and written (the hot path inside the accumulation).
  void merge(const GramStatistics& other, bool lower_only = false) {
    require(other.n_features() == n_features(),
            "cannot merge statistics of " + std::to_string(other.n_features()) +
                " features into statistics of " + std::to_string(n_features()));
    require(other.n_targets() == n_targets(),
            "cannot merge statistics of " + std::to_string(other.n_targets()) +
                " targets into statistics of " + std::to_string(n_targets()));
    require(other.centered == centered,
            "cannot merge centred (fit_intercept=True) and uncentred statistics");
    n_samples += other.n_samples;
    if (other.weight_sum == 0.0) return;
    if (weight_sum == 0.0) {
      const Index n = n_samples;
      *this = other;
      n_samples = n;
      return;
    }
    const double W = weight_sum + other.weight_sum;
    const double f = weight_sum * other.weight_sum / W;
    const Index d = n_features();
    if (centered) {
      const VectorXd dx = other.x_mean - x_mean;
      const VectorXd dy = other.y_mean - y_mean;
      for (Index j = 0; j < d; ++j) {
        const double fj = f * dx[j];
        for (Index i = lower_only ? j : 0; i < d; ++i) xx(i, j) += other.xx(i, j) + fj * dx[i];
      }
      xy.noalias() += other.xy + f * dx * dy.transpose();
      yy.noalias() += other.yy + f * dy * dy.transpose();
      x_mean += dx * (other.weight_sum / W);
      y_mean += dy * (other.weight_sum / W);
    } else {
      for (Index j = 0; j < d; ++j)
        for (Index i = lower_only ? j : 0; i < d; ++i) xx(i, j) += other.xx(i, j);
      xy += other.xy;
      yy += other.yy;
    }
    weight_sum = W;
  }

  void symmetrize() { xx.triangularView<Eigen::StrictlyUpper>() = xx.transpose(); }
};

// Rows per block: a block buffer of about 1 MiB stays in L2 while it is centred and multiplied.
template <class Scalar>
Index gram_block_rows(Index d) {
  const Index target = Index(1) << 20;
  const Index rows = target / (std::max<Index>(d, 1) * Index(sizeof(Scalar)));
  return std::clamp<Index>(rows, 256, 2048) / 64 * 64;
}

namespace detail {

// Statistics of rows [r0, r1), accumulated block by block into `acc` (lower triangle of xx only).
template <class Scalar>
void accumulate_rows(const DesignView<Scalar>& X, const TargetView<Scalar>& Y, const double* w,
                     Index r0, Index r1, Index B, GramStatistics& acc) {
  const Index d = X.cols, k = Y.cols;
  const bool rowwise = X.row_major();
  Matrix<Scalar> buf = rowwise ? Matrix<Scalar>(d, B) : Matrix<Scalar>(B, d);
  Matrix<Scalar> G(d, d);
  Matrix<Scalar> T(B, k);  // centred, weighted targets of the block
  VectorXd sw(B);          // sqrt of the weights
  GramStatistics blk(d, k, acc.centered);
  for (Index r = r0; r < r1; r += B) {
    const Index m = std::min(B, r1 - r);
    // Block weight and weighted means, in double.
    double Wb = 0.0;
    for (Index i = 0; i < m; ++i) {
      const double wi = w ? w[r + i] : 1.0;
      sw[i] = std::sqrt(wi);
      Wb += wi;
    }
    blk.n_samples = m;
    blk.weight_sum = Wb;
    if (Wb == 0.0) {  // rows of zero weight count as seen and change nothing else
      acc.n_samples += m;
      continue;
    }
    blk.x_mean.setZero();
    blk.y_mean.setZero();
    if (acc.centered) {
      if (rowwise) {
        for (Index i = 0; i < m; ++i) {
          const double wi = w ? w[r + i] : 1.0;
          if (wi == 0.0) continue;
          Eigen::Map<const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>> xi(X.data + (r + i) * X.row_stride, d);
          blk.x_mean.noalias() += wi * xi.template cast<double>();
        }
      } else {
        for (Index j = 0; j < d; ++j) {
          const Scalar* col = X.data + j * X.col_stride + r;
          double s = 0.0;
          if (w) {
            for (Index i = 0; i < m; ++i) s += w[r + i] * double(col[i]);
          } else {
            for (Index i = 0; i < m; ++i) s += double(col[i]);
          }
          blk.x_mean[j] = s;
        }
      }
      blk.x_mean /= Wb;
      for (Index t = 0; t < k; ++t) {
        double s = 0.0;
        for (Index i = 0; i < m; ++i) s += (w ? w[r + i] : 1.0) * double(Y(r + i, t));
        blk.y_mean[t] = s / Wb;
      }
    }
    // Centre and weight the block into the buffer: buf = sqrt(w) * (X_block - mean).
    if (rowwise) {
      for (Index i = 0; i < m; ++i) {
        Eigen::Map<const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>> xi(X.data + (r + i) * X.row_stride, d);
        buf.col(i) = (sw[i] * (xi.template cast<double>() - blk.x_mean)).template cast<Scalar>();
      }
    } else {
      for (Index j = 0; j < d; ++j) {
        Eigen::Map<const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>> xj(X.data + j * X.col_stride + r, m);
        buf.col(j).head(m) = (sw.head(m).array() * (xj.template cast<double>().array() - blk.x_mean[j]))
                                 .template cast<Scalar>();
      }
    }
    for (Index t = 0; t < k; ++t)
      for (Index i = 0; i < m; ++i)
        T(i, t) = Scalar(sw[i] * (double(Y(r + i, t)) - blk.y_mean[t]));

    block_gram(buf.data(), d, m, buf.rows(), rowwise, G.data());
    if (rowwise) {
      blk.xy = (buf.leftCols(m) * T.topRows(m)).template cast<double>();
    } else {
      blk.xy = (buf.topRows(m).transpose() * T.topRows(m)).template cast<double>();
    }
    blk.yy = (T.topRows(m).transpose() * T.topRows(m)).template cast<double>();
    blk.xx.template triangularView<Eigen::Lower>() = G.template cast<double>();
    acc.merge(blk, /*lower_only=*/true);
  }
}

}  // namespace detail

// The statistics of (X, Y, w), computed on n_threads threads (contiguous row ranges).
template <class Scalar>
GramStatistics gram_statistics(const DesignView<Scalar>& X, const TargetView<Scalar>& Y,
                               const double* w, bool centered, int n_threads) {
  require(Y.rows == X.rows, "y has " + std::to_string(Y.rows) + " rows, X has " +
                                std::to_string(X.rows));
  const Index n = X.rows, d = X.cols, k = Y.cols;
  const Index B = gram_block_rows<Scalar>(d);
  const Index blocks = (n + B - 1) / B;
  const int T = int(std::max<Index>(1, std::min<Index>(std::max(n_threads, 1), blocks)));
  std::vector<GramStatistics> parts(T, GramStatistics(d, k, centered));
#ifdef _OPENMP
#pragma omp parallel for num_threads(T) schedule(static, 1)
#endif
  for (int t = 0; t < T; ++t) {
    // Split on block boundaries so that the blocks do not depend on the thread count.
    const Index b0 = blocks * t / T, b1 = blocks * (t + 1) / T;
    detail::accumulate_rows(X, Y, w, std::min(n, b0 * B), std::min(n, b1 * B), B, parts[t]);
  }
  GramStatistics total = std::move(parts[0]);
  for (int t = 1; t < T; ++t) total.merge(parts[t], /*lower_only=*/true);
  total.symmetrize();
  return total;
}

}  // namespace linreg
