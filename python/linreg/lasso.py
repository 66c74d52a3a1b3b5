"""Lasso and Elastic Net: least squares with an L1 (and L2) penalty, their regularisation paths,
and the choice of alpha by cross-validation."""

from __future__ import annotations

import numbers

import numpy as np

from . import _lasso
from ._base import (
    ConvergenceWarning,
    LinearModel,
    _not_offered,
    data_conversion_warning_class,
    warn,
)
from ._gradient import _check_float, _check_int, seed_of
from ._validation import (
    check_bool,
    check_option,
    check_sample_weight,
    check_X,
    check_y,
    raise_non_finite,
)

SOLVERS = ("cd", "fista", "subgradient")
SELECTIONS = ("cyclic", "random")
RULES = ("min", "1se")
# A single fit takes the full Gram (covariance mode, O(n d^2) once) when d is this small and
# n >= d: the Gram then costs about as much as the passes over X that working sets make
# (bench/lasso.py section 3: 100000 x 200, full Gram 0.092 s against 0.11 s; 10000 x 1000,
# 0.19-0.23 s against 0.03-0.10 s).
SINGLE_FIT_GRAM_FEATURES = 256


def _single_fit_gram(pre, n, d):
    return pre is True or (pre == "auto" and d <= SINGLE_FIT_GRAM_FEATURES and n >= d)

_OBJECTIVE_DOC = r"""
    .. math:: \min_{w, b} \; \frac{1}{2W} \sum_i s_i (y_i - x_i^\top w - b)^2
              + \alpha \rho \lVert w \rVert_1 + \frac{\alpha (1 - \rho)}{2} \lVert w \rVert_2^2

    with :math:`W = \sum_i s_i` (``n_samples`` without ``sample_weight``) and :math:`\rho` the
    ``l1_ratio``: scikit-learn's objective (which rescales the weights to sum to ``n``, the same
    thing), so coefficients compare one to one. The intercept is not penalised.
"""

_PARAMS_DOC = """
    fit_intercept : bool, default=True
        Fit ``b`` (through the weighted means: ``b = y_mean - x_mean @ w``; X is not centred in
        a copy).
    precompute : {"auto", True, False}, default="auto"
        ``True``: coordinate descent in *covariance mode* on the Gram ``Xc'S Xc / W`` of the
        sufficient statistics (one ``O(n d^2)`` pass, then epochs independent of ``n``).
        ``False``: working sets in *naive mode* (residual updates on the working set's columns).
        ``"auto"``: covariance mode when ``n_features <= 256`` and
        ``n_samples >= n_features``; otherwise working sets, each solved on its own Gram when
        it has at most twice as many columns as X has rows, naively otherwise.
    max_iter : int, default=1000
        Coordinate descent: epochs (one update of every coordinate of the working set each);
        fista / subgradient: iterations (one pass over X each).
    tol : float, default=1e-4
        The fit stops when the duality gap ``dual_gap_ <= tol * sum(s * yc**2) / W`` (the mean
        squared centred target): scikit-learn's rule, so the same ``tol`` gives the same
        accuracy. ``gap_tol_`` holds the threshold.
    warm_start : bool, default=False
        Start from the previous ``coef_`` (a previous fit with another number of features or
        targets raises ``ValueError``).
    positive : bool, default=False
        Constrain the coefficients to be ``>= 0``.
    selection : {"cyclic", "random"}, default="cyclic"
        Coordinates in turn, or drawn uniformly with replacement (scikit-learn's "random").
    random_state : int, numpy Generator or None, default=None
        Seed of ``selection="random"``.
    solver : {"cd", "fista", "subgradient"}, default="cd"
        ``"cd"``: coordinate descent with soft-thresholding,
        ``w_j <- soft_threshold(z_j, alpha rho) / (a_j + alpha (1 - rho))``, exact per
        coordinate. ``"fista"``: accelerated proximal gradient with restart, step ``1/L``.
        ``"subgradient"``: ``w <- w - g / (L sqrt(k))`` with ``g`` a subgradient; slow, never
        exactly sparse, for teaching. All three minimise the same objective and stop on the
        same gap.
    verbose : int, default=0
        Print progress (paths: one line per alpha).
"""

