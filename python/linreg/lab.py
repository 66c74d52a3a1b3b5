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


# -- the probabilistic view ---------------------------------------------------------------------

@dataclass
class LikelihoodFit:
    r"""What :func:`fit_by_likelihood` found by numerical optimisation."""

    coef: np.ndarray
    intercept: float
    sigma2: float
    objective: float
    n_iter: int
    grad_norm: float


def _bfgs(fun, x0, max_iter=500, gtol=1e-9):
    """Minimise ``fun`` (returning value and gradient) by BFGS with Armijo backtracking."""
    x = np.asarray(x0, dtype=np.float64).copy()
    f, g = fun(x)
    H = np.eye(x.size)
    g0 = max(np.linalg.norm(g), 1e-300)
    it = 0
    for it in range(1, max_iter + 1):
        p = -H @ g
        if g @ p >= 0:  # not a descent direction: restart from steepest descent
            H = np.eye(x.size)
            p = -g
        step = 1.0
        while True:
            x_new = x + step * p
            f_new, g_new = fun(x_new)
            if np.isfinite(f_new) and f_new <= f + 1e-4 * step * (g @ p):
                break
            step *= 0.5
            if step < 1e-20:
                return x, f, g, it
        s, yk = x_new - x, g_new - g
        stalled = abs(f - f_new) <= 4 * np.finfo(np.float64).eps * abs(f)
        x, f, g = x_new, f_new, g_new
        if np.linalg.norm(g) <= gtol * g0 or (stalled and np.linalg.norm(g) <= 1e-8 * g0):
            break  # converged, or at the rounding floor of f
        sy = s @ yk
        if sy > 1e-300:
            rho = 1.0 / sy
            V = np.eye(x.size) - rho * np.outer(s, yk)
            H = V @ H @ V.T + rho * np.outer(s, s)
    return x, f, g, it


