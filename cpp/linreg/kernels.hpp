// linreg/kernels.hpp -- the one hot product of the core: the Gram of a centred row block,
// C = A' A (lower triangle), and the thread plumbing around it.
//
// The block A (m rows x d columns, already centred and weighted) lives in a small buffer owned
// by one thread. Two layouts, chosen to match the input so the centring copy reads X in order:
//   row-major input:    buf is d x m column-major (a row of X is a contiguous column of buf),
//                       C = buf * buf'      (BLAS syrk "N")
//   column-major input: buf is m x d column-major, C = buf' * buf   (BLAS syrk "T")
// With the scipy-openblas32 wheel the product is OpenBLAS's single-threaded syrk (each thread
// of ours calls it on its own block); otherwise Eigen's rankUpdate. Measured on a 2-core Zen 3:
// OpenBLAS 55-61 GFLOP/s against Eigen's 34 at d = 1000 (bench/README.md).
#pragma once

#include "types.hpp"

#include <algorithm>
#include <cmath>

#ifdef _OPENMP
#include <omp.h>
#endif

#ifdef LINREG_USE_OPENBLAS
extern "C" {
void scipy_cblas_dsyrk(int order, int uplo, int trans, int n, int k, double alpha, const double* A,
                       int lda, double beta, double* C, int ldc);
void scipy_cblas_ssyrk(int order, int uplo, int trans, int n, int k, float alpha, const float* A,
                       int lda, float beta, float* C, int ldc);
void scipy_cblas_dgemm(int order, int transa, int transb, int m, int n, int k, double alpha,
                       const double* A, int lda, const double* B, int ldb, double beta, double* C,
                       int ldc);
void scipy_openblas_set_num_threads(int n);
int scipy_openblas_get_num_threads(void);
char* scipy_openblas_get_config(void);
}
#endif

