"""Ridge against the NumPy references and scikit-learn: primal, dual (n < d), QR, per-target
alpha."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_regression, rel_err, tolerance

import linreg
from linreg import _core

import reference as ref


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("k", [None, 2])
@pytest.mark.parametrize("solver", ["auto", "cholesky", "qr"])
def test_parity_with_reference(dtype, order, fit_intercept, weighted, k, solver):
    X, y, _ = make_regression(n=200, d=7, k=k, dtype=dtype, order=order, mean=-4.0)
    w = np.random.default_rng(2).uniform(0.2, 2.0, 200) if weighted else None
    model = linreg.Ridge(alpha=3.0, fit_intercept=fit_intercept, solver=solver).fit(
        X, y, sample_weight=w
    )
    coef, intercept = ref.normal_equations(X, y, 3.0, sample_weight=w,
                                           fit_intercept=fit_intercept)
    assert model.coef_.dtype == dtype
    assert rel_err(model.coef_, coef.T) < tolerance(dtype)
    if fit_intercept:
        assert rel_err(np.atleast_1d(model.intercept_), np.atleast_1d(intercept)) < tolerance(
            dtype) * 10


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_dual_path_for_wide_data(dtype, order, fit_intercept, weighted):
    X, y, _ = make_regression(n=60, d=800, k=2, dtype=dtype, order=order, mean=1.0)
    w = np.random.default_rng(3).uniform(0.2, 2.0, 60) if weighted else None
    model = linreg.Ridge(alpha=0.7, fit_intercept=fit_intercept).fit(X, y, sample_weight=w)
    assert model.solver_ == "dual-cholesky"
    coef, intercept = ref.ridge_augmented(X, y, 0.7, sample_weight=w, fit_intercept=fit_intercept)
    assert rel_err(model.coef_, coef.T) < tolerance(dtype) * 10
    qr = linreg.Ridge(alpha=0.7, fit_intercept=fit_intercept, solver="qr").fit(
        X, y, sample_weight=w)
    assert qr.solver_ == "qr"
    assert rel_err(qr.coef_, coef.T) < tolerance(dtype) * 10


def test_per_target_alpha():
    X, y, _ = make_regression(n=150, d=5, k=3)
    alphas = np.array([0.0, 1.0, 100.0])
    model = linreg.Ridge(alpha=alphas).fit(X, y)
    for t, a in enumerate(alphas):
        coef, intercept = ref.normal_equations(X, y[:, t], a)
        assert rel_err(model.coef_[t], coef) < 1e-10
        assert abs(model.intercept_[t] - intercept) < 1e-9


def test_per_target_alpha_on_gram_path():
    X, y, _ = make_regression(n=3000, d=30, k=3, order="F")
    alphas = np.array([0.5, 5.0, 0.5])
    res = _core.fit_normal_equations(X, np.asfortranarray(y), np.empty(0), alphas, True, "auto",
                                     2, 0.0)
    for t, a in enumerate(alphas):
        coef, _ = ref.normal_equations(X, y[:, t], a)
        assert rel_err(res.coef[:, t], coef) < 1e-10


def test_ridge_regularises_a_singular_design():
    """Ridge makes a singular X'X invertible: no warning, unique answer."""
    rng = np.random.default_rng(9)
    X = rng.standard_normal((40, 3))
    X = np.c_[X, X[:, 0]]
    y = rng.standard_normal(40)
    model = linreg.Ridge(alpha=0.5, solver="cholesky").fit(X, y)
    coef, _ = ref.normal_equations(X, y, 0.5)
    assert rel_err(model.coef_, coef) < 1e-10
    assert model.coef_[0] == pytest.approx(model.coef_[3], rel=1e-10)


def test_alpha_zero_is_ols():
    X, y, _ = make_regression(n=100, d=4)
    a = linreg.Ridge(alpha=0.0).fit(X, y)
    b = linreg.LinearRegression().fit(X, y)
    assert rel_err(a.coef_, b.coef_) < 1e-13


@pytest.mark.parametrize("shape", [(300, 8), (40, 120)])
def test_against_sklearn(dtype, order, shape):
    sk = pytest.importorskip("sklearn.linear_model")
    n, d = shape
    X, y, _ = make_regression(n=n, d=d, dtype=dtype, order=order)
    w = np.random.default_rng(1).uniform(0.5, 2.0, n)
    ours = linreg.Ridge(alpha=2.5).fit(X, y, sample_weight=w)
    theirs = sk.Ridge(alpha=2.5, solver="cholesky").fit(X.astype(np.float64),
                                                         y.astype(np.float64), sample_weight=w)
    assert rel_err(ours.coef_, theirs.coef_) < tolerance(dtype) * 10
    assert abs(ours.intercept_ - theirs.intercept_) < tolerance(dtype) * 100 * (
        1 + abs(theirs.intercept_))


def test_large_systems_blocked_cholesky_primal_and_dual():
    """Systems above 512 unknowns go through the threaded blocked Cholesky."""
    X, y, _ = make_regression(n=3000, d=700, k=2, mean=2.0, seed=11)
    model = linreg.Ridge(alpha=5.0).fit(X, y)
    assert model.solver_ == "cholesky"
    coef, intercept = ref.normal_equations(X, y, 5.0)
    assert rel_err(model.coef_, coef.T) < 1e-9
    # cond_ is the square root of Hager's 1-norm estimate for the scaled penalised Gram
    Xc = X - X.mean(0)
    G = Xc.T @ Xc
    s = 1 / np.sqrt(np.diag(G))
    C = G * s[:, None] * s[None, :] + 5.0 * np.diag(s**2)
    kappa = np.sqrt(np.linalg.cond(C, 1))
    assert kappa / 3 <= model.cond_ <= kappa * 1.0001

    Xw, yw, _ = make_regression(n=700, d=1600, order="F", seed=12)
    wide = linreg.Ridge(alpha=3.0).fit(Xw, yw)
    assert wide.solver_ == "dual-cholesky"
    coef, _ = ref.normal_equations(Xw, yw, 3.0)
    assert rel_err(wide.coef_, coef) < 1e-9


def test_blocked_cholesky_reports_singular_matrix():
    rng = np.random.default_rng(13)
    X = rng.standard_normal((2000, 600))
    X[:, 599] = X[:, 0] - X[:, 1]
    with pytest.raises(np.linalg.LinAlgError, match="Cholesky"):
        linreg.LinearRegression(solver="cholesky").fit(X, rng.standard_normal(2000))
