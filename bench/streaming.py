"""Benchmark of linreg's streaming fits: batches against one in-memory fit, and a file larger
than memory.

    python bench/streaming.py [--quick] [--repeats N] [--sections 1,2] [--out FILE.jsonl]
                              [--dir DIR] [--rows N] [--block-rows N] [--no-cold]

Every problem is ``X`` (float64, C order) of standard-normal entries plus 0.5 and
``y = X @ w_true + 2 + noise``, ``w_true`` uniform in [-1, 1], noise of standard deviation 1,
fixed seeds. Two sections:

1. *Streaming overhead*, in memory, 1e6 x 100 (``--quick``: 1e5 x 100): one
   ``LinearRegression().fit(X, y)`` against ``partial_fit`` on consecutive batches of 1e4 rows
   (``--quick``: 1e3) and against ``GramStatistics.update`` on the same batches followed by one
   ``solve()``; the same for ``Ridge(alpha=1)`` and ``solve(alpha=1)``. Target: streamed
   seconds / in-memory seconds <= 1.2. ``coef diff`` is ``max |coef - coef_fit| / max
   |coef_fit|`` against the in-memory fit of the same model. ``partial_fit`` solves when
   ``coef_`` is first read after a batch: the plain route reads it once, at the end (inside the
   timing); the route "coef_ read after each" reads it after every batch, as a user predicting
   between batches would (one d x d solve per batch). Then each streamed route is run once
   under cProfile and its time split by where it is spent: the C++ statistics of each batch
   (computed apart and merged in the core), the Python checks of each batch, merging and
   copying the statistics in Python, solving from them, and the rest.
2. *Larger than memory*: ``X`` of 4e7 x 100 (32 GB, ``--rows``) and ``y`` written as ``.npy``
   files in a temporary directory (``--dir``, which must be on a disk, not tmpfs; block by
   block, two threads drawing, one writing, so memory stays bounded; the free space is checked
   first and the files are deleted at the end, also on error or interrupt). Then, each in a
   child process so that its peak resident memory is its own: a plain sequential read of both
   files in blocks of ``--block-rows`` rows (``readinto`` into one reused buffer, no
   arithmetic: the I/O baseline) and ``GramStatistics.from_npy(X, y, block_rows=...)``
   followed by ``solve()``, alternately, in two rounds. In each round the pair runs first with
   the files evicted from the page cache (``posix_fadvise(DONTNEED)`` on these two files only:
   every byte comes from the disk; off with ``--no-cold``), then as the previous run left the
   cache (a file larger than RAM still leaves part of itself cached). Reported: wall seconds,
   rows/s, GB/s (bytes of X and y over seconds), the peak resident memory of the child (VmHWM
   of /proc/self/status; target < 2 GB) and the share of the files in the page cache before
   each run (mincore). The coefficients are checked against ``w_true`` (the z-scores
   ``(coef - w_true) / se``, ``se`` from the statistics, should look like standard normals)
   and, on the first 1/40 of the rows read from the same files in the same blocks, against
   ``LinearRegression().fit`` of that prefix in memory (to rounding). ``--quick`` writes
   4e5 x 100 (320 MB; not larger than memory: a smoke test).

Method (as the other scripts in bench/): the contenders of section 1 run once as a warm-up and
then ``repeats`` times, interleaved round by round in one process, with a 0.5 s pause before
every run; the median is reported.
"""

from __future__ import annotations

import argparse
import cProfile
import ctypes
import itertools
import json
import os
import pstats
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor

import linreg
import numpy as np
from linreg import _bench
from linreg._bench import Report, interleave, markdown_table, rel_diff, title

SIZES = {
    # in memory: rows, features, rows per batch; out of core: rows, features, rows per block
    "full": {"n": 1_000_000, "d": 100, "batch": 10_000,
             "ooc_rows": 40_000_000, "ooc_d": 100, "block_rows": 50_000},
    "quick": {"n": 100_000, "d": 100, "batch": 1_000,
              "ooc_rows": 400_000, "ooc_d": 100, "block_rows": 10_000},
}
REPEATS = {"full": 11, "quick": 1}
X_OFFSET = 0.5
INTERCEPT = 2.0
NOISE = 1.0
RIDGE_ALPHA = 1.0
TARGET_RATIO = 1.2  # streamed seconds / in-memory seconds
PEAK_TARGET = 2e9  # bytes of resident memory for the out-of-core fit
DISK_MARGIN = 10 * 2**30  # free bytes left on the disk after writing the files
PREFIX_FRACTION = 40  # the in-memory check uses the first 1/40 of the rows
SEED = 0


