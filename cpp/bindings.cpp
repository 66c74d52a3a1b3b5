// bindings.cpp -- the only translation unit: the linreg._core module.
//
// Arrays arrive as Eigen::Ref<const ...> with .noconvert(): float32 and float64, C and F order,
// read in place. An array that does not match an overload is rejected here, never silently
// copied; the Python layer makes any copy visibly and once. The GIL is released for every solve.
#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "linreg/errors.hpp"
#include "linreg/gram.hpp"
#include "linreg/kernels.hpp"
#include "linreg/normal_equations.hpp"
#include "linreg/types.hpp"

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
      "gram_statistics",
      [](const XRef& X, const Eigen::Ref<const Matrix<Scalar>>& Y, const WeightRef& w,
         bool fit_intercept, int n_threads) {
        return gram_statistics<Scalar>(view_of<Scalar>(X), target_view<Scalar>(Y),
                                       weights_of(w, X.rows()), fit_intercept, n_threads);
      },
      py::arg("X").noconvert(), py::arg("Y").noconvert(), py::arg("sample_weight").noconvert(),
      py::arg("fit_intercept"), py::arg("n_threads"), py::call_guard<py::gil_scoped_release>());
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

  py::class_<GramStatistics>(m, "GramStatistics")
      .def_readonly("n_samples", &GramStatistics::n_samples)
      .def_readonly("weight_sum", &GramStatistics::weight_sum)
      .def_readonly("centered", &GramStatistics::centered)
      .def_readonly("x_mean", &GramStatistics::x_mean)
      .def_readonly("y_mean", &GramStatistics::y_mean)
      .def_readonly("xx", &GramStatistics::xx)
      .def_readonly("xy", &GramStatistics::xy)
      .def_readonly("yy", &GramStatistics::yy)
      .def("merge", [](GramStatistics& self, const GramStatistics& other) { self.merge(other); },
           py::arg("other"), "Add another statistics object in place (Chan's pairwise update).")
      .def("copy", [](const GramStatistics& self) { return GramStatistics(self); });

  bind_fits<double, Eigen::Ref<const RowMatrix<double>>>(m);
  bind_fits<double, Eigen::Ref<const Matrix<double>>>(m);
  bind_fits<float, Eigen::Ref<const RowMatrix<float>>>(m);
  bind_fits<float, Eigen::Ref<const Matrix<float>>>(m);

  m.def("build_info", &build_info, "How the core was built: versions, SIMD, threads, BLAS.");
}
