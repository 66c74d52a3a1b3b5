"""LinearRegression against the NumPy references and scikit-learn, over dtype x order x
fit_intercept x weights x targets, on every solver path."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_regression, rel_err, tolerance

import linreg
from linreg import _core

import reference as ref


def _weights(n, kind, seed=1):
    if kind is None:
        return None
    rng = np.random.default_rng(seed)
    return rng.uniform(0.1, 3.0, n)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weights", [None, "uniform"])
@pytest.mark.parametrize("k", [None, 3])
@pytest.mark.parametrize("solver", ["auto", "cholesky", "qr"])
def test_parity_with_reference(dtype, order, fit_intercept, weights, k, solver):
    X, y, _ = make_regression(n=300, d=6, k=k, dtype=dtype, order=order, mean=3.0)
    w = _weights(len(X), weights)
    model = linreg.LinearRegression(fit_intercept=fit_intercept, solver=solver).fit(
        X, y, sample_weight=w
    )
    coef, intercept = ref.normal_equations(X, y, sample_weight=w, fit_intercept=fit_intercept)
    tol = tolerance(dtype)
    assert model.coef_.dtype == dtype
    assert model.coef_.shape == ((6,) if k is None else (3, 6))
    assert rel_err(model.coef_, coef.T) < tol
    assert rel_err(np.atleast_1d(model.intercept_), np.atleast_1d(intercept)) < tol * 10 or (
        not fit_intercept and np.all(np.asarray(model.intercept_) == 0)
    )
    assert model.rank_ == 6
    assert model.solver_ == ("qr" if solver in ("auto", "qr") else "cholesky")


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weights", [None, "uniform"])
def test_gram_path_matches_reference(dtype, order, fit_intercept, weights):
    """The normal-equations path of solver='auto' (forced by a zero QR budget)."""
    X, y, _ = make_regression(n=5000, d=40, k=2, dtype=dtype, order=order, mean=10.0)
    w = _weights(len(X), weights)
    Y = np.asfortranarray(y)
    res = _core.fit_normal_equations(
        X, Y, np.empty(0) if w is None else w, np.zeros(2), fit_intercept, "auto", 2, 0.0
    )
    assert res.solver.startswith("cholesky")
    coef, intercept = ref.normal_equations(X, y, sample_weight=w, fit_intercept=fit_intercept)
    assert rel_err(res.coef, coef) < tolerance(dtype)


def test_auto_refines_when_condition_asks():
    """Moderately ill-conditioned design: auto adds refinement passes and reaches full accuracy."""
    rng = np.random.default_rng(3)
    n = 20000
    base = rng.standard_normal(n)
    X = np.c_[base, base + 1e-4 * rng.standard_normal(n), rng.standard_normal(n)]
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.01 * rng.standard_normal(n)
    Y = np.asfortranarray(y[:, None])
    res = _core.fit_normal_equations(X, Y, np.empty(0), np.zeros(1), True, "auto", 2, 0.0)
    assert res.solver == "cholesky+refinement"
    assert 1 <= res.n_iter <= 3
    coef, _ = ref.lstsq(X, y)
    plain = _core.fit_normal_equations(X, Y, np.empty(0), np.zeros(1), True, "cholesky", 2, 0.0)
    err_refined = rel_err(res.coef[:, 0], coef)
    assert err_refined < 1e-10
    assert err_refined <= rel_err(plain.coef[:, 0], coef)


def test_auto_falls_back_to_qr_and_warns():
    rng = np.random.default_rng(4)
    n = 300
    base = rng.standard_normal(n)
    X = np.c_[base, base + 1e-9 * rng.standard_normal(n), rng.standard_normal(n)]
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.01 * rng.standard_normal(n)
    Y = np.asfortranarray(y[:, None])
    res = _core.fit_normal_equations(X, Y, np.empty(0), np.zeros(1), True, "auto", 2, 0.0)
    assert res.fell_back and res.solver == "qr"
    assert "condition" in res.fallback_reason or "pivot" in res.fallback_reason
    assert res.cond > 1e8
    # condition ~2e9: lstsq keeps about 6 digits here, the refined QR all of them
    exact, _ = ref.exact_least_squares(X, y)
    assert ref.correct_digits(res.coef[:, 0], exact) >= 12


def test_rank_deficient_matches_lstsq_and_warns():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((80, 4))
    X = np.c_[X, X[:, 0], 2.0 * X[:, 1] - X[:, 2], np.zeros(80), np.full(80, 3.0)]
    y = rng.standard_normal(80)
    with pytest.warns(linreg.RankDeficientWarning, match=r"4, 5, 6, 7"):
        model = linreg.LinearRegression().fit(X, y)
    coef, intercept = ref.lstsq(X, y)
    assert rel_err(model.coef_, coef) < 1e-10
    assert abs(model.intercept_ - intercept) < 1e-10
    assert model.rank_ == 4
    assert list(model.dependent_columns_) == [4, 5, 6, 7]


def test_rank_deficient_more_features_than_samples():
    rng = np.random.default_rng(6)
    X = rng.standard_normal((10, 30))
    y = rng.standard_normal(10)
    with pytest.warns(linreg.RankDeficientWarning):
        model = linreg.LinearRegression().fit(X, y)
    coef, intercept = ref.lstsq(X, y)
    assert rel_err(model.coef_, coef) < 1e-10
    assert model.rank_ == 9
    np.testing.assert_allclose(model.predict(X), y, atol=1e-10)  # interpolates


def test_rank_deficient_gram_path_falls_back_with_both_warnings():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((120000, 30))  # n p^2 > 1e8: auto plans the normal equations
    X[:, 4] = X[:, 0] + X[:, 1]
    y = X @ np.arange(30.0) + rng.standard_normal(120000)
    with pytest.warns(linreg.RankDeficientWarning, match=r"column\(s\) 4 are"):
        with pytest.warns(linreg.IllConditionedWarning, match="copied X"):
            model = linreg.LinearRegression().fit(X, y)
    assert model.fallback_ is not None and model.solver_ == "qr"
    coef, _ = ref.lstsq(X, y)
    assert rel_err(model.coef_, coef) < 1e-9


def test_cholesky_raises_on_singular_design():
    X = np.random.default_rng(8).standard_normal((50, 3))
    X = np.c_[X, X[:, 0]]
    with pytest.raises(np.linalg.LinAlgError, match="Cholesky"):
        linreg.LinearRegression(solver="cholesky").fit(X, np.arange(50.0))


def test_zero_weight_rows_are_ignored():
    X, y, _ = make_regression(n=100, d=3)
    w = np.ones(100)
    w[::3] = 0.0
    a = linreg.LinearRegression().fit(X, y, sample_weight=w)
    b = linreg.LinearRegression().fit(X[w > 0], y[w > 0])
    assert rel_err(a.coef_, b.coef_) < 1e-12


def test_integer_weights_equal_repeated_rows():
    X, y, _ = make_regression(n=60, d=3, seed=2)
    w = np.random.default_rng(0).integers(1, 4, 60)
    a = linreg.LinearRegression(solver="cholesky").fit(X, y, sample_weight=w)
    b = linreg.LinearRegression(solver="cholesky").fit(np.repeat(X, w, 0), np.repeat(y, w))
    assert rel_err(a.coef_, b.coef_) < 1e-11


def test_single_target_2d_keeps_shape():
    X, y, _ = make_regression(n=50, d=3)
    model = linreg.LinearRegression().fit(X, y[:, None])
    assert model.coef_.shape == (1, 3) and model.intercept_.shape == (1,)
    assert model.predict(X).shape == (50, 1)


def test_against_sklearn(dtype, order):
    sk = pytest.importorskip("sklearn.linear_model")
    X, y, _ = make_regression(n=400, d=8, k=2, dtype=dtype, order=order)
    w = _weights(400, "uniform")
    ours = linreg.LinearRegression().fit(X, y, sample_weight=w)
    theirs = sk.LinearRegression().fit(X.astype(np.float64), y.astype(np.float64),
                                        sample_weight=w)
    assert rel_err(ours.coef_, theirs.coef_) < tolerance(dtype)
    assert rel_err(ours.intercept_, theirs.intercept_) < tolerance(dtype) * 10
    assert abs(ours.score(X, y) - theirs.score(X, y)) < tolerance(dtype) * 10


def test_float32_large_mean_keeps_digits():
    """The statistics centre each block about its own mean: a large offset costs nothing."""
    X, y, _ = make_regression(n=20000, d=4, dtype=np.float64, mean=0.0)
    Xo = X + 1e4
    Y = np.asfortranarray(y[:, None])
    a = _core.fit_normal_equations(X, Y, np.empty(0), np.zeros(1), True, "cholesky", 2, 0.0)
    b = _core.fit_normal_equations(Xo, Y, np.empty(0), np.zeros(1), True, "cholesky", 2, 0.0)
    assert rel_err(a.coef, b.coef) < 1e-9


def test_score_is_r2():
    X, y, _ = make_regression(n=100, d=3)
    model = linreg.LinearRegression().fit(X, y)
    resid = y - model.predict(X)
    r2 = 1 - (resid**2).sum() / ((y - y.mean()) ** 2).sum()
    assert abs(model.score(X, y) - r2) < 1e-12


def test_dataframe_feature_names_and_named_dependent_columns():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(21)
    df = pd.DataFrame(rng.standard_normal((60, 3)), columns=["gnp", "year", "armed"])
    df["gnp_copy"] = df["gnp"]
    y = rng.standard_normal(60)
    with pytest.warns(linreg.RankDeficientWarning, match=r"3 \('gnp_copy'\)"):
        model = linreg.LinearRegression().fit(df, y)
    assert list(model.feature_names_in_) == ["gnp", "year", "armed", "gnp_copy"]
    coef, _ = ref.lstsq(df.to_numpy(), y)
    assert rel_err(model.coef_, coef) < 1e-10
    with pytest.raises(ValueError, match="feature names should match"):
        model.predict(df[["year", "gnp", "armed", "gnp_copy"]])
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        model.predict(df.to_numpy())
