// bindings.cpp -- the only translation unit: the linreg._core module.
//
// Arrays arrive as Eigen::Ref<const ...> with .noconvert(): float32 and float64, C and F order,
// read in place. An array that does not match an overload is rejected here, never silently
// copied; the Python layer makes any copy visibly and once. The GIL is released for every solve.
#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "linreg/coordinate_descent.hpp"
#include "linreg/distributions.hpp"
#include "linreg/errors.hpp"
#include "linreg/gradient_descent.hpp"
#include "linreg/gram.hpp"
#include "linreg/kernels.hpp"
#include "linreg/normal_equations.hpp"
#include "linreg/types.hpp"

#include <cstdint>
#include <string>

namespace py = pybind11;
using namespace linreg;

namespace {

using WeightRef = Eigen::Ref<const VectorXd>;

template <class Scalar>
TargetView<Scalar> target_view(const Eigen::Ref<const Matrix<Scalar>>& Y) {
  return {Y.data(), Y.rows(), Y.cols(), Y.outerStride()};
}

const double* weights_of(const WeightRef& w, Index n) {
  if (w.size() == 0) return nullptr;
  require(w.size() == n, "sample_weight has " + std::to_string(w.size()) + " entries, X has " +
                             std::to_string(n) + " rows");
  return w.data();
}

template <class Scalar, class XRef>
void bind_fits(py::module_& m) {
  m.def(
      "fit_normal_equations",
      [](const XRef& X, const Eigen::Ref<const Matrix<Scalar>>& Y, const WeightRef& w,
         const VectorXd& alphas, bool fit_intercept, const std::string& solver, int n_threads,
         double precise_work) {
        NormalEquationsPolicy policy;
        if (precise_work >= 0) policy.precise_work = precise_work;
        return fit_normal_equations<Scalar>(view_of<Scalar>(X), target_view<Scalar>(Y),
                                            weights_of(w, X.rows()), alphas, fit_intercept,
                                            solver, n_threads, policy);
      },
      py::arg("X").noconvert(), py::arg("Y").noconvert(), py::arg("sample_weight").noconvert(),
      py::arg("alphas"), py::arg("fit_intercept"), py::arg("solver"), py::arg("n_threads"),
      py::arg("precise_work"), py::call_guard<py::gil_scoped_release>());
  m.def(
      "fit_normal_equations_keep",
      [](const XRef& X, const Eigen::Ref<const Matrix<Scalar>>& Y, const WeightRef& w,
         const VectorXd& alphas, bool fit_intercept, const std::string& solver, int n_threads,
         double precise_work) {
        NormalEquationsPolicy policy;
        if (precise_work >= 0) policy.precise_work = precise_work;
        GramStatistics stats;
        stats.n_samples = -1;  // stays -1 when the path taken computes no statistics
        FitResult res;
        {
          py::gil_scoped_release release;  // the tuple below needs the GIL back
          res = fit_normal_equations<Scalar>(view_of<Scalar>(X), target_view<Scalar>(Y),
                                             weights_of(w, X.rows()), alphas, fit_intercept,
                                             solver, n_threads, policy, &stats);
        }
        py::object kept = py::none();
        if (stats.n_samples >= 0) kept = py::cast(std::move(stats));
        return py::tuple(py::make_tuple(res, kept));
      },
      py::arg("X").noconvert(), py::arg("Y").noconvert(), py::arg("sample_weight").noconvert(),
      py::arg("alphas"), py::arg("fit_intercept"), py::arg("solver"), py::arg("n_threads"),
      py::arg("precise_work"),
      "fit_normal_equations, also returning the sufficient statistics when the path computed "
      "them (the normal equations), else None.");
  m.def(
      "gram_statistics",
      [](const XRef& X, const Eigen::Ref<const Matrix<Scalar>>& Y, const WeightRef& w,
         bool fit_intercept, int n_threads) {
        return gram_statistics<Scalar>(view_of<Scalar>(X), target_view<Scalar>(Y),
                                       weights_of(w, X.rows()), fit_intercept, n_threads);
      },
      py::arg("X").noconvert(), py::arg("Y").noconvert(), py::arg("sample_weight").noconvert(),
      py::arg("fit_intercept"), py::arg("n_threads"), py::call_guard<py::gil_scoped_release>());
  m.def(
      "gram_update",
      [](GramStatistics& acc, const XRef& X, const Eigen::Ref<const Matrix<Scalar>>& Y,
         const WeightRef& w, int n_threads) {
        // The batch's statistics are computed apart and merged only when finite: a batch with
        // NaN or infinity changes nothing (returns false; the caller finds and names the entry).
        GramStatistics block = gram_statistics<Scalar>(
            view_of<Scalar>(X), target_view<Scalar>(Y), weights_of(w, X.rows()), acc.centered,
            n_threads, nullptr, &acc);
        if (!block.all_finite()) return false;
        acc.merge(block);
        return true;
      },
      py::arg("statistics"), py::arg("X").noconvert(), py::arg("Y").noconvert(),
      py::arg("sample_weight").noconvert(), py::arg("n_threads"),
      py::call_guard<py::gil_scoped_release>(),
      "Add the statistics of (X, Y, w) to `statistics` in place; false (nothing added) when "
      "they are not finite.");
  m.def(
      "fit_gradient_descent",
      [](const XRef& X, const Eigen::Ref<const Matrix<Scalar>>& Y, const WeightRef& w,
         const VectorXd& alphas, const VectorXd& x_mean, const VectorXd& y_mean,
         const MatrixXd& coef0, const VectorXd& learning_rate, int max_iter, double tol,
         Index batch_size, bool shuffle, std::uint64_t seed, double momentum, bool nesterov,
         const std::string& schedule, double power_t, int n_threads,
         const py::object& callback) {
        GradientDescentOptions opt;
        opt.learning_rate = learning_rate;
        opt.max_iter = max_iter;
        opt.tol = tol;
        opt.batch_size = batch_size;
        opt.shuffle = shuffle;
        opt.seed = seed;
        opt.momentum = momentum;
        opt.nesterov = nesterov;
        opt.schedule = schedule;
        opt.power_t = power_t;
        opt.n_threads = n_threads;
        // Between epochs the solver hands control to Python: Ctrl-C is honoured there, and the
        // user's callback (verbose output, early stopping) runs with the GIL held.
        EpochCallback hook = [&callback](int epoch, const VectorXd& loss, const VectorXd& cert,
                                         const MatrixXd& theta) {
          py::gil_scoped_acquire gil;
          if (PyErr_CheckSignals() != 0) throw py::error_already_set();
          if (callback.is_none()) return false;
          return callback(epoch, loss, cert, theta).template cast<bool>();
        };
        const auto* data = weights_of(w, X.rows());
        py::gil_scoped_release release;
        return fit_gradient_descent<Scalar>(view_of<Scalar>(X), target_view<Scalar>(Y), data,
                                            alphas, x_mean, y_mean, coef0, opt, hook);
      },
      py::arg("X").noconvert(), py::arg("Y").noconvert(), py::arg("sample_weight").noconvert(),
      py::arg("alphas"), py::arg("x_mean"), py::arg("y_mean"), py::arg("coef0"),
      py::arg("learning_rate"), py::arg("max_iter"), py::arg("tol"), py::arg("batch_size"),
      py::arg("shuffle"), py::arg("seed"), py::arg("momentum"), py::arg("nesterov"),
      py::arg("schedule"), py::arg("power_t"), py::arg("n_threads"), py::arg("callback"));
  m.def(
      "estimate_lipschitz",
      [](const XRef& X, const WeightRef& w, const VectorXd& x_mean, int max_iter, double rtol,
         bool row_norms, int n_threads) {
        return estimate_lipschitz<Scalar>(view_of<Scalar>(X), weights_of(w, X.rows()), x_mean,
                                          max_iter, rtol, row_norms, n_threads);
      },
      py::arg("X").noconvert(), py::arg("sample_weight").noconvert(), py::arg("x_mean"),
      py::arg("max_iter"), py::arg("rtol"), py::arg("row_norms"), py::arg("n_threads"),
      py::call_guard<py::gil_scoped_release>());
  m.def(
      "weighted_means",
      [](const XRef& X, const WeightRef& w, int n_threads) {
        return weighted_means<Scalar>(view_of<Scalar>(X), weights_of(w, X.rows()), n_threads);
      },
      py::arg("X").noconvert(), py::arg("sample_weight").noconvert(), py::arg("n_threads"),
      py::call_guard<py::gil_scoped_release>());
  m.def(
      "column_moments",
      [](const XRef& X, const WeightRef& w, bool fit_intercept, int n_threads) {
        ColumnMoments cm;
        {
          py::gil_scoped_release release;  // the tuple below needs the GIL back
          cm = column_moments<Scalar>(view_of<Scalar>(X), weights_of(w, X.rows()), fit_intercept,
                                      n_threads);
        }
        return py::make_tuple(cm.mean, cm.sq_norm);
      },
      py::arg("X").noconvert(), py::arg("sample_weight").noconvert(), py::arg("fit_intercept"),
      py::arg("n_threads"),
      "Weighted column means and a_j = xc_j'S xc_j / W in one pass.");
  m.def(
      "gram_statistics_subset",
      [](const XRef& X, const Eigen::Ref<const Matrix<Scalar>>& Y, const WeightRef& w,
         bool fit_intercept, const std::vector<Index>& cols, int n_threads) {
        return gram_statistics<Scalar>(view_of<Scalar>(X), target_view<Scalar>(Y),
                                       weights_of(w, X.rows()), fit_intercept, n_threads, &cols);
      },
      py::arg("X").noconvert(), py::arg("Y").noconvert(), py::arg("sample_weight").noconvert(),
      py::arg("fit_intercept"), py::arg("cols"), py::arg("n_threads"),
      py::call_guard<py::gil_scoped_release>(),
      "The statistics of the columns cols of X only, read in place (a working set's Gram).");
  m.def(
      "gather_columns",
      [](const XRef& X, const std::vector<Index>& cols, int n_threads) {
        return gather_columns<Scalar>(view_of<Scalar>(X), cols, n_threads);
      },
      py::arg("X").noconvert(), py::arg("cols"), py::arg("n_threads"),
      py::call_guard<py::gil_scoped_release>(),
      "X[:, cols] as a column-major array (the working set of coordinate descent).");
  m.def(
      "residual_pass",
      [](const XRef& X, const Eigen::Ref<const Matrix<Scalar>>& Y, const WeightRef& w,
         const MatrixXd& coef, const VectorXd& intercept, int n_threads) {
        const Index k = Y.cols();
        require(coef.rows() == X.cols() && coef.cols() == k,
                "coef is " + std::to_string(coef.rows()) + " x " + std::to_string(coef.cols()) +
                    ", expected " + std::to_string(X.cols()) + " x " + std::to_string(k));
        require(intercept.size() == k, "intercept has " + std::to_string(intercept.size()) +
                                           " entries, expected " + std::to_string(k));
        require(Y.rows() == X.rows(), "Y has " + std::to_string(Y.rows()) + " rows, X has " +
                                          std::to_string(X.rows()));
        const TargetView<Scalar> Yv = target_view<Scalar>(Y);
        const double* sw = weights_of(w, X.rows());
        PassSums sums;
        {
          py::gil_scoped_release release;  // the tuple below needs the GIL back
          ResidualPass<Scalar> pass(view_of<Scalar>(X), &Yv, sw, k, n_threads);
          const Matrix<Scalar> Wc = coef.cast<Scalar>();
          const typename ResidualPass<Scalar>::RowVec b = intercept.transpose().cast<Scalar>();
          pass.run(Wc, b, sums);
        }
        return py::make_tuple(sums.G, sums.gs, sums.rss);
      },
      py::arg("X").noconvert(), py::arg("Y").noconvert(), py::arg("sample_weight").noconvert(),
      py::arg("coef"), py::arg("intercept"), py::arg("n_threads"),
      "One fused pass: R = Y - X coef - intercept, returns (X'S R, 1'S R, diag(R'S R)).");
  m.def(
      "read_all",
      [](const XRef& X, int n_threads) { return read_all<Scalar>(view_of<Scalar>(X), n_threads); },
      py::arg("X").noconvert(), py::arg("n_threads"), py::call_guard<py::gil_scoped_release>());
}

template <class Scalar>
void bind_naive(py::module_& m) {
  m.def(
      "cd_naive",
      [](const Eigen::Ref<const Matrix<Scalar>>& X, const std::vector<Index>& cols,
         const VectorXd& mean, const VectorXd& sq_norm, const WeightRef& w, double W,
         const Eigen::Ref<const VectorXd>& yc, Eigen::Ref<VectorXd> R, const VectorXd& w0,
         double l1, double l2, bool positive, int max_iter, double tol, double dw_tol,
         int gap_every, bool random, std::uint64_t seed, int anderson) {
        const Index n = X.rows(), k = Index(cols.size());
        require(mean.size() == k && sq_norm.size() == k && w0.size() == k,
                "mean, sq_norm and w0 need one entry per column of the set (" +
                    std::to_string(k) + ")");
        require(yc.size() == n && R.size() == n,
                "yc and R need " + std::to_string(n) + " entries");
        for (Index c : cols)
          require(c >= 0 && c < X.cols(), "column index " + std::to_string(c) + " out of range");
        CoordinateDescentOptions opt;
        opt.penalty = {l1, l2, positive};
        opt.max_iter = max_iter;
        opt.tol = tol;
        opt.dw_tol = dw_tol;
        opt.gap_every = gap_every;
        opt.random = random;
        opt.seed = seed;
        opt.anderson = anderson;
        return cd_naive<Scalar>(X.data(), n, X.outerStride(), cols.data(), k, mean.data(),
                                sq_norm.data(), weights_of(w, n), W, yc.data(), R.data(), w0, opt);
      },
      py::arg("X").noconvert(), py::arg("cols"), py::arg("mean"), py::arg("sq_norm"),
      py::arg("sample_weight").noconvert(), py::arg("weight_sum"), py::arg("yc").noconvert(),
      py::arg("R").noconvert(), py::arg("w0"), py::arg("l1"), py::arg("l2"), py::arg("positive"),
      py::arg("max_iter"), py::arg("tol"), py::arg("dw_tol"), py::arg("gap_every"),
      py::arg("random"), py::arg("seed"), py::arg("anderson"),
      py::call_guard<py::gil_scoped_release>(),
      "Naive-mode coordinate descent on the columns cols of a column-major X; R updated in place.");
}

// Distributions: float64 arrays of any shape (shape () for a scalar), C order, read in place.
// Every argument with more than one element has the same shape, which the result takes; an
// argument with one element is used for all (the Python wrappers broadcast in general).
using DoubleArray = py::array_t<double, py::array::c_style>;

std::vector<py::ssize_t> elementwise_shape(
    std::initializer_list<std::pair<const char*, const DoubleArray*>> args) {
  const auto shape_of = [](const DoubleArray& a) {
    return std::vector<py::ssize_t>(a.shape(), a.shape() + a.ndim());
  };
  const auto show = [](const std::vector<py::ssize_t>& shape) {
    std::string out = "(";
    for (size_t i = 0; i < shape.size(); ++i)
      out += std::to_string(shape[i]) + (i + 1 < shape.size() ? ", " : "");
    return out + (shape.size() == 1 ? ",)" : ")");
  };
  const char* first = nullptr;
  std::vector<py::ssize_t> shape;
  for (const auto& [name, a] : args) {
    if (a->size() == 1) continue;
    if (first == nullptr) {
      first = name;
      shape = shape_of(*a);
    } else {
      require(shape_of(*a) == shape, std::string(name) + " has shape " + show(shape_of(*a)) +
                                         ", " + first + " has shape " + show(shape) +
                                         "; arrays with more than one element must match");
    }
  }
  if (first == nullptr)  // all single elements: the shape with the most dimensions
    for (const auto& [name, a] : args)
      if (a->ndim() >= py::ssize_t(shape.size())) shape = shape_of(*a);
  return shape;
}

Eigen::Map<const Eigen::ArrayXd> flat(const DoubleArray& a) { return {a.data(), a.size()}; }

py::array_t<double> to_numpy(const Eigen::ArrayXd& values, const std::vector<py::ssize_t>& shape) {
  py::array_t<double> out(shape);
  std::copy(values.data(), values.data() + values.size(), out.mutable_data());
  return out;
}

void bind_distributions(py::module_& m) {
  const auto two = [&m](const char* name, const char* x, const char* p,
                        Eigen::ArrayXd (*f)(const Eigen::Ref<const Eigen::ArrayXd>&,
                                            const Eigen::Ref<const Eigen::ArrayXd>&),
                        const char* doc) {
    m.def(
        name,
        [f, x, p](const DoubleArray& u, const DoubleArray& v) {
          const auto shape = elementwise_shape({{x, &u}, {p, &v}});
          Eigen::ArrayXd out;
          {
            py::gil_scoped_release release;
            out = f(flat(u), flat(v));
          }
          return to_numpy(out, shape);
        },
        py::arg(x).noconvert(), py::arg(p).noconvert(), doc);
  };
  const auto three = [&m](const char* name, const char* x,
                          Eigen::ArrayXd (*f)(const Eigen::Ref<const Eigen::ArrayXd>&,
                                              const Eigen::Ref<const Eigen::ArrayXd>&,
                                              const Eigen::Ref<const Eigen::ArrayXd>&),
                          const char* doc) {
    m.def(
        name,
        [f, x](const DoubleArray& u, const DoubleArray& d1, const DoubleArray& d2) {
          const auto shape = elementwise_shape({{x, &u}, {"df1", &d1}, {"df2", &d2}});
          Eigen::ArrayXd out;
          {
            py::gil_scoped_release release;
            out = f(flat(u), flat(d1), flat(d2));
          }
          return to_numpy(out, shape);
        },
        py::arg(x).noconvert(), py::arg("df1").noconvert(), py::arg("df2").noconvert(), doc);
  };
  using Ref = const Eigen::Ref<const Eigen::ArrayXd>&;
  two("t_sf", "t", "df", static_cast<Eigen::ArrayXd (*)(Ref, Ref)>(&t_sf),
      "P(T > t), T Student t with df degrees of freedom.");
  two("t_cdf", "t", "df", static_cast<Eigen::ArrayXd (*)(Ref, Ref)>(&t_cdf), "P(T <= t).");
  two("t_two_sided_pvalue", "t", "df",
      static_cast<Eigen::ArrayXd (*)(Ref, Ref)>(&t_two_sided_pvalue), "P(|T| > |t|).");
  two("t_ppf", "q", "df", static_cast<Eigen::ArrayXd (*)(Ref, Ref)>(&t_ppf),
      "The t with P(T <= t) = q.");
  three("f_sf", "f", static_cast<Eigen::ArrayXd (*)(Ref, Ref, Ref)>(&f_sf),
        "P(F > f), F with (df1, df2) degrees of freedom.");
  three("f_isf", "q", static_cast<Eigen::ArrayXd (*)(Ref, Ref, Ref)>(&f_isf),
        "The f with P(F > f) = q.");
}

py::dict build_info() {
  py::dict info;
  info["version"] = LINREG_VERSION;
  info["eigen"] = std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) +
                  "." + std::to_string(EIGEN_MINOR_VERSION);
  info["pybind11"] = std::to_string(PYBIND11_VERSION_MAJOR) + "." +
                     std::to_string(PYBIND11_VERSION_MINOR) + "." +
                     std::to_string(PYBIND11_VERSION_PATCH);
#if defined(__clang__)
  info["compiler"] = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  info["compiler"] = std::string("gcc ") + __VERSION__;
#elif defined(_MSC_VER)
  info["compiler"] = "msvc " + std::to_string(_MSC_VER);
#else
  info["compiler"] = "unknown";
#endif
  py::list simd;
#ifdef __SSE2__
  simd.append("SSE2");
#endif
#ifdef __SSE4_2__
  simd.append("SSE4.2");
#endif
#ifdef __AVX__
  simd.append("AVX");
#endif
#ifdef __AVX2__
  simd.append("AVX2");
#endif
#ifdef __FMA__
  simd.append("FMA");
#endif
#ifdef __AVX512F__
  simd.append("AVX512F");
#endif
#ifdef __ARM_NEON
  simd.append("NEON");
#endif
  info["simd"] = simd;
  info["eigen_simd"] = std::string(Eigen::SimdInstructionSetsInUse());
#ifdef LINREG_BUILD_NATIVE
  info["native"] = true;
#else
  info["native"] = false;
#endif
#ifdef _OPENMP
  info["openmp"] = true;
#else
  info["openmp"] = false;
#endif
  info["max_threads"] = max_threads();
  info["blas"] = std::string(blas_name());
#ifdef LINREG_USE_OPENBLAS
  info["blas_linked"] = true;
#else
  info["blas_linked"] = false;
#endif
  return info;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "linreg's compiled core. Use the estimators in `linreg`, not this module.";
  init_blas();