_ATTRS_DOC = """
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    dual_gap_ : float or ndarray of shape (n_targets,)
        The duality gap at ``coef_``, scikit-learn's definition: with ``R = yc - Xc w``,
        ``A = Xc'S R / W - alpha (1 - rho) w``, the dual point ``theta = R * min(1, alpha rho /
        max|A|)`` and ``P`` the objective, ``dual_gap_ = P(w) - D(theta)``,
        ``D = theta'S yc / W - (theta'S theta / W + alpha (1 - rho) ||w||^2 s^2) / 2``
        (cpp/linreg/penalty.hpp). It bounds ``P(w) - min P`` from above.
    gap_tol_ : float or ndarray of shape (n_targets,)
        ``tol * sum(s * yc**2) / W``, the threshold ``dual_gap_`` was compared with.
    converged_ : bool or ndarray of shape (n_targets,)
    n_iter_ : int or ndarray of shape (n_targets,)
    n_nonzero_ : int or ndarray of shape (n_targets,)
    support_ : ndarray of bool, shape (n_features,) or (n_targets, n_features)
        Which coefficients are non-zero.
    solver_ : str
        What ran: ``"cd-covariance"`` (full Gram), ``"cd-working-set+covariance"``,
        ``"cd-working-set+naive"``, ``"fista"`` or ``"subgradient"``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
"""


def check_l1_ratio(value, name="l1_ratio"):
    v = _check_float(value, name)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    return v


def _check_precompute(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str) and value == "auto":
        return "auto"
    raise ValueError(f"precompute must be 'auto', True or False, got {value!r}")


def _common_params(est):
    return {
        "fit_intercept": check_bool(est.fit_intercept, "fit_intercept"),
        "precompute": _check_precompute(est.precompute),
        "max_iter": _check_int(est.max_iter, "max_iter", 1),
        "tol": _check_float(est.tol, "tol", low=0.0),
        "positive": check_bool(est.positive, "positive"),
        "random": check_option(est.selection, "selection", SELECTIONS) == "random",
        "seed": seed_of(est.random_state),
        "verbose": _check_int(est.verbose, "verbose", 0),
    }


def _problem(Xa, w, fit_intercept):
    try:
        return _lasso.Problem(Xa, w, fit_intercept)
    except ValueError as exc:
        if "NaN or infinity" in str(exc):
            raise_non_finite(Xa, exc)
        raise


def _solve_target(t, alpha, l1_ratio, p, solver, w0, stats=None, col=0):
    """One target, one alpha: the solver asked for, in the mode the shape calls for."""
    n, d = t.prob.shape
    l1, l2 = _lasso.penalties(alpha, l1_ratio)
    tol_abs = p["tol"] * t.yy
    if solver == "fista":
        return _lasso.fista(t, l1, l2, p["positive"], tol_abs, p["max_iter"], w0)
    if solver == "subgradient":
        return _lasso.subgradient(t, l1, l2, p["positive"], tol_abs, p["max_iter"], w0)
    pre = p["precompute"]
    if _single_fit_gram(pre, n, d):
        W = t.prob.W
        return _lasso.cd_covariance_full(t, stats.xx / W, stats.xy[:, col] / W,
                                         float(stats.yy[col, col]) / W, l1, l2, p["positive"],
                                         tol_abs, p["max_iter"], w0, p["random"], p["seed"])
    mode = "naive" if pre is False else "auto"
    return _lasso.cd_working_set(t, l1, l2, p["positive"], tol_abs, p["max_iter"], w0,
                                 p["random"], p["seed"], mode=mode)


def _warn_not_converged(name, results, p, solver, target_label=""):
    for k, r in enumerate(results):
        if r.converged:
            continue
        which = f" (target {k})" if len(results) > 1 else target_label
        hint = ("increase max_iter, standardise the features, or increase alpha"
                if solver == "cd" else "use solver='cd', or increase max_iter")
        warn(
            f"{name}{which}: {r.solver} stopped after {r.n_iter} "
            f"{'epochs' if solver == 'cd' else 'iterations'} (max_iter={p['max_iter']}) with "
            f"duality gap {r.gap:.3e} above the tolerance {r.tol:.3e} "
            f"(tol={p['tol']:g} x mean squared centred y). Next: {hint}.",
            ConvergenceWarning,
        )


