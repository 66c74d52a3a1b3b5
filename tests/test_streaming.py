"""Exact streaming: any split of the rows into batches, merged in any order, pickled across
processes, or read from a file larger than the block, gives the one-shot fit."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pytest
from conftest import make_regression, rel_err
from hypothesis import given, settings
from hypothesis import strategies as st

import linreg
from linreg.streaming import GramStatistics

KEYS = ("x_mean", "y_mean", "xx", "xy", "yy")


def same_statistics(a, b, tol=1e-12):
    assert a.n_samples == b.n_samples
    assert a.weight_sum == pytest.approx(b.weight_sum, rel=tol)
    for key in KEYS:
        assert rel_err(getattr(a, key), getattr(b, key)) <= tol, key


def splits(n, sizes):
    out, start = [], 0
    for size in sizes:
        out.append(slice(start, min(start + size, n)))
        start = min(start + size, n)
    out.append(slice(start, n))
    return out


# the first single-row batches leave the statistics rank-deficient, and say so
@pytest.mark.filterwarnings("ignore::linreg.RankDeficientWarning")
@pytest.mark.parametrize("estimator", [linreg.LinearRegression(), linreg.Ridge(alpha=2.5),
                                       linreg.LinearRegression(fit_intercept=False)])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("sizes", [[1] * 40 + [0, 0, 7], [0, 300, 0, 1, 199], [499, 1]],
                         ids=["single-rows-and-empties", "uneven", "almost-whole"])
def test_any_batch_split_equals_one_fit(estimator, weighted, sizes):
    X, y, _ = make_regression(n=500, d=6, mean=3.0)
    w = np.random.default_rng(1).uniform(0.2, 2.0, 500) if weighted else None
    streamed = type(estimator)(**estimator.get_params())
    for part in splits(500, sizes):
        streamed.partial_fit(X[part], y[part], None if w is None else w[part])
    whole = type(estimator)(**estimator.get_params()).fit(X, y, sample_weight=w)
    assert rel_err(streamed.coef_, whole.coef_) < 1e-10
    assert streamed.intercept_ == pytest.approx(whole.intercept_, rel=1e-10, abs=1e-12)
    assert streamed.statistics_.n_samples == 500


def test_float32_input_accumulates_in_float64():
    X, y, _ = make_regression(n=4000, d=5, dtype=np.float32, mean=100.0)
    a = GramStatistics()
    for part in splits(4000, [1000, 1000, 1000]):
        a.update(X[part], y[part])
    b = linreg.gram_statistics(X.astype(np.float64), y.astype(np.float64))
    assert a.xx.dtype == np.float64
    # float32 products inside a block, float64 sums: close to the float64 statistics
    assert rel_err(a.xx, b.xx) < 1e-5 and rel_err(a.x_mean, b.x_mean) < 1e-6


@settings(max_examples=40, deadline=None)
@given(cuts=st.lists(st.integers(0, 120), min_size=2, max_size=2),
       order=st.permutations([0, 1, 2]), weighted=st.booleans())
def test_merge_is_associative_and_commutative(cuts, order, weighted):
    X, y, _ = make_regression(n=120, d=4, mean=-2.0)
    w = np.random.default_rng(2).uniform(0.0, 2.0, 120) if weighted else None
    a, b = sorted(cuts)
    parts = [slice(0, a), slice(a, b), slice(b, 120)]
    blocks = [GramStatistics().update(X[p], y[p], None if w is None else w[p]) for p in parts]
    left = (blocks[order[0]] + blocks[order[1]]) + blocks[order[2]]
    right = blocks[order[0]] + (blocks[order[1]] + blocks[order[2]])
    whole = linreg.gram_statistics(X, y, sample_weight=w)
    same_statistics(left, whole, 1e-11)
    same_statistics(right, whole, 1e-11)


def test_pickled_statistics_merged_in_another_process(tmp_path):
    X, y, _ = make_regression(n=3000, d=5, mean=1.0)
    first = GramStatistics().update(X[:1700], y[:1700])
    (tmp_path / "first.pkl").write_bytes(pickle.dumps(first))
    np.save(tmp_path / "X.npy", X[1700:])
    np.save(tmp_path / "y.npy", y[1700:])
    code = (
        "import pickle, sys, numpy as np, linreg\n"
        f"d = {str(tmp_path)!r}\n"
        "first = pickle.load(open(d + '/first.pkl', 'rb'))\n"
        "second = linreg.GramStatistics().update(np.load(d + '/X.npy'), np.load(d + '/y.npy'))\n"
        "open(d + '/merged.pkl', 'wb').write(pickle.dumps(first.merge(second)))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stderr
    merged = pickle.loads((tmp_path / "merged.pkl").read_bytes())
    same_statistics(merged, linreg.gram_statistics(X, y))
    ours = linreg.LinearRegression().fit_statistics(merged)
    direct = linreg.LinearRegression().fit(X, y)
    assert rel_err(ours.coef_, direct.coef_) < 1e-10


def test_bad_batch_changes_nothing():
    X, y, _ = make_regression(n=300, d=4)
    model = linreg.Ridge(alpha=1.0).partial_fit(X[:100], y[:100])
    before = (model.coef_.copy(), model.statistics_.copy())
    bad = X[100:200].copy()
    bad[17, 2] = np.nan
    with pytest.raises(ValueError, match=r"NaN"):
        model.partial_fit(bad, y[100:200])
    with pytest.raises(ValueError, match="X has 3 features, but Ridge is expecting 4"):
        model.partial_fit(X[100:200, :3], y[100:200])
    assert np.array_equal(model.coef_, before[0])
    same_statistics(model.statistics_, before[1], 0.0)
    chunks = [(X[:100], y[:100]), (X[100:200, :3], y[100:200])]
    with pytest.raises(ValueError, match=r"chunk 1 \(rows from 100\): X has 3 features"):
        GramStatistics.from_chunks(chunks)
    nan_chunks = [(X[:100], y[:100]), (bad, y[100:200])]
    with pytest.raises(ValueError, match=r"chunk 1 \(rows from 100\).*NaN"):
        GramStatistics.from_chunks(nan_chunks)


def test_out_of_core_from_npy_equals_in_memory(tmp_path):
    X, y, _ = make_regression(n=10_000, d=7, mean=5.0)
    w = np.random.default_rng(3).uniform(0.5, 2.0, 10_000)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "w.npy", w)
    stats = GramStatistics.from_npy(str(tmp_path / "X.npy"), str(tmp_path / "y.npy"),
                                    str(tmp_path / "w.npy"), block_rows=777)
    same_statistics(stats, linreg.gram_statistics(X, y, sample_weight=w))
    mm = np.load(tmp_path / "X.npy", mmap_mode="r")
    same_statistics(GramStatistics.from_npy(mm, y, w, block_rows=4096),
                    linreg.gram_statistics(X, y, sample_weight=w))
    np.save(tmp_path / "XF.npy", np.asfortranarray(X))
    with pytest.raises(ValueError, match="Fortran-ordered"):
        GramStatistics.from_npy(str(tmp_path / "XF.npy"), y)
    with pytest.raises(ValueError, match="y has 9999 rows, X has 10000"):
        GramStatistics.from_npy(str(tmp_path / "X.npy"), y[:-1])


def test_solve_grid_and_enet_from_statistics():
    X, y, _ = make_regression(n=400, d=8, mean=2.0)
    stats = linreg.gram_statistics(X, y)
    alphas = np.array([0.0, 0.1, 10.0, 1000.0])
    coefs, intercepts = stats.solve(alphas)
    for a, c, b in zip(alphas, coefs, intercepts):
        ridge = linreg.Ridge(alpha=a).fit(X, y)
        assert rel_err(c, ridge.coef_) < 1e-9 and b == pytest.approx(ridge.intercept_, rel=1e-9)
    for est in (linreg.Lasso(alpha=0.05, tol=1e-10), linreg.ElasticNet(alpha=0.05, tol=1e-10),
                linreg.ElasticNet(alpha=0.5, l1_ratio=0.2, positive=True, tol=1e-10)):
        ours = type(est)(**est.get_params()).fit_statistics(stats)
        direct = type(est)(**est.get_params()).fit(X, y)
        assert rel_err(ours.coef_, direct.coef_) < 1e-7
        assert ours.dual_gap_ <= 1e-10 * float(stats.yy[0, 0]) / 400
    two = linreg.gram_statistics(X, np.c_[y, -y])
    coef, _ = two.solve([1.0, 5.0])
    assert rel_err(coef, linreg.Ridge(alpha=[1.0, 5.0]).fit(X, np.c_[y, -y]).coef_) < 1e-9


def test_rank_deficient_statistics_give_minimum_norm_with_a_warning():
    X, y, _ = make_regression(n=200, d=3)
    Xd = np.c_[X, X[:, 0]]
    stats = linreg.gram_statistics(Xd, y)
    with pytest.warns(linreg.RankDeficientWarning, match="minimum-norm"):
        coef, _ = stats.solve()
    ref = np.linalg.lstsq(Xd - Xd.mean(axis=0), y - y.mean(), rcond=None)[0]
    assert rel_err(coef, ref) < 1e-8


def test_errors():
    X, y, _ = make_regression(n=50, d=3)
    with pytest.raises(ValueError, match="no rows"):
        GramStatistics().solve()
    with pytest.raises(ValueError, match="centred"):
        GramStatistics().update(X, y).merge(GramStatistics(fit_intercept=False).update(X, y))
    with pytest.raises(ValueError, match="fit_intercept"):
        linreg.LinearRegression(fit_intercept=False).fit_statistics(linreg.gram_statistics(X, y))
    with pytest.raises(TypeError, match="GramStatistics"):
        linreg.Ridge().fit_statistics("stats")
    assert not hasattr(linreg.RidgeCV(), "partial_fit")
    assert not hasattr(linreg.LassoCV(), "fit_statistics")
    with pytest.raises(ValueError, match="alpha must be finite"):
        linreg.gram_statistics(X, y).solve(-1.0)


def test_zero_weight_batch_counts_rows_only():
    X, y, _ = make_regression(n=300, d=3)
    w = np.ones(300)
    w[100:200] = 0.0
    s = GramStatistics()
    for part in splits(300, [100, 100]):
        s.update(X[part], y[part], w[part])
    same_statistics(s, linreg.gram_statistics(X, y, sample_weight=w))


def test_fit_any_alpha_after_the_fact():
    X, y, _ = make_regression(n=300, d=4)
    stats = linreg.gram_statistics(X, y)
    ols = stats.fit()
    assert isinstance(ols, linreg.LinearRegression)
    assert rel_err(ols.coef_, linreg.LinearRegression().fit(X, y).coef_) < 1e-10
    for alpha in (0.5, 50.0):
        ridge = stats.fit(alpha)
        assert isinstance(ridge, linreg.Ridge) and ridge.alpha == alpha
        assert rel_err(ridge.coef_, linreg.Ridge(alpha=alpha).fit(X, y).coef_) < 1e-10
        assert rel_err(ridge.predict(X), linreg.Ridge(alpha=alpha).fit(X, y).predict(X)) < 1e-10


def test_fit_statistics_checks_its_hyper_parameters_and_drops_stale_attributes():
    X, y, _ = make_regression(n=300, d=4)
    stats = linreg.gram_statistics(X, y)
    with pytest.raises(ValueError, match="alpha must be a scalar or have one value per target"):
        linreg.Ridge(alpha=[1.0, 2.0]).fit_statistics(stats)
    with pytest.raises(ValueError, match="alpha must be a finite number >= 0"):
        linreg.Lasso(alpha=-1.0).fit_statistics(stats)
    model = linreg.LinearRegression().fit(X, y)
    assert hasattr(model, "rank_")
    model.fit_statistics(stats)
    assert not hasattr(model, "rank_") and model.solver_ == "statistics"


def test_partial_fit_solves_once_when_the_coefficients_are_read():
    X, y, _ = make_regression(n=900, d=5, mean=2.0)
    model = linreg.Ridge(alpha=3.0)
    for part in splits(900, [300, 300]):
        model.partial_fit(X[part], y[part])
        assert "coef_" not in vars(model)  # no solve per batch
        assert model.n_features_in_ == 5
    model.set_params(alpha=50.0)  # after the batches: their alpha (3) is the one solved
    want = linreg.Ridge(alpha=3.0).fit(X, y)
    assert rel_err(model.coef_, want.coef_) < 1e-10
    assert "coef_" in vars(model) and model.solver_ == "statistics"
    assert rel_err(model.predict(X[:7]), want.predict(X[:7])) < 1e-10
    # pickled with its solve pending, it solves after loading
    more = linreg.Ridge(alpha=3.0).partial_fit(X, y)
    loaded = pickle.loads(pickle.dumps(more))
    assert rel_err(loaded.coef_, want.coef_) < 1e-10
    with pytest.raises(AttributeError, match="no attribute 'dual_gap_'"):
        _ = model.dual_gap_


def test_fit_starts_afresh_and_fit_statistics_input_is_never_modified():
    X, y, _ = make_regression(n=600, d=4)
    model = linreg.LinearRegression().partial_fit(X[:200], y[:200])
    model.fit(X[200:400], y[200:400])
    assert not hasattr(model, "statistics_")
    model.partial_fit(X[400:], y[400:])  # fit keeps no statistics: the sum starts here
    assert model.statistics_.n_samples == 200
    assert rel_err(model.coef_, linreg.LinearRegression().fit(X[400:], y[400:]).coef_) < 1e-10
    given_stats = GramStatistics().update(X[:300], y[:300])
    snapshot = given_stats.copy()
    model = linreg.LinearRegression().fit_statistics(given_stats)
    model.partial_fit(X[300:], y[300:])
    same_statistics(given_stats, snapshot, 0.0)
    assert rel_err(model.coef_, linreg.LinearRegression().fit(X, y).coef_) < 1e-10


def test_statistics_are_read_only_views_that_follow_updates():
    X, y, _ = make_regression(n=400, d=3)
    stats = GramStatistics().update(X[:200], y[:200])
    xx = stats.xx
    assert not xx.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        xx[0, 0] = 1.0
    kept = xx.copy()
    stats.update(X[200:], y[200:])
    assert not np.array_equal(xx, kept)  # the view follows the running total
    assert rel_err(xx, linreg.gram_statistics(X, y).xx) < 1e-12


def test_from_npy_reads_ahead_and_stops_its_reader_on_error(tmp_path):
    import threading

    X, y, _ = make_regression(n=5000, d=6, mean=1.0)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    paths = str(tmp_path / "X.npy"), str(tmp_path / "y.npy")
    ahead = GramStatistics.from_npy(*paths, block_rows=700)
    plain = GramStatistics.from_npy(*paths, block_rows=700, read_ahead=False)
    same_statistics(ahead, plain, 1e-13)  # the same blocks (summed on one thread fewer)
    same_statistics(ahead, linreg.gram_statistics(X, y))
    bad = X.copy()
    bad[3210, 4] = np.inf
    np.save(tmp_path / "bad.npy", bad)
    before = threading.active_count()
    with pytest.raises(ValueError, match=r"chunk 4 \(rows from 2800\).*infinity"):
        GramStatistics.from_npy(str(tmp_path / "bad.npy"), paths[1], block_rows=700)
    assert threading.active_count() == before
    # a file cut short: the reader's error reaches the caller
    with open(tmp_path / "X.npy", "rb") as fh:
        data = fh.read()
    (tmp_path / "short.npy").write_bytes(data[:len(data) - 8 * 6 * 10])
    with pytest.raises(ValueError, match="the file ends inside row 4990"):
        GramStatistics.from_npy(str(tmp_path / "short.npy"), paths[1], block_rows=700)
    assert threading.active_count() == before


def test_batches_of_a_running_loop_are_checked_like_the_first():
    # After the first batch, plain NumPy batches take a shorter path: the same checks, the
    # same errors, and anything unusual goes the general way.
    X, y, _ = make_regression(n=800, d=4, mean=1.0)
    model = linreg.Ridge(alpha=2.0).partial_fit(X[:200], y[:200])
    snapshot = model.statistics_.copy()
    model.set_params(alpha=-1.0)
    with pytest.raises(ValueError, match="alpha"):
        model.partial_fit(X[200:400], y[200:400])
    same_statistics(model.statistics_, snapshot, 0.0)  # refused before the batch was added
    model.set_params(alpha=2.0)
    bad_y = y[200:400].copy()
    bad_y[5] = np.inf
    with pytest.raises(ValueError, match="y"):
        model.partial_fit(X[200:400], bad_y)
    same_statistics(model.statistics_, snapshot, 0.0)
    model.partial_fit(X[200:400].tolist(), y[200:400].tolist())        # lists: general path
    model.partial_fit(X[400:600].astype(np.float32), y[400:600])       # mixed dtypes
    model.partial_fit(np.asfortranarray(X[600:]), y[600:])
    assert model.statistics_.n_samples == 800
    want = linreg.Ridge(alpha=2.0).fit(np.vstack([X[:400], X[400:600].astype(np.float32)
                                                  .astype(np.float64), X[600:]]), y)
    assert rel_err(model.coef_, want.coef_) < 1e-6
