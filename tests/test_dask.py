"""Fits on Dask collections, on a real two-process cluster: the same numbers as in memory."""

from __future__ import annotations

import doctest
import importlib
import logging
import sys

import dask
import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from conftest import make_regression, rel_err, tolerance
from distributed import Client, LocalCluster

import linreg
import linreg.dask

import reference as ref

STAT_KEYS = ("x_mean", "y_mean", "xx", "xy", "yy")
# Uneven blocks of rows, one of them a single row and one empty; two blocks of columns (the
# statistics need whole rows, so X is rechunked along the columns).
ROW_CHUNKS = (1500, 1, 2200, 0, 1299, 1000)
N = sum(ROW_CHUNKS)
COL_CHUNKS = (4, 2)
D = sum(COL_CHUNKS)


@pytest.fixture(scope="module", autouse=True)
def client():
    """Two worker processes of one thread each; closed after the module's last test."""
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.ERROR)  # the scheduler's and nannies' INFO lines in this process
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR)
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()
    logger.setLevel(level)


def _data(dtype=np.float64, k=None, weighted=False, seed=0):
    X, y, _ = make_regression(n=N, d=D, k=k, dtype=dtype, seed=seed, mean=5.0)
    w = np.random.default_rng(seed + 1).uniform(0, 2, N) if weighted else None
    return X, y, w


def _dask(X, y, w=None, y_chunks=None):
    """X in ROW_CHUNKS x COL_CHUNKS; y (and w) in other blocks unless ``y_chunks`` is given."""
    Xd = da.from_array(X, chunks=(ROW_CHUNKS, COL_CHUNKS))
    y_chunks = y_chunks or 1000
    yd = da.from_array(y, chunks=(y_chunks,) + y.shape[1:])
    wd = None if w is None else da.from_array(w, chunks=y_chunks)
    return Xd, yd, wd


def _assert_stats_close(got, want, tol):
    assert got.n_samples == want.n_samples
    assert got.fit_intercept == want.fit_intercept
    assert got.weight_sum == pytest.approx(want.weight_sum, rel=1e-12)
    for key in STAT_KEYS:
        assert rel_err(getattr(got, key), getattr(want, key)) < tol, key


# ------------------------------------------------------------------------------ statistics
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_statistics_equal_whole_array(dtype, fit_intercept, weighted):
    X, y, w = _data(dtype, k=2, weighted=weighted)
    stats = linreg.dask.statistics(*_dask(X, y, w), fit_intercept=fit_intercept)
    assert isinstance(stats, linreg.GramStatistics)
    whole = linreg.gram_statistics(X, y, sample_weight=w, fit_intercept=fit_intercept)
    _assert_stats_close(stats, whole, 1e-12 if dtype == np.float64 else 1e-5)
    r = ref.statistics(X.astype(np.float64), y.astype(np.float64), w, fit_intercept)
    for key in STAT_KEYS:
        got = getattr(stats, key)
        assert rel_err(got, np.asarray(r[key]).reshape(got.shape)) < (
            1e-11 if dtype == np.float64 else 2e-5), key


@pytest.mark.parametrize("split_every", [2, 3, 100])
def test_tree_shape_does_not_change_the_statistics(split_every):
    X, y, w = _data(weighted=True)
    stats = linreg.dask.statistics(*_dask(X, y, w), split_every=split_every)
    _assert_stats_close(stats, linreg.gram_statistics(X, y, sample_weight=w), 1e-12)


def test_one_block():
    X, y, _ = _data()
    stats = linreg.dask.statistics(da.from_array(X, chunks=X.shape), y)
    _assert_stats_close(stats, linreg.gram_statistics(X, y), 1e-12)


