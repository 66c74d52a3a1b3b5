"""Benchmark of linreg.dask: an exact OLS fit on a Dask cluster against the in-memory fit.

    python bench/dask_fit.py [--rows N] [--features D] [--chunk-rows R] [--repeats K]
                             [--out FILE.jsonl]

The problem (defaults): ``X`` 1e7 x 100 float64 (8 GB), standard-normal plus 0.5, built on the
workers of a ``dask.distributed.LocalCluster`` (2 worker processes of 1 thread each) with
``dask.array.random``, in blocks of 250_000 rows; ``y = X @ w + 2 + 0.1 * noise``, ``w``
uniform in [-1, 1]. Both are persisted (held in the workers' memory) before any timing, so the
timings are of the fits, not of making the data.

The same data are then gathered block by block into one NumPy array in this process (8 GB more;
the script checks ``MemAvailable`` first and leaves the in-memory rows out if the copy would
not fit with 3 GB to spare).

Contenders:

- ``linreg.dask.LinearRegression().fit(X, y)``: one task per block computes its statistics with
  linreg's core on the worker holding it (one thread: the nanny sets ``OMP_NUM_THREADS=1``),
  a tree of merges, the solve on the client;
- ``linreg.LinearRegression().fit`` on the in-memory copy, in this process (2 OpenMP threads);
  besides the statistics it makes a second pass over X for the residuals its inference
  (``inference()``, ``summary()``) needs, which the Dask fit does not;
- the same work as the Dask fit, in memory: ``linreg.gram_statistics`` of the whole copy, then
  ``fit_statistics``;
- dask-ml's ``LinearRegression`` (if installed): its default (ADMM with an L2 penalty of
  ``1/C = 1``, negligible at 1e7 rows), and ``solver="newton"`` (no penalty; its Hessian is
  ``X'X``, so it is the normal equations iterated to its ``tol``).

Method (as the other scripts of bench/): one warm-up, then ``repeats`` runs, contenders
interleaved round by round, median reported, a 0.5 s pause before every run; a contender whose
warm-up takes longer than 4 s runs twice more only, longer than 15 s not again. The ``coef
diff`` column is ``max |coef - coef_mem| / max |coef_mem|`` against the in-memory linreg fit
(``intercept diff`` likewise, relative to ``|intercept_mem|``).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

import numpy as np

import linreg
from linreg import _bench
from linreg._bench import Report, interleave, title

ROWS = 10_000_000
FEATURES = 100
CHUNK_ROWS = 250_000
REPEATS = 5
SEED = 0
MEMORY_MARGIN = 3 * 2**30  # left free after the in-memory copy
N_WORKERS = 2


def start_cluster():
    """A LocalCluster of ``N_WORKERS`` processes, one thread each, and its client."""
    from distributed import Client, LocalCluster

    # Quiet, closing included (a worker whose heartbeat meets the closed scheduler logs an error)
    logging.getLogger("distributed").setLevel(logging.CRITICAL)
    cluster = LocalCluster(n_workers=N_WORKERS, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.CRITICAL)
    return cluster, Client(cluster)


def make_data(client, n, d, chunk_rows, seed=SEED):
    """X, y built on the workers and persisted there; and the true coefficients."""
    import dask.array as da
    from distributed import wait

    rng = da.random.default_rng(seed)
    X = rng.standard_normal((n, d), chunks=(chunk_rows, d)) + 0.5
    w_true = np.random.default_rng(seed).uniform(-1, 1, d)
    y = X @ w_true + 2.0 + 0.1 * rng.standard_normal(n, chunks=chunk_rows)
    X, y = client.persist([X, y])
    wait([X, y])
    return X, y, w_true


def memory_available():
    """Bytes the kernel says can be allocated without swapping (Linux), else None."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def gather(X, y):
    """The persisted X, y as NumPy arrays in this process, one block at a time (no second
    full-size temporary)."""
    Xm = np.empty(X.shape, dtype=X.dtype)
    start = 0
    for block in X.to_delayed().ravel():
        part = block.compute()
        Xm[start:start + part.shape[0]] = part
        start += part.shape[0]
        del part
    return Xm, y.compute()


