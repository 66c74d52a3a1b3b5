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

import numpy as np

from . import _config, _core
from ._base import STALE_FITTED, RankDeficientWarning, warn
from ._validation import check_bool, check_sample_weight, check_X, check_y, raise_non_finite

__all__ = ["GramStatistics", "iter_npy_blocks"]

_NON_FINITE = "X contains NaN or infinity (or values whose square overflows)"
_NATIVE_FLOATS = (np.dtype(np.float64), np.dtype(np.float32))
_NO_WEIGHTS = np.empty(0)


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
        The arrays are read-only views of the running total, which the core holds: they follow
        later updates and merges (``.copy()`` one to keep it).

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
        self._c = _core.GramStatistics(self.fit_intercept)  # the running total, in the core
        self._eig = None  # cached eigendecomposition of xx for alpha grids

    # -- the numbers: read-only views of the core's running total ---------------------------
    # They follow later updates and merges (copy one to keep it as it is now) and cannot be
    # written to: the statistics change through update() and merge() only.
    @property
    def n_samples(self):
        return int(self._c.n_samples)

    @property
    def weight_sum(self):
        return float(self._c.weight_sum)

    def _view(self, name):
        return None if self._c.empty() else getattr(self._c, name)

    x_mean = property(lambda self: self._view("x_mean"))
    y_mean = property(lambda self: self._view("y_mean"))
    xx = property(lambda self: self._view("xx"))
    xy = property(lambda self: self._view("xy"))
    yy = property(lambda self: self._view("yy"))

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_core(cls, core, fit_intercept):
        """Wrap the statistics the core computed (taken over, not copied)."""
        out = cls(fit_intercept)
        out._c = core
        return out

    @staticmethod
    def _rows_only(n_rows, fit_intercept):
        """Statistics that count rows and know nothing else (a batch of zero weights)."""
        return _core.GramStatistics.from_arrays(n_rows, 0.0, fit_intercept, np.empty(0),
                                                np.empty(0), np.empty((0, 0)), np.empty((0, 0)),
                                                np.empty((0, 0)))

    @staticmethod
    def _block(X, y, sample_weight, fit_intercept, n_features=None, n_targets=None,
               where="the batch", n_threads=None):
        """The statistics of one batch, validated completely first (nothing is merged from a
        batch that fails); errors name the batch (``where``)."""
        try:
            prepared = GramStatistics._prepare(X, y, sample_weight, fit_intercept, n_features,
                                               n_targets)
            if prepared is None or isinstance(prepared, int):
                out = GramStatistics(fit_intercept)
                out._c = GramStatistics._rows_only(prepared or 0, fit_intercept)
                return out
            Xa, Y, w = prepared
            core = _core.gram_statistics(Xa, Y, w, fit_intercept,
                                         n_threads or _config.get_num_threads())
            if not core.all_finite():
                raise_non_finite(Xa, ValueError(_NON_FINITE))
            return GramStatistics.from_core(core, fit_intercept)
        except (ValueError, TypeError) as exc:
            raise type(exc)(f"{where}: {exc}") from None

    @staticmethod
    def _prepare(X, y, sample_weight, fit_intercept, n_features, n_targets):
        """A batch checked for everything but finiteness of X, which the core's statistics of
        the batch reveal (no scan of the rows in Python): ``(X, Y, w)`` for the core, ``None``
        for an empty batch, or the row count of a batch whose weights are all zero."""
        if not np.size(X):  # an empty batch: nothing to add, but its shape is still checked
            arr = np.asarray(X)
            if arr.ndim != 2 or (n_features is not None and arr.shape[1] != n_features):
                raise ValueError(f"X must be 2-D with {n_features} features, got shape "
                                 f"{arr.shape}")
            return None
        Xa = check_X(X, name="X", defer_finite=True, defer_above=0)
        if n_features is not None and Xa.shape[1] != n_features:
            raise ValueError(f"X has {Xa.shape[1]} features, the statistics have {n_features}")
        Y, _ = check_y(y, Xa)
        if n_targets is not None and Y.shape[1] != n_targets:
            raise ValueError(f"y has {Y.shape[1]} targets, the statistics have {n_targets}")
        if sample_weight is not None and np.ndim(sample_weight) == 1 and (
                np.size(sample_weight) == Xa.shape[0]) and not np.any(sample_weight):
            check_X(Xa, name="X")  # rows of zero weight never reach the core: scan them here
            return Xa.shape[0]  # all weights 0: rows counted, nothing added
        w = (check_sample_weight(sample_weight, Xa.shape[0]) if sample_weight is not None
             else np.empty(0))
        return Xa, Y, w

    def update(self, X, y, sample_weight=None):
        """Add a batch of rows (exact; the batch is validated before anything is merged).

        The batch's statistics are computed by the core apart from the running total and merged
        into it only when they are finite, so a batch with NaN or infinity (found there, then
        located in the batch for the error message) changes nothing.

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
        if sample_weight is None and self._fast_update(X, y):
            return self
        try:
            prepared = self._prepare(X, y, sample_weight, self.fit_intercept, self.n_features,
                                     self.n_targets)
            if prepared is None or isinstance(prepared, int):
                self._c.merge(self._rows_only(prepared or 0, self.fit_intercept))
                return self
            Xa, Y, w = prepared
            self._eig = None
            if not _core.gram_update(self._c, Xa, Y, w, _config.get_num_threads()):
                raise_non_finite(Xa, ValueError(_NON_FINITE))
        except (ValueError, TypeError) as exc:
            raise type(exc)(f"the batch: {exc}") from None
        return self

    def _fast_update(self, X, y):
        """:meth:`update` for the common batch, with fewer steps: NumPy float arrays of the
        shapes the statistics have, X contiguous, y of X's dtype (1-D, or 2-D in F order), no
        weights. The checks are the same; anything else, or a failure (NaN, infinity), returns
        False and the general path handles (and reports) it. A batch of a partial_fit loop is
        a few milliseconds of arithmetic, so a few microseconds of Python per batch count."""
        c = self._c
        if type(X) is not np.ndarray or type(y) is not np.ndarray or c.empty():
            return False
        dtype = X.dtype
        if (X.ndim != 2 or dtype not in _NATIVE_FLOATS or y.dtype != dtype or not X.shape[0]
                or X.shape[1] != c.n_features() or y.shape[0] != X.shape[0]
                or not (X.flags.c_contiguous or X.flags.f_contiguous)):
            return False
        if y.ndim == 1 and c.n_targets() == 1 and y.flags.c_contiguous:
            Y = y.reshape(-1, 1)
        elif y.ndim == 2 and y.shape[1] == c.n_targets() and y.flags.f_contiguous:
            Y = y
        else:
            return False
        if not np.isfinite(Y).all():
            return False
        self._eig = None
        return _core.gram_update(c, X, Y, _NO_WEIGHTS, _config.get_num_threads())

    # -- merging --------------------------------------------------------------------------
    @property
    def n_features(self):
        return None if self._c.empty() else self._c.n_features()

    @property
    def n_targets(self):
        return None if self._c.empty() else self._c.n_targets()

    def merge(self, other):
        """Add the statistics of other rows (in place; Chan's update). Returns ``self``."""
        if not isinstance(other, GramStatistics):
            raise TypeError(f"can only merge GramStatistics, got {type(other).__name__}")
        if other.fit_intercept != self.fit_intercept:
            raise ValueError("cannot merge centred (fit_intercept=True) and uncentred statistics")
        self._eig = None
        self._c.merge(other._c)
        return self

    def __add__(self, other):
        return self.copy().merge(other)

    def copy(self):
        out = GramStatistics(self.fit_intercept)
        out._c = self._c.copy()
        return out

    def __getstate__(self):
        copy = (lambda a: None if a is None else np.array(a, copy=True))
        return {"fit_intercept": self.fit_intercept, "n_samples": self.n_samples,
                "weight_sum": self.weight_sum, "x_mean": copy(self.x_mean),
                "y_mean": copy(self.y_mean), "xx": copy(self.xx), "xy": copy(self.xy),
                "yy": copy(self.yy)}

    def __setstate__(self, state):
        self.fit_intercept = bool(state["fit_intercept"])
        self._eig = None
        if state.get("xx") is None:
            self._c = self._rows_only(int(state.get("n_samples", 0)), self.fit_intercept)
            return
        f64 = (lambda a, nd: np.array(a, dtype=np.float64, ndmin=nd))
        self._c = _core.GramStatistics.from_arrays(
            int(state["n_samples"]), float(state["weight_sum"]), self.fit_intercept,
            f64(state["x_mean"], 1), f64(state["y_mean"], 1), f64(state["xx"], 2),
            f64(state["xy"], 2), f64(state["yy"], 2))

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
        rows summarised: ``(xx + alpha I) w = xy``, ``b = y_mean - x_mean @ w``, solved by the
        core's Cholesky of the column-scaled matrix (single-threaded below d = 512, so cheap
        enough to follow every batch); a matrix singular to working precision (reciprocal
        condition estimate <= 1e3 d eps) gets the minimum-norm solution from its
        eigendecomposition and a :class:`RankDeficientWarning`. ``alpha`` may be one
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
        return self._solve_per_target(np.ascontiguousarray(np.broadcast_to(alphas, (k,))))

    def _solve_per_target(self, per_target):
        """:meth:`solve` for checked alphas, one per target (float64, contiguous)."""
        k = self.n_targets
        res = _core.solve_statistics(self._c, per_target, _config.get_num_threads())
        if res.fell_back:
            coef = np.empty(self.xy.shape)
            for a in np.unique(per_target):
                cols = np.flatnonzero(per_target == a)
                coef[:, cols] = self._solve_min_norm(float(a), self.xy[:, cols])
            inter = (self.y_mean - self.x_mean @ coef) if self.fit_intercept else np.zeros(k)
        else:
            coef, inter = res.coef, res.intercept
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

    def _solve_min_norm(self, alpha, xy):
        """The minimum-norm solution of the scaled system, for a matrix the core's Cholesky
        found singular to working precision."""
        scale = np.sqrt(np.diag(self.xx))
        scale[~(scale > 0)] = 1.0
        C = self.xx / np.outer(scale, scale)
        C[np.diag_indices_from(C)] += alpha / scale**2
        rhs = xy / scale[:, None]
        lam, V = np.linalg.eigh(C)
        keep = lam > lam.max(initial=0.0) * C.shape[0] * np.finfo(np.float64).eps * 10
        if (~keep).any():
            warn(
                f"the statistics' Gram{' + alpha I' if alpha else ''} is singular (rank "
                f"{int(keep.sum())} of {C.shape[0]}): the minimum-norm solution is returned",
                RankDeficientWarning)
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