# --------------------------------------------------------------------------------- helpers


def make_problem(n, d, seed=SEED):
    """``X`` (float64, C order) standard normal + 0.5, ``y = X @ w_true + 2 + noise``."""
    rng = np.random.default_rng(seed)
    X = np.empty((n, d))
    step = max(1, 2**22 // d)
    for r in range(0, n, step):  # fill in blocks: no second full-size temporary
        X[r:r + step] = rng.standard_normal((min(step, n - r), d)) + X_OFFSET
    w_true = rng.uniform(-1.0, 1.0, d)
    y = X @ w_true + INTERCEPT + NOISE * rng.standard_normal(n)
    return X, y, w_true




def status_bytes(key):
    """A ``kB`` field of /proc/self/status, in bytes (None off Linux)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def meminfo_bytes(key):
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def gb(nbytes):
    return nbytes / 1e9


# ------------------------------------------------------------------- 1. streaming overhead


def batches(X, y, rows):
    for a in range(0, X.shape[0], rows):
        yield X[a:a + rows], y[a:a + rows]


def streamed_routes(X, y, rows):
    """Name -> (model, route, callable returning (coef, intercept))."""

    def fit(make):
        def run():
            est = make().fit(X, y)
            return est.coef_, est.intercept_
        return run

    def partial(make, read_each=False):
        def run():
            est = make()
            for Xb, yb in batches(X, y, rows):
                est.partial_fit(Xb, yb)
                if read_each:
                    _ = est.coef_  # read after every batch: one solve per batch
            return est.coef_, est.intercept_
        return run

    def update(alpha):
        def run():
            stats = linreg.GramStatistics()
            for Xb, yb in batches(X, y, rows):
                stats.update(Xb, yb)
            return stats.solve(alpha)
        return run

    ols = linreg.LinearRegression
    ridge = (lambda: linreg.Ridge(alpha=RIDGE_ALPHA))
    out = {
        "LinearRegression.fit": ("OLS", "fit (in memory)", fit(ols)),
        "LinearRegression.partial_fit": ("OLS", "partial_fit per batch", partial(ols)),
        "GramStatistics OLS": ("OLS", "GramStatistics.update per batch + solve()", update(0.0)),
        "Ridge.fit": ("Ridge", "fit (in memory)", fit(ridge)),
        "Ridge.partial_fit": ("Ridge", "partial_fit per batch", partial(ridge)),
        "GramStatistics Ridge": ("Ridge", (f"GramStatistics.update per batch + "
                                           f"solve({RIDGE_ALPHA:g})"), update(RIDGE_ALPHA)),
    }
    # A user who predicts after every batch: coef_ read each time, so one solve per batch.
    out["LinearRegression.partial_fit coef_ each batch"] = (
        "OLS", "partial_fit per batch, coef_ read after each", partial(ols, True))
    out["Ridge.partial_fit coef_ each batch"] = (
        "Ridge", "partial_fit per batch, coef_ read after each", partial(ridge, True))
    return out


# Where the time of a streamed route goes. Functions of linreg are put in a part by module and
# name; the time of a function outside linreg (NumPy, builtins) goes to the parts of its callers,
# in proportion to the time spent in it from each caller.
PARTS = ("core statistics (C++)", "checks of each batch", "merge + copy of the statistics",
         "solve from the statistics", "rest")


def _part_of(func):
    filename, _, name = func
    base = os.path.basename(filename)
    if filename == "~" and ("gram_update" in name or "gram_statistics" in name):
        return PARTS[0]
    if filename == "~" and "solve_statistics" in name:
        return PARTS[3]
    if os.path.basename(os.path.dirname(filename)) != "linreg":
        return None  # not linreg: attributed to its callers
    if base == "_validation.py" or name in ("_block", "_prepare", "update", "_fast_update",
                                            "_checked_alpha"):
        return PARTS[1]
    if name in ("merge", "copy", "__getstate__", "__setstate__", "from_core", "__add__"):
        return PARTS[2]
    if name in ("solve", "_solve_per_target", "_solve_min_norm", "_solve_grid",
                "fit_estimator", "fit_statistics", "_check_ready", "__getattr__"):
        return PARTS[3]
    return PARTS[4]


def split_profile(prof):
    """Seconds per part of ``PARTS`` from a ``cProfile.Profile``."""
    st = pstats.Stats(prof).stats  # func -> (cc, nc, tt, ct, callers{caller: (cc, nc, tt, ct)})
    memo = {}

    def shares(func, depth=0):
        """Fractions per part for the own time of ``func``."""
        if func in memo:
            return memo[func]
        part = _part_of(func)
        if part is not None:
            out = {part: 1.0}
        else:
            callers = st.get(func, (0, 0, 0.0, 0.0, {}))[4]
            total = sum(v[2] for v in callers.values())
            out = {}
            if depth > 30 or not callers or total <= 0:
                out = {PARTS[4]: 1.0}
            else:
                for caller, v in callers.items():
                    for p, s in shares(caller, depth + 1).items():
                        out[p] = out.get(p, 0.0) + s * v[2] / total
        memo[func] = out
        return out

    seconds = dict.fromkeys(PARTS, 0.0)
    for func, (_, _, tt, _, _) in st.items():
        for p, s in shares(func).items():
            seconds[p] += tt * s
    return seconds


def section_overhead(report, sizes, repeats):
    n, d, rows = sizes["n"], sizes["d"], sizes["batch"]
    n_batches = -(-n // rows)
    title(f"1. Streaming overhead: {n:,} x {d} float64 (C order), batches of {rows:,} rows "
          f"({n_batches} batches)")
    t0 = time.perf_counter()
    X, y, _ = make_problem(n, d)
    print(f"problem built in {time.perf_counter() - t0:.1f} s; X {X.nbytes / 2**20:.0f} MiB")
    routes = streamed_routes(X, y, rows)
    seconds, runs, results, errors = interleave({k: v[2] for k, v in routes.items()}, repeats)
    table = []
    out_rows = []
    for key, (model, route, _) in sorted(routes.items(), key=lambda kv: kv[1][0] == "Ridge"):
        if key not in seconds:
            table.append([model, route, "-", "-", "-", "-", "-", errors.get(key, "failed")])
            continue
        base = "LinearRegression.fit" if model == "OLS" else "Ridge.fit"
        coef, inter = results[key]
        ref_coef, ref_inter = results.get(base, (None, None))
        ratio = seconds[key] / seconds[base] if base in seconds else None
        in_memory = key == base
        diff = None if ref_coef is None or in_memory else rel_diff(coef, ref_coef)
        idiff = (None if ref_inter is None or in_memory else
                 abs(float(inter) - float(ref_inter)) / abs(float(ref_inter)))
        diagnostic = "BLAS thread" in key  # not a route users take: no verdict
        verdict = "" if in_memory or diagnostic or ratio is None else (
            "PASS" if ratio <= TARGET_RATIO else "FAIL")
        table.append([model, route, f"{seconds[key]:.3f}", str(runs[key]),
                      "1" if in_memory else f"**{ratio:.2f}x** {verdict}",
                      "-" if diff is None else f"{diff:.1e}",
                      "-" if idiff is None else f"{idiff:.1e}", ""])
        out_rows.append(report.add("overhead", n=n, d=d, batch_rows=rows, model=model,
                                   route=route, seconds=seconds[key], runs=runs[key],
                                   ratio_to_fit=ratio, coef_rel_diff=diff,
                                   intercept_rel_diff=idiff))
    print()
    markdown_table(["model", "route", "seconds", "runs", f"/ fit (<= {TARGET_RATIO})",
                    "coef diff", "intercept diff", "error"], table, "llrrrrrl")

    # Where the streamed time goes: one more run of each streamed route under cProfile.
    print()
    print(f"Split of one run under cProfile (ms per batch; {n_batches} batches; the profiler "
          f"adds a little to the Python parts):")
    split_rows = []
    for key, (model, route, func) in sorted(routes.items(),
                                            key=lambda kv: kv[1][0] == "Ridge"):
        if route.startswith("fit") or key not in seconds:
            continue
        time.sleep(_bench.PAUSE_SECONDS)
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        func()
        prof.disable()
        wall = time.perf_counter() - t0
        parts = split_profile(prof)
        split_rows.append([f"{model}: {route}", f"{wall:.3f}"]
                          + [f"{1e3 * parts[p] / n_batches:.2f}" for p in PARTS])
        report.add("overhead-split", model=model, route=route, wall_seconds=wall,
                   n_batches=n_batches, **{p: parts[p] for p in PARTS})
    markdown_table(["route", "seconds (profiled)"] + list(PARTS), split_rows,
                   "lr" + "r" * len(PARTS))
    return out_rows


# ----------------------------------------------------------------------- 2. out of core


def _npy_header(n, d):
    return {"descr": np.lib.format.dtype_to_descr(np.dtype("<f8")), "fortran_order": False,
            "shape": (n, d) if d else (n,)}




def _block_data(i, rows, d, w_true):
    """Block ``i`` of the problem: its own seeded stream, so any thread can draw any block."""
    rng = np.random.default_rng(np.random.SeedSequence(SEED, spawn_key=(i,)))
    X = rng.standard_normal((rows, d))
    X += X_OFFSET
    y = X @ w_true
    y += INTERCEPT + NOISE * rng.standard_normal(rows)
    return X, y


def generate(dir_, n, d, block_rows):
    """Write ``X.npy`` (n x d) and ``y.npy`` (n,) block by block; returns paths and ``w_true``.

    Two threads draw blocks (NumPy's generators release the GIL), the main thread writes them in
    order; at most four blocks are in memory at once.
    """
    w_true = np.random.default_rng(SEED).uniform(-1.0, 1.0, d)
    path_X, path_y = os.path.join(dir_, "X.npy"), os.path.join(dir_, "y.npy")
    n_blocks = -(-n // block_rows)
    t0 = time.perf_counter()
    last = t0
    with open(path_X, "wb") as fx, open(path_y, "wb") as fy, \
            ThreadPoolExecutor(max_workers=2) as pool:
        np.lib.format.write_array_header_2_0(fx, _npy_header(n, d))
        np.lib.format.write_array_header_2_0(fy, _npy_header(n, 0))
        pending = deque()
        todo = iter(range(n_blocks))
        for i in itertools.islice(todo, 4):
            pending.append(pool.submit(_block_data, i, min(block_rows, n - i * block_rows), d,
                                       w_true))
        done = 0
        while pending:
            Xb, yb = pending.popleft().result()
            for i in itertools.islice(todo, 1):
                pending.append(pool.submit(_block_data, i, min(block_rows, n - i * block_rows),
                                           d, w_true))
            fx.write(memoryview(Xb).cast("B"))
            fy.write(memoryview(yb).cast("B"))
            done += 1
            now = time.perf_counter()
            if now - last >= 15 or done == n_blocks:
                last = now
                rows = min(done * block_rows, n)
                print(f"    wrote {rows:,} / {n:,} rows ({gb(rows * (d + 1) * 8):.1f} GB) in "
                      f"{now - t0:.0f} s; {gb(rows * (d + 1) * 8) / (now - t0):.2f} GB/s",
                      flush=True)
    X = np.load(path_X, mmap_mode="r")  # the header is readable and the size is right
    assert X.shape == (n, d) and np.load(path_y, mmap_mode="r").shape == (n,)
    del X
    return path_X, path_y, w_true, time.perf_counter() - t0


def evict(paths):
    """Drop the files' pages from the page cache (``posix_fadvise(DONTNEED)`` drops clean pages
    only, so the files are synced first); this touches no other file's pages."""
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def cached_fraction(paths):
    """Share of the files' pages resident in the page cache (mincore), or None."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mmap.restype = ctypes.c_void_p
        libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                              ctypes.c_int, ctypes.c_long]
        libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
        page = os.sysconf("SC_PAGE_SIZE")
        resident = total = 0
        for path in paths:
            size = os.path.getsize(path)
            fd = os.open(path, os.O_RDONLY)
            try:
                addr = libc.mmap(None, size, 1, 1, fd, 0)  # PROT_READ, MAP_SHARED
                if addr in (None, ctypes.c_void_p(-1).value):
                    return None
                try:
                    pages = -(-size // page)
                    vec = np.zeros(pages, dtype=np.uint8)
                    if libc.mincore(addr, size, vec.ctypes.data) != 0:
                        return None
                    resident += int(np.count_nonzero(vec & 1))
                    total += pages
                finally:
                    libc.munmap(addr, size)
            finally:
                os.close(fd)
        return resident / total if total else None
    except (OSError, AttributeError):
        return None


def child_fit(path_X, path_y, block_rows):
    """In this (child) process: ``from_npy`` + ``solve()``; prints one JSON line."""
    rss0 = status_bytes("VmRSS")
    t0 = time.perf_counter()
    stats = linreg.GramStatistics.from_npy(path_X, path_y, block_rows=block_rows)
    coef, intercept = stats.solve()
    seconds = time.perf_counter() - t0
    # Standard errors from the same statistics: RSS = yy - 2 w'xy + w'xx w, se = s sqrt(diag
    # of xx^-1) with s^2 = RSS / (n - d - 1).
    xy = stats.xy[:, 0]
    rss = float(stats.yy[0, 0] - 2 * coef @ xy + coef @ stats.xx @ coef)
    dof = stats.n_samples - stats.n_features - 1
    se = np.sqrt(rss / dof * np.diag(np.linalg.inv(stats.xx)))
    print(json.dumps({"seconds": seconds, "rows": stats.n_samples, "coef": coef.tolist(),
                      "intercept": float(intercept), "se": se.tolist(),
                      "sigma": float(np.sqrt(rss / dof)), "rss_start": rss0,
                      "hwm": status_bytes("VmHWM")}))


def child_read(path_X, path_y, block_rows):
    """In this (child) process: read both files in blocks of ``block_rows`` rows with
    ``readinto`` into reused buffers, no arithmetic; prints one JSON line."""
    rss0 = status_bytes("VmRSS")
    t0 = time.perf_counter()
    total = 0
    with open(path_X, "rb") as fx, open(path_y, "rb") as fy:
        heads = []
        for fh in (fx, fy):
            version = np.lib.format.read_magic(fh)
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                           else np.lib.format.read_array_header_2_0)
            heads.append(read_header(fh))
        (n, d), _, dtype = heads[0]
        bx = np.empty(block_rows * d * dtype.itemsize, dtype=np.uint8)
        by = np.empty(block_rows * dtype.itemsize, dtype=np.uint8)
        for a in range(0, n, block_rows):
            rows = min(block_rows, n - a)
            got = fx.readinto(memoryview(bx)[:rows * d * dtype.itemsize])
            got += fy.readinto(memoryview(by)[:rows * dtype.itemsize])
            if got != rows * (d + 1) * dtype.itemsize:
                raise ValueError(f"short read at row {a}")
            total += got
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "rows": n, "bytes": total, "rss_start": rss0,
                      "hwm": status_bytes("VmHWM")}))


def run_child(kind, path_X, path_y, block_rows, timeout=3600):
    cmd = [sys.executable, os.path.abspath(__file__), "--child", kind, path_X, path_y,
           str(block_rows)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"child {kind} failed ({res.returncode}): {res.stderr[-2000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def _on_tmpfs(path):
    """True when ``path`` lives on a RAM-backed filesystem (a file there would use memory)."""
    try:
        best, fstype = "", None
        real = os.path.realpath(path)
        with open("/proc/mounts") as f:
            for line in f:
                parts = line.split()
                mnt = parts[1]
                if (real == mnt or real.startswith(mnt.rstrip("/") + "/")) and len(mnt) > len(best):
                    best, fstype = mnt, parts[2]
        return fstype in ("tmpfs", "ramfs")
    except OSError:
        return False


def section_out_of_core(report, sizes, args):
    n = args.rows or sizes["ooc_rows"]
    d = sizes["ooc_d"]
    block_rows = args.block_rows or sizes["block_rows"]
    base_dir = args.dir or tempfile.gettempdir()
    ram = meminfo_bytes("MemTotal")
    need = n * (d + 1) * 8 + 2 * 4096
    free = shutil.disk_usage(base_dir).free
    title(f"2. Larger than memory: {n:,} x {d} float64 .npy ({gb(n * d * 8):.1f} GB) + y, "
          f"blocks of {block_rows:,} rows")
    print(f"RAM {gb(ram or 0):.1f} GB; {base_dir}: {gb(free):.1f} GB free, the files take "
          f"{gb(need):.1f} GB")
    if _on_tmpfs(base_dir):
        raise SystemExit(f"--dir {base_dir} is a RAM-backed filesystem: choose a disk")
    if free - need < DISK_MARGIN:
        raise SystemExit(f"not enough disk: {gb(free):.1f} GB free in {base_dir}, the files take "
                         f"{gb(need):.1f} GB and {gb(DISK_MARGIN):.0f} GB must stay free; pass "
                         f"--rows or --dir")
    if ram and need <= ram:
        print(f"note: the files ({gb(need):.1f} GB) fit in RAM ({gb(ram):.1f} GB): the runs "
              f"may read from the page cache")
    tmp = tempfile.mkdtemp(prefix="linreg-streaming-", dir=base_dir)
    results = {}
    try:
        print(f"writing to {tmp}")
        path_X, path_y, w_true, gen_seconds = generate(tmp, n, d, block_rows)
        file_bytes = os.path.getsize(path_X) + os.path.getsize(path_y)
        print(f"    generated in {gen_seconds:.0f} s")
        runs = []
        states = ("evicted", "as left") if args.cold else ("as left",)
        for rnd in (1, 2):
            for state in states:
                for kind in ("read", "fit"):
                    if state == "evicted":
                        evict([path_X, path_y])
                    cached = cached_fraction([path_X, path_y])
                    time.sleep(_bench.PAUSE_SECONDS)
                    t0 = time.perf_counter()
                    out = run_child(kind, path_X, path_y, block_rows)
                    out["wall_with_start"] = time.perf_counter() - t0
                    out.update(kind=kind, round=rnd, cache=state, cached=cached)
                    runs.append(out)
                    print(f"    {kind} #{rnd}, page cache {state}: {out['seconds']:.1f} s, "
                          f"{gb(file_bytes) / out['seconds']:.2f} GB/s, peak resident "
                          f"{out['hwm'] / 2**20:.0f} MiB, cached before "
                          f"{'-' if cached is None else f'{100 * cached:.0f}%'}", flush=True)
        # The prefix: the first 1/40 of the rows, read from the same files in the same blocks,
        # against one in-memory fit of those rows.
        m = (n // PREFIX_FRACTION) // block_rows * block_rows
        chunks = itertools.islice(zip(linreg.streaming.iter_npy_blocks(path_X, block_rows),
                                      linreg.streaming.iter_npy_blocks(path_y, block_rows)),
                                  m // block_rows)
        stats = linreg.GramStatistics.from_chunks(chunks)
        pre_coef, pre_inter = stats.solve()
        Xp = np.array(np.load(path_X, mmap_mode="r")[:m])
        yp = np.array(np.load(path_y, mmap_mode="r")[:m])
        ref = linreg.LinearRegression().fit(Xp, yp)
        del Xp, yp
        results = {"runs": runs, "prefix_rows": m,
                   "prefix_coef_diff": rel_diff(pre_coef, ref.coef_),
                   "prefix_intercept_diff": abs(pre_inter - ref.intercept_) / abs(ref.intercept_),
                   "w_true": w_true, "gen_seconds": gen_seconds, "file_bytes": file_bytes}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"deleted {tmp} ({'gone' if not os.path.exists(tmp) else 'STILL THERE'})")

    runs = results["runs"]
    table = []
    for r in runs:
        rate = r["rows"] / r["seconds"]
        table.append([("plain read (readinto, no compute)" if r["kind"] == "read"
                       else "GramStatistics.from_npy + solve()"),
                      str(r["round"]), r["cache"], f"{r['seconds']:.1f}", f"{rate / 1e6:.2f} M",
                      f"{gb(file_bytes) / r['seconds']:.2f}",
                      f"{r['hwm'] / 2**20:.0f}" + ("" if r["kind"] == "read" else
                                                   (" PASS" if r["hwm"] < PEAK_TARGET
                                                    else " FAIL")),
                      "-" if r["cached"] is None else f"{100 * r['cached']:.0f}%"])
        report.add("out-of-core", n=n, d=d, block_rows=block_rows, file_bytes=file_bytes,
                   **{k: v for k, v in r.items() if k not in ("coef", "se")})
    print()
    print(f"X {n:,} x {d} + y: {gb(file_bytes):.1f} GB; RAM {gb(ram or 0):.1f} GB; generated in "
          f"{results['gen_seconds']:.0f} s")
    markdown_table(["run", "round", "page cache", "seconds", "rows/s", "GB/s",
                    "peak resident MiB (< 2 GB)", "in page cache before"], table, "lrlrrrrr")
    fits = [r for r in runs if r["kind"] == "fit"]
    reads = [r for r in runs if r["kind"] == "read"]
    ratio = [f["seconds"] / r["seconds"] for f, r in zip(fits, reads)]
    print("fit / plain read: " + ", ".join(f"{x:.2f}x (round {f['round']}, page cache "
                                            f"{f['cache']})" for x, f in zip(ratio, fits)))
    w_true = results["w_true"]
    last = fits[-1]
    coef, se = np.array(last["coef"]), np.array(last["se"])
    z = (coef - w_true) / se
    same = max(rel_diff(f["coef"], last["coef"]) for f in fits)
    print(f"against w_true: max |coef - w_true| = {np.max(np.abs(coef - w_true)):.2e} (se "
          f"{se.min():.2e}-{se.max():.2e}), z-scores: max |z| = {np.max(np.abs(z)):.2f}, "
          f"mean {z.mean():+.2f}, sd {z.std():.2f} over {len(z)} coefficients; intercept "
          f"{last['intercept']:.6f} (true {INTERCEPT}); noise sd estimate {last['sigma']:.6f} "
          f"(true {NOISE})")
    print(f"the two fits agree to {same:.1e}")
    print(f"prefix (first {results['prefix_rows']:,} rows, the same files and blocks) against "
          f"LinearRegression().fit in memory: coef diff {results['prefix_coef_diff']:.1e}, "
          f"intercept diff {results['prefix_intercept_diff']:.1e}")
    report.add("out-of-core-check", n=n, d=d, max_abs_err=float(np.max(np.abs(coef - w_true))),
               max_abs_z=float(np.max(np.abs(z))), z_mean=float(z.mean()), z_sd=float(z.std()),
               intercept=last["intercept"], sigma=last["sigma"], fits_agree=same,
               prefix_rows=results["prefix_rows"],
               prefix_coef_diff=results["prefix_coef_diff"],
               prefix_intercept_diff=results["prefix_intercept_diff"],
               fit_over_read=ratio, gen_seconds=results["gen_seconds"])


# ------------------------------------------------------------------------------------------ main


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="1e5 x 100 in batches of 1e3; a 4e5 x 100 file (a smoke test)")
    parser.add_argument("--repeats", type=int, default=None,
                        help=f"timed runs after the warm-up (default {REPEATS['full']}, "
                             f"--quick {REPEATS['quick']})")
    parser.add_argument("--sections", default="1,2", help="comma-separated sections to run")
    parser.add_argument("--out", default=None, help="append JSON lines of results to this file")
    parser.add_argument("--dir", default=None,
                        help="where section 2 writes its temporary files (a disk, not tmpfs; "
                             "default: the system temporary directory)")
    parser.add_argument("--rows", type=int, default=None,
                        help="rows of section 2's file (default 4e7, --quick 4e5)")
    parser.add_argument("--block-rows", type=int, default=None,
                        help="rows per block read in section 2 (default 50000, --quick 10000)")
    parser.add_argument("--cold", action=argparse.BooleanOptionalAction, default=True,
                        help="section 2: also run with the files evicted from the page cache "
                             "first (posix_fadvise DONTNEED; default: on)")
    parser.add_argument("--child", nargs=4, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, path_X, path_y, block_rows = args.child
        (child_fit if kind == "fit" else child_read)(path_X, path_y, int(block_rows))
        return 0
    sections = {int(s) for s in args.sections.split(",") if s.strip()}
    if not sections <= {1, 2}:
        parser.error(f"--sections: expected a subset of 1,2, got {args.sections}")
    mode = "quick" if args.quick else "full"
    sizes = SIZES[mode]
    repeats = REPEATS[mode] if args.repeats is None else args.repeats
    # An interrupt or a kill still runs the clean-up of section 2 (try/finally).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    t_start = time.perf_counter()
    env = _bench.environment()
    print("linreg streaming benchmark  (median of runs after one warm-up; contenders "
          "interleaved)")
    linreg.show_config()
    for key in ("cpu", "cores", "numpy", "blas_pools"):
        if key in env:
            print(f"  {key}: {env[key]}")
    print(f"  repeats: {repeats}")
    report = Report(env)
    if 1 in sections:
        section_overhead(report, sizes, repeats)
    if 2 in sections:
        section_out_of_core(report, sizes, args)
    print()
    print(f"total wall time {time.perf_counter() - t_start:.0f} s")
    if args.out:
        report.write(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
