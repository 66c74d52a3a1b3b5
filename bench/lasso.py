"""Benchmark of linreg's Lasso against scikit-learn, celer and skglm.

    python bench/lasso.py [--quick] [--repeats N] [--out FILE.jsonl] [--sections 1,2,3]
                          [--problems a,b,c]

The objective is scikit-learn's, ``F(w, b) = 1/(2n) ||y - X w - b||^2 + alpha ||w||_1``. Each
problem is ``X`` (float64, C order) of standard-normal entries and ``y = X @ w_true + 1.5 +
noise``: 20 non-zeros in ``w_true`` at random positions, random signs and magnitudes in
[0.5, 1.5], noise of standard deviation 1, the offset 1.5 so that the intercept has work to do;
a fixed seed. ``alpha_max = max |Xc' yc| / n`` (``Xc``, ``yc`` centred; ``Xc' yc = X' yc``, so X
is never copied). Two sections:

1. *Single fits* with ``fit_intercept=True`` on (a) 10_000 x 1_000, (b) 1_000 x 10_000,
   (c) 100_000 x 200 (``--quick``: 2_000 x 200, 200 x 2_000, 20_000 x 50), each at
   ``alpha_max / 10`` and ``alpha_max / 100``. Contenders: ``linreg.Lasso``, scikit-learn's
   ``Lasso`` (and ``Lasso(precompute=True)``, its Gram-matrix mode, where n > d), ``celer.Lasso``
   and ``skglm.Lasso``.
2. *Regularisation path* on problem (a), 100 alphas from ``alpha_max`` down to
   ``1e-3 alpha_max`` (geometric), ``fit_intercept=False`` on X and y centred once before any
   timing (all contenders get the same centred arrays). Contenders: ``linreg.lasso_path``,
   scikit-learn's ``lasso_path``, ``celer.celer_path`` (celer 0.7.4 has no ``lasso_path``;
   ``celer_path(X, y, "lasso", ...)`` is what ``celer.Lasso.path`` calls), and skglm's
   ``Lasso.path`` (for information; no target).
3. *Strategies*: linreg alone, one strategy changed at a time (gap-safe screening off, Anderson
   extrapolation off, naive inner solver, no working sets with the full Gram or with naive CD on
   every column), on the same single fits, then the path with the Gram against working sets: what
   each part of the default pays.

Tolerances: every contender starts at ``tol=1e-8``, but the libraries mean different things by
it. scikit-learn and celer stop when the duality gap of F is below ``tol * ||y||^2 / n`` (y
centred when fitting an intercept), that is ``2 tol F(0)``; skglm stops when the largest
violation of the optimality conditions (distance of ``X' r / n`` to the subdifferential of the
penalty, and the intercept's gradient) is below ``tol``, an absolute quantity. For a peer, the
warm-up run is also a calibration: if its relative objective gap (against a tight reference
run) exceeds 1e-10, the run is repeated with ``tol`` 100 times smaller (down to 1e-14), and the
timed runs use the first ``tol`` that reached it (the table's ``tol`` column). linreg always
runs at ``tol=1e-8``: meeting 1e-10 there is part of its target. ``max_iter`` is generous
everywhere (scikit-learn: 100_000 epochs; celer, skglm: their defaults, which count working-set
iterations) so that only ``tol`` stops a fit.

Correctness: F is evaluated here in NumPy from each contender's ``coef_`` and ``intercept_``.
``F_best`` is the smallest F found by any contender or by the reference run (scikit-learn with
``tol=1e-14``, ``max_iter=100_000``); the table shows ``(F - F_best) / F_best`` (for the path:
the worst over the alphas, against a per-alpha best).

Targets: single fits, linreg >= 2x faster than the fastest peer that reached 1e-10, with
linreg's own gap <= 1e-10. Path: linreg >= 1.5x faster than scikit-learn's ``lasso_path`` and
>= 5x faster than celer, every alpha within 1e-10.

Method (as ``bench/gd.py``): every contender of a table runs once as a warm-up and then
``repeats`` times, contenders interleaved round by round in one process so that a noisy machine
slows all of them alike; the median is reported. A contender whose warm-up takes longer than
4 s runs twice more only, longer than 15 s not again (the warm-up is then its timing). A 0.5 s
pause precedes every run: OpenBLAS's worker threads busy-wait for about 0.1 s after a call, and
without the pause whichever contender runs next would lose a core to them. skglm compiles its
numba kernels on first use (about 10 s here, every new process: it does not cache them); they
are compiled on a small problem before any timing, so that neither a warm-up nor the slow-run
rule is distorted by the compiler. A contender that raises is reported with its exception and
dropped from that table; celer and skglm are optional (skipped with a message if missing). Note
that scikit-learn, celer and skglm all
copy a C-ordered X into Fortran order (and with an intercept, centre that copy) inside every
fit; that copy is part of their time, as linreg reads X in place.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
import warnings
from typing import NamedTuple

import numpy as np
import linreg
from linreg import _bench
from linreg._bench import PAUSE_SECONDS, Report, interleave, markdown_table, title

SIZES = {
    "full": {"a": (10_000, 1_000), "b": (1_000, 10_000), "c": (100_000, 200)},
    "quick": {"a": (2_000, 200), "b": (200, 2_000), "c": (20_000, 50)},
}
REPEATS = {"full": 5, "quick": 1}  # --quick: a smoke test in under a minute
N_NONZERO = 20
NOISE = 1.0
INTERCEPT = 1.5
ALPHA_FRACTIONS = (10, 100)  # alpha = alpha_max / fraction
PATH_ALPHAS = 100
PATH_EPS = 1e-3

TOL = 1e-8  # every contender's starting tol
PEER_TOLS = (1e-8, 1e-10, 1e-12, 1e-14)  # calibration ladder of the peers
GAP_TARGET = 1e-10  # relative objective gap every contender must reach
REF_TOL = 1e-14
REF_MAX_ITER = 100_000
SKLEARN_MAX_ITER = 100_000
LINREG_MAX_ITER = 100_000

TARGETS = {
    "fastest peer/linreg": 2.0,
    "sklearn path/linreg": 1.5,
    "celer path/linreg": 5.0,
}


# --------------------------------------------------------------------------------- helpers


def make_problem(n, d, seed=0):
    """Standard-normal ``X`` (float64, C order), ``y = X @ w_true + 1.5 + noise``.

    Returns
    -------
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,)
    w_true : ndarray of shape (d,)
        ``N_NONZERO`` non-zeros at random positions, random signs, magnitudes in [0.5, 1.5].
    """
    rng = np.random.default_rng(seed)
    X = np.empty((n, d))
    step = max(1, 2**22 // d)
    for r in range(0, n, step):  # fill in blocks: no second full-size temporary
        X[r:r + step] = rng.standard_normal((min(step, n - r), d))
    w_true = np.zeros(d)
    k = min(N_NONZERO, d)
    w_true[rng.choice(d, k, replace=False)] = rng.choice([-1.0, 1.0], k) * rng.uniform(0.5, 1.5, k)
    y = X @ w_true + INTERCEPT + NOISE * rng.standard_normal(n)
    return X, y, w_true


def alpha_max(X, y, fit_intercept):
    """``max |Xc' yc| / n``; with ``yc`` centred, ``Xc' yc = X' yc``, so X is not centred."""
    yc = y - y.mean() if fit_intercept else y
    return float(np.max(np.abs(X.T @ yc)) / X.shape[0])