def iter_npy_blocks(path_or_array, block_rows=65536, buffers=1):
    """Blocks of rows of an ``.npy`` file (read with ``readinto`` into ``buffers`` reused
    buffers taken in turn, so resident memory stays at that many blocks; a block yielded is
    overwritten ``buffers`` blocks later) or of an array / memmap (views). C-ordered files
    only: a Fortran-ordered file has no contiguous rows."""
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
        bufs = [np.empty((min(block_rows, max(n, 1)), d), dtype=dtype)
                for _ in range(buffers)]
        for i, a in enumerate(range(0, n, block_rows)):
            rows = min(block_rows, n - a)
            view = bufs[i % buffers][:rows]
            got = _read_into(fh, memoryview(view).cast("B"))
            if got != view.nbytes:
                raise ValueError(f"{path_or_array}: the file ends inside row "
                                 f"{a + got // (d * dtype.itemsize)} of {n}")
            yield view if len(shape) > 1 else view[:, 0]


def _read_into(fh, buf):
    """Fill ``buf`` from ``fh`` (one large read: the kernel streams those best; measured on a
    32 GB file, 8 MiB pieces were 24% slower in the fit); the bytes read."""
    got = 0
    while got < len(buf):
        n = fh.readinto(buf[got:])
        if not n:
            break
        got += n
    return got


