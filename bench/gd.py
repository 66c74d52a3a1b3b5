"""Benchmark of linreg's gradient-descent solvers against NumPy and scikit-learn.

    python bench/gd.py [--quick] [--repeats N] [--out FILE.jsonl] [--sections 1,2,3,4,5]

The problem is ``X`` (1e6 x 100, ``--quick``: 1e5 x 100) of standard-normal entries and
``y = X @ coef + 1.5 + 0.1 * noise``. Five sections:

1. *One full-batch gradient step*: the per-iteration time of the textbook NumPy loop as written
   (``w = w - lr * (-2/n * X.T @ (y - X @ w))``, which parses as ``((-2/n) * X.T) @ r`` and so
   copies X every step), of the same loop with the product bracketed
   (``(-2/n) * (X.T @ (y - X @ w))``, two matrix-vector products), of linreg's fused pass
   (``_core.fit_gradient_descent``: ``max_iter`` steps plus one evaluation of the final point,
   so ``max_iter + 1`` passes over X) and of merely reading X (``_core.read_all``, the
   streaming-bandwidth yardstick: each thread reads its share of X as four sequential streams,
   which on the 2-core VM of bench/README reads 20-30% faster than one stream per thread), for
   float64 and float32, C and F order, without intercept.
   The step is ``1/L``, ``L = 2 lambda_max(X'X/n)``. The error column compares each ``w`` with
   the bracketed loop run in float64 on the same values for the same number of steps.
2. *One epoch of mini-batch SGD* (256 rows, constant step 1e-3, with intercept) against
   scikit-learn's ``SGDRegressor`` (one sample per step, same ``eta0``), shuffled and not. linreg's
   epoch is its fit with one epoch minus its fit with none (the final full pass that certifies
   the point). A single-threaded linreg row shows what the threads contribute. The objective
   after the epoch is the correctness column. The 5x target is for row-major X, NumPy's
   default; a row of column-major X is ``d`` separate cache lines, and that ratio is printed
   without a target.
3. *Solver race*: time to a relative suboptimality ``(F - F*) / F* <= 1e-6`` of the objective
   ``F(w, b) = mean((y - X w - b)^2) + alpha/n ||w||^2`` (OLS, then Ridge with ``alpha=1000``),
   ``F*`` at the closed form. A first fit of each iterative solver stops itself (through
   ``callback``) when ``F`` reaches the target, which gives the number of iterations needed;
   the timed fits then run exactly that many (``tol=None``), the step-size estimate included
   (the first fit, itself a run to the target, counts as their warm-up).
4. *Batched targets*: one Ridge fit by gradient descent of ``k`` targets, each with its own
   ``alpha``, against ``k`` separate fits, with the same fixed step and iteration count.
5. *The pass against the machine's bandwidth* (not among the default sections): many pairs of
   five linreg passes (a fit with ``max_iter=4``) and five reads of X, back to back, the order
   alternating, for float64 and float32, C and F order. A straight line fitted through the pairs,
   ``pass = a * read + c``, separates what follows the memory's speed of the minute (``a``) from
   what does not (``c``: work on data already in cache), and read / pass is printed by quarter of
   the read's bandwidth. It explains the spread of section 1's read / linreg figure.

Method (as ``linreg._bench``): every contender of a table runs once as a warm-up and then
``repeats`` times, contenders interleaved round by round in one process so that a noisy machine
slows all of them alike; the median is reported. A contender whose warm-up takes longer than
4 s runs twice more only, longer than 15 s not again (the warm-up is then its timing). A 0.5 s
pause precedes every run: OpenBLAS's worker threads busy-wait for about 0.1 s after a call, and
without the pause whichever contender runs next would lose a core to them. Sections 1 and 2 rotate
the order of their contenders from round to round: the literal seed loop allocates and frees two
0.8 GB copies of X per step, and the contender after it ran up to 30% slower even after the
pause; rotated, that cost falls on each contender alike. Every timing row
carries an error or objective against a float64 reference, so speed never appears without
correctness. Targets are marked PASS or FAIL on ratios of medians. Under each verdict the same
ratio is printed round by round (median, smallest and largest over the rounds, each taken between
runs seconds apart): on a machine whose speed drifts by 10-30 %, that range shows how firmly a
figure stands on its side of the target.
"""

from __future__ import annotations

import argparse
from functools import partial
import sys
import time
import warnings

import numpy as np

import linreg
from linreg import _bench, _core
from linreg._bench import LONG_SECONDS, Report, interleave, paired_ratios, spread, title

