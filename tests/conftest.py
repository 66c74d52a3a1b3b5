"""Seeded data and the per-dtype tolerances shared by the tests."""

from __future__ import annotations

import numpy as np
import pytest

DTYPES = [np.float64, np.float32]
ORDERS = ["C", "F"]


def tolerance(dtype) -> float:
    """Relative tolerance for comparing a fit in `dtype` with a float64 reference."""
    return 2e-4 if np.dtype(dtype) == np.float32 else 1e-9


def make_regression(n=200, d=5, k=None, dtype=np.float64, order="C", seed=0, mean=0.0,
                    noise=0.1):
    """X (n, d), y (n,) or (n, k), true coefficients; columns with a non-zero mean if asked."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * rng.uniform(0.5, 2.0, d) + mean
    shape = (d,) if k is None else (d, k)
    coef = rng.uniform(-2, 2, shape)
    y = X @ coef + 1.5 + noise * rng.standard_normal((n,) if k is None else (n, k))
    X = np.asarray(X, dtype=dtype, order=order)
    return X, np.asarray(y, dtype=dtype), coef


def rel_err(a, b) -> float:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


@pytest.fixture(params=DTYPES, ids=["f64", "f32"])
def dtype(request):
    return request.param


@pytest.fixture(params=ORDERS)
def order(request):
    return request.param