def rel_diff(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def markdown_table(header, rows):
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    sys.stdout.flush()


def contenders(X, y, Xm, ym):
    """Name -> callable returning ``(coef, intercept)`` as NumPy."""
    import linreg.dask

    def fitted(est):
        return np.asarray(est.coef_, dtype=np.float64), float(est.intercept_)

    out = {"linreg.dask LinearRegression": lambda: fitted(linreg.dask.LinearRegression().fit(X, y))}
    if Xm is not None:
        out["linreg LinearRegression, in memory"] = (
            lambda: fitted(linreg.LinearRegression().fit(Xm, ym)))
        out["linreg gram_statistics + fit_statistics, in memory"] = (
            lambda: fitted(linreg.LinearRegression().fit_statistics(
                linreg.gram_statistics(Xm, ym))))
    try:
        from dask_ml.linear_model import LinearRegression as DaskMLLinearRegression
    except ImportError as exc:
        print(f"dask-ml not available ({exc}): its rows are skipped")
        return out

    def dask_ml(**params):
        def run():
            est = DaskMLLinearRegression(**params).fit(X, y)
            return np.asarray(est.coef_, dtype=np.float64), float(np.asarray(est.intercept_))
        return run

    out["dask-ml LinearRegression(solver='newton')"] = dask_ml(solver="newton")
    out["dask-ml LinearRegression() (admm, C=1)"] = dask_ml()
    return out


def environment():
    info = _bench.environment()
    for name in ("dask", "distributed", "dask_ml", "pandas"):
        try:
            info[name] = __import__(name).__version__
        except ImportError:
            pass
    return info


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--features", type=int, default=FEATURES)
    parser.add_argument("--chunk-rows", type=int, default=CHUNK_ROWS)
    parser.add_argument("--repeats", type=int, default=REPEATS,
                        help=f"timed runs after the warm-up (default {REPEATS})")
    parser.add_argument("--out", default=None, help="append JSON lines of results to this file")
    args = parser.parse_args(argv)
    n, d = args.rows, args.features

    t_start = time.perf_counter()
    print("linreg.dask benchmark  (median of runs after one warm-up; contenders interleaved)")
    env = environment()
    linreg.show_config()
    for key in ("cpu", "cores", "numpy", "dask", "distributed", "dask_ml", "blas_pools"):
        if key in env:
            print(f"  {key}: {env[key]}")
    print(f"  repeats: {args.repeats}")
    report = Report(env)

    cluster, client = start_cluster()
    try:
        title(f"Dask: OLS on {n:,} x {d} float64 ({n * d * 8 / 1e9:.1f} GB), blocks of "
              f"{args.chunk_rows:,} rows, {N_WORKERS} worker processes x 1 thread")
        t0 = time.perf_counter()
        X, y, w_true = make_data(client, n, d, args.chunk_rows)
        t_make = time.perf_counter() - t0
        print(f"data built and persisted on the workers: {t_make:.1f} s "
              f"({X.numblocks[0]} blocks)")
        Xm = ym = None
        free = memory_available()
        if free is None or free >= X.nbytes + MEMORY_MARGIN:
            t0 = time.perf_counter()
            Xm, ym = gather(X, y)
            print(f"same data gathered into this process: {time.perf_counter() - t0:.1f} s"
                  + (f" (MemAvailable before: {free / 2**30:.1f} GiB)" if free else ""))
        else:
            print(f"MemAvailable {free / 2**30:.1f} GiB < X ({X.nbytes / 2**30:.1f} GiB) + "
                  f"{MEMORY_MARGIN / 2**30:.0f} GiB: no in-memory copy, no in-memory rows")
        report.add("data", n=n, d=d, chunk_rows=args.chunk_rows, seconds_make=t_make,
                   in_memory=Xm is not None)

        funcs = contenders(X, y, Xm, ym)
        seconds, runs, results, errors = interleave(funcs, args.repeats)
        ref_key = "linreg LinearRegression, in memory"
        ref = results.get(ref_key)
        t_ref = seconds.get(ref_key)
        rows = []
        for key in funcs:
            if key not in seconds:
                rows.append([key, "failed", "", "", "", ""])
                report.add("dask", contender=key, error=errors.get(key))
                continue
            coef, intercept = results[key]
            dc = rel_diff(coef, ref[0]) if ref else None
            di = abs(intercept - ref[1]) / abs(ref[1]) if ref else None
            ratio = seconds[key] / t_ref if t_ref else None
            rows.append([key, f"{seconds[key]:.2f}", runs[key],
                         "-" if ratio is None else f"{ratio:.2f}x",
                         "-" if dc is None else f"{dc:.1e}", "-" if di is None else f"{di:.1e}"])
            report.add("dask", contender=key, n=n, d=d, chunk_rows=args.chunk_rows,
                       seconds=seconds[key], runs=runs[key], over_in_memory=ratio,
                       coef_rel_diff=dc, intercept_rel_diff=di,
                       coef_err_vs_truth=rel_diff(coef, w_true))
        print()
        markdown_table(["contender", "seconds", "runs", "/ in-memory linreg", "coef diff",
                        "intercept diff"], rows)
        for key, msg in errors.items():
            print(f"    {key}: failed ({msg})")
    finally:
        client.close()
        cluster.close()
    if args.out:
        report.write(args.out)
    print(f"\ntotal {time.perf_counter() - t_start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