SIZES = {"full": (1_000_000, 100), "quick": (100_000, 100)}
NOISE = 0.1
INTERCEPT = 1.5

STEP_ITERS = 10  # section 1: linreg and bracketed NumPy steps per timed run
SEED_STEPS = {"full": 2, "quick": 10}  # section 1: steps of the copying loop per timed run
SGD_BATCH = 256
SGD_LR = 1e-3
RACE_TARGET = 1e-6
RACE_CAP = {"gd": 2000, "sgd": 50}
RACE_BUDGET_SECONDS = 40.0  # section 3: a search fit gives up after this long
SKLEARN_EPOCHS = 10  # section 3: sklearn's epochs at most
RIDGE_ALPHA = 1000.0
BATCH_TARGETS = (1, 4, 16)
BATCH_ITERS = 20
BANDWIDTH_PAIRS = 100  # section 5: pairs per dtype and order
BANDWIDTH_PASSES = 5  # section 5: passes (a fit with 4 steps) and reads per member of a pair

TARGETS = {
    "seed/linreg": 9.0,
    "best numpy/linreg": 1.6,
    "read/linreg": 0.8,
    "float32 speed-up": 1.8,
    "sklearn/linreg epoch": 5.0,
}


# --------------------------------------------------------------------------------- helpers


