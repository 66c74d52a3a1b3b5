r"""Exact least-squares fits on Dask arrays and DataFrames.

A least-squares problem is summed up, whatever its number of rows, by its sufficient statistics
(:class:`linreg.GramStatistics`: weight sum, weighted means, centred ``X'X``, ``X'y``, ``y'y``),
and the statistics of disjoint rows merge exactly (Chan's pairwise update). So a fit on a Dask
collection is three steps, with no approximation anywhere:

1. one task per block of rows computes that block's statistics with linreg's core, on the
   worker that holds the block (the block is validated first; nothing but the d x d result
   leaves the worker);
2. a tree of :meth:`GramStatistics.merge` tasks, ``split_every`` at a time, adds them up;
3. the client solves from the merged statistics: the normal equations for OLS and Ridge, or
   covariance-mode coordinate descent for the Lasso and the Elastic Net.

The coefficients equal those of the in-memory fit to rounding. The statistics are O(d^2)
memory and each block costs O(rows d^2): this suits tall data, d up to about 1e4 (800 MB of
statistics per task); beyond that, use an iterative method over the rows instead.

Any Dask scheduler runs the graph: a ``dask.distributed`` client if one is active, the threaded
scheduler otherwise. Requires the ``dask`` extra: ``pip install "linreg[dask]"``.

Examples
--------
>>> import dask.array as da, numpy as np
>>> import linreg.dask
>>> X = da.random.default_rng(0).standard_normal((100_000, 5), chunks=(25_000, 5))
>>> y = X @ np.array([1.0, 2.0, 3.0, 4.0, 5.0]) + 6.0
>>> model = linreg.dask.LinearRegression().fit(X, y)
>>> np.round(model.coef_, 10).tolist(), round(float(model.intercept_), 10)
([1.0, 2.0, 3.0, 4.0, 5.0], 6.0)
"""

from __future__ import annotations

import numbers
import re

import numpy as np

try:
    import dask
    import dask.array as da
except ImportError as exc:
    raise ImportError(
        'linreg.dask needs Dask, an optional dependency: pip install "linreg[dask]" (it '
        f'installs "dask[array,dataframe]" and distributed). The import failed with: {exc}'
    ) from exc

from . import _closed_form
from . import lasso as _lasso
from . import linear as _linear
from . import ridge as _ridge
from ._gradient import _check_float
from ._validation import check_alpha, check_bool, check_option, check_X, feature_names_of
from .streaming import GramStatistics

__all__ = ["ElasticNet", "Lasso", "LinearRegression", "Ridge", "statistics"]


