"""Array and hyper-parameter checks shared by every estimator.

Rules: float32 and float64 arrays are used as given (no copy when C- or F-contiguous and in
native byte order); other numeric dtypes are converted to float64; ``y`` is cast to ``X.dtype``.
Every error names the argument, what was expected and what arrived. Inputs are never modified.
"""

from __future__ import annotations

import numbers

import numpy as np

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _describe(a) -> str:
    if isinstance(a, np.ndarray):
        return f"array of shape {a.shape} and dtype {a.dtype}"
    return f"{type(a).__name__}"


def _is_sparse(a) -> bool:
    return hasattr(a, "tocsr") and hasattr(a, "nnz")


def _as_numeric_array(a, name: str) -> np.ndarray:
    """np.asarray with a clear TypeError for non-numeric data; never copies float arrays."""
    if _is_sparse(a):
        raise TypeError(
            f"{name}: sparse input is not supported; pass a dense array (e.g. {name}.toarray())"
        )
    if hasattr(a, "dtypes") and hasattr(a, "to_numpy"):  # pandas DataFrame / Series
        a = a.to_numpy()
    arr = np.asarray(a)
    kind = arr.dtype.kind
    if kind == "f" and arr.dtype in _FLOATS:
        return arr
    if kind in "biuf":
        return arr.astype(np.float64)
    if kind == "O":
        try:
            return arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name}: expected numeric values, got an object array holding non-numbers ({exc})"
            ) from None
    if kind == "c":
        raise ValueError(f"{name}: Complex data not supported (got dtype {arr.dtype})")
    raise TypeError(f"{name}: expected a numeric array, got dtype {arr.dtype} ({_describe(arr)})")


def _check_finite(arr: np.ndarray, name: str) -> None:
    if arr.size and not np.isfinite(arr).all():
        bad = ~np.isfinite(arr)
        where = tuple(int(i[0]) for i in np.nonzero(bad))
        n_nan = int(np.isnan(arr).sum())
        n_inf = int(bad.sum()) - n_nan
        what = []
        if n_nan:
            what.append(f"{n_nan} NaN")
        if n_inf:
            what.append(f"{n_inf} infinity (inf)")
        raise ValueError(
            f"{name} contains {' and '.join(what)} value(s), the first at index {where}; "
            "linreg needs finite values (drop or impute them first)"
        )


def feature_names_of(X):
    """Column names of a DataFrame when they are all strings, else None."""
    columns = getattr(X, "columns", None)
    if columns is None or not hasattr(X, "dtypes"):
        return None
    names = list(columns)
    if names and all(isinstance(c, str) for c in names):
        return np.asarray(names, dtype=object)
    return None


# Above this many entries X is not scanned for NaN/inf here: the core meets every entry in its
# own first pass and refuses non-finite data (see raise_non_finite), which saves a full pass over
# X and a boolean temporary of X's size.
DEFER_FINITE_CHECK = 2**20


def check_X(X, name: str = "X", defer_finite: bool = False,
            defer_above: int = DEFER_FINITE_CHECK) -> np.ndarray:
    """A 2-D float32/float64 array, C- or F-contiguous, in native byte order; finite unless
    the check is deferred to the core (``defer_finite=True`` and more than ``defer_above``
    values: the caller then checks what the core computed, and locates the culprit with
    :func:`raise_non_finite`)."""
    arr = _as_numeric_array(X, name)
    if arr.ndim != 2:
        hint = ""
        if arr.ndim == 1:
            hint = (
                f". Reshape your data with {name}.reshape(-1, 1) for a single feature or "
                f"{name}.reshape(1, -1) for a single sample"
            )
        raise ValueError(
            f"{name}: expected a 2D array of shape (n_samples, n_features), got a {arr.ndim}D "
            f"array of shape {arr.shape}{hint}"
        )
    n, d = arr.shape
    if n == 0:
        raise ValueError(
            f"{name}: found array with 0 sample(s) (shape={arr.shape}) while a minimum of 1 is "
            "required."
        )
    if d == 0:
        raise ValueError(
            f"{name}: found array with 0 feature(s) (shape={arr.shape}) while a minimum of 1 is "
            "required."
        )
    if not (defer_finite and arr.size > defer_above):
        _check_finite(arr, name)
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))  # the core reads native byte order only
    if not (arr.flags.c_contiguous or arr.flags.f_contiguous):
        arr = np.ascontiguousarray(arr)  # documented copy: the core reads contiguous arrays
    return arr