def objective(X, y, w, b, alpha):
    """``F(w, b) = 1/(2n) ||y - X w - b||^2 + alpha ||w||_1``, in float64."""
    w = np.asarray(w, dtype=np.float64)
    r = y - X @ w - float(b)
    return float(r @ r) / (2 * X.shape[0]) + alpha * float(np.abs(w).sum())


def path_objectives(X, y, coefs, alphas):
    """``F`` at every column of ``coefs`` (d, k) with its alpha, no intercept."""
    R = y[:, None] - X @ coefs
    return np.einsum("ij,ij->j", R, R) / (2 * X.shape[0]) + alphas * np.abs(coefs).sum(axis=0)


class Fit(NamedTuple):
    coef: np.ndarray  # (d,) for a single fit, (d, n_alphas) for a path, alphas decreasing
    intercept: float
    n_iter: object  # int, or total over a path; None when the contender does not say


def calibrate(make, tols, gap_of):
    """Run ``make(tol)()`` for each ``tol`` in turn until ``gap_of(result) <= GAP_TARGET``.

    Returns ``(tol, seconds, result, gap)`` of the last run; that run stands for the contender's
    warm-up. Exceptions propagate.
    """
    for tol in tols:
        time.sleep(PAUSE_SECONDS)
        t0 = time.perf_counter()
        res = make(tol)()
        dt = time.perf_counter() - t0
        gap = gap_of(res)
        if gap <= GAP_TARGET:
            break
    return tol, dt, res, gap


