"""Lasso and ElasticNet (solver="cd" | "fista" | "subgradient"), the paths and the CV estimators:
step-for-step parity with the NumPy coordinate-descent epochs, the KKT conditions and the duality
gap written in NumPy, and scikit-learn where it is installed.

The objective (scikit-learn's, per unit weight, W = sum s):
    1/(2W) sum_i s_i (y_i - x_i w - b)^2 + alpha l1_ratio |w|_1 + alpha (1 - l1_ratio)/2 |w|^2.
"""

from __future__ import annotations

import inspect
import re
import warnings

import numpy as np
import pytest
from conftest import rel_err

import linreg

import reference as ref

FIT_TOL = {np.dtype(np.float64): 1e-10, np.dtype(np.float32): 1e-5}  # estimator tol per dtype
COEF_TOL = {np.dtype(np.float64): 1e-7, np.dtype(np.float32): 1e-3}  # rel. error vs the optimum


def sparse_problem(n=150, d=12, k=None, dtype=np.float64, order="C", seed=0, nonzero=4,
                   noise=1.0, mean=1.0):
    """X (n, d) with two correlated columns and non-zero means; y from `nonzero` true features."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * rng.uniform(0.5, 2.0, d) + mean
    X[:, 1] += 0.6 * X[:, 0]
    shape = (d,) if k is None else (d, k)
    coef = np.zeros(shape)
    coef[:nonzero] = rng.uniform(-2, 2, (nonzero,) + shape[1:])
    y = X @ coef + 1.5 + noise * rng.standard_normal((n,) if k is None else (n, k))
    return np.asarray(X, dtype=dtype, order=order), np.asarray(y, dtype=dtype)


def weights(n, seed=0):
    return np.random.default_rng(100 + seed).uniform(0.2, 2.0, n)


def target_scale(y, sample_weight=None, fit_intercept=True):
    """sum_i s_i yc_i^2 / W: the convergence test is dual_gap_ <= tol * target_scale."""
    _, yc, _, _ = ref.centred(np.zeros((len(y), 1)), y, sample_weight, fit_intercept)
    W = len(y) if sample_weight is None else float(np.sum(sample_weight))
    return (yc**2).sum(axis=0) / W


def objective(X, y, coef, intercept, alpha, l1_ratio=1.0, sample_weight=None):
    """The objective in float64, summed over targets for a 2-D y."""
    X, y = np.asarray(X, np.float64), np.asarray(y, np.float64)
    if y.ndim == 1:
        return ref.enet_objective(X, y, coef, intercept, alpha, l1_ratio, sample_weight)
    return sum(ref.enet_objective(X, y[:, t], coef[t], intercept[t], alpha, l1_ratio,
                                  sample_weight) for t in range(y.shape[1]))


def model(l1_ratio=1.0, **kw):
    """linreg.Lasso for l1_ratio == 1 (the class under test), ElasticNet otherwise."""
    if l1_ratio == 1.0:
        return linreg.Lasso(**kw)
    return linreg.ElasticNet(l1_ratio=l1_ratio, **kw)


def sk_model(l1_ratio=1.0, **kw):
    lm = pytest.importorskip("sklearn.linear_model")
    kw.setdefault("tol", 1e-12)
    kw.setdefault("max_iter", 100_000)
    return lm.ElasticNet(l1_ratio=l1_ratio, **kw)


def sk_grid(fn, n_alphas):
    """Recent scikit-learn (1.9 here) takes the grid size as alphas=int; older ones n_alphas=int."""
    default = inspect.signature(fn).parameters["alphas"].default
    return {"n_alphas": n_alphas} if default is None else {"alphas": n_alphas}


def numbers_in(text):
    return [float(v) for v in re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", text)]


def f64(*arrays):
    return [None if a is None else np.asarray(a, np.float64) for a in arrays]


# --- step for step: one coordinate-descent epoch ---------------------------------------------


@pytest.mark.parametrize("steps", [1, 3])
@pytest.mark.parametrize("precompute", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("fit_intercept, weighted", [(True, False), (True, True), (False, True)])
def test_cd_epochs_step_for_step(dtype, order, steps, precompute, l1_ratio, fit_intercept,
                                 weighted):
    """max_iter=k, tol=0 stops after k cyclic epochs from zero: the naive epochs of the reference
    (residual updates) for precompute=False, the covariance epochs (Gram) for precompute=True.
    alpha is small (2% of alpha_max), so a gap-safe screening rule removes nothing in k epochs."""
    X, y = sparse_problem(n=120, d=8, dtype=dtype, order=order, seed=1)
    sw = weights(len(y)) if weighted else None
    X64, y64 = f64(X, y)
    alpha = 0.02 * ref.lasso_alpha_max(X64, y64, l1_ratio, sw, fit_intercept)
    w = np.zeros(8)
    if precompute:
        Xc, yc, xm, ym = ref.centred(X64, y64, sw, fit_intercept)
        W = len(y) if sw is None else sw.sum()
        G, c = Xc.T @ Xc / W, Xc.T @ yc / W
        for _ in range(steps):
            w = ref.cd_epoch_covariance(G, c, w, alpha * l1_ratio, alpha * (1 - l1_ratio))
        b = ym - xm @ w
    else:
        for _ in range(steps):
            w, b = ref.cd_epoch_naive(X64, y64, w, alpha, l1_ratio, sw, fit_intercept)
    est = model(l1_ratio, alpha=alpha, fit_intercept=fit_intercept, precompute=precompute,
                max_iter=steps, tol=0.0)
    with pytest.warns(linreg.ConvergenceWarning):
        est.fit(X, y, sample_weight=sw)
    step_tol = 1e-4 if np.dtype(dtype) == np.float32 else 1e-12
    assert est.coef_.dtype == dtype and est.solver_.startswith("cd")
    assert est.n_iter_ == steps and not est.converged_
    assert rel_err(est.coef_, w) < step_tol
    assert abs(est.intercept_ - b) <= step_tol * max(1.0, abs(b))


# --- parity with scikit-learn at a tight tolerance -------------------------------------------


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_parity_with_sklearn(dtype, order, fit_intercept, weighted, l1_ratio):
    X, y = sparse_problem(dtype=dtype, order=order, seed=2)
    sw = weights(len(y)) if weighted else None
    X64, y64 = f64(X, y)
    alpha = 0.05 * ref.lasso_alpha_max(X64, y64, l1_ratio, sw, fit_intercept)
    est = model(l1_ratio, alpha=alpha, fit_intercept=fit_intercept, tol=FIT_TOL[np.dtype(dtype)],
                max_iter=100_000).fit(X, y, sample_weight=sw)
    sk = sk_model(l1_ratio, alpha=alpha, fit_intercept=fit_intercept).fit(X64, y64,
                                                                          sample_weight=sw)
    assert est.coef_.dtype == dtype and est.coef_.shape == (12,)
    assert est.solver_.startswith("cd") and est.converged_
    assert est.dual_gap_ <= est.tol * target_scale(y64, sw, fit_intercept)
    assert rel_err(est.coef_, sk.coef_) < COEF_TOL[np.dtype(dtype)]
    assert abs(est.intercept_ - sk.intercept_) < COEF_TOL[np.dtype(dtype)] * (
        np.abs(sk.coef_).max() + abs(sk.intercept_))
    # the optimality conditions, within what the tolerance leaves (1e-9 alpha measured for
    # scikit-learn at tol=1e-10)
    kkt_tol = 1e-7 if np.dtype(dtype) == np.float64 else 1e-3
    assert ref.enet_kkt_violation(X64, y64, est.coef_, alpha, l1_ratio, sw,
                                  fit_intercept) < kkt_tol * alpha


@pytest.mark.parametrize("variant", [
    dict(precompute=True), dict(precompute=False), dict(precompute="auto"),
    dict(selection="random", random_state=0), dict(positive=True),
    dict(positive=True, precompute=True),
], ids=["gram", "naive", "auto", "random", "positive", "positive-gram"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_parity_with_sklearn_options(dtype, order, variant, l1_ratio):
    X, y = sparse_problem(dtype=dtype, order=order, seed=3)
    sw = weights(len(y), 3)
    X64, y64 = f64(X, y)
    positive = variant.get("positive", False)
    amax = ref.lasso_alpha_max(X64, y64, l1_ratio, sw, positive=positive)
    assert amax > 0  # the data has features with a positive correlation
    alpha = 0.05 * amax
    est = model(l1_ratio, alpha=alpha, tol=FIT_TOL[np.dtype(dtype)], max_iter=100_000,
                **variant).fit(X, y, sample_weight=sw)
    sk = sk_model(l1_ratio, alpha=alpha, positive=positive).fit(X64, y64, sample_weight=sw)
    assert est.solver_.startswith("cd") and est.converged_
    assert rel_err(est.coef_, sk.coef_) < COEF_TOL[np.dtype(dtype)]
    if positive:
        assert np.all(est.coef_ >= 0) and np.any(est.coef_ > 0)
        kkt = ref.enet_kkt_violation(X64, y64, est.coef_, alpha, l1_ratio, sw, positive=True)
        assert kkt < (1e-7 if np.dtype(dtype) == np.float64 else 1e-3) * alpha


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("positive", [False, True])
def test_multi_target_is_independent_targets(order, weighted, positive):
    X, Y = sparse_problem(k=3, order=order, seed=4)
    sw = weights(len(Y), 4) if weighted else None
    alpha = 0.05 * min(ref.lasso_alpha_max(X, Y[:, t], 1.0, sw) for t in range(3))
    est = linreg.Lasso(alpha=alpha, tol=1e-10, max_iter=100_000, positive=positive).fit(
        X, Y, sample_weight=sw)
    assert est.coef_.shape == (3, 12) and np.shape(est.intercept_) == (3,)
    assert np.shape(est.dual_gap_) == (3,) and est.support_.shape == (3, 12)
    np.testing.assert_array_equal(est.support_, est.coef_ != 0)
    np.testing.assert_array_equal(est.n_nonzero_, est.support_.sum(axis=1))
    assert np.all(est.dual_gap_ <= est.tol * target_scale(Y, sw))
    for t in range(3):
        one = linreg.Lasso(alpha=alpha, tol=1e-10, max_iter=100_000, positive=positive).fit(
            X, Y[:, t], sample_weight=sw)
        assert rel_err(est.coef_[t], one.coef_) < 1e-7
        assert est.intercept_[t] == pytest.approx(one.intercept_, rel=1e-7, abs=1e-9)
        assert est.dual_gap_[t] == pytest.approx(
            ref.enet_dual_gap(X, Y[:, t], est.coef_[t], alpha, 1.0, sw, positive=positive),
            rel=1e-6, abs=1e-12 * target_scale(Y[:, t], sw))
    sk = sk_model(1.0, alpha=alpha, positive=positive).fit(X, Y, sample_weight=sw)
    assert rel_err(est.coef_, sk.coef_) < 1e-7


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("fit_intercept, weighted", [(True, False), (True, True), (False, True)])
def test_kkt_conditions_hold_at_the_solution(l1_ratio, fit_intercept, weighted):
    """Written in NumPy, no scikit-learn: the violation is 1e-9 alpha for scikit-learn at
    tol=1e-10 on this kind of problem; 1e-7 alpha leaves room."""
    X, y = sparse_problem(seed=5, mean=3.0)
    sw = weights(len(y), 5) if weighted else None
    alpha = 0.05 * ref.lasso_alpha_max(X, y, l1_ratio, sw, fit_intercept)
    est = linreg.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                            tol=1e-10, max_iter=100_000).fit(X, y, sample_weight=sw)
    assert est.converged_
    assert ref.enet_kkt_violation(X, y, est.coef_, alpha, l1_ratio, sw, fit_intercept) < (
        1e-7 * alpha)
    if fit_intercept:
        _, _, xm, ym = ref.centred(X, y, sw)
        assert est.intercept_ == pytest.approx(ym - xm @ est.coef_, rel=1e-12, abs=1e-12)
    else:
        assert est.intercept_ == 0


@pytest.mark.parametrize("fit_intercept, weighted", [(True, False), (True, True), (False, True)])
def test_l1_ratio_zero_is_ridge_certified_by_the_gap(fit_intercept, weighted):
    """l1_ratio=0: no L1 term, so scikit-learn's gap is formulation B, which equals
    |g|^2 / (2 l2) with g = Xc'R/W - l2 w (minus the gradient). Strong convexity (modulus >= l2)
    bounds the distance to the ridge solution: |w - w*| <= |g| / l2."""
    X, y = sparse_problem(seed=5, mean=3.0)
    sw = weights(len(y), 5) if weighted else None
    alpha = 0.1
    est = linreg.ElasticNet(alpha=alpha, l1_ratio=0.0, fit_intercept=fit_intercept,
                            tol=1e-10, max_iter=100_000).fit(X, y, sample_weight=sw)
    scale = target_scale(y, sw, fit_intercept)
    assert est.converged_ and est.dual_gap_ <= 1e-10 * scale
    Xc, yc, _, _ = ref.centred(X, y, sw, fit_intercept)
    W = len(y) if sw is None else sw.sum()
    g = Xc.T @ (yc - Xc @ est.coef_) / W - alpha * est.coef_
    # the gap is a difference of O(scale) terms: compared to 1e-14 scale absolutely
    assert est.dual_gap_ == pytest.approx(g @ g / (2 * alpha), abs=1e-14 * scale)
    assert est.dual_gap_ == pytest.approx(
        ref.enet_dual_gap(X, y, est.coef_, alpha, 0.0, sw, fit_intercept), abs=1e-14 * scale)
    ridge, _ = ref.normal_equations(X, y, alpha * W, sw, fit_intercept)  # 1/(2W) scaling
    assert np.linalg.norm(est.coef_ - ridge) <= np.linalg.norm(g) / alpha * (1 + 1e-6) + (
        1e-12 * np.linalg.norm(ridge))


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("fit_intercept, weighted", [(True, False), (True, True), (False, False)])
def test_objective_equals_or_beats_sklearn(l1_ratio, fit_intercept, weighted):
    """At the default tol. The gap bounds the excess objective: P(ours) - P* <= dual_gap_, and
    scikit-learn's answer cannot be below P*, so P(ours) <= P(sklearn) + dual_gap_."""
    X, y = sparse_problem(seed=6, noise=2.0)
    sw = weights(len(y), 6) if weighted else None
    alpha = 0.02 * ref.lasso_alpha_max(X, y, l1_ratio, sw, fit_intercept)
    est = model(l1_ratio, alpha=alpha, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    sk = sk_model(l1_ratio, alpha=alpha, fit_intercept=fit_intercept, tol=1e-4,
                  max_iter=1000).fit(X, y, sample_weight=sw)
    ours = objective(X, y, est.coef_, est.intercept_, alpha, l1_ratio, sw)
    theirs = objective(X, y, sk.coef_, sk.intercept_, alpha, l1_ratio, sw)
    assert est.converged_ and est.dual_gap_ <= 1e-4 * target_scale(y, sw, fit_intercept)
    assert ours <= theirs + est.dual_gap_ + 1e-12 * theirs
    tight = sk_model(l1_ratio, alpha=alpha, fit_intercept=fit_intercept).fit(X, y,
                                                                             sample_weight=sw)
    best = objective(X, y, tight.coef_, tight.intercept_, alpha, l1_ratio, sw)
    assert best - 1e-12 * best <= ours <= best + est.dual_gap_ + 1e-12 * best


# --- the duality gap ----------------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["cd", "fista", "subgradient"])
@pytest.mark.parametrize("l1_ratio, fit_intercept, weighted, positive", [
    (l1_ratio, *case) for l1_ratio in (1.0, 0.5, 0.0)
    for case in [(True, False, False), (True, True, False), (False, True, False)]
] + [(1.0, True, True, True), (0.5, True, True, True)])
def test_dual_gap_is_the_reference_gap_at_the_returned_coef(solver, l1_ratio, fit_intercept,
                                                            weighted, positive):
    """dual_gap_ is scikit-learn's (reference.enet_dual_gap) evaluated at coef_ itself, both
    after two iterations (a large gap, compared relatively) and at convergence. (l1_ratio=0 uses
    formulation B, which scikit-learn defines without the positivity constraint.)"""
    X, y = sparse_problem(seed=7)
    sw = weights(len(y), 7) if weighted else None
    alpha = 0.05 * ref.lasso_alpha_max(X, y, max(l1_ratio, 0.5), sw, fit_intercept, positive)
    scale = target_scale(y, sw, fit_intercept)
    kw = dict(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, positive=positive,
              solver=solver)
    early = linreg.ElasticNet(max_iter=2, tol=0.0, **kw)
    with pytest.warns(linreg.ConvergenceWarning):
        early.fit(X, y, sample_weight=sw)
    gap = ref.enet_dual_gap(X, y, early.coef_, alpha, l1_ratio, sw, fit_intercept, positive)
    assert gap > 1e-8 * scale  # large enough to compare relatively
    assert early.dual_gap_ == pytest.approx(gap, rel=1e-6)
    assert not early.converged_

    done = linreg.ElasticNet(max_iter=5000, tol=1e-4, **kw)
    with warnings.catch_warnings():
        if solver == "subgradient":  # may stop on max_iter; the gap is still the gap at coef_
            warnings.simplefilter("ignore", linreg.ConvergenceWarning)
        done.fit(X, y, sample_weight=sw)
    gap = ref.enet_dual_gap(X, y, done.coef_, alpha, l1_ratio, sw, fit_intercept, positive)
    assert done.dual_gap_ == pytest.approx(gap, rel=1e-6, abs=1e-12 * scale)
    assert done.converged_ == (done.dual_gap_ <= 1e-4 * scale)


# --- alpha_max ----------------------------------------------------------------------------------


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("fit_intercept, weighted, positive", [
    (True, False, False), (True, True, False), (False, False, False), (True, True, True)])
def test_alpha_max_gives_all_zeros_and_just_below_it_does_not(dtype, l1_ratio, fit_intercept,
                                                              weighted, positive):
    """alpha_max = max_j |Xc_j'yc| / (W l1_ratio). Just below it the gap at w = 0 is
    0.5 delta^2 target_scale (alpha = (1 - delta) alpha_max), so tol must be below that for the
    solver to leave zero: delta = 1e-2 with tol = 1e-6."""
    X, y = sparse_problem(dtype=dtype, seed=8)
    sw = weights(len(y), 8) if weighted else None
    X64, y64 = f64(X, y)
    amax = ref.lasso_alpha_max(X64, y64, l1_ratio, sw, fit_intercept, positive)
    assert amax > 0
    margin = 1e-4 if np.dtype(dtype) == np.float32 else 1e-10
    kw = dict(fit_intercept=fit_intercept, positive=positive)
    zero = model(l1_ratio, alpha=amax * (1 + margin), **kw).fit(X, y, sample_weight=sw)
    assert not np.any(zero.coef_) and zero.n_nonzero_ == 0 and not zero.support_.any()
    assert zero.converged_ and zero.coef_.dtype == dtype
    ym = np.average(y64, weights=sw) if fit_intercept else 0.0
    assert zero.intercept_ == pytest.approx(ym, rel=1e-6 if dtype == np.float32 else 1e-12)
    below = model(l1_ratio, alpha=amax * (1 - 1e-2), tol=1e-6, **kw).fit(X, y, sample_weight=sw)
    Xc, yc, _, _ = ref.centred(X64, y64, sw, fit_intercept)
    c = Xc.T @ yc
    first = int(np.argmax(c if positive else np.abs(c)))
    assert below.n_nonzero_ >= 1 and below.support_[first]


# --- float32 and the three solvers --------------------------------------------------------------


@pytest.mark.parametrize("solver", ["cd", "fista", "subgradient"])
def test_float32_stays_float32(solver, order):
    X, y = sparse_problem(dtype=np.float32, order=order, seed=9)
    alpha = 0.05 * ref.lasso_alpha_max(*f64(X, y))
    est = linreg.Lasso(alpha=alpha, solver=solver, max_iter=5000, tol=1e-5)
    with warnings.catch_warnings():
        if solver == "subgradient":
            warnings.simplefilter("ignore", linreg.ConvergenceWarning)
        est.fit(X, y)
    assert est.coef_.dtype == np.float32 and est.solver_.startswith(solver)
    assert est.predict(X).dtype == np.float32
    best = linreg.Lasso(alpha=alpha, tol=1e-10, max_iter=100_000).fit(*f64(X, y))
    f_best = objective(X, y, best.coef_, best.intercept_, alpha)
    bound = 1e-3 if solver == "subgradient" else 1e-5
    assert objective(X, y, est.coef_, est.intercept_, alpha) <= f_best * (1 + bound)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("fit_intercept, weighted", [(True, False), (True, True), (False, False)])
def test_solvers_reach_the_same_objective(l1_ratio, fit_intercept, weighted):
    """cd and fista to 1e-8 relative. The subgradient method converges like 1/sqrt(k): after
    5000 iterations (or at a gap of 1e-5 target_scale) it is within 1e-3 relative, a bound a
    plain NumPy subgradient method with steps 1/(L sqrt(k)) meets after ~1000 iterations (and
    beats four-fold after 5000) on this kind of problem."""
    X, y = sparse_problem(n=200, d=8, seed=10)
    sw = weights(len(y), 10) if weighted else None
    alpha = 0.1 * ref.lasso_alpha_max(X, y, l1_ratio, sw, fit_intercept)
    kw = dict(alpha=alpha, fit_intercept=fit_intercept)
    cd = model(l1_ratio, solver="cd", tol=1e-12, max_iter=100_000, **kw).fit(
        X, y, sample_weight=sw)
    fista = model(l1_ratio, solver="fista", tol=1e-11, max_iter=100_000, **kw).fit(
        X, y, sample_weight=sw)
    sub = model(l1_ratio, solver="subgradient", tol=1e-5, max_iter=5000, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", linreg.ConvergenceWarning)
        sub.fit(X, y, sample_weight=sw)
    assert cd.solver_.startswith("cd") and fista.solver_ == "fista"
    assert sub.solver_ == "subgradient"
    f = {name: objective(X, y, e.coef_, e.intercept_, alpha, l1_ratio, sw)
         for name, e in [("cd", cd), ("fista", fista), ("sub", sub)]}
    assert fista.converged_
    assert abs(f["fista"] - f["cd"]) <= 1e-8 * f["cd"]
    assert f["cd"] <= f["sub"] * (1 + 1e-12) and f["sub"] <= f["cd"] * (1 + 1e-3)
    # and the proximal-gradient reference (ISTA, step 1/L) reaches the same point
    L = ref.enet_lipschitz(X, sw, fit_intercept)
    w = np.zeros(8)
    for _ in range(3000):
        w, b = ref.ista_step(X, y, w, alpha, l1_ratio, 1 / L, sw, fit_intercept)
    assert rel_err(cd.coef_, w) < 1e-7 and rel_err(fista.coef_, w) < 1e-6


# --- warm start ---------------------------------------------------------------------------------


def test_warm_start_equals_cold_start():
    X, y = sparse_problem(seed=11)
    amax = ref.lasso_alpha_max(X, y)
    warm = linreg.Lasso(alpha=0.2 * amax, warm_start=True, tol=1e-10, max_iter=100_000).fit(X, y)
    warm.set_params(alpha=0.02 * amax).fit(X, y)
    cold = linreg.Lasso(alpha=0.02 * amax, tol=1e-10, max_iter=100_000).fit(X, y)
    assert rel_err(warm.coef_, cold.coef_) < 1e-7
    assert warm.intercept_ == pytest.approx(cold.intercept_, rel=1e-7)
    before = warm.coef_.copy()
    warm.fit(X, y)  # starts at the solution: the gap test passes at once
    assert warm.n_iter_ <= 1 and rel_err(warm.coef_, before) < 1e-9


# --- the paths ----------------------------------------------------------------------------------


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("grid", ["given", "default"])
def test_path_matches_sklearn(l1_ratio, grid):
    lm = pytest.importorskip("sklearn.linear_model")
    X, y = sparse_problem(seed=12)
    ours_fn = linreg.lasso_path if l1_ratio == 1.0 else linreg.enet_path
    kw = {} if l1_ratio == 1.0 else {"l1_ratio": l1_ratio}
    sk_fn = lm.lasso_path if l1_ratio == 1.0 else lm.enet_path
    if grid == "given":
        amax = ref.lasso_alpha_max(X, y, l1_ratio, fit_intercept=False)
        alphas = np.geomspace(amax * 1e-3, amax, 15)  # ascending: both return it descending
        ours = ours_fn(X, y, alphas=alphas, tol=1e-10, max_iter=100_000, **kw)
        theirs = sk_fn(X, y, alphas=alphas, tol=1e-10, max_iter=100_000, **kw)
    else:
        ours = ours_fn(X, y, eps=1e-2, n_alphas=15, tol=1e-10, max_iter=100_000, **kw)
        theirs = sk_fn(X, y, eps=1e-2, tol=1e-10, max_iter=100_000, **sk_grid(sk_fn, 15), **kw)
    assert isinstance(ours, tuple) and len(ours) == 3
    alphas, coefs, gaps = ours
    assert coefs.shape == (12, 15) and gaps.shape == (15,)
    np.testing.assert_allclose(alphas, theirs[0], rtol=1e-12)
    assert np.all(np.diff(alphas) < 0)
    assert rel_err(coefs, theirs[1]) < 1e-7
    scale = target_scale(y, fit_intercept=False)
    assert np.all(gaps <= 1e-10 * scale)
    for i, a in enumerate(alphas):
        gap = ref.enet_dual_gap(X, y, coefs[:, i], a, l1_ratio, fit_intercept=False)
        assert gaps[i] == pytest.approx(gap, rel=1e-6, abs=1e-12 * scale)


@pytest.mark.parametrize("weighted", [False, True])
def test_path_with_intercept_and_weights_equals_single_fits(weighted):
    lm = pytest.importorskip("sklearn.linear_model")
    X, y = sparse_problem(seed=13, mean=2.0)
    sw = weights(len(y), 13) if weighted else None
    amax = ref.lasso_alpha_max(X, y, 0.5, sw)
    alphas = np.geomspace(amax, amax * 1e-2, 8)
    got, coefs, _ = linreg.enet_path(X, y, l1_ratio=0.5, alphas=alphas, fit_intercept=True,
                                     sample_weight=sw, tol=1e-10, max_iter=100_000)
    np.testing.assert_allclose(got, alphas, rtol=1e-15)
    for i, a in enumerate(alphas):
        sk = lm.ElasticNet(alpha=a, l1_ratio=0.5, tol=1e-12, max_iter=100_000).fit(
            X, y, sample_weight=sw)
        assert np.abs(coefs[:, i] - sk.coef_).max() < 1e-7 * max(np.abs(coefs).max(), 1.0)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_support_grows_along_the_path_on_an_orthogonal_design(l1_ratio):
    """With X'X/n = I the solution is closed form, w_j = soft_threshold(X_j'y/n, l1)/(1 + l2),
    and the support only grows as alpha decreases."""
    rng = np.random.default_rng(14)
    n, d = 100, 10
    Q, _ = np.linalg.qr(rng.standard_normal((n, d)))
    X = np.sqrt(n) * Q
    y = X @ rng.uniform(-1, 1, d) + rng.standard_normal(n)
    alphas, coefs, _ = linreg.enet_path(X, y, l1_ratio=l1_ratio, n_alphas=40, eps=1e-3,
                                        tol=1e-12)
    c = X.T @ y / n
    for i, a in enumerate(alphas):
        exact = ref.soft_threshold(c, a * l1_ratio) / (1 + a * (1 - l1_ratio))
        assert np.abs(coefs[:, i] - exact).max() < 1e-9 * np.abs(c).max()
    support = coefs != 0
    assert not support[:, 0].any() and support[:, -1].all()
    assert np.all(support[:, 1:] >= support[:, :-1])  # once in, never out
    assert np.all(np.diff(support.sum(axis=0)) >= 0)


# --- cross-validation ---------------------------------------------------------------------------


def cv_problem():
    """Noisy, sparse truth: the CV curve has an interior minimum, 0.6% below the runner-up."""
    X, y = sparse_problem(n=120, d=15, seed=0, noise=3.0, nonzero=3)
    amax = ref.lasso_alpha_max(X, y)
    return X, y, np.geomspace(amax, amax * 1e-3, 25)


@pytest.mark.parametrize("grid", ["given", "default"])
def test_lasso_cv_matches_sklearn(grid):
    lm = pytest.importorskip("sklearn.linear_model")
    KFold = pytest.importorskip("sklearn.model_selection").KFold
    X, y, alphas = cv_problem()
    kw = dict(cv=KFold(5), tol=1e-10, max_iter=100_000)
    if grid == "given":
        ours = linreg.LassoCV(alphas=alphas, **kw).fit(X, y)
        theirs = lm.LassoCV(alphas=alphas, **kw).fit(X, y)
    else:
        ours = linreg.LassoCV(n_alphas=30, eps=1e-2, **kw).fit(X, y)
        theirs = lm.LassoCV(eps=1e-2, **sk_grid(lm.LassoCV, 30), **kw).fit(X, y)
    n = len(theirs.alphas_)
    assert ours.alphas_.shape == (n,) and ours.mse_path_.shape == (n, 5)
    np.testing.assert_allclose(ours.alphas_, theirs.alphas_, rtol=1e-12)
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-6)
    assert ours.alpha_ == pytest.approx(theirs.alpha_, rel=1e-12)
    assert rel_err(ours.coef_, theirs.coef_) < 1e-7
    assert ours.intercept_ == pytest.approx(theirs.intercept_, rel=1e-7)
    assert ours.dual_gap_ <= 1e-10 * target_scale(y)
    assert ours.alpha_1se_ >= ours.alpha_


@pytest.mark.parametrize("rule", ["min", "1se"])
def test_one_standard_error_rule(rule):
    """alpha_1se_ is the largest alpha whose mean CV error is within one standard error of the
    minimum: mean(mse_path_[i]) <= mean_min + se_min, where se_min is the standard error of the
    mean at the minimising alpha, std(mse_path_[i_min], ddof=1) / sqrt(n_folds) (glmnet's cvsd;
    on this problem ddof=0 selects the same alpha). rule picks the alpha of the final refit."""
    KFold = pytest.importorskip("sklearn.model_selection").KFold
    X, y, alphas = cv_problem()
    est = linreg.LassoCV(alphas=alphas, cv=KFold(5), tol=1e-10, max_iter=100_000,
                         rule=rule).fit(X, y)
    mean = est.mse_path_.mean(axis=1)
    i_min = int(np.argmin(mean))
    se = est.mse_path_[i_min].std(ddof=1) / np.sqrt(est.mse_path_.shape[1])
    alpha_1se = est.alphas_[mean <= mean[i_min] + se].max()
    assert est.alpha_1se_ == pytest.approx(alpha_1se, rel=1e-15)
    assert est.alpha_1se_ > est.alphas_[i_min]  # strictly, on this problem
    chosen = est.alphas_[i_min] if rule == "min" else alpha_1se
    assert est.alpha_ == pytest.approx(chosen, rel=1e-15)  # the alpha of the refitted model
    assert est.alpha_min_ == pytest.approx(est.alphas_[i_min], rel=1e-15)
    refit = linreg.Lasso(alpha=chosen, tol=1e-10, max_iter=100_000).fit(X, y)
    assert rel_err(est.coef_, refit.coef_) < 1e-7


def test_elastic_net_cv_with_an_l1_ratio_list_matches_sklearn():
    lm = pytest.importorskip("sklearn.linear_model")
    KFold = pytest.importorskip("sklearn.model_selection").KFold
    X, y, alphas = cv_problem()
    l1_ratios = [0.2, 0.6, 1.0]
    kw = dict(l1_ratio=l1_ratios, cv=KFold(4), tol=1e-10, max_iter=100_000)
    ours = linreg.ElasticNetCV(alphas=alphas, **kw).fit(X, y)
    theirs = lm.ElasticNetCV(alphas=alphas, **kw).fit(X, y)
    assert ours.alphas_.shape == (3, 25) and ours.mse_path_.shape == (3, 25, 4)
    for i in range(3):  # a given grid is used as is for every l1_ratio
        np.testing.assert_allclose(ours.alphas_[i], alphas, rtol=1e-15)
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-6)
    assert ours.l1_ratio_ == theirs.l1_ratio_
    assert ours.alpha_ == pytest.approx(theirs.alpha_, rel=1e-12)
    assert rel_err(ours.coef_, theirs.coef_) < 1e-7
    # the default grids: alpha_max / l1_ratio, one row per l1_ratio
    ours = linreg.ElasticNetCV(n_alphas=10, eps=1e-2, **kw).fit(X, y)
    theirs = lm.ElasticNetCV(eps=1e-2, **sk_grid(lm.ElasticNetCV, 10), **kw).fit(X, y)
    np.testing.assert_allclose(ours.alphas_, theirs.alphas_, rtol=1e-12)
    assert (ours.alpha_, ours.l1_ratio_) == (pytest.approx(theirs.alpha_, rel=1e-12),
                                             theirs.l1_ratio_)


