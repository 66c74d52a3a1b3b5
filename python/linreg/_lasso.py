r"""The engine behind Lasso and ElasticNet: one problem, several solvers, one certificate.

Every solver here minimises, per target, in per-weight units (``W = sum(sample_weight)``, ``n``
without weights)

.. math:: P(w) = \frac{1}{2W} \lVert S^{1/2} (y_c - X_c w) \rVert^2 + l_1 \lVert w\rVert_1
          + \frac{l_2}{2} \lVert w\rVert_2^2,
          \qquad l_1 = \alpha\rho, \; l_2 = \alpha (1 - \rho),

with ``X_c, y_c`` centred by the weighted means when there is an intercept (then
``b = y_mean - x_mean @ w``). This is scikit-learn's ``ElasticNet`` objective (``rho`` is
``l1_ratio``; scikit-learn rescales the weights to sum to ``n``, which changes nothing). The core
works in the same units, so ``alpha`` passes through unchanged: the one conversion is
``l1 = alpha * l1_ratio``, ``l2 = alpha * (1 - l1_ratio)`` (:func:`penalties`).

The certificate is scikit-learn's duality gap (``dual_gap_``, documented in
``cpp/linreg/penalty.hpp``); a fit has converged when ``gap <= tol * yc'S yc / W`` (scikit-learn's
rule: ``tol`` is relative to the mean squared centred target), and the coordinates then also pass
a KKT check on the full problem.

Coordinate descent runs in one of two modes of the core (``cpp/linreg/coordinate_descent.hpp``):

* **covariance**: on the Gram ``Xc'S Xc / W`` of the sufficient statistics (one pass over X,
  ``O(n d^2)``), after which an epoch costs ``O(d)`` plus ``O(d)`` per moving coordinate,
  independent of ``n``;
* **working set** (celer-style): the full problem is checked with one fused pass over X in place
  (residual and ``X'S R`` together, C or F order, no copy), the features are ranked by their
  distance to the dual constraint, and the problem restricted to the best ``k`` of them is solved
  by coordinate descent with Anderson extrapolation, either on the Gram of those ``k`` columns
  (``k <= 2n``) or in naive mode (residual updates, reading the columns). Each round's working
  set has twice as many features as the current support (celer's rule), until the full gap is
  below ``tol``; gap-safe screening discards features that provably stay at zero. Only the
  working set's columns are copied (to column-major order, when X is C-ordered).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from . import _config, _core

WS_START = 64           # first working-set size of a cold start
SCREENING = True        # gap-safe screening in the working-set driver (bench/lasso.py measures it)
INNER_GAP_FRACTION = 0.3  # the restricted problem is solved to 0.3 x the current full gap
ANDERSON = 5           # working sets: extrapolate from the last 5 epochs, every 5 epochs
# The full Gram (small d, paths, CV) runs plain CD: its iterates then depend continuously on the
# data, so fits whose data differ only in rounding (weights against repeated rows) agree to
# rounding; extrapolation's accept/reject steps would let them part (both within tol). Epochs
# there cost O(d) and the Gram dominates (bench/lasso.py, section 3).
FULL_GRAM_ANDERSON = 0
LANCZOS_MAX_ITER = 20
LANCZOS_RTOL = 1e-3


def penalties(alpha: float, l1_ratio: float) -> tuple[float, float]:
    """``(l1, l2)`` of the core from scikit-learn's ``alpha`` and ``l1_ratio``: the core's
    objective is already scikit-learn's ``1/(2W)`` form, so ``l1 = alpha * l1_ratio`` and
    ``l2 = alpha * (1 - l1_ratio)``."""
    return float(alpha) * float(l1_ratio), float(alpha) * (1.0 - float(l1_ratio))


@dataclass
class Problem:
    """One validated design with its summaries; targets are solved one at a time."""

    X: np.ndarray
    sample_weight: np.ndarray  # empty: unit weights
    fit_intercept: bool
    W: float = 0.0
    # x_mean (zeros without an intercept) and sq_norm (a_j = xc_j'S xc_j / W): from the
    # statistics when they exist, otherwise from one pass (column_moments), on first use.
    _x_mean: np.ndarray = field(default=None, repr=False)
    _sq_norm: np.ndarray = field(default=None, repr=False)
    _stats: object = field(default=None, repr=False)
    _stats_y: object = field(default=None, repr=False)

    def __post_init__(self):
        n = self.X.shape[0]
        self.W = float(n if self.sample_weight.size == 0 else self.sample_weight.sum())

    def _moments(self):
        if self._x_mean is None:
            if self._stats is not None:  # the statistics hold them already
                self._x_mean = np.asarray(self._stats.x_mean)
                self._sq_norm = np.diag(self._stats.xx) / self.W
            else:
                self._x_mean, self._sq_norm = _core.column_moments(
                    self.X, self.sample_weight, self.fit_intercept, _config.get_num_threads())
        return self._x_mean, self._sq_norm

    @property
    def x_mean(self):
        return self._moments()[0]

    @property
    def sq_norm(self):
        return self._moments()[1]

    @property
    def shape(self):
        return self.X.shape

    def target(self, y: np.ndarray) -> Target:
        return Target(self, y)

    def statistics(self, Y: np.ndarray):
        """The sufficient statistics of X and all targets Y (n, k), computed once."""
        if self._stats is None or self._stats_y is not Y:
            self._stats = _core.gram_statistics(self.X, Y, self.sample_weight, self.fit_intercept,
                                                _config.get_num_threads())
            self._stats_y = Y
        return self._stats


class Target:
    """One target column of a :class:`Problem`: its mean, centred copy and yc'S yc / W."""

    def __init__(self, prob: Problem, y: np.ndarray):
        self.prob = prob
        self.y = np.asfortranarray(y.reshape(-1, 1))  # X's dtype, for the fused pass
        y64 = y.astype(np.float64)
        s = prob.sample_weight
        if prob.fit_intercept:
            self.y_mean = float(y64.mean() if s.size == 0 else s @ y64 / prob.W)
        else:
            self.y_mean = 0.0
        self.yc = y64 - self.y_mean
        self.yy = float((self.yc @ self.yc if s.size == 0 else s @ self.yc**2) / prob.W)

    def intercept(self, w: np.ndarray) -> float:
        return self.y_mean - float(self.prob.x_mean @ w) if self.prob.fit_intercept else 0.0

    def gradient(self, w: np.ndarray):
        """One fused pass over X: ``(XtR, Rn, Ry)`` at w, with ``XtR = Xc'S R / W``,
        ``Rn = R'S R / W``, ``Ry = R'S yc / W``."""
        p = self.prob
        G, gs, rss = _core.residual_pass(p.X, self.y, p.sample_weight, w.reshape(-1, 1),
                                         np.array([self.intercept(w)]), _config.get_num_threads())
        XtR = (G[:, 0] - p.x_mean * gs[0]) / p.W
        Rn = float(rss[0]) / p.W
        Ry = Rn + float(w @ XtR)  # yc = R + Xc w
        return XtR, Rn, Ry

    def alpha_max(self, l1_ratio: float, positive: bool = False) -> float:
        """The smallest alpha whose solution is all zeros: ``max_j |xc_j'S yc| / (W l1_ratio)``."""
        XtR, _, _ = self.gradient(np.zeros(self.prob.shape[1]))
        top = XtR.max() if positive else np.abs(XtR).max()
        return float(max(top, 0.0)) / max(l1_ratio, 1e-300)


