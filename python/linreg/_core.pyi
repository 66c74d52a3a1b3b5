"""Typed stub of linreg's compiled core (linreg._core). Users import `linreg`, not this."""

from typing import Any

import numpy as np
import numpy.typing as npt

Float = np.float32 | np.float64

class FitResult:
    coef: npt.NDArray[np.float64]  # (n_features, n_targets)
    intercept: npt.NDArray[np.float64]  # (n_targets,)
    solver: str
    rank: int
    cond: float
    n_iter: int
    fell_back: bool
    fallback_reason: str
    dependent_columns: list[int]
    refinement_change: float

class GramStatistics:
    n_samples: int
    weight_sum: float
    centered: bool
    x_mean: npt.NDArray[np.float64]
    y_mean: npt.NDArray[np.float64]
    xx: npt.NDArray[np.float64]
    xy: npt.NDArray[np.float64]
    yy: npt.NDArray[np.float64]
    def __init__(self, centered: bool) -> None: ...  # empty: no rows, no shapes
    @staticmethod
    def from_arrays(
        n_samples: int,
        weight_sum: float,
        centered: bool,
        x_mean: npt.NDArray[np.float64],
        y_mean: npt.NDArray[np.float64],
        xx: npt.NDArray[np.float64],
        xy: npt.NDArray[np.float64],
        yy: npt.NDArray[np.float64],
    ) -> GramStatistics: ...
    def empty(self) -> bool: ...
    def n_features(self) -> int: ...
    def n_targets(self) -> int: ...
    def all_finite(self) -> bool: ...
    def merge(self, other: GramStatistics) -> None: ...
    def copy(self) -> GramStatistics: ...

def gram_update(
    statistics: GramStatistics,  # grown in place when the batch's statistics are finite
    X: npt.NDArray[Float],
    Y: npt.NDArray[Float],
    sample_weight: npt.NDArray[np.float64],
    n_threads: int,
) -> bool: ...  # False: the batch's statistics are not finite, nothing added
def solve_statistics(
    statistics: GramStatistics,
    alphas: npt.NDArray[np.float64],  # (k,), one per target
    n_threads: int,
) -> FitResult: ...  # fell_back: singular to working precision (take the minimum-norm route)

def fit_normal_equations(
    X: npt.NDArray[Float],  # C- or F-contiguous, read in place
    Y: npt.NDArray[Float],  # (n, k), F order, X's dtype
    sample_weight: npt.NDArray[np.float64],  # (n,) or empty for unit weights
    alphas: npt.NDArray[np.float64],  # (k,)
    fit_intercept: bool,
    solver: str,  # "auto" | "cholesky" | "qr"
    n_threads: int,
    precise_work: float,  # QR work below which auto takes QR outright; < 0: the default
) -> FitResult: ...
def fit_normal_equations_keep(
    X: npt.NDArray[Float],
    Y: npt.NDArray[Float],
    sample_weight: npt.NDArray[np.float64],
    alphas: npt.NDArray[np.float64],
    fit_intercept: bool,
    solver: str,
    n_threads: int,
    precise_work: float,
) -> tuple[FitResult, GramStatistics | None]: ...  # the statistics the normal equations used
def gram_statistics(
    X: npt.NDArray[Float],
    Y: npt.NDArray[Float],
    sample_weight: npt.NDArray[np.float64],
    fit_intercept: bool,
    n_threads: int,
) -> GramStatistics: ...
def build_info() -> dict[str, Any]: ...
def max_threads() -> int: ...

class GradientDescentResult:
    coef: npt.NDArray[np.float64]  # (n_features, n_targets)
    intercept: npt.NDArray[np.float64]  # (n_targets,)
    n_iter: int
    loss_history: npt.NDArray[np.float64]  # (n_iter + 1, n_targets)
    grad_norm: npt.NDArray[np.float64]  # (n_targets,) relative gradient norm at the result
    grad_norm0: npt.NDArray[np.float64]  # (n_targets,) ||grad F(0)||
    converged: list[bool]
    learning_rate: npt.NDArray[np.float64]
    restarts: int
    status: str  # "converged" | "max_iter" | "diverged" | "stopped"
    diverged_target: int
    diverged_epoch: int
    loss_before: float
    loss_after: float

class LipschitzEstimate:
    lambda_max: float  # of Xc' S Xc / W
    max_row_norm: float
    n_iter: int
    change: float