# --- warnings, errors, side effects -------------------------------------------------------------


@pytest.mark.parametrize("solver", ["cd", "fista", "subgradient"])
def test_non_convergence_warns_with_the_gap(solver):
    X, y = sparse_problem(seed=15)
    alpha = 0.05 * ref.lasso_alpha_max(X, y)
    est = linreg.Lasso(alpha=alpha, solver=solver, max_iter=1, tol=1e-12)
    with pytest.warns(linreg.ConvergenceWarning) as record:
        est.fit(X, y)
    msg = str(record[0].message)
    assert "gap" in msg and "max_iter" in msg  # the certificate and the next step to try
    values = numbers_in(msg)
    assert any(v == pytest.approx(est.dual_gap_, rel=1e-2) for v in values)
    assert any(v == pytest.approx(t, rel=1e-2) for v in values
               for t in (1e-12, 1e-12 * target_scale(y)))
    assert not est.converged_ and est.n_iter_ == 1


BAD_PARAMETERS = [
    (lambda: linreg.Lasso(alpha=-1.0), "alpha"),
    (lambda: linreg.ElasticNet(alpha=-0.5), "alpha"),
    (lambda: linreg.ElasticNet(l1_ratio=1.5), "l1_ratio"),
    (lambda: linreg.ElasticNet(l1_ratio=-0.1), "l1_ratio"),
    (lambda: linreg.Lasso(solver="newton"), "solver"),
    (lambda: linreg.Lasso(selection="greedy"), "selection"),
    (lambda: linreg.Lasso(precompute="yes"), "precompute"),
    (lambda: linreg.Lasso(max_iter=0), "max_iter"),
    (lambda: linreg.ElasticNet(max_iter=-3), "max_iter"),
    (lambda: linreg.Lasso(tol=-1e-3), "tol"),
    (lambda: linreg.LassoCV(rule="2se"), "rule"),
    (lambda: linreg.LassoCV(max_iter=0), "max_iter"),
    (lambda: linreg.ElasticNetCV(l1_ratio=[0.5, 1.5]), "l1_ratio"),
    (lambda: linreg.ElasticNetCV(tol=-1.0), "tol"),
]