def duality_gap(l1, l2, positive, Rn, Ry, w, XtR, W):
    """``(gap, primal, dual_norm)``, computed by the core's definition (penalty.hpp)."""
    return _core.duality_gap(l1, l2, positive, Rn, Ry, w, XtR, W)


def kkt_violation(l1, l2, positive, w, XtR):
    """The largest violation of the optimality conditions ``XtR - l2 w in l1 * d|w|``."""
    g = XtR - l2 * w
    nz = w != 0
    v = np.where(nz, np.abs(g - l1 * np.sign(w)), np.maximum(np.abs(g) - l1, 0.0))
    if positive:
        v = np.where(nz, v, np.maximum(g - l1, 0.0))
    return float(v.max()) if v.size else 0.0


def kkt_ok(l1, l2, positive, w, XtR, gap, dual_norm, prob, yy) -> bool:
    """The KKT check that must hold with the gap: a gap ``g`` puts the dual point within
    ``sqrt(2 g) / l1`` of the optimal one (the dual is ``l1^2``-strongly concave), so no
    coordinate may violate its optimality condition by more than ``sqrt(2 g (a_j + l2))``, plus
    the excess of the dual norm over ``l1`` and rounding. A failure means the gap is not to be
    believed (it has never happened in the tests) and the solver continues."""
    viol = kkt_violation(l1, l2, positive, w, XtR)
    a = float(prob.sq_norm.max()) + l2 if prob.sq_norm.size else l2
    bound = (np.sqrt(2.0 * max(gap, 0.0) * max(a, 0.0)) + max(dual_norm - l1, 0.0)
             + 1e-9 * (l1 + np.sqrt(max(yy * a, 0.0))))
    return viol <= bound


