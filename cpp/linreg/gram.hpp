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
// statistics. Threads own contiguous row ranges of equal length; their totals merge in thread
// order, so a result is reproducible for a given thread count. For float input the block
// product runs in float; everything across blocks is double.
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
  // No shapes yet: a running total before its first batch (GramStatistics(0, 0, centered)).
  bool empty() const { return x_mean.size() == 0 && xx.size() == 0; }
  // A non-finite entry in a block's input reaches its means or the Gram's diagonal (NaN
  // propagates; +-inf squares to inf), so this one O(d^2) look replaces a scan of the rows.
  bool all_finite() const {
    return std::isfinite(weight_sum) && x_mean.allFinite() && y_mean.allFinite() &&
           xx.allFinite() && xy.allFinite() && yy.allFinite();
  }

  // Add another block's statistics (Chan's pairwise update). When lower_only, only the lower
  // triangle of xx is read and written (the hot path inside the accumulation).
  void merge(const GramStatistics& other, bool lower_only = false) {
    require(other.centered == centered,
            "cannot merge centred (fit_intercept=True) and uncentred statistics");
    if (other.empty()) {  // rows counted, nothing else known
      n_samples += other.n_samples;
      return;
    }
    if (empty()) {  // the first statistics with shapes: take them as they are
      const Index n = n_samples;
      *this = other;
      n_samples += n;
      return;
    }
    require(other.n_features() == n_features() && other.n_targets() == n_targets(),
            "cannot merge statistics of " + std::to_string(other.n_features()) +
                " features and " + std::to_string(other.n_targets()) +
                " targets into statistics of " + std::to_string(n_features()) + " features and " +
                std::to_string(n_targets()) + " targets");
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

  // Merge one block's moments (Chan's pairwise update). The block was centred about a shift c,
  // not its own mean, so that it is read once: sx = sum w (x - c) and sy = sum w (y - cy) in
  // double, xy_b and yy_b the shifted cross products. Its centred Gram is its shifted Gram minus
  // sx sx' / Wb; with c the previous block's mean that term is of the order of the block's own
  // spread, so nothing cancels badly. The Gram itself is left to the caller, who gets the two
  // rank-one terms as columns:
  //   xx += shifted Gram + pos pos' - neg neg',   neg = sx / sqrt(Wb),   pos = sqrt(f) delta.
  // For double input the shifted Grams are added by syrk straight into xx and the terms applied
  // once at the end (no pass over d x d per block); the sum is the same, in another order.
  void merge_block_moments(Index rows, double Wb, const VectorXd& c, const VectorXd& cy,
                           const VectorXd& sx, const VectorXd& sy, const MatrixXd& xy_b,
                           const MatrixXd& yy_b, Eigen::Ref<VectorXd> neg,
                           Eigen::Ref<VectorXd> pos) {
    n_samples += rows;
    if (Wb == 0.0) {
      neg.setZero();
      pos.setZero();
      return;
    }
    const double W = weight_sum + Wb;
    const double f = weight_sum * Wb / W;  // 0 for the first block
    const VectorXd mb = c + sx / Wb, myb = cy + sy / Wb;
    const VectorXd dx = centered ? VectorXd(mb - x_mean) : VectorXd::Zero(mb.size());
    const VectorXd dy = centered ? VectorXd(myb - y_mean) : VectorXd::Zero(myb.size());
    neg = sx / std::sqrt(Wb);
    pos = std::sqrt(f) * dx;
    xy.noalias() += xy_b - sx * (sy / Wb).transpose() + f * dx * dy.transpose();
    yy.noalias() += yy_b - sy * (sy / Wb).transpose() + f * dy * dy.transpose();
    if (centered) {
      x_mean += dx * (Wb / W);
      y_mean += dy * (Wb / W);
    }
    weight_sum = W;
  }

  // As merge_block_moments, with the block's shifted Gram G (lower triangle, block precision,
  // leading dimension d) merged at once: the d x d matrices are streamed once per block.
  template <class Scalar>
  void merge_block(Index rows, double Wb, const VectorXd& c, const VectorXd& cy,
                   const VectorXd& sx, const VectorXd& sy, const Scalar* G, const MatrixXd& xy_b,
                   const MatrixXd& yy_b) {
    const Index d = n_features();
    VectorXd neg(d), pos(d);
    merge_block_moments(rows, Wb, c, cy, sx, sy, xy_b, yy_b, neg, pos);
    if (Wb == 0.0) return;
    for (Index j = 0; j < d; ++j) {
      const double nj = neg[j], pj = pos[j];
      const Scalar* g = G + j * d;
      double* a = xx.data() + j * d;
      for (Index i = j; i < d; ++i) a[i] += (double(g[i]) - neg[i] * nj) + pos[i] * pj;
    }
  }

  void symmetrize() { xx.triangularView<Eigen::StrictlyUpper>() = xx.transpose(); }
};