# Blocks the reader may have read before they are summed. Measured on a 32 GB file from disk
# (blocks of 40 MB, 2 cores): fit / plain read 1.02-1.23 with 1 queued (run-to-run spread of
# the disk), 1.06-1.10 with 4; more smooth out the disk's bursts at 40 MB of memory each.
_QUEUE_DEPTH = 4


def _read_ahead(items):
    """``items`` produced ahead by a thread: the next blocks are read from the file while the
    core sums the current one (both release the GIL), so a fit runs at the read rate rather
    than read time + compute time. The producer must not reuse an item's memory until
    ``_QUEUE_DEPTH + 1`` more have been taken (iter_npy_blocks with buffers=_QUEUE_DEPTH + 2:
    one being summed, _QUEUE_DEPTH queued, one being read). An exception in the reader is
    raised here, in the consumer."""
    import queue
    import threading

    box = queue.Queue(maxsize=_QUEUE_DEPTH)
    stop = threading.Event()
    done = object()

    def produce():
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        box.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        pass
                if stop.is_set():
                    return
            box.put((done, None))
        except BaseException as exc:  # noqa: BLE001 -- handed to the consumer, raised there
            box.put((done, exc))

    reader = threading.Thread(target=produce, name="linreg-read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            item, exc = box.get()
            if item is done:
                if exc is not None:
                    raise exc
                return
            yield item
    finally:  # the consumer stopped (an error in a chunk, or it is done): stop the reader
        stop.set()
        while reader.is_alive():
            try:
                box.get(timeout=0.1)
            except queue.Empty:
                pass
        reader.join()


def _progress(verbose, rows, seconds, nbytes):
    if verbose:
        rate = rows / max(seconds, 1e-9)
        print(f"[linreg stream] {rows:,} rows in {seconds:.1f} s ({rate:,.0f} rows/s, "
              f"{nbytes / max(seconds, 1e-9) / 1e9:.2f} GB/s)", flush=True)


def from_chunks(chunks, fit_intercept=True, verbose=False, *, _n_threads=None):
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
                                      stats.n_targets, where=f"chunk {i} (rows from {row})",
                                      n_threads=_n_threads)
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