# ----------------------------------------------------------------------------- the statistics
def statistics(X, y, sample_weight=None, *, fit_intercept=True, split_every=8):
    """Sufficient statistics of a least-squares problem held in Dask collections.

    One task per block of rows computes the block's statistics with linreg's core on the worker
    that holds it; a tree of merges (``split_every`` at a time) adds them up; the graph is
    computed once, on the active scheduler. The result equals
    ``linreg.gram_statistics(X, y, sample_weight)`` of the whole data to rounding.

    Parameters
    ----------
    X : dask.array.Array or dask.dataframe.DataFrame of shape (n_samples, n_features)
        Rechunked, if needed, so that each block holds whole rows (one chunk along the
        columns). A DataFrame is converted with ``to_dask_array`` after its partition lengths
        are computed (one pass over its partitions, shared with ``y`` and ``sample_weight``
        when they are DataFrames or Series too). Dask optimises each column selection of a
        frame on its own, so ``X = frame[features]`` and ``y = frame["target"]`` compute the
        frame's partitions once each, besides the pass for the lengths: persist the frame
        first when computing it is costly (reading a CSV file, say). An array whose chunk sizes
        are unknown is measured first (one more pass). A NumPy array is wrapped with
        ``dask.array.asarray``.
    y : dask.array.Array, dask Series / DataFrame or array-like of shape (n_samples,) or \
(n_samples, n_targets)
        Rechunked to X's blocks of rows.
    sample_weight : same kinds, of shape (n_samples,), or a number, optional
        Non-negative weights; rechunked to X's blocks of rows. A block whose weights are all
        zero adds its rows to ``n_samples`` and nothing else.
    fit_intercept : bool, default=True
        Centre about the weighted means (the statistics of an intercept model).
    split_every : int, default=8
        How many partial statistics each merge task adds up (>= 2): the depth of the tree is
        ``ceil(log(n_blocks) / log(split_every))``.

    Returns
    -------
    linreg.GramStatistics
        float64 whatever the input dtype (float32 blocks are multiplied in float32 inside the
        core, their sums kept in double).

    Raises
    ------
    ValueError
        If a block fails validation: non-finite values, a block whose width is not X's, a
        block of y whose length is not X's, negative weights. The message names the block and
        its rows, for example ``chunk 3 (rows 30000-39999): X contains 1 NaN value(s), the
        first at index (30005, 2); ...`` (indices count rows of the whole array). Nothing is
        returned then: the partial statistics of the other blocks are discarded.

    Notes
    -----
    Memory: each task holds one block of rows and a d x d float64 matrix; the client receives
    one d x d matrix. With d = 1e4 that is 800 MB per partial result.
    """
    fit_intercept = check_bool(fit_intercept, "fit_intercept")
    if (isinstance(split_every, bool) or not isinstance(split_every, numbers.Integral)
            or split_every < 2):
        raise ValueError(f"split_every must be an integer >= 2, got {split_every!r}")
    split_every = int(split_every)
    X, y, sample_weight = _to_dask_arrays(X, y, sample_weight)
    X = _rows_of_whole_width(X)
    n, d = X.shape
    rows = X.chunks[0]
    y = _aligned(y, "y", n, rows)
    k = 1 if y.ndim == 1 else y.shape[1]
    if sample_weight is not None and not _is_number(sample_weight):
        sample_weight = _aligned(sample_weight, "sample_weight", n, rows)
        if sample_weight.ndim != 1:
            raise ValueError(f"sample_weight: expected a 1D array of length {n}, got shape "
                             f"{sample_weight.shape}")

    # Not optimised (fused) one by one: what X, y and the weights share (y computed from X, say)
    # keeps its keys and runs once; optimising each alone would fuse it into each of them.
    xs = X.to_delayed(optimize_graph=False).ravel()
    ys = y.to_delayed(optimize_graph=False).ravel()
    ws = (sample_weight.to_delayed(optimize_graph=False).ravel()
          if isinstance(sample_weight, da.Array) else [sample_weight] * len(xs))
    token = dask.base.tokenize(X, y, sample_weight, fit_intercept, split_every)
    starts = np.concatenate([[0], np.cumsum(rows)]).astype(int).tolist()
    parts = [dask.delayed(_chunk_statistics, pure=True)(
                 xs[i], ys[i], ws[i], fit_intercept, d, k, i, starts[i], starts[i + 1],
                 dask_key_name=(f"linreg-chunk-statistics-{token}", i))
             for i in range(len(xs))]
    level = 0
    while len(parts) > 1:
        parts = [dask.delayed(_merge_parts, pure=True)(
                     *parts[j:j + split_every],
                     dask_key_name=(f"linreg-merge-statistics-{token}", level, j // split_every))
                 for j in range(0, len(parts), split_every)]
        level += 1
    (stats,) = dask.compute(parts[0])
    return stats


def _chunk_statistics(X, y, sample_weight, fit_intercept, n_features, n_targets, index, start,
                      stop):
    """The statistics of one block of rows (runs on a worker); an empty block counts none."""
    where = _where(index, start, stop)
    try:
        # Rows of no weight are validated like any block and count in n_samples only
        # (GramStatistics._block's own rule).
        return GramStatistics._block(X, y, sample_weight, fit_intercept, n_features, n_targets,
                                     where=where)
    except (ValueError, TypeError) as exc:
        kind = TypeError if isinstance(exc, TypeError) else ValueError
        raise kind(_located(str(exc), where, start)) from None


def _merge_parts(*parts):
    """Add up partial statistics (a merge task of the tree)."""
    out = parts[0].copy()  # never modify an input: a retried task must find it unchanged
    for part in parts[1:]:
        out.merge(part)
    return out


def _where(index, start, stop):
    if not (np.isfinite(start) and np.isfinite(stop)):
        return f"chunk {index}"
    if stop <= start:
        return f"chunk {index} (empty, at row {int(start)})"
    return f"chunk {index} (rows {int(start)}-{int(stop) - 1})"


_INDEX = re.compile(r"at index \(?(\d+)")


def _located(message, where, start):
    """``message`` prefixed with the block's name, its first row index made global."""
    if not message.startswith(where):
        message = f"{where}: {message}"
    if not np.isfinite(start) or not start:
        return message
    head, rest = message[:len(where)], message[len(where):]
    return head + _INDEX.sub(lambda m: m.group(0)[:-len(m.group(1))] + str(int(m.group(1))
                                                                           + int(start)), rest,
                             count=1)


# ------------------------------------------------------------------------ input conversion
def _is_number(a):
    return isinstance(a, numbers.Number) and not isinstance(a, bool)


def _is_frame(a):
    """A dask DataFrame or Series (duck-typed: dask.dataframe needs pandas, imported lazily)."""
    return dask.is_dask_collection(a) and hasattr(a, "to_dask_array")


def _is_dask(*arrays):
    return any(dask.is_dask_collection(a) for a in arrays)


def _to_dask_arrays(X, y, sample_weight):
    """X, y and sample_weight as dask arrays of known chunk sizes (numbers and None kept)."""
    frames = [a for a in (X, y, sample_weight) if _is_frame(a)]
    if frames:
        # One compute for every frame's partition lengths: frames that share their source
        # (columns of one DataFrame) share the partitions' computation.
        lengths = dict(zip(map(id, frames),
                           dask.compute(*[f.map_partitions(len) for f in frames])))

    def convert(a, name):
        if a is None or (name == "sample_weight" and _is_number(a)):
            return a
        if _is_frame(a):
            return a.to_dask_array(lengths=tuple(int(v) for v in lengths[id(a)]))
        if isinstance(a, da.Array):
            if any(not np.isfinite(c) for chunks in a.chunks for c in chunks):
                a = a.compute_chunk_sizes()
            return a
        if dask.is_dask_collection(a):
            raise TypeError(f"{name}: expected a dask array, DataFrame or Series, got "
                            f"{type(a).__name__}")
        return da.asarray(np.asarray(a))

    if y is None:
        raise ValueError("this estimator requires y to be passed, but the target y is None")
    return convert(X, "X"), convert(y, "y"), convert(sample_weight, "sample_weight")


def _rows_of_whole_width(X):
    if X.ndim != 2:
        raise ValueError(f"X: expected a 2D array of shape (n_samples, n_features), got a "
                         f"{X.ndim}D array of shape {X.shape}")
    n, d = X.shape
    if n == 0 or d == 0:
        raise ValueError(f"X: found array with shape {X.shape}; at least 1 sample and 1 "
                         "feature are required")
    return X.rechunk({1: -1}) if len(X.chunks[1]) > 1 else X


def _aligned(a, name, n, rows):
    """``a`` with X's blocks of rows (and all its columns in each block)."""
    if a.ndim not in (1, 2):
        raise ValueError(f"{name}: expected a 1D array (n_samples,) or 2D array (n_samples, "
                         f"n_targets), got shape {a.shape}")
    if a.shape[0] != n:
        raise ValueError(f"{name} has {a.shape[0]} samples but X has {n}: they must match")
    if a.ndim == 2 and a.shape[1] == 0:
        raise ValueError(f"{name}: found 0 targets (shape {a.shape}); at least 1 is required")
    want = {0: rows} if a.ndim == 1 else {0: rows, 1: -1}
    same = a.chunks[0] == tuple(rows) and (a.ndim == 1 or len(a.chunks[1]) == 1)
    return a if same else a.rechunk(want)


# ------------------------------------------------------------------------------- estimators
class _DaskFit:
    """``fit`` from Dask collections through :func:`statistics`; NumPy input goes to the
    in-memory ``fit``."""

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : dask.array.Array or dask.dataframe.DataFrame of shape (n_samples, n_features)
            Or a NumPy array / pandas DataFrame, fitted in memory by the parent class.
        y : dask.array.Array, dask Series or array-like of shape (n_samples,) or \
(n_samples, n_targets)
        sample_weight : dask.array.Array, dask Series or array-like of shape (n_samples,), \
optional
            Non-negative weights.

        Returns
        -------
        self
            With the fitted attributes of :meth:`fit_statistics` and ``statistics_``. If a
            block fails validation a ``ValueError`` names it and the estimator is left as it
            was.
        """
        if not _is_dask(X, y, sample_weight):
            return super().fit(X, y, sample_weight)
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        names = feature_names_of(X) if _is_frame(X) else None
        y_shape = y.shape if dask.is_dask_collection(y) else np.shape(y)
        y_two_d = len(y_shape) == 2
        # the hyper-parameters are checked before the pass over the data, not after it
        self._check_params(int(y_shape[1]) if y_two_d else 1)
        stats = statistics(X, y, sample_weight, fit_intercept=fit_intercept)
        if not stats.weight_sum > 0:
            raise ValueError("sample_weight: the weights sum to zero; at least one must be "
                             "positive")
        self.fit_statistics(stats)
        if y_two_d and stats.n_targets == 1:
            _keep_target_axis(self)
        if names is not None:
            self.feature_names_in_ = names
        return self

    def predict(self, X):
        """Predict ``X @ coef_.T + intercept_``; lazily, block by block, for Dask input.

        Parameters
        ----------
        X : dask.array.Array, dask.dataframe.DataFrame or array-like of shape \
(n_samples, n_features)

        Returns
        -------
        dask.array.Array for Dask input (not computed), else ndarray; of shape (n_samples,)
        or (n_samples, n_targets)
        """
        if not dask.is_dask_collection(X):
            return super().predict(X)
        self._check_is_fitted()
        fitted_names = getattr(self, "feature_names_in_", None)
        names = feature_names_of(X) if _is_frame(X) else None
        if names is not None and fitted_names is not None and (
                len(names) != len(fitted_names) or (names != fitted_names).any()):
            raise ValueError("The feature names should match those that were passed during "
                             f"fit: expected {list(fitted_names)}, got {list(names)}")
        Xd = X.to_dask_array() if _is_frame(X) else X
        if not isinstance(Xd, da.Array) or Xd.ndim != 2:
            raise ValueError(f"X: expected a 2D dask array or DataFrame, got "
                             f"{type(X).__name__} of shape {getattr(X, 'shape', None)}")
        if Xd.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {Xd.shape[1]} features, but {type(self).__name__} is "
                             f"expecting {self.n_features_in_} features as input")
        Xd = Xd.rechunk({1: -1}) if len(Xd.chunks[1]) > 1 else Xd
        coef = np.asarray(self.coef_, dtype=np.float64)
        intercept = np.asarray(self.intercept_, dtype=np.float64)
        dtype = Xd.dtype if Xd.dtype in (np.float32, np.float64) else np.dtype(np.float64)
        if coef.ndim == 1:
            return Xd.map_blocks(_predict_block, coef, intercept, dtype=dtype, drop_axis=1,
                                 meta=np.empty((0,), dtype))
        return Xd.map_blocks(_predict_block, coef, intercept, dtype=dtype,
                             chunks=(Xd.chunks[0], (coef.shape[0],)),
                             meta=np.empty((0, 0), dtype))


def _predict_block(X, coef, intercept, block_info=None):
    if np.shape(X)[0] == 0:
        shape = (0,) if coef.ndim == 1 else (0, coef.shape[0])
        return np.empty(shape, X.dtype if X.dtype in (np.float32, np.float64) else np.float64)
    try:
        Xa = check_X(X)
    except (ValueError, TypeError) as exc:
        info = (block_info or {}).get(0, {})
        index = info.get("chunk-location", ("?",))[0]
        start, stop = info.get("array-location", [(np.nan, np.nan)])[0]
        where = _where(index, start, stop)
        kind = TypeError if isinstance(exc, TypeError) else ValueError
        raise kind(_located(str(exc), where, start)) from None
    return Xa @ coef.T.astype(Xa.dtype) + intercept.astype(Xa.dtype)


def _keep_target_axis(est):
    """y of shape (n, 1) keeps its target axis, as in the in-memory fit."""
    est.coef_ = np.reshape(est.coef_, (1, -1))
    est.intercept_ = np.reshape(np.asarray(est.intercept_, dtype=np.float64), (1,))
    if isinstance(est, _lasso.ElasticNet):
        for attr in ("dual_gap_", "n_iter_", "n_nonzero_"):
            setattr(est, attr, np.reshape(np.asarray(getattr(est, attr)), (1,)))


_NOTES = """
    Notes
    -----
    For Dask input, :func:`linreg.dask.statistics` computes the sufficient statistics (one task
    per block of rows, run by linreg's core on the worker that holds the block, then a tree of
    exact merges) and the client solves from them, as :meth:`fit_statistics` does: the
    coefficients equal the in-memory fit's to rounding, whatever the chunking. NumPy and pandas
    input is fitted in memory by the parent class. The statistics take O(d^2) memory per task
    and each block O(rows d^2) time, which suits tall data with d up to about 1e4; beyond that
    use an iterative method over the rows.

    Results are float64 whatever the input dtype (float32 blocks are multiplied in float32,
    their sums kept in float64). ``predict`` on Dask input returns a lazy dask array.
"""

_SOLVED = """
    {what} ``solver`` and the other parameters of the iterative solvers
    apply to NumPy input only; ``solver_`` says what ran.
"""


class _ClosedFormParams:
    def _check_params(self, n_targets):
        check_option(self.solver, "solver", _closed_form.SOLVERS)


class _EnetParams:
    def _check_params(self, n_targets):
        check_option(self.solver, "solver", _lasso.SOLVERS)
        _check_float(self.alpha, "alpha", low=0.0)
        self._l1_ratio()
        _lasso._common_params(self)


class LinearRegression(_DaskFit, _ClosedFormParams, _linear.LinearRegression):
    __doc__ = r"""Ordinary least squares on Dask arrays and DataFrames, exact.

    Minimises the (weighted) residual sum of squares

    .. math:: \min_{w, b} \; \sum_i s_i \, (y_i - x_i^\top w - b)^2

    with sample weights :math:`s_i` (all 1 by default), over every row of the Dask collection.
    The parameters are those of :class:`linreg.LinearRegression`.
    """ + _SOLVED.format(what="With Dask input the normal equations are solved from the "
                               "statistics (the minimum-norm solution, with a "
                               "``RankDeficientWarning``, on a singular design);") + """
    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X was a DataFrame with string column names.
    solver_ : str
        ``"statistics"`` for Dask input.
    statistics_ : linreg.GramStatistics
        The merged statistics the coefficients were solved from.
    """ + _NOTES + """
    Examples
    --------
    >>> import dask.array as da, numpy as np
    >>> import linreg.dask
    >>> X = da.from_array(np.arange(20.0).reshape(10, 2) ** 2, chunks=(4, 2))
    >>> y = X @ np.array([1.0, -1.0]) + 3.0
    >>> model = linreg.dask.LinearRegression().fit(X, y)
    >>> np.round(model.coef_, 8).tolist(), round(float(model.intercept_), 8)
    ([1.0, -1.0], 3.0)
    """


class Ridge(_DaskFit, _ClosedFormParams, _ridge.Ridge):
    __doc__ = r"""Ridge regression on Dask arrays and DataFrames, exact.

    Minimises

    .. math:: \min_{w, b} \; \sum_i s_i \, (y_i - x_i^\top w - b)^2 + \alpha \, \lVert w
              \rVert_2^2

    over every row of the Dask collection (scikit-learn's scaling; the intercept is not
    penalised). ``alpha`` may hold one value per target. The parameters are those of
    :class:`linreg.Ridge`.
    """ + _SOLVED.format(what="With Dask input ``(xx + alpha I) w = xy`` is solved from the "
                               "statistics;") + """
    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X was a DataFrame with string column names.
    solver_ : str
        ``"statistics"`` for Dask input.
    statistics_ : linreg.GramStatistics
        The merged statistics the coefficients were solved from.
    """ + _NOTES + """
    Examples
    --------
    >>> import dask.array as da, numpy as np
    >>> import linreg.dask
    >>> X = da.from_array(np.array([[0.0], [1.0], [2.0]]), chunks=(2, 1))
    >>> y = da.from_array(np.array([1.0, 3.0, 5.0]), chunks=2)
    >>> round(float(linreg.dask.Ridge(alpha=2.0).fit(X, y).coef_[0]), 12)  # 2 * 2 / (2 + 2)
    1.0
    """

    def _check_params(self, n_targets):
        super()._check_params(n_targets)
        check_alpha(self.alpha, n_targets)


# How Lasso and ElasticNet solve, and what they set: the same for both.
_ENET_SOLVED_AND_ATTRIBUTES = _SOLVED.format(
    what="With Dask input covariance-mode coordinate descent runs on the statistics (no pass "
         "over the rows per epoch) until the duality gap is below ``tol * yy / W``;") + """
    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X was a DataFrame with string column names.
    dual_gap_ : float or ndarray of shape (n_targets,)
    n_iter_ : int or ndarray of shape (n_targets,)
        Epochs of coordinate descent.
    converged_ : bool
    n_nonzero_ : int or ndarray of shape (n_targets,)
    solver_ : str
        ``"cd-covariance"`` for Dask input.
    statistics_ : linreg.GramStatistics
        The merged statistics the coefficients were solved from.
    """ + _NOTES


class ElasticNet(_DaskFit, _EnetParams, _lasso.ElasticNet):
    __doc__ = r"""Elastic Net on Dask arrays and DataFrames, exact.

    Minimises scikit-learn's objective

    .. math:: \min_{w, b} \; \frac{1}{2W} \sum_i s_i (y_i - x_i^\top w - b)^2
              + \alpha \rho \lVert w \rVert_1 + \frac{\alpha (1 - \rho)}{2} \lVert w \rVert_2^2

    (:math:`W = \sum_i s_i`, :math:`\rho` = ``l1_ratio``) over every row of the Dask
    collection. The parameters are those of :class:`linreg.ElasticNet`.
    """ + _ENET_SOLVED_AND_ATTRIBUTES + """
    Examples
    --------
    >>> import dask.array as da, numpy as np
    >>> import linreg.dask
    >>> X = da.from_array(np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]]),
    ...                   chunks=(2, 2))
    >>> model = linreg.dask.ElasticNet(alpha=0.1, tol=1e-10).fit(X, X[:, 0] * 2.0)
    >>> model.n_nonzero_
    1
    """


class Lasso(_DaskFit, _EnetParams, _lasso.Lasso):
    __doc__ = r"""Lasso on Dask arrays and DataFrames, exact.

    Minimises scikit-learn's objective

    .. math:: \min_{w, b} \; \frac{1}{2W} \sum_i s_i (y_i - x_i^\top w - b)^2
              + \alpha \lVert w \rVert_1

    (:math:`W = \sum_i s_i`) over every row of the Dask collection. The parameters are those
    of :class:`linreg.Lasso`.
    """ + _ENET_SOLVED_AND_ATTRIBUTES + """
    Examples
    --------
    >>> import dask.array as da, numpy as np
    >>> import linreg.dask
    >>> rng = np.random.default_rng(0); X = rng.standard_normal((50, 5))
    >>> y = 3 * X[:, 0] + 0.01 * rng.standard_normal(50)
    >>> model = linreg.dask.Lasso(alpha=0.1).fit(da.from_array(X, chunks=(20, 5)), y)
    >>> (model.coef_ != 0).tolist()
    [True, False, False, False, False]
    """