def fit_gradient_descent(
    X: npt.NDArray[Float],
    Y: npt.NDArray[Float],  # (n, k), F order, X's dtype
    sample_weight: npt.NDArray[np.float64],
    alphas: npt.NDArray[np.float64],  # (k,)
    x_mean: npt.NDArray[np.float64],  # (d,) or empty: no intercept
    y_mean: npt.NDArray[np.float64],  # (k,) or empty
    coef0: npt.NDArray[np.float64],  # (d, k)
    learning_rate: npt.NDArray[np.float64],  # (k,)
    max_iter: int,
    tol: float,  # < 0: run max_iter
    batch_size: int,  # 0: full batch
    shuffle: bool,
    seed: int,
    momentum: float,
    nesterov: bool,
    schedule: str,
    power_t: float,
    n_threads: int,
    callback: Any,  # None or f(epoch, loss, grad_norm, coef) -> bool (True stops)
) -> GradientDescentResult: ...
def estimate_lipschitz(
    X: npt.NDArray[Float],
    sample_weight: npt.NDArray[np.float64],
    x_mean: npt.NDArray[np.float64],
    max_iter: int,
    rtol: float,
    row_norms: bool,
    n_threads: int,
) -> LipschitzEstimate: ...
def weighted_means(
    X: npt.NDArray[Float], sample_weight: npt.NDArray[np.float64], n_threads: int
) -> npt.NDArray[np.float64]: ...
def read_all(X: npt.NDArray[Float], n_threads: int) -> float: ...
def epoch_permutation(seed: int, epoch: int, n: int) -> list[int]: ...

# --- Lasso / Elastic Net (cpp/linreg/penalty.hpp, coordinate_descent.hpp) -------------------
class CoordinateDescentResult:
    coef: npt.NDArray[np.float64]  # (k,)
    gap: float  # duality gap (scikit-learn's definition, per W) at coef
    primal: float
    dual_norm: float
    XtR: npt.NDArray[np.float64]  # Xc'S R / W at coef
    n_iter: int  # epochs
    converged: bool

def column_moments(
    X: npt.NDArray[Float], sample_weight: npt.NDArray[np.float64], fit_intercept: bool,
    n_threads: int,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...  # (means, xc'S xc / W)
def gather_columns(
    X: npt.NDArray[Float], cols: npt.NDArray[np.intp], n_threads: int
) -> npt.NDArray[Float]: ...  # (n, len(cols)), F order
def gram_statistics_subset(
    X: npt.NDArray[Float], Y: npt.NDArray[Float], sample_weight: npt.NDArray[np.float64],
    fit_intercept: bool, cols: npt.NDArray[np.intp], n_threads: int,
) -> GramStatistics: ...
def grow_gram(
    G: npt.NDArray[np.float64],  # (k, k), F order, written in place
    B: npt.NDArray[np.float64], first: int, scale: float, n_threads: int,
) -> None: ...  # G[:, first:] = scale * B' B[:, first:], and the mirror block
def residual_pass(
    X: npt.NDArray[Float], Y: npt.NDArray[Float], sample_weight: npt.NDArray[np.float64],
    coef: npt.NDArray[np.float64], intercept: npt.NDArray[np.float64], n_threads: int,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
def duality_gap(
    l1: float, l2: float, positive: bool, Rn: float, Ry: float, w: npt.NDArray[np.float64],
    XtR: npt.NDArray[np.float64], weight_sum: float,
) -> tuple[float, float, float]: ...  # (gap, primal, dual_norm)
def cd_covariance(
    G: npt.NDArray[np.float64], c: npt.NDArray[np.float64], yy: float,
    w0: npt.NDArray[np.float64], weight_sum: float, l1: float, l2: float, positive: bool,
    max_iter: int, tol: float, random: bool, seed: int, anderson: int,
) -> CoordinateDescentResult: ...
def cd_naive(
    X: npt.NDArray[Float],  # F order
    cols: npt.NDArray[np.intp], mean: npt.NDArray[np.float64], sq_norm: npt.NDArray[np.float64],
    sample_weight: npt.NDArray[np.float64], weight_sum: float, yc: npt.NDArray[np.float64],
    R: npt.NDArray[np.float64],  # (n,), updated in place
    w0: npt.NDArray[np.float64], l1: float, l2: float, positive: bool, max_iter: int,
    tol: float, dw_tol: float, gap_every: int, random: bool, seed: int, anderson: int,
) -> CoordinateDescentResult: ...

# --- Student t and F distributions (cpp/linreg/distributions.hpp) ---------------------------
# float64, C-contiguous arrays of any shape (shape () for a scalar), read in place. Arguments with
# more than one element share one shape, which the result takes; one-element arguments are used
# for every entry. Invalid df (<= 0, NaN, inf) or q outside [0, 1] raise ValueError.
def t_sf(t: npt.NDArray[np.float64], df: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...
def t_cdf(t: npt.NDArray[np.float64], df: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...
def t_two_sided_pvalue(
    t: npt.NDArray[np.float64], df: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]: ...  # P(|T| > |t|)
def t_ppf(q: npt.NDArray[np.float64], df: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...
def f_sf(
    f: npt.NDArray[np.float64], df1: npt.NDArray[np.float64], df2: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]: ...
def f_isf(
    q: npt.NDArray[np.float64], df1: npt.NDArray[np.float64], df2: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]: ...