def verdict(ok):
    return "PASS" if ok else "FAIL"



def fmt_gap(gap):
    return "-" if gap is None else f"{gap:.1e}"


# ------------------------------------------------------------------------------ the libraries


def import_peers():
    """Name -> module of the peers that import; prints a message for each missing one."""
    peers = {}
    try:
        import sklearn.linear_model

        peers["sklearn"] = sklearn.linear_model
    except ImportError as exc:
        print(f"scikit-learn not available ({exc}): its rows are skipped")
    for name in ("celer", "skglm"):
        try:
            peers[name] = __import__(name)
        except ImportError as exc:
            print(f"{name} not available ({exc}): its rows are skipped")
    return peers


def precompile_skglm(skglm):
    """Compile skglm's numba kernels (single fit with and without intercept, path) on a small
    problem, so that no timed run, warm-up included, pays for the compiler. Returns seconds."""
    X, y, _ = make_problem(200, 30, seed=1)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    a = alpha_max(X, y, True) / 10
    t0 = time.perf_counter()
    skglm.Lasso(alpha=a, tol=TOL).fit(X, y)
    skglm.Lasso(alpha=a, tol=TOL, fit_intercept=False).fit(Xc, yc)
    skglm.Lasso(tol=TOL, fit_intercept=False).path(Xc, yc, np.array([a, a / 10]))
    return time.perf_counter() - t0


def environment():
    """linreg's benchmark environment plus the peers' versions."""
    info = _bench.environment()
    for name in ("celer", "skglm", "numba", "scipy"):
        try:
            info[name] = __import__(name).__version__
        except ImportError:
            pass
    return info


def single_contenders(peers, alpha, n, d):
    """Name -> ``(make(tol) -> callable returning Fit, tols to try)``, single fits with an
    intercept."""
    out = {}

    def lin(tol):
        def run():
            est = linreg.Lasso(alpha=alpha, tol=tol, max_iter=LINREG_MAX_ITER,
                               fit_intercept=True).fit(X_[0], y_[0])
            return Fit(est.coef_, float(est.intercept_), est.n_iter_)
        return run
    out["linreg Lasso"] = (lin, (TOL,))
    if "sklearn" in peers:
        sk = peers["sklearn"]

        def skl(precompute):
            def make(tol):
                def run():
                    est = sk.Lasso(alpha=alpha, tol=tol, max_iter=SKLEARN_MAX_ITER,
                                   precompute=precompute, fit_intercept=True).fit(X_[0], y_[0])
                    return Fit(est.coef_, float(est.intercept_), est.n_iter_)
                return run
            return make
        out["sklearn Lasso"] = (skl(False), PEER_TOLS)
        if n > d:
            out["sklearn Lasso(precompute=True)"] = (skl(True), PEER_TOLS)
    if "celer" in peers:
        celer = peers["celer"]

        def cel(tol):
            def run():
                est = celer.Lasso(alpha=alpha, tol=tol, fit_intercept=True).fit(X_[0], y_[0])
                return Fit(est.coef_, float(est.intercept_), getattr(est, "n_iter_", None))
            return run
        out["celer Lasso"] = (cel, PEER_TOLS)
    if "skglm" in peers:
        skglm = peers["skglm"]

        def skg(tol):
            def run():
                est = skglm.Lasso(alpha=alpha, tol=tol, fit_intercept=True).fit(X_[0], y_[0])
                return Fit(est.coef_, float(est.intercept_), getattr(est, "n_iter_", None))
            return run
        out["skglm Lasso"] = (skg, PEER_TOLS)
    return out


# The problem the contenders' closures read (set per problem; one-element lists so that the
# closures above need no arguments).
X_, y_ = [None], [None]


# ------------------------------------------------------------------------- 1. single fits