  static py::handle lin_alg_error =
      py::object(py::module_::import("numpy.linalg").attr("LinAlgError")).release();
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const NotPositiveDefinite& e) {
      PyErr_SetString(lin_alg_error.ptr(), e.what());
    }
  });

  py::class_<FitResult>(m, "FitResult")
      .def_readonly("coef", &FitResult::coef)
      .def_readonly("intercept", &FitResult::intercept)
      .def_readonly("solver", &FitResult::solver)
      .def_readonly("rank", &FitResult::rank)
      .def_readonly("cond", &FitResult::cond)
      .def_readonly("n_iter", &FitResult::n_iter)
      .def_readonly("fell_back", &FitResult::fell_back)
      .def_readonly("fallback_reason", &FitResult::fallback_reason)
      .def_readonly("dependent_columns", &FitResult::dependent_columns)
      .def_readonly("refinement_change", &FitResult::refinement_change);

  py::class_<GradientDescentResult>(m, "GradientDescentResult")
      .def_readonly("coef", &GradientDescentResult::coef)
      .def_readonly("intercept", &GradientDescentResult::intercept)
      .def_readonly("n_iter", &GradientDescentResult::n_iter)
      .def_readonly("loss_history", &GradientDescentResult::loss_history)
      .def_readonly("grad_norm", &GradientDescentResult::grad_norm)
      .def_readonly("grad_norm0", &GradientDescentResult::grad_norm0)
      .def_readonly("converged", &GradientDescentResult::converged)
      .def_readonly("learning_rate", &GradientDescentResult::learning_rate)
      .def_readonly("restarts", &GradientDescentResult::restarts)
      .def_readonly("status", &GradientDescentResult::status)
      .def_readonly("diverged_target", &GradientDescentResult::diverged_target)
      .def_readonly("diverged_epoch", &GradientDescentResult::diverged_epoch)
      .def_readonly("loss_before", &GradientDescentResult::loss_before)
      .def_readonly("loss_after", &GradientDescentResult::loss_after);

  py::class_<LipschitzEstimate>(m, "LipschitzEstimate")
      .def_readonly("lambda_max", &LipschitzEstimate::lambda_max)
      .def_readonly("max_row_norm", &LipschitzEstimate::max_row_norm)
      .def_readonly("n_iter", &LipschitzEstimate::n_iter)
      .def_readonly("change", &LipschitzEstimate::change);

  m.def(
      "epoch_permutation",
      [](std::uint64_t seed, std::uint64_t epoch, Index n) {
        require(n >= 0, "n must be >= 0");
        std::vector<Index> perm(static_cast<size_t>(n));
        epoch_permutation(seed, epoch, perm);
        return perm;
      },
      py::arg("seed"), py::arg("epoch"), py::arg("n"),
      "The row order the mini-batch solver uses in the given epoch (for replaying it).");

  py::class_<GramStatistics>(m, "GramStatistics")
      .def(py::init([](bool centered) { return GramStatistics(0, 0, centered); }),
           py::arg("centered"), "Empty statistics: no rows, no shapes yet.")
      .def_static(
          "from_arrays",
          [](Index n_samples, double weight_sum, bool centered, const VectorXd& x_mean,
             const VectorXd& y_mean, const MatrixXd& xx, const MatrixXd& xy, const MatrixXd& yy) {
            const Index d = x_mean.size(), k = y_mean.size();
            require(xx.rows() == d && xx.cols() == d && xy.rows() == d && xy.cols() == k &&
                        yy.rows() == k && yy.cols() == k,
                    "statistics of inconsistent shapes: x_mean " + std::to_string(d) +
                        ", y_mean " + std::to_string(k) + ", xx " + std::to_string(xx.rows()) +
                        " x " + std::to_string(xx.cols()) + ", xy " + std::to_string(xy.rows()) +
                        " x " + std::to_string(xy.cols()) + ", yy " + std::to_string(yy.rows()) +
                        " x " + std::to_string(yy.cols()));
            require(n_samples >= 0 && weight_sum >= 0.0,
                    "n_samples and weight_sum must be >= 0");
            GramStatistics st(d, k, centered);
            st.n_samples = n_samples;
            st.weight_sum = weight_sum;
            st.x_mean = x_mean;
            st.y_mean = y_mean;
            st.xx = xx;
            st.xy = xy;
            st.yy = yy;
            return st;
          },
          py::arg("n_samples"), py::arg("weight_sum"), py::arg("centered"), py::arg("x_mean"),
          py::arg("y_mean"), py::arg("xx"), py::arg("xy"), py::arg("yy"))
      .def("empty", &GramStatistics::empty)
      .def("n_features", &GramStatistics::n_features)
      .def("n_targets", &GramStatistics::n_targets)
      .def("all_finite", &GramStatistics::all_finite)
      .def_readonly("n_samples", &GramStatistics::n_samples)
      .def_readonly("weight_sum", &GramStatistics::weight_sum)
      .def_readonly("centered", &GramStatistics::centered)
      .def_readonly("x_mean", &GramStatistics::x_mean)
      .def_readonly("y_mean", &GramStatistics::y_mean)
      .def_readonly("xx", &GramStatistics::xx)
      .def_readonly("xy", &GramStatistics::xy)
      .def_readonly("yy", &GramStatistics::yy)
      .def("merge", [](GramStatistics& self, const GramStatistics& other) { self.merge(other); },
           py::arg("other"), py::call_guard<py::gil_scoped_release>(),
           "Add another statistics object in place (Chan's pairwise update).")
      .def("copy", [](const GramStatistics& self) { return GramStatistics(self); });

  m.def("solve_statistics", &solve_statistics, py::arg("statistics"), py::arg("alphas"),
        py::arg("n_threads"), py::call_guard<py::gil_scoped_release>(),
        "OLS / Ridge (one alpha per target) from the statistics by scaled Cholesky; fell_back "
        "when the matrix is singular to working precision (the caller takes the minimum-norm "
        "solution).");

  py::class_<CoordinateDescentResult>(m, "CoordinateDescentResult")
      .def_readonly("coef", &CoordinateDescentResult::coef)
      .def_readonly("gap", &CoordinateDescentResult::gap)
      .def_readonly("primal", &CoordinateDescentResult::primal)
      .def_readonly("dual_norm", &CoordinateDescentResult::dual_norm)
      .def_readonly("XtR", &CoordinateDescentResult::XtR)
      .def_readonly("n_iter", &CoordinateDescentResult::n_iter)
      .def_readonly("converged", &CoordinateDescentResult::converged);
  m.def(
      "duality_gap",
      [](double l1, double l2, bool positive, double Rn, double Ry, const VectorXd& w,
         const VectorXd& XtR, double W) {
        require(XtR.size() == w.size(), "XtR and w differ in length");
        const GapParts g = duality_gap(ElasticNetPenalty{l1, l2, positive}, Rn, Ry, w, XtR, W);
        return py::make_tuple(g.gap, g.primal, g.dual_norm);
      },
      py::arg("l1"), py::arg("l2"), py::arg("positive"), py::arg("Rn"), py::arg("Ry"),
      py::arg("w"), py::arg("XtR"), py::arg("weight_sum"),
      "(gap, primal, dual_norm): scikit-learn's duality gap from Rn = R'SR/W, Ry = R'S yc/W and "
      "XtR = Xc'S R/W (penalty.hpp), the certificate every solver of the L1 family reports.");
  m.def(
      "cd_covariance",
      [](const Eigen::Ref<const MatrixXd>& G, const Eigen::Ref<const VectorXd>& c, double yy,
         const Eigen::Ref<const VectorXd>& w0, double W, double l1, double l2, bool positive,
         int max_iter, double tol, bool random, std::uint64_t seed, int anderson) {
        CoordinateDescentOptions opt;
        opt.penalty = {l1, l2, positive};
        opt.max_iter = max_iter;
        opt.tol = tol;
        opt.random = random;
        opt.seed = seed;
        opt.anderson = anderson;
        return cd_covariance(G, c, yy, w0, W, opt);
      },
      py::arg("G"), py::arg("c"), py::arg("yy"), py::arg("w0"), py::arg("weight_sum"),
      py::arg("l1"), py::arg("l2"), py::arg("positive"), py::arg("max_iter"), py::arg("tol"),
      py::arg("random"), py::arg("seed"), py::arg("anderson"),
      py::call_guard<py::gil_scoped_release>(),
      "Covariance-mode coordinate descent on G = Xc'S Xc / W, c = Xc'S yc / W, yy = yc'S yc / W.");
  m.def(
      "grow_gram",
      [](Eigen::Ref<MatrixXd> G, const Eigen::Ref<const MatrixXd>& B, Index first, double scale,
         int n_threads) {
        require(G.rows() == B.cols() && G.cols() == B.cols(),
                "G must be " + std::to_string(B.cols()) + " x " + std::to_string(B.cols()));
        require(first >= 0 && first <= B.cols(), "first must be in [0, " +
                                                     std::to_string(B.cols()) + "]");
        grow_gram(B.data(), B.rows(), B.cols(), B.outerStride(), first, scale, G.data(),
                  G.outerStride(), n_threads);
      },
      py::arg("G").noconvert(), py::arg("B").noconvert(), py::arg("first"), py::arg("scale"),
      py::arg("n_threads"), py::call_guard<py::gil_scoped_release>(),
      "G[:, first:] = scale * B' B[:, first:] and its mirror G[first:, :first], in place.");
  bind_distributions(m);
  bind_naive<double>(m);
  bind_naive<float>(m);

  bind_fits<double, Eigen::Ref<const RowMatrix<double>>>(m);
  bind_fits<double, Eigen::Ref<const Matrix<double>>>(m);
  bind_fits<float, Eigen::Ref<const RowMatrix<float>>>(m);
  bind_fits<float, Eigen::Ref<const Matrix<float>>>(m);

  m.def("build_info", &build_info, "How the core was built: versions, SIMD, threads, BLAS.");
  m.def("max_threads", &max_threads, "OpenMP's thread count for the next parallel region.");
}
