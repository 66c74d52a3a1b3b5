// linreg/gradient_descent.hpp -- least squares and Ridge by gradient descent: full batch
// (plain, heavy-ball momentum, Nesterov acceleration) and mini-batch (SGD).
//
// Objective, per target (the estimators' objective divided by W = sum_i s_i, so W = n for unit
// weights; the minimiser is the same):
//   F(w, b) = (1/W) sum_i s_i (y_i - x_i'w - b)^2 + (alpha/W) ||w||^2
// Gradient, with the residual r = y - X w - b:
//   grad_w = -(2/W) X' S r + (2 alpha/W) w          grad_b = -(2/W) 1' S r
// With unit weights, no intercept and lam = alpha/n this is the textbook step, line for line:
//   grad = -2/n * X.T @ (y - X @ w);  grad += 2 * lam * w;  w = w - lr * grad
// With an intercept, b is eliminated through the weighted means (b = ybar - m'w, its exact
// minimiser for each w), which makes each step the textbook step on the centred data
// (X - m, y - ybar); the centring happens inside the pass, X is never centred or copied.
//
// Step size. The Hessian in w is H = (2/W) Xc' S Xc + (2 alpha/W) I, Xc = X - 1 m'; with
// L = lambda_max(H) a fixed step lr < 2/L converges and lr > 2/L diverges along the top
// eigenvector; lr = 1/L decreases F monotonically. estimate_lipschitz() finds lambda_max of
// Xc' S Xc / W by Lanczos steps on X (one pass each) and the largest row norm for mini-batches.
//
// One pass (ResidualPass) evaluates F and its gradient for all k targets at once: for a block of
// rows that fits in cache it forms R = Y - X W - 1 b' and then adds X' S R, so X is read from
// memory once per iteration (the second read of the block comes from cache). With k targets the
// products become matrix-matrix, which run at compute speed rather than memory speed.
//
// Certificate: the relative gradient norm ||grad_w F(w)||_2 / ||grad_w F(0)||_2 per target,
// evaluated at the point returned. A target whose certificate is <= tol is frozen there.
#pragma once

#include "errors.hpp"
#include "kernels.hpp"
#include "types.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace linreg {