@dataclass
class Result:
    coef: np.ndarray
    intercept: float
    gap: float
    tol: float        # the absolute threshold the gap was compared with
    n_iter: int
    converged: bool
    solver: str
    primal: float = np.nan


# --- coordinate descent ---------------------------------------------------------------------------
def cd_covariance_full(t: Target, G, c, yy, l1, l2, positive, tol_abs, max_iter, w0, random, seed):
    """Coordinate descent on the full Gram of the statistics."""
    res = _core.cd_covariance(G, c, yy, w0, t.prob.W, l1, l2, positive, max_iter, tol_abs,
                              random, seed, FULL_GRAM_ANDERSON)
    w = np.asarray(res.coef)
    converged = res.converged
    if converged:  # the KKT check, on XtR = c - G w as the core left it
        converged = kkt_ok(l1, l2, positive, w, np.asarray(res.XtR), res.gap, res.dual_norm,
                           t.prob, yy)
    return Result(w, t.intercept(w), res.gap, tol_abs, res.n_iter, converged,
                  "cd-covariance", res.primal)


def inner_mode(n: int, k: int) -> str:
    """Covariance on the working set's Gram up to ``k <= 2n`` columns: forming it costs
    ``n k^2`` at BLAS-3 speed, after which an epoch costs ``O(k)`` plus ``O(k)`` per moving
    coordinate, independent of ``n`` (bench/lasso.py section 3: the naive inner solver is 1.5-4x
    slower on the benchmark problems). Naive beyond, where the Gram outgrows the columns."""
    return "covariance" if k <= 2 * n else "naive"


FEW_ROWS = 4096  # below this, the statistics' row blocks cannot keep two threads busy