def section_single(report, sizes, problems, peers, repeats):
    title("1. Single Lasso fits, fit_intercept=True  (float64, C order)")
    print(f"tol starts at {TOL:g} for every contender; a peer whose warm-up misses a relative "
          f"gap of {GAP_TARGET:g} is re-run with tol / 100 (ladder "
          f"{', '.join(f'{t:g}' for t in PEER_TOLS)}) and timed at the tol that reached it. "
          f"'gap' = (F - F_best) / F_best, F_best the "
          f"least F of any contender or of the reference (sklearn Lasso tol={REF_TOL:g}, "
          f"max_iter={REF_MAX_ITER}). 'x linreg' = contender seconds / linreg seconds (above 1: "
          f"linreg is faster). sklearn's n_iter is epochs; celer's and skglm's are working-set "
          f"iterations.")
    sk = peers.get("sklearn")
    for name in problems:
        n, d = sizes[name]
        X, y, _ = make_problem(n, d)
        X_[0], y_[0] = X, y
        amax = alpha_max(X, y, fit_intercept=True)
        for frac in ALPHA_FRACTIONS:
            alpha = amax / frac
            label = f"({name}) {n} x {d}, alpha_max/{frac}"
            print()
            print(f"### {label}  (alpha = {alpha:.6g})")
            f_ref, ref_sec, ref_gap_cert = None, None, None
            if sk is not None:
                try:
                    t0 = time.perf_counter()
                    ref = sk.Lasso(alpha=alpha, tol=REF_TOL, max_iter=REF_MAX_ITER).fit(X, y)
                    ref_sec = time.perf_counter() - t0
                    f_ref = objective(X, y, ref.coef_, ref.intercept_, alpha)
                    ref_gap_cert = float(ref.dual_gap_)
                except Exception as exc:
                    print(f"    reference fit raised {type(exc).__name__}: {exc}")

            def gap_to_ref(fit, f_ref=f_ref, alpha=alpha):
                if f_ref is None:
                    return 0.0  # no reference: accept the first tol
                return (objective(X, y, fit.coef, fit.intercept, alpha) - f_ref) / f_ref

            funcs, warm, tols, failed = {}, {}, {}, {}
            for key, (make, ladder) in single_contenders(peers, alpha, n, d).items():
                try:
                    tol, dt, res, _ = calibrate(make, ladder, gap_to_ref)
                except Exception as exc:
                    failed[key] = f"{type(exc).__name__}: {exc}"
                    print(f"    {key} raised {failed[key]}")
                    if key.startswith("linreg"):
                        traceback.print_exc(limit=3)
                    continue
                funcs[key] = make(tol)
                warm[key] = (dt, res)
                tols[key] = tol
            seconds, runs, results, errors = interleave(funcs, repeats, warm)
            failed.update(errors)
            ok = [k for k in funcs if k in seconds]
            f_vals = {k: objective(X, y, results[k].coef, results[k].intercept, alpha)
                      for k in ok}
            f_best = min([*f_vals.values()] + ([f_ref] if f_ref is not None else []))
            gaps = {k: (f - f_best) / f_best for k, f in f_vals.items()}
            t_lin = seconds.get("linreg Lasso")
            rows = []
            for key in ok:
                fit = results[key]
                ratio = f"{seconds[key] / t_lin:.2f}x" if t_lin else "-"
                rows.append([key, f"{tols[key]:g}", f"{seconds[key]:.3f}", runs[key],
                             "-" if fit.n_iter is None else fit.n_iter,
                             int(np.count_nonzero(fit.coef)), fmt_gap(gaps[key]), ratio])
                report.add("single", problem=name, n=n, d=d, alpha=alpha,
                           alpha_fraction=frac, contender=key, tol=tols[key],
                           seconds=seconds[key], runs=runs[key],
                           n_iter=None if fit.n_iter is None else int(fit.n_iter),
                           nnz=int(np.count_nonzero(fit.coef)), objective=f_vals[key],
                           objective_best=f_best, rel_gap=gaps[key],
                           over_linreg=seconds[key] / t_lin if t_lin else None)
            if f_ref is not None:
                rows.append([f"(reference: sklearn tol={REF_TOL:g})", f"{REF_TOL:g}",
                             f"{ref_sec:.3f}", 1, ref.n_iter_, int(np.count_nonzero(ref.coef_)),
                             fmt_gap((f_ref - f_best) / f_best), ""])
            markdown_table(["contender", "tol", "seconds", "runs", "n_iter", "nnz", "gap",
                            "x linreg"], rows, "llrrrrrr")
            for key, msg in failed.items():
                print(f"    {key}: failed ({msg})")
                report.add("single", problem=name, n=n, d=d, alpha=alpha, alpha_fraction=frac,
                           contender=key, error=msg)
            if ref_gap_cert is not None:
                print(f"    reference: {ref_sec:.2f} s, F_ref = {f_ref:.12g}, its dual_gap_ = "
                      f"{ref_gap_cert:.1e}")
            peers_ok = {k: seconds[k] for k in ok
                        if not k.startswith("linreg") and gaps[k] <= GAP_TARGET}
            peers_missed = [k for k in ok if not k.startswith("linreg") and gaps[k] > GAP_TARGET]
            if peers_missed:
                print(f"    not at {GAP_TARGET:g} (so not counted as fastest peer): "
                      f"{', '.join(peers_missed)}")
            fastest = min(peers_ok, key=peers_ok.get) if peers_ok else None
            if t_lin is None or fastest is None:
                why = "no linreg timing" if t_lin is None else "no peer reached the gap"
                print(f"    target fastest peer/linreg >= {TARGETS['fastest peer/linreg']:g}x: "
                      f"n/a ({why})" + (f"; fastest peer {fastest} {peers_ok[fastest]:.3f} s"
                                        if fastest else ""))
                report.add("single-target", problem=name, n=n, d=d, alpha_fraction=frac,
                           fastest_peer=fastest,
                           fastest_peer_seconds=peers_ok.get(fastest) if fastest else None,
                           verdict="n/a")
                continue
            ratio = peers_ok[fastest] / t_lin
            lin_gap = gaps["linreg Lasso"]
            passed = ratio >= TARGETS["fastest peer/linreg"] and lin_gap <= GAP_TARGET
            print(f"    fastest peer ({fastest}) / linreg = {ratio:.2f}x, linreg gap "
                  f"{lin_gap:.1e} (>= {TARGETS['fastest peer/linreg']:g}x and <= "
                  f"{GAP_TARGET:g}: {verdict(passed)})")
            report.add("single-target", problem=name, n=n, d=d, alpha_fraction=frac,
                       fastest_peer=fastest, fastest_peer_seconds=peers_ok[fastest],
                       linreg_seconds=t_lin, fastest_peer_over_linreg=ratio,
                       linreg_rel_gap=lin_gap, verdict=verdict(passed))
        X_[0] = y_[0] = None
        del X, y