namespace linreg {

inline int max_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

inline int thread_id() {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

// Threads in the current parallel region (1 outside one).
inline int team_size() {
#ifdef _OPENMP
  return omp_get_num_threads();
#else
  return 1;
#endif
}

inline const char* blas_name() {
#ifdef LINREG_USE_OPENBLAS
  return scipy_openblas_get_config();
#else
  return "none (Eigen's own products)";
#endif
}

// Our threads each call BLAS on their own block, so the library itself must stay single-threaded.
// scipy-openblas32 is a private copy of OpenBLAS (NumPy and SciPy carry their own), so this
// setting touches nobody else.
inline void init_blas() {
#ifdef LINREG_USE_OPENBLAS
  scipy_openblas_set_num_threads(1);
#endif
}

// C (d x d, column-major, leading dimension d) = lower triangle of A'A for the block in buf.
// buf_rows_are_columns: the row-major layout above (buf is d x m); ld is buf's leading dimension.
// C = beta C + (that), beta 0 or 1.
template <class Scalar>
void block_gram(const Scalar* buf, Index d, Index m, Index ld, bool buf_rows_are_columns,
                Scalar* C, Scalar beta) {
#ifdef LINREG_USE_OPENBLAS
  constexpr int ColMajor = 102, Lower = 122, NoTrans = 111, Trans = 112;
  const int trans = buf_rows_are_columns ? NoTrans : Trans;
  const int lda = static_cast<int>(ld);
  if constexpr (std::is_same_v<Scalar, double>) {
    scipy_cblas_dsyrk(ColMajor, Lower, trans, int(d), int(m), 1.0, buf, lda, beta, C, int(d));
  } else {
    scipy_cblas_ssyrk(ColMajor, Lower, trans, int(d), int(m), 1.0f, buf, lda, beta, C, int(d));
  }
#else
  Eigen::Map<Matrix<Scalar>> G(C, d, d);
  if (beta == Scalar(0)) G.template triangularView<Eigen::Lower>().setZero();
  using Strided = Eigen::Map<const Matrix<Scalar>, 0, Eigen::OuterStride<>>;
  if (buf_rows_are_columns) {
    Strided A(buf, d, m, Eigen::OuterStride<>(ld));
    G.template selfadjointView<Eigen::Lower>().rankUpdate(A);
  } else {
    Strided A(buf, m, d, Eigen::OuterStride<>(ld));
    G.template selfadjointView<Eigen::Lower>().rankUpdate(A.transpose());
  }
#endif
}

// lower(C) += alpha * A A' for A (n x k, column-major, leading dimension lda) and C (n x n,
// leading dimension ldc), in double, on T threads that split C's lower triangle into row panels of
// equal area (rows [r_p, r_p+1) with r_p = n sqrt(p / P)): each panel one syrk for its diagonal
// block and one gemm for the part left of it, all writing disjoint parts of C. Each call has the
// whole inner dimension k, which keeps the products efficient when C is large and k modest.
inline void lower_rank_update(double alpha, const double* A, Index n, Index k, Index lda, double* C,
                              Index ldc, int n_threads) {
  if (n <= 0 || k <= 0) return;
  const int T = int(std::max<Index>(1, std::min<Index>(n_threads, n / 128)));
  // One panel per thread (four per thread, taken dynamically, measured 5% slower: smaller
  // products).
  const int P = T;
#ifdef _OPENMP
#pragma omp parallel for num_threads(T) schedule(static, 1)
#endif
  for (int t = 0; t < P; ++t) {
    const Index r0 = Index(std::llround(double(n) * std::sqrt(double(t) / P)));
    const Index r1 = Index(std::llround(double(n) * std::sqrt(double(t + 1) / P)));
    const Index nt = r1 - r0;
    if (nt <= 0) continue;
#ifdef LINREG_USE_OPENBLAS
    constexpr int ColMajor = 102, Lower = 122, NoTrans = 111, Trans = 112;
    scipy_cblas_dsyrk(ColMajor, Lower, NoTrans, int(nt), int(k), alpha, A + r0, int(lda), 1.0,
                      C + r0 + r0 * ldc, int(ldc));
    if (r0 > 0)
      scipy_cblas_dgemm(ColMajor, NoTrans, Trans, int(nt), int(r0), int(k), alpha, A + r0,
                        int(lda), A, int(lda), 1.0, C + r0, int(ldc));
#else
    using Strided = Eigen::Map<const MatrixXd, 0, Eigen::OuterStride<>>;
    using StridedOut = Eigen::Map<MatrixXd, 0, Eigen::OuterStride<>>;
    Strided At(A + r0, nt, k, Eigen::OuterStride<>(lda));
    StridedOut Cd(C + r0 + r0 * ldc, nt, nt, Eigen::OuterStride<>(ldc));
    Cd.selfadjointView<Eigen::Lower>().rankUpdate(At, alpha);
    if (r0 > 0) {
      Strided Atop(A, r0, k, Eigen::OuterStride<>(lda));
      StridedOut Cl(C + r0, nt, r0, Eigen::OuterStride<>(ldc));
      Cl.noalias() += alpha * At * Atop.transpose();
    }
#endif
  }
}

// Grow a Gram by its new columns: G[:, first:] = scale * B' B[:, first:] for B (n x k,
// column-major, leading dimension ldb), and the mirror block G[first:, :first] from it, for G
// (k x k, column-major, leading dimension ldg) whose block G[:first, :first] is already there.
// The new columns split over the threads, each part one gemm over all n rows (single-threaded
// OpenBLAS inside each of our threads, so no second thread pool competes for the cores); the
// mirror is a transpose in 64 x 64 tiles.
inline void grow_gram(const double* B, Index n, Index k, Index ldb, Index first, double scale,
                      double* G, Index ldg, int n_threads) {
  const Index m = k - first;
  if (m <= 0) return;
  const int T = int(std::max<Index>(1, std::min<Index>(n_threads, m / 16)));
#ifdef _OPENMP
#pragma omp parallel for num_threads(T) schedule(static, 1)
#endif
  for (int t = 0; t < T; ++t) {
    const Index j0 = first + m * t / T, j1 = first + m * (t + 1) / T;
    if (j1 <= j0) continue;
#ifdef LINREG_USE_OPENBLAS
    constexpr int ColMajor = 102, NoTrans = 111, Trans = 112;
    scipy_cblas_dgemm(ColMajor, Trans, NoTrans, int(k), int(j1 - j0), int(n), scale, B, int(ldb),
                      B + j0 * ldb, int(ldb), 0.0, G + j0 * ldg, int(ldg));
#else
    using Strided = Eigen::Map<const MatrixXd, 0, Eigen::OuterStride<>>;
    using StridedOut = Eigen::Map<MatrixXd, 0, Eigen::OuterStride<>>;
    Strided all(B, n, k, Eigen::OuterStride<>(ldb));
    StridedOut out(G + j0 * ldg, k, j1 - j0, Eigen::OuterStride<>(ldg));
    out.noalias() = scale * all.transpose() * all.middleCols(j0, j1 - j0);
#endif
  }
  constexpr Index kTile = 64;  // G[first:, :first] = G[:first, first:]'
  for (Index i0 = first; i0 < k; i0 += kTile)
    for (Index j0 = 0; j0 < first; j0 += kTile)
      for (Index j = j0; j < std::min(first, j0 + kTile); ++j)
        for (Index i = i0; i < std::min(k, i0 + kTile); ++i) G[i + j * ldg] = G[j + i * ldg];
}

}  // namespace linreg
