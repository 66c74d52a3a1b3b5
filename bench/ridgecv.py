"""Benchmark of linreg's RidgeCV against scikit-learn's RidgeCV.

    python bench/ridgecv.py [--quick] [--repeats N] [--problems a,b,c,d,e,f] [--no-memory]
                            [--out FILE.jsonl]

Both estimators choose ``alpha`` from the same grid, ``np.logspace(-3, 3, 50)``, by the same
criterion, and refit at it, with ``fit_intercept=True``. Each problem is ``X`` (float64, C order)
of standard-normal entries plus 0.5 (a non-zero mean, so that centring matters) and
``y = X @ w + 2 + noise``, ``w`` uniform in [-1, 1], noise of standard deviation 1, a fixed seed.
The problems (``--quick``: smaller, see ``SIZES``):

(a) 100_000 x 100, leave-one-out (``cv=None``);
(b) 1_000_000 x 50, leave-one-out;
(c) 500 x 5_000 (wide), leave-one-out;
(d) 2_000 x 200, leave-one-out with ``store_cv_results=True``;
(e) 100_000 x 100, 5-fold cross-validation (``cv=5``; scikit-learn with
    ``scoring="neg_mean_squared_error"``, which makes it refit ``Ridge`` per alpha and fold
    through ``GridSearchCV``; linreg merges the folds' sufficient statistics instead);
(f) 100_000 x 100 with 10 targets (each its own ``w`` and noise), leave-one-out, one alpha for
    all targets.

Contenders: ``linreg.RidgeCV`` and ``sklearn.linear_model.RidgeCV``; and, for scale, one
``linreg.Ridge(alpha=1.0)`` fit on the whole problem, reported multiplied by the number of
alphas: what fitting every alpha of the grid once would cost, with no cross-validation at all.

Correctness, against scikit-learn: whether ``alpha_`` is the same grid point; the largest
relative difference ``max |a - b| / max |b|`` of ``coef_``, of ``best_score_`` and (problem (d))
of ``cv_results_``, the per-sample squared leave-one-out errors for every alpha. linreg's
``decomposition_`` says which route it took.

Method (as ``bench/gd.py`` and ``bench/lasso.py``): every contender of a problem runs once as a
warm-up and then ``repeats`` times, contenders interleaved round by round in one process so that
a noisy machine slows all of them alike; the median is reported. A contender whose warm-up takes
longer than 4 s runs twice more only, longer than 15 s not again (the warm-up is then its
timing; on this 2-core VM scikit-learn runs 3 times on (a) and (f), once on (b) and (e)). A
0.5 s pause precedes every run: OpenBLAS's worker threads busy-wait for about 0.1 s after a
call, and without the pause whichever contender runs next would lose a core to them. Peak extra
memory (on Linux) is measured in a child process per contender and problem: the resident
high-water mark (VmHWM, reset through /proc/self/clear_refs) during one fit, minus the resident
size before it, with the problem already built and the estimator warmed up on 50 rows.
scikit-learn's on (e) is not measured in a full run (one fit takes 40 s to over 3 minutes here);
``--no-memory`` skips all of them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import linreg
import numpy as np
from linreg import _bench
from linreg._bench import Report, interleave, markdown_table, rel_diff, title

# name: (n, p, n_targets, cv, store_cv_results)
SIZES = {
    "full": {
        "a": (100_000, 100, 1, None, False),
        "b": (1_000_000, 50, 1, None, False),
        "c": (500, 5_000, 1, None, False),
        "d": (2_000, 200, 1, None, True),
        "e": (100_000, 100, 1, 5, False),
        "f": (100_000, 100, 10, None, False),
    },
    "quick": {
        "a": (10_000, 50, 1, None, False),
        "b": (100_000, 20, 1, None, False),
        "c": (200, 2_000, 1, None, False),
        "d": (500, 50, 1, None, True),
        "e": (10_000, 50, 1, 5, False),
        "f": (10_000, 50, 10, None, False),
    },
}
REPEATS = {"full": 5, "quick": 1}  # --quick: a smoke test in well under a minute
ALPHAS = np.logspace(-3, 3, 50)
X_OFFSET = 0.5
INTERCEPT = 2.0
NOISE = 1.0
REFIT_ALPHA = 1.0  # the single linreg.Ridge fit that stands for one refit per alpha
WARM_ROWS = 50  # rows of the warm-up fit before a memory measurement
NO_PEAK_MEMORY = {("full", "e", "sklearn RidgeCV")}  # one fit: 40-200 s here; not run again

CONTENDERS = ("linreg RidgeCV", "sklearn RidgeCV", "linreg Ridge (one fit)")


# --------------------------------------------------------------------------------- helpers


def make_problem(n, p, k=1, seed=0):
    """``X`` (float64, C order) of standard-normal entries + 0.5; ``y = X @ w + 2 + noise``.

    Returns
    -------
    X : ndarray of shape (n, p)
    y : ndarray of shape (n,) when ``k == 1``, else (n, k)
        Each target has its own ``w`` (uniform in [-1, 1]) and its own noise draw.
    """
    rng = np.random.default_rng(seed)
    X = np.empty((n, p))
    step = max(1, 2**22 // p)
    for r in range(0, n, step):  # fill in blocks: no second full-size temporary
        X[r:r + step] = rng.standard_normal((min(step, n - r), p)) + X_OFFSET
    W = rng.uniform(-1.0, 1.0, (p, k))
    Y = X @ W + INTERCEPT + NOISE * rng.standard_normal((n, k))
    return X, (Y[:, 0].copy() if k == 1 else Y)


def make_estimator(contender, cv, store):
    """A fresh, unfitted estimator of ``contender`` for one problem's settings."""
    if contender == "linreg RidgeCV":
        return linreg.RidgeCV(alphas=ALPHAS, cv=cv, store_cv_results=store)
    if contender == "sklearn RidgeCV":
        from sklearn.linear_model import RidgeCV

        scoring = None if cv is None else "neg_mean_squared_error"
        return RidgeCV(alphas=ALPHAS, cv=cv, store_cv_results=store, scoring=scoring)
    if contender == "linreg Ridge (one fit)":
        return linreg.Ridge(alpha=REFIT_ALPHA)
    raise ValueError(f"contender: expected one of {CONTENDERS}, got {contender!r}")