# ------------------------------------------------------------------------------- 2. the path


def path_contenders(peers, X, y, alphas):
    """Name -> ``(make(tol) -> callable returning Fit with coef (d, n_alphas)), tols)``."""

    def in_order(ret_alphas, coefs):
        """Columns of ``coefs`` in the order of ``alphas`` (decreasing), checked."""
        ret_alphas = np.asarray(ret_alphas, dtype=np.float64)
        order = np.argsort(-ret_alphas, kind="stable")
        if not np.allclose(ret_alphas[order], alphas, rtol=1e-12, atol=0):
            raise ValueError("returned alphas differ from the alphas asked for")
        return np.asarray(coefs)[:, order]

    out = {}

    def lin(tol):
        def run():
            a, coefs, _, n_iters = linreg.lasso_path(X, y, alphas=alphas, tol=tol,
                                                     max_iter=LINREG_MAX_ITER,
                                                     fit_intercept=False, return_n_iter=True)
            return Fit(in_order(a, coefs), 0.0, int(np.sum(n_iters)))
        return run
    out["linreg lasso_path"] = (lin, (TOL,))
    if "sklearn" in peers:
        sk = peers["sklearn"]

        def skl(tol):
            def run():
                a, coefs, _, n_iters = sk.lasso_path(X, y, alphas=alphas, tol=tol,
                                                     max_iter=SKLEARN_MAX_ITER, return_n_iter=True)
                return Fit(in_order(a, coefs), 0.0, int(np.sum(n_iters)))
            return run
        out["sklearn lasso_path"] = (skl, PEER_TOLS)
    if "celer" in peers:
        celer = peers["celer"]

        def cel(tol):
            def run():
                # prune=True as in celer.Lasso (celer_path's own default is 0; slower here).
                a, coefs, _, n_iters = celer.celer_path(X, y, "lasso", alphas=alphas, tol=tol,
                                                        prune=True, return_n_iter=True)
                return Fit(in_order(a, coefs), 0.0, int(np.sum(n_iters)))
            return run
        out["celer celer_path"] = (cel, PEER_TOLS)
    if "skglm" in peers:
        skglm = peers["skglm"]

        def skg(tol):
            def run():
                a, coefs, _, n_iters = skglm.Lasso(tol=tol, fit_intercept=False).path(
                    X, y, alphas, return_n_iter=True)
                return Fit(in_order(a, coefs), 0.0, int(np.sum(n_iters)))
            return run
        out["skglm Lasso.path"] = (skg, PEER_TOLS)
    return out


