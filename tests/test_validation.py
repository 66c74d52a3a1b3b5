"""Bad input gets a clear error naming the argument; inputs are never modified."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_regression

import linreg

ESTIMATORS = [linreg.LinearRegression, linreg.Ridge]


@pytest.fixture(params=ESTIMATORS, ids=lambda c: c.__name__)
def est(request):
    return request.param()


@pytest.fixture
def data():
    X, y, _ = make_regression(n=30, d=3)
    return X, y


@pytest.mark.parametrize("bad,match", [(np.nan, "X contains 1 NaN"),
                                       (np.inf, r"X contains 1 infinity \(inf\)"),
                                       (-np.inf, "infinity")])
def test_non_finite_X(est, data, bad, match):
    X, y = data
    X = X.copy()
    X[4, 1] = bad
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)


def test_non_finite_y(est, data):
    X, y = data
    y = y.copy()
    y[0] = np.nan
    with pytest.raises(ValueError, match="y contains 1 NaN"):
        est.fit(X, y)


def test_empty(est):
    with pytest.raises(ValueError, match=r"X: found array with 0 sample\(s\)"):
        est.fit(np.empty((0, 3)), np.empty(0))
    with pytest.raises(ValueError, match=r"X: found array with 0 feature\(s\)"):
        est.fit(np.empty((5, 0)), np.zeros(5))


def test_one_dimensional_X(est):
    with pytest.raises(ValueError, match=r"X: expected a 2D array .* got a 1D array .*Reshape"):
        est.fit(np.arange(5.0), np.arange(5.0))


def test_three_dimensional_X(est):
    with pytest.raises(ValueError, match="got a 3D array"):
        est.fit(np.zeros((4, 2, 2)), np.zeros(4))


def test_mismatched_lengths(est, data):
    X, y = data
    with pytest.raises(ValueError, match="y has 29 samples but X has 30"):
        est.fit(X, y[:-1])


@pytest.mark.parametrize("bad", [np.array([["a", "b"], ["c", "d"]]),
                                 np.array([[{"a": 1}, 2.0], [1.0, 2.0]], dtype=object)])
def test_non_numeric_X(est, bad):
    with pytest.raises(TypeError, match="X: "):
        est.fit(bad, np.zeros(2))


def test_complex_X(est):
    with pytest.raises(ValueError, match="X: Complex data not supported"):
        est.fit(np.array([[1 + 2j, 0], [0, 1]]), np.zeros(2))


def test_missing_y(est, data):
    with pytest.raises(ValueError, match="target y is None"):
        est.fit(data[0], None)


def test_non_numeric_y(est, data):
    X, _ = data
    with pytest.raises(TypeError, match="y: expected a numeric array"):
        est.fit(X, np.array(["a"] * 30))


def test_numeric_object_and_int_arrays_are_converted(est, data):
    X, y = data
    a = type(est)().fit(X.astype(object), y.astype(object))
    b = type(est)().fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-12)
    c = type(est)().fit(np.arange(20).reshape(10, 2) ** 2, np.arange(10))
    assert c.coef_.dtype == np.float64


def test_negative_and_bad_weights(est, data):
    X, y = data
    w = np.ones(30)
    w[3] = -1.0
    with pytest.raises(ValueError, match=r"sample_weight must be >= 0, got -1.0 at index 3"):
        est.fit(X, y, sample_weight=w)
    with pytest.raises(ValueError, match="sample_weight has 29 entries but X has 30"):
        est.fit(X, y, sample_weight=np.ones(29))
    with pytest.raises(ValueError, match="sample_weight contains 1 NaN"):
        est.fit(X, y, sample_weight=np.r_[np.nan, np.ones(29)])
    with pytest.raises(ValueError, match="sum to zero"):
        est.fit(X, y, sample_weight=np.zeros(30))


@pytest.mark.parametrize("alpha,exc,match", [(-1.0, ValueError, "alpha must be >= 0, got -1.0"),
                                             (np.nan, ValueError, "alpha must be finite"),
                                             ("big", TypeError, "alpha must be a number"),
                                             ([1.0, 2.0], ValueError, "one value per target")])
def test_bad_alpha(data, alpha, exc, match):
    X, y = data
    with pytest.raises(exc, match=match):
        linreg.Ridge(alpha=alpha).fit(X, y)


def test_bad_solver_and_flags(est, data):
    X, y = data
    with pytest.raises(ValueError, match="solver must be one of 'auto', 'cholesky', 'qr', 'gd', 'sgd', got 'lu'"):
        est.set_params(solver="lu").fit(X, y)
    with pytest.raises(TypeError, match="fit_intercept must be True or False"):
        type(est)(fit_intercept="yes").fit(X, y)


def test_predict_before_fit(est, data):
    X, _ = data
    with pytest.raises(linreg.NotFittedError, match="not fitted yet"):
        est.predict(X)
    sk = pytest.importorskip("sklearn.exceptions")
    with pytest.raises(sk.NotFittedError):
        est.predict(X)
    assert issubclass(linreg.NotFittedError, ValueError)
    assert issubclass(linreg.NotFittedError, AttributeError)


def test_wrong_feature_count_at_predict(est, data):
    X, y = data
    est.fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but .* is expecting 3 features"):
        est.predict(X[:, :2])


def test_inputs_are_not_modified(est):
    X, y, _ = make_regression(n=100, d=4, mean=5.0)
    w = np.random.default_rng(0).uniform(0.1, 1, 100)
    for X_in in (X, np.asfortranarray(X), X.astype(np.float32)):
        copies = (X_in.copy(), y.copy(), w.copy())
        type(est)().fit(X_in, y, sample_weight=w)
        type(est)(solver="qr").fit(X_in, y, sample_weight=w).predict(X_in)
        np.testing.assert_array_equal(X_in, copies[0])
        np.testing.assert_array_equal(y, copies[1])
        np.testing.assert_array_equal(w, copies[2])


def test_read_only_and_non_contiguous_inputs(est):
    X, y, _ = make_regression(n=100, d=6)
    X.setflags(write=False)
    y.setflags(write=False)
    a = type(est)().fit(X, y)
    b = type(est)().fit(X[:, ::2], y)  # strided view: converted (documented copy)
    c = type(est)().fit(np.ascontiguousarray(X[:, ::2]), y)
    np.testing.assert_allclose(b.coef_, c.coef_, rtol=1e-13)
    assert a.coef_.shape == (6,)


def test_big_endian_input(est):
    X, y, _ = make_regression(n=50, d=3)
    a = type(est)().fit(X.astype(">f8"), y.astype(">f8"))
    b = type(est)().fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-13)


def test_sparse_input_is_refused(est):
    sp = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match="sparse input is not supported"):
        est.fit(sp.csr_matrix(np.eye(3)), np.arange(3.0))


def test_set_params_rejects_unknown(est):
    with pytest.raises(ValueError, match="Invalid parameter 'alhpa'"):
        est.set_params(alhpa=1.0)


def test_core_rejects_what_python_would_not_send():
    """The core checks sizes itself (release builds too) and refuses non-matching arrays."""
    from linreg import _core

    X = np.ones((5, 2))
    Y = np.ones((4, 1), order="F")
    with pytest.raises(ValueError, match="y has 4 rows, X has 5"):
        _core.fit_normal_equations(X, Y, np.empty(0), np.zeros(1), True, "auto", 1, -1.0)
    with pytest.raises(ValueError, match="alpha must be finite and >= 0"):
        _core.fit_normal_equations(X, np.ones((5, 1), order="F"), np.empty(0), np.array([-1.0]),
                                   True, "auto", 1, -1.0)
    with pytest.raises(TypeError):  # int64 X is not silently converted by the binding
        _core.fit_normal_equations(np.ones((5, 2), dtype=np.int64), np.ones((5, 1), order="F"),
                                   np.empty(0), np.zeros(1), True, "auto", 1, -1.0)


@pytest.mark.parametrize("solver", ["auto", "cholesky", "qr"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_in_large_X_is_caught_by_the_core(solver, bad):
    """Large X is not scanned in Python: the core's own pass refuses it, Python says where."""
    from linreg._validation import DEFER_FINITE_CHECK

    rng = np.random.default_rng(0)
    n = DEFER_FINITE_CHECK // 4 + 10
    X = rng.standard_normal((n, 4))
    X[n - 3, 2] = bad
    y = rng.standard_normal(n)
    with pytest.raises(ValueError, match=r"X contains 1 (NaN|infinity).*index \(%d, 2\)" % (n - 3)):
        linreg.LinearRegression(solver=solver).fit(X, y)
    W = rng.standard_normal((300, 4000))  # wide: Ridge takes the dual path unless told "qr"
    W[7, 3999] = bad
    with pytest.raises(ValueError, match=r"X contains 1 (NaN|infinity).*index \(7, 3999\)"):
        linreg.Ridge(solver=solver).fit(W, y[:300])
