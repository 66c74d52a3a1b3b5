"""The overfitting lab: bias-variance decomposition by repeated sampling, and the geometry of the
L1 and L2 constraints, computed with linreg's own estimators (plotted by :mod:`linreg.plotting`).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from ._validation import check_option


@dataclass
class BiasVariance:
    r"""What :func:`bias_variance` measured, one entry per grid value.

    With :math:`\hat f_r` the model fitted to sample :math:`r` and :math:`f` the truth, over the
    test points :math:`x`:
    ``bias2`` :math:`= \operatorname{mean}_x (\operatorname{mean}_r \hat f_r(x) - f(x))^2`,
    ``variance`` :math:`= \operatorname{mean}_x \operatorname{var}_r \hat f_r(x)`, ``noise``
    :math:`= \sigma^2`, and ``expected_test_mse`` their sum: the expected squared error on a
    fresh observation. ``test_mse`` is that error measured on fresh noisy observations at the test
    points (the decomposition's check), ``train_mse`` the mean training error.
    """

    param_name: str
    param_range: np.ndarray
    bias2: np.ndarray
    variance: np.ndarray
    noise: float
    test_mse: np.ndarray
    train_mse: np.ndarray
    n_samples: int
    n_repeats: int
    x_test: np.ndarray = field(repr=False)
    mean_prediction: np.ndarray = field(repr=False)

    @property
    def expected_test_mse(self) -> np.ndarray:
        return self.bias2 + self.variance + self.noise

    @property
    def best(self):
        """The grid value with the smallest expected test error."""
        return self.param_range[int(np.argmin(self.expected_test_mse))]


def _fresh(estimator, **params):
    est = type(estimator)(**estimator.get_params())
    return est.set_params(**params)


def bias_variance(estimator, truth, param_name, param_range, *, n_samples=10, noise=0.05,
                  design="linspace", domain=(0.0, 1.0), x_test=None, n_test=200, n_repeats=200,
                  random_state=None):
    r"""Bias, variance and noise of a model family over a grid, by repeated sampling.

    For each value ``v`` in ``param_range`` the estimator (with ``param_name=v``) is fitted to
    ``n_repeats`` training sets :math:`y_i = f(x_i) + \varepsilon_i`,
    :math:`\varepsilon_i \sim N(0, \sigma^2)`, and its predictions at the test points give the
    decomposition of the expected squared error on a fresh observation,

    .. math:: E[(\hat f(x) - y)^2] = \underbrace{(E\hat f(x) - f(x))^2}_{\text{bias}^2}
              + \underbrace{\operatorname{var} \hat f(x)}_{\text{variance}} + \sigma^2,

    averaged over the test points.

    Parameters
    ----------
    estimator : linreg estimator
        Fitted on ``x.reshape(-1, 1)``; e.g. :class:`linreg.PolynomialRegression`.
    truth : callable
        ``f(x)`` for a 1-D array ``x``.
    param_name : str
        The parameter varied, e.g. ``"degree"`` or ``"alpha"``.
    param_range : sequence
    n_samples : int, default=10
        Training points per sample.
    noise : float, default=0.05
        :math:`\sigma`, the noise standard deviation (``>= 0``).
    design : {"linspace", "uniform"} or array-like, default="linspace"
        Training inputs: ``n_samples`` evenly spaced points over ``domain`` (fixed design, as in
        ``np.linspace(0, 1, 10)``), fresh uniform draws for every repeat, or the given points.
        With a fixed design all repeats are one multi-target fit.
    domain : (float, float), default=(0.0, 1.0)
    x_test : array-like, optional
        Test inputs; default ``n_test`` evenly spaced points over ``domain``.
    n_test : int, default=200
    n_repeats : int, default=200
    random_state : int or numpy.random.Generator, optional

    Returns
    -------
    BiasVariance
    """
    if not isinstance(param_name, str):
        raise TypeError(f"param_name must be a str, got {param_name!r}")
    grid = np.asarray(list(param_range))
    if grid.ndim != 1 or grid.size == 0:
        raise ValueError(f"param_range: expected a non-empty 1-D sequence, got {param_range!r}")
    for name, value, low in (("n_samples", n_samples, 2), ("n_test", n_test, 1),
                             ("n_repeats", n_repeats, 2)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    if not (isinstance(noise, numbers.Real) and np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    lo, hi = (float(v) for v in domain)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"domain must be (low, high) with low < high, got {domain!r}")
    if not callable(truth):
        raise TypeError(f"truth must be a callable f(x), got {type(truth).__name__}")
    if param_name not in estimator.get_params():
        raise ValueError(f"param_name: {type(estimator).__name__} has no parameter "
                         f"{param_name!r}; it has {sorted(estimator.get_params())}")
    rng = np.random.default_rng(random_state)
    xt = np.linspace(lo, hi, n_test) if x_test is None else np.asarray(x_test, float).ravel()
    ft = np.asarray(truth(xt), dtype=np.float64)
    if isinstance(design, str):
        design = check_option(design, "design", ("linspace", "uniform"))
        fixed = np.linspace(lo, hi, n_samples) if design == "linspace" else None
    else:
        fixed = np.asarray(design, dtype=np.float64).ravel()
        n_samples = fixed.size
    if fixed is not None:
        xs = np.broadcast_to(fixed, (n_repeats, n_samples))
    else:
        xs = rng.uniform(lo, hi, (n_repeats, n_samples))
    fx = np.asarray(truth(xs.ravel()), dtype=np.float64).reshape(xs.shape)
    ys = fx + noise * rng.standard_normal(xs.shape)          # (R, n)
    y_new = ft + noise * rng.standard_normal((n_repeats, xt.size))
    shape = (grid.size,)
    bias2, variance, test, train = (np.empty(shape) for _ in range(4))
    mean_pred = np.empty((grid.size, xt.size))
    for g, value in enumerate(grid):
        value = value.item() if hasattr(value, "item") else value
        if fixed is not None:  # one fit: the repeats are the targets
            est = _fresh(estimator, **{param_name: value}).fit(fixed[:, None], ys.T)
            pred = np.asarray(est.predict(xt[:, None])).reshape(xt.size, -1).T      # (R, m)
            fit_train = np.asarray(est.predict(fixed[:, None])).reshape(n_samples, -1).T
        else:
            pred = np.empty((n_repeats, xt.size))
            fit_train = np.empty_like(ys)
            for r in range(n_repeats):
                est = _fresh(estimator, **{param_name: value}).fit(xs[r][:, None], ys[r])
                pred[r] = est.predict(xt[:, None])
                fit_train[r] = est.predict(xs[r][:, None])
        mean_pred[g] = pred.mean(axis=0)
        bias2[g] = np.mean((mean_pred[g] - ft) ** 2)
        variance[g] = np.mean(pred.var(axis=0))
        test[g] = np.mean((pred - y_new) ** 2)
        train[g] = np.mean((fit_train - ys) ** 2)
    return BiasVariance(param_name, grid, bias2, variance, float(noise) ** 2, test, train,
                        int(n_samples), int(n_repeats), xt, mean_pred)


@dataclass
class ConstraintGeometry:
    r"""The least-squares problem :math:`F(w) = \frac1n \lVert y_c - X_c w\rVert^2` of two
    features, and its minimisers over the L2 ball and the L1 diamond of radius ``radius``."""

    X: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    radius: float
    ols: np.ndarray
    ridge: np.ndarray
    ridge_alpha: float
    lasso: np.ndarray
    lasso_alpha: float

    def loss(self, w1, w2):
        """F on a grid of (w1, w2) (broadcast), from the centred statistics."""
        G = self.X.T @ self.X / len(self.y)
        c = self.X.T @ self.y / len(self.y)
        yy = self.y @ self.y / len(self.y)
        return (yy - 2 * (c[0] * w1 + c[1] * w2)
                + G[0, 0] * w1 * w1 + 2 * G[0, 1] * w1 * w2 + G[1, 1] * w2 * w2)


def _bisect_alpha(norm_at, radius, lo, hi, iters=200):
    """alpha in [lo, hi] (log scale) where the non-increasing norm_at(alpha) equals radius."""
    for _ in range(iters):
        mid = np.sqrt(lo * hi)
        if norm_at(mid) > radius:
            lo = mid
        else:
            hi = mid
        if hi / lo - 1 < 1e-14:
            break
    return hi


def constraint_geometry(X, y, radius):
    r"""Minimise the squared error over the L2 ball and over the L1 diamond, with linreg.

    A constrained problem :math:`\min F(w)` s.t. :math:`\lVert w\rVert \le t` is the penalised
    problem at the alpha whose solution has norm exactly ``t`` (Lagrange duality), so the optimum
    on the ball is :class:`linreg.Ridge` at the alpha with :math:`\lVert w\rVert_2 = t` and the
    optimum on the diamond :class:`linreg.Lasso` at the alpha with :math:`\lVert w\rVert_1 = t`;
    both alphas are found by bisection (the norms decrease with alpha). The data are centred
    (no intercept is constrained). When the least-squares solution already lies inside a
    constraint it is its own optimum there (alpha 0).

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
    y : array-like of shape (n_samples,)
    radius : float
        ``t > 0``.

    Returns
    -------
    ConstraintGeometry
    """
    from .lasso import Lasso
    from .linear import LinearRegression
    from .ridge import Ridge

    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X: expected shape (n_samples, 2), got {X.shape}")
    if not (isinstance(radius, numbers.Real) and np.isfinite(radius) and radius > 0):
        raise ValueError(f"radius must be a finite number > 0, got {radius!r}")
    Xc = X - X.mean(axis=0)
    yc = y - y.mean()
    ols = LinearRegression(fit_intercept=False).fit(Xc, yc).coef_
    top = float(np.linalg.norm(Xc.T @ Xc))

    def ridge(alpha):
        return Ridge(alpha=alpha, fit_intercept=False).fit(Xc, yc).coef_

    def lasso(alpha):
        return Lasso(alpha=alpha, fit_intercept=False, tol=1e-14, max_iter=100000).fit(
            Xc, yc).coef_

    if np.linalg.norm(ols) <= radius:
        w_ridge, a_ridge = ols, 0.0
    else:
        a_ridge = _bisect_alpha(lambda a: np.linalg.norm(ridge(a)), radius, 1e-12 * top,
                                1e6 * top)
        w_ridge = ridge(a_ridge)
    if np.abs(ols).sum() <= radius:
        w_lasso, a_lasso = ols, 0.0
    else:
        a_max = float(np.abs(Xc.T @ yc).max() / len(yc))
        a_lasso = _bisect_alpha(lambda a: np.abs(lasso(a)).sum(), radius, 1e-12 * a_max, a_max)
        w_lasso = lasso(a_lasso)
    return ConstraintGeometry(Xc, yc, float(radius), ols, w_ridge, float(a_ridge), w_lasso,
                              float(a_lasso))