def test_block_of_zero_weights_counts_rows_only():
    X, y, _ = _data()
    w = np.ones(N)
    w[1501:3701] = 0.0  # the whole third block of rows
    stats = linreg.dask.statistics(*_dask(X, y, w, y_chunks=ROW_CHUNKS))
    _assert_stats_close(stats, linreg.gram_statistics(X, y, sample_weight=w), 1e-12)
    kept = np.r_[0:1501, 3701:N]
    part = linreg.gram_statistics(X[kept], y[kept])
    for key in STAT_KEYS:
        assert rel_err(getattr(stats, key), getattr(part, key)) < 1e-12, key


def test_numpy_y_and_weights_with_dask_X():
    X, y, w = _data(weighted=True)
    stats = linreg.dask.statistics(_dask(X, y)[0], y, w)
    _assert_stats_close(stats, linreg.gram_statistics(X, y, sample_weight=w), 1e-12)


def test_unknown_chunk_sizes_are_measured():
    X, y, _ = _data()
    Xd = da.from_array(X, chunks=(1000, D))
    keep = da.from_array(np.ones(N, dtype=bool), chunks=1000)
    Xu, yu = Xd[keep], da.from_array(y, chunks=1000)[keep]  # chunk sizes unknown (nan)
    assert np.isnan(Xu.shape[0])
    stats = linreg.dask.statistics(Xu, yu)
    _assert_stats_close(stats, linreg.gram_statistics(X, y), 1e-12)


# -------------------------------------------------------------------------------------- fits
def _in_memory(est, X, y, w):
    """``est`` fitted in memory, and fitted from statistics built in memory."""
    params = est.get_params()
    base = {"LinearRegression": linreg.LinearRegression, "Ridge": linreg.Ridge,
            "Lasso": linreg.Lasso, "ElasticNet": linreg.ElasticNet}[type(est).__name__]
    fitted = base(**params).fit(X, y, sample_weight=w)
    stats = linreg.gram_statistics(X, y, sample_weight=w, fit_intercept=params["fit_intercept"])
    return fitted, base(**params).fit_statistics(stats)


def _check_fit(est, X, y, w, tol_fit, tol_stats):
    """est (fitted on Dask input) against the in-memory fit and the in-memory statistics."""
    fitted, from_stats = _in_memory(est, X, y, w)
    assert est.statistics_.n_samples == X.shape[0]
    assert np.shape(est.coef_) == np.shape(fitted.coef_)
    assert np.shape(est.intercept_) == np.shape(fitted.intercept_)
    assert rel_err(est.coef_, fitted.coef_) < tol_fit
    assert rel_err(est.intercept_, fitted.intercept_) < tol_fit
    assert rel_err(est.coef_, from_stats.coef_) < tol_stats
    assert rel_err(est.intercept_, from_stats.intercept_) < tol_stats
    assert est.n_features_in_ == fitted.n_features_in_ == X.shape[1]
    return fitted


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_linear_regression(dtype, fit_intercept, weighted):
    X, y, w = _data(dtype, weighted=weighted)
    est = linreg.dask.LinearRegression(fit_intercept=fit_intercept).fit(*_dask(X, y, w))
    assert est.solver_ == "statistics"
    _check_fit(est, X, y, w, tolerance(dtype), 1e-11 if dtype == np.float64 else 1e-5)
    coef, _ = ref.normal_equations(X.astype(np.float64), y.astype(np.float64),
                                   sample_weight=w, fit_intercept=fit_intercept)
    assert rel_err(est.coef_, coef) < tolerance(dtype)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_ridge_per_target_alpha(dtype, fit_intercept, weighted):
    X, y, w = _data(dtype, k=3, weighted=weighted)
    alpha = np.array([0.1, 10.0, 1000.0])
    est = linreg.dask.Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(*_dask(X, y, w))
    assert est.coef_.shape == (3, D)
    _check_fit(est, X, y, w, tolerance(dtype), 1e-11 if dtype == np.float64 else 1e-5)
    for t in range(3):
        coef, _ = ref.normal_equations(X.astype(np.float64), y[:, t].astype(np.float64),
                                       alpha[t], w, fit_intercept)
        assert rel_err(est.coef_[t], coef) < tolerance(dtype)


