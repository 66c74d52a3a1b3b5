"""scikit-learn's own estimator checks, and use inside its tools."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import linreg

sklearn = pytest.importorskip("sklearn")
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402


# linreg does not depend on scikit-learn, so its estimators do not inherit from BaseEstimator;
# scikit-learn says so in a UserWarning, expected here and nowhere else.
NOT_BASE_ESTIMATOR = "ignore:Estimator .* does not inherit from `sklearn.base.BaseEstimator`"
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Estimator .* does not inherit from")
    _checks = parametrize_with_checks([
        linreg.LinearRegression(), linreg.Ridge(),
        linreg.LinearRegression(solver="gd", momentum="nesterov"),
        linreg.Ridge(solver="sgd", random_state=0),
        linreg.Lasso(), linreg.ElasticNet(), linreg.LassoCV(), linreg.ElasticNetCV(),
        linreg.Lasso(precompute=False, selection="random", random_state=0),
        linreg.ElasticNet(solver="fista"),
        linreg.RidgeCV(), linreg.RidgeCV(cv=3, alphas=(0.0, 1.0)),
    ])


# scikit-learn's generic checks fit tiny random designs, some of them rank-deficient, and some
# with a handful of iterations (max_iter=1 or 2): the rank and convergence warnings are right
# there, and not what those checks are about.
@pytest.mark.filterwarnings(NOT_BASE_ESTIMATOR)
@pytest.mark.filterwarnings("ignore::linreg.RankDeficientWarning")
@pytest.mark.filterwarnings("ignore::linreg.ConvergenceWarning")
@_checks
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_pipeline_and_grid_search():
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 5))
    y = X @ np.array([1.0, 0.0, -1.0, 2.0, 0.5]) + 0.1 * rng.standard_normal(120)
    pipe = make_pipeline(StandardScaler(), linreg.Ridge())
    grid = GridSearchCV(pipe, {"ridge__alpha": [0.01, 1.0, 100.0]}, cv=3).fit(X, y)
    assert grid.best_params_["ridge__alpha"] in (0.01, 1.0)
    assert grid.score(X, y) > 0.95


def test_clone_and_repr():
    from sklearn.base import clone

    est = linreg.Ridge(alpha=2.0, solver="qr")
    twin = clone(est)
    assert twin.get_params() == est.get_params()
    assert repr(est) == "Ridge(alpha=2.0, solver='qr')"
