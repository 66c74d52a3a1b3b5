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
    def merge(self, other: GramStatistics) -> None: ...
    def copy(self) -> GramStatistics: ...

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
def gram_statistics(
    X: npt.NDArray[Float],
    Y: npt.NDArray[Float],
    sample_weight: npt.NDArray[np.float64],
    fit_intercept: bool,
    n_threads: int,
) -> GramStatistics: ...
def build_info() -> dict[str, Any]: ...
