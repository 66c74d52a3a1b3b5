"""Benchmark harness: linreg against NumPy and scikit-learn, interleaved in one process.

Each case builds one problem, then runs every contender once as a warm-up and ``repeats`` more
times, contenders interleaved round by round so that a noisy machine slows all of them alike; the
median is reported. A short pause precedes every run: OpenBLAS's worker threads busy-wait for up
to about 0.1 s after a call, and without the pause whichever contender runs next loses a core to
them. Every timing row carries the coefficient error against the float64 normal
equations, so speed never appears without correctness. Peak extra memory of linreg's fit is
measured in a child process (Linux: VmHWM after resetting it through /proc/self/clear_refs).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

# name: (n, d, model, alpha)
CASES = {
    "ols-1e6x100": (1_000_000, 100, "ols", 0.0),
    "ols-1e5x1000": (100_000, 1000, "ols", 0.0),
    "ols-2e4x2000": (20_000, 2000, "ols", 0.0),
    "ridge-2000x5000": (2000, 5000, "ridge", 1.0),
}
QUICK = {
    "ols-1e5x50": (100_000, 50, "ols", 0.0),
    "ols-2e4x300": (20_000, 300, "ols", 0.0),
    "ridge-500x1500": (500, 1500, "ridge", 1.0),
}
PAUSE_SECONDS = 0.5  # before every run: idle BLAS / OpenMP threads of the last one stop spinning
SLOW_SECONDS = 4.0  # a warm-up slower than this: two more runs only
LONG_SECONDS = 15.0  # a warm-up slower than this: no more runs (bench/gd.py, bench/lasso.py)


def make_problem(n, d, dtype, order, seed=0):
    rng = np.random.default_rng(seed)
    X = np.empty((n, d), dtype=dtype, order=order)
    step = max(1, 2**22 // d)
    for r in range(0, n, step):  # fill in blocks: no full-size float64 temporary
        X[r:r + step] = rng.standard_normal((min(step, n - r), d)) + 0.5
    coef = rng.uniform(-1, 1, d)
    y = (X @ coef.astype(dtype)).astype(np.float64) + 2.0 + 0.1 * rng.standard_normal(n)
    return X, y.astype(dtype)


def numpy_normal_equations(X, y, alpha):
    import scipy.linalg as sl

    xm = X.mean(axis=0)
    ym = y.mean()
    Xc = X - xm
    G = Xc.T @ Xc
    if alpha:
        G[np.diag_indices_from(G)] += alpha
    coef = sl.cho_solve(sl.cho_factor(G, lower=True, check_finite=False), Xc.T @ (y - ym),
                        check_finite=False)
    return coef, ym - xm @ coef


def numpy_dual_ridge(X, y, alpha):
    import scipy.linalg as sl

    xm = X.mean(axis=0)
    ym = y.mean()
    Xc = X - xm
    K = Xc @ Xc.T
    K[np.diag_indices_from(K)] += alpha
    a = sl.cho_solve(sl.cho_factor(K, lower=True, check_finite=False), y - ym, check_finite=False)
    coef = Xc.T @ a
    return coef, ym - xm @ coef


def numpy_lstsq(X, y):
    xm = X.mean(axis=0)
    ym = y.mean()
    coef = np.linalg.lstsq(X - xm, y - ym, rcond=None)[0]
    return coef, ym - xm @ coef


def contenders(model, alpha, n, d):
    import linreg

    out = {}
    if model == "ols":
        out["linreg"] = lambda X, y: linreg.LinearRegression().fit(X, y).coef_
        out["numpy NE"] = lambda X, y: numpy_normal_equations(X, y, 0.0)[0]
        if n * d * d <= 2e10:
            out["numpy lstsq"] = lambda X, y: numpy_lstsq(X, y)[0]
    else:
        out["linreg"] = lambda X, y: linreg.Ridge(alpha=alpha).fit(X, y).coef_
        out["numpy NE"] = (lambda X, y: numpy_dual_ridge(X, y, alpha)[0]) if n < d else (
            lambda X, y: numpy_normal_equations(X, y, alpha)[0])
    try:
        from sklearn import linear_model as sk

        if model == "ols":
            if n * d * d <= 2e10:
                out["sklearn LinearRegression"] = lambda X, y: sk.LinearRegression().fit(X, y).coef_
            out["sklearn Ridge(cholesky, alpha=0)"] = (
                lambda X, y: sk.Ridge(alpha=0.0, solver="cholesky").fit(X, y).coef_)
        else:
            out["sklearn Ridge(cholesky)"] = (
                lambda X, y: sk.Ridge(alpha=alpha, solver="cholesky").fit(X, y).coef_)
    except ImportError:
        pass
    return out


# Shared by the benchmark scripts in bench/ (gd.py, lasso.py).
def interleave(funcs, repeats, warm=None, catch=True, rotate=False, samples=None):
    """Time ``funcs`` (name -> callable of no argument), interleaved round by round.

    With ``rotate``, round ``r`` starts at the ``r``-th contender (cyclically), so that each
    contender follows each other one equally often: one whose after-effects outlast the pause
    (a contender that allocates and frees gigabytes) then slows every other alike.

    ``warm`` maps a name to ``(seconds, result)`` of a run made beforehand, which then stands for
    that contender's warm-up. With ``catch``, a contender that raises is dropped, its exception
    kept; without, the exception propagates. ``samples``, a dict, receives for each contender
    its timed runs as ``{round: seconds}``, for ratios taken within a round (`paired_ratios`).

    Returns
    -------
    seconds : dict
        Median seconds per contender over the runs after the warm-up (for a contender whose
        warm-up took longer than ``SLOW_SECONDS``: the warm-up and two more runs; longer than
        ``LONG_SECONDS``: the warm-up alone).
    runs : dict
        Number of timed runs per contender.
    results : dict
        What each contender returned in its last run.
    errors : dict
        Name -> exception text, for the contenders that raised.
    """
    warm = warm or {}
    times = {key: {} for key in funcs}  # key -> {round: seconds} of its timed runs
    results = {key: out for key, (_, out) in warm.items()}
    errors = {}
    slow, done = set(), set()
    order = list(funcs)
    for rnd in range(repeats + 1):
        shift = rnd % len(order) if rotate and order else 0
        for key in order[shift:] + order[:shift]:
            func = funcs[key]
            if key in done or key in errors or (key in slow and len(times[key]) >= 3):
                continue
            if rnd == 0 and key in warm:
                dt = warm[key][0]
            else:
                # Let the previous contender's idle BLAS/OpenMP threads stop spinning, so that no
                # run pays for another's.
                time.sleep(PAUSE_SECONDS)
                try:
                    t0 = time.perf_counter()
                    results[key] = func()
                    dt = time.perf_counter() - t0
                except Exception as exc:
                    if not catch:
                        raise
                    errors[key] = f"{type(exc).__name__}: {exc}"
                    print(f"    {key} raised {errors[key]}")
                    continue
            if rnd == 0:
                # The warm-up counts as a timing only for a contender that will not run often.
                if dt > LONG_SECONDS:
                    done.add(key)
                elif dt > SLOW_SECONDS and repeats > 2:
                    slow.add(key)
                elif repeats != 0:
                    continue
            times[key][rnd] = dt
    if samples is not None:
        samples.update(times)
    seconds = {key: statistics.median(t.values()) for key, t in times.items()
               if t and key not in errors}
    return seconds, {key: len(t) for key, t in times.items()}, results, errors


def paired_ratios(samples, num, den, minus=None):
    """Per-round ratios ``num / (den - minus)`` over the rounds in which all of them ran.

    ``samples`` as filled by `interleave`; ``minus`` (optional) names a contender whose time is
    subtracted from ``den``'s in the same round. Within a round the contenders ran seconds apart,
    so the ratio carries less of the machine's drift than a ratio of medians taken over minutes.
    Returns the ratios in round order.
    """
    names = [num, den] + ([minus] if minus else [])
    rounds = sorted(set.intersection(*(set(samples[k]) for k in names)))
    out = []
    for r in rounds:
        base = samples[den][r] - (samples[minus][r] if minus else 0.0)
        if base > 0:
            out.append(samples[num][r] / base)
    return out


def spread(ratios, unit=""):
    """``"median m [min .. max] over N rounds"`` of ``ratios`` (empty text if there are none)."""
    if not ratios:
        return ""
    return (f"per round {statistics.median(ratios):.2f}{unit} [{min(ratios):.2f}{unit} .. "
            f"{max(ratios):.2f}{unit}] over {len(ratios)} rounds")


class Report:
    """Result rows, written as JSON lines (with the environment) for ``--out``."""

    def __init__(self, env):
        self.env = env
        self.rows = []

    def add(self, section, **fields):
        row = {"section": section}
        for key, value in fields.items():
            row[key] = value.item() if isinstance(value, np.generic) else value
        self.rows.append(row)
        return row

    def write(self, path):
        with open(path, "a") as f:
            for row in self.rows:
                f.write(json.dumps({**row, "env": self.env}) + "\n")


def rel_diff(a, ref):
    """``max |a - ref| / max |ref|``; None when either is missing, NaN when the shapes differ."""
    if a is None or ref is None:
        return None
    a = np.asarray(a, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if a.shape != ref.shape:
        return float("nan")
    return float(np.max(np.abs(a - ref)) / np.max(np.abs(ref)))


def markdown_table(header, rows, align):
    """Print a markdown table whose columns are padded to line up; ``align``: 'l'/'r' per
    column."""
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[j]) for r in cells) for j in range(len(header))]

    def line(row):
        return "| " + " | ".join(c.ljust(w) if a == "l" else c.rjust(w)
                                 for c, w, a in zip(row, widths, align)) + " |"

    print(line(header))
    print("|" + "|".join(("-" * (w + 1) + ":") if a == "r" else (":" + "-" * (w + 1))
                         for w, a in zip(widths, align)) + "|")
    for row in cells[1:]:
        print(line(row))
    sys.stdout.flush()


def title(text):
    print()
    print(text)
    print("=" * len(text))
    sys.stdout.flush()


def environment():
    import linreg

    info = {"python": sys.version.split()[0], "numpy": np.__version__,
            "machine": platform.machine(), "linreg_threads": linreg.get_num_threads()}
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next(line.split(":", 1)[1].strip() for line in f
                               if line.startswith("model name"))
    except (OSError, StopIteration):
        info["cpu"] = platform.processor()
    info["cores"] = os.cpu_count()
    try:
        import sklearn

        info["sklearn"] = sklearn.__version__
    except ImportError:
        pass
    try:
        from threadpoolctl import threadpool_info

        info["blas_pools"] = [f"{p['internal_api']} {p['version']} {p['num_threads']} threads "
                              f"({os.path.basename(p['filepath'])})" for p in threadpool_info()]
    except ImportError:
        pass
    info["linreg_build"] = {k: v for k, v in __import__("linreg")._core.build_info().items()}
    return info


def peak_extra_memory(n, d, dtype, order, model, alpha):
    """Peak resident memory added by one linreg fit, in a child process (Linux only)."""
    if not os.path.exists("/proc/self/clear_refs"):
        return None
    code = f"""
