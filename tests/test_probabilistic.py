"""The probabilistic view: maximum likelihood is least squares, the MAP under a Gaussian prior is
Ridge, and Ridge's Gaussian posterior."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import rel_err

import linreg
from linreg.lab import fit_by_likelihood, gaussian_posterior


def data(n=60, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * [1.0, 3.0, 0.5][:d] + 4.0
    y = X @ rng.uniform(-2, 2, d) + 3.0 + 0.4 * rng.standard_normal(n)
    return X, y


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_maximum_likelihood_is_least_squares(seed):
    X, y = data(seed=seed)
    mle = fit_by_likelihood(X, y)
    ols = linreg.LinearRegression().fit(X, y)
    assert rel_err(mle.coef, ols.coef_) < 1e-7
    assert mle.intercept == pytest.approx(ols.intercept_, rel=1e-7)
    rss = float(np.sum((y - ols.predict(X)) ** 2))
    assert mle.sigma2 == pytest.approx(rss / len(y), rel=1e-7)      # the MLE, not RSS/(n-p)
    # and the likelihood there is the one inference reports
    assert -mle.objective == pytest.approx(ols.inference().llf, rel=1e-10)


@pytest.mark.parametrize("tau2, sigma2", [(0.01, 0.16), (1.0, 0.16), (0.05, 2.0)])
def test_map_under_gaussian_prior_is_ridge(tau2, sigma2):
    X, y = data(seed=3)
    fit = fit_by_likelihood(X, y, prior_variance=tau2, sigma2=sigma2)
    ridge = linreg.Ridge(alpha=sigma2 / tau2).fit(X, y)
    assert rel_err(fit.coef, ridge.coef_) < 1e-7
    assert fit.intercept == pytest.approx(ridge.intercept_, rel=1e-7)


def test_gaussian_posterior_of_ridge():
    X, y = data(n=40, seed=4)
    post = gaussian_posterior(X, y, alpha=5.0, sigma2=0.3)
    ridge = linreg.Ridge(alpha=5.0).fit(X, y)
    assert rel_err(post.mean, ridge.coef_) < 1e-12
    Xc = X - X.mean(axis=0)
    A = Xc.T @ Xc + 5.0 * np.eye(3)
    assert rel_err(post.cov, 0.3 * np.linalg.inv(A)) < 1e-10
    H = Xc @ np.linalg.solve(A, Xc.T)
    assert post.effective_dof == pytest.approx(np.trace(H), rel=1e-10)
    est = gaussian_posterior(X, y, alpha=5.0)
    r = y - ridge.predict(X)
    assert est.sigma2 == pytest.approx(r @ r / (40 - np.trace(H) - 1), rel=1e-10)


def test_credible_intervals_are_gaussian_quantiles():
    stats = pytest.importorskip("scipy.stats")
    X, y = data(n=40, seed=5)
    post = gaussian_posterior(X, y, alpha=2.0, sigma2=0.5)
    sd = np.sqrt(np.diag(post.cov))
    for level in (0.5, 0.9, 0.99):
        z = stats.norm.ppf(0.5 + level / 2)
        assert rel_err(post.credible_interval(level), np.c_[post.mean - z * sd,
                                                            post.mean + z * sd]) < 1e-10


def test_bad_arguments():
    X, y = data()
    with pytest.raises(ValueError, match="prior"):
        fit_by_likelihood(X, y, prior_variance=1.0)
    with pytest.raises(ValueError, match="sigma2 must be > 0"):
        fit_by_likelihood(X, y, sigma2=-1.0)
    with pytest.raises(ValueError, match="alpha must be a number > 0"):
        gaussian_posterior(X, y, alpha=0.0)