// Rows per block. Each block costs one syrk of d x d x rows and one merge streaming the d x d
// matrices; taller blocks amortise the merge, shorter ones keep the buffer in cache. Measured on
// a 2-core Zen 3 (gram statistics, seconds, median of runs):
//   float64 1e6 x 100:   256: 0.31-0.36   512: 0.30-0.34   1024: 0.35-0.41
//   float64 1e5 x 1000:  256: 2.15       512: 1.98        1024: 1.84       2048: 2.22
//   float64 2e4 x 2000:  512: 1.72       1024: 1.43       2048: 1.39
//   float32 1e6 x 100:   512: 0.178      1024: 0.170      2048: 0.154
//   float32 1e5 x 1000:  512: 1.19       1024: 1.16       2048: 0.98
template <class Scalar>
Index gram_block_rows(Index d) {
  if (sizeof(Scalar) == 4) return 2048;
  return d < 256 ? 512 : 1024;
}

namespace detail {

// Statistics of rows [r0, r1), accumulated block by block into `acc` (lower triangle of xx only).
// One pass per block: the block is centred about a shift c (the previous block's mean; the first
// block's own mean, from one extra pass) while it is copied, its shifted sums taken on the way.
// With a shift given (shift_x, shift_y: a running total's means, when rows are added to it), the
// first block is centred about it and the extra pass is skipped.
template <class Scalar>
void accumulate_rows(const DesignView<Scalar>& X, const TargetView<Scalar>& Y, const double* w,
                     const Index* cols, Index r0, Index r1, Index B, GramStatistics& acc,
                     const VectorXd* shift_x = nullptr, const VectorXd* shift_y = nullptr) {
  using Vec = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  const Index d = acc.n_features(), k = Y.cols;
  // Column j of the statistics is column col(j) of X (a working set of coordinate descent).
  auto col = [cols](Index j) { return cols ? cols[j] : j; };
  const bool rowwise = X.row_major();
  const bool centered = acc.centered;
  const bool no_copy = !centered && !w && !cols;  // the blocks of X serve as the buffer
  Matrix<Scalar> buf = no_copy ? Matrix<Scalar>() : rowwise ? Matrix<Scalar>(d, B)
                                                            : Matrix<Scalar>(B, d);
  // Double input: syrk adds each block straight into acc.xx (double), the Chan terms are kept as
  // columns of pos/neg and applied once at the end. Float input: the block's product runs in
  // float into G and is merged into the double total block by block.
  constexpr bool kDirect = std::is_same_v<Scalar, double>;
  Matrix<Scalar> G(kDirect ? 0 : d, kDirect ? 0 : d);
  const Index nblocks = (r1 - r0 + B - 1) / B;
  MatrixXd neg(kDirect ? d : 0, kDirect ? nblocks : 0), pos(kDirect ? d : 0, kDirect ? nblocks : 0);
  Index used = 0;
  Matrix<Scalar> T(B, k);  // shifted, weighted targets of the block
  VectorXd sw(B);          // sqrt of the weights
  VectorXd c = VectorXd::Zero(d), cy = VectorXd::Zero(k), sx(d), sy(k);
  MatrixXd xy_b(d, k), yy_b(k, k);
  bool have_shift = false;
  if (centered && shift_x && shift_y) {
    c = *shift_x;
    cy = *shift_y;
    have_shift = true;
  }
  for (Index r = r0; r < r1; r += B) {
    const Index m = std::min(B, r1 - r);
    double Wb = 0.0;
    for (Index i = 0; i < m; ++i) {
      const double wi = w ? w[r + i] : 1.0;
      sw[i] = std::sqrt(wi);
      Wb += wi;
    }
    if (Wb == 0.0) {  // rows of zero weight count as seen and change nothing else
      acc.n_samples += m;
      continue;
    }
    if (centered && !have_shift) {  // the thread's first block: shift by its exact mean
      c.setZero();
      cy.setZero();
      for (Index i = 0; i < m; ++i) {
        const double wi = w ? w[r + i] : 1.0;
        for (Index j = 0; j < d; ++j) c[j] += wi * double(X(r + i, col(j)));
        for (Index t = 0; t < k; ++t) cy[t] += wi * double(Y(r + i, t));
      }
      c /= Wb;
      cy /= Wb;
      have_shift = true;
    }
    // Uncentred, unweighted, all columns: the block of X is its own buffer (no copy).
    const bool direct = no_copy;
    const Scalar* A = direct ? (rowwise ? X.data + r * X.row_stride : X.data + r) : buf.data();
    const Index lda = direct ? (rowwise ? X.row_stride : X.col_stride) : buf.rows();
    // buf = sqrt(w) (X_block - c), and sx = sum w (x - c), in one read of the block.
    sx.setZero();
    if (direct) {
    } else if (rowwise) {
      for (Index i = 0; i < m; ++i) {
        const Scalar* row = X.data + (r + i) * X.row_stride;
        if (cols) {  // a subset of the row: gather it (centred, weighted) into the buffer
          Scalar* out = buf.col(i).data();
          const double s = sw[i], s2 = sw[i] * sw[i];
          for (Index j = 0; j < d; ++j) {
            const double v = double(row[cols[j]]) - (centered ? c[j] : 0.0);
            out[j] = Scalar(s * v);
            sx[j] += s2 * v;
          }
          continue;
        }
        Eigen::Map<const Vec> xi(row, d);
        if (centered) {
          // One fused loop over the row: v = x_i - c; buf[:, i] = sqrt(w_i) v; sx += w_i v
          const Scalar* x = xi.data();
          const double* cc = c.data();
          double* acc_sx = sx.data();
          Scalar* out = buf.col(i).data();
          const double s = sw[i], s2 = sw[i] * sw[i];
          if (w) {
            for (Index j = 0; j < d; ++j) {
              const double v = double(x[j]) - cc[j];
              out[j] = Scalar(s * v);
              acc_sx[j] += s2 * v;
            }
          } else {
            for (Index j = 0; j < d; ++j) {
              const double v = double(x[j]) - cc[j];
              out[j] = Scalar(v);
              acc_sx[j] += v;
            }
          }
        } else if (w) {
          buf.col(i) = xi * Scalar(sw[i]);
        } else {
          buf.col(i) = xi;
        }
      }
    } else {
      for (Index j = 0; j < d; ++j) {
        Eigen::Map<const Vec> xj(X.data + col(j) * X.col_stride + r, m);
        if (centered) {
          // buf[:, j] = sqrt(w) (X[:, j] - c_j), then sx_j = sum w (x - c_j) from the buffer
          // column while it is in L1 (a vectorised reduction, consistent with the products).
          const Scalar* x = xj.data();
          const double cj = c[j];
          Scalar* out = buf.col(j).data();
          if (w) {
            for (Index i = 0; i < m; ++i) out[i] = Scalar(sw[i] * (double(x[i]) - cj));
            sx[j] = sw.head(m).dot(buf.col(j).head(m).template cast<double>());
          } else {
            for (Index i = 0; i < m; ++i) out[i] = Scalar(double(x[i]) - cj);
            sx[j] = buf.col(j).head(m).template cast<double>().sum();
          }
        } else if (w) {
          buf.col(j).head(m) = xj.array() * sw.head(m).array().template cast<Scalar>();
        } else {
          buf.col(j).head(m) = xj;
        }
      }
    }
    sy.setZero();
    for (Index t = 0; t < k; ++t) {
      for (Index i = 0; i < m; ++i) {
        const double v = double(Y(r + i, t)) - cy[t];
        T(i, t) = Scalar(sw[i] * v);
        sy[t] += sw[i] * sw[i] * v;
      }
    }
    if (!centered) {
      sx.setZero();
      sy.setZero();
    }

    if constexpr (kDirect) block_gram(A, d, m, lda, rowwise, acc.xx.data(), 1.0);
    else block_gram(A, d, m, lda, rowwise, G.data(), Scalar(0));
    using Strided = Eigen::Map<const Matrix<Scalar>, 0, Eigen::OuterStride<>>;
    if (rowwise) {
      xy_b = (Strided(A, d, m, Eigen::OuterStride<>(lda)) * T.topRows(m)).template cast<double>();
    } else {
      xy_b = (Strided(A, m, d, Eigen::OuterStride<>(lda)).transpose() * T.topRows(m))
                 .template cast<double>();
    }
    yy_b = (T.topRows(m).transpose() * T.topRows(m)).template cast<double>();
    if constexpr (kDirect) {
      acc.merge_block_moments(m, Wb, c, cy, sx, sy, xy_b, yy_b, neg.col(used), pos.col(used));
      ++used;
    } else {
      acc.merge_block(m, Wb, c, cy, sx, sy, G.data(), xy_b, yy_b);
    }
    if (centered) {  // the next block is centred about this block's mean
      c += sx / Wb;
      cy += sy / Wb;
    }
  }
  if constexpr (kDirect) {
    if (centered && used > 0) {
      auto lower = acc.xx.template selfadjointView<Eigen::Lower>();
      lower.rankUpdate(pos.leftCols(used), 1.0);
      lower.rankUpdate(neg.leftCols(used), -1.0);
    }
  }
}

}  // namespace detail