import numpy as np, linreg, linreg._bench as b
X, y = b.make_problem({n}, {d}, np.{np.dtype(dtype).name}, {order!r})
est = linreg.LinearRegression() if {model!r} == 'ols' else linreg.Ridge(alpha={alpha})
est.fit(X[:1000], y[:1000])
def status(key):
    for line in open('/proc/self/status'):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
before = status('VmRSS')
open('/proc/self/clear_refs', 'w').write('5')
est.fit(X, y)
print(max(0, status('VmHWM') - before))
"""
    try:
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=900, check=True)
        return int(res.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, OSError):
        return None


def run_case(name, spec, dtype, order, repeats):
    n, d, model, alpha = spec
    X, y = make_problem(n, d, dtype, order)
    X64 = X if X.dtype == np.float64 else X.astype(np.float64)
    y64 = y.astype(np.float64)
    ref = (numpy_dual_ridge(X64, y64, alpha) if (model == "ridge" and n < d)
           else numpy_normal_equations(X64, y64, alpha))[0]
    del X64
    funcs = contenders(model, alpha, n, d)
    times = {k: [] for k in funcs}
    errors = {}
    active = list(funcs)
    for rnd in range(repeats + 1):
        for key in list(active):
            # Let the previous contender's idle BLAS/OpenMP threads stop spinning (OpenBLAS keeps
            # them busy-waiting for up to ~0.1 s after a call), so no run pays for another's.
            time.sleep(PAUSE_SECONDS)
            t0 = time.perf_counter()
            coef = funcs[key](X, y)
            dt = time.perf_counter() - t0
            if rnd == 0:
                errors[key] = float(np.max(np.abs(np.asarray(coef, np.float64) - ref))
                                    / np.max(np.abs(ref)))
                if dt > SLOW_SECONDS and repeats > 2:
                    times[key].append(dt)  # slow contender: keep the warm-up, 2 more runs
                    times[key + "#slow"] = True
                continue
            if times.get(key + "#slow") and len(times[key]) >= 3:
                active.remove(key)
                continue
            times[key].append(dt)
    rows = []
    t_lin = statistics.median(times["linreg"])
    for key in funcs:
        t = statistics.median(times[key])
        rows.append({"case": name, "n": n, "d": d, "dtype": np.dtype(dtype).name, "order": order,
                     "contender": key, "seconds": t, "runs": len(times[key]),
                     "linreg_speedup": t / t_lin, "coef_rel_err": errors[key]})
    return rows


def main(quick=False, repeats=5, out=None, cases=None):
    import linreg

    table = QUICK if quick else CASES
    if cases:
        wanted = cases.split(",")
        table = {k: v for k, v in {**CASES, **QUICK}.items() if k in wanted}
    env = environment()
    print("linreg benchmark  (median of runs after one warm-up; contenders interleaved)")
    linreg.show_config()
    for k in ("cpu", "cores", "numpy", "sklearn", "blas_pools"):
        if k in env:
            print(f"  {k}: {env[k]}")
    all_rows = []
    header = (f"{'case':16} {'dtype':7} {'ord':3} {'contender':34} {'seconds':>8} {'runs':>4} "
              f"{'linreg x':>9} {'coef err':>9}")
    print()
    print(header)
    print("-" * len(header))
    for name, spec in table.items():
        for dtype in (np.float64, np.float32):
            for order in ("C", "F"):
                rows = run_case(name, spec, dtype, order, repeats)
                n, d, model, alpha = spec
                mem = peak_extra_memory(n, d, dtype, order, model, alpha)
                xbytes = n * d * np.dtype(dtype).itemsize
                for r in rows:
                    if r["contender"] == "linreg":
                        r["peak_extra_bytes"] = mem
                        r["x_bytes"] = xbytes
                    print(f"{r['case']:16} {r['dtype']:7} {r['order']:3} {r['contender']:34} "
                          f"{r['seconds']:8.3f} {r['runs']:4d} {r['linreg_speedup']:8.2f}x "
                          f"{r['coef_rel_err']:9.1e}")
                if mem is not None:
                    print(f"{'':16} {'':7} {'':3} {'  linreg peak extra memory':34} "
                          f"{mem / 2**20:7.1f} MiB = {100 * mem / xbytes:.1f}% of X "
                          f"({xbytes / 2**20:.0f} MiB; d^2 doubles = {d * d * 8 / 2**20:.1f} MiB)")
                all_rows.extend(rows)
                sys.stdout.flush()
    # float32 against float64, same case and order
    print()
    print("float32 speed-up over float64 (linreg):")
    lin = {(r["case"], r["dtype"], r["order"]): r["seconds"] for r in all_rows
           if r["contender"] == "linreg"}
    for (case, dt, order), t in lin.items():
        if dt == "float32" and (case, "float64", order) in lin:
            print(f"  {case:16} {order}: {lin[(case, 'float64', order)] / t:.2f}x")
    if out:
        with open(out, "a") as f:
            for r in all_rows:
                f.write(json.dumps({**r, "env": env}) + "\n")
    return 0