def ws_gram(t: Target, ws: np.ndarray, threads: int, cache: dict):
    """``(G, c, yy, ws)`` of the working set's columns, per W, and the order they are in. Tall designs: the statistics of those
    columns, read from X in place, row blocks over the threads. Few rows (``n < 4096``, one row
    block): the columns gathered (an n x k copy), centred, and their Gram by products that
    split over the result's columns instead (``_core.grow_gram``); the columns and Gram entries of the previous
    working set (``cache``) are reused, so a growing set costs only its new columns."""
    p = t.prob
    if p.shape[0] >= FEW_ROWS:
        st = _core.gram_statistics_subset(p.X, t.y, p.sample_weight, p.fit_intercept, ws,
                                          threads)
        return st.xx / p.W, st.xy[:, 0] / p.W, float(st.yy[0, 0]) / p.W, ws
    s = p.sample_weight
    root = np.sqrt(s) if s.size else None

    def columns(idx):  # sqrt(s) (X[:, idx] - mean), float64, F order
        B = _core.gather_columns(p.X, idx, threads).astype(np.float64, copy=False)
        if p.fit_intercept:
            B -= (B.mean(axis=0) if s.size == 0 else (s @ B) / p.W)[None, :]
        if root is not None:
            B *= root[:, None]
        return B

    # The set is re-ordered as [the previous set's columns that stay, in their order; the new
    # ones], so that the kept block of the Gram is a contiguous copy.
    old = cache.get("ws")
    if old is None:
        kept, fresh, pos = ws[:0], ws, np.zeros(0, dtype=np.intp)
    else:
        stay = np.isin(old, ws)
        pos = np.flatnonzero(stay)
        kept, fresh = old[stay], ws[~np.isin(ws, old)]
    order = np.concatenate([kept, fresh])
    k0, k = kept.size, order.size
    B = np.empty((p.shape[0], k), order="F")
    G = np.empty((k, k), order="F")  # column-major: the core reads it without a copy
    if k0:
        if k0 == old.size:
            B[:, :k0] = cache["B"]
            G[:k0, :k0] = cache["G"]
        else:
            B[:, :k0] = cache["B"].take(pos, axis=1)
            G[:k0, :k0] = cache["G"].take(pos, axis=1).take(pos, axis=0)
    if fresh.size:
        Bf = columns(fresh)
        B[:, k0:] = Bf
        _core.grow_gram(G, B, k0, 1.0 / p.W, threads)  # the set against the new columns
    cache.update(ws=order, B=B, G=G)
    yc = t.yc if root is None else t.yc * root
    return G, (B.T @ yc) / p.W, t.yy, order


def cd_working_set(t: Target, l1, l2, positive, tol_abs, max_iter, w0, random, seed,
                   mode="auto", ws_start=None):
    """Working-set coordinate descent on the full problem (see the module docstring)."""
    p = t.prob
    n, d = p.shape
    ws_start = WS_START if ws_start is None else ws_start
    threads = _config.get_num_threads()
    w = np.array(w0, dtype=np.float64)
    f_order = p.X.flags.f_contiguous and not p.X.flags.c_contiguous
    alive = np.ones(d, dtype=bool)  # not discarded by gap-safe screening
    alive &= (p.sq_norm + l2) > 0
    prev_ws = None
    gram_cache = {}
    epochs = 0
    gap = np.inf
    used = set()
    while True:
        XtR, Rn, Ry = t.gradient(w)
        gap, primal, dn = duality_gap(l1, l2, positive, Rn, Ry, w, XtR, p.W)
        if gap <= tol_abs and kkt_ok(l1, l2, positive, w, XtR, gap, dn, p, t.yy):
            converged = True
            break
        if epochs >= max_iter:
            converged = False
            break
        A = XtR - l2 * w
        if l1 > 0:
            # distance of each feature to the dual constraint, in units of its norm (celer); the
            # gap-safe sphere of radius sqrt(2 gap) / l1 rules out features beyond it for good.
            theta = (A if positive else np.abs(A)) / max(l1, dn)
            dist = (1.0 - theta) / np.sqrt(np.maximum(p.sq_norm + l2, 1e-300))
            if SCREENING:
                alive &= ~((dist > np.sqrt(2.0 * max(gap, 0.0)) / l1) & (w == 0))
        else:
            dist = -np.abs(A)
        dist = np.where(w != 0, -np.inf, dist)
        dist = np.where(alive, dist, np.inf)
        n_alive = int(alive.sum())
        # celer's rule: twice the support (so as many new candidates as there are non-zeros),
        # at least ws_start; the set only grows past that when it would repeat itself.
        ws_size = min(n_alive, max(ws_start, 2 * int(np.count_nonzero(w))))
        while True:
            if ws_size < n_alive:
                ws = np.sort(np.argpartition(dist, ws_size - 1)[:ws_size])
            else:
                ws = np.flatnonzero(alive)
            if prev_ws is None or ws_size >= n_alive or not np.array_equal(ws, prev_ws):
                break
            ws_size = min(n_alive, 2 * ws_size)
        prev_ws = ws
        k = ws.size
        use = inner_mode(n, k) if mode == "auto" else mode
        used.add(use)
        w_ws = w[ws]
        if use == "covariance":
            # The restricted problem costs nothing per epoch once its Gram exists (read from X
            # in place, only the working set's columns): solve it to the final tolerance.
            G, c, yy, ws = ws_gram(t, ws, threads, gram_cache)
            w_ws = w[ws]
            res = _core.cd_covariance(G, c, yy, w_ws, p.W, l1, l2, positive, max_iter - epochs,
                                      tol_abs, random, seed + epochs, ANDERSON)
        else:
            if f_order:
                cols_src, cols = p.X, ws
            else:
                cols_src, cols = _core.gather_columns(p.X, ws, threads), np.arange(k)
            R = t.yc.copy()
            nz = np.flatnonzero(w_ws)
            if nz.size:
                sub = cols_src[:, cols[nz]].astype(np.float64)
                R -= sub @ w_ws[nz] - float(p.x_mean[ws[nz]] @ w_ws[nz])
            inner_tol = max(tol_abs, INNER_GAP_FRACTION * gap)
            res = _core.cd_naive(cols_src, cols, p.x_mean[ws], p.sq_norm[ws], p.sample_weight,
                                 p.W, t.yc, R, w_ws, l1, l2, positive, max_iter - epochs,
                                 inner_tol, inner_tol / max(t.yy, 1e-300), 10, random,
                                 seed + epochs, ANDERSON)
        w[:] = 0.0
        w[ws] = res.coef
        epochs += max(res.n_iter, 1)
    solver = "cd-working-set+" + "+".join(sorted(used)) if used else "cd-working-set"
    return Result(w, t.intercept(w), gap, tol_abs, epochs, converged, solver, primal)