// --- reproducible permutations ----------------------------------------------------------------
// The mini-batch order of epoch e is a Fisher-Yates shuffle driven by xoshiro256** seeded with
// splitmix64(seed, e); bounded integers by Lemire's multiply-and-reject. Exposed to Python so that
// a reference implementation can replay exactly the order the core used.
class Xoshiro256 {
 public:
  explicit Xoshiro256(std::uint64_t seed) {
    for (auto& word : s_) word = splitmix(seed);
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform on [0, bound), bound >= 1, without modulo bias.
  std::uint64_t below(std::uint64_t bound) {
    __uint128_t m = __uint128_t(next()) * bound;
    std::uint64_t low = std::uint64_t(m);
    if (low < bound) {
      const std::uint64_t threshold = (0 - bound) % bound;
      while (low < threshold) {
        m = __uint128_t(next()) * bound;
        low = std::uint64_t(m);
      }
    }
    return std::uint64_t(m >> 64);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint64_t s_[4];
};

// The swap partners j_i = below(i + 1) depend on i alone, so they are drawn kAhead swaps early and
// perm[j_i] fetched meanwhile: the same permutation at 2-3x the speed of waiting on each random
// access (7-10 ms against 14-29 ms for 10^6 rows here).
inline void epoch_permutation(std::uint64_t seed, std::uint64_t epoch, std::vector<Index>& perm) {
  constexpr Index kAhead = 32;
  const Index n = Index(perm.size());
  for (Index i = 0; i < n; ++i) perm[i] = i;
  Xoshiro256 rng(seed ^ (0xD1B54A32D192ED03ull * (epoch + 1)));
  Index partner[kAhead];
  Index drawn = n - 1;  // the next i whose partner is drawn
  auto draw = [&] {
    Index& j = partner[drawn % kAhead];
    j = Index(rng.below(std::uint64_t(drawn) + 1));
    __builtin_prefetch(perm.data() + j, 1, 3);
    --drawn;
  };
  while (drawn > 0 && drawn > n - 1 - kAhead) draw();
  for (Index i = n - 1; i > 0; --i) {
    const Index j = partner[i % kAhead];
    if (drawn > 0) draw();
    std::swap(perm[i], perm[j]);
  }
}

// W = sum_i s_i (n for unit weights, s null); a zero sum has no mean-scaled objective.
inline double weight_sum(const double* s, Index n) {
  double W = double(n);
  if (s) {
    W = 0.0;
    for (Index i = 0; i < n; ++i) W += s[i];
  }
  require(W > 0.0, "the sample weights sum to zero");
  return W;
}

// --- the fused pass ---------------------------------------------------------------------------
// Sums over rows of R = Y - X W - 1 b' (Y absent: R = -(X W + 1 b')), per target:
//   G = X' S R (d x k),  gs = 1' S R (k),  rss = diag(R' S R) (k)
struct PassSums {
  MatrixXd G;
  VectorXd gs;
  VectorXd rss;
};

// out[v][u] = p[u] . q[v] for four vectors p[0..3] and V vectors q[0..V) of length m: 4V
// independent sums in SIMD packets, each load shared. A dot product with one accumulator waits
// on its own multiply-adds (two Eigen dots per row of a mini-batch: 36 ns a row; this: 8).
template <int V, class Scalar>
inline void dot_products(const Scalar* const* p, const Scalar* const* q, Index m,
                         Scalar (*out)[4]) {
  constexpr int L = Eigen::internal::packet_traits<Scalar>::size;
  using Packet = Eigen::Array<Scalar, L, 1>;
  using Load = Eigen::Map<const Packet>;
  Packet a[V][4];
  for (int v = 0; v < V; ++v)
    for (int u = 0; u < 4; ++u) a[v][u].setZero();
  Index i = 0;
  for (; i + L <= m; i += L) {
    Packet x[4];
    for (int u = 0; u < 4; ++u) x[u] = Load(p[u] + i);
    for (int v = 0; v < V; ++v) {
      const Packet y = Load(q[v] + i);
      for (int u = 0; u < 4; ++u) a[v][u] += x[u] * y;
    }
  }
  // A remainder of at least half a packet of four or more (float rows of 100 under AVX: 12
  // packets and 4) takes one half packet, not scalar steps.
  constexpr int H = L / 2;
  using Half = Eigen::Array<Scalar, H, 1>;
  Half h[V][4];
  const bool half = H >= 4 && i + H <= m;
  if (half) {
    Half x[4];
    for (int u = 0; u < 4; ++u) x[u] = Eigen::Map<const Half>(p[u] + i);
    for (int v = 0; v < V; ++v) {
      const Half y = Eigen::Map<const Half>(q[v] + i);
      for (int u = 0; u < 4; ++u) h[v][u] = x[u] * y;
    }
    i += H;
  }
  for (int v = 0; v < V; ++v)
    for (int u = 0; u < 4; ++u) {
      Scalar t = a[v][u].sum();
      if (half) t += h[v][u].sum();
      for (Index k = i; k < m; ++k) t += p[u][k] * q[v][k];
      out[v][u] = t;
    }
}

// gs += 1'r and rss += r'r over r[0..m), summed in packets of doubles: a scalar loop is one
// chain of additions (3% of the float32 column-major pass), these are independent lanes.
template <class Scalar>
inline void sums_in_double(const Scalar* r, Index m, double& gs, double& rss) {
  constexpr int L = Eigen::internal::packet_traits<Scalar>::size, S = L >= 4 ? 4 : L;
  using Packet = Eigen::Array<Scalar, L, 1>;
  using Sums = Eigen::Array<double, S, 1>;
  Sums s1 = Sums::Zero(), s2 = Sums::Zero();
  Index i = 0;
  for (; i + L <= m; i += L) {
    const Packet y = Eigen::Map<const Packet>(r + i);
    for (int h = 0; h < L; h += S) {
      const Sums yd = y.template segment<S>(h).template cast<double>();
      s1 += yd;
      s2 += yd * yd;
    }
  }
  double g1 = s1.sum(), g2 = s2.sum();
  for (; i < m; ++i) {
    const double ri = double(r[i]);
    g1 += ri;
    g2 += ri * ri;
  }
  gs += g1;
  rss += g2;
}

// g += r[0] p[0] + r[1] p[1] + r[2] p[2] + r[3] p[3] over d entries: in packets, then a remainder
// of half a packet of four or more as one half packet (as in dot_products), then single entries.
template <class Scalar>
inline void add_rows4(const Scalar* const* p, const Scalar* r, Index d, Scalar* g) {
  constexpr int L = Eigen::internal::packet_traits<Scalar>::size, H = L / 2;
  auto update = [&](auto packet, Index j) {  // one packet, or half a packet, of g at j
    using Packet = decltype(packet);
    using Load = Eigen::Map<const Packet>;
    Eigen::Map<Packet>(g + j) += r[0] * Load(p[0] + j) + r[1] * Load(p[1] + j) +
                                 r[2] * Load(p[2] + j) + r[3] * Load(p[3] + j);
  };
  Index j = 0;
  for (; j + L <= d; j += L) update(Eigen::Array<Scalar, L, 1>(), j);
  if constexpr (H >= 4) {
    if (j + H <= d) {
      update(Eigen::Array<Scalar, H, 1>(), j);
      j += H;
    }
  }
  for (; j < d; ++j) g[j] += r[0] * p[0][j] + r[1] * p[1][j] + r[2] * p[2][j] + r[3] * p[3][j];
}

// Slices (rows, or columns) [r0, r1) in groups of four, one from each quarter of the range, so
// that four sequential streams are in flight (on the 2-core VM of bench/README one stream per
// core reads 20-30% slower than four); then the last (r1 - r0) % 4 slices as one short group.
// group(slice, count) gets four indices of which the first count are slices (the others repeat
// the last); flush() follows every per_flush full groups and the last group.
template <class Group, class Flush>
void by_quarters(Index r0, Index r1, Index per_flush, Group group, Flush flush) {
  const Index q = (r1 - r0) / 4;
  for (Index c0 = r0; c0 < r0 + q; c0 += per_flush) {
    for (Index i = c0; i < std::min(c0 + per_flush, r0 + q); ++i) {
      const Index slice[4] = {i, i + q, i + 2 * q, i + 3 * q};
      group(slice, 4);
    }
    flush();
  }
  const Index first = r0 + 4 * q;
  if (first < r1) {
    const int count = int(r1 - first);
    const Index slice[4] = {first, first + std::min(1, count - 1), first + std::min(2, count - 1),
                            first + std::min(3, count - 1)};
    group(slice, count);
  }
  flush();
}

// The weighted residuals r_u = s_u (y_u - xw_u - b) of a group of four rows (row[u], u < rows;
// r_u = 0 for the others) into r[u * r_stride], y and s optional (0 and 1), and their sums
// s_u r_u and s_u r_u^2 added to gs and rss once per group. Summed in locals: the running sums,
// captured by reference in the passes' lambdas, stay in memory, and adding each row to them
// chained a store and a load through the whole pass (17-25% of the time with the rows in L2).
template <class Scalar>
inline void group_residuals(const Scalar* xw, Scalar b, const Scalar* y, const double* s,
                            const Index* row, int rows, Scalar* r, Index r_stride, double& gs,
                            double& rss) {
  double gs4 = 0.0, rss4 = 0.0;
  for (int u = rows; u < 4; ++u) r[u * r_stride] = Scalar(0);
  for (int u = 0; u < rows; ++u) {
    const double ru = double(-b - xw[u] + (y ? y[row[u]] : Scalar(0)));
    const double su = s ? s[row[u]] : 1.0;
    gs4 += su * ru;
    rss4 += su * ru * ru;
    r[u * r_stride] = Scalar(su * ru);
  }
  gs += gs4;
  rss += rss4;
}

template <class Scalar>
class ResidualPass {
 public:
  using Mat = Matrix<Scalar>;
  using RowVec = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>;

  ResidualPass(const DesignView<Scalar>& X, const TargetView<Scalar>* Y, const double* s, Index k,
               int n_threads)
      : X_(X), Y_(Y), s_(s), k_(k) {
    const Index n = X.rows, d = X.cols;
    // Row-major, several targets: blocks of about 128 KiB of X, still in L2 when X' S R reads
    // them a second time (one target reads each thread's rows in one sweep, rows_fused).
    // Column-major: a block is d column segments, which must be long enough for the hardware
    // prefetcher (>= 512 rows) yet leave the block in L2/L3 for the second sweep: about 600 KiB
    // (768 rows at d = 100 in double: 43-45 ms per pass on 1e6 x 100 against 48 at 1 MiB and
    // 59 at 256 rows, a bare sequential read taking 35-39).
    const Index bytes = std::max<Index>(1, d * Index(sizeof(Scalar)));
    block_ = X.row_major() ? std::clamp<Index>((Index(1) << 17) / bytes, 16, 4096)
                           : std::clamp<Index>((Index(600) << 10) / bytes, 512, 8192);
    T_ = int(std::max<Index>(1, std::min<Index>(std::max(n_threads, 1), (n + block_ - 1) / block_)));
    parts_.assign(T_, PassSums{MatrixXd::Zero(d, k), VectorXd::Zero(k), VectorXd::Zero(k)});
    R_.assign(T_, Mat(block_, k));
    Gb_.assign(T_, Mat(d, k));
    gacc_.assign(T_, Eigen::Matrix<Scalar, Eigen::Dynamic, 1>::Zero(d));
  }

  // W: d x k, b: k (zeros without an intercept).
  void run(const Mat& W, const RowVec& b, PassSums& out) {
    const Index n = X_.rows;
#ifdef _OPENMP
#pragma omp parallel for num_threads(T_) schedule(static, 1)
#endif
    for (int t = 0; t < T_; ++t) {
      PassSums& acc = parts_[t];
      acc.G.setZero();
      acc.gs.setZero();
      acc.rss.setZero();
      const Index r0 = n * t / T_, r1 = n * (t + 1) / T_;
      if (X_.row_major() && k_ == 1) {
        rows_fused(r0, r1, W, b[0], t);
        continue;
      }
      if (X_.row_major() && k_ <= 16) {
        rows_fused_k(r0, r1, W, b, t);
        continue;
      }
      for (Index i0 = r0; i0 < r1; i0 += block_) {
        const Index m = std::min(block_, r1 - i0);
        if (k_ == 1) {
          cols_fused(X_.data + i0, X_.col_stride, i0, m, W, b[0], t);
        } else if (X_.row_major()) {
          using XMap = Eigen::Map<const RowMatrix<Scalar>, 0, Eigen::OuterStride<>>;
          block(XMap(X_.data + i0 * X_.row_stride, m, X_.cols, Eigen::OuterStride<>(X_.row_stride)),
                i0, m, W, b, t);
        } else {
          using XMap = Eigen::Map<const Mat, 0, Eigen::OuterStride<>>;
          block(XMap(X_.data + i0, m, X_.cols, Eigen::OuterStride<>(X_.col_stride)), i0, m, W, b,
                t);
        }
      }
    }
    out = parts_[0];
    for (int t = 1; t < T_; ++t) {
      out.G += parts_[t].G;
      out.gs += parts_[t].gs;
      out.rss += parts_[t].rss;
    }
  }

 private:
  // One target, row-major X, rows [r0, r1): each row is read once from memory for its dot
  // product and used again from L1 for the gradient, four rows at a time from the four quarters
  // of the range (by_quarters): 38-40 ms a pass on 1e6 x 100 against 50 for four consecutive rows.
  // (rows_fused_k with k = 1 gives the same sums 12-30% slower.)
  void rows_fused(Index r0, Index r1, const Mat& W, Scalar b0, int t) {
    using Vec = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
    const Index d = X_.cols, ld = X_.row_stride;
    Vec& g = gacc_[t];
    PassSums& acc = parts_[t];
    double gs = 0.0, rss = 0.0;
    const Scalar* yp = Y_ ? Y_->data : nullptr;
    auto group = [&](const Index* row, int rows) {
      const Scalar* p[4];
      for (int u = 0; u < 4; ++u) p[u] = X_.data + row[u] * ld;
      const Scalar* w[1] = {W.data()};
      Scalar xw[1][4];
      dot_products<1>(p, w, d, xw);  // x_u . w for the four rows, sharing the loads of w
      Scalar r[4];
      group_residuals(xw[0], b0, yp, s_, row, rows, r, 1, gs, rss);  // (S r)_4 and its sums
      add_rows4(p, r, d, g.data());  // g += X_4' (S r)_4
    };
    auto flush = [&] {  // g holds the sums of at most block_ rows in Scalar
      acc.G.col(0) += g.template cast<double>();
      g.setZero();
    };
    by_quarters(r0, r1, std::max<Index>(1, block_ / 4), group, flush);
    acc.gs[0] += gs;
    acc.rss[0] += rss;
  }

  // A few targets, row-major X, rows [r0, r1): as rows_fused, with the k dot products of each
  // row and the k updates G[:, c] += r_c x sharing one read of the row (k <= 16; wider Y goes to
  // the block product, which is compute-bound and efficient there). The dot products take two
  // targets at a time: eight independent sums, each load of a row shared.
  void rows_fused_k(Index r0, Index r1, const Mat& W, const RowVec& b, int t) {
    const Index d = X_.cols, k = k_, ld = X_.row_stride;
    Mat& G = Gb_[t];
    G.setZero();
    PassSums& acc = parts_[t];
    Scalar r[4][16];
    auto group = [&](const Index* row, int rows) {
      const Scalar* p[4];
      for (int u = 0; u < 4; ++u) p[u] = X_.data + row[u] * ld;
      Scalar xw[16][4];
      Index c = 0;
      for (; c + 2 <= k; c += 2) {
        const Scalar* w[2] = {W.data() + c * d, W.data() + (c + 1) * d};
        dot_products<2>(p, w, d, xw + c);
      }
      for (; c < k; ++c) {
        const Scalar* w[1] = {W.data() + c * d};
        dot_products<1>(p, w, d, xw + c);
      }
      for (Index c2 = 0; c2 < k; ++c2)  // r = (S R) of the rows, and the sums
        group_residuals(xw[c2], b[c2], Y_ ? Y_->data + c2 * Y_->stride : nullptr, s_, row, rows,
                        &r[0][c2], 16, acc.gs[c2], acc.rss[c2]);
      for (Index c2 = 0; c2 < k; ++c2) {  // G[:, c] += X_4.T @ (S r)_4[:, c]
        const Scalar rc[4] = {r[0][c2], r[1][c2], r[2][c2], r[3][c2]};
        add_rows4(p, rc, d, G.col(c2).data());
      }
    };
    auto flush = [&] {  // G holds the sums of at most block_ rows in Scalar
      acc.G += G.template cast<double>();
      G.setZero();
    };
    by_quarters(r0, r1, std::max<Index>(1, block_ / 4), group, flush);
  }

  // One target, column-major X: r = y - b - sum_j w_j X[:, j] over the block, then
  // g_j = X[:, j] . (S r); four columns at a time. (Software prefetching of the next block, in
  // either sweep, measured slower: it evicts the block before its second sweep.)
  void cols_fused(const Scalar* Xp, Index ld, Index i0, Index m, const Mat& W,
                  Scalar b0, int t) {
    using Vec = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
    using ColMap = Eigen::Map<const Vec>;
    const Index d = X_.cols;
    auto r = R_[t].col(0).head(m);
    const Scalar* w = W.data();
    // r -= X[:, j:j+8] @ w[j:j+8]: eight column streams at once (measured 3-4% faster than four;
    // sixteen are 30% slower). The first eight start from y - b, not from a stored r.
    auto eight = [&](const Scalar* p, const Scalar* v) {
      return v[0] * ColMap(p, m) + v[1] * ColMap(p + ld, m) + v[2] * ColMap(p + 2 * ld, m) +
             v[3] * ColMap(p + 3 * ld, m) + v[4] * ColMap(p + 4 * ld, m) +
             v[5] * ColMap(p + 5 * ld, m) + v[6] * ColMap(p + 6 * ld, m) +
             v[7] * ColMap(p + 7 * ld, m);
    };
    Index j = 0;
    if (Y_ && d >= 8) {
      r.noalias() = (ColMap(Y_->data + i0, m).array() - b0).matrix() - eight(Xp, w);
      j = 8;
    } else if (Y_) {
      r = ColMap(Y_->data + i0, m).array() - b0;
    } else {
      r.setConstant(-b0);
    }
    for (; j + 8 <= d; j += 8) r.noalias() -= eight(Xp + j * ld, w + j);
    for (; j + 4 <= d; j += 4) {
      const Scalar* p = Xp + j * ld;
      r.noalias() -= w[j] * ColMap(p, m) + w[j + 1] * ColMap(p + ld, m) +
                     w[j + 2] * ColMap(p + 2 * ld, m) + w[j + 3] * ColMap(p + 3 * ld, m);
    }
    for (; j < d; ++j) {
      r.noalias() -= w[j] * ColMap(Xp + j * ld, m);
    }
    PassSums& acc = parts_[t];
    if (s_) {  // S r and its sums
      double gs = 0.0, rss = 0.0;
      for (Index i = 0; i < m; ++i) {
        const double ri = double(r[i]);
        gs += s_[i0 + i] * ri;
        rss += s_[i0 + i] * ri * ri;
        r[i] = Scalar(s_[i0 + i] * ri);
      }
      acc.gs[0] += gs;
      acc.rss[0] += rss;
    } else {
      sums_in_double(r.data(), m, acc.gs[0], acc.rss[0]);
    }
    // X.T @ (S r), four columns at a time and from the block's last columns back: those were read
    // last and are still in L2 (in the order of the first sweep, each read would evict the
    // column needed next).
    Index hi = d;
    for (; hi >= 4; hi -= 4) {
      const Scalar* p[4] = {Xp + (hi - 4) * ld, Xp + (hi - 3) * ld, Xp + (hi - 2) * ld,
                            Xp + (hi - 1) * ld};
      const Scalar* q[1] = {r.data()};
      Scalar g[1][4];
      dot_products<1>(p, q, m, g);
      for (int u = 0; u < 4; ++u) acc.G(hi - 4 + u, 0) += double(g[0][u]);
    }
    for (j = hi - 1; j >= 0; --j) acc.G(j, 0) += double(ColMap(Xp + j * ld, m).dot(r));
  }

  template <class XBlock>
  void block(const XBlock& Xb, Index i0, Index m, const Mat& W, const RowVec& b, int t) {
    auto R = R_[t].topRows(m);
    R.noalias() = Xb * W;  // R = X_blk @ W
    if (Y_) {
      using YMap = Eigen::Map<const Mat, 0, Eigen::OuterStride<>>;
      YMap Yb(Y_->data + i0, m, k_, Eigen::OuterStride<>(Y_->stride));
      R = (Yb - R).rowwise() - b;  // R = Y_blk - X_blk @ W - b
    } else {
      R = (-R).rowwise() - b;
    }
    PassSums& acc = parts_[t];
    for (Index c = 0; c < k_; ++c) {
      double rss = 0.0, gs = 0.0;
      if (s_) {
        for (Index i = 0; i < m; ++i) {
          const double ri = double(R(i, c)) * s_[i0 + i];
          gs += ri;
          rss += ri * double(R(i, c));
          R(i, c) = Scalar(ri);  // R <- S R for X' S R
        }
      } else {
        for (Index i = 0; i < m; ++i) {
          gs += double(R(i, c));
          rss += double(R(i, c)) * double(R(i, c));
        }
      }
      acc.gs[c] += gs;
      acc.rss[c] += rss;
    }
    Gb_[t].noalias() = Xb.transpose() * R;  // G_blk = X_blk.T @ (S R)
    acc.G += Gb_[t].template cast<double>();
  }

  DesignView<Scalar> X_;
  const TargetView<Scalar>* Y_;
  const double* s_;
  Index k_;
  Index block_ = 0;
  int T_ = 1;
  std::vector<PassSums> parts_;
  std::vector<Mat> R_, Gb_;
  std::vector<Eigen::Matrix<Scalar, Eigen::Dynamic, 1>> gacc_;
};

// --- means and step size ----------------------------------------------------------------------
// The weighted column means m = X' S 1 / W, from one pass (R = -(X 0 + b) = 1 with b = -1).
template <class Scalar>
VectorXd weighted_means(const DesignView<Scalar>& X, const double* s, int n_threads) {
  const Index n = X.rows, d = X.cols;
  const double W = weight_sum(s, n);
  ResidualPass<Scalar> pass(X, nullptr, s, 1, n_threads);
  Matrix<Scalar> zero = Matrix<Scalar>::Zero(d, 1);
  typename ResidualPass<Scalar>::RowVec minus_one = -ResidualPass<Scalar>::RowVec::Ones(1);
  PassSums sums;
  pass.run(zero, minus_one, sums);
  VectorXd m = sums.G.col(0) / W;
  require(m.allFinite(), kNonFiniteX);
  return m;
}

struct LipschitzEstimate {
  double lambda_max = 0.0;    // largest eigenvalue of Xc' S Xc / W, Xc = X - 1 m'
  double max_row_norm = 0.0;  // max_i (n s_i / W) ||x_i - m||^2 (0 unless asked)
  int n_iter = 0;             // Lanczos steps (passes over X)
  double change = 0.0;        // relative change of the estimate in the last iteration
};

// Lanczos on A = Xc' S Xc / W (m empty: no centring) from a fixed pseudo-random start, with full
// reorthogonalisation (the basis is d x j, tiny next to X): each step is one pass over X, forming
// Xc v = X v - m'v inside the pass. The largest Ritz value never exceeds lambda_max and converges
// much faster than power iteration's Rayleigh quotient when the top eigenvalues are close. Stops
// when it moves by less than rtol (relative), after max_iter passes, or when the Krylov space is
// invariant (then it is exact).
template <class Scalar>
LipschitzEstimate estimate_lipschitz(const DesignView<Scalar>& X, const double* s,
                                     const VectorXd& m_in, int max_iter, double rtol,
                                     bool row_norms, int n_threads) {
  const Index n = X.rows, d = X.cols;
  const VectorXd m = m_in.size() ? m_in : VectorXd::Zero(d);
  require(m.size() == d, "x_mean must have one entry per feature");
  const double W = weight_sum(s, n);
  LipschitzEstimate est;
  ResidualPass<Scalar> pass(X, nullptr, s, 1, n_threads);
  Xoshiro256 rng(12345);
  const Index steps = std::min<Index>(std::max(1, max_iter), d);
  MatrixXd Q(d, steps + 1);
  for (Index j = 0; j < d; ++j) Q(j, 0) = double(rng.next() >> 11) * 0x1.0p-52 - 1.0;  // U(-1, 1)
  Q.col(0) /= Q.col(0).norm();
  VectorXd alpha(steps), beta(steps);
  Matrix<Scalar> Wv(d, 1);
  typename ResidualPass<Scalar>::RowVec bv(1);
  PassSums sums;
  double lambda = 0.0;
  int calm = 0;
  for (Index j = 0; j < steps; ++j) {
    Wv.col(0) = Q.col(j).template cast<Scalar>();
    bv[0] = Scalar(-m.dot(Q.col(j)));
    pass.run(Wv, bv, sums);  // R = -Xc q: G = -X' S Xc q, gs = -1' S Xc q
    VectorXd z = -(sums.G.col(0) - m * sums.gs[0]) / W;  // A q = Xc' S Xc q / W
    require(z.allFinite(), kNonFiniteX);
    alpha[j] = Q.col(j).dot(z);
    for (int twice = 0; twice < 2; ++twice)  // z -= Q Q' z, against all previous vectors
      z -= Q.leftCols(j + 1) * (Q.leftCols(j + 1).transpose() * z);
    beta[j] = z.stableNorm();  // no underflow of the squares when X is tiny (|x| < 1e-154)
    // The largest eigenvalue of the tridiagonal T_j (alpha on the diagonal, beta off it).
    // Scaled to entries of at most 1 first: computeFromTridiagonal (unlike compute) does not
    // scale, and its deflation test compares beta^2 / eps^2 with |alpha|, not alpha^2, so for
    // eigenvalues below ~1e-31 it zeroed every beta and returned a diagonal entry (X scaled by
    // 1e-30: L 23% too small).
    double next = alpha[0];
    if (j > 0) {
      const double scale = std::max(alpha.head(j + 1).cwiseAbs().maxCoeff(),
                                    beta.head(j).cwiseAbs().maxCoeff());
      Eigen::SelfAdjointEigenSolver<MatrixXd> tri;
      tri.computeFromTridiagonal(alpha.head(j + 1) / scale, beta.head(j) / scale,
                                 Eigen::EigenvaluesOnly);
      next = tri.eigenvalues().maxCoeff() * scale;
    }
    est.change = lambda > 0.0 ? std::abs(next - lambda) / next : 1.0;
    lambda = next;
    est.n_iter = int(j + 1);
    if (!(beta[j] > 1e-12 * std::max(std::abs(lambda), 1e-300))) break;  // invariant: exact
    // Two small moves in a row: a single one can be a plateau before a new direction appears.
    calm = (j > 0 && est.change <= rtol) ? calm + 1 : 0;
    if (calm >= 2) break;
    Q.col(j + 1) = z / beta[j];
  }
  est.lambda_max = std::max(lambda, 0.0);
  if (row_norms) {
    const int T = std::max(1, n_threads);
    std::vector<double> best(T, 0.0);
#ifdef _OPENMP
#pragma omp parallel for num_threads(T) schedule(static)
#endif
    for (Index i = 0; i < n; ++i) {
      double sq = 0.0;
      for (Index j = 0; j < d; ++j) sq += (double(X(i, j)) - m[j]) * (double(X(i, j)) - m[j]);
      double& b = best[thread_id()];
      b = std::max(b, sq * (s ? s[i] : 1.0));
    }
    est.max_row_norm = *std::max_element(best.begin(), best.end()) * double(n) / W;
  }
  return est;
}

// --- the solver -------------------------------------------------------------------------------
struct GradientDescentOptions {
  VectorXd learning_rate;     // k, > 0: the (initial) step of each target
  int max_iter = 0;           // iterations (full batch) or epochs (mini-batch)
  double tol = 0.0;           // on the relative gradient norm; < 0: run max_iter
  Index batch_size = 0;       // 0: full batch
  bool shuffle = true;        // mini-batch: a fresh permutation of the rows every epoch
  std::uint64_t seed = 0;
  double momentum = 0.0;      // heavy-ball beta in [0, 1)
  bool nesterov = false;      // full batch: Nesterov's accelerated gradient with adaptive restart
  std::string schedule = "constant";  // mini-batch: "constant", "invscaling", "adaptive"
  double power_t = 0.5;       // invscaling: lr_e = lr_0 / (e + 1)^power_t
  int n_threads = 1;
};

struct GradientDescentResult {
  MatrixXd coef;              // d x k
  VectorXd intercept;         // k
  int n_iter = 0;             // updates (full batch) or epochs (mini-batch) taken
  MatrixXd loss_history;      // epochs+1 x k: F at each evaluated point, the last one returned
  VectorXd grad_norm;         // k: the certificate at the returned point
  VectorXd grad_norm0;        // k: ||grad F(0)||, the certificate's scale
  std::vector<bool> converged;  // k
  VectorXd learning_rate;     // k: the step in use at the end (schedules change it)
  int restarts = 0;           // Nesterov: momentum restarts
  std::string status;         // "converged", "max_iter", "diverged", "stopped"
  Index diverged_target = -1;
  int diverged_epoch = -1;
  double loss_before = 0.0, loss_after = 0.0;  // the growth that was caught
};

// Called once per epoch with the epoch number, F and the certificate per target, and the point
// they were evaluated at (w, d x k). Returning true stops the solver.
using EpochCallback = std::function<bool(int, const VectorXd&, const VectorXd&, const MatrixXd&)>;

namespace detail {

// Growth of the objective that only a step beyond the stability bound explains. Plain gradient
// descent with lr < 2/L decreases F every step (F(x - lr g) <= F - lr |g|^2 (1 - lr L/2)), so any
// rise above rounding is caught at once. Rounding: the residual y - Xw - b is formed in the input
// precision (unit roundoff u) from terms of size |y|, so F is known to about u (mean y^2 + F)
// (`noise`). With momentum or mini-batches F may rise for a while, so there the test is an escape
// far above the starting objective.
inline bool grew(double before, double after, double first, double noise, bool monotone) {
  if (!std::isfinite(after)) return true;
  if (monotone) return after > before * (1.0 + 1e-8) + noise;
  return after > 1e4 * first + noise;
}

// One target, mini-batch: for each row x of a gathered batch (row_at(i), its y y_at(i) and
// weight s_at(i)), both residuals from one read of the row:
//   r0 = s (y - x.w0 - b0)  (the epoch's start: its full gradient and F)
//   r  = s (y - x.w  - b)   (the current point: the step)
// g0 += r0 x, g += r x, four rows at a time so the accumulators move once per four rows;
// every_four_rows() runs before each four.
// ga += sum_u ra[u] p[u] and gb += sum_u rb[u] p[u] over the rows p[0..3], in one sweep of them:
// in packets, then a remainder of half a packet of four or more as one half packet (as in
// add_rows4), then single entries.
template <class Scalar>
inline void axpy4x2(const Scalar* const* p, const Scalar* ra, const Scalar* rb, Index d, Scalar* ga,
                    Scalar* gb) {
  constexpr int L = Eigen::internal::packet_traits<Scalar>::size, H = L / 2;
  auto update = [&](auto packet, Index j) {
    using Packet = decltype(packet);
    using Load = Eigen::Map<const Packet>;
    using Store = Eigen::Map<Packet>;
    const Packet x0 = Load(p[0] + j), x1 = Load(p[1] + j), x2 = Load(p[2] + j),
                 x3 = Load(p[3] + j);
    Store(ga + j) += ra[0] * x0 + ra[1] * x1 + ra[2] * x2 + ra[3] * x3;
    Store(gb + j) += rb[0] * x0 + rb[1] * x1 + rb[2] * x2 + rb[3] * x3;
  };
  Index j = 0;
  for (; j + L <= d; j += L) update(Eigen::Array<Scalar, L, 1>(), j);
  if constexpr (H >= 4) {
    if (j + H <= d) {
      update(Eigen::Array<Scalar, H, 1>(), j);
      j += H;
    }
  }
  for (; j < d; ++j) {
    ga[j] += ra[0] * p[0][j] + ra[1] * p[1][j] + ra[2] * p[2][j] + ra[3] * p[3][j];
    gb[j] += rb[0] * p[0][j] + rb[1] * p[1][j] + rb[2] * p[2][j] + rb[3] * p[3][j];
  }
}

struct NoHook {
  void operator()() const {}
};

template <class Scalar, class RowAt, class YAt, class SAt, class Vec, class Hook = NoHook>
void minibatch_rows(RowAt row_at, YAt y_at, SAt s_at, Index m, const Matrix<Scalar>& W0, double b0,
                    const Matrix<Scalar>& Wc, double bc, PassSums& acc, double& gstep,
                    Matrix<Scalar>& Gt, Vec& g0, Hook every_four_rows = Hook()) {
  const Index d = W0.rows();
  const Scalar* ws[2] = {W0.data(), Wc.data()};
  auto g = Gt.col(0);
  g.setZero();
  g0.setZero();
  double rss = 0.0, gs = 0.0, gst = 0.0;
  for (Index i = 0; i < m; i += 4) {
    const Index q = std::min<Index>(4, m - i);
    const Scalar* p[4];
    Scalar r0[4] = {0, 0, 0, 0}, r[4] = {0, 0, 0, 0}, xw[2][4];  // x.w0, x.w
    for (Index u = 0; u < 4; ++u) p[u] = row_at(i + std::min(u, q - 1));
    every_four_rows();
    dot_products<2>(p, ws, d, xw);
    for (Index u = 0; u < q; ++u) {
      const double yi = double(y_at(i + u));
      const double si = s_at(i + u);
      const double e0 = yi - double(xw[0][u]) - b0;
      const double e = yi - double(xw[1][u]) - bc;
      rss += si * e0 * e0;
      gs += si * e0;
      gst += si * e;
      r0[u] = Scalar(si * e0);
      r[u] = Scalar(si * e);
    }
    // p[q..3] repeat row q - 1 with weights r0[u] = r[u] = 0
    axpy4x2(p, r0, r, d, g0.data(), g.data());
  }
  acc.rss[0] += rss;
  acc.gs[0] += gs;
  acc.G.col(0) += g0.template cast<double>();
  gstep += gst;
}

// Every cache line of the d entries at src, fetched with __builtin_prefetch's locality hint.
template <int Locality, class Scalar>
inline void fetch_row(const Scalar* src, Index d) {
  constexpr Index line = 64 / Index(sizeof(Scalar));
  for (Index l = 0; l < d; l += line) __builtin_prefetch(src + l, 0, Locality);
}

// Rows perm[0..count) of X into dst (row-major, d per row). Row-major X: each row is fetched six
// rows ahead of its copy, and so are the rows up to perm[reach) beyond (reach >= count), which the
// caller or another thread copies next. Column-major X: every entry is a separate cache line, so
// each column's entries are fetched while the previous column is copied.
template <class Scalar>
void gather_rows(const DesignView<Scalar>& X, const Index* perm, Index count, Index reach,
                 Scalar* dst) {
  const Index d = X.cols;
  if (X.row_major()) {
    constexpr Index ahead = 6;
    auto prefetch = [&](Index i) {
      if (i < reach) fetch_row<0>(X.data + perm[i] * X.row_stride, d);
    };
    for (Index i = 0; i < std::min(ahead, count); ++i) prefetch(i);
    for (Index i = 0; i < count; ++i) {
      prefetch(i + ahead);
      const Scalar* src = X.data + perm[i] * X.row_stride;
      std::copy(src, src + d, dst + i * d);
    }
  } else {
    for (Index j = 0; j < d; ++j) {
      const Scalar* col = X.data + j * X.col_stride;
      if (j + 1 < d)
        for (Index i = 0; i < count; ++i) __builtin_prefetch(col + X.col_stride + perm[i], 0, 0);
      for (Index i = 0; i < count; ++i) dst[i * d + j] = col[perm[i]];
    }
  }
}

// The mini-batch steps of one epoch on one target, every thread summing only rows it read itself.
// Each batch is cut into chunks of a fixed number of rows, 4 ceil(B / 64) (at most 16 chunks, for
// any thread count); thread t owns a contiguous run of each batch's chunks. An owner copies its
// chunks out of X into its own ring of kDepth batches (y and the weights come already in the
// epoch's order: y_order[i] = y[perm[i]]) and, once w of that batch is published, takes their
// sums: the step's gradient, and the full gradient and F at the epoch's start. Thread 0 adds the
// chunks' sums in chunk order, steps and publishes the new w; a thread that waits copies its
// chunks of later batches meanwhile, so the copying (the cost of a shuffled epoch: rows at random
// addresses) goes on while the steps are taken. Rows are never handed from one core to another:
// one thread copying for another that steps moved 800 MB a shuffled epoch between the cores, at
// 7-8 GB/s on some runs of this 2-core machine. Every sum is taken in the same order whatever the
// number of threads, so the result does not depend on it. Row-major X in its own order (no
// shuffle) is summed where it lies, without copying.
template <class Scalar>
class BatchChunks {
 public:
  static constexpr Index kDepth = 4;  // batches a thread may copy ahead of its sums
  // Above this many bytes a batch stops fitting in cache and threads split each batch instead.
  static constexpr Index kMaxBatchBytes = Index(4) << 20;

  BatchChunks(const DesignView<Scalar>& X, const Scalar* y_order, const double* s_order,
              const Index* perm, bool in_place, Index B, int threads)
      : X_(X), y_(y_order), s_(s_order), perm_(perm), in_place_(in_place && X.row_major()),
        n_(X.rows), d_(X.cols), B_(B), T_(std::max(threads, 1)), batches_((X.rows + B - 1) / B),
        chunk_(4 * ((B + 63) / 64)), per_batch_((B + chunk_ - 1) / chunk_),
        mine_((per_batch_ + T_ - 1) / T_), rows_(size_t(T_)), g0_(size_t(T_)),
        part_(size_t(per_batch_)), gpart_(size_t(per_batch_), 0.0), start_(size_t(per_batch_)),
        done_(size_t(T_)) {
    if (!in_place_)
      for (auto& r : rows_) r.resize(kDepth * mine_ * chunk_, d_);
    for (auto& g : g0_) g.resize(d_);
    for (auto& p : part_) p.resize(d_, 1);
    for (auto& c : start_) c = PassSums{MatrixXd::Zero(d_, 1), VectorXd::Zero(1), VectorXd::Zero(1)};
  }

  Index size(Index q) const { return std::min(n_, (q + 1) * B_) - q * B_; }

  // Thread t's share of the epoch (t < the thread count given). W0, b0: the epoch's start; Wc, bc:
  // the current point, which step(q, grad, gsum) updates on thread 0 from batch q's sums
  // grad = X_B' S_B r_B and gsum = 1' S_B r_B.
  template <class Step>
  void run(int t, const Matrix<Scalar>& W0, double b0, const Matrix<Scalar>& Wc, const Scalar* bc,
           Step step) {
    Index gq = 0, gj = 0;  // t's next chunk to copy: its gj-th of batch gq
    auto copy_one = [&](Index limit) {
      for (; gq < limit; ++gq, gj = 0) {
        const Index c = first_chunk(t) + gj;
        if (c < end_chunk(t, gq)) {
          const Index first = gq * B_ + c * chunk_;
          gather_rows(X_, perm_ + first, rows_in(gq, c), n_ - first, slot(t, gq, gj++));
          return true;
        }
      }
      return false;
    };
    // While it sums, a thread fetches the next rows it will copy, two for every four summed: the
    // copying waits on memory and the sums on arithmetic (2-6% faster epochs, shuffled C order).
    Index pf = 0;  // the next row to fetch, as a position in the epoch's order
    auto fetch_ahead = [&] {
      if (in_place_ || !X_.row_major()) return;
      for (int r = 0; r < 2; ++r) {
        pf = std::max(pf, gq * B_ + (first_chunk(t) + gj) * chunk_);  // not behind the copying
        if (pf >= n_) return;
        const Index q = pf / B_;
        if (pf >= q * B_ + std::min(size(q), end_chunk(t, q) * chunk_)) {
          pf = (q + 1) * B_ + first_chunk(t) * chunk_;  // t's first row of the next batch
          if (pf >= n_) return;
        }
        fetch_row<3>(X_.data + perm_[pf++] * X_.row_stride, d_);  // kept in cache until copied
      }
    };
    VectorXd grad(d_);
    for (Index q = 0; q < batches_; ++q) {
      const Index ahead = in_place_ ? 0 : std::min(batches_, q + kDepth);  // q + kDepth: q's slot
      while (!in_place_ && gq <= q) copy_one(q + 1);
      for (int spins = 0; published_.v.load(std::memory_order_acquire) < q;)
        if (!copy_one(ahead)) relax(spins++);
      for (Index c = first_chunk(t), j = 0; c < end_chunk(t, q); ++c, ++j) {
        const Index lo = q * B_ + c * chunk_;
        const Scalar* rows = in_place_ ? X_.data + lo * X_.row_stride : slot(t, q, j);
        const Index ld = in_place_ ? X_.row_stride : d_;
        gpart_[size_t(c)] = 0.0;
        minibatch_rows([&](Index i) { return rows + i * ld; }, [&](Index i) { return y_[lo + i]; },
                       [&](Index i) { return s_ ? s_[lo + i] : 1.0; }, rows_in(q, c), W0, b0, Wc,
                       double(bc[0]), start_[size_t(c)], gpart_[size_t(c)], part_[size_t(c)],
                       g0_[size_t(t)], fetch_ahead);
      }
      if (t != 0) {
        done_[size_t(t)].v.store(q + 1, std::memory_order_release);
        continue;
      }
      for (int u = 1; u < T_; ++u)
        for (int spins = 0; done_[size_t(u)].v.load(std::memory_order_acquire) <= q;)
          if (!copy_one(ahead)) relax(spins++);
      double gsum = gpart_[0];
      grad = part_[0].col(0).template cast<double>();
      for (Index c = 1; c < chunks(q); ++c) {
        grad += part_[size_t(c)].col(0).template cast<double>();
        gsum += gpart_[size_t(c)];
      }
      step(q, grad, gsum);
      published_.v.store(q + 1, std::memory_order_release);
    }
  }

  // The full gradient's sums at the epoch's start, the chunks added in order.
  void start_sums(PassSums& acc) const {
    acc = start_[0];
    for (size_t c = 1; c < start_.size(); ++c) {
      acc.G += start_[c].G;
      acc.gs += start_[c].gs;
      acc.rss += start_[c].rss;
    }
  }

 private:
  struct alignas(64) Counter {
    std::atomic<Index> v{0};
  };
  static void relax(int spins) {
    if (spins < 4096) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    } else {
      std::this_thread::yield();
    }
  }
  Index chunks(Index q) const { return (size(q) + chunk_ - 1) / chunk_; }
  Index rows_in(Index q, Index c) const { return std::min(size(q), (c + 1) * chunk_) - c * chunk_; }
  Index first_chunk(int t) const { return per_batch_ * t / T_; }
  Index end_chunk(int t, Index q) const { return std::min(first_chunk(t + 1), chunks(q)); }
  Scalar* slot(int t, Index q, Index j) {
    return rows_[size_t(t)].data() + ((q % kDepth) * mine_ + j) * chunk_ * d_;
  }

  const DesignView<Scalar> X_;
  const Scalar* y_;
  const double* s_;
  const Index* perm_;
  const bool in_place_;
  const Index n_, d_, B_;
  const int T_;
  const Index batches_, chunk_, per_batch_, mine_;
  std::vector<RowMatrix<Scalar>> rows_;                        // per thread: kDepth batches
  std::vector<Eigen::Matrix<Scalar, Eigen::Dynamic, 1>> g0_;   // per thread: scratch
  std::vector<Matrix<Scalar>> part_;                           // per chunk: X_c' S_c r_c
  std::vector<double> gpart_;                                  // per chunk: 1' S_c r_c
  std::vector<PassSums> start_;                                // per chunk: at the epoch's start
  std::vector<Counter> done_;                                  // per thread: batches summed
  Counter published_;                                          // batches stepped: w is w_q
};

}  // namespace detail

// Gradient descent on F for k targets at once. With an intercept, b is not a variable: for every
// w the best b is ybar - m'w (the weighted means), so F is minimised over w alone with
//   r = y - X w - (ybar - m'w) = (y - ybar) - (X - m) w,
//   grad_w F = -(2/W) (X - m)' S r + (2 alpha/W) w = -(2/W) (X' S r - m 1' S r) + (2 alpha/W) w,
// i.e. each step is the textbook step on the centred data (X - m, y - ybar), computed from X as
// it is. Centring removes the coupling between b and w that a column of ones adds, which on data
// with non-zero means can slow gradient descent by orders of magnitude.
// x_mean / y_mean empty: no intercept (b = 0).
template <class Scalar>
GradientDescentResult fit_gradient_descent(const DesignView<Scalar>& X, const TargetView<Scalar>& Y,
                                           const double* s, const VectorXd& alphas,
                                           const VectorXd& x_mean, const VectorXd& y_mean,
                                           const MatrixXd& coef0, const GradientDescentOptions& opt,
                                           const EpochCallback& callback) {
  const Index n = X.rows, d = X.cols, k = Y.cols;
  require(Y.rows == n, "y has " + std::to_string(Y.rows) + " rows, X has " + std::to_string(n));
  require(alphas.size() == k, "alphas has " + std::to_string(alphas.size()) + " entries, y has " +
                                  std::to_string(k) + " targets");
  require(coef0.rows() == d && coef0.cols() == k, "the starting coefficients must be d x k");
  require(x_mean.size() == 0 || x_mean.size() == d, "x_mean must have one entry per feature");
  require(y_mean.size() == 0 || y_mean.size() == k, "y_mean must have one entry per target");
  require(opt.learning_rate.size() == k, "learning_rate must have one entry per target");
  require(opt.max_iter >= 0, "max_iter must be >= 0");
  require(opt.batch_size >= 0 && opt.batch_size <= n, "batch_size must be in [0, n_samples]");
  require(opt.momentum >= 0.0 && opt.momentum < 1.0, "momentum must be in [0, 1)");
  const double W = weight_sum(s, n);
  const VectorXd m = x_mean.size() ? x_mean : VectorXd::Zero(d);
  const VectorXd ybar = y_mean.size() ? y_mean : VectorXd::Zero(k);

  using Mat = Matrix<Scalar>;
  using RowVec = typename ResidualPass<Scalar>::RowVec;
  const bool minibatch = opt.batch_size > 0;
  GradientDescentResult res;
  res.converged.assign(k, false);
  res.grad_norm = VectorXd::Constant(k, std::numeric_limits<double>::infinity());
  res.learning_rate = opt.learning_rate;

  // w in double; the pass reads a copy in the input precision and b = ybar - m'w.
  MatrixXd Theta = coef0;
  Mat Wc(d, k);
  RowVec bc(k);
  auto intercept_of = [&](const MatrixXd& P) -> VectorXd {
    return ybar - P.transpose() * m;
  };
  auto load = [&](const MatrixXd& P) {
    Wc = P.template cast<Scalar>();
    bc = intercept_of(P).transpose().template cast<Scalar>();
  };

  ResidualPass<Scalar> pass(X, &Y, s, k, opt.n_threads);
  PassSums sums;
  MatrixXd grad(d, k);
  VectorXd loss(k);
  std::vector<VectorXd> history;
  // grad_w from one pass's sums at P: -(2/W)(X' S r - m 1' S r) + (2 alpha/W) w, and F.
  auto gradient = [&](const MatrixXd& P) {
    for (Index c = 0; c < k; ++c) {
      const double a = alphas[c] / W;
      grad.col(c) = (-2.0 / W) * (sums.G.col(c) - m * sums.gs[c]) + (2.0 * a) * P.col(c);
      loss[c] = sums.rss[c] / W + a * P.col(c).squaredNorm();
    }
  };

  // The certificate's scale, ||grad F(0)||: the first pass when starting from zero, else one more.
  const bool from_zero = Theta.isZero(0.0);
  if (!from_zero) {
    const MatrixXd zero = MatrixXd::Zero(d, k);
    load(zero);
    pass.run(Wc, bc, sums);
    gradient(zero);
    res.grad_norm0 = grad.colwise().stableNorm().transpose();
  }

  // The rounding level of F per target (see detail::grew): 64 u (sum s y^2 / W + F(0)).
  VectorXd noise(k);
  for (Index c = 0; c < k; ++c) {
    double sq = 0.0;
    for (Index i = 0; i < n; ++i) sq += (s ? s[i] : 1.0) * double(Y(i, c)) * double(Y(i, c));
    noise[c] = 64.0 * double(std::numeric_limits<Scalar>::epsilon()) * sq / W;
  }
  std::vector<bool> active(k, true);
  MatrixXd Final = Theta;
  VectorXd lr = opt.learning_rate;
  VectorXd first_loss(k), prev_loss(k);
  // Norms by Eigen's stableNorm: |grad| is of the size of X y / W, whose squares under- or
  // overflow when X and y are scaled by 1e-120 or 1e140 (a plain norm then read 0 or inf: a
  // false convergence at w = 0 or a false divergence).
  auto certificate = [&](Index c) {
    const double g = grad.col(c).stableNorm();
    if (g == 0.0) return 0.0;
    return res.grad_norm0[c] > 0.0 ? g / res.grad_norm0[c] : g;
  };
  VectorXd cert(k);
  // Records F and the certificate at P (from the last pass); true when the solver must stop
  // (all targets done, divergence, callback).
  auto observe = [&](int epoch, const MatrixXd& P, bool monotone) -> bool {
    gradient(P);
    if (epoch == 0) {
      if (from_zero) res.grad_norm0 = grad.colwise().stableNorm().transpose();
      first_loss = loss;
      for (Index c = 0; c < k; ++c)
        noise[c] += 64.0 * double(std::numeric_limits<Scalar>::epsilon()) * loss[c];
    }
    history.push_back(loss);
    for (Index c = 0; c < k; ++c) cert[c] = active[c] ? certificate(c) : res.grad_norm[c];
    for (Index c = 0; c < k; ++c) {
      if (!active[c]) continue;
      const bool bad = !std::isfinite(cert[c]) || !std::isfinite(loss[c]) ||
                       (epoch > 0 && detail::grew(prev_loss[c], loss[c], first_loss[c],
                                                  noise[c], monotone));
      if (bad) {
        res.status = "diverged";
        res.diverged_target = c;
        res.diverged_epoch = epoch;
        res.loss_before = epoch > 0 ? prev_loss[c] : first_loss[c];
        res.loss_after = loss[c];
        return true;
      }
    }
    prev_loss = loss;
    bool all = true;
    for (Index c = 0; c < k; ++c) {
      if (!active[c]) continue;
      res.grad_norm[c] = cert[c];
      Final.col(c) = P.col(c);
      if (opt.tol >= 0.0 && cert[c] <= opt.tol) {
        active[c] = false;
        res.converged[c] = true;
      } else {
        all = false;
      }
    }
    if (callback && callback(epoch, loss, cert, P)) {
      if (!all) res.status = "stopped";
      return true;
    }
    return all;
  };

  if (!minibatch) {
    // Full batch. Plain: w <- w - lr grad(w). Heavy ball: V <- beta V - lr grad, w <- w + V.
    // Nesterov: the gradient is taken at the look-ahead point P = w + beta_k (w - w_prev),
    // beta_k = (t_k - 1)/t_{k+1}, t_{k+1} = (1 + sqrt(1 + 4 t_k^2))/2, and t restarts at 1 when
    // grad(P)'(w_new - w) > 0 (O'Donoghue and Candes, 2015), which keeps the acceleration on
    // strongly convex problems. The point returned is the one certified: P.
    const bool monotone = opt.momentum == 0.0 && !opt.nesterov;
    MatrixXd V = MatrixXd::Zero(d, k), Prev = Theta, P = Theta;
    VectorXd tk = VectorXd::Ones(k);
    for (int it = 0;; ++it) {
      load(P);
      pass.run(Wc, bc, sums);
      if (observe(it, P, monotone) || it == opt.max_iter) {
        res.n_iter = it;
        break;
      }
      for (Index c = 0; c < k; ++c) {
        if (!active[c]) continue;
        if (opt.nesterov) {
          VectorXd next = P.col(c) - lr[c] * grad.col(c);
          if (grad.col(c).dot(next - Theta.col(c)) > 0.0) {
            tk[c] = 1.0;  // restart: the step went uphill along the momentum
            ++res.restarts;
          }
          const double t_next = 0.5 * (1.0 + std::sqrt(1.0 + 4.0 * tk[c] * tk[c]));
          const double beta = (tk[c] - 1.0) / t_next;
          tk[c] = t_next;
          Prev.col(c) = Theta.col(c);
          Theta.col(c) = next;
          P.col(c) = Theta.col(c) + beta * (Theta.col(c) - Prev.col(c));
        } else if (opt.momentum > 0.0) {
          V.col(c) = opt.momentum * V.col(c) - lr[c] * grad.col(c);
          Theta.col(c) += V.col(c);
          P.col(c) = Theta.col(c);
        } else {
          Theta.col(c) -= lr[c] * grad.col(c);  // w = w - lr * grad
          P.col(c) = Theta.col(c);
        }
      }
    }
  } else {
    // Mini-batch. Epoch e visits the rows in the order perm_e in consecutive batches B of
    // batch_size rows (the last may be smaller); each batch takes a step along the unbiased
    // estimate  g = -(2/W)(n/|B|)(X_B' S_B r_B - m 1' S_B r_B) + (2 alpha/W) w.
    // The same read of each batch also sums the full gradient at the epoch's starting point (the
    // batch is in cache), so the certificate and F of that point cost no extra pass over X; a
    // point that satisfies tol is the one returned. The rows of a batch are gathered into small
    // row-major buffers (detail::gather_rows).
    //
    // One target with batches that fit in cache: detail::BatchChunks (each thread sums the rows it
    // copied; thread 0 steps). Several targets or larger batches: each batch is split between the
    // threads, which gather their rows, take the sums of their part, and meet to step.
    const Index B = opt.batch_size;
    const bool chunked =
        k == 1 && B * d * Index(sizeof(Scalar)) <= detail::BatchChunks<Scalar>::kMaxBatchBytes;
    const int threads = std::max(opt.n_threads, 1);
    const int T = chunked ? threads : int(std::max<Index>(1, std::min<Index>(threads, B / 64)));
    std::vector<Index> perm(n);
    std::vector<Scalar> y_order(chunked && opt.shuffle ? n : 0);
    std::vector<double> s_order(chunked && opt.shuffle && s ? n : 0);
    // The split batches' per-thread buffers (BatchChunks keeps its own).
    std::vector<RowMatrix<Scalar>> Xg(T);
    std::vector<Mat> Rg(T), Gt(T);
    std::vector<PassSums> full(T);
    std::vector<VectorXd> gst(T);
    std::vector<Eigen::Matrix<Scalar, Eigen::Dynamic, 1>> G0(T);
    const Index chunk = (B + T - 1) / T;
    for (int t = 0; t < T && !chunked; ++t) {
      Xg[t].resize(chunk, d);
      Rg[t].resize(chunk, k);
      Gt[t].resize(d, k);
      gst[t].resize(k);
      G0[t].resize(d);
    }
    MatrixXd V = MatrixXd::Zero(d, k), Start = Theta, step(d, k);
    // The step on every active target from the batch's sums step = X_B' S_B r_B and
    // gsum = 1' S_B r_B over its mb rows.
    auto take_step = [&](const VectorXd& gsum, Index mb) {
      const double scale = -2.0 / W * double(n) / double(mb);
      for (Index c = 0; c < k; ++c) {
        if (!active[c]) continue;
        auto g = step.col(c);
        g = scale * (g - m * gsum[c]) + (2.0 * alphas[c] / W) * Theta.col(c);
        if (opt.momentum > 0.0) {
          V.col(c) = opt.momentum * V.col(c) - lr[c] * g;
          Theta.col(c) += V.col(c);
        } else {
          Theta.col(c) -= lr[c] * g;
        }
      }
      load(Theta);
    };
    VectorXd best_loss = VectorXd::Constant(k, std::numeric_limits<double>::infinity());
    std::vector<int> stalls(k, 0);
    Mat W0(d, k);
    RowVec b0(k);
    for (int e = 0;; ++e) {
      Start = Theta;
      const bool update = e < opt.max_iter;
      if (!update) {
        load(Start);
        pass.run(Wc, bc, sums);
      } else {
        if (opt.shuffle) {
          epoch_permutation(opt.seed, std::uint64_t(e), perm);
        } else {
          for (Index i = 0; i < n; ++i) perm[i] = i;
        }
        load(Start);
        W0 = Wc;
        b0 = bc;
        const Index batches = (n + B - 1) / B;
        if (chunked) {
          // y and the weights in the epoch's order, read in one loop whose loads overlap (in the
          // copying loop each would be one more miss per row).
          if (opt.shuffle) {
#ifdef _OPENMP
#pragma omp parallel for num_threads(T) schedule(static)
#endif
            for (Index i = 0; i < n; ++i) {
              y_order[size_t(i)] = Y.data[perm[size_t(i)]];
              if (s) s_order[size_t(i)] = s[perm[size_t(i)]];
            }
          }
          std::unique_ptr<detail::BatchChunks<Scalar>> epoch;
          VectorXd gsum(1);
#ifdef _OPENMP
#pragma omp parallel num_threads(T)
#endif
          {
            // Made once, for the threads the region has; seen by all after single's barrier.
#ifdef _OPENMP
#pragma omp single
#endif
            epoch = std::make_unique<detail::BatchChunks<Scalar>>(
                X, opt.shuffle ? y_order.data() : Y.data,
                opt.shuffle ? (s ? s_order.data() : nullptr) : s, perm.data(), !opt.shuffle, B,
                team_size());
            epoch->run(thread_id(), W0, double(b0[0]), Wc, bc.data(),
                       [&](Index q, const VectorXd& grad, double gs) {
                         step.col(0) = grad;
                         gsum[0] = gs;
                         take_step(gsum, epoch->size(q));
                       });
          }
          epoch->start_sums(sums);
        } else {
#ifdef _OPENMP
#pragma omp parallel num_threads(T)
#endif
          {
            const int t = thread_id();
            PassSums& acc = full[t];
            acc.G = MatrixXd::Zero(d, k);
            acc.gs = VectorXd::Zero(k);
            acc.rss = VectorXd::Zero(k);
            for (Index q = 0; q < batches; ++q) {
              const Index lo = q * B, hi = std::min(n, lo + B), mb = hi - lo;
              const Index a = std::min(hi, lo + chunk * t), z = std::min(hi, a + chunk);
              const Index rows = z - a;
              auto Xb = Xg[t].topRows(rows);
              auto R = Rg[t].topRows(rows);
              gst[t].setZero();
              if (rows > 0) {
                detail::gather_rows(X, perm.data() + a, rows, rows, Xb.data());  // X_B = X[perm[B]]
                if (k == 1) {
                  const Scalar* buf = Xb.data();
                  const Index* pr = perm.data() + a;
                  detail::minibatch_rows(
                      [&](Index i) { return buf + i * d; }, [&](Index i) { return Y.data[pr[i]]; },
                      [&](Index i) { return s ? s[pr[i]] : 1.0; }, rows, W0, double(b0[0]), Wc,
                      double(bc[0]), acc, gst[t][0], Gt[t], G0[t]);
                } else {
                  // The full gradient at the epoch's start: R0 = y_B - X_B W0 - b0.
                  R.noalias() = Xb * W0;
                  for (Index c = 0; c < k; ++c)
                    for (Index i = 0; i < rows; ++i) {
                      const Index row = perm[a + i];
                      const double wi = s ? s[row] : 1.0;
                      const double r = double(Y(row, c)) - double(R(i, c)) - double(b0[c]);
                      acc.rss[c] += wi * r * r;
                      acc.gs[c] += wi * r;
                      R(i, c) = Scalar(wi * r);
                    }
                  Gt[t].noalias() = Xb.transpose() * R;
                  acc.G += Gt[t].template cast<double>();
                  // The step's gradient at the current point: R = y_B - X_B W - b.
                  R.noalias() = Xb * Wc;
                  for (Index c = 0; c < k; ++c)
                    for (Index i = 0; i < rows; ++i) {
                      const Index row = perm[a + i];
                      const double wi = s ? s[row] : 1.0;
                      const double r = wi * (double(Y(row, c)) - double(R(i, c)) - double(bc[c]));
                      gst[t][c] += r;
                      R(i, c) = Scalar(r);
                    }
                  Gt[t].noalias() = Xb.transpose() * R;
                }
              } else {
                Gt[t].setZero();
              }
#ifdef _OPENMP
#pragma omp barrier
#pragma omp single
#endif
              {
                VectorXd gsum = gst[0];
                step = Gt[0].template cast<double>();
                for (int u = 1; u < T; ++u) {
                  step += Gt[u].template cast<double>();
                  gsum += gst[u];
                }
                take_step(gsum, mb);
              }
            }
          }
          sums = full[0];
          for (int t = 1; t < T; ++t) {
            sums.G += full[t].G;
            sums.gs += full[t].gs;
            sums.rss += full[t].rss;
          }
        }
      }
      const bool stop = observe(e, Start, false);
      if (!stop) {
        for (Index c = 0; c < k; ++c) {
          if (active[c] && !Theta.col(c).allFinite()) {  // escaped within the epoch
            res.status = "diverged";
            res.diverged_target = c;
            res.diverged_epoch = e + 1;
            res.loss_before = loss[c];
            res.loss_after = std::numeric_limits<double>::infinity();
          }
        }
      }
      if (stop || res.status == "diverged" || !update) {
        res.n_iter = e;
        break;
      }
      for (Index c = 0; c < k; ++c) {
        if (!active[c]) {
          Theta.col(c) = Final.col(c);
          continue;
        }
        if (opt.schedule == "invscaling") {
          lr[c] = opt.learning_rate[c] / std::pow(double(e + 2), opt.power_t);
        } else if (opt.schedule == "adaptive") {
          // Two epochs in a row without a new best F: the iterates wander in the noise ball
          // of this step size; a smaller step shrinks the ball.
          if (loss[c] < best_loss[c]) {
            best_loss[c] = loss[c];
            stalls[c] = 0;
          } else if (++stalls[c] >= 2 && lr[c] > 1e-4 * opt.learning_rate[c]) {
            lr[c] /= 5.0;  // at most six times: below that F no longer moves measurably
            stalls[c] = 0;
            V.col(c).setZero();
          }
        }
      }
    }
  }

  res.loss_history.resize(Index(history.size()), k);
  for (Index e = 0; e < Index(history.size()); ++e) res.loss_history.row(e) = history[e].transpose();
  res.coef = Final;
  res.intercept = intercept_of(Final);
  res.learning_rate = lr;
  if (res.status.empty()) {
    bool all = true;
    for (Index c = 0; c < k; ++c) all = all && res.converged[c];
    res.status = all ? "converged" : "max_iter";
  }
  return res;
}

// The sum of X: a bare read of every element, the bandwidth reference of bench/gd.py. Each
// thread reads its share of the slices (rows of row-major X, columns of column-major X) four at a
// time, one from each quarter (by_quarters), a packet from each in turn: four sequential streams,
// as the fused pass reads row-major X. One stream per core would understate the bandwidth.
template <class Scalar>
double read_all(const DesignView<Scalar>& X, int n_threads) {
  const Index n = X.rows, d = X.cols;
  const Index outer = X.row_major() ? n : d, inner = X.row_major() ? d : n;
  const Index stride = X.row_major() ? X.row_stride : X.col_stride;
  constexpr int L = Eigen::internal::packet_traits<Scalar>::size;
  using Packet = Eigen::Array<Scalar, L, 1>;
  using Load = Eigen::Map<const Packet>;
  const int T = int(std::max<Index>(1, std::min<Index>(std::max(n_threads, 1), outer)));
  double total = 0.0;
#ifdef _OPENMP
#pragma omp parallel for num_threads(T) schedule(static, 1) reduction(+ : total)
#endif
  for (int t = 0; t < T; ++t) {
    auto group = [&](const Index* slice, int count) {
      const Scalar* p[4];
      for (int u = 0; u < count; ++u) p[u] = X.data + slice[u] * stride;
      for (Index i0 = 0; i0 < inner; i0 += 4096) {  // float sums of short runs, added in double
        const Index m = std::min<Index>(4096, inner - i0);
        Packet a[4];
        for (int u = 0; u < 4; ++u) a[u].setZero();
        Index i = i0;
        for (; i + L <= i0 + m; i += L)
          for (int u = 0; u < count; ++u) a[u] += Load(p[u] + i);
        Scalar tail = 0;
        for (; i < i0 + m; ++i)
          for (int u = 0; u < count; ++u) tail += p[u][i];
        total += double((a[0] + a[1] + a[2] + a[3]).sum() + tail);
      }
    };
    by_quarters(outer * t / T, outer * (t + 1) / T, outer, group, [] {});
  }
  return total;
}

}  // namespace linreg
