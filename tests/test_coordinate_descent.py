"""The coordinate-descent kernels of the core, epoch for epoch against the NumPy references
(soft-thresholding written out in tests/reference.py), in naive and covariance modes."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_regression, rel_err, tolerance

from linreg import _core, _lasso

import reference as ref


def _setup(dtype, order, fit_intercept, weighted, n=80, d=9, seed=0):
    X, y, _ = make_regression(n=n, d=d, dtype=dtype, order=order, mean=2.5, seed=seed)
    s = np.random.default_rng(seed + 1).uniform(0.2, 2.0, n) if weighted else np.empty(0)
    return X, y, s


def _start(d, seed=3):
    w0 = np.random.default_rng(seed).uniform(-1.0, 1.0, d)
    w0[::3] = 0.0
    return w0


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_column_moments(dtype, order, fit_intercept, weighted):
    X, y, s = _setup(dtype, order, fit_intercept, weighted)
    Xc, _, xm, _ = ref.centred(X, y, s if s.size else None, fit_intercept)
    W = s.sum() if s.size else X.shape[0]
    mean, a = _core.column_moments(X, s, fit_intercept, 2)
    assert rel_err(mean, xm if fit_intercept else np.zeros(X.shape[1])) < 1e-12
    assert rel_err(a, (Xc**2).sum(axis=0) / W) < 1e-11


def test_column_moments_keep_digits_under_a_large_mean():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1000, 3)) + 1e8
    _, a = _core.column_moments(X, np.empty(0), True, 2)
    exact = ((X - X.mean(axis=0)) ** 2).mean(axis=0)
    assert rel_err(a, exact) < 1e-6  # the textbook sum(x^2)/n - mean^2 gives no digit here


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("epochs", [1, 3])
def test_naive_epochs_equal_reference(dtype, order, fit_intercept, weighted, positive, epochs):
    X, y, s = _setup(dtype, order, fit_intercept, weighted)
    n, d = X.shape
    alpha, l1_ratio = 0.05, 0.7
    l1, l2 = _lasso.penalties(alpha, l1_ratio)
    w0 = np.abs(_start(d)) if positive else _start(d)
    sw = s if s.size else None
    expect = w0.copy()
    for _ in range(epochs):
        expect, _ = ref.cd_epoch_naive(X, y, expect, alpha, l1_ratio, sample_weight=sw,
                                       fit_intercept=fit_intercept, positive=positive)
    prob = _lasso.Problem(X, s, fit_intercept)
    t = prob.target(y)
    # the kernel reads columns: F-ordered X in place, C-ordered X through its gathered copy
    cols_src = X if order == "F" else _core.gather_columns(X, np.arange(d), 2)
    assert cols_src.flags.f_contiguous
    Xc = X.astype(np.float64) - prob.x_mean  # weighted means, not scaled by sqrt(s)
    R = t.yc - Xc @ w0
    res = _core.cd_naive(cols_src, np.arange(d), prob.x_mean, prob.sq_norm, s, prob.W, t.yc, R,
                         w0, l1, l2, positive, epochs, 0.0, 0.0, 1, False, 0, 0)
    assert res.n_iter == epochs
    assert rel_err(res.coef, expect) < tolerance(dtype) * 10
    # R was kept equal to yc - Xc w by the residual updates
    assert rel_err(R, t.yc - Xc @ res.coef) < tolerance(dtype) * 10
    gap = ref.enet_dual_gap(X, y, res.coef, alpha, l1_ratio, sample_weight=sw,
                            fit_intercept=fit_intercept, positive=positive)
    assert abs(res.gap - gap) <= 1e-6 * abs(gap) + tolerance(dtype) * 1e-3


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("epochs", [1, 4])
def test_covariance_epochs_equal_reference(dtype, order, fit_intercept, weighted, epochs):
    X, y, s = _setup(dtype, order, fit_intercept, weighted)
    d = X.shape[1]
    l1, l2 = 0.04, 0.01
    w0 = _start(d)
    st = _core.gram_statistics(X, np.asfortranarray(y.reshape(-1, 1)), s, fit_intercept, 2)
    W = st.weight_sum
    G, c, yy = st.xx / W, st.xy[:, 0] / W, float(st.yy[0, 0]) / W
    expect = w0.copy()
    for _ in range(epochs):
        expect = ref.cd_epoch_covariance(G, c, expect, l1, l2)
    res = _core.cd_covariance(G, c, yy, w0, W, l1, l2, False, epochs, 0.0, False, 0, 0)
    assert res.n_iter == epochs
    assert rel_err(res.coef, expect) < 1e-13
    # and the Gram itself is the reference's (so the epoch is the naive one, in exact arithmetic)
    Xc, yc, _, _ = ref.centred(X, y, s if s.size else None, fit_intercept)
    assert rel_err(G, Xc.T @ Xc / W) < tolerance(dtype)


def test_covariance_and_naive_reach_the_same_point():
    X, y, s = _setup(np.float64, "F", True, True, n=120, d=15)
    l1, l2 = 0.02, 0.0
    prob = _lasso.Problem(X, s, True)
    t = prob.target(y)
    st = prob.statistics(np.asfortranarray(y.reshape(-1, 1)))
    W = prob.W
    cov = _core.cd_covariance(st.xx / W, st.xy[:, 0] / W, float(st.yy[0, 0]) / W, np.zeros(15),
                              W, l1, l2, False, 10000, 1e-13, False, 0, 5)
    R = t.yc.copy()
    nai = _core.cd_naive(X, np.arange(15), prob.x_mean, prob.sq_norm, s, W, t.yc, R,
                         np.zeros(15), l1, l2, False, 10000, 1e-13, 0.0, 1, False, 0, 5)
    assert cov.converged and nai.converged
    assert rel_err(cov.coef, nai.coef) < 1e-8
    assert ref.enet_kkt_violation(X, y, cov.coef, l1, 1.0, sample_weight=s) < 1e-7


def test_random_selection_is_reproducible_and_converges():
    X, y, s = _setup(np.float64, "C", True, False, n=100, d=12)
    st = _core.gram_statistics(X, np.asfortranarray(y.reshape(-1, 1)), s, True, 2)
    W = st.weight_sum
    args = (st.xx / W, st.xy[:, 0] / W, float(st.yy[0, 0]) / W, np.zeros(12), W, 0.05, 0.0,
            False)
    a = _core.cd_covariance(*args, 3, 0.0, True, 7, 0)
    b = _core.cd_covariance(*args, 3, 0.0, True, 7, 0)
    c = _core.cd_covariance(*args, 3, 0.0, True, 8, 0)
    assert np.array_equal(a.coef, b.coef) and not np.array_equal(a.coef, c.coef)
    full = _core.cd_covariance(*args, 100000, 1e-14, True, 7, 5)
    cyc = _core.cd_covariance(*args, 100000, 1e-14, False, 0, 5)
    assert full.converged and rel_err(full.coef, cyc.coef) < 1e-6


def test_gather_columns(dtype, order):
    X, _, _ = _setup(dtype, order, True, False, n=300, d=20)
    cols = np.array([19, 0, 7, 7, 3])
    out = _core.gather_columns(X, cols, 2)
    assert out.flags.f_contiguous and out.dtype == dtype
    assert np.array_equal(out, X[:, cols])
    with pytest.raises(ValueError, match="out of range"):
        _core.gather_columns(X, np.array([20]), 2)


def test_residual_pass(dtype, order):
    X, y, s = _setup(dtype, order, True, True, n=500, d=6)
    w = _start(6)
    b = 0.3
    G, gs, rss = _core.residual_pass(X, np.asfortranarray(y.reshape(-1, 1)), s,
                                     w.reshape(-1, 1), np.array([b]), 2)
    X64 = X.astype(np.float64)
    R = y.astype(np.float64) - X64 @ w - b
    assert rel_err(G[:, 0], X64.T @ (s * R)) < tolerance(dtype) * 10
    assert rel_err(gs, [s @ R]) < tolerance(dtype) * 100
    assert rel_err(rss, [s @ R**2]) < tolerance(dtype) * 10


@pytest.mark.parametrize("mode", ["covariance", "naive"])
def test_anderson_extrapolation_cuts_epochs_and_keeps_the_solution(mode):
    # correlated columns make plain coordinate descent crawl
    rng = np.random.default_rng(5)
    n, d = 200, 40
    Z = rng.standard_normal((n, d))
    X = np.asfortranarray(Z + 2.0 * rng.standard_normal((n, 1)))
    y = X[:, :5] @ np.ones(5) + 0.5 * rng.standard_normal(n)
    prob = _lasso.Problem(X, np.empty(0), True)
    t = prob.target(y)
    l1 = 0.01 * t.alpha_max(1.0)
    tol = 1e-10 * t.yy
    runs = {}
    for M in (0, 5):
        if mode == "covariance":
            st = prob.statistics(np.asfortranarray(y.reshape(-1, 1)))
            W = prob.W
            runs[M] = _core.cd_covariance(st.xx / W, st.xy[:, 0] / W, float(st.yy[0, 0]) / W,
                                          np.zeros(d), W, l1, 0.0, False, 100000, tol, False, 0, M)
        else:
            R = t.yc.copy()
            runs[M] = _core.cd_naive(X, np.arange(d), prob.x_mean, prob.sq_norm, np.empty(0),
                                     prob.W, t.yc, R, np.zeros(d), l1, 0.0, False, 100000, tol,
                                     0.0, 1, False, 0, M)
    assert runs[0].converged and runs[5].converged
    assert runs[5].n_iter < 0.7 * runs[0].n_iter, (runs[5].n_iter, runs[0].n_iter)
    assert rel_err(runs[5].coef, runs[0].coef) < 1e-5
    assert ref.enet_kkt_violation(X, y, runs[5].coef, l1) < 1e-6
