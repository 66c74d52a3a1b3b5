"""Gradient descent (solver="gd" / "sgd"): step-for-step parity with the NumPy references,
convergence to the closed form, divergence caught with the stability bound, bad parameters."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import linreg
from linreg import _core
from linreg._gradient import seed_of

import reference as ref
from conftest import make_regression, rel_err, tolerance


def gd(cls=linreg.LinearRegression, **kw):
    kw.setdefault("solver", "gd")
    return cls(**kw)


def step_tol(dtype):
    return 1e-4 if np.dtype(dtype) == np.float32 else 1e-12


# --- step for step --------------------------------------------------------------------------


@pytest.mark.parametrize("steps", [1, 7])
def test_seed_gd_step_literally(dtype, order, steps):
    X, y, _ = make_regression(n=300, d=6, dtype=dtype, order=order, seed=1)
    lr = 0.9 / ref.lipschitz(X.astype(np.float64), fit_intercept=False)
    w = np.zeros(6, dtype=dtype)
    for _ in range(steps):
        w = ref.gd_step(X, y, w, dtype(lr))
    est = gd(fit_intercept=False, learning_rate=lr, max_iter=steps, tol=None).fit(X, y)
    assert est.n_iter_ == steps and est.coef_.dtype == dtype
    assert rel_err(est.coef_, w) < step_tol(dtype)
    assert est.intercept_ == 0


@pytest.mark.parametrize("steps", [1, 5])
def test_seed_ridge_gd_step_literally(dtype, order, steps):
    X, y, _ = make_regression(n=250, d=5, dtype=dtype, order=order, seed=2)
    alpha = 40.0
    lam = alpha / len(y)  # the mean-scaled objective: lam = alpha / n
    lr = 1.0 / ref.lipschitz(X.astype(np.float64), alpha, fit_intercept=False)
    w = np.zeros(5, dtype=dtype)
    for _ in range(steps):
        w = ref.ridge_gd_step(X, y, w, dtype(lr), dtype(lam))
    est = gd(linreg.Ridge, alpha=alpha, fit_intercept=False, learning_rate=lr, max_iter=steps,
             tol=None).fit(X, y)
    assert rel_err(est.coef_, w) < step_tol(dtype)


def test_with_intercept_each_step_is_the_seed_step_on_centred_data(order):
    X, y, _ = make_regression(n=200, d=4, seed=3, mean=5.0, order=order)
    xm, ym = X.mean(axis=0), y.mean()
    lr = 0.5 / ref.lipschitz(X)
    w = np.zeros(4)
    for _ in range(6):
        w = ref.gd_step(X - xm, y - ym, w, lr)
    est = gd(learning_rate=lr, max_iter=6, tol=None).fit(X, y)
    np.testing.assert_allclose(est.coef_, w, rtol=1e-11)
    np.testing.assert_allclose(est.intercept_, ym - xm @ w, rtol=1e-11)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("alpha", [0.0, 25.0])
def test_full_batch_steps(dtype, order, fit_intercept, weighted, alpha):
    X, y, _ = make_regression(n=240, d=5, dtype=dtype, order=order, seed=4, mean=1.0)
    sw = np.random.default_rng(0).uniform(0.2, 3.0, len(y)) if weighted else None
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    lr = 1.0 / ref.lipschitz(X64, alpha, sw, fit_intercept)
    w, b = ref.gd_steps(X64, y64, lr, 9, alpha, sw, fit_intercept)
    est = gd(linreg.Ridge, alpha=alpha, fit_intercept=fit_intercept, learning_rate=lr,
             max_iter=9, tol=None).fit(X, y, sample_weight=sw)
    scale = max(np.abs(w).max(), abs(b))
    tol = tolerance(dtype) * 10
    assert np.abs(est.coef_ - w).max() / scale < tol
    assert abs(est.intercept_ - b) / scale < tol
    # loss_history_ holds F at every evaluated point: the start and after each step.
    assert est.loss_history_.shape == (10,)
    w0, b0 = ref.gd_steps(X64, y64, lr, 0, alpha, sw, fit_intercept)
    np.testing.assert_allclose(est.loss_history_[0], ref.objective(X64, y64, w0, b0, alpha, sw),
                               rtol=tol)
    np.testing.assert_allclose(est.loss_history_[-1], ref.objective(X64, y64, w, b, alpha, sw),
                               rtol=tol)


def test_heavy_ball_momentum_steps(order):
    X, y, _ = make_regression(n=300, d=6, order=order, seed=5)
    lr = 0.5 / ref.lipschitz(X, 3.0)
    w, b = ref.gd_steps(X, y, lr, 12, alpha=3.0, momentum=0.8)
    est = gd(linreg.Ridge, alpha=3.0, learning_rate=lr, momentum=0.8, max_iter=12,
             tol=None).fit(X, y)
    np.testing.assert_allclose(np.append(est.coef_, est.intercept_), np.append(w, b), rtol=1e-11)
    assert est.solver_ == "gd+momentum"


def test_nesterov_steps(order):
    X, y, _ = make_regression(n=300, d=6, order=order, seed=6, mean=2.0)
    lr = 1.0 / ref.lipschitz(X)
    for steps in (1, 3, 40):  # 40 steps go through restarts on this problem
        w, b = ref.nesterov_steps(X, y, lr, steps)
        est = gd(learning_rate=lr, momentum="nesterov", max_iter=steps, tol=None).fit(X, y)
        np.testing.assert_allclose(np.append(est.coef_, est.intercept_), np.append(w, b),
                                   rtol=1e-10)
    assert est.solver_ == "gd+nesterov"


@pytest.mark.parametrize("batch_size", [1, 32, 50, 300])
@pytest.mark.parametrize("shuffle", [True, False])
def test_sgd_epochs_replayed(dtype, order, batch_size, shuffle):
    X, y, _ = make_regression(n=300, d=4, dtype=dtype, order=order, seed=7)
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    epochs, seed = 3, 1234
    lr = 0.3 / ref.lipschitz(X64)
    orders = [_core.epoch_permutation(seed_of(seed), e, len(y)) if shuffle else np.arange(len(y))
              for e in range(epochs)]
    w, b = ref.sgd_epochs(X64, y64, lr, batch_size, orders)
    est = gd(solver="sgd", learning_rate=lr, batch_size=batch_size, max_iter=epochs, tol=None,
             shuffle=shuffle, random_state=seed, schedule="constant").fit(X, y)
    scale = np.abs(w).max()
    assert np.abs(est.coef_ - w).max() / scale < tolerance(dtype) * 10
    assert abs(est.intercept_ - b) / scale < tolerance(dtype) * 10
    assert est.n_iter_ == epochs and est.loss_history_.shape == (epochs + 1,)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_sgd_weights_penalty_momentum_replayed(fit_intercept):
    X, y, _ = make_regression(n=203, d=5, seed=8, mean=0.5)
    sw = np.random.default_rng(1).uniform(0.0, 2.0, len(y))
    lr, alpha = 0.05 / ref.lipschitz(X, 10.0, sw), 10.0
    orders = [_core.epoch_permutation(seed_of(99), e, len(y)) for e in range(2)]
    w, b = ref.sgd_epochs(X, y, lr, 16, orders, alpha, sw, fit_intercept, momentum=0.5)
    est = gd(linreg.Ridge, solver="sgd", alpha=alpha, fit_intercept=fit_intercept,
             learning_rate=lr, batch_size=16, max_iter=2, tol=None, random_state=99,
             momentum=0.5, schedule="constant").fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(est.coef_, w, rtol=1e-10)
    assert abs(est.intercept_ - b) <= 1e-10 * max(1.0, abs(b))


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("batch_size,shuffle", [(24, True), (24, False), (5300, True)])
def test_sgd_both_batch_schedules_replayed(order, threads, batch_size, shuffle):
    # One target and batches that fit in cache: each thread sums the chunks of every batch it
    # copied (row-major rows in their own order: where they lie). Larger batches (5300 x 100 x 8
    # bytes > 4 MiB): each is split between the threads. The same steps every way.
    X, y, _ = make_regression(n=6000, d=100, seed=12, order=order, mean=0.3)
    sw = np.random.default_rng(2).uniform(0.5, 1.5, len(y))
    lr = 0.2 / ref.lipschitz(X, sample_weight=sw)
    orders = [_core.epoch_permutation(seed_of(21), e, len(y)) if shuffle else np.arange(len(y))
              for e in range(2)]
    w, b = ref.sgd_epochs(X, y, lr, batch_size, orders, sample_weight=sw)
    before = linreg.get_num_threads()
    try:
        linreg.set_num_threads(threads)
        est = gd(solver="sgd", learning_rate=lr, batch_size=batch_size, max_iter=2, tol=None,
                 shuffle=shuffle, random_state=21, schedule="constant").fit(X, y, sample_weight=sw)
    finally:
        linreg.set_num_threads(None)
    assert linreg.get_num_threads() == before
    np.testing.assert_allclose(est.coef_, w, rtol=1e-10, atol=1e-12 * np.abs(w).max())
    assert abs(est.intercept_ - b) <= 1e-10 * max(1.0, abs(b))


@pytest.mark.parametrize("batch_size", [64, 50, 3])
@pytest.mark.parametrize("shuffle", [True, False])
def test_sgd_one_target_does_not_depend_on_the_thread_count(order, batch_size, shuffle):
    # Every batch is cut into the same chunks whatever the thread count, and the chunks' sums are
    # added in chunk order. (With a fixed step and no intercept: the step's estimate and the
    # column means are sums over all threads.) Batches of 3 rows are one chunk each; the last
    # batches have 42, 10 and 2 rows.
    X, y, _ = make_regression(n=4010, d=30, seed=13, order=order)
    kw = dict(solver="sgd", batch_size=batch_size, max_iter=3, tol=None, random_state=4,
              shuffle=shuffle, fit_intercept=False,
              learning_rate=0.2 / ref.lipschitz(X, fit_intercept=False))
    fits = []
    try:
        for threads in (1, 2, 3, 4):
            linreg.set_num_threads(threads)
            fits.append(gd(**kw).fit(X, y))
    finally:
        linreg.set_num_threads(None)
    for est in fits[1:]:
        np.testing.assert_array_equal(est.coef_, fits[0].coef_)
        # F at each epoch's start comes from the epoch's chunks (the last entry, after the
        # last epoch, from the full pass, whose blocks follow the threads)
        np.testing.assert_array_equal(est.loss_history_[:-1], fits[0].loss_history_[:-1])


def test_sgd_in_a_region_with_fewer_threads_than_asked(tmp_path):
    # OMP_THREAD_LIMIT=1 leaves one thread where two are asked for: the epoch is laid out for the
    # threads the region has (a chunk left to a missing thread would never be summed, and the
    # fit would wait for it forever), so the result is the one-thread result.
    X, y, _ = make_regression(n=3000, d=20, seed=14)
    kw = {"solver": "sgd", "batch_size": 64, "max_iter": 2, "tol": None, "random_state": 4,
          "fit_intercept": False, "learning_rate": 0.2 / ref.lipschitz(X, fit_intercept=False)}
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    code = (f"import numpy as np, linreg\n"
            f"linreg.set_num_threads(2)\n"
            f"X, y = np.load({str(tmp_path / 'X.npy')!r}), np.load({str(tmp_path / 'y.npy')!r})\n"
            f"est = linreg.LinearRegression(**{kw!r}).fit(X, y)\n"
            f"np.save({str(tmp_path / 'coef.npy')!r}, est.coef_)\n")
    subprocess.run([sys.executable, "-c", code], env=dict(os.environ, OMP_THREAD_LIMIT="1"),
                   check=True, timeout=120)
    try:
        linreg.set_num_threads(1)
        one = gd(**kw).fit(X, y).coef_
    finally:
        linreg.set_num_threads(None)
    np.testing.assert_array_equal(np.load(tmp_path / "coef.npy"), one)


def test_sgd_loss_history_is_the_full_objective_at_each_epoch_start():
    X, y, _ = make_regression(n=400, d=5, seed=9)
    orders = [_core.epoch_permutation(seed_of(5), e, len(y)) for e in range(3)]
    lr = 0.2 / ref.lipschitz(X)
    est = gd(solver="sgd", learning_rate=lr, batch_size=40, max_iter=3, tol=None,
             random_state=5, schedule="constant").fit(X, y)
    expected = [ref.objective(X, y, *ref.sgd_epochs(X, y, lr, 40, orders[:e])) for e in range(4)]
    np.testing.assert_allclose(est.loss_history_, expected, rtol=1e-11)


def test_permutation_is_a_reproducible_permutation():
    p = _core.epoch_permutation(7, 0, 1000)
    assert sorted(p) == list(range(1000))
    assert list(p) == list(_core.epoch_permutation(7, 0, 1000))
    assert list(p) != list(_core.epoch_permutation(7, 1, 1000))
    assert list(p) != list(_core.epoch_permutation(8, 0, 1000))


@pytest.mark.parametrize("n", [1, 2, 31, 32, 33, 34, 1000])
@pytest.mark.parametrize("seed,epoch", [(7, 0), (2**63 + 5, 3)])
def test_permutation_is_the_textbook_fisher_yates(n, seed, epoch):
    # the core draws the swap partners ahead of the swaps; the order must not change
    np.testing.assert_array_equal(_core.epoch_permutation(seed, epoch, n),
                                  ref.epoch_permutation(seed, epoch, n))


def test_random_state_reproducible():
    X, y, _ = make_regression(n=500, d=5, seed=10)
    kw = dict(solver="sgd", max_iter=3, tol=None, batch_size=20)
    a = gd(random_state=3, **kw).fit(X, y).coef_
    b = gd(random_state=np.random.RandomState(3), **kw).fit(X, y).coef_
    np.testing.assert_array_equal(a, gd(random_state=3, **kw).fit(X, y).coef_)
    assert not np.array_equal(a, gd(random_state=4, **kw).fit(X, y).coef_)
    assert b.shape == a.shape


def test_warm_start_continues_the_iterates():
    X, y, _ = make_regression(n=300, d=5, seed=11)
    lr = 0.7 / ref.lipschitz(X)
    once = gd(learning_rate=lr, max_iter=10, tol=None).fit(X, y)
    est = gd(learning_rate=lr, max_iter=4, tol=None, warm_start=True).fit(X, y)
    est.set_params(max_iter=6).fit(X, y)
    np.testing.assert_allclose(est.coef_, once.coef_, rtol=1e-12)
    np.testing.assert_allclose(est.intercept_, once.intercept_, rtol=1e-12)


# --- the step size ----------------------------------------------------------------------------


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_auto_learning_rate_is_one_over_L(fit_intercept):
    X, y, _ = make_regression(n=500, d=8, seed=12, mean=1.5)
    sw = np.random.default_rng(2).uniform(0.5, 2.0, len(y))
    est = gd(linreg.Ridge, alpha=30.0, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    L = ref.lipschitz(X, 30.0, sw, fit_intercept)
    # Lanczos approaches lambda_max from below (the penalty term is added exactly); an
    # estimate above L/2 keeps the step 1/L_est inside the stability bound 2/L.
    assert 0.99 * L <= est.lipschitz_ <= L * (1 + 1e-9)
    assert est.learning_rate_ == pytest.approx(1.0 / est.lipschitz_)


# --- convergence ------------------------------------------------------------------------------


@pytest.mark.parametrize("kw", [dict(), dict(momentum="nesterov"), dict(momentum=0.5),
                                dict(solver="sgd", random_state=0, tol=1e-3, max_iter=500,
                                     batch_size=32)],
                         ids=["gd", "nesterov", "heavy-ball", "sgd"])
@pytest.mark.parametrize("alpha", [0.0, 50.0])
def test_reaches_the_closed_form(kw, alpha, order):
    X, y, _ = make_regression(n=1000, d=8, order=order, seed=13, mean=0.3)
    closed = linreg.Ridge(alpha=alpha).fit(X, y)
    est = gd(linreg.Ridge, alpha=alpha, **{"tol": 1e-9, **kw}).fit(X, y)
    assert est.converged_ and est.grad_norm_ <= est.tol
    # The certificate bounds the error: |theta - theta*| <= |grad F| / mu with mu the smallest
    # eigenvalue of the Hessian, well above 1e-2 here.
    bound = 1e-2 if est.tol > 1e-8 else 1e-6
    assert rel_err(est.coef_, closed.coef_) < bound
    assert abs(est.intercept_ - closed.intercept_) < bound * np.abs(closed.coef_).max()
    assert np.all(np.diff(est.loss_history_[:5]) <= 0) or "momentum" in kw or "solver" in kw


def test_multi_target_with_per_target_alpha():
    X, Y, _ = make_regression(n=800, d=6, k=3, seed=14)
    alphas = np.array([0.0, 10.0, 1000.0])
    closed = linreg.Ridge(alpha=alphas).fit(X, Y)
    est = gd(linreg.Ridge, alpha=alphas, momentum="nesterov", tol=1e-10).fit(X, Y)
    assert est.coef_.shape == (3, 6) and est.intercept_.shape == (3,)
    assert est.loss_history_.shape == (est.n_iter_ + 1, 3) and est.grad_norm_.shape == (3,)
    assert rel_err(est.coef_, closed.coef_) < 1e-7
    # Each target alone gives the same answer (targets are independent problems).
    for t in range(3):
        one = gd(linreg.Ridge, alpha=alphas[t], momentum="nesterov", tol=1e-10).fit(X, Y[:, t])
        assert rel_err(one.coef_, closed.coef_[t]) < 1e-7


def test_float32_converges():
    X, y, _ = make_regression(n=2000, d=5, dtype=np.float32, seed=15)
    closed = linreg.LinearRegression().fit(X.astype(np.float64), y.astype(np.float64))
    est = gd(tol=1e-5).fit(X, y)
    assert est.coef_.dtype == np.float32 and est.converged_
    assert rel_err(est.coef_, closed.coef_) < 1e-4


def test_rank_deficient_design_reaches_a_minimiser():
    X, y, _ = make_regression(n=300, d=4, seed=16)
    X = np.c_[X, X[:, 0] + X[:, 1]]
    closed = linreg.LinearRegression(solver="qr")
    with pytest.warns(linreg.RankDeficientWarning):
        closed.fit(X, y)
    est = gd(momentum="nesterov", tol=1e-10).fit(X, y)
    f_closed = ref.objective(X, y, closed.coef_, closed.intercept_)
    assert ref.objective(X, y, est.coef_, est.intercept_) == pytest.approx(f_closed, rel=1e-10)


def test_ill_conditioned_problem_warns_with_the_certificate():
    rng = np.random.default_rng(17)
    x = rng.uniform(0, 1, 400)
    X = np.c_[x, x**2, x**3, x**4]  # condition number ~1e5 after centring
    y = np.sin(3 * x)
    est = gd(max_iter=200, tol=1e-8)
    with pytest.warns(linreg.ConvergenceWarning) as record:
        est.fit(X, y)
    msg = str(record[0].message)
    assert "relative gradient norm" in msg and "tol=1e-08" in msg and "200 iterations" in msg
    assert f"{est.grad_norm_:.3e}" in msg and "max_iter" in msg
    assert not est.converged_ and est.n_iter_ == 200


def test_no_warning_when_tol_is_none():
    X, y, _ = make_regression(n=100, d=3, seed=18)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = gd(max_iter=3, tol=None).fit(X, y)
    assert not est.converged_


# --- divergence -------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [linreg.LinearRegression, linreg.Ridge])
def test_step_above_two_over_L_diverges_with_the_bound_in_the_message(cls):
    X, y, _ = make_regression(n=400, d=5, seed=19, mean=1.0)
    alpha = 0.0 if cls is linreg.LinearRegression else 1.0  # Ridge's default alpha
    L = ref.lipschitz(X, alpha)
    est = gd(cls, learning_rate=2.2 / L)
    with pytest.raises(linreg.DivergenceError) as info:
        est.fit(X, y)
    msg = str(info.value)
    L_reported = float(msg.split("L = ")[1].split()[0])
    assert L_reported == pytest.approx(L, rel=0.05)
    assert float(msg.split("2/L = ")[1].split()[0]) == pytest.approx(2 / L_reported, rel=1e-5)
    assert f"learning_rate={2.2 / L:.6g}" in msg
    assert not hasattr(est, "coef_")  # nothing fitted
    # Just below the bound plain gradient descent still converges.
    ok = gd(cls, learning_rate=1.9 / L, max_iter=5000, tol=1e-8).fit(X, y)
    assert ok.converged_


def test_sgd_divergence_is_caught():
    X, y, _ = make_regression(n=500, d=5, seed=20)
    with pytest.raises(linreg.DivergenceError, match="L_b = .*batch|batches of 10 rows"):
        gd(solver="sgd", learning_rate=5.0, batch_size=10, random_state=0).fit(X, y)


def test_momentum_divergence_states_its_bound():
    X, y, _ = make_regression(n=300, d=4, seed=21)
    L = ref.lipschitz(X)
    with pytest.raises(linreg.DivergenceError, match=r"2\(1 \+ beta\)/L"):
        gd(learning_rate=4.0 / L, momentum=0.5).fit(X, y)


# --- callback, verbose, bad input --------------------------------------------------------------


def test_callback_sees_every_epoch_and_can_stop():
    X, y, _ = make_regression(n=300, d=4, seed=22)
    seen = []

    def cb(progress):
        seen.append(progress)
        return progress.epoch == 3

    est = gd(callback=cb, tol=1e-12).fit(X, y)
    assert [p.epoch for p in seen] == [0, 1, 2, 3]
    assert est.n_iter_ == 3 and not est.converged_
    np.testing.assert_allclose([p.loss for p in seen], est.loss_history_, rtol=1e-15)
    np.testing.assert_array_equal(seen[-1].coef, est.coef_)
    assert seen[-1].grad_norm == est.grad_norm_


def test_verbose_prints_progress(capsys):
    X, y, _ = make_regression(n=200, d=3, seed=23)
    gd(verbose=2, max_iter=3, tol=None).fit(X, y)
    out = capsys.readouterr().out
    assert out.count("epoch") == 4 and "grad_norm" in out and "F = " in out


@pytest.mark.parametrize("params, error, match", [
    (dict(learning_rate=0.0), ValueError, "learning_rate must be > 0, got 0.0"),
    (dict(learning_rate=-1), ValueError, "learning_rate must be > 0"),
    (dict(learning_rate=float("nan")), ValueError, "learning_rate must be finite"),
    (dict(learning_rate="fast"), ValueError,
     "learning_rate must be 'auto' or a positive float, got 'fast'"),
    (dict(solver="sgd", batch_size="all"), ValueError,
     "batch_size must be 'auto' or a positive integer, got 'all'"),
    (dict(max_iter=0), ValueError, "max_iter must be >= 1, got 0"),
    (dict(max_iter=2.5), TypeError, "max_iter must be an integer, got 2.5"),
    (dict(max_iter=True), TypeError, "max_iter must be an integer"),
    (dict(tol=-1e-3), ValueError, "tol must be >= 0.0"),
    (dict(momentum=1.0), ValueError, "momentum must be < 1.0"),
    (dict(momentum=-0.1), ValueError, "momentum must be >= 0.0"),
    (dict(momentum="heavy"), ValueError,
     r"momentum must be 'nesterov' or a float in \[0, 1\), got 'heavy'"),
    (dict(solver="sgd", momentum="nesterov"), ValueError, "needs full-batch"),
    (dict(solver="sgd", batch_size=0), ValueError, "batch_size must be >= 1, got 0"),
    (dict(solver="sgd", batch_size=51), ValueError,
     r"batch_size must be at most n_samples \(50\), got 51"),
    (dict(solver="sgd", batch_size=2.0), TypeError, "batch_size must be an integer"),
    (dict(schedule="cosine"), ValueError, "schedule must be one of"),
    (dict(solver="sgd", random_state="seed"), TypeError, "random_state must be"),
    (dict(solver="sgd", random_state=-1), ValueError, "random_state must be >= 0"),
    (dict(callback=3), TypeError, "callback must be callable"),
    (dict(warm_start=1), TypeError, "warm_start must be True or False"),
    (dict(shuffle="yes"), TypeError, "shuffle must be True or False"),
    (dict(verbose=-1), ValueError, "verbose must be >= 0"),
])
def test_bad_parameters(params, error, match):
    X, y, _ = make_regression(n=50, d=3, seed=24)
    est = gd(**params)
    with pytest.raises(error, match=match):
        est.fit(X, y)
    assert not hasattr(est, "coef_")


@pytest.mark.parametrize("learning_rate", ["auto", 0.01])
def test_non_finite_in_large_X_is_caught(learning_rate):
    X, y, _ = make_regression(n=2**17, d=9, seed=25)
    X[70000, 4] = np.nan
    with pytest.raises(ValueError, match=r"X contains 1 NaN value\(s\), the first at index "
                                         r"\(70000, 4\)"):
        gd(learning_rate=learning_rate, max_iter=2).fit(X, y)


def test_inputs_unchanged_and_closed_form_attributes_dropped():
    X, y, _ = make_regression(n=200, d=4, seed=26, order="F")
    sw = np.linspace(0.5, 1.5, 200)
    copies = X.copy(order="K"), y.copy(), sw.copy()
    est = linreg.Ridge().fit(X, y)
    assert hasattr(est, "rank_")
    est.set_params(solver="sgd", random_state=0, max_iter=2, tol=None).fit(X, y, sample_weight=sw)
    for a, b in zip((X, y, sw), copies):
        np.testing.assert_array_equal(a, b)
    assert X.flags.f_contiguous
    assert not hasattr(est, "rank_") and hasattr(est, "loss_history_")
    est.set_params(solver="auto").fit(X, y)
    assert hasattr(est, "rank_") and not hasattr(est, "loss_history_")


@pytest.mark.parametrize("k", [3, 20])  # the fused row kernel (k <= 16) and the block product
def test_multi_target_steps(order, k):
    X, Y, _ = make_regression(n=260, d=5, k=k, order=order, seed=27, mean=0.7)
    sw = np.random.default_rng(3).uniform(0.5, 2.0, len(X))
    alphas = np.linspace(0.0, 50.0, k)
    lr = 1.0 / ref.lipschitz(X, alphas.max(), sw)
    est = gd(linreg.Ridge, alpha=alphas, learning_rate=lr, max_iter=6, tol=None).fit(
        X, Y, sample_weight=sw)
    for t in range(k):
        w, b = ref.gd_steps(X, Y[:, t], lr, 6, alphas[t], sw)
        np.testing.assert_allclose(est.coef_[t], w, rtol=1e-11, atol=1e-13)
        assert est.intercept_[t] == pytest.approx(b, rel=1e-11)


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("n", [3, 9, 1003, 7021])
@pytest.mark.parametrize("k", [1, 2, 5, 16])
def test_full_pass_on_any_split_of_the_rows(dtype, order, threads, n, k):
    # Row-major X is read four rows at a time, one from each quarter of a thread's range, and the
    # last (range % 4) rows alone; k targets take their dot products two at a time. Every split
    # gives the reference steps: fewer than four rows, uneven tails, odd k. (A thread takes at
    # least one block of about 128 KiB, 2340 rows of 7 doubles: 7021 rows give three threads
    # 2340, 2340 and 2341 rows, two threads 3510 and 3511.)
    X, Y, _ = make_regression(n=n, d=7, k=k, dtype=dtype, order=order, seed=29, mean=0.4)
    Y = Y.reshape(n, k)
    sw = np.random.default_rng(5).uniform(0.5, 2.0, n)
    alphas = np.linspace(0.0, 3.0, k)
    X64, Y64 = X.astype(np.float64), Y.astype(np.float64)
    lr = 1.0 / ref.lipschitz(X64, alphas.max(), sw)
    try:
        linreg.set_num_threads(threads)
        est = gd(linreg.Ridge, alpha=alphas if k > 1 else alphas[0], learning_rate=lr,
                 max_iter=4, tol=None).fit(X, Y if k > 1 else Y[:, 0], sample_weight=sw)
    finally:
        linreg.set_num_threads(None)
    coef = np.atleast_2d(est.coef_)
    rtol = 1e-10 if dtype == np.float64 else 2e-4
    for t in range(k):
        w, b = ref.gd_steps(X64, Y64[:, t], lr, 4, alphas[t], sw)
        np.testing.assert_allclose(coef[t], w, rtol=rtol, atol=rtol * np.abs(w).max())
        assert np.atleast_1d(est.intercept_)[t] == pytest.approx(b, rel=rtol, abs=rtol)


@pytest.mark.parametrize("d", [1, 3, 4, 8, 12, 15, 20, 100])
@pytest.mark.parametrize("k", [1, 3])
def test_every_row_length_in_packets_halves_and_single_entries(dtype, d, k):
    # A row-major row is summed in SIMD packets (8 floats or 4 doubles under AVX), then a
    # remainder of half a packet of four or more as one half packet, then single entries: rows
    # of 1 and 3 are single entries only, 4 a half packet (float) or one packet (double), 12 a
    # packet and a half (float), 15 and 100 all three kinds. Full-batch steps of the fused pass
    # and mini-batch epochs (their own kernel) both match the references.
    X, Y, _ = make_regression(n=500, d=d, k=k, dtype=dtype, order="C", seed=31, mean=0.3)
    Y = Y.reshape(500, k)
    X64, Y64 = X.astype(np.float64), Y.astype(np.float64)
    alphas = np.linspace(0.5, 2.0, k)
    lr = 1.0 / ref.lipschitz(X64, alphas.max())
    est = gd(linreg.Ridge, alpha=alphas if k > 1 else alphas[0], learning_rate=lr, max_iter=3,
             tol=None).fit(X, Y if k > 1 else Y[:, 0])
    coef = np.atleast_2d(est.coef_)
    rtol = 1e-11 if dtype == np.float64 else 2e-4
    for t in range(k):
        w, b = ref.gd_steps(X64, Y64[:, t], lr, 3, alphas[t])
        np.testing.assert_allclose(coef[t], w, rtol=rtol, atol=rtol * np.abs(w).max())
        assert np.atleast_1d(est.intercept_)[t] == pytest.approx(b, rel=rtol, abs=rtol)
    orders = [_core.epoch_permutation(seed_of(3), e, 500) for e in range(2)]
    w, b = ref.sgd_epochs(X64, Y64[:, 0], 0.3 * lr, 40, orders)
    est = gd(solver="sgd", learning_rate=0.3 * lr, batch_size=40, max_iter=2, tol=None,
             random_state=3, schedule="constant").fit(X, Y[:, 0])
    scale = np.abs(w).max()
    assert np.abs(est.coef_ - w).max() / scale < tolerance(dtype) * 10
    assert abs(est.intercept_ - b) / scale < tolerance(dtype) * 10


@pytest.mark.parametrize("d", [1, 3, 4, 7, 8, 12, 100])
@pytest.mark.parametrize("weighted", [False, True])
def test_column_major_pass_on_every_row_count(dtype, d, weighted):
    # Column-major X, one block of 503 rows (a remainder after the SIMD packets in either
    # precision): with d >= 8 the first eight columns' sweep starts from y - b; without weights
    # 1'r and r'r are summed in packets of doubles, with weights in the loop that forms S r; d < 4,
    # 4 and 8 leave no, a half or a whole residual group. Every step and every F match the
    # references.
    n, steps = 503, 3
    X, y, _ = make_regression(n=n, d=d, dtype=dtype, order="F", seed=32, mean=0.6)
    sw = np.random.default_rng(6).uniform(0.5, 2.0, n) if weighted else None
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    lr = 1.0 / ref.lipschitz(X64, 0.0, sw)
    est = gd(learning_rate=lr, max_iter=steps, tol=None).fit(X, y, sample_weight=sw)
    rtol = 1e-11 if dtype == np.float64 else 2e-4
    w, b = ref.gd_steps(X64, y64, lr, steps, 0.0, sw)
    np.testing.assert_allclose(est.coef_, w, rtol=rtol, atol=rtol * np.abs(w).max())
    assert est.intercept_ == pytest.approx(b, rel=rtol, abs=rtol)
    F = [ref.objective(X64, y64, *ref.gd_steps(X64, y64, lr, j, 0.0, sw), 0.0, sw)
         for j in range(steps + 1)]
    np.testing.assert_allclose(est.loss_history_, F, rtol=1e-12 if dtype == np.float64 else 1e-5)


@pytest.mark.parametrize("solver", ["gd", "sgd"])
def test_an_exception_in_the_callback_propagates(solver):
    X, y, _ = make_regression(n=300, d=3, seed=28)

    def cb(progress):
        if progress.epoch == 2:
            raise RuntimeError("stop here")

    est = gd(solver=solver, callback=cb, random_state=0)
    with pytest.raises(RuntimeError, match="stop here"):
        est.fit(X, y)
    assert not hasattr(est, "coef_")


# --- data at the edges of the scale -----------------------------------------------------------


@pytest.mark.parametrize("scale", [1e-150, 1e-120, 1e-30, 1e120, 1e150])
def test_data_scaled_far_from_one_reach_the_least_squares_solution(scale):
    # The gradient is of the size of X'y / n: scale^2. Its norm squared under- or overflowed for
    # the largest and smallest of these scales, which made the certificate read 0 (a fit stopped
    # at w = 0, "converged") or inf (a "divergence" at the first step). The coefficients do not
    # depend on the scale.
    X, y, _ = make_regression(n=300, d=5, seed=30)
    coef, intercept = ref.lstsq(X, y)
    est = gd(tol=1e-8, max_iter=2000).fit(X * scale, y * scale)
    assert est.converged_ and 0 < est.grad_norm_ <= 1e-8
    assert rel_err(est.coef_, coef) < 1e-6
    assert est.intercept_ / scale == pytest.approx(intercept, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("power", [-500, -100, 100, 500])
@pytest.mark.parametrize("kw", [dict(), dict(momentum="nesterov"),
                                dict(solver="sgd", random_state=0, batch_size=32),
                                dict(solver="sgd", random_state=0, momentum=0.5)],
                         ids=["gd", "nesterov", "sgd", "sgd-momentum"])
def test_a_power_of_two_scale_gives_the_same_iterates(power, kw):
    # X and y times 2^p: every product and sum is the unscaled one times a power of two, exactly,
    # so the learning rate 1/L and every iterate must be too (the Lanczos estimate of L was 23%
    # low below eigenvalues of ~1e-31: Eigen's tridiagonal solver does not scale its input).
    X, y, _ = make_regression(n=300, d=5, seed=30)
    s = 2.0**power
    base = gd(tol=None, max_iter=15, **kw).fit(X, y)
    est = gd(tol=None, max_iter=15, **kw).fit(X * s, y * s)
    assert est.learning_rate_ == base.learning_rate_ / s**2
    np.testing.assert_array_equal(est.coef_, base.coef_)
    assert est.intercept_ == base.intercept_ * s
    np.testing.assert_array_equal(est.loss_history_, base.loss_history_ * s**2)


@pytest.mark.parametrize("scale", [2.0**-110, 1e-40, 1.0, 1e40])
def test_lanczos_estimate_of_L_at_any_scale(scale):
    X, _, _ = make_regression(n=400, d=12, seed=36)
    X = X * scale
    est = gd().fit(X, np.linspace(0.0, 1.0, 400) * scale)
    assert est.lipschitz_ == pytest.approx(ref.lipschitz(X), rel=1e-3)


def test_squares_that_underflow_are_refused_with_the_scale():
    X, y, _ = make_regression(n=100, d=3, seed=31)
    with pytest.raises(ValueError, match=r"too small in scale for gradient descent: its largest "
                                         r"entry is [0-9.]+e-160.*Rescale X"):
        gd().fit(X * 1e-160, y)


def test_an_objective_that_overflows_names_the_sizes():
    X, y, _ = make_regression(n=100, d=3, seed=32)
    with pytest.raises(ValueError, match=r"overflows at the starting point.*largest \|y\| = "
                                         r"[0-9.]+e\+200.*closed form"):
        gd().fit(X, y * 1e200)


@pytest.mark.parametrize("value, kw", [
    *[(v, kw) for v in (0.1, 1e10 / 3, np.pi * 1e-5)
      for kw in (dict(), dict(solver="sgd"), dict(tol=None, max_iter=3), dict(alpha=2.0))],
    (0.0, dict()), (0.0, dict(fit_intercept=False)), (0.0, dict(solver="sgd", fit_intercept=False)),
])
def test_constant_features_give_w_zero_without_iterating(value, kw, dtype):
    # Every feature constant (zero, without an intercept): X_c = 0, so F does not depend on w
    # beyond the penalty, and w = 0 is the (minimum-norm) minimiser, b the mean of y. With 1/L,
    # gradient descent divided rounding noise by rounding noise (numpy.linalg.lstsq on the centred
    # columns fits that noise too: 0.155 for each coefficient at value 0.1).
    rng = np.random.default_rng(33)
    X = np.full((60, 3), value, dtype=dtype)
    y = rng.standard_normal(60).astype(dtype)
    intercept = float(np.mean(y, dtype=np.float64)) if kw.get("fit_intercept", True) else 0.0
    est = gd(linreg.Ridge, **{"alpha": 0.0, **kw}).fit(X, y)  # a warning would be an error here
    np.testing.assert_array_equal(est.coef_, np.zeros(3))
    assert est.intercept_ == pytest.approx(intercept, rel=1e-6, abs=0)
    assert est.n_iter_ == 0 and est.converged_ and est.grad_norm_ == 0.0
    F0 = ref.objective(X.astype(np.float64), y.astype(np.float64), np.zeros(3), intercept)
    np.testing.assert_allclose(est.loss_history_, [F0], rtol=1e-6)


def test_constant_on_the_weighted_rows_with_other_rows_weighted_zero():
    rng = np.random.default_rng(34)
    X = np.r_[np.full((6, 2), 2.0), rng.standard_normal((4, 2))]
    y, sw = rng.standard_normal(10), np.r_[np.ones(6), np.zeros(4)]
    est = gd().fit(X, y, sample_weight=sw)
    np.testing.assert_array_equal(est.coef_, np.zeros(2))
    assert est.intercept_ == pytest.approx(np.average(y, weights=sw)) and est.n_iter_ == 0


def test_a_constant_design_still_reports_epoch_zero_to_the_callback(capsys):
    seen = []
    X, y = np.full((40, 2), 3.0), np.linspace(-1, 1, 40)
    gd(callback=seen.append, verbose=1).fit(X, y)
    assert [p.epoch for p in seen] == [0] and seen[0].grad_norm == 0.0
    assert "epoch      0" in capsys.readouterr().out


def test_auto_step_divergence_blames_the_arithmetic_not_the_step():
    # Features that vary by 1e-13 of their mean keep three digits when centred; F then rises
    # even at the step 1/L, which no step size explains.
    rng = np.random.default_rng(0)
    y = rng.standard_normal(50)
    X = 1.0 + 1e-13 * rng.standard_normal((50, 3))
    with pytest.raises(linreg.DivergenceError, match=r"the step was learning_rate='auto', .*"
                                                      r"cannot rise in exact arithmetic.*"
                                                      r"closed form"):
        gd().fit(X, y)


@pytest.mark.parametrize("cls, kw", [(linreg.Ridge, dict(solver="gd")),
                                     (linreg.Ridge, dict(solver="sgd")),
                                     (linreg.Lasso, dict(alpha=0.01))])
@pytest.mark.parametrize("change", ["features", "targets"])
def test_warm_start_of_another_shape_raises(cls, kw, change):
    X, Y, _ = make_regression(n=120, d=4, k=2, seed=35)
    est = cls(warm_start=True, **kw).fit(X, Y[:, 0])
    X2, Y2 = (X[:, :3], Y[:, 0]) if change == "features" else (X, Y)
    with pytest.raises(ValueError, match=r"warm_start=True starts from the previous fit's coef_, "
                                         r"of shape \(4,\), but this fit has"):
        est.fit(X2, Y2)
    # A fit of the same shape still starts from the previous coefficients.
    est.fit(X, Y[:, 0] + 0.0)