class ElasticNet(LinearModel):
    __doc__ = (r"""Least squares with a combined L1 and L2 penalty (the Elastic Net).

    Minimises
    """ + _OBJECTIVE_DOC + r"""
    ``l1_ratio = 1`` is the Lasso, ``l1_ratio = 0`` Ridge (in the ``1/(2W)`` scaling). The L1
    part sets coefficients exactly to zero; the L2 part keeps groups of correlated features
    together and makes the problem strongly convex.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength, ``>= 0``.
    l1_ratio : float, default=0.5
        The mix ``rho`` in ``[0, 1]``.
    """ + _PARAMS_DOC + """
    Attributes
    ----------
    """ + _ATTRS_DOC + """
    Examples
    --------
    >>> import numpy as np, linreg
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]]); y = X[:, 0] * 2.0
    >>> model = linreg.ElasticNet(alpha=0.1, l1_ratio=0.5, tol=1e-10).fit(X, y)
    >>> model.n_nonzero_
    1
    """)

    _fixed_l1_ratio = None

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, precompute="auto",
                 max_iter=1000, tol=1e-4, warm_start=False, positive=False, selection="cyclic",
                 random_state=None, solver="cd", verbose=0):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.selection = selection
        self.random_state = random_state
        self.solver = solver
        self.verbose = verbose

    def _l1_ratio(self):
        if self._fixed_l1_ratio is not None:
            return self._fixed_l1_ratio
        return check_l1_ratio(self.l1_ratio)

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Read in place (C or F order); only working-set columns are ever copied.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Several targets are independent problems.
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        alpha = _check_float(self.alpha, "alpha", low=0.0)
        l1_ratio = self._l1_ratio()
        solver = check_option(self.solver, "solver", SOLVERS)
        p = _common_params(self)
        Xa, Y, one_d, w = self._validate_fit_data(X, y, sample_weight)
        n, d = Xa.shape
        k = Y.shape[1]
        prob = _problem(Xa, w, p["fit_intercept"])
        prev = self._warm_start_coef(k, d) if check_bool(self.warm_start, "warm_start") else None
        coef0 = np.zeros((k, d)) if prev is None else prev
        needs_stats = solver == "cd" and _single_fit_gram(p["precompute"], n, d)
        stats = prob.statistics(Y) if needs_stats else None
        results = []
        for col in range(k):
            t = prob.target(Y[:, col])
            results.append(_solve_target(t, alpha, l1_ratio, p, solver, coef0[col], stats, col))
            if p["verbose"]:
                r = results[-1]
                print(f"[linreg {type(self).__name__}] target {col}: {r.solver}, {r.n_iter} "
                      f"{'epochs' if solver == 'cd' else 'iterations'}, duality gap {r.gap:.3e} "
                      f"(tol {r.tol:.3e}), {np.count_nonzero(r.coef)} non-zero of {d}")
        self._set_coefficients(np.stack([r.coef for r in results], axis=1),
                               np.array([r.intercept for r in results]), one_d, Xa.dtype)
        self._set_enet_attributes(results, one_d)
        _warn_not_converged(type(self).__name__, results, p, solver)
        return self

    def _set_enet_attributes(self, results, one_d):
        def pick(values, dtype=None):
            arr = np.asarray(values, dtype=dtype)
            return arr[0].item() if one_d else arr

        self.dual_gap_ = pick([r.gap for r in results], np.float64)
        self.gap_tol_ = pick([r.tol for r in results], np.float64)
        self.converged_ = pick([r.converged for r in results], bool)
        self.n_iter_ = pick([r.n_iter for r in results], np.intp)
        coef = np.atleast_2d(self.coef_)
        self.support_ = coef[0] != 0 if one_d else coef != 0
        self.n_nonzero_ = pick(np.count_nonzero(coef, axis=1), np.intp)
        self.solver_ = "/".join(sorted({r.solver for r in results}))