def section_path(report, sizes, peers, repeats):
    n, d = sizes["a"]
    X, y, _ = make_problem(n, d)
    X -= X.mean(axis=0)  # centred once, in place, for every contender
    y -= y.mean()
    amax = alpha_max(X, y, fit_intercept=False)
    alphas = amax * np.geomspace(1.0, PATH_EPS, PATH_ALPHAS)
    title(f"2. Lasso path: {PATH_ALPHAS} alphas, alpha_max .. {PATH_EPS:g} alpha_max  ((a) {n} x "
          f"{d}, centred, fit_intercept=False)")
    print(f"tol starts at {TOL:g} (peers calibrated as in section 1). 'worst gap' = max over "
          f"the alphas of (F - F_best) / F_best, F_best per alpha the least F of any contender "
          f"or of the reference (sklearn lasso_path tol={REF_TOL:g}, max_iter={REF_MAX_ITER}); "
          f"'at' = that alpha's index (0 = alpha_max). skglm runs for information only; "
          f"'n_iter' sums the per-alpha counts.")
    sk = peers.get("sklearn")
    f_ref, ref_sec = None, None
    if sk is not None:
        try:
            t0 = time.perf_counter()
            ref = sk.lasso_path(X, y, alphas=alphas, tol=REF_TOL, max_iter=REF_MAX_ITER)
            ref_sec = time.perf_counter() - t0
            f_ref = path_objectives(X, y, ref[1], alphas)
        except Exception as exc:
            print(f"    reference path raised {type(exc).__name__}: {exc}")

    def worst_to_ref(fit):
        if f_ref is None:
            return 0.0
        return float(np.max((path_objectives(X, y, fit.coef, alphas) - f_ref) / f_ref))

    funcs, warm, tols, failed = {}, {}, {}, {}
    for key, (make, ladder) in path_contenders(peers, X, y, alphas).items():
        try:
            tol, dt, res, _ = calibrate(make, ladder, worst_to_ref)
        except Exception as exc:
            failed[key] = f"{type(exc).__name__}: {exc}"
            print(f"    {key} raised {failed[key]}")
            if key.startswith("linreg"):
                traceback.print_exc(limit=3)
            continue
        funcs[key] = make(tol)
        warm[key] = (dt, res)
        tols[key] = tol
    seconds, runs, results, errors = interleave(funcs, repeats, warm)
    failed.update(errors)
    ok = [k for k in funcs if k in seconds]
    f_vals = {k: path_objectives(X, y, results[k].coef, alphas) for k in ok}
    f_best = np.min(np.vstack([*f_vals.values()] + ([f_ref] if f_ref is not None else [])), axis=0)
    gaps = {k: (f - f_best) / f_best for k, f in f_vals.items()}
    t_lin = seconds.get("linreg lasso_path")
    rows = []
    for key in ok:
        g = gaps[key]
        ratio = f"{seconds[key] / t_lin:.2f}x" if t_lin else "-"
        n_iter = results[key].n_iter
        rows.append([key, f"{tols[key]:g}", f"{seconds[key]:.3f}", runs[key],
                     "-" if n_iter is None else n_iter, fmt_gap(float(g.max())),
                     int(np.argmax(g)), int(np.sum(g > GAP_TARGET)), ratio])
        report.add("path", n=n, d=d, n_alphas=PATH_ALPHAS, eps=PATH_EPS, contender=key,
                   tol=tols[key], seconds=seconds[key], runs=runs[key],
                   n_iter=None if n_iter is None else int(n_iter), worst_rel_gap=float(g.max()),
                   worst_at=int(np.argmax(g)), alphas_over_gap=int(np.sum(g > GAP_TARGET)),
                   over_linreg=seconds[key] / t_lin if t_lin else None)
    if f_ref is not None:
        g = (f_ref - f_best) / f_best
        rows.append([f"(reference: sklearn tol={REF_TOL:g})", f"{REF_TOL:g}", f"{ref_sec:.3f}",
                     1, "-", fmt_gap(float(g.max())), int(np.argmax(g)),
                     int(np.sum(g > GAP_TARGET)), ""])
    print()
    markdown_table(["contender", "tol", "seconds", "runs", "n_iter", "worst gap", "at",
                    f"alphas > {GAP_TARGET:g}", "x linreg"], rows, "llrrrrrrr")
    for key, msg in failed.items():
        print(f"    {key}: failed ({msg})")
        report.add("path", n=n, d=d, contender=key, error=msg)
    for key, target_key in (("sklearn lasso_path", "sklearn path/linreg"),
                            ("celer celer_path", "celer path/linreg")):
        target = TARGETS[target_key]
        if t_lin is None or key not in seconds:
            print(f"    target {target_key} >= {target:g}x: n/a (no "
                  f"{'linreg' if t_lin is None else key} timing)")
            report.add("path-target", target=target_key, verdict="n/a")
            continue
        ratio = seconds[key] / t_lin
        lin_worst = float(gaps["linreg lasso_path"].max())
        passed = ratio >= target and lin_worst <= GAP_TARGET
        print(f"    {target_key} = {ratio:.2f}x, linreg worst gap {lin_worst:.1e} (>= {target:g}x "
              f"and every alpha <= {GAP_TARGET:g}: {verdict(passed)})")
        report.add("path-target", target=target_key, ratio=ratio, linreg_worst_rel_gap=lin_worst,
                   verdict=verdict(passed))
    sys.stdout.flush()