# --- proximal gradient and subgradient ------------------------------------------------------------
def lipschitz(t: Target, l2: float) -> float:
    """Lipschitz constant of the smooth part's gradient: ``lambda_max(Xc'S Xc / W)`` (Lanczos,
    a Ritz value from below: 2 % added so the step stays inside the stability region)."""
    p = t.prob
    mean = p.x_mean if p.fit_intercept else np.empty(0)
    est = _core.estimate_lipschitz(p.X, p.sample_weight, mean, LANCZOS_MAX_ITER, LANCZOS_RTOL,
                                   False, _config.get_num_threads())
    return 1.02 * float(est.lambda_max)


def fista(t: Target, l1, l2, positive, tol_abs, max_iter, w0):
    """Accelerated proximal gradient (FISTA, Beck & Teboulle 2009) with O'Donoghue-Candes
    gradient restart. Step 1/L on the smooth part; the prox of ``step * penalty`` is
    ``soft_threshold(v, step l1) / (1 + step l2)``. The gap is taken at the extrapolated point,
    whose fused pass the next step needs anyway: one pass over X per iteration."""
    L = max(lipschitz(t, l2), 1e-300)
    step = 1.0 / L
    w = np.array(w0, dtype=np.float64)
    z = w.copy()
    tk = 1.0
    gap = np.inf
    converged = False
    it = 0
    best = (np.inf, w.copy(), np.inf)
    for it in range(1, max_iter + 1):
        XtR, Rn, Ry = t.gradient(z)
        gap, primal, _ = duality_gap(l1, l2, positive, Rn, Ry, z, XtR, t.prob.W)
        if gap <= tol_abs:
            best = (primal, z.copy(), gap)
            converged = True
            break
        if gap < best[2]:
            best = (primal, z.copy(), gap)
        v = z + step * XtR  # z - step * grad
        w_new = np.sign(v) * np.maximum(np.abs(v) - step * l1, 0.0) / (1.0 + step * l2)
        if positive:
            w_new = np.maximum(w_new, 0.0)
        if (z - w_new) @ (w_new - w) > 0:  # the momentum points uphill: restart
            tk = 1.0
        t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * tk * tk))
        z = w_new + ((tk - 1.0) / t_next) * (w_new - w)
        w, tk = w_new, t_next
    _, wb, gb = best
    return Result(wb, t.intercept(wb), gb, tol_abs, it, converged, "fista", best[0])