@pytest.mark.parametrize("model", ["lasso", "enet"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_lasso_and_elastic_net(dtype, model, fit_intercept, weighted):
    X, y, w = _data(dtype, weighted=weighted)
    # tol far below the default so that both solvers reach the one minimiser to ~1e-8
    est = (linreg.dask.Lasso(alpha=0.3, fit_intercept=fit_intercept, tol=1e-13,
                             max_iter=100_000) if model == "lasso" else
           linreg.dask.ElasticNet(alpha=0.3, l1_ratio=0.4, fit_intercept=fit_intercept,
                                  tol=1e-13, max_iter=100_000))
    est.fit(*_dask(X, y, w))
    assert est.solver_ == "cd-covariance" and est.converged_
    fitted = _check_fit(est, X, y, w, 1e-7 if dtype == np.float64 else 2e-4,
                        1e-9 if dtype == np.float64 else 1e-5)
    assert np.array_equal(est.coef_ != 0, fitted.coef_ != 0)
    assert est.dual_gap_ <= 1e-13 * est.statistics_.yy[0, 0] / est.statistics_.weight_sum
    # the KKT conditions, written in NumPy, on the data themselves
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    l1_ratio = 1.0 if model == "lasso" else 0.4
    assert ref.enet_kkt_violation(X64, y64, est.coef_, 0.3, l1_ratio, sample_weight=w,
                                  fit_intercept=fit_intercept) < (
        1e-7 if dtype == np.float64 else 1e-4)


def test_lasso_several_targets():
    X, y, _ = _data(k=2)
    est = linreg.dask.Lasso(alpha=0.2, tol=1e-12).fit(*_dask(X, y))
    assert est.coef_.shape == (2, D) and est.n_iter_.shape == (2,)
    _check_fit(est, X, y, None, 1e-7, 1e-9)


def test_column_vector_y_keeps_its_target_axis():
    X, y, _ = _data()
    Y = y[:, None]
    for est in (linreg.dask.LinearRegression(), linreg.dask.Lasso(alpha=0.1, tol=1e-12)):
        est.fit(*_dask(X, Y))
        assert est.coef_.shape == (1, D) and est.intercept_.shape == (1,)
        _check_fit(est, X, Y, None, 1e-7, 1e-9)


@pytest.mark.parametrize("weighted", [False, True])
def test_dataframe_input(weighted):
    X, y, w = _data(weighted=weighted)
    names = [f"x{j}" for j in range(D)]
    frame = pd.DataFrame(X, columns=names).assign(target=y, weight=w if weighted else 1.0)
    ddf = dd.from_pandas(frame, npartitions=5)
    sw = ddf["weight"] if weighted else None
    for est in (linreg.dask.LinearRegression(), linreg.dask.Ridge(alpha=3.0),
                linreg.dask.ElasticNet(alpha=0.2, tol=1e-12)):
        est.fit(ddf[names], ddf["target"], sw)
        _check_fit(est, X, y, w, 1e-7, 1e-9)
        assert list(est.feature_names_in_) == names
        pred = est.predict(ddf[names])
        assert isinstance(pred, da.Array)
        assert rel_err(pred.compute(), est.predict(frame[names])) < 1e-13


def test_dataframe_X_with_dask_array_y():
    X, y, _ = _data()
    ddf = dd.from_pandas(pd.DataFrame(X, columns=[f"x{j}" for j in range(D)]), npartitions=3)
    yd = da.from_array(y, chunks=700)  # other blocks than the frame's partitions
    est = linreg.dask.LinearRegression().fit(ddf, yd)
    _check_fit(est, X, y, None, 1e-9, 1e-11)


def test_float32_stays_float32_in_the_blocks():
    X, y, _ = _data(np.float32)
    est = linreg.dask.LinearRegression().fit(*_dask(X, y))
    _check_fit(est, X, y, None, tolerance(np.float32), 1e-5)
    assert est.statistics_.xx.dtype == np.float64
    pred = est.predict(_dask(X, y)[0])
    assert pred.dtype == np.float32
    assert rel_err(pred.compute(), est.predict(X)) < 1e-6


def test_numpy_input_is_fitted_in_memory():
    X, y, w = _data(weighted=True)
    for cls, base in ((linreg.dask.LinearRegression, linreg.LinearRegression),
                      (linreg.dask.Lasso, linreg.Lasso)):
        ours, theirs = cls().fit(X, y, w), base().fit(X, y, w)
        assert np.array_equal(ours.coef_, theirs.coef_)
        assert ours.solver_ == theirs.solver_ != "statistics"
        assert not hasattr(ours, "statistics_")


def test_predict_multi_target_lazily():
    X, y, _ = _data(k=2)
    Xd, yd, _ = _dask(X, y)
    est = linreg.dask.Ridge(alpha=1.0).fit(Xd, yd)
    pred = est.predict(Xd)
    assert isinstance(pred, da.Array) and pred.shape == (N, 2)
    assert rel_err(pred.compute(), est.predict(X)) < 1e-13


def test_estimators_are_scikit_learn_estimators():
    sklearn_base = pytest.importorskip("sklearn.base")
    est = linreg.dask.ElasticNet(alpha=0.5, l1_ratio=0.3)
    assert est.get_params() == linreg.ElasticNet(alpha=0.5, l1_ratio=0.3).get_params()
    twin = sklearn_base.clone(est)
    assert type(twin) is linreg.dask.ElasticNet and twin.get_params() == est.get_params()
    assert isinstance(est, linreg.ElasticNet)


# ------------------------------------------------------------------------------------ errors
def _fitted_before():
    X, y, _ = _data(seed=5)
    est = linreg.dask.Ridge(alpha=1.0).fit(*_dask(X, y))
    return est, est.coef_.copy(), est.intercept_, est.statistics_


def _assert_unchanged(est, coef, intercept, stats):
    assert np.array_equal(est.coef_, coef)
    assert est.intercept_ == intercept
    assert est.statistics_ is stats


def test_nan_in_one_chunk_is_named_and_changes_nothing():
    X, y, _ = _data()
    X[3701 + 5, 2] = np.nan  # the fifth block of rows (the fourth is empty)
    est, coef, intercept, stats = _fitted_before()
    with pytest.raises(ValueError, match=r"^chunk 4 \(rows 3701-4999\): X contains 1 NaN "
                                         r"value\(s\), the first at index \(3706, 2\)"):
        est.fit(*_dask(X, y))
    _assert_unchanged(est, coef, intercept, stats)


def test_nan_found_by_the_core_is_named():
    # blocks above 2**20 values are not scanned in Python: the core finds the NaN
    rows, d = 300_000, 4
    X = da.random.default_rng(3).standard_normal((2 * rows, d), chunks=(rows, d))
    i = da.arange(2 * rows, chunks=rows)[:, None]
    X = da.where((i == rows + 12345) & (da.arange(d) == 1), np.inf, X)
    with pytest.raises(ValueError, match=rf"^chunk 1 \(rows {rows}-{2 * rows - 1}\): X "
                                         rf"contains 1 infinity \(inf\) value\(s\), the first "
                                         rf"at index \({rows + 12345}, 1\)"):
        linreg.dask.statistics(X, X[:, 0])


def test_nan_in_y_and_negative_weight_are_named():
    X, y, w = _data(weighted=True)
    y[1600] = np.nan
    with pytest.raises(ValueError, match=r"^chunk 2 \(rows 1501-3700\): y contains 1 NaN "
                                         r"value\(s\), the first at index \(1600,\)"):
        linreg.dask.statistics(*_dask(X, y, w))
    y[1600] = 0.0
    w[N - 3] = -1.0
    with pytest.raises(ValueError, match=rf"^chunk 5 \(rows {N - 1000}-{N - 1}\): "
                                         rf"sample_weight must be >= 0, got -1.0 at index "
                                         rf"{N - 3} "):
        linreg.dask.statistics(*_dask(X, y, w))


def test_chunk_of_wrong_width_is_named_and_changes_nothing():
    X, y, _ = _data()
    good = da.from_array(X[:3000], chunks=(1000, D))
    # a block that claims D columns and holds D - 1
    liar = da.from_delayed(dask.delayed(np.ascontiguousarray)(X[3000:4000, :-1]),
                           shape=(1000, D), dtype=X.dtype)
    Xd = da.concatenate([good, liar, da.from_array(X[4000:], chunks=(1000, D))])
    est, coef, intercept, stats = _fitted_before()
    with pytest.raises(ValueError, match=rf"^chunk 3 \(rows 3000-3999\): X has {D - 1} "
                                         rf"features, the statistics have {D}"):
        est.fit(Xd, da.from_array(y, chunks=1000))
    _assert_unchanged(est, coef, intercept, stats)


def test_dataframe_partition_missing_a_column_is_named():
    X, y, _ = _data()
    names = [f"x{j}" for j in range(D)]

    def partition(bounds):  # the second partition lacks the last column
        a, b = bounds
        cols = names[:-1] if a == 2000 else names
        return pd.DataFrame(X[a:b, :len(cols)], columns=cols)

    ddf = dd.from_map(partition, [(0, 2000), (2000, 4000), (4000, N)],
                      meta=pd.DataFrame(columns=names, dtype=np.float64), enforce_metadata=False)
    est = linreg.dask.LinearRegression().fit(*_dask(X, y))
    coef = est.coef_.copy()
    with pytest.raises(ValueError, match=rf"^chunk 1 \(rows 2000-3999\): X has {D - 1} "
                                         rf"features, the statistics have {D}"):
        est.fit(ddf, da.from_array(y, chunks=1000))
    assert np.array_equal(est.coef_, coef) and not hasattr(est, "feature_names_in_")


def test_shape_errors_before_any_computation():
    X, y, _ = _data()
    Xd, yd, _ = _dask(X, y)
    with pytest.raises(ValueError, match=f"y has {N - 1} samples but X has {N}"):
        linreg.dask.statistics(Xd, yd[1:])
    with pytest.raises(ValueError, match="2D array"):
        linreg.dask.statistics(Xd[:, 0], yd)
    with pytest.raises(ValueError, match="sample_weight: expected a 1D array"):
        linreg.dask.statistics(Xd, yd, da.ones((N, 2)))
    with pytest.raises(ValueError, match="split_every"):
        linreg.dask.statistics(Xd, yd, split_every=1)
    with pytest.raises(ValueError, match="weights sum to zero"):
        linreg.dask.LinearRegression().fit(Xd, yd, da.zeros(N, chunks=1000))


def test_hyper_parameters_are_checked_before_the_pass():
    X, y, _ = _data()
    X[0, 0] = np.nan  # a pass over the data would stop here with another message
    Xd, yd, _ = _dask(X, y)
    with pytest.raises(ValueError, match=r"alpha must be a scalar or have one value per target"):
        linreg.dask.Ridge(alpha=[1.0, 2.0]).fit(Xd, yd)
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        linreg.dask.Lasso(alpha=-1.0).fit(Xd, yd)
    with pytest.raises(ValueError, match="l1_ratio"):
        linreg.dask.ElasticNet(l1_ratio=2.0).fit(Xd, yd)
    with pytest.raises(ValueError, match="solver must be one of"):
        linreg.dask.LinearRegression(solver="chol").fit(Xd, yd)


# ------------------------------------------------------------------------------ the module
def test_docstring_examples():
    result = doctest.testmod(linreg.dask, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_missing_dask_names_the_extra(monkeypatch):
    monkeypatch.delitem(sys.modules, "linreg.dask")
    monkeypatch.setitem(sys.modules, "dask", None)  # makes `import dask` fail
    with pytest.raises(ImportError, match=r'pip install "linreg\[dask\]"'):
        importlib.import_module("linreg.dask")