def make_problem(n, d, k=1, seed=0):
    """Standard-normal ``X`` (float64, C order) and ``k`` targets ``X @ coef + 1.5 + noise``.

    Returns
    -------
    X : ndarray of shape (n, d)
    Y : ndarray of shape (n, k), F order
        Column ``j`` has its own noise draw (the same ``coef``).
    coef : ndarray of shape (d,)
    """
    rng = np.random.default_rng(seed)
    X = np.empty((n, d))
    step = max(1, 2**22 // d)
    for r in range(0, n, step):  # fill in blocks: no second full-size temporary
        X[r:r + step] = rng.standard_normal((min(step, n - r), d))
    coef = rng.uniform(-1.0, 1.0, d)
    signal = X @ coef + INTERCEPT
    Y = np.empty((n, k), order="F")
    for j in range(k):
        Y[:, j] = signal + NOISE * rng.standard_normal(n)
    return X, Y, coef


def objective(X, y, w, b=0.0, alpha=0.0):
    """``F(w, b) = mean((y - X w - b)^2) + alpha/n ||w||^2``, evaluated in float64."""
    w = np.asarray(w, dtype=np.float64)
    r = np.asarray(y, dtype=np.float64) - X @ w - float(b)
    return float(r @ r) / X.shape[0] + alpha / X.shape[0] * float(w @ w)


def rel_err(a, ref):
    """``max |a - ref| / max |ref|``."""
    a = np.asarray(a, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    return float(np.max(np.abs(a - ref)) / np.max(np.abs(ref)))


def verdict(value, target):
    return "PASS" if value >= target else "FAIL"


def _x_mean(X, fit_intercept):
    """The column means the core centres X by (empty: no intercept)."""
    if not fit_intercept:
        return np.empty(0)
    return _core.weighted_means(X, np.empty(0), linreg.get_num_threads())


def lambda_max(X, fit_intercept):
    """The core's Lanczos estimate of the largest eigenvalue of ``X'X/n`` (with an
    intercept: of the centred ``X``), run to a tight tolerance."""
    return _core.estimate_lipschitz(X, np.empty(0), _x_mean(X, fit_intercept), 100, 1e-6, False,
                                    linreg.get_num_threads()).lambda_max


def gd_core(X, Y, lr, max_iter, *, fit_intercept=False, batch_size=0, shuffle=False, seed=0,
            n_threads=None):
    """One call of ``_core.fit_gradient_descent`` from zero: fixed step, constant schedule, no
    early stop, no penalty. Returns ``(coef (d,), intercept)`` of the first target."""
    d, k = X.shape[1], Y.shape[1]
    n_threads = linreg.get_num_threads() if n_threads is None else n_threads
    y_mean = Y.mean(axis=0, dtype=np.float64) if fit_intercept else np.empty(0)
    res = _core.fit_gradient_descent(
        X, Y, np.empty(0), np.zeros(k), _x_mean(X, fit_intercept), y_mean, np.zeros((d, k)),
        np.full(k, float(lr)), int(max_iter), -1.0, int(batch_size), bool(shuffle), int(seed),
        0.0, False, "constant", 0.5, n_threads, None)
    return res.coef[:, 0], float(res.intercept[0])


# ------------------------------------------------------------- 1. one full-batch gradient step


def step_trajectory(X64, y64, lr, steps):
    """Iterates of the bracketed NumPy loop in float64: row ``j`` is ``w`` after ``j`` steps."""
    n, d = X64.shape
    out = np.zeros((steps + 1, d))
    w = np.zeros(d)
    for j in range(steps):
        w = w - lr * ((-2 / n) * (X64.T @ (y64 - X64 @ w)))
        out[j + 1] = w
    return out


def step_contenders(X, y, lr, iters, seed_steps):
    """Section 1's contenders on one array: name -> (callable, steps or passes per call)."""
    n, d = X.shape
    Y = y.reshape(n, 1)  # (n, 1): both C- and F-contiguous, no copy
    nt = linreg.get_num_threads()

    def seed_literal():
        w = np.zeros(d, dtype=X.dtype)
        for _ in range(seed_steps):
            w = w - lr * (-2 / n * X.T @ (y - X @ w))
        return w

    def numpy_bracketed():
        w = np.zeros(d, dtype=X.dtype)
        for _ in range(iters):
            grad = (-2 / n) * (X.T @ (y - X @ w))
            w = w - lr * grad
        return w

    def linreg_gd():
        return gd_core(X, Y, lr, iters)[0]

    def read_x():
        return [_core.read_all(X, nt) for _ in range(iters + 1)][-1]

    return {
        "seed literal": (seed_literal, seed_steps),
        "numpy bracketed": (numpy_bracketed, iters),
        "linreg": (linreg_gd, iters + 1),
        "read X once": (read_x, iters + 1),
    }


def section_step(report, X64, y64, mode, repeats):
    n, d = X64.shape
    iters, seed_steps = STEP_ITERS, SEED_STEPS[mode]
    lr = 1.0 / (2.0 * lambda_max(X64, fit_intercept=False))
    title(f"1. Per-iteration time of one full-batch gradient step  ({n} x {d}, "
          f"lr = 1/L = {lr:.4g})")
    print(f"seed literal: {seed_steps} steps per run; numpy bracketed: {iters} steps; linreg: "
          f"{iters} steps = {iters + 1} passes; read X: {iters + 1} reads. 'w err': max |w - w_ref|"
          f" / max |w_ref| after the same number of steps, w_ref from the bracketed loop in "
          f"float64 on the same values (read X: relative error of the sum of X).")
    header = (f"{'dtype':7} {'ord':3} {'contender':16} {'s/iter':>9} {'GB/s':>6} {'runs':>4} "
              f"{'w err':>9}")
    print()
    print(header)
    print("-" * len(header))
    per_iter = {}
    for dtype in (np.float64, np.float32):
        Xd = X64 if dtype == np.float64 else X64.astype(np.float32)
        yd = y64.astype(dtype)
        # Reference iterates on exactly the values the contenders see.
        X_ref = X64 if dtype == np.float64 else Xd.astype(np.float64)
        ref = step_trajectory(X_ref, yd.astype(np.float64), lr, max(iters, seed_steps))
        del X_ref
        for order in ("C", "F"):
            X = Xd if order == "C" else np.asfortranarray(Xd)
            xbytes = X.nbytes
            funcs = step_contenders(X, yd, lr, iters, seed_steps)
            # Rotated rounds: the literal seed loop allocates and frees two 0.8 GB copies of X
            # per step, and whichever contender ran after it was up to 30% slower even after
            # the pause (measured).
            samples = {}
            seconds, runs, results, _ = interleave({k: f for k, (f, _) in funcs.items()},
                                                  repeats, catch=False, rotate=True,
                                                  samples=samples)
            x_sum = float(np.sum(X, dtype=np.float64))
            name = np.dtype(dtype).name
            t = {}
            for key, (_, count) in funcs.items():
                t[key] = seconds[key] / count
                if key == "read X once":
                    err = abs(results[key] - x_sum) / abs(x_sum)
                else:
                    steps = seed_steps if key == "seed literal" else iters
                    err = rel_err(results[key], ref[steps])
                print(f"{name:7} {order:3} {key:16} {t[key]:9.5f} {xbytes / t[key] / 1e9:6.1f} "
                      f"{runs[key]:4d} {err:9.1e}")
                report.add("step", n=n, d=d, dtype=name, order=order, contender=key,
                           seconds_per_iter=t[key], gb_per_s=xbytes / t[key] / 1e9,
                           runs=runs[key], w_rel_err=err)
            per_iter[(name, order)] = t["linreg"]
            best_numpy = min(t["seed literal"], t["numpy bracketed"])
            checks = {
                "seed/linreg": t["seed literal"] / t["linreg"],
                "best numpy/linreg": best_numpy / t["linreg"],
                "read/linreg": t["read X once"] / t["linreg"],
            }
            print("    " + "   ".join(
                f"{k} {v:.2f}{'x' if k != 'read/linreg' else ''} (>= {TARGETS[k]:g}: "
                f"{verdict(v, TARGETS[k])})" for k, v in checks.items()))
            # The same ratios round by round (per iteration): how far the machine's drift moves
            # them.
            per = {key: {r: t / count for r, t in samples[key].items()}
                   for key, (_, count) in funcs.items()}
            for k, (num, unit) in {"seed/linreg": ("seed literal", "x"),
                                   "read/linreg": ("read X once", "")}.items():
                print(f"    {k} {spread(paired_ratios(per, num, 'linreg'), unit)}")
            report.add("step-targets", n=n, d=d, dtype=name, order=order,
                       **{k.replace(" ", "_").replace("/", "_over_"): v for k, v in checks.items()})
            sys.stdout.flush()
            del X
        del Xd
    print()
    # The two precisions side by side, interleaved: the tables above ran minutes apart, and a
    # ratio across them carries the machine's drift in between.
    target = TARGETS["float32 speed-up"]
    X32 = X64.astype(np.float32)
    for order in ("C", "F"):
        pair = {name: (X if order == "C" else np.asfortranarray(X))
                for name, X in (("float64", X64), ("float32", X32))}
        Ys = {name: y64.astype(X.dtype).reshape(n, 1) for name, X in pair.items()}
        samples = {}
        seconds, _, _, _ = interleave(
            {name: partial(gd_core, X, Ys[name], lr, STEP_ITERS) for name, X in pair.items()},
            repeats, catch=False, samples=samples)
        s = seconds["float64"] / seconds["float32"]
        print(f"linreg float32 speed-up over float64, {order} order, interleaved: {s:.2f}x "
              f"(target ~2, >= {target:g}: {verdict(s, target)}); from the tables: "
              f"{per_iter[('float64', order)] / per_iter[('float32', order)]:.2f}x; "
              f"{spread(paired_ratios(samples, 'float64', 'float32'), 'x')}")
        report.add("step-float32", n=n, d=d, order=order, float32_speedup=s)
        del pair
    del X32


# ------------------------------------------------------------------ 2. one epoch of mini-batch SGD


def section_sgd_epoch(report, X64, y64, repeats):
    from sklearn.linear_model import SGDRegressor

    n, d = X64.shape
    nt = linreg.get_num_threads()
    cf = linreg.LinearRegression().fit(X64, y64)
    f_star = objective(X64, y64, cf.coef_, cf.intercept_)
    title(f"2. Mini-batch SGD: one epoch  ({n} x {d} float64, fit_intercept, "
          f"lr = eta0 = {SGD_LR:g})")
    print(f"linreg: batch_size={SGD_BATCH}, schedule='constant', {nt} threads unless said; "
          f"'epoch alone' = fit(max_iter=1) - fit(max_iter=0), the latter being the final "
          f"certificate pass. sklearn: SGDRegressor(max_iter=1, tol=None, "
          f"learning_rate='constant', penalty=None), one sample per step. The same nominal "
          f"step is not the same progress: linreg takes n/{SGD_BATCH} steps of lr times a "
          f"mean gradient, sklearn n steps of eta0 times a one-row gradient. F = "
          f"mean((y - Xw - b)^2) after the epoch; F* = {f_star:.6g} (closed form).")
    header = (f"{'ord':3} {'contender':34} {'seconds':>8} {'runs':>4} {'F after':>11} "
              f"{'(F-F*)/F*':>10}")
    target = TARGETS["sklearn/linreg epoch"]
    for order in ("C", "F"):
        X = X64 if order == "C" else np.asfortranarray(X64)
        Y = y64.reshape(n, 1)

        def lin(max_iter, shuffle, threads=nt):
            return lambda: gd_core(X, Y, SGD_LR, max_iter, fit_intercept=True,
                                   batch_size=SGD_BATCH, shuffle=shuffle, seed=0,
                                   n_threads=threads)

        def skl(shuffle):
            def run():
                est = SGDRegressor(max_iter=1, tol=None, shuffle=shuffle, learning_rate="constant",
                                   eta0=SGD_LR, penalty=None, random_state=0).fit(X, y64)
                return est.coef_, float(est.intercept_[0])
            return run

        # name: (callable, name of the certificate run to subtract, or None)
        funcs = {
            "linreg shuffled": (lin(1, True), "linreg certificate only"),
            "linreg unshuffled": (lin(1, False), "linreg certificate only"),
            "linreg certificate only": (lin(0, False), None),
            "sklearn shuffled": (skl(True), None),
            "sklearn unshuffled": (skl(False), None),
        }
        if nt > 1:
            funcs["linreg shuffled, 1 thread"] = (lin(1, True, 1),
                                                  "linreg certificate only, 1 thread")
            funcs["linreg certificate only, 1 thread"] = (lin(0, False, 1), None)
        samples = {}
        seconds, runs, results, _ = interleave({k: f for k, (f, _) in funcs.items()},
                                                  repeats, catch=False, rotate=True,
                                                  samples=samples)
        print()
        print(header)
        print("-" * len(header))
        epoch = {}
        for key, (_, cert) in funcs.items():
            w, b = results[key]
            f = objective(X64, y64, w, b)
            print(f"{order:3} {key:34} {seconds[key]:8.3f} {runs[key]:4d} {f:11.6g} "
                  f"{(f - f_star) / f_star:10.2e}")
            row = report.add("sgd-epoch", n=n, d=d, order=order, contender=key,
                             seconds=seconds[key], runs=runs[key], objective=f,
                             objective_star=f_star)
            if cert is not None:
                epoch[key] = row["epoch_seconds"] = seconds[key] - seconds[cert]
                print(f"{order:3} {'  epoch alone':34} {epoch[key]:8.3f}")
        for kind in ("shuffled", "unshuffled"):
            ratio = seconds[f"sklearn {kind}"] / epoch[f"linreg {kind}"]
            if kind != "shuffled":
                mark = ""
            elif order == "C":
                mark = f" (>= {target:g}: {verdict(ratio, target)})"
            else:  # each row of column-major X is d separate cache lines; no target (README)
                mark = " (column-major rows: no target)"
            rounds = paired_ratios(samples, f"sklearn {kind}", f"linreg {kind}",
                                   minus="linreg certificate only")
            print(f"    sklearn/linreg epoch, {kind}: {ratio:.2f}x{mark}; {spread(rounds, 'x')}")
            report.add("sgd-epoch-ratio", n=n, d=d, order=order, kind=kind, threads=nt,
                       linreg_epoch_seconds=epoch[f"linreg {kind}"], sklearn_over_linreg=ratio)
        if "linreg shuffled, 1 thread" in epoch:
            ratio = seconds["sklearn shuffled"] / epoch["linreg shuffled, 1 thread"]
            print(f"    sklearn/linreg epoch, shuffled, linreg on 1 thread: {ratio:.2f}x")
            report.add("sgd-epoch-ratio", n=n, d=d, order=order, kind="shuffled", threads=1,
                       linreg_epoch_seconds=epoch["linreg shuffled, 1 thread"],
                       sklearn_over_linreg=ratio)
        sys.stdout.flush()
        del X


# ------------------------------------------------------------------------------ 3. solver race


def search_iterations(make, X, y, f_star, cap):
    """Fit ``make(max_iter=cap, callback=...)`` until ``F`` reaches the target, the cap or the
    time budget.

    Returns
    -------
    needed : int or None
        Iterations (epochs) after which ``(F - F*) / F* <= RACE_TARGET``; None if never.
    seconds : float
        Duration of this fit (it stops at the target, so it is itself a run to the target).
    best : float
        Smallest relative suboptimality seen.
    est : estimator
        The fitted estimator.
    """
    best, hit = [np.inf], [None]
    t0 = time.perf_counter()

    def stop(progress):
        sub = (progress.loss - f_star) / f_star
        best[0] = min(best[0], sub)
        if sub <= RACE_TARGET:
            hit[0] = progress.epoch
            return True
        return time.perf_counter() - t0 > RACE_BUDGET_SECONDS

    est = make(tol=None, max_iter=cap, callback=stop).fit(X, y)
    return hit[0], time.perf_counter() - t0, best[0], est


def race_one(report, X, y, alpha, repeats, label=""):
    from sklearn.linear_model import SGDRegressor

    n, d = X.shape
    model = ("OLS" if alpha == 0 else f"Ridge alpha={alpha:g}") + label

    def estimator(**params):
        if alpha == 0:
            return linreg.LinearRegression(**params)
        return linreg.Ridge(alpha=alpha, **params)

    ref = estimator().fit(X, y)
    theta_ref = np.append(ref.coef_, ref.intercept_)
    f_star = objective(X, y, ref.coef_, ref.intercept_, alpha)

    iterative = {
        "gd": dict(solver="gd"),
        "gd + nesterov": dict(solver="gd", momentum="nesterov"),
        "gd + heavy ball 0.9": dict(solver="gd", momentum=0.9),
        "sgd (adaptive)": dict(solver="sgd", batch_size=SGD_BATCH, schedule="adaptive",
                               random_state=0),
    }
    search = {}
    for key, params in iterative.items():
        search[key] = search_iterations(lambda p=params, **kw: estimator(**p, **kw), X, y, f_star,
                                        RACE_CAP[params["solver"]])

    funcs = {"closed form": lambda: estimator().fit(X, y)}
    warm = {}
    for key, params in iterative.items():
        needed, t_search, _, est = search[key]
        if needed is not None:
            funcs[key] = (lambda p=params, m=needed:
                          estimator(tol=None, max_iter=m, **p).fit(X, y))
            warm[key] = (t_search, est)
    sk_epochs = min(search["sgd (adaptive)"][0] or SKLEARN_EPOCHS, SKLEARN_EPOCHS)
    sk_key = "sklearn SGDRegressor"
    penalty = dict(penalty=None) if alpha == 0 else dict(penalty="l2", alpha=alpha / n)
    funcs[sk_key] = lambda: SGDRegressor(max_iter=sk_epochs, tol=None, shuffle=True,
                                         random_state=0, **penalty).fit(X, y)
    seconds, runs, results, _ = interleave(funcs, repeats, warm, catch=False)

    print()
    print(f"{model}: F* = {f_star:.10g}")
    header = (f"{'solver':22} {'seconds':>8} {'runs':>4} {'iters':>6} {'(F-F*)/F*':>10} "
              f"{'coef err':>9}")
    print(header)
    print("-" * len(header))
    for key in ["closed form", *iterative, sk_key]:
        note = ""
        if key in funcs:
            est, sec, nrun = results[key], seconds[key], runs[key]
            iters = ("-" if key == "closed form" else sk_epochs if key == sk_key
                     else search[key][0])
            reached = key != sk_key
            if key in warm and warm[key][0] > LONG_SECONDS:
                note = "  (timed by the search fit alone)"
        else:  # never reached: the search fit's time and end point
            _, sec, best, est = search[key]
            nrun, iters, reached = 1, est.n_iter_, False
            solver = iterative[key]["solver"]
            why = ("the time budget" if sec > RACE_BUDGET_SECONDS else
                   f"{RACE_CAP[solver]} {'iterations' if solver == 'gd' else 'epochs'}")
            note = f"  not reached within {why} (best {best:.2e})"
        intercept = float(np.ravel(est.intercept_)[0])
        f = objective(X, y, est.coef_, intercept, alpha)
        sub = (f - f_star) / f_star
        err = rel_err(np.append(est.coef_, intercept), theta_ref)
        print(f"{key:22} {sec:8.3f} {nrun:4d} {iters!s:>6} {sub:10.2e} {err:9.1e}{note}")
        report.add("race", n=n, d=d, model=model, solver=key, seconds=sec, runs=nrun,
                   iterations=None if iters == "-" else int(iters), rel_suboptimality=sub,
                   coef_rel_err=err, reached=bool(reached or sub <= RACE_TARGET))
    sys.stdout.flush()


def section_race(report, X, y, repeats):
    n, d = X.shape
    title(f"3. Solver race: time to {RACE_TARGET:g} relative suboptimality  ({n} x {d} float64 C)")
    print(f"The iterations needed come from a first fit that stops itself at the target (caps: "
          f"gd {RACE_CAP['gd']} iterations, sgd {RACE_CAP['sgd']} epochs, "
          f"{RACE_BUDGET_SECONDS:g} s), and serves as the warm-up; the timed fits run that many "
          f"with tol=None and learning_rate='auto' (its estimation included). sklearn "
          f"SGDRegressor (default invscaling schedule, tol=None) runs as many epochs as "
          f"linreg's sgd needed, at most "
          f"{SKLEARN_EPOCHS}. 'coef err': max |theta - theta_cf| / max |theta_cf| over (w, b), "
          f"against the closed form.")
    race_one(report, X, y, 0.0, repeats)
    race_one(report, X, y, RIDGE_ALPHA, repeats)
    # Standard-normal columns make the Hessian's condition number ~1, where plain gradient
    # descent needs a handful of steps. Unstandardised features are the usual case: columns
    # scaled from 1 down to 0.1 give a condition number of ~100.
    scales = np.logspace(0.0, -1.0, d)
    Xs = X * scales
    ys = y + 0.0
    lam = np.linalg.eigvalsh(np.cov(Xs[: min(n, 200_000)].T))
    race_one(report, Xs, ys, 0.0, repeats,
             label=f", columns scaled 1 .. 0.1 (condition number ~{lam[-1] / lam[0]:.0f})")
    del Xs


# --------------------------------------------------------------------------- 4. batched targets


def section_batched(report, X, Y_all, repeats):
    n, d = X.shape
    lam = lambda_max(X, fit_intercept=True)
    title(f"4. Batched targets: Ridge by gd, one alpha per target  ({n} x {d} float64 C, "
          f"max_iter={BATCH_ITERS}, tol=None)")
    print("alphas = logspace(-2, 3, k); fixed learning_rate = 1/L for the largest alpha. "
          "'coef err': against the closed-form Ridge of the same targets; 'vs separate': the "
          "batched coefficients against the separate fits'.")
    header = (f"{'k':>3} {'contender':16} {'seconds':>8} {'runs':>4} {'s/problem':>10} "
              f"{'coef err':>9} {'vs separate':>11}")
    print()
    print(header)
    print("-" * len(header))
    for k in BATCH_TARGETS:
        alphas = np.logspace(-2, 3, k) if k > 1 else np.array([1e-2])
        lr = 1.0 / (2.0 * lam + 2.0 * alphas.max() / n)
        Y = Y_all[:, :k]  # leading columns of an F-ordered array: F-contiguous, no copy

        def gd(alpha):
            return linreg.Ridge(alpha=alpha, solver="gd", learning_rate=lr, max_iter=BATCH_ITERS,
                                tol=None)

        def batched():
            est = gd(alphas).fit(X, Y)
            return np.column_stack([est.coef_, est.intercept_])

        def separate():
            rows = []
            for j in range(k):
                est = gd(float(alphas[j])).fit(X, Y[:, j])
                rows.append(np.append(est.coef_, est.intercept_))
            return np.array(rows)

        cf = linreg.Ridge(alpha=alphas).fit(X, Y)
        ref = np.column_stack([cf.coef_, cf.intercept_])
        seconds, runs, results, _ = interleave({"batched (n, k)": batched,
                                                "k separate fits": separate}, repeats,
                                               catch=False)
        vs = rel_err(results["batched (n, k)"], results["k separate fits"])
        for key in ("batched (n, k)", "k separate fits"):
            err = rel_err(results[key], ref)
            col = f"{vs:11.1e}" if key.startswith("batched") else ""
            print(f"{k:3d} {key:16} {seconds[key]:8.3f} {runs[key]:4d} {seconds[key] / k:10.4f} "
                  f"{err:9.1e} {col}".rstrip())
            report.add("batched", n=n, d=d, k=k, contender=key, seconds=seconds[key],
                       runs=runs[key], seconds_per_problem=seconds[key] / k, coef_rel_err=err,
                       batched_vs_separate=vs)
        ratio = seconds["k separate fits"] / seconds["batched (n, k)"]
        print(f"    k = {k}: separate / batched = {ratio:.2f}x")
        report.add("batched-ratio", n=n, d=d, k=k, separate_over_batched=ratio)
        sys.stdout.flush()


# ------------------------------------------------------------ 5. the pass against the bandwidth


def section_bandwidth(report, X64, y64, pairs, passes):
    n, d = X64.shape
    lr = 1.0 / (2.0 * lambda_max(X64, fit_intercept=False))
    nt = linreg.get_num_threads()
    title(f"5. linreg's pass against a read of X, {pairs} pairs back to back  ({n} x {d})")
    print(f"pass: linreg's fit with max_iter={passes - 1} ({passes} passes; its fixed costs, 2-4 "
          f"ms a fit, spread over them); read: {passes} calls of _core.read_all; times per pass "
          f"and per read. Order alternating within the pairs. Fit: pass = a * read + c by least "
          f"squares; read / pass by quarter of the read's speed (fastest first). 'w err': the "
          f"fit's w against the bracketed NumPy loop in float64 after as many steps.")
    ref = step_trajectory(X64, y64, lr, passes - 1)[-1]
    for dtype in (np.float64, np.float32):
        Xd = X64 if dtype == np.float64 else X64.astype(np.float32)
        Y = y64.astype(dtype).reshape(n, 1)
        for order in ("C", "F"):
            X = Xd if order == "C" else np.asfortranarray(Xd)
            gd_core(X, Y, lr, 0)  # warm-up: the pass's buffers, the threads
            _core.read_all(X, nt)
            read, run = np.empty(pairs), np.empty(pairs)
            for i in range(pairs):
                for which in ((0, 1) if i % 2 else (1, 0)):
                    t0 = time.perf_counter()
                    if which:
                        w = gd_core(X, Y, lr, passes - 1)[0]
                    else:
                        for _ in range(passes):
                            _core.read_all(X, nt)
                    (run if which else read)[i] = (time.perf_counter() - t0) / passes
            a, c = np.linalg.lstsq(np.c_[read, np.ones(pairs)], run, rcond=None)[0]
            ratio = read / run
            quarters = np.array_split(np.argsort(read), 4)
            by_speed = [(X.nbytes / read[q].max() / 1e9, X.nbytes / read[q].min() / 1e9,
                         float(np.median(ratio[q]))) for q in quarters]
            name = np.dtype(dtype).name
            print(f"{name:7} {order}: read / pass median {np.median(ratio):.3f}, "
                  f">= {TARGETS['read/linreg']:g} in {np.mean(ratio >= TARGETS['read/linreg']):.0%}"
                  f" of pairs; pass = {a:.3f} * read + {c * 1e3:.1f} ms; w err "
                  f"{rel_err(w, ref):.1e}")
            print("    " + ";  ".join(f"read at {lo:.1f}-{hi:.1f} GB/s: {r:.3f}"
                                      for lo, hi, r in by_speed))
            report.add("bandwidth", n=n, d=d, dtype=name, order=order, pairs=pairs, passes=passes,
                       read_over_pass_median=float(np.median(ratio)),
                       share_at_target=float(np.mean(ratio >= TARGETS["read/linreg"])),
                       slope=float(a), intercept_seconds=float(c), w_rel_err=rel_err(w, ref),
                       by_read_speed=[{"gb_per_s_low": lo, "gb_per_s_high": hi,
                                       "read_over_pass": r} for lo, hi, r in by_speed])
            sys.stdout.flush()
            del X
        del Xd


# ------------------------------------------------------------------------------------------ main


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1e5 x 100 instead of 1e6 x 100")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs after the warm-up")
    parser.add_argument("--out", default=None, help="append JSON lines of results to this file")
    parser.add_argument("--sections", default="1,2,3,4", help="comma-separated sections to run")
    args = parser.parse_args(argv)
    sections = {int(s) for s in args.sections.split(",") if s.strip()}
    mode = "quick" if args.quick else "full"
    n, d = SIZES[mode]

    env = _bench.environment()
    print("linreg gradient-descent benchmark  (median of runs after one warm-up; contenders "
          "interleaved)")
    linreg.show_config()
    for key in ("cpu", "cores", "numpy", "sklearn", "blas_pools"):
        if key in env:
            print(f"  {key}: {env[key]}")
    report = Report(env)

    t_start = time.perf_counter()
    X, Y_all, _ = make_problem(n, d, k=max(BATCH_TARGETS))
    y = np.ascontiguousarray(Y_all[:, 0])
    with warnings.catch_warnings():
        # Fits with tol=None end "unconverged" by design; their state is reported instead.
        warnings.simplefilter("ignore", linreg.ConvergenceWarning)
        try:
            from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning

            warnings.simplefilter("ignore", SklearnConvergenceWarning)
        except ImportError:
            pass
        if 1 in sections:
            section_step(report, X, y, mode, args.repeats)
        if 2 in sections:
            section_sgd_epoch(report, X, y, args.repeats)
        if 3 in sections:
            section_race(report, X, y, args.repeats)
        if 4 in sections:
            section_batched(report, X, Y_all, args.repeats)
        if 5 in sections:
            section_bandwidth(report, X, y, BANDWIDTH_PAIRS, BANDWIDTH_PASSES)
    print()
    print(f"total wall time {time.perf_counter() - t_start:.0f} s")
    if args.out:
        report.write(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
