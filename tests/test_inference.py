"""Inference for least squares: against NumPy references, exact rational arithmetic and
statsmodels' OLS/WLS."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import rel_err

import linreg
from linreg._inference import InferenceWarning

import reference as ref

sm = pytest.importorskip("statsmodels.api")

STATS = ["params", "bse", "tvalues", "pvalues", "rsquared", "rsquared_adj", "fvalue",
         "f_pvalue", "llf", "aic", "bic", "ssr", "scale", "df_model", "df_resid"]


def data(n=80, d=4, seed=0, mean=2.0, hetero=True):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) + mean
    noise = rng.standard_normal(n) * ((1 + X[:, 0] ** 2 / 4) if hetero else 1.0)
    y = X @ rng.uniform(-1, 1, d) + 1.0 + noise
    return X, y, rng.uniform(0.5, 2.0, n)


def statsmodels_fit(X, y, w, fit_intercept):
    Z = sm.add_constant(X, has_constant="add") if fit_intercept else X
    return (sm.WLS(y, Z, weights=w) if w is not None else sm.OLS(y, Z)).fit()


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("solver", ["auto", "cholesky", "qr"])
def test_parity_with_statsmodels(fit_intercept, weighted, solver):
    X, y, w = data()
    w = w if weighted else None
    model = linreg.LinearRegression(fit_intercept=fit_intercept, solver=solver).fit(
        X, y, sample_weight=w)
    ours = model.inference()
    theirs = statsmodels_fit(X, y, w, fit_intercept)
    for name in STATS:
        assert rel_err(getattr(ours, name), getattr(theirs, name)) < 1e-9, name
    assert rel_err(ours.conf_int(0.1), theirs.conf_int(0.1)) < 1e-9
    assert rel_err(ours.cov_params(), theirs.cov_params()) < 1e-9
    for hc in ("HC0", "HC1", "HC2", "HC3"):
        rob = model.inference(hc, X=X, y=y, sample_weight=w)
        other = theirs.get_robustcov_results(hc)
        for name in ("bse", "tvalues", "pvalues", "fvalue", "f_pvalue"):
            assert rel_err(getattr(rob, name), getattr(other, name)) < 1e-9, (hc, name)
        assert rel_err(rob.conf_int(), other.conf_int()) < 1e-9
    Xn = np.random.default_rng(9).standard_normal((7, X.shape[1])) + 2
    pred = model.get_prediction(Xn, alpha=0.1)
    Zn = sm.add_constant(Xn, has_constant="add") if fit_intercept else Xn
    frame = theirs.get_prediction(Zn).summary_frame(0.1)
    assert rel_err(pred["mean"], frame["mean"]) < 1e-9
    assert rel_err(pred["se_mean"], frame["mean_se"]) < 1e-9
    assert rel_err(pred["mean_ci"], frame[["mean_ci_lower", "mean_ci_upper"]]) < 1e-9
    assert rel_err(pred["obs_ci"], frame[["obs_ci_lower", "obs_ci_upper"]]) < 1e-9


@pytest.mark.parametrize("weighted", [False, True])
def test_against_numpy_reference(weighted):
    X, y, w = data(n=50, d=3, seed=2, hetero=False)
    w = w if weighted else None
    inf = linreg.LinearRegression().fit(X, y, sample_weight=w).inference()
    r = ref.ols_inference(X, y, w)
    assert rel_err(inf.params, r["params"]) < 1e-10
    assert rel_err(inf.bse, r["bse"]) < 1e-10
    assert inf.ssr == pytest.approx(r["rss"], rel=1e-10)
    assert inf.scale == pytest.approx(r["sigma2"], rel=1e-10)
    assert inf.sigma2_mle == pytest.approx(r["rss"] / 50, rel=1e-10)
    assert inf.rsquared == pytest.approx(r["rsquared"], rel=1e-10)
    assert rel_err(inf.cov_params(), r["cov"]) < 1e-10


def test_ill_conditioned_design_standard_errors_exact():
    """Raw powers of degree 6 (condition ~1e7): the QR factor keeps the standard errors right
    to ~1e-8; they equal the exact rational ones."""
    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(0, 1, 30))
    X = np.vander(x, 7, increasing=True)[:, 1:]
    y = np.sin(3 * x) + 0.01 * rng.standard_normal(30)
    model = linreg.LinearRegression().fit(X, y)
    assert model.solver_ == "qr"
    exact = ref.exact_ols_bse(X, y)
    assert rel_err(model.inference().bse, exact) < 1e-7
    theirs = statsmodels_fit(X, y, None, True)
    assert rel_err(model.inference().params, theirs.params) < 1e-6


@pytest.mark.parametrize("weighted", [False, True])
def test_ill_conditioned_parity_with_statsmodels(weighted):
    """Raw powers of degree 5 on [1, 2] (condition ~1e8 after centring): every statistic agrees
    with statsmodels (which uses the SVD) to what the conditioning allows."""
    rng = np.random.default_rng(11)
    x = rng.uniform(1, 2, 60)
    X = np.vander(x, 6, increasing=True)[:, 1:]
    y = np.exp(x) + 0.05 * rng.standard_normal(60) * x
    w = rng.uniform(0.5, 2.0, 60) if weighted else None
    model = linreg.LinearRegression().fit(X, y, sample_weight=w)
    ours, theirs = model.inference(), statsmodels_fit(X, y, w, True)
    for name in STATS:
        assert rel_err(getattr(ours, name), getattr(theirs, name)) < 1e-6, name
    rob, other = model.inference("HC3", X=X, y=y, sample_weight=w), theirs.get_robustcov_results(
        "HC3")
    assert rel_err(rob.bse, other.bse) < 1e-6


def test_large_well_conditioned_uses_the_statistics():
    X, y, w = data(n=120_000, d=30, seed=4)
    model = linreg.LinearRegression().fit(X, y, sample_weight=w)
    assert model.solver_.startswith("cholesky")
    theirs = statsmodels_fit(X, y, w, True)
    ours = model.inference()
    for name in ("params", "bse", "pvalues", "llf", "rsquared", "fvalue"):
        assert rel_err(getattr(ours, name), getattr(theirs, name)) < 1e-8, name


def test_near_perfect_fit_rss_is_accurate():
    """R^2 = 1 - 1e-14: RSS from the statistics would cancel; one pass recomputes it."""
    X, _, _ = data(n=200, d=3, seed=5, hetero=False)
    y = X @ [1.0, 2.0, 3.0] + 4.0 + 1e-6 * np.random.default_rng(0).standard_normal(200)
    inf = linreg.LinearRegression().fit(X, y).inference()
    assert inf.ssr == pytest.approx(ref.ols_inference(X, y)["rss"], rel=1e-6)


def test_rank_deficient_design_says_what_is_not_identifiable():
    X, y, _ = data(n=60, d=3, seed=6)
    Xd = np.c_[X, X[:, 0] + X[:, 1]]          # column 3 = column 0 + column 1
    with pytest.warns(linreg.RankDeficientWarning):
        model = linreg.LinearRegression().fit(Xd, y)
    with pytest.warns(InferenceWarning, match=r"\['x0', 'x1', 'x3'\] are not identifiable"):
        inf = model.inference()
    assert inf.identifiable.tolist() == [True, False, False, True, False]
    assert np.isnan(inf.bse[[1, 2, 4]]).all() and np.isfinite(inf.bse[[0, 3]]).all()
    # the identifiable ones equal a fit without the redundant column
    full = linreg.LinearRegression().fit(X, y).inference()
    assert inf.bse[3] == pytest.approx(full.bse[3], rel=1e-8)
    assert inf.df_resid == full.df_resid and inf.ssr == pytest.approx(full.ssr, rel=1e-8)
    assert "not identifiable" in inf.summary()


def test_too_few_degrees_of_freedom_warns_and_gives_nan():
    X, y, _ = data(n=5, d=4, seed=7)
    model = linreg.LinearRegression().fit(X, y)
    with pytest.warns(InferenceWarning, match="0 residual degrees of freedom"):
        inf = model.inference()
    assert np.isnan(inf.bse).all() and np.isnan(inf.scale)


def test_errors_and_summary():
    X, y, _ = data()
    model = linreg.LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match="needs the training data"):
        model.inference("HC3")
    with pytest.raises(ValueError, match="cov_type must be one of"):
        model.inference("HC9")
    with pytest.raises(ValueError, match="features"):
        model.get_prediction(X[:, :2])
    gd = linreg.LinearRegression(solver="gd").fit(X, y)
    with pytest.raises(ValueError, match="closed-form fit"):
        gd.inference()
    two = linreg.LinearRegression().fit(X, np.c_[y, y])
    with pytest.raises(ValueError, match="single target"):
        two.summary()
    with pytest.raises(linreg.NotFittedError):
        linreg.LinearRegression().inference()
    text = model.summary()
    theirs = statsmodels_fit(X, y, None, True)
    assert f"{theirs.rsquared:.4f}" in text and "x3" in text and "P>|t|" in text


def test_normal_equations_path_makes_no_second_pass(monkeypatch):
    """The statistics inference needs are the ones the fit computed: with the core's statistics
    function disabled, a fit on the normal-equations path still has its inference."""
    X, y, _ = data(n=120_000, d=30, seed=8)

    def refuse(*args, **kwargs):
        raise AssertionError("a second pass over X for the statistics")

    monkeypatch.setattr(linreg._core, "gram_statistics", refuse)
    model = linreg.LinearRegression().fit(X, y)
    assert model.solver_.startswith("cholesky")
    monkeypatch.undo()
    theirs = statsmodels_fit(X, y, None, True)
    assert rel_err(model.inference().bse, theirs.bse) < 1e-8