def check_y(y, X: np.ndarray, name: str = "y") -> tuple[np.ndarray, bool]:
    """y as an F-ordered (n, k) array of X.dtype, and whether it was 1-D."""
    if y is None:
        raise ValueError(f"this estimator requires y to be passed, but the target {name} is None")
    arr = _as_numeric_array(y, name)
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"{name}: expected a 1D array (n_samples,) or 2D array (n_samples, n_targets), "
            f"got shape {arr.shape}"
        )
    if arr.shape[0] != X.shape[0]:
        raise ValueError(
            f"{name} has {arr.shape[0]} samples but X has {X.shape[0]}: they must match"
        )
    if arr.ndim == 2 and arr.shape[1] == 0:
        raise ValueError(f"{name}: found 0 targets (shape {arr.shape}); at least 1 is required")
    _check_finite(arr, name)
    one_d = arr.ndim == 1
    Y = arr.reshape(-1, 1) if one_d else arr
    # The core reads y as a column-major (n, k) array of X's dtype; y is small next to X.
    return np.asfortranarray(Y, dtype=X.dtype), one_d


def check_sample_weight(sample_weight, n_samples: int) -> np.ndarray:
    """Weights as a float64 vector of length n_samples (empty for unit weights)."""
    if sample_weight is None:
        return np.empty(0, dtype=np.float64)
    if isinstance(sample_weight, numbers.Number) and not isinstance(sample_weight, bool):
        w = np.full(n_samples, float(sample_weight))
    else:
        w = _as_numeric_array(sample_weight, "sample_weight")
        if w.ndim != 1:
            raise ValueError(
                f"sample_weight: expected a 1D array of length {n_samples}, got shape {w.shape}"
            )
        if w.shape[0] != n_samples:
            raise ValueError(
                f"sample_weight has {w.shape[0]} entries but X has {n_samples} samples: "
                "they must match"
            )
        w = np.ascontiguousarray(w, dtype=np.float64)
    _check_finite(w, "sample_weight")
    if (w < 0).any():
        i = int(np.argmax(w < 0))
        raise ValueError(
            f"sample_weight must be >= 0, got {float(w[i])!r} at index {i} "
            f"({int((w < 0).sum())} negative value(s))"
        )
    if not w.sum() > 0:
        raise ValueError("sample_weight: the weights sum to zero; at least one must be positive")
    return w


def check_alpha(alpha, n_targets: int, name: str = "alpha") -> np.ndarray:
    """A non-negative finite penalty, scalar or one per target, as a float64 vector."""
    if isinstance(alpha, (str, bytes)) or alpha is None:
        raise TypeError(f"{name} must be a number or an array of numbers, got {alpha!r}")
    try:
        a = np.asarray(alpha, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a number or an array of numbers, got {type(alpha).__name__}"
        ) from None
    if a.ndim == 0:
        a = np.full(n_targets, float(a))
    elif a.ndim != 1 or a.shape[0] != n_targets:
        raise ValueError(
            f"{name} must be a scalar or have one value per target ({n_targets}), "
            f"got shape {a.shape}"
        )
    if not np.isfinite(a).all():
        raise ValueError(f"{name} must be finite, got {alpha!r}")
    if (a < 0).any():
        raise ValueError(f"{name} must be >= 0, got {alpha!r}")
    return a


def check_option(value, name: str, options, otherwise: str | None = None) -> str:
    """``value`` if it is one of the strings ``options``. ``otherwise`` names what else the
    parameter accepts (checked by the caller), e.g. "a positive float", for the message."""
    if not isinstance(value, str) or value not in options:
        allowed = ", ".join(repr(o) for o in options)
        expected = f"{allowed} or {otherwise}" if otherwise else f"one of {allowed}"
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return value


def check_bool(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def raise_non_finite(X: np.ndarray, exc: Exception, name: str = "X"):
    """The core refused non-finite data: find it and say where (or re-raise the core's words)."""
    _check_finite(X, name)
    raise ValueError(str(exc)) from None