def subgradient(t: Target, l1, l2, positive, tol_abs, max_iter, w0):
    """The subgradient method: ``w <- w - eta_k g`` with ``g = -XtR + l2 w + l1 sign(w)``
    (``sign(0) = 0``) and the diminishing step ``eta_k = 1 / (L sqrt(k))``. Not a descent method
    and never exactly sparse: the best iterate by the objective is returned with its gap."""
    L = max(lipschitz(t, l2), 1e-300)
    w = np.array(w0, dtype=np.float64)
    best = (np.inf, w.copy(), np.inf)
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        XtR, Rn, Ry = t.gradient(w)
        gap, primal, _ = duality_gap(l1, l2, positive, Rn, Ry, w, XtR, t.prob.W)
        if gap <= tol_abs:
            best = (primal, w.copy(), gap)
            converged = True
            break
        if primal < best[0]:
            best = (primal, w.copy(), gap)
        g = -XtR + l2 * w + l1 * np.sign(w)
        w = w - g / (L * np.sqrt(it))
        if positive:
            w = np.maximum(w, 0.0)
    primal, wb, gb = best
    return Result(wb, t.intercept(wb), gb, tol_abs, it, converged, "subgradient", primal)


# --- paths --------------------------------------------------------------------------------------
def alpha_grid(alpha_max: float, eps: float, n_alphas: int) -> np.ndarray:
    """``n_alphas`` values from ``alpha_max`` down to ``eps * alpha_max``, evenly on a log scale
    (scikit-learn's grid)."""
    if alpha_max <= np.finfo(float).resolution:
        return np.full(n_alphas, np.finfo(float).resolution)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def path_uses_gram(n: int, d: int, precompute) -> bool:
    """A path reuses the Gram for every alpha: worth its O(n d^2) once ``n >= d`` (and it fits)."""
    if precompute is True:
        return True
    if precompute is False:
        return False
    return n >= d and d <= 4096


def solve_path(t: Target, alphas, l1_ratio, positive, tol, max_iter, precompute, random, seed,
               verbose=0, stats=None, col=0, w0=None):
    """Every alpha of a decreasing grid solved to its gap tolerance, each warm-started from the
    previous solution. Returns (coefs (d, m), intercepts (m,), gaps (m,), n_iters (m,), solver)."""
    p = t.prob
    n, d = p.shape
    tol_abs = tol * t.yy
    m = len(alphas)
    coefs = np.zeros((d, m))
    intercepts = np.zeros(m)
    gaps = np.zeros(m)
    iters = np.zeros(m, dtype=int)
    w = np.zeros(d) if w0 is None else np.array(w0, dtype=np.float64)
    use_gram = path_uses_gram(n, d, precompute)
    if use_gram:
        if stats is None:
            stats = p.statistics(t.y)
        G = stats.xx / p.W
        c = stats.xy[:, col] / p.W
        yy = float(stats.yy[col, col]) / p.W
    start = time.perf_counter()
    solver = "cd-covariance"
    warn = []
    for i, alpha in enumerate(alphas):
        l1, l2 = penalties(alpha, l1_ratio)
        if use_gram:
            r = cd_covariance_full(t, G, c, yy, l1, l2, positive, tol_abs, max_iter, w,
                                   random, seed + i)
        else:
            r = cd_working_set(t, l1, l2, positive, tol_abs, max_iter, w, random, seed + i,
                               ws_start=max(16, 2 * int(np.count_nonzero(w))))
            solver = r.solver
        w = r.coef
        coefs[:, i] = w
        intercepts[i] = r.intercept
        gaps[i] = r.gap
        iters[i] = r.n_iter
        if not r.converged:
            warn.append((alpha, r.gap, r.tol))
        if verbose:
            print(f"[linreg path] alpha {i + 1}/{m} = {alpha:.4g}: {np.count_nonzero(w)} "
                  f"non-zero, gap {r.gap:.2e} (tol {tol_abs:.2e}), {r.n_iter} epochs, "
                  f"{time.perf_counter() - start:.2f} s")
    return coefs, intercepts, gaps, iters, solver, warn