def fit_by_likelihood(X, y, *, prior_variance=None, sigma2=None, max_iter=500):
    r"""Maximise the Gaussian likelihood (or posterior) numerically, without the closed form.

    The model :math:`y_i = b + x_i^\top w + \varepsilon_i`, :math:`\varepsilon_i \sim
    N(0, \sigma^2)`. Without ``prior_variance`` this minimises the negative log-likelihood

    .. math:: \frac n2 \log(2\pi\sigma^2) + \frac{1}{2\sigma^2}\lVert y - b - Xw\rVert^2

    over :math:`(b, w, \log\sigma^2)` by BFGS: the maximum is the least-squares line, with
    :math:`\sigma^2 = \mathrm{RSS}/n`. With ``prior_variance`` :math:`\tau^2` (the prior
    :math:`w \sim N(0, \tau^2 I)`, ``b`` flat) and a fixed ``sigma2`` it minimises the negative
    log-posterior, adding :math:`\lVert w\rVert^2 / (2\tau^2)`: the maximum (MAP) is Ridge with
    ``alpha = sigma2 / prior_variance``. The features are standardised inside (and the answer
    mapped back) so the optimiser sees a round problem.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    prior_variance : float, optional
        :math:`\tau^2 > 0`; needs ``sigma2``.
    sigma2 : float, optional
        A fixed noise variance (required with a prior; estimated otherwise).
    max_iter : int, default=500

    Returns
    -------
    LikelihoodFit
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.ndim != 1 or len(y) != len(X):
        raise ValueError(f"X must be 2-D and y 1-D of the same length, got {X.shape} and "
                         f"{y.shape}")
    if prior_variance is not None and (sigma2 is None or not prior_variance > 0):
        raise ValueError("a prior needs prior_variance > 0 and a fixed sigma2 > 0")
    if sigma2 is not None and not sigma2 > 0:
        raise ValueError(f"sigma2 must be > 0, got {sigma2!r}")
    n, d = X.shape
    mu, sd = X.mean(axis=0), X.std(axis=0)
    sd[sd == 0] = 1.0
    Z = (X - mu) / sd
    ym, ys = y.mean(), max(y.std(), 1e-300)
    t = (y - ym) / ys                           # the problem in standard units
    prec = np.zeros(d) if prior_variance is None else ys**2 / (prior_variance * sd**2)

    def negloglik(theta):
        b, v = theta[0], theta[1:1 + d]
        if sigma2 is None:
            log_s2 = theta[-1]
        else:
            log_s2 = np.log(sigma2 / ys**2)
        r = t - b - Z @ v
        s2 = np.exp(log_s2)
        f = 0.5 * n * (np.log(2 * np.pi) + log_s2) + 0.5 * (r @ r) / s2 + 0.5 * prec @ (v * v)
        g = np.empty_like(theta)
        g[0] = -r.sum() / s2
        g[1:1 + d] = -(Z.T @ r) / s2 + prec * v
        if sigma2 is None:
            g[-1] = 0.5 * n - 0.5 * (r @ r) / s2
        return f, g

    x0 = np.zeros(1 + d + (sigma2 is None))
    theta, f, g, it = _bfgs(negloglik, x0, max_iter=max_iter)
    coef = theta[1:1 + d] * ys / sd
    intercept = float(ym + ys * theta[0] - mu @ coef)
    s2 = float(np.exp(theta[-1]) * ys**2) if sigma2 is None else float(sigma2)
    # the density of y is that of t divided by ys per observation
    objective = float(f) + n * np.log(ys)
    return LikelihoodFit(coef, intercept, s2, objective, int(it), float(np.linalg.norm(g)))


@dataclass
class GaussianPosterior:
    r"""The posterior of ``w`` under :math:`y \sim N(b + Xw, \sigma^2 I)`,
    :math:`w \sim N(0, \tau^2 I)`: Gaussian with mean = Ridge(alpha = sigma^2 / tau^2) and
    covariance :math:`\sigma^2 (X_c'X_c + \alpha I)^{-1}`."""

    mean: np.ndarray
    cov: np.ndarray
    intercept: float
    alpha: float
    sigma2: float
    effective_dof: float

    def credible_interval(self, level=0.95):
        """Equal-tailed ``level`` credible intervals of each coefficient, (n_features, 2)."""
        from ._distributions import t_ppf

        # the Gaussian quantile: the t quantile with infinitely many degrees is approximated
        # by a very large df (exact to ~1e-10)
        z = float(t_ppf(0.5 + level / 2.0, 1e12))
        sd = np.sqrt(np.diag(self.cov))
        return np.c_[self.mean - z * sd, self.mean + z * sd]


def gaussian_posterior(X, y, alpha, sigma2=None, *, fit_intercept=True):
    r"""The Bayesian reading of Ridge at a fixed alpha.

    With Gaussian noise of variance :math:`\sigma^2` and the prior :math:`w \sim N(0, \tau^2 I)`,
    :math:`\alpha = \sigma^2/\tau^2`, the posterior of ``w`` is Gaussian with mean
    :class:`linreg.Ridge` ``(alpha).coef_`` and covariance
    :math:`\sigma^2 (X_c^\top X_c + \alpha I)^{-1}`; the effective degrees of freedom are
    :math:`\sum_j \lambda_j / (\lambda_j + \alpha)` over the eigenvalues of
    :math:`X_c^\top X_c`. ``sigma2`` defaults to the residual variance
    :math:`\mathrm{RSS} / (n - \mathrm{dof} - 1)`.

    Returns
    -------
    GaussianPosterior
    """
    from ._statistics import gram_statistics
    from .ridge import Ridge

    if not (np.isscalar(alpha) and alpha > 0):
        raise ValueError(f"alpha must be a number > 0, got {alpha!r}")
    model = Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X, y)
    stats = gram_statistics(X, y, fit_intercept=fit_intercept)
    G = np.asarray(stats.xx, dtype=np.float64)
    lam, V = np.linalg.eigh(G)
    lam = np.maximum(lam, 0.0)
    dof = float((lam / (lam + alpha)).sum())
    if sigma2 is None:
        r = np.asarray(y, np.float64) - model.predict(X)
        sigma2 = float(r @ r / max(len(r) - dof - int(fit_intercept), 1e-300))
    cov = sigma2 * (V / (lam + alpha)) @ V.T
    return GaussianPosterior(np.asarray(model.coef_, np.float64), cov, float(model.intercept_),
                             float(alpha), float(sigma2), dof)