// The statistics of (X, Y, w), computed on n_threads threads (contiguous row ranges). `around`
// (optional, centred statistics only) supplies means to centre the first block of each thread
// about, in place of an extra pass over it: those of the total the rows will be merged into.
template <class Scalar>
GramStatistics gram_statistics(const DesignView<Scalar>& X, const TargetView<Scalar>& Y,
                               const double* w, bool centered, int n_threads,
                               const std::vector<Index>* subset = nullptr,
                               const GramStatistics* around = nullptr) {
  require(Y.rows == X.rows, "y has " + std::to_string(Y.rows) + " rows, X has " +
                                std::to_string(X.rows));
  if (subset)
    for (Index c : *subset)
      require(c >= 0 && c < X.cols, "column index " + std::to_string(c) + " out of range [0, " +
                                        std::to_string(X.cols) + ")");
  const Index* cols = subset ? subset->data() : nullptr;
  const Index n = X.rows, d = subset ? Index(subset->size()) : X.cols, k = Y.cols;
  const Index B = gram_block_rows<Scalar>(d);
  const Index blocks = (n + B - 1) / B;
  const int T = int(std::max<Index>(1, std::min<Index>(std::max(n_threads, 1), blocks)));
  std::vector<GramStatistics> parts(T, GramStatistics(d, k, centered));
#ifdef _OPENMP
#pragma omp parallel for num_threads(T) schedule(static, 1)
#endif
  for (int t = 0; t < T; ++t) {
    // Equal row ranges (a batch of partial_fit is only a few blocks per thread, so a block more
    // on one thread would keep the other waiting); each range is blocked from its own start.
    const Index r0 = n * t / T, r1 = n * (t + 1) / T;
    const bool shifted = around && centered && !around->empty() && around->weight_sum > 0.0 &&
                         around->n_features() == d && around->n_targets() == k;
    detail::accumulate_rows(X, Y, w, cols, r0, r1, B, parts[t],
                            shifted ? &around->x_mean : nullptr,
                            shifted ? &around->y_mean : nullptr);
  }
  GramStatistics total = std::move(parts[0]);
  for (int t = 1; t < T; ++t) total.merge(parts[t], /*lower_only=*/true);
  total.symmetrize();
  return total;
}

}  // namespace linreg