@pytest.mark.parametrize("make, name", BAD_PARAMETERS,
                         ids=[f"{i}-{name}" for i, (_, name) in enumerate(BAD_PARAMETERS)])
def test_bad_parameters_name_the_parameter(make, name):
    X, y = sparse_problem(n=40, d=4, seed=16)
    est = make()
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        est.fit(X, y)
    assert not hasattr(est, "coef_")


def test_fitted_attributes():
    X, y = sparse_problem(seed=17, order="F")
    alpha = 0.1 * ref.lasso_alpha_max(X, y)
    est = linreg.Lasso(alpha=alpha).fit(X, y)
    assert est.n_features_in_ == 12 and est.coef_.shape == (12,)
    np.testing.assert_array_equal(est.support_, est.coef_ != 0)
    assert est.support_.dtype == bool
    assert isinstance(est.n_nonzero_, (int, np.integer)) and est.n_nonzero_ == est.support_.sum()
    assert 0 < est.n_nonzero_ < 12
    assert est.converged_ and est.dual_gap_ <= 1e-4 * target_scale(y) and est.n_iter_ >= 1
    np.testing.assert_allclose(est.predict(X), X @ est.coef_ + est.intercept_, rtol=1e-12)


def test_inputs_unchanged():
    X, y = sparse_problem(seed=18, order="F", mean=5.0)
    Y = np.c_[y, 2 * y]
    sw = weights(len(y), 18)
    copies = [a.copy(order="K") for a in (X, y, Y, sw)]
    alpha = 0.05 * ref.lasso_alpha_max(X, y)
    for precompute in (False, True):
        linreg.Lasso(alpha=alpha, precompute=precompute).fit(X, y, sample_weight=sw)
    linreg.ElasticNet(alpha=alpha, solver="fista", tol=1e-3).fit(X, Y, sample_weight=sw)
    linreg.LassoCV(n_alphas=5, cv=3).fit(X, y)
    linreg.ElasticNetCV(l1_ratio=[0.5, 1.0], n_alphas=5, cv=3).fit(X, y)
    linreg.lasso_path(X, y, n_alphas=5)
    linreg.enet_path(X, y, n_alphas=5, fit_intercept=True, sample_weight=sw)
    for a, b in zip((X, y, Y, sw), copies):
        np.testing.assert_array_equal(a, b)
    assert X.flags.f_contiguous and not X.flags.c_contiguous
