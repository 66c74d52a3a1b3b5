"""Process-wide settings: the number of threads the core uses, and the build description."""

from __future__ import annotations

import os
import platform
import sys

from . import _core

_state = {"n_threads": None}


def set_num_threads(n_threads: int | None) -> None:
    """Set the number of threads linreg's core uses (``None``: OpenMP's default).

    OpenMP's default is the number of cores, or ``OMP_NUM_THREADS`` when set. The setting is
    process-wide and does not affect NumPy's or SciPy's BLAS.
    """
    if n_threads is not None:
        if isinstance(n_threads, bool) or not isinstance(n_threads, int) or n_threads < 1:
            raise ValueError(f"n_threads must be a positive integer or None, got {n_threads!r}")
    _state["n_threads"] = n_threads


def get_num_threads() -> int:
    """The number of threads the core will use for the next fit."""
    n = _state["n_threads"]
    return int(n) if n is not None else int(_core.max_threads())


def show_config(file=None) -> None:
    """Print how linreg was built and how it will run: versions, SIMD, threads, BLAS."""
    import numpy as np

    info = _core.build_info()
    simd = ", ".join(info["simd"]) or "none"
    build = "native (-march=native, runs on CPUs like the build machine)" if info["native"] else (
        "baseline (portable)"
    )
    lines = [
        f"linreg {info['version']}",
        f"  python      {sys.version.split()[0]} ({platform.machine()}, {platform.system()})",
        f"  numpy       {np.__version__}",
        f"  compiler    {info['compiler']}",
        f"  eigen       {info['eigen']}   pybind11 {info['pybind11']}",
        f"  build       {build}",
        f"  simd        {simd}   (Eigen vectorises with: {info['eigen_simd']})",
        f"  openmp      {'yes' if info['openmp'] else 'no'}",
        f"  threads     {get_num_threads()} in use (OpenMP default {info['max_threads']}, "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')})",
        f"  blas        {info['blas'] if info['blas_linked'] else 'none: Eigen products only'}",
    ]
    print("\n".join(lines), file=file)