class Lasso(ElasticNet):
    __doc__ = (r"""Least squares with an L1 penalty (the Lasso): sparse coefficients.

    Minimises

    .. math:: \min_{w, b} \; \frac{1}{2W} \sum_i s_i (y_i - x_i^\top w - b)^2
              + \alpha \lVert w \rVert_1

    (:class:`ElasticNet` with ``l1_ratio=1``; scikit-learn's objective). The L1 penalty has no
    closed form and is not differentiable at zero; coordinate descent solves each coordinate
    exactly by soft-thresholding, which is what makes coefficients exactly zero. For
    ``alpha >= alpha_max = max_j |xc_j'S yc| / W`` every coefficient is zero.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength, ``>= 0``.
    """ + _PARAMS_DOC + """
    Attributes
    ----------
    """ + _ATTRS_DOC + """
    Examples
    --------
    >>> import numpy as np, linreg
    >>> rng = np.random.default_rng(0); X = rng.standard_normal((50, 5))
    >>> y = 3 * X[:, 0] + 0.01 * rng.standard_normal(50)
    >>> linreg.Lasso(alpha=0.1).fit(X, y).support_
    array([ True, False, False, False, False])
    """)

    _fixed_l1_ratio = 1.0

    def __init__(self, alpha=1.0, *, fit_intercept=True, precompute="auto", max_iter=1000,
                 tol=1e-4, warm_start=False, positive=False, selection="cyclic",
                 random_state=None, solver="cd", verbose=0):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.selection = selection
        self.random_state = random_state
        self.solver = solver
        self.verbose = verbose


# --- paths ----------------------------------------------------------------------------------------
class Path(tuple):
    """``(alphas, coefs, dual_gaps)`` as scikit-learn's ``lasso_path`` returns them, plus
    ``intercepts``, ``n_iters`` and ``solver`` as attributes."""

    intercepts: np.ndarray
    n_iters: np.ndarray
    solver: str


def _grid(alphas, alpha_max, eps, n_alphas):
    if alphas is None:
        eps = _check_float(eps, "eps", positive=True)
        n_alphas = _check_int(n_alphas, "n_alphas", 1)
        return _lasso.alpha_grid(alpha_max, eps, n_alphas)
    a = np.asarray(alphas, dtype=np.float64).ravel()
    if a.size == 0 or not np.isfinite(a).all() or (a < 0).any():
        raise ValueError(f"alphas must be a non-empty sequence of finite values >= 0, got {alphas!r}")
    return np.sort(a)[::-1]


def enet_path(X, y, *, l1_ratio=0.5, eps=1e-3, n_alphas=100, alphas=None, fit_intercept=False,
              sample_weight=None, precompute="auto", max_iter=1000, tol=1e-4, positive=False,
              verbose=0, return_n_iter=False):
    r"""The Elastic Net solution for every alpha of a decreasing grid, each solved to its gap.

    Minimises, for each alpha,
    """ + _OBJECTIVE_DOC + r"""
    warm-starting each alpha from the previous solution. With ``n_samples >= n_features`` (and
    ``n_features <= 4096``) the Gram of the sufficient statistics is formed once and every alpha
    runs in covariance mode; otherwise each alpha runs working-set coordinate descent from the
    previous support.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
    l1_ratio : float, default=0.5
    eps : float, default=1e-3
        The grid ends at ``eps * alpha_max``.
    n_alphas : int, default=100
    alphas : array-like, optional
        The grid to use instead (sorted into decreasing order).
    fit_intercept : bool, default=False
        ``False`` as in scikit-learn's ``enet_path`` (which does not centre): the same call gives
        the same path. ``True`` centres through the means, as the estimators do.
    sample_weight, precompute, max_iter, tol, positive, verbose
        As for :class:`ElasticNet` (``precompute=True`` forces the Gram, ``False`` forbids it).
    return_n_iter : bool, default=False
        Also return the epochs per alpha.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_features, n_alphas) or (n_targets, n_features, n_alphas)
    dual_gaps : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
    n_iters : ndarray, only with ``return_n_iter``

    The result also carries ``.intercepts`` and ``.solver``.
    """
    l1_ratio = check_l1_ratio(l1_ratio)
    fit_intercept = check_bool(fit_intercept, "fit_intercept")
    precompute = _check_precompute(precompute)
    max_iter = _check_int(max_iter, "max_iter", 1)
    tol = _check_float(tol, "tol", low=0.0)
    positive = check_bool(positive, "positive")
    verbose = _check_int(verbose, "verbose", 0)
    Xa = check_X(X, defer_finite=True)
    Y, one_d = check_y(y, Xa)
    w = check_sample_weight(sample_weight, Xa.shape[0])
    if alphas is None and l1_ratio == 0:
        raise ValueError("l1_ratio=0 has no alpha_max (Ridge never zeros every coefficient): "
                         "pass alphas explicitly")
    prob = _problem(Xa, w, fit_intercept)
    k = Y.shape[1]
    stats = prob.statistics(Y) if _lasso.path_uses_gram(*Xa.shape, precompute) else None
    outs = []
    grid = None
    for col in range(k):
        t = prob.target(Y[:, col])
        if grid is None:
            amax = max(prob.target(Y[:, c]).alpha_max(l1_ratio, positive) for c in range(k)) \
                if alphas is None else 0.0
            grid = _grid(alphas, amax, eps, n_alphas)
        outs.append(_lasso.solve_path(t, grid, l1_ratio, positive, tol, max_iter, precompute,
                                      False, 0, verbose, stats, col))
    for col, o in enumerate(outs):
        if o[5]:
            worst = max(o[5], key=lambda item: item[1] / max(item[2], 1e-300))
            warn(
                f"enet_path{f' (target {col})' if k > 1 else ''}: {len(o[5])} of {len(grid)} "
                f"alphas stopped at max_iter={max_iter} above their gap tolerance; the worst, "
                f"alpha={worst[0]:.4g}, has gap {worst[1]:.3e} against {worst[2]:.3e}. Next: "
                "increase max_iter or tol, or end the grid at a larger eps.",
                ConvergenceWarning)
    dtype = Xa.dtype
    if one_d:
        coefs = outs[0][0].astype(dtype)
        gaps = outs[0][2]
        iters = outs[0][3]
        intercepts = outs[0][1]
    else:
        coefs = np.stack([o[0] for o in outs]).astype(dtype)
        gaps = np.stack([o[2] for o in outs])
        iters = np.stack([o[3] for o in outs])
        intercepts = np.stack([o[1] for o in outs])
    parts = (grid, coefs, gaps) + ((iters,) if return_n_iter else ())
    res = Path(parts)
    res.intercepts = intercepts.astype(dtype)
    res.n_iters = iters
    res.solver = outs[0][4]
    return res