def fmt(value, spec):
    return "-" if value is None else format(value, spec)



def label(name, spec):
    n, p, k, cv, store = spec

    def short(v):
        for div, suffix in ((1_000_000, "M"), (1_000, "k")):
            if v >= div and v % div == 0:
                return f"{v // div}{suffix}"
        return str(v)

    how = "LOO" if cv is None else f"{cv}-fold"
    extra = (f", {k} targets" if k > 1 else "") + (", store_cv_results" if store else "")
    return f"({name}) {short(n)} x {short(p)}, {how}{extra}"


# ------------------------------------------------------------------------------ peak memory


def _status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def child_peak_memory(mode, name, contender):
    """In this (child) process: build the problem, warm the estimator up on a few rows, then
    print the resident high-water mark of one fit above the resident size before it."""
    n, p, k, cv, store = SIZES[mode][name]
    X, y = make_problem(n, p, k)
    rows = min(WARM_ROWS, n // 2)  # few rows: the allocator keeps little for the fit to reuse
    make_estimator(contender, cv, store).fit(X[:rows], y[:rows])
    est = make_estimator(contender, cv, store)
    before = _status("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset VmHWM to the current resident size
    est.fit(X, y)
    print(max(0, _status("VmHWM") - before))


def peak_memory(mode, name, contender):
    """Peak extra resident bytes of one fit, measured in a child process; None if unavailable."""
    if not os.path.exists("/proc/self/clear_refs"):
        return None
    cmd = [sys.executable, os.path.abspath(__file__), "--peak-memory", f"{name}:{contender}"]
    if mode == "quick":
        cmd.append("--quick")
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=True)
        return int(res.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, OSError, IndexError):
        return None


# ------------------------------------------------------------------------------- the problems


def run_problem(report, mode, name, repeats, memory):
    n, p, k, cv, store = spec = SIZES[mode][name]
    text = label(name, spec)
    print()
    print(f"### {text}")
    t0 = time.perf_counter()
    X, y = make_problem(n, p, k)
    print(f"    problem built in {time.perf_counter() - t0:.1f} s; X {X.nbytes / 2**20:.0f} MiB")
    funcs = {}
    for key in CONTENDERS:
        if key.startswith("sklearn"):
            try:
                make_estimator(key, cv, store)
            except ImportError as exc:
                print(f"    scikit-learn not available ({exc}): its row is skipped")
                continue
        funcs[key] = (lambda key=key: make_estimator(key, cv, store).fit(X, y))
    seconds, runs, results, errors = interleave(funcs, repeats)
    lin, sk = results.get("linreg RidgeCV"), results.get("sklearn RidgeCV")
    if "linreg RidgeCV" in errors:
        print(f"    linreg RidgeCV failed: {errors['linreg RidgeCV']}")
    t_lin, t_sk = seconds.get("linreg RidgeCV"), seconds.get("sklearn RidgeCV")
    t_ridge = seconds.get("linreg Ridge (one fit)")
    row = {
        "problem": name, "label": text, "n": n, "p": p, "n_targets": k,
        "cv": "loo" if cv is None else cv, "store_cv_results": store, "n_alphas": len(ALPHAS),
        "linreg_seconds": t_lin, "sklearn_seconds": t_sk,
        "linreg_runs": runs.get("linreg RidgeCV"), "sklearn_runs": runs.get("sklearn RidgeCV"),
        "sklearn_over_linreg": t_sk / t_lin if t_lin and t_sk else None,
        "ridge_fit_seconds": t_ridge,
        "ridge_fit_times_n_alphas": t_ridge * len(ALPHAS) if t_ridge else None,
        "linreg_alpha": lin.alpha_ if lin is not None else None,
        "sklearn_alpha": float(sk.alpha_) if sk is not None else None,
        "decomposition": getattr(lin, "decomposition_", None),
        "errors": errors or None,
    }
    if lin is not None and sk is not None:
        row["alpha_agrees"] = bool(np.all(np.asarray(lin.alpha_) == np.asarray(sk.alpha_)))
        row["coef_rel_diff"] = rel_diff(lin.coef_, sk.coef_)
        row["intercept_rel_diff"] = rel_diff(lin.intercept_, sk.intercept_)
        row["best_score_rel_diff"] = rel_diff(lin.best_score_, sk.best_score_)
        row["cv_results_rel_diff"] = (rel_diff(getattr(lin, "cv_results_", None),
                                               getattr(sk, "cv_results_", None))
                                      if store else None)
    if memory:
        for key, field in (("linreg RidgeCV", "linreg_peak_extra_bytes"),
                           ("sklearn RidgeCV", "sklearn_peak_extra_bytes")):
            if key in funcs and (mode, name, key) not in NO_PEAK_MEMORY:
                row[field] = peak_memory(mode, name, key)
        row["x_bytes"] = X.nbytes
    for key in funcs:
        if key in seconds:
            print(f"    {key:24} {seconds[key]:9.3f} s  ({runs[key]} runs)")
    if row.get("alpha_agrees") is not None:
        print(f"    alpha_: linreg {row['linreg_alpha']:.6g}, sklearn {row['sklearn_alpha']:.6g} "
              f"({'same' if row['alpha_agrees'] else 'DIFFERENT'}); coef_ rel diff "
              f"{row['coef_rel_diff']:.1e}; best_score_ rel diff {row['best_score_rel_diff']:.1e}"
              + (f"; cv_results_ rel diff {row['cv_results_rel_diff']:.1e}" if store else ""))
    print(f"    linreg decomposition_: {row['decomposition']}")
    for field in ("linreg_peak_extra_bytes", "sklearn_peak_extra_bytes"):
        if row.get(field) is not None:
            print(f"    {field.replace('_', ' ')}: {row[field] / 2**20:.1f} MiB "
                  f"({100 * row[field] / X.nbytes:.0f}% of X)")
    sys.stdout.flush()
    report.add("ridgecv", **row)
    return row


def summary(rows):
    title("Summary (seconds: median of the timed runs; ratio = sklearn / linreg)")
    table = []
    for r in rows:
        mib = (lambda b: "-" if b is None else f"{b / 2**20:.{1 if b < 10 * 2**20 else 0}f}")
        agree = r.get("alpha_agrees")
        table.append([
            r["label"], fmt(r["linreg_seconds"], ".3f"), fmt(r["sklearn_seconds"], ".3f"),
            "-" if r["sklearn_over_linreg"] is None else f"**{r['sklearn_over_linreg']:.1f}x**",
            fmt(r["ridge_fit_times_n_alphas"], ".2f"),
            f"{r.get('linreg_runs', '-')}/{r.get('sklearn_runs', '-')}",
            "-" if agree is None else (f"yes ({r['linreg_alpha']:.3g})" if agree else
                                       f"NO ({r['linreg_alpha']:.3g} / {r['sklearn_alpha']:.3g})"),
            fmt(r.get("coef_rel_diff"), ".1e"), fmt(r.get("best_score_rel_diff"), ".1e"),
            fmt(r.get("cv_results_rel_diff"), ".1e"), r["decomposition"] or "-",
            f"{mib(r.get('linreg_peak_extra_bytes'))} / {mib(r.get('sklearn_peak_extra_bytes'))}"
            f" (X {mib(r['x_bytes'])})" if "x_bytes" in r else "-",
        ])
    markdown_table(["problem", "linreg s", "sklearn s", "ratio", f"Ridge fit x {len(ALPHAS)} s",
                    "runs lin/sk", "alpha_ same", "coef_ diff", "best_score_ diff",
                    "cv_results_ diff", "decomposition_", "peak extra MiB lin / sk"],
                   table, "lrrrrrlrrrll")


# ------------------------------------------------------------------------------------------ main


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="smaller problems (see SIZES), 1 timed run: a smoke test")
    parser.add_argument("--repeats", type=int, default=None,
                        help=f"timed runs after the warm-up (default {REPEATS['full']}, "
                             f"--quick {REPEATS['quick']})")
    parser.add_argument("--problems", default="a,b,c,d,e,f",
                        help="comma-separated problems to run (a-f)")
    parser.add_argument("--memory", action=argparse.BooleanOptionalAction, default=True,
                        help="measure peak extra memory in child processes (default: on)")
    parser.add_argument("--out", default=None, help="append JSON lines of results to this file")
    parser.add_argument("--peak-memory", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    if args.peak_memory:
        name, contender = args.peak_memory.split(":", 1)
        child_peak_memory(mode, name, contender)
        return 0
    problems = [s.strip() for s in args.problems.split(",") if s.strip()]
    if any(s not in SIZES[mode] for s in problems):
        parser.error(f"--problems: expected a subset of {','.join(SIZES[mode])}, "
                     f"got {args.problems}")
    repeats = REPEATS[mode] if args.repeats is None else args.repeats

    t_start = time.perf_counter()
    env = _bench.environment()
    print("linreg RidgeCV benchmark  (median of runs after one warm-up; contenders interleaved)")
    linreg.show_config()
    for key in ("cpu", "cores", "numpy", "sklearn", "blas_pools"):
        if key in env:
            print(f"  {key}: {env[key]}")
    print(f"  repeats: {repeats}; alphas: np.logspace(-3, 3, {len(ALPHAS)})")
    report = Report(env)
    title("RidgeCV: linreg against scikit-learn, fit_intercept=True, float64, C order")
    rows = [run_problem(report, mode, name, repeats, args.memory) for name in problems]
    print()
    summary(rows)
    print()
    print(f"total wall time {time.perf_counter() - t_start:.0f} s")
    if args.out:
        report.write(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