# ------------------------------------------------------------------------------------------ main


def _with(module, **values):
    """Run with module-level switches of linreg._lasso set, restoring them after."""
    def wrap(func):
        def run():
            saved = {k: getattr(module, k) for k in values}
            try:
                for k, v in values.items():
                    setattr(module, k, v)
                return func()
            finally:
                for k, v in saved.items():
                    setattr(module, k, v)
        return run
    return wrap


def section_strategies(report, sizes, problems, repeats):
    """linreg alone, strategy against strategy: which of working sets, gap-safe screening,
    Anderson extrapolation and the full Gram pay off (single fits; then the path)."""
    from linreg import _lasso

    title("3. Strategies inside linreg's coordinate descent (single fits, then the path)")
    print("Each row is linreg.Lasso(tol=1e-8) with one strategy changed; 'x default' = row "
          "seconds / default seconds (above 1: the default is faster).")
    for key in problems:
        n, d = sizes[key]
        X, y, _ = make_problem(n, d)
        amax = alpha_max(X, y, True)
        for div in (10, 100):
            alpha = amax / div

            def fit(_alpha=alpha, _X=X, _y=y, **kw):
                return lambda: linreg.Lasso(alpha=_alpha, tol=1e-8, max_iter=100_000,
                                            **kw).fit(_X, _y)

            funcs = {
                "default (working sets + gap-safe screening + Anderson)": fit(),
                "working sets, no screening": _with(_lasso, SCREENING=False)(fit()),
                "working sets, no Anderson": _with(_lasso, ANDERSON=0)(fit()),
                "working sets, naive inner solver": fit(precompute=False),
                "no working set: full Gram (precompute=True)": fit(precompute=True),
                "no working set: naive CD on every column": _with(_lasso, WS_START=d)(
                    fit(precompute=False)),
            }
            seconds, runs, results, errors = interleave(funcs, repeats)
            base = seconds.get(next(iter(funcs)))
            rows = []
            for name in funcs:
                if name not in seconds:
                    continue
                m = results[name]
                F = objective(X, y, m.coef_, m.intercept_, alpha)
                rows.append([name, f"{seconds[name]:.3f}", str(m.n_iter_), m.solver_,
                             f"{F:.12g}", f"{seconds[name] / base:.2f}x" if base else "-"])
                report.add("strategy", problem=key, alpha_div=div, strategy=name,
                           seconds=seconds[name], n_iter=int(m.n_iter_), objective=F)
            print()
            print(f"### ({key}) {n} x {d}, alpha_max/{div}")
            markdown_table(["strategy", "seconds", "epochs", "solver_", "F", "x default"], rows,
                           "lrrlrr")
    X, y, _ = make_problem(*sizes["a"])
    Xc = np.ascontiguousarray(X - X.mean(axis=0))
    yc = y - y.mean()
    amax = alpha_max(Xc, yc, False)
    alphas = np.geomspace(amax, amax * 1e-3, 100)
    funcs = {
        "path: Gram once, covariance CD per alpha (default, n >= d)":
            lambda: linreg.lasso_path(Xc, yc, alphas=alphas, tol=1e-8, max_iter=100_000),
        "path: working sets per alpha (precompute=False)":
            lambda: linreg.lasso_path(Xc, yc, alphas=alphas, tol=1e-8, max_iter=100_000,
                                      precompute=False),
    }
    seconds, runs, results, errors = interleave(funcs, repeats)
    base = seconds.get(next(iter(funcs)))
    rows = [[name, f"{seconds[name]:.3f}", f"{seconds[name] / base:.2f}x"]
            for name in funcs if name in seconds]
    print()
    print("### path on (a), 100 alphas")
    markdown_table(["strategy", "seconds", "x default"], rows, "lrr")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="problems 2e3 x 200, 200 x 2e3, 2e4 x 50 (default: 1e4 x 1e3, "
                             "1e3 x 1e4, 1e5 x 200)")
    parser.add_argument("--repeats", type=int, default=None,
                        help=f"timed runs after the warm-up (default {REPEATS['full']}, "
                             f"--quick {REPEATS['quick']})")
    parser.add_argument("--out", default=None, help="append JSON lines of results to this file")
    parser.add_argument("--sections", default="1,2,3", help="comma-separated sections to run")
    parser.add_argument("--problems", default="a,b,c", help="section 1's problems (a, b, c)")
    args = parser.parse_args(argv)
    sections = {int(s) for s in args.sections.split(",") if s.strip()}
    problems = [p.strip() for p in args.problems.split(",") if p.strip()]
    mode = "quick" if args.quick else "full"
    sizes = SIZES[mode]
    repeats = REPEATS[mode] if args.repeats is None else args.repeats
    if any(p not in sizes for p in problems):
        parser.error(f"--problems: expected a subset of {','.join(sizes)}, got {args.problems}")

    t_start = time.perf_counter()
    print("linreg Lasso benchmark  (median of runs after one warm-up; contenders interleaved)")
    peers = import_peers()
    env = environment()
    linreg.show_config()
    for key in ("cpu", "cores", "numpy", "sklearn", "celer", "skglm", "numba", "blas_pools"):
        if key in env:
            print(f"  {key}: {env[key]}")
    print(f"  repeats: {repeats}")
    report = Report(env)
    if "skglm" in peers:
        try:
            sec = precompile_skglm(peers["skglm"])
            print(f"  skglm numba compilation (before any timing): {sec:.1f} s")
            report.add("skglm-compile", seconds=sec)
        except Exception as exc:
            print(f"skglm raised {type(exc).__name__}: {exc} while compiling: its rows are "
                  f"skipped")
            del peers["skglm"]

    with warnings.catch_warnings():
        # Unconverged fits show in the gap column; the warnings would only repeat it.
        try:
            from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning

            warnings.simplefilter("ignore", SklearnConvergenceWarning)
        except ImportError:
            pass
        warnings.simplefilter("ignore", linreg.ConvergenceWarning)
        if 1 in sections:
            section_single(report, sizes, problems, peers, repeats)
        if 2 in sections:
            section_path(report, sizes, peers, repeats)
        if 3 in sections:
            section_strategies(report, sizes, problems, repeats)
    print()
    print(f"total wall time {time.perf_counter() - t_start:.0f} s")
    if args.out:
        report.write(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