def fit_estimator(est, stats, alpha=None, checked_alphas=None):
    """Set ``est``'s coefficients from ``stats``: OLS/Ridge by :meth:`GramStatistics.solve`
    (``checked_alphas``: ``alpha`` already through ``check_alpha``), Lasso/Elastic Net by
    :meth:`GramStatistics.solve_enet`."""
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
    for attr in STALE_FITTED + ("_pending_solve",):
        if attr in est.__dict__:
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
            warn(f"{type(est).__name__}: coordinate descent on the statistics stopped "
                 f"at max_iter={est.max_iter} with duality gap {worst[2]:.3e} above "
                 f"tol * yy / W; increase max_iter or tol", ConvergenceWarning)
        coef = coef[0] if k == 1 else coef
        inter = float(inter[0]) if k == 1 else inter
    else:
        from ._validation import check_alpha

        # one alpha per target (never a grid: that is GramStatistics.solve's)
        if checked_alphas is None:
            checked_alphas = check_alpha(0.0 if alpha is None else alpha, k)
        coef, inter = stats._solve_per_target(checked_alphas)
        est.solver_ = "statistics"
    est.coef_ = coef
    est.intercept_ = inter
    est.n_features_in_ = stats.n_features
    est.statistics_ = stats
    return est


def from_npy(X, y, sample_weight=None, *, fit_intercept=True, block_rows=65536, verbose=False,
             read_ahead=True):
    """Statistics of data too large for memory: ``X`` an ``.npy`` path or an array /
    ``np.memmap``; ``y`` and ``sample_weight`` paths or arrays of the same number of rows.

    Files are read block by block with ``readinto`` into reused buffers. With ``read_ahead``
    (the default when any input is a file) a thread reads the next block while the core sums
    the current one on the other cores (``linreg.get_num_threads() - 1`` of them, at least
    one: a reader that had to take a core from the summing threads would stall them), so on a
    disk the fit runs at about the file's read rate; resident memory is six blocks of
    ``block_rows`` rows (one being summed, four read ahead, one being read) plus O(d^2). Without
    it, one block, read then summed. Arrays and memmaps are summed in place, block by block,
    on every core (the fastest way for a file that fits in memory:
    ``from_npy(np.load(path, mmap_mode="r"), y)``).
    """
    n = _rows_of(X)
    for name, other in (("y", y), ("sample_weight", sample_weight)):
        if other is not None and _rows_of(other) != n:
            raise ValueError(f"{name} has {_rows_of(other)} rows, X has {n}: they must match")
    from_files = not all(isinstance(a, np.ndarray) for a in (X, y, sample_weight)
                         if a is not None)
    ahead = bool(read_ahead) and from_files
    sources = [iter_npy_blocks(a, block_rows, _QUEUE_DEPTH + 2 if ahead else 1)
               for a in (X, y, sample_weight) if a is not None]
    chunks = zip(*sources)
    threads = None
    if ahead:
        chunks = _read_ahead(chunks)
        threads = max(1, _config.get_num_threads() - 1)
    try:
        return from_chunks(chunks, fit_intercept=fit_intercept, verbose=verbose,
                           _n_threads=threads)
    finally:
        if ahead:
            chunks.close()  # stops and joins the reader
        for source in sources:  # closes the files of a read that stopped early
            source.close()


GramStatistics.from_chunks = staticmethod(from_chunks)
GramStatistics.from_npy = staticmethod(from_npy)
