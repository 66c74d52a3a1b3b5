"""Build description, threads, the CPU check and the command line."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest

import linreg
from linreg._cpu import check_cpu


def test_show_config_says_what_matters():
    out = io.StringIO()
    linreg.show_config(file=out)
    text = out.getvalue()
    for word in ("linreg", "numpy", "eigen", "simd", "threads", "blas", "build"):
        assert word in text
    info = linreg._core.build_info()
    assert ("native" in text) == bool(info["native"])


def test_build_records_the_cpu_features_it_needs():
    from linreg import _build_config

    assert _build_config.NATIVE == linreg._core.build_info()["native"]
    if "AVX2" in linreg._core.build_info()["simd"] and _build_config.NATIVE:
        assert "avx2" in _build_config.REQUIRED_CPU_FLAGS


def test_cpu_check_refuses_missing_features():
    check_cpu(required=("avx2", "fma"), present={"avx2", "fma", "sse2"})
    with pytest.raises(ImportError, match="avx512f.*LINREG_NATIVE=OFF"):
        check_cpu(required=("avx2", "avx512f"), present={"avx2"})


def test_num_threads_setting_is_used_and_validated():
    X = np.random.default_rng(0).standard_normal((50000, 20))
    y = X.sum(axis=1)
    before = linreg.get_num_threads()
    try:
        linreg.set_num_threads(1)
        assert linreg.get_num_threads() == 1
        a = linreg.LinearRegression(solver="cholesky").fit(X, y).coef_
        linreg.set_num_threads(2)
        b = linreg.LinearRegression(solver="cholesky").fit(X, y).coef_
        np.testing.assert_allclose(a, b, rtol=1e-12)
        with pytest.raises(ValueError, match="n_threads must be a positive integer"):
            linreg.set_num_threads(0)
    finally:
        linreg.set_num_threads(None)
    assert linreg.get_num_threads() == before


def test_fits_from_several_python_threads_agree():
    """The GIL is released during the solve; concurrent fits must not interfere."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(1)
    problems = [(rng.standard_normal((40000, 30)), rng.standard_normal(40000)) for _ in range(4)]
    serial = [linreg.Ridge(alpha=1.0).fit(X, y).coef_ for X, y in problems]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda p: linreg.Ridge(alpha=1.0).fit(*p).coef_, problems))
    for a, b in zip(serial, threaded):
        np.testing.assert_array_equal(a, b)


def test_demo_runs_and_reports():
    out = subprocess.run([sys.executable, "-m", "linreg", "demo"], capture_output=True, text=True,
                         check=True).stdout
    assert "Ordinary least squares" in out and "Ridge" in out
    # the numbers printed are the fit's own
    x = np.linspace(0, 1, 10)
    np.random.seed(42)
    y = 0.5 * x + 0.1 + np.random.normal(0, 0.05, 10)
    w = linreg.LinearRegression().fit(x[:, None], y).coef_[0]
    assert f"w = {w:.6f}" in out
    # gradient descent reaches the closed form, and a step above 2/L is caught with the bound
    L = 2 * np.var(x)  # the Hessian of mean((y - w x - b)^2) in w, b eliminated: 2 var(x)
    assert f"2/L = {2 / L:.4f} diverge" in out
    assert f"closed form  w = {w:.10f}" in out
    gd_line = [line for line in out.splitlines() if line.startswith("  w = ")][-1]
    assert abs(float(gd_line.split()[2]) - w) < 1e-9
    assert "DivergenceError" in out and f"2/L = {2 / L:.6g} diverge" in out
