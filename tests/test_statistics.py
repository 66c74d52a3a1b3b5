"""The sufficient statistics: parity with NumPy and exact merging."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_regression, rel_err

import linreg

import reference as ref


def _assert_stats_close(s, r, tol):
    assert s.weight_sum == pytest.approx(r["weight_sum"], rel=1e-12)
    for key in ("x_mean", "y_mean", "xx", "xy", "yy"):
        got = np.asarray(getattr(s, key))
        assert rel_err(got, np.asarray(r[key]).reshape(got.shape)) < tol, key


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_statistics_match_numpy(dtype, order, fit_intercept, weighted):
    X, y, _ = make_regression(n=5000, d=9, k=2, dtype=dtype, order=order, mean=50.0)
    w = np.random.default_rng(0).uniform(0, 2, 5000) if weighted else None
    s = linreg.gram_statistics(X, y, sample_weight=w, fit_intercept=fit_intercept)
    r = ref.statistics(X.astype(np.float64), y.astype(np.float64), w, fit_intercept)
    assert s.n_samples == 5000
    _assert_stats_close(s, r, 1e-11 if dtype == np.float64 else 2e-5)


def test_large_mean_does_not_cancel():
    """Never X'X - n m m': a column of mean 1e8 and spread 1 keeps its variance exactly."""
    rng = np.random.default_rng(1)
    z = rng.standard_normal((40000, 2))
    X = z + 1e8
    s = linreg.gram_statistics(X, z[:, 0])
    r = ref.statistics(z, z[:, 0])
    assert rel_err(s.xx, r["xx"]) < 1e-7  # the data themselves round at 1e8 * 2^-52 ~ 1.5e-8


def test_merge_of_halves_equals_whole():
    X, y, _ = make_regression(n=3001, d=6, k=2, mean=7.0)
    w = np.random.default_rng(4).uniform(0, 3, 3001)
    whole = linreg.gram_statistics(X, y, sample_weight=w)
    a = linreg.gram_statistics(X[:1234], y[:1234], sample_weight=w[:1234])
    b = linreg.gram_statistics(X[1234:], y[1234:], sample_weight=w[1234:])
    a.merge(b)
    assert a.n_samples == whole.n_samples
    for key in ("x_mean", "y_mean", "xx", "xy", "yy"):
        assert rel_err(getattr(a, key), getattr(whole, key)) < 1e-12, key


def test_merge_rejects_mismatched_statistics():
    X, y, _ = make_regression(n=50, d=3)
    a = linreg.gram_statistics(X, y)
    with pytest.raises(ValueError, match="features"):
        a.merge(linreg.gram_statistics(X[:, :2], y))
    with pytest.raises(ValueError, match="centred"):
        a.merge(linreg.gram_statistics(X, y, fit_intercept=False))


def test_zero_weight_block_is_a_no_op():
    X, y, _ = make_regression(n=4000, d=3)
    w = np.ones(4000)
    w[:2500] = 0.0  # whole blocks of zero weight
    s = linreg.gram_statistics(X, y, sample_weight=w)
    r = linreg.gram_statistics(X[2500:], y[2500:])
    for key in ("x_mean", "xx", "xy"):
        assert rel_err(getattr(s, key), getattr(r, key)) < 1e-12
    assert s.n_samples == 4000


def test_non_finite_is_refused_with_its_place():
    X, y, _ = make_regression(n=300000, d=4)  # large enough that Python defers the scan
    X[123456, 3] = np.nan
    with pytest.raises(ValueError, match=r"X contains 1 NaN.*\(123456, 3\)"):
        linreg.gram_statistics(X, y)
