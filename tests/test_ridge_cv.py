"""RidgeCV: exact leave-one-out, GCV and k-fold from one decomposition, against brute-force NumPy
leave-one-out and scikit-learn's RidgeCV."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_regression, rel_err

import linreg

import reference as ref

ALPHAS = np.logspace(-3, 3, 7)


def _data(n, d, k=None, dtype=np.float64, order="C", seed=0):
    X, y, _ = make_regression(n=n, d=d, k=k, dtype=dtype, order=order, seed=seed, mean=2.0,
                              noise=1.0)
    return X, y


@pytest.mark.parametrize("shape", [(40, 5), (25, 60)], ids=["tall", "wide"])
@pytest.mark.parametrize("gcv_mode", [None, "eigen", "svd"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_loo_equals_brute_force(shape, gcv_mode, fit_intercept, weighted):
    n, d = shape
    X, y = _data(n, d)
    w = np.random.default_rng(1).uniform(0.3, 3.0, n) if weighted else None
    cv = linreg.RidgeCV(alphas=ALPHAS, gcv_mode=gcv_mode, fit_intercept=fit_intercept,
                        store_cv_results=True).fit(X, y, sample_weight=w)
    s = np.ones(n) if w is None else w
    mse = []
    for j, alpha in enumerate(ALPHAS):
        e = ref.ridge_loo_errors(X, y, alpha, w, fit_intercept)
        assert rel_err(cv.cv_results_[:, j], s * e**2) < 1e-7
        mse.append(s @ e**2 / s.sum())
    assert rel_err(cv.mse_path_, mse) < 1e-7
    best = int(np.argmin(mse))
    assert cv.alpha_ == ALPHAS[best]
    assert cv.best_score_ == pytest.approx(-mse[best] * s.sum() / n, rel=1e-7)
    coef, intercept = ref.ridge_augmented(X, y, ALPHAS[best], w, fit_intercept)
    assert rel_err(cv.coef_, coef) < 1e-8
    assert cv.intercept_ == pytest.approx(intercept, rel=1e-8, abs=1e-10)
    assert cv.decomposition_ == {None: "cov-eigen" if n > d else "gram-eigen",
                                 "eigen": "cov-eigen" if n > d else "gram-eigen",
                                 "svd": "svd"}[gcv_mode]


@pytest.mark.parametrize("shape", [(40, 5), (25, 60)], ids=["tall", "wide"])
@pytest.mark.parametrize("weighted", [False, True])
def test_gcv_equals_reference(shape, weighted):
    n, d = shape
    X, y = _data(n, d, seed=3)
    w = np.random.default_rng(2).uniform(0.3, 3.0, n) if weighted else None
    cv = linreg.RidgeCV(alphas=ALPHAS, criterion="gcv").fit(X, y, sample_weight=w)
    gcv = [ref.ridge_gcv(X, y, a, w) for a in ALPHAS]
    # wide, alpha = 1e-3: the reference solves with Z'Z + P of condition ~1e7 (rank n + alpha I)
    assert rel_err(cv.mse_path_, gcv) < (1e-6 if n < d else 1e-8)
    assert cv.alpha_ == ALPHAS[int(np.argmin(gcv))]
    assert cv.criterion_ == "gcv"


def test_effective_degrees_of_freedom_is_trace_of_hat():
    X, y = _data(30, 4)
    cv = linreg.RidgeCV(alphas=[2.0]).fit(X, y)
    Z = np.c_[np.ones(30), X]
    P = 2.0 * np.eye(5)
    P[0, 0] = 0
    H = Z @ np.linalg.solve(Z.T @ Z + P, Z.T)
    assert cv.effective_dof_ == pytest.approx(np.trace(H), rel=1e-10)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_multi_target_and_alpha_per_target(dtype, order):
    X, Y = _data(50, 6, k=3, dtype=dtype, order=order)
    Y = Y * np.array([1.0, 10.0, 0.1], dtype=dtype)
    per = linreg.RidgeCV(alphas=ALPHAS, alpha_per_target=True, store_cv_results=True).fit(X, Y)
    assert per.cv_results_.shape == (50, 3, len(ALPHAS))
    assert per.coef_.shape == (3, 6) and per.coef_.dtype == dtype
    for t in range(3):
        one = linreg.RidgeCV(alphas=ALPHAS).fit(X, Y[:, t])
        assert per.alpha_[t] == one.alpha_
        assert rel_err(per.coef_[t], one.coef_) < (1e-4 if dtype == np.float32 else 1e-10)
    joint = linreg.RidgeCV(alphas=ALPHAS).fit(X, Y)
    assert np.ndim(joint.alpha_) == 0
    assert joint.alpha_ == ALPHAS[int(np.argmin(joint.mse_path_.mean(axis=1)))]


@pytest.mark.parametrize("weighted", [False, True])
def test_kfold_equals_refits(weighted):
    X, y = _data(60, 5, seed=4)
    w = np.random.default_rng(5).uniform(0.3, 3.0, 60) if weighted else None
    alphas = np.r_[0.0, ALPHAS]
    cv = linreg.RidgeCV(alphas=alphas, cv=4).fit(X, y, sample_weight=w)
    folds = np.array_split(np.arange(60), 4)
    mse = np.zeros((len(alphas), 4))
    for f, test in enumerate(folds):
        train = np.setdiff1d(np.arange(60), test)
        for j, alpha in enumerate(alphas):
            coef, b = ref.ridge_augmented(X[train], y[train], alpha,
                                          None if w is None else w[train])
            err = (y[test] - X[test] @ coef - b) ** 2
            mse[j, f] = np.average(err, weights=None if w is None else w[test])
    assert rel_err(cv.mse_path_, mse) < 1e-8
    assert cv.alpha_ == alphas[int(np.argmin(mse.mean(axis=1)))]
    coef, _ = ref.ridge_augmented(X, y, cv.alpha_, w)
    assert rel_err(cv.coef_, coef) < 1e-8


def test_kfold_with_splitter_and_f_order():
    X, y = _data(45, 4, order="F", seed=6)
    rng = np.random.default_rng(0)
    perm = rng.permutation(45)
    splits = [(np.setdiff1d(perm, perm[i::3]), perm[i::3]) for i in range(3)]
    a = linreg.RidgeCV(alphas=ALPHAS, cv=splits).fit(X, y)
    b = linreg.RidgeCV(alphas=ALPHAS, cv=3).fit(np.ascontiguousarray(X), y)
    assert a.mse_path_.shape == b.mse_path_.shape == (len(ALPHAS), 3)
    for f, (train, test) in enumerate(splits):
        coef, icpt = ref.ridge_augmented(X[train], y[train], ALPHAS[2])
        mse = np.mean((y[test] - X[test] @ coef - icpt) ** 2)
        assert a.mse_path_[2, f] == pytest.approx(mse, rel=1e-9)


def test_ill_conditioned_switches_to_svd_with_a_warning():
    rng = np.random.default_rng(0)
    x = rng.uniform(size=40)
    X = np.vander(x, 12, increasing=True)[:, 1:]  # raw powers: Gram condition ~1e16
    y = np.sin(3 * x) + 0.01 * rng.standard_normal(40)
    alphas = [1e-10, 1e-6, 1e-2]
    with pytest.warns(linreg.IllConditionedWarning, match="condition number .* SVD"):
        cv = linreg.RidgeCV(alphas=alphas, store_cv_results=True).fit(X, y)
    assert cv.decomposition_ == "svd"
    for j, alpha in enumerate(alphas):
        e = ref.ridge_loo_errors(X, y, alpha)
        assert rel_err(cv.cv_results_[:, j], e**2) < 1e-5


def test_float32_input_agrees_with_float64():
    X, y = _data(80, 5)
    a = linreg.RidgeCV(alphas=ALPHAS).fit(X.astype(np.float32), y.astype(np.float32))
    b = linreg.RidgeCV(alphas=ALPHAS).fit(X.astype(np.float32).astype(np.float64),
                                          y.astype(np.float32).astype(np.float64))
    assert a.alpha_ == b.alpha_
    assert a.coef_.dtype == np.float32
    assert rel_err(a.mse_path_, b.mse_path_) < 1e-5  # the Gram blocks are float32 products


@pytest.mark.parametrize("shape", [(60, 8), (20, 50)], ids=["tall", "wide"])
@pytest.mark.parametrize("weighted", [False, True])
def test_parity_with_scikit_learn(shape, weighted):
    sk = pytest.importorskip("sklearn.linear_model")
    n, d = shape
    X, y = _data(n, d, k=2, seed=7)
    w = np.random.default_rng(8).uniform(0.3, 3.0, n) if weighted else None
    ours = linreg.RidgeCV(alphas=ALPHAS, store_cv_results=True).fit(X, y, sample_weight=w)
    theirs = sk.RidgeCV(alphas=ALPHAS, store_cv_results=True).fit(X, y, sample_weight=w)
    assert ours.alpha_ == theirs.alpha_
    assert ours.best_score_ == pytest.approx(theirs.best_score_, rel=1e-9)
    assert rel_err(ours.cv_results_, theirs.cv_results_) < 1e-7
    assert rel_err(ours.coef_, theirs.coef_) < 1e-9
    assert rel_err(ours.intercept_, theirs.intercept_) < 1e-9
    k_ours = linreg.RidgeCV(alphas=ALPHAS, cv=5).fit(X, y[:, 0])
    k_theirs = sk.RidgeCV(alphas=ALPHAS, cv=5, scoring="neg_mean_squared_error").fit(X, y[:, 0])
    assert k_ours.alpha_ == k_theirs.alpha_
    assert k_ours.best_score_ == pytest.approx(k_theirs.best_score_, rel=1e-9)


@pytest.mark.parametrize("params, match", [
    ({"alphas": [1.0, 0.0]}, "alphas must be > 0"),
    ({"alphas": [1.0, -1.0], "cv": 3}, "alphas must be >= 0"),
    ({"alphas": []}, "at least one"),
    ({"alphas": "big"}, "alphas must be a number"),
    ({"criterion": "aic"}, "criterion must be one of"),
    ({"gcv_mode": "qr"}, "gcv_mode must be one of"),
    ({"scoring": "r2"}, "scoring"),
    ({"cv": 3, "store_cv_results": True}, "store_cv_results=True needs cv=None"),
    ({"cv": 3, "alpha_per_target": True}, "alpha_per_target=True needs cv=None"),
    ({"cv": 1}, "cv must be >= 2"),
])
def test_bad_parameters(params, match):
    X, y = _data(20, 3)
    with pytest.raises((ValueError, TypeError), match=match):
        linreg.RidgeCV(**params).fit(X, y)


def test_bad_input_and_inputs_unchanged():
    X, y = _data(20, 3)
    X0, y0 = X.copy(), y.copy()
    linreg.RidgeCV().fit(X, y)
    assert np.array_equal(X, X0) and np.array_equal(y, y0)
    Xn = X.copy()
    Xn[3, 1] = np.nan
    with pytest.raises(ValueError, match="X contains 1 NaN"):
        linreg.RidgeCV().fit(Xn, y)
    cv = linreg.RidgeCV().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        cv.predict(X[:, :2])