def lasso_path(X, y, *, eps=1e-3, n_alphas=100, alphas=None, fit_intercept=False,
               sample_weight=None, precompute="auto", max_iter=1000, tol=1e-4, positive=False,
               verbose=0, return_n_iter=False):
    r"""The Lasso solution for every alpha of a decreasing grid: :func:`enet_path` with
    ``l1_ratio=1``, minimising ``1/(2W) sum_i s_i (y_i - x_i'w - b)^2 + alpha ||w||_1``.
    Same parameters and returns as :func:`enet_path`."""
    return enet_path(X, y, l1_ratio=1.0, eps=eps, n_alphas=n_alphas, alphas=alphas,
                     fit_intercept=fit_intercept, sample_weight=sample_weight,
                     precompute=precompute, max_iter=max_iter, tol=tol, positive=positive,
                     verbose=verbose, return_n_iter=return_n_iter)


# --- cross-validation -----------------------------------------------------------------------------
def _folds(cv, n):
    """Train/test index pairs: an int is ``k`` contiguous folds (scikit-learn's ``KFold``
    without shuffling); an object with ``split`` or an iterable of pairs is used as given."""
    if cv is None:
        cv = 5
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        k = int(cv)
        if k < 2:
            raise ValueError(f"cv must be >= 2 folds, got {cv}")
        if k > n:
            raise ValueError(f"cv={k} folds need at least {k} samples, got n_samples={n}")
        sizes = np.full(k, n // k)
        sizes[: n % k] += 1
        stops = np.cumsum(sizes)
        idx = np.arange(n)
        return [(np.concatenate([idx[:stop - size], idx[stop:]]), idx[stop - size:stop])
                for size, stop in zip(sizes, stops)]
    if hasattr(cv, "split"):
        return [(np.asarray(a), np.asarray(b)) for a, b in cv.split(np.zeros((n, 1)))]
    try:
        return [(np.asarray(a), np.asarray(b)) for a, b in cv]
    except TypeError:
        raise ValueError(f"cv must be an int, a splitter with split(), or an iterable of "
                         f"(train, test) index pairs, got {cv!r}") from None


def _rows(Xa, idx):
    """X[idx] (a copy, documented: a fold's training rows), kept in X's memory order."""
    out = Xa[idx]
    return np.asfortranarray(out) if Xa.flags.f_contiguous and not Xa.flags.c_contiguous else out


class ElasticNetCV(ElasticNet):
    __doc__ = (r"""Elastic Net with alpha (and l1_ratio) chosen by k-fold cross-validation.

    For each ``l1_ratio`` and each fold, the whole regularisation path (:func:`enet_path`, warm
    starts, every alpha to its gap) is fitted on the training rows and scored by the mean
    squared error on the held-out rows (weighted by ``sample_weight``). ``alpha_`` minimises the
    mean CV error; ``alpha_1se_`` is the largest alpha whose mean CV error is within one standard
    error of that minimum (standard error = sample standard deviation over folds / sqrt(folds)),
    the sparser model the data cannot tell apart. The final model is refitted on all rows with
    the choice of ``rule``. Each model minimises
    """ + _OBJECTIVE_DOC + r"""
    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
    eps : float, default=1e-3
    n_alphas : int, default=100
    alphas : array-like, optional
    cv : int, splitter or iterable, default=None
        ``None``: 5 contiguous folds (scikit-learn's ``KFold(5)``). Each fold's training rows are
        copied once.
    rule : {"min", "1se"}, default="min"
        Refit at ``alpha_`` or at ``alpha_1se_``.
    """ + _PARAMS_DOC + """
    Attributes
    ----------
    alpha_ : float
        The alpha of the refitted model: ``alpha_min_`` or ``alpha_1se_`` as ``rule`` says.
    alpha_min_ : float
        The alpha of the smallest mean CV error.
    alpha_1se_ : float
        The largest alpha within one standard error of that minimum.
    l1_ratio_ : float
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
    mse_path_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratio, n_alphas, n_folds)
    """ + _ATTRS_DOC)

    fit_statistics = _not_offered("fit_statistics", "cross-validation needs the rows of each "
                                  "fold")

    def __init__(self, *, l1_ratio=0.5, eps=1e-3, n_alphas=100, alphas=None, fit_intercept=True,
                 precompute="auto", max_iter=1000, tol=1e-4, cv=None, verbose=0, positive=False,
                 selection="cyclic", random_state=None, rule="min", solver="cd"):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.n_alphas = n_alphas
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.verbose = verbose
        self.positive = positive
        self.selection = selection
        self.random_state = random_state
        self.rule = rule
        self.solver = solver

    def _l1_ratios(self):
        if self._fixed_l1_ratio is not None:
            return [self._fixed_l1_ratio], False
        if np.ndim(self.l1_ratio) == 0:
            return [check_l1_ratio(self.l1_ratio)], False
        ratios = [check_l1_ratio(r) for r in np.asarray(self.l1_ratio, dtype=object).ravel()]
        if not ratios:
            raise ValueError("l1_ratio: expected at least one value")
        return ratios, True

    def fit(self, X, y, sample_weight=None):
        """Cross-validate the path, choose alpha (and l1_ratio), refit on all rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        ratios, many = self._l1_ratios()
        rule = check_option(self.rule, "rule", RULES)
        solver = check_option(self.solver, "solver", SOLVERS)
        p = _common_params(self)
        Xa, Y, one_d, w = self._validate_fit_data(X, y, sample_weight)
        if Y.shape[1] != 1:
            raise ValueError(f"y: {type(self).__name__} fits one target, got {Y.shape[1]} "
                             "columns; fit one model per target")
        if not one_d:
            warn("A column-vector y was passed when a 1d array was expected; it is "
                 "used as y.ravel()", data_conversion_warning_class())
            one_d = True
        n, d = Xa.shape
        prob = _problem(Xa, w, p["fit_intercept"])
        full = prob.target(Y[:, 0])
        if self.alphas is None and min(ratios) == 0:
            raise ValueError("l1_ratio=0 has no alpha_max (Ridge never zeros every coefficient): "
                             "pass alphas explicitly")
        grids = [_grid(self.alphas, full.alpha_max(r, p["positive"]) if self.alphas is None
                       else 0.0, self.eps, self.n_alphas) for r in ratios]
        folds = _folds(self.cv, n)
        mse = np.zeros((len(ratios), len(grids[0]), len(folds)))
        for f, (train, test) in enumerate(folds):
            fp = _problem(_rows(Xa, train), w[train] if w.size else w, p["fit_intercept"])
            ft = fp.target(Y[train, 0])
            Xte = Xa[test].astype(np.float64)
            yte = Y[test, 0].astype(np.float64)
            wte = w[test] if w.size else None
            for r, ratio in enumerate(ratios):
                coefs, intercepts, _, _, _, stalled = _lasso.solve_path(
                    ft, grids[r], ratio, p["positive"], p["tol"], p["max_iter"], p["precompute"],
                    p["random"], p["seed"])
                if stalled:
                    worst = max(stalled, key=lambda item: item[1] / max(item[2], 1e-300))
                    warn(
                        f"{type(self).__name__}: fold {f}, l1_ratio={ratio:g}: {len(stalled)} "
                        f"alphas stopped at max_iter={p['max_iter']} above their gap tolerance "
                        f"(worst alpha={worst[0]:.4g}: gap {worst[1]:.3e}, tol {worst[2]:.3e}). "
                        "Next: increase max_iter or tol.", ConvergenceWarning)
                err = (yte[:, None] - Xte @ coefs - intercepts[None, :]) ** 2
                mse[r, :, f] = np.average(err, axis=0, weights=wte)
                if p["verbose"]:
                    print(f"[linreg cv] fold {f + 1}/{len(folds)}, l1_ratio={ratio:g}: best "
                          f"alpha {grids[r][np.argmin(mse[r, :, f])]:.4g}")
        mean = mse.mean(axis=2)
        r_best, i_best = np.unravel_index(np.argmin(mean), mean.shape)
        se = (mse[r_best, i_best].std(ddof=1) / np.sqrt(len(folds))) if len(folds) > 1 else 0.0
        within = np.flatnonzero(mean[r_best] <= mean[r_best, i_best] + se)
        self.alpha_min_ = float(grids[r_best][i_best])
        self.alpha_1se_ = float(grids[r_best][within].max())
        self.alpha_ = self.alpha_1se_ if rule == "1se" else self.alpha_min_
        self.l1_ratio_ = float(ratios[r_best])
        self.alphas_ = np.stack(grids) if many else grids[0]
        self.mse_path_ = mse if many else mse[0]
        alpha = self.alpha_
        t = prob.target(Y[:, 0])
        stats = prob.statistics(Y) if solver == "cd" and _single_fit_gram(
            p["precompute"], n, d) else None
        res = _solve_target(t, alpha, self.l1_ratio_, p, solver, np.zeros(d), stats, 0)
        self._set_coefficients(res.coef[:, None], np.array([res.intercept]), one_d, Xa.dtype)
        self._set_enet_attributes([res], one_d)
        _warn_not_converged(type(self).__name__, [res], p, solver)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = False
        return tags


class LassoCV(ElasticNetCV):
    __doc__ = (r"""Lasso with alpha chosen by k-fold cross-validation: :class:`ElasticNetCV`
    with ``l1_ratio=1``, each model minimising
    ``1/(2W) sum_i s_i (y_i - x_i'w - b)^2 + alpha ||w||_1``.

    Parameters
    ----------
    eps : float, default=1e-3
    n_alphas : int, default=100
    alphas : array-like, optional
    cv : int, splitter or iterable, default=None
    rule : {"min", "1se"}, default="min"
    """ + _PARAMS_DOC + """
    Attributes
    ----------
    alpha_ : float
        The alpha of the refitted model (``alpha_min_`` or ``alpha_1se_``, as ``rule`` says).
    alpha_min_ : float
    alpha_1se_ : float
    alphas_ : ndarray of shape (n_alphas,)
    mse_path_ : ndarray of shape (n_alphas, n_folds)
    """ + _ATTRS_DOC)

    _fixed_l1_ratio = 1.0

    def __init__(self, *, eps=1e-3, n_alphas=100, alphas=None, fit_intercept=True,
                 precompute="auto", max_iter=1000, tol=1e-4, cv=None, verbose=0, positive=False,
                 selection="cyclic", random_state=None, rule="min", solver="cd"):
        self.eps = eps
        self.n_alphas = n_alphas
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.verbose = verbose
        self.positive = positive
        self.selection = selection
        self.random_state = random_state
        self.rule = rule
        self.solver = solver
