"""Invariances that must hold for any data (hypothesis, bounded shapes)."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import linreg

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def problems(draw, min_rows=8, max_rows=60, max_cols=6):
    n = draw(st.integers(min_rows, max_rows))
    d = draw(st.integers(1, max_cols))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    scale = 10.0 ** draw(st.integers(-3, 3))
    shift = draw(st.sampled_from([0.0, 1.0, -50.0, 1e4]))
    X = rng.standard_normal((n, d)) * scale + shift
    y = X @ rng.uniform(-3, 3, d) + rng.standard_normal(n)
    order = draw(st.sampled_from(["C", "F"]))
    return np.asarray(X, order=order), y, rng


def _fit(est, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", linreg.RankDeficientWarning)
        return est.fit(X, y, **kw)


def _close(a, b, scale=1.0, tol=1e-7):
    a, b = np.asarray(a), np.asarray(b)
    return np.max(np.abs(a - b)) <= tol * max(scale, np.max(np.abs(b)), 1.0)


@SETTINGS
@given(problems())
def test_permuting_columns_permutes_coef(problem):
    X, y, rng = problem
    perm = rng.permutation(X.shape[1])
    a = _fit(linreg.LinearRegression(), X, y)
    b = _fit(linreg.LinearRegression(), X[:, perm], y)
    assert _close(b.coef_, a.coef_[perm])
    assert _close(b.intercept_, a.intercept_, scale=np.abs(y).max())


@SETTINGS
@given(problems(), st.floats(-1e3, 1e3).filter(lambda c: abs(c) > 1e-3))
def test_scaling_y_scales_coef(problem, c):
    X, y, _ = problem
    for est in (linreg.LinearRegression(), linreg.Ridge(alpha=0.3)):
        a = _fit(est, X, y).coef_.copy()
        b = _fit(est, X, c * y).coef_
        assert _close(b, c * a)


@SETTINGS
@given(problems(), st.floats(-1e3, 1e3))
def test_shifting_y_moves_only_intercept(problem, c):
    X, y, _ = problem
    for est in (linreg.LinearRegression(), linreg.Ridge(alpha=2.0)):
        a = _fit(est, X, y)
        coef, intercept = a.coef_.copy(), float(a.intercept_)
        b = _fit(est, X, y + c)
        assert _close(b.coef_, coef)
        assert abs(float(b.intercept_) - (intercept + c)) <= 1e-7 * max(
            1.0, abs(c), abs(intercept), np.abs(y).max())


@SETTINGS
@given(problems(min_rows=5, max_rows=30, max_cols=8))
def test_ridge_norm_non_increasing_in_alpha(problem):
    X, y, _ = problem
    norms = [np.linalg.norm(_fit(linreg.Ridge(alpha=a), X, y).coef_)
             for a in (0.0, 1e-3, 0.1, 1.0, 10.0, 1e3, 1e6)]
    assert all(b <= a * (1 + 1e-9) + 1e-12 for a, b in zip(norms, norms[1:]))


@SETTINGS
@given(problems(min_rows=2, max_rows=300), st.data())
def test_merging_statistics_of_two_halves_equals_whole(problem, data):
    X, y, rng = problem
    cut = data.draw(st.integers(1, X.shape[0] - 1))
    w = rng.uniform(0, 2, X.shape[0])
    whole = linreg.gram_statistics(X, y, sample_weight=w)
    a = linreg.gram_statistics(X[:cut], y[:cut], sample_weight=w[:cut])
    a.merge(linreg.gram_statistics(X[cut:], y[cut:], sample_weight=w[cut:]))
    for key in ("x_mean", "y_mean", "xx", "xy", "yy"):
        got, want = np.asarray(getattr(a, key)), np.asarray(getattr(whole, key))
        assert np.max(np.abs(got - want)) <= 1e-9 * max(np.max(np.abs(want)), 1e-300) + 1e-12 * (
            np.max(np.abs(X)) ** 2)


@SETTINGS
@given(problems())
def test_solvers_agree(problem):
    X, y, _ = problem
    qr = _fit(linreg.LinearRegression(solver="qr"), X, y)
    if qr.rank_ == X.shape[1] and qr.cond_ < 1e5:
        ch = linreg.LinearRegression(solver="cholesky").fit(X, y)
        assert _close(ch.coef_, qr.coef_, tol=1e-6)
