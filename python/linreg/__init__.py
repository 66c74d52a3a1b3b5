"""linreg: linear regression from the ground up, on a C++/Eigen core.

Estimators follow scikit-learn's conventions (``fit``/``predict``/``score``, ``get_params``).
"""

from ._cpu import check_cpu as _check_cpu

_check_cpu()  # before the core loads: a native build on an older CPU gets a message, not SIGILL

import scipy_openblas32 as _openblas  # noqa: E402, F401  (loads the BLAS the core links, first)

from ._base import (  # noqa: E402
    ConvergenceWarning,
    DivergenceError,
    IllConditionedWarning,
    LinregWarning,
    NotFittedError,
    RankDeficientWarning,
)
from ._config import get_num_threads, set_num_threads, show_config
from ._gradient import Progress
from ._inference import InferenceWarning, RegressionInference
from ._statistics import gram_statistics
from .bayes import BayesianRidge
from .lab import (
    BiasVariance,
    ConstraintGeometry,
    bias_variance,
    constraint_geometry,
    fit_by_likelihood,
    gaussian_posterior,
)
from .lasso import ElasticNet, ElasticNetCV, Lasso, LassoCV, enet_path, lasso_path
from .linear import LinearRegression
from .polynomial import PolynomialFeatures, PolynomialRegression, design_condition
from .ridge import Ridge, RidgeCV
from .streaming import GramStatistics

__version__ = "0.1.0"

__all__ = [
    "BayesianRidge",
    "BiasVariance",
    "ConstraintGeometry",
    "ConvergenceWarning",
    "DivergenceError",
    "ElasticNet",
    "ElasticNetCV",
    "GramStatistics",
    "IllConditionedWarning",
    "InferenceWarning",
    "Lasso",
    "LassoCV",
    "LinearRegression",
    "LinregWarning",
    "NotFittedError",
    "PolynomialFeatures",
    "PolynomialRegression",
    "Progress",
    "RankDeficientWarning",
    "RegressionInference",
    "Ridge",
    "RidgeCV",
    "bias_variance",
    "constraint_geometry",
    "design_condition",
    "enet_path",
    "fit_by_likelihood",
    "gaussian_posterior",
    "gram_statistics",
    "get_num_threads",
    "lasso_path",
    "set_num_threads",
    "show_config",
]


def __getattr__(name):
    # linreg.plotting and linreg.dask need optional extras (matplotlib, dask): imported on first
    # use only
    if name in ("plotting", "dask"):
        import importlib

        return importlib.import_module(".plotting", __name__)
    raise AttributeError(f"module 'linreg' has no attribute {name!r}")
