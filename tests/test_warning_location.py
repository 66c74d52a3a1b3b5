"""Every warning linreg issues is attributed to the caller's line, not to a line inside the
package: ``warnings`` shows (and filters by) the file and line of the frame it is given, and a
fixed ``stacklevel`` is right for one call path only."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from conftest import make_regression

import linreg
from linreg._inference import InferenceWarning


def _rank_deficient(n=80):
    X, y, _ = make_regression(n=n, d=4, seed=3)
    return np.c_[X, X[:, 0] + X[:, 1]], y


def _ill_conditioned():
    x = np.random.default_rng(0).uniform(size=40)
    return np.vander(x, 12, increasing=True)[:, 1:], np.sin(3 * x)


def _sparse():
    X, y, _ = make_regression(n=200, d=30, seed=4)
    return X, y


def _gram_fallback():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((120000, 30))  # n p^2 > 1e8: auto plans the normal equations
    X[:, 4] = X[:, 0] + X[:, 1]
    linreg.LinearRegression().fit(X, X @ np.arange(30.0))


def _statistics_cd():
    X, y = _sparse()
    linreg.Lasso(alpha=0.01, max_iter=1, tol=0.0).fit_statistics(linreg.gram_statistics(X, y))


def _feature_names():
    pd = pytest.importorskip("pandas")
    X, y, _ = make_regression(n=50, d=3, seed=5)
    model = linreg.LinearRegression().fit(pd.DataFrame(X, columns=["a", "b", "c"]), y)
    model.predict(X)


CASES = {
    "closed form, rank-deficient": (
        linreg.RankDeficientWarning, lambda: linreg.LinearRegression().fit(*_rank_deficient())),
    "closed form, Cholesky left for QR": (linreg.IllConditionedWarning, _gram_fallback),
    "gd, not converged": (
        linreg.ConvergenceWarning,
        lambda: linreg.LinearRegression(solver="gd", max_iter=2).fit(*_ill_conditioned())),
    "sgd, not converged": (
        linreg.ConvergenceWarning,
        lambda: linreg.Ridge(solver="sgd", max_iter=1, tol=1e-12, random_state=0).fit(
            *_sparse())),
    "RidgeCV, eigendecomposition left for the SVD": (
        linreg.IllConditionedWarning,
        lambda: linreg.RidgeCV(alphas=[1e-10, 1e-2]).fit(*_ill_conditioned())),
    "Lasso, not converged": (
        linreg.ConvergenceWarning,
        lambda: linreg.Lasso(alpha=0.01, max_iter=1, tol=0.0).fit(*_sparse())),
    "enet_path, not converged": (
        linreg.ConvergenceWarning,
        lambda: linreg.enet_path(*_sparse(), max_iter=1, tol=0.0, n_alphas=5)),
    "ElasticNetCV, a fold not converged": (
        linreg.ConvergenceWarning,
        lambda: linreg.ElasticNetCV(max_iter=1, tol=0.0, n_alphas=5, cv=3).fit(*_sparse())),
    "ElasticNetCV, column-vector y": (
        linreg.LinregWarning,
        lambda: linreg.ElasticNetCV(n_alphas=5, cv=3).fit(_sparse()[0], _sparse()[1][:, None])),
    "BayesianRidge, not converged": (
        linreg.ConvergenceWarning, lambda: linreg.BayesianRidge(max_iter=3).fit(*_sparse())),
    "BayesianRidge, column-vector y": (
        linreg.LinregWarning,
        lambda: linreg.BayesianRidge().fit(_sparse()[0], _sparse()[1][:, None])),
    "inference, parameters not identifiable": (
        InferenceWarning,
        lambda: linreg.LinearRegression().fit(*_rank_deficient()).inference()),
    "inference, no residual degrees of freedom": (
        InferenceWarning,
        lambda: linreg.LinearRegression().fit(*make_regression(n=5, d=4)[:2]).inference()),
    "statistics, singular Gram": (
        linreg.RankDeficientWarning,
        lambda: linreg.gram_statistics(*_rank_deficient()).solve()),
    "statistics, coordinate descent not converged": (linreg.ConvergenceWarning, _statistics_cd),
    "predict, feature names missing": (UserWarning, _feature_names),
}


@pytest.mark.parametrize("case", list(CASES))
def test_warning_points_at_the_callers_line(case):
    category, call = CASES[case]
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        call()
    ours = [w for w in record if issubclass(w.category, category)]
    assert ours, f"{case}: no {category.__name__} was issued"
    for w in ours:
        assert w.filename == __file__, f"{case}: attributed to {w.filename}:{w.lineno}"


def test_warning_filters_by_the_callers_module_apply():
    """A filter on the calling module (what the attribution is for) silences the warning."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=linreg.ConvergenceWarning,
                                module=re.escape(__name__))
        linreg.LinearRegression(solver="gd", max_iter=2).fit(*_ill_conditioned())
    assert not [w for w in record if issubclass(w.category, linreg.ConvergenceWarning)]
