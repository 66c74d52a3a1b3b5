r"""Sufficient statistics as a public, mergeable, picklable object: exact fits at any scale.

A least-squares problem with an intercept and sample weights :math:`s_i` is summed up, whatever
the number of rows, by

- ``weight_sum`` :math:`W = \sum_i s_i` and ``n_samples``,
- the weighted means ``x_mean`` :math:`\bar x` and ``y_mean`` :math:`\bar y`,
- ``xx`` :math:`= \sum_i s_i (x_i - \bar x)(x_i - \bar x)^\top` (d x d),
- ``xy`` :math:`= \sum_i s_i (x_i - \bar x)(y_i - \bar y)^\top` (d x k),
- ``yy`` :math:`= \sum_i s_i (y_i - \bar y)(y_i - \bar y)^\top` (k x k)

(raw sums and zero means when ``fit_intercept=False``). Two summaries of disjoint rows merge
exactly by Chan's pairwise update, with :math:`\delta = \bar x_b - \bar x_a`,
:math:`f = W_a W_b / (W_a + W_b)`:

.. math:: \mathrm{xx} = \mathrm{xx}_a + \mathrm{xx}_b + f\, \delta_x \delta_x^\top, \qquad
          \bar x = \bar x_a + \tfrac{W_b}{W}\, \delta_x

(and likewise ``xy``, ``yy``), so any split of the rows into batches, processes or machines gives
the one-shot statistics to rounding. OLS and Ridge are solved from them (the normal equations,
one eigendecomposition for a whole alpha grid), and Lasso / Elastic Net by covariance-mode
coordinate descent with the duality gap computed from the same numbers. Accumulation is in
float64 whatever the input dtype (float32 blocks are multiplied in float32 inside the core, their
sums kept in float64).

Memory is O(d^2): this serves up to d ~ 1e4 (800 MB of statistics) and, slowly, 1e5; beyond,
use an iterative solver over the rows (``solver="sgd"`` with ``partial_fit``-style batches) or
reduce the features first.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import _config, _core
from ._base import RankDeficientWarning
from ._validation import check_bool, check_sample_weight, check_X, check_y, raise_non_finite

__all__ = ["GramStatistics", "iter_npy_blocks"]


class GramStatistics:
    """Mergeable sufficient statistics of a (weighted) least-squares problem.

    Parameters
    ----------
    fit_intercept : bool, default=True
        Centre about the weighted means (statistics of an intercept model).

    Attributes
    ----------
    n_samples : int
        Rows seen, zero-weight rows included.
    weight_sum : float
    x_mean, y_mean : ndarray of shape (n_features,), (n_targets,)
    xx, xy, yy : ndarray of shape (d, d), (d, k), (k, k)
        All float64. ``None`` until the first :meth:`update` (an empty summary knows no shapes).

    Examples
    --------
    >>> import numpy as np, linreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((1000, 3)); y = X @ [1.0, 2.0, 3.0] + 4.0
    >>> stats = linreg.GramStatistics()
    >>> for start in range(0, 1000, 300):          # any batches
    ...     _ = stats.update(X[start:start + 300], y[start:start + 300])
    >>> coef, intercept = stats.solve()
    >>> np.round(coef, 10).tolist(), round(float(intercept), 10)
    ([1.0, 2.0, 3.0], 4.0)
    """

    def __init__(self, fit_intercept=True):
        self.fit_intercept = check_bool(fit_intercept, "fit_intercept")
        self.n_samples = 0
        self.weight_sum = 0.0
        self.x_mean = self.y_mean = self.xx = self.xy = self.yy = None
        self._eig = None  # cached eigendecomposition of xx for alpha grids

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_core(cls, core, fit_intercept):
        """Wrap the statistics the core computed."""
        out = cls(fit_intercept)
        out.n_samples = int(core.n_samples)
        out.weight_sum = float(core.weight_sum)
        out.x_mean = np.array(core.x_mean, dtype=np.float64)
        out.y_mean = np.array(core.y_mean, dtype=np.float64)
        out.xx = np.array(core.xx, dtype=np.float64)
        out.xy = np.array(core.xy, dtype=np.float64)
        out.yy = np.array(core.yy, dtype=np.float64)
        return out

    @staticmethod
    def _block(X, y, sample_weight, fit_intercept, n_features=None, n_targets=None,
               where="the batch"):
        """The statistics of one batch, validated completely first (nothing is merged from a
        batch that fails); errors name the batch (``where``)."""
        try:
            return GramStatistics._checked_block(X, y, sample_weight, fit_intercept, n_features,
                                                 n_targets)
        except (ValueError, TypeError) as exc:
            raise type(exc)(f"{where}: {exc}") from None

    @staticmethod
    def _checked_block(X, y, sample_weight, fit_intercept, n_features, n_targets):
        if not np.size(X):  # an empty batch: nothing to add, but its shape is still checked
            arr = np.asarray(X)
            if arr.ndim != 2 or (n_features is not None and arr.shape[1] != n_features):
                raise ValueError(f"X must be 2-D with {n_features} features, got shape "
                                 f"{arr.shape}")
            return None
        Xa = check_X(X, name="X", defer_finite=True)
        if n_features is not None and Xa.shape[1] != n_features:
            raise ValueError(f"X has {Xa.shape[1]} features, the statistics have {n_features}")
        Y, _ = check_y(y, Xa)
        if n_targets is not None and Y.shape[1] != n_targets:
            raise ValueError(f"y has {Y.shape[1]} targets, the statistics have {n_targets}")
        if sample_weight is not None and np.ndim(sample_weight) == 1 and (
                np.size(sample_weight) == Xa.shape[0]) and not np.any(sample_weight):
            out = GramStatistics(fit_intercept)  # all weights 0: rows counted, nothing added
            out.n_samples = Xa.shape[0]
            return out
        w = (check_sample_weight(sample_weight, Xa.shape[0]) if sample_weight is not None
             else np.empty(0))
        core = _core.gram_statistics(Xa, Y, w, fit_intercept, _config.get_num_threads())
        if not (np.isfinite(core.xx).all() and np.isfinite(core.x_mean).all()):
            raise_non_finite(Xa, ValueError("X contains NaN or infinity"))
        return GramStatistics.from_core(core, fit_intercept)

    def update(self, X, y, sample_weight=None):
        """Add a batch of rows (exact; the batch is validated before anything is merged).

        Parameters
        ----------
        X : array-like of shape (n_rows, n_features)
            Any number of rows, zero included.
        y : array-like of shape (n_rows,) or (n_rows, n_targets)
        sample_weight : array-like of shape (n_rows,), optional

        Returns
        -------
        self
        """
        block = self._block(X, y, sample_weight, self.fit_intercept, self.n_features,
                            self.n_targets)
        if block is not None:
            self.merge(block)
        return self

    # -- merging --------------------------------------------------------------------------
    @property
    def n_features(self):
        return None if self.xx is None else self.xx.shape[0]

    @property
    def n_targets(self):
        return None if self.yy is None else self.yy.shape[0]

    def merge(self, other):
        """Add the statistics of other rows (in place; Chan's update). Returns ``self``."""
        if not isinstance(other, GramStatistics):
            raise TypeError(f"can only merge GramStatistics, got {type(other).__name__}")
        if other.fit_intercept != self.fit_intercept:
            raise ValueError("cannot merge centred (fit_intercept=True) and uncentred statistics")
        if other.xx is None:
            self.n_samples += other.n_samples
            return self
        if self.xx is None:
            n = self.n_samples
            self.__setstate__(other.__getstate__())
            self.n_samples += n
            return self
        if other.xx.shape != self.xx.shape or other.yy.shape != self.yy.shape:
            raise ValueError(f"cannot merge statistics of {other.n_features} features and "
                             f"{other.n_targets} targets into {self.n_features} features and "
                             f"{self.n_targets} targets")
        self._eig = None
        self.n_samples += other.n_samples
        if other.weight_sum == 0.0:
            return self
        if self.weight_sum == 0.0:
            n = self.n_samples
            self.__setstate__(other.__getstate__())
            self.n_samples = n
            return self
        W = self.weight_sum + other.weight_sum
        if self.fit_intercept:
            f = self.weight_sum * other.weight_sum / W
            dx = other.x_mean - self.x_mean
            dy = other.y_mean - self.y_mean
            self.xx += other.xx + f * np.outer(dx, dx)
            self.xy += other.xy + f * np.outer(dx, dy)
            self.yy += other.yy + f * np.outer(dy, dy)
            self.x_mean = self.x_mean + dx * (other.weight_sum / W)
            self.y_mean = self.y_mean + dy * (other.weight_sum / W)
        else:
            self.xx += other.xx
            self.xy += other.xy
            self.yy += other.yy
        self.weight_sum = W
        return self

    def __add__(self, other):
        return self.copy().merge(other)

    def copy(self):
        out = GramStatistics(self.fit_intercept)
        out.__setstate__(self.__getstate__())
        return out

    def __getstate__(self):
        copy = (lambda a: None if a is None else np.array(a, copy=True))
        return {"fit_intercept": self.fit_intercept, "n_samples": self.n_samples,
                "weight_sum": self.weight_sum, "x_mean": copy(self.x_mean),
                "y_mean": copy(self.y_mean), "xx": copy(self.xx), "xy": copy(self.xy),
                "yy": copy(self.yy)}

    def __setstate__(self, state):
        for key, value in state.items():
            setattr(self, key, value)
        self._eig = None

    def __repr__(self):
        return (f"GramStatistics(n_samples={self.n_samples}, weight_sum={self.weight_sum:g}, "
                f"n_features={self.n_features}, n_targets={self.n_targets}, "
                f"fit_intercept={self.fit_intercept})")

    # -- solving --------------------------------------------------------------------------
    def _check_ready(self):
        if self.xx is None or self.weight_sum <= 0:
            raise ValueError("the statistics hold no rows with positive weight yet; call "
                             "update(X, y) first")

    def solve(self, alpha=0.0):
        r"""OLS (``alpha=0``) or Ridge coefficients from the statistics.

        Minimises :math:`\sum_i s_i (y_i - x_i^\top w - b)^2 + \alpha \lVert w\rVert^2` over the
        rows summarised: ``(xx + alpha I) w = xy``, ``b = y_mean - x_mean @ w``, solved by
        Cholesky of the column-scaled matrix; a singular matrix gets the minimum-norm solution
        (from its eigendecomposition) and a :class:`RankDeficientWarning`. ``alpha`` may be one
        value per target, or, with one target, a grid of shape (n_alphas,), solved from one
        eigendecomposition of ``xx`` (cached: later grids cost O(d^2) per alpha).

        Returns
        -------
        coef : ndarray of shape (d,), (k, d), or (n_alphas, d) for a grid
        intercept : float, or ndarray of shape (k,) or (n_alphas,)
        """
        self._check_ready()
        k = self.xy.shape[1]
        alphas = np.atleast_1d(np.asarray(alpha, dtype=np.float64))
        if alphas.ndim != 1 or not np.isfinite(alphas).all() or (alphas < 0).any():
            raise ValueError(f"alpha must be finite and >= 0 (a number or a 1-D array), got "
                             f"{alpha!r}")
        if k > 1 and alphas.size not in (1, k):
            raise ValueError(f"alpha has {alphas.size} values for {k} targets: pass one, or one "
                             "per target (grids need a single target)")
        if k == 1 and alphas.size > 1:                                   # a grid
            coef = self._solve_grid(alphas)                              # (d, n_alphas)
            inter = (self.y_mean[0] - self.x_mean @ coef if self.fit_intercept
                     else np.zeros(alphas.size))
            return coef.T, inter
        per_target = np.broadcast_to(alphas, (k,))
        coef = np.empty(self.xy.shape)
        for a in np.unique(per_target):
            cols = np.flatnonzero(per_target == a)
            coef[:, cols] = self._solve_one(float(a), self.xy[:, cols])
        inter = (self.y_mean - self.x_mean @ coef) if self.fit_intercept else np.zeros(k)
        if k == 1:
            return coef[:, 0], float(inter[0])
        return coef.T, inter

    def fit(self, alpha=0.0):
        """A fitted :class:`linreg.LinearRegression` (``alpha=0``) or :class:`linreg.Ridge`
        from the statistics: any alpha, after the fact, without the rows.

        Returns
        -------
        LinearRegression or Ridge
        """
        from .linear import LinearRegression
        from .ridge import Ridge

        if np.ndim(alpha) == 0 and float(alpha) == 0.0:
            est = LinearRegression(fit_intercept=self.fit_intercept)
        else:
            est = Ridge(alpha=alpha, fit_intercept=self.fit_intercept)
        return est.fit_statistics(self)

    def _solve_one(self, alpha, xy):
        scale = np.sqrt(np.diag(self.xx))
        scale[~(scale > 0)] = 1.0
        C = self.xx / np.outer(scale, scale)
        C[np.diag_indices_from(C)] += alpha / scale**2
        rhs = xy / scale[:, None]
        try:
            L = np.linalg.cholesky(C)
            rcond = (np.diag(L).min() / np.diag(L).max()) ** 2
            if rcond > 1e3 * np.finfo(np.float64).eps * C.shape[0]:
                return np.linalg.solve(L.T, np.linalg.solve(L, rhs)) / scale[:, None]
        except np.linalg.LinAlgError:
            pass
        lam, V = np.linalg.eigh(C)
        keep = lam > lam.max(initial=0.0) * C.shape[0] * np.finfo(np.float64).eps * 10
        if (~keep).any():
            warnings.warn(
                f"the statistics' Gram{' + alpha I' if alpha else ''} is singular (rank "
                f"{int(keep.sum())} of {C.shape[0]}): the minimum-norm solution is returned",
                RankDeficientWarning, stacklevel=3)
        coords = (V[:, keep].T @ rhs) / lam[keep][:, None]
        return (V[:, keep] @ coords) / scale[:, None]

    def _solve_grid(self, alphas):
        if self._eig is None:
            lam, V = np.linalg.eigh(self.xx)
            self._eig = (np.maximum(lam, 0.0), V)
        lam, V = self._eig
        c = V.T @ self.xy[:, 0]
        floor = lam.max(initial=0.0) * len(lam) * np.finfo(np.float64).eps * 10
        den = lam[:, None] + alphas[None, :]
        inv = np.zeros_like(den)
        np.divide(1.0, den, out=inv, where=den > floor)
        return V @ (inv * c[:, None])

    def solve_enet(self, alpha, l1_ratio=1.0, *, positive=False, tol=1e-4, max_iter=1000,
                   coef_init=None, target=0):
        r"""Lasso / Elastic Net from the statistics, by covariance-mode coordinate descent.

        Minimises scikit-learn's objective
        :math:`\frac{1}{2W}\sum_i s_i (y_i - x_i^\top w - b)^2 + \alpha\,\rho \lVert w\rVert_1
        + \frac{\alpha (1-\rho)}{2}\lVert w\rVert^2` on the Gram ``xx / W`` (each epoch
        O(d) per coordinate that moves, no pass over rows); converged when the duality gap,
        computed from the same statistics, is below ``tol * yy / W``.

        Returns
        -------
        coef : ndarray of shape (d,)
        intercept : float
        gap : float
        n_iter : int
        converged : bool
        """
        self._check_ready()
        from ._lasso import penalties

        W = self.weight_sum
        l1, l2 = penalties(alpha, l1_ratio)
        G = self.xx / W
        c = self.xy[:, target] / W
        yy = float(self.yy[target, target]) / W
        w0 = np.zeros(G.shape[0]) if coef_init is None else np.asarray(coef_init, np.float64)
        res = _core.cd_covariance(G, c, yy, w0, W, l1, l2, bool(positive), int(max_iter),
                                  float(tol) * yy, False, 0, 0)
        coef = np.asarray(res.coef)
        inter = (float(self.y_mean[target] - self.x_mean @ coef) if self.fit_intercept
                 else 0.0)
        return coef, inter, float(res.gap), int(res.n_iter), bool(res.converged)


def _npy_header(fh):
    """(shape, fortran_order, dtype) of an open .npy file, positioned at its data."""
    from numpy.lib import format as npformat

    version = npformat.read_magic(fh)
    if version == (1, 0):
        return npformat.read_array_header_1_0(fh)
    return npformat.read_array_header_2_0(fh)


def iter_npy_blocks(path_or_array, block_rows=65536):
    """Blocks of rows of an ``.npy`` file (read with ``readinto`` into one reused buffer, so
    resident memory stays at one block) or of an array / memmap (views). C-ordered files only:
    a Fortran-ordered file has no contiguous rows."""
    if isinstance(path_or_array, np.ndarray):
        for a in range(0, path_or_array.shape[0], block_rows):
            yield path_or_array[a:a + block_rows]
        return
    with open(path_or_array, "rb") as fh:
        shape, fortran, dtype = _npy_header(fh)
        if fortran and len(shape) > 1 and shape[1] > 1:
            raise ValueError(f"{path_or_array}: a Fortran-ordered .npy has no contiguous rows; "
                             "save it in C order (np.ascontiguousarray) to stream it")
        n = shape[0]
        d = shape[1] if len(shape) > 1 else 1
        buf = np.empty((min(block_rows, max(n, 1)), d), dtype=dtype)
        for a in range(0, n, block_rows):
            rows = min(block_rows, n - a)
            view = buf[:rows]
            got = fh.readinto(memoryview(view).cast("B"))
            if got != view.nbytes:
                raise ValueError(f"{path_or_array}: the file ends inside row "
                                 f"{a + got // (d * dtype.itemsize)} of {n}")
            yield view if len(shape) > 1 else view[:, 0]


def _progress(verbose, rows, seconds, nbytes):
    if verbose:
        rate = rows / max(seconds, 1e-9)
        print(f"[linreg stream] {rows:,} rows in {seconds:.1f} s ({rate:,.0f} rows/s, "
              f"{nbytes / max(seconds, 1e-9) / 1e9:.2f} GB/s)", flush=True)


def from_chunks(chunks, fit_intercept=True, verbose=False):
    """Statistics of an iterable of ``(X, y)`` or ``(X, y, sample_weight)`` chunks.

    Each chunk is validated in full before it is merged; an error names the chunk (its index
    and first row) and leaves nothing half-applied (the statistics returned are only built once
    every chunk has passed). Memory: one chunk at a time plus O(d^2).
    """
    import time

    stats = GramStatistics(fit_intercept)
    start = time.perf_counter()
    last = start
    row = 0
    nbytes = 0
    for i, chunk in enumerate(chunks):
        if not isinstance(chunk, (tuple, list)) or len(chunk) not in (2, 3):
            raise TypeError(f"chunk {i}: expected (X, y) or (X, y, sample_weight), got "
                            f"{type(chunk).__name__}")
        X, y = chunk[0], chunk[1]
        w = chunk[2] if len(chunk) == 3 else None
        block = GramStatistics._block(X, y, w, fit_intercept, stats.n_features,
                                      stats.n_targets, where=f"chunk {i} (rows from {row})")
        if block is not None:
            stats.merge(block)
        rows = int(np.shape(X)[0]) if np.ndim(X) else 0
        row += rows
        nbytes += int(getattr(X, "nbytes", 0))
        now = time.perf_counter()
        if verbose and now - last >= 1.0:
            _progress(verbose, row, now - start, nbytes)
            last = now
    _progress(verbose, row, time.perf_counter() - start, nbytes)
    return stats


def _rows_of(a):
    if isinstance(a, np.ndarray):
        return a.shape[0]
    with open(a, "rb") as fh:
        return _npy_header(fh)[0][0]


def fit_estimator(est, stats, alpha=None):
    """Set ``est``'s coefficients from ``stats``: OLS/Ridge by :meth:`GramStatistics.solve`,
    Lasso/Elastic Net by :meth:`GramStatistics.solve_enet`."""
    from ._base import ConvergenceWarning
    from .lasso import ElasticNet

    if not isinstance(stats, GramStatistics):
        raise TypeError(f"expected linreg.GramStatistics, got {type(stats).__name__}")
    stats._check_ready()
    if bool(est.fit_intercept) != stats.fit_intercept:
        raise ValueError(f"the statistics were accumulated with fit_intercept="
                         f"{stats.fit_intercept}, the estimator has fit_intercept="
                         f"{est.fit_intercept}")
    k = stats.n_targets
    for attr in ("rank_", "cond_", "dependent_columns_", "fallback_", "n_iter_", "dual_gap_",
                 "converged_", "n_nonzero_", "loss_history_", "grad_norm_", "learning_rate_",
                 "lipschitz_", "_inference_state", "feature_names_in_"):
        if hasattr(est, attr):
            delattr(est, attr)
    if isinstance(est, ElasticNet):
        if not (np.isscalar(est.alpha) and np.isfinite(est.alpha) and est.alpha >= 0):
            raise ValueError(f"alpha must be a finite number >= 0, got {est.alpha!r}")
        ratio = est._l1_ratio() if hasattr(est, "_l1_ratio") else 1.0
        warm = getattr(est, "warm_start", False) and hasattr(est, "coef_")
        out = [stats.solve_enet(est.alpha, ratio, positive=est.positive, tol=est.tol,
                                max_iter=est.max_iter, target=t,
                                coef_init=np.atleast_2d(est.coef_)[t] if warm else None)
               for t in range(k)]
        coef = np.array([o[0] for o in out])
        inter = np.array([o[1] for o in out])
        est.dual_gap_ = out[0][2] if k == 1 else np.array([o[2] for o in out])
        est.n_iter_ = out[0][3] if k == 1 else np.array([o[3] for o in out])
        est.converged_ = all(o[4] for o in out)
        est.n_nonzero_ = int((coef != 0).sum()) if k == 1 else (coef != 0).sum(axis=1)
        est.solver_ = "cd-covariance"
        if not est.converged_:
            worst = max(out, key=lambda o: o[2])
            warnings.warn(f"{type(est).__name__}: coordinate descent on the statistics stopped "
                          f"at max_iter={est.max_iter} with duality gap {worst[2]:.3e} above "
                          f"tol * yy / W; increase max_iter or tol", ConvergenceWarning,
                          stacklevel=3)
        coef = coef[0] if k == 1 else coef
        inter = float(inter[0]) if k == 1 else inter
    else:
        from ._validation import check_alpha

        # one alpha per target (never a grid: that is GramStatistics.solve's)
        coef, inter = stats.solve(check_alpha(0.0 if alpha is None else alpha, k))
        est.solver_ = "statistics"
    est.coef_ = coef
    est.intercept_ = inter
    est.n_features_in_ = stats.n_features
    est.statistics_ = stats
    return est


def from_npy(X, y, sample_weight=None, *, fit_intercept=True, block_rows=65536, verbose=False):
    """Statistics of data too large for memory: ``X`` an ``.npy`` path (read block by block
    into one reused buffer: resident memory ~ one block) or an array / ``np.memmap``; ``y`` and
    ``sample_weight`` paths or arrays of the same number of rows."""
    n = _rows_of(X)
    for name, other in (("y", y), ("sample_weight", sample_weight)):
        if other is not None and _rows_of(other) != n:
            raise ValueError(f"{name} has {_rows_of(other)} rows, X has {n}: they must match")
    xs = iter_npy_blocks(X, block_rows)
    ys = iter_npy_blocks(y, block_rows)
    if sample_weight is None:
        chunks = zip(xs, ys)
    else:
        chunks = zip(xs, ys, iter_npy_blocks(sample_weight, block_rows))
    return from_chunks(chunks, fit_intercept=fit_intercept, verbose=verbose)


GramStatistics.from_chunks = staticmethod(from_chunks)
GramStatistics.from_npy = staticmethod(from_npy)
