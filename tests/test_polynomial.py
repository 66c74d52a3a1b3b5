"""PolynomialFeatures against scikit-learn (power basis) and numpy.polynomial.legendre (Legendre
basis); design_condition against numpy.linalg.cond; PolynomialRegression against the linear
models on the features and the NumPy reference."""

from __future__ import annotations

import doctest
import warnings

import linreg
import linreg.polynomial
import numpy as np
import pytest
import reference as ref
from conftest import make_regression, rel_err, tolerance
from linreg.polynomial import PolynomialFeatures, PolynomialRegression, design_condition
from numpy.polynomial import legendre
from numpy.testing import assert_allclose, assert_array_equal

sklearn = pytest.importorskip("sklearn")
from sklearn.preprocessing import PolynomialFeatures as SkPolynomialFeatures
from sklearn.utils.estimator_checks import parametrize_with_checks

DEGREES = [0, 1, 2, 3, 4, (0, 2), (1, 3), (2, 3), (3, 3), (2, 5)]
EPS = np.finfo(np.float64).eps


def legendre_features(X, powers, lo, hi):
    """prod_j sqrt(2 p_j + 1) P_{p_j}(t_j), t = 2 (x - lo) / (hi - lo) - 1 (0 if hi == lo)."""
    X = np.asarray(X, dtype=np.float64)
    span = np.where(hi > lo, hi - lo, 1.0)
    T = np.where(hi > lo, 2 * (X - lo) / span - 1, 0.0)
    out = np.ones((X.shape[0], len(powers)))
    for c, p in enumerate(powers):
        for j, k in enumerate(p):
            out[:, c] *= np.sqrt(2 * k + 1) * legendre.legval(T[:, j], np.eye(k + 1)[k])
    return out


def sklearn_output(X, degree, **kw):
    """scikit-learn's transform, or None where it gives no column or refuses."""
    try:
        sk = SkPolynomialFeatures(degree, **kw).fit(X)
        out = sk.transform(X)
    except ValueError:
        return None, None
    return (sk, out) if out.shape[1] else (None, None)


# -- the power basis is scikit-learn's --------------------------------------------------------
@pytest.mark.parametrize("interaction_only", [False, True])
@pytest.mark.parametrize("include_bias", [False, True])
def test_matches_sklearn(dtype, order, interaction_only, include_bias):
    rng = np.random.default_rng(0)
    rtol = 16 * np.finfo(dtype).eps  # products of up to five factors, associated differently
    compared = 0
    for d in range(1, 5):
        X = np.asarray(rng.uniform(-2, 2, (13, d)), dtype=dtype, order=order)
        for degree in DEGREES:
            kw = {"interaction_only": interaction_only, "include_bias": include_bias,
                  "order": order}
            sk, expected = sklearn_output(X, degree, **kw)
            poly = PolynomialFeatures(degree, **kw)
            if sk is None:
                with pytest.raises(ValueError, match="no output column"):
                    poly.fit(X)
                continue
            out = poly.fit(X).transform(X)
            assert out.dtype == dtype and out.flags[f"{order}_CONTIGUOUS"]
            assert_allclose(out, expected, rtol=rtol, atol=0)
            assert_array_equal(poly.powers_, sk.powers_)
            assert poly.n_output_features_ == sk.n_output_features_ == out.shape[1]
            assert poly.n_features_in_ == d
            assert_array_equal(poly.get_feature_names_out(), sk.get_feature_names_out())
            assert_array_equal(poly.get_feature_names_out(list("abcd")[:d]),
                               sk.get_feature_names_out(list("abcd")[:d]))
            assert_allclose(poly.fit_transform(X), out, rtol=0, atol=0)
            compared += 1
    assert compared >= 30


def test_other_numeric_dtypes_become_float64():
    X = np.arange(12).reshape(6, 2)
    out = PolynomialFeatures(3).fit_transform(X)
    assert out.dtype == np.float64
    assert_array_equal(out, SkPolynomialFeatures(3, include_bias=False).fit_transform(X))
    assert PolynomialFeatures(2).fit(X).transform(X.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("basis", ["power", "legendre"])
def test_pandas_feature_names(basis):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"a": [0.0, 1.0, 2.0, 4.0], "b": [1.0, -1.0, 3.0, 0.5]})
    poly = PolynomialFeatures(2, include_bias=True, basis=basis).fit(df)
    assert_array_equal(poly.feature_names_in_, ["a", "b"])
    expected = {
        "power": SkPolynomialFeatures(2).fit(df).get_feature_names_out().tolist(),
        "legendre": ["1", "P1(a)", "P1(b)", "P2(a)", "P1(a) P1(b)", "P2(b)"],
    }[basis]
    assert poly.get_feature_names_out().tolist() == expected
    plain = PolynomialFeatures(2, include_bias=True, basis=basis).fit(df.to_numpy())
    assert not hasattr(plain, "feature_names_in_")
    assert_array_equal(poly.transform(df), plain.transform(df.to_numpy()))
    with pytest.raises(ValueError, match="feature names should match"):
        poly.transform(df[["b", "a"]])
    with pytest.raises(ValueError, match="input_features is not equal to feature_names_in_"):
        poly.get_feature_names_out(["b", "a"])
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        poly.transform(df.to_numpy())


# -- the Legendre basis ----------------------------------------------------------------------
@pytest.mark.parametrize("interaction_only", [False, True])
@pytest.mark.parametrize("degree", [1, 3, (2, 4)])
def test_legendre_matches_numpy(dtype, order, degree, interaction_only):
    rng = np.random.default_rng(1)
    X = rng.uniform(-3, 5, (40, 3)) * np.array([1.0, 10.0, 0.0]) + np.array([0, 0, 2.5])
    X = np.asarray(X, dtype=dtype, order=order)  # the last feature is constant: t = 0
    poly = PolynomialFeatures(degree, interaction_only=interaction_only, include_bias=True,
                              basis="legendre").fit(X)
    assert poly.data_min_.dtype == dtype
    assert_array_equal(poly.data_min_, X.min(axis=0))
    assert_array_equal(poly.data_max_, X.max(axis=0))
    assert_array_equal(poly.powers_, PolynomialFeatures(
        degree, interaction_only=interaction_only, include_bias=True).fit(X).powers_)
    lo, hi = X.min(axis=0).astype(np.float64), X.max(axis=0).astype(np.float64)
    X_new = np.vstack([X[:5], X[:5] * 1.5 - 1.0])  # extrapolation too, |t| > 1
    out = poly.transform(X_new)
    assert out.dtype == dtype
    expected = legendre_features(X_new, poly.powers_, lo, hi)
    # columns reach sqrt(9)^4 P_4 values around 100; rounding in t grows with the degree
    assert_allclose(out, expected, rtol=tolerance(dtype), atol=tolerance(dtype) * 10)


def test_legendre_columns_orthonormal_on_the_fitted_box():
    lo, hi = np.array([-2.0, 10.0]), np.array([3.0, 10.5])
    rng = np.random.default_rng(2)
    X = np.vstack([lo, hi, rng.uniform(lo, hi, (30, 2))])
    poly = PolynomialFeatures(4, include_bias=True, basis="legendre").fit(X)
    m = 400  # midpoint rule on an m x m grid: error O(1/m^2) for these polynomials
    g = [(np.arange(m) + 0.5) / m * (h - lo_) + lo_ for lo_, h in zip(lo, hi)]
    grid = np.column_stack([a.ravel() for a in np.meshgrid(*g)])
    F = poly.transform(grid)
    gram = F.T @ F / grid.shape[0]
    assert np.abs(gram - np.eye(F.shape[1])).max() < 2e-3
    raw = PolynomialFeatures(4, include_bias=True).fit(X).transform(grid)
    assert np.abs(raw.T @ raw / grid.shape[0] - np.eye(F.shape[1])).max() > 1.0


def test_design_condition():
    x = np.linspace(0.0, 1.0, 10).reshape(-1, 1)
    power = PolynomialFeatures(9).fit_transform(x)
    leg = PolynomialFeatures(9, basis="legendre").fit_transform(x)
    ones = np.ones((10, 1))
    for F in (power, leg):
        assert design_condition(F) == pytest.approx(np.linalg.cond(np.hstack([ones, F])),
                                                    rel=1e-6)
        assert design_condition(F, fit_intercept=False) == pytest.approx(np.linalg.cond(F),
                                                                         rel=1e-6)
    assert design_condition(power) > 1e6
    assert design_condition(leg) < 100
    assert design_condition(np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]]),
                            fit_intercept=False) > 1e15  # singular up to rounding
    assert design_condition(np.zeros((4, 2))) == np.inf


# -- PolynomialRegression --------------------------------------------------------------------
def test_degree_9_interpolates_ten_points_in_either_basis():
    x = np.linspace(0.0, 1.0, 10).reshape(-1, 1)
    y = np.random.default_rng(3).standard_normal(10)
    x_new = np.random.default_rng(4).uniform(0.0, 1.0, (50, 1))
    cond = {b: design_condition(PolynomialFeatures(9, basis=b).fit_transform(x))
            for b in ("power", "legendre")}
    fits = {b: PolynomialRegression(9, basis=b).fit(x, y) for b in cond}
    for b, model in fits.items():
        # a backward-stable solve perturbs the solution by about cond * eps (relative)
        assert np.abs(model.predict(x) - y).max() <= cond[b] * EPS * np.abs(y).max()
    assert cond["legendre"] * 1e4 < cond["power"]
    # both are the same interpolating polynomial; the power basis carries the larger error
    diff = np.abs(fits["power"].predict(x_new) - fits["legendre"].predict(x_new)).max()
    assert diff <= cond["power"] * EPS * np.abs(y).max()


@pytest.mark.parametrize("basis", ["power", "legendre"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("k", [None, 2])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_equals_linear_model_on_the_features(dtype, basis, fit_intercept, weighted, k, alpha):
    X, y, _ = make_regression(n=80, d=2, k=k, dtype=dtype)
    w = np.random.default_rng(5).uniform(0.2, 2.0, 80) if weighted else None
    model = PolynomialRegression(3, alpha=alpha, basis=basis, fit_intercept=fit_intercept)
    model.fit(X, y, sample_weight=w)
    F = PolynomialFeatures(3, basis=basis).fit_transform(X)
    inner = (linreg.Ridge(alpha, fit_intercept=fit_intercept) if alpha else
             linreg.LinearRegression(fit_intercept=fit_intercept)).fit(F, y, sample_weight=w)
    assert type(model.model_) is type(inner)
    assert model.n_features_in_ == 2 and model.features_.n_output_features_ == 9
    assert_allclose(model.coef_, inner.coef_, rtol=1e-12)
    assert_allclose(model.intercept_, inner.intercept_, rtol=1e-12, atol=1e-12)
    assert_allclose(model.predict(X), inner.predict(F), rtol=1e-12)
    assert model.predict(X).dtype == dtype
    coef, intercept = ref.normal_equations(F, y, alpha, sample_weight=w,
                                           fit_intercept=fit_intercept)
    assert rel_err(model.coef_, coef.T) < tolerance(dtype) * 10
    assert rel_err(np.atleast_1d(model.intercept_), np.atleast_1d(intercept)) < tolerance(
        dtype) * 10
    sw = np.ones(80) if w is None else w
    Y = y.reshape(80, -1).astype(np.float64)
    r2 = 1 - (sw[:, None] * (Y - model.predict(X).reshape(80, -1)) ** 2).sum(0) / (
        sw[:, None] * (Y - sw @ Y / sw.sum()) ** 2).sum(0)
    assert model.score(X, y, sample_weight=w) == pytest.approx(r2.mean(), rel=1e-5)


def test_zero_weight_samples_do_not_set_the_legendre_range():
    X, y, _ = make_regression(n=30, d=1)
    w = np.ones(30)
    w[np.argmax(X[:, 0])] = 0.0
    model = PolynomialRegression(2).fit(X, y, sample_weight=w)
    assert model.features_.data_max_[0] == X[w > 0, 0].max()
    kept = PolynomialRegression(2).fit(X[w > 0], y[w > 0])
    assert_allclose(model.predict(X), kept.predict(X), rtol=1e-10)


def test_rank_deficient_warning_reaches_the_caller():
    x = np.linspace(-1.0, 1.0, 20)
    X = np.column_stack([x, x])  # x0^2 = x0 x1 = x1^2
    with pytest.warns(linreg.RankDeficientWarning):
        PolynomialRegression(2, basis="power").fit(X, x ** 2)


def test_inputs_not_modified():
    X, y, _ = make_regression(n=40, d=3, dtype=np.float32, order="F")
    w = np.linspace(0.5, 2.0, 40)
    copies = [a.copy() for a in (X, y, w)]
    PolynomialFeatures(3, basis="legendre").fit(X).transform(X)
    PolynomialFeatures(3).fit_transform(X)
    model = PolynomialRegression(3, alpha=0.1).fit(X, y, sample_weight=w)
    model.predict(X)
    model.score(X, y, sample_weight=w)
    for a, c in zip((X, y, w), copies):
        assert_array_equal(a, c)
    assert X.flags.f_contiguous


# -- errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize("params, error, match", [
    ({"degree": -1}, ValueError, "degree must be a non-negative int, got -1"),
    ({"degree": 2.0}, TypeError, "degree must be a non-negative int or a pair"),
    ({"degree": "2"}, TypeError, "degree must be a non-negative int or a pair"),
    ({"degree": True}, TypeError, "degree must be"),
    ({"degree": (1, 2, 3)}, TypeError, "degree must be"),
    ({"degree": (3, 1)}, ValueError, r"0 <= min_degree <= max_degree, got \(3, 1\)"),
    ({"degree": (-1, 2)}, ValueError, "min_degree"),
    ({"degree": (1, 2.5)}, TypeError, "two ints"),
    ({"degree": 0}, ValueError, "no output column"),
    ({"degree": (0, 0)}, ValueError, "no output column"),
    ({"basis": "chebyshev"}, ValueError, "basis must be one of 'power', 'legendre'"),
    ({"order": "A"}, ValueError, "order must be one of 'C', 'F', got 'A'"),
    ({"interaction_only": "yes"}, TypeError, "interaction_only must be True or False"),
    ({"include_bias": None}, TypeError, "include_bias must be True or False"),
])
def test_bad_parameters(params, error, match):
    with pytest.raises(error, match=match):
        PolynomialFeatures(**params).fit(np.ones((3, 2)))


def test_bad_input():
    X = np.arange(12.0).reshape(6, 2)
    poly = PolynomialFeatures(2, basis="legendre")
    with pytest.raises(linreg.NotFittedError, match="call fit"):
        poly.transform(X)
    with pytest.raises(linreg.NotFittedError):
        poly.get_feature_names_out()
    with pytest.raises(ValueError, match="X: expected a 2D array"):
        poly.fit(X[:, 0])
    with pytest.raises(ValueError, match="X: expected a 2D array"):
        poly.fit(X.reshape(2, 3, 2))
    for bad in (np.nan, np.inf):
        Xb = X.copy()
        Xb[3, 1] = bad
        with pytest.raises(ValueError, match=r"X contains 1 (NaN|infinity).*index \(3, 1\)"):
            poly.fit(Xb)
        with pytest.raises(ValueError, match="X contains"):
            PolynomialFeatures().fit(X).transform(Xb)
    poly.fit(X)
    with pytest.raises(ValueError, match="X has 3 features, but PolynomialFeatures is "
                                         "expecting 2 features"):
        poly.transform(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"input_features should have length equal to number "
                                         r"of features \(2\), got 3"):
        poly.get_feature_names_out(["a", "b", "c"])
    with pytest.raises(TypeError, match="sparse"):
        poly.transform(pytest.importorskip("scipy.sparse").csr_matrix(X))


def test_polynomial_regression_bad_input():
    X, y, _ = make_regression(n=20, d=2)
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        PolynomialRegression(alpha=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="basis must be one of"):
        PolynomialRegression(basis="hermite").fit(X, y)
    with pytest.raises(ValueError, match="degree must be a non-negative int"):
        PolynomialRegression(degree=-2).fit(X, y)
    with pytest.raises(ValueError, match="y has 19 samples but X has 20"):
        PolynomialRegression().fit(X, y[:-1])
    with pytest.raises(ValueError, match="sample_weight must be >= 0"):
        PolynomialRegression().fit(X, y, sample_weight=-np.ones(20))
    with pytest.raises(linreg.NotFittedError, match="call fit"):
        PolynomialRegression().predict(X)
    model = PolynomialRegression(2).fit(X, y)
    with pytest.raises(ValueError, match="X has 1 features, but PolynomialRegression"):
        model.predict(X[:, :1])


# -- conventions -------------------------------------------------------------------------------
def test_params_repr_clone_and_pipeline():
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline

    poly = PolynomialFeatures(3, basis="legendre")
    assert repr(poly) == "PolynomialFeatures(degree=3, basis='legendre')"
    assert clone(poly).get_params() == poly.get_params()
    assert repr(PolynomialRegression(4, alpha=0.5)) == "PolynomialRegression(degree=4, alpha=0.5)"
    with pytest.raises(ValueError, match="Invalid parameter 'degre'"):
        poly.set_params(degre=2)
    assert poly.set_params(basis="power").fit(np.ones((2, 1))).powers_.tolist() == [[1], [2], [3]]
    assert not hasattr(poly, "data_min_")

    rng = np.random.default_rng(6)
    X = rng.uniform(-1, 1, (90, 1))
    y = 1 - X[:, 0] + 2 * X[:, 0] ** 3 + 0.01 * rng.standard_normal(90)
    pipe = make_pipeline(PolynomialFeatures(basis="legendre"), linreg.LinearRegression())
    grid = GridSearchCV(pipe, {"polynomialfeatures__degree": [1, 2, 3]}, cv=3).fit(X, y)
    assert grid.best_params_["polynomialfeatures__degree"] == 3
    grid = GridSearchCV(PolynomialRegression(), {"degree": [1, 2, 3]}, cv=3).fit(X, y)
    assert grid.best_params_["degree"] == 3
    assert grid.score(X, y) > 0.99


def test_docstring_examples():
    result = doctest.testmod(linreg.polynomial, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


NOT_BASE_ESTIMATOR = "ignore:Estimator .* does not inherit from `sklearn.base.BaseEstimator`"
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Estimator .* does not inherit from")
    _checks = parametrize_with_checks([
        PolynomialFeatures(), PolynomialFeatures(basis="legendre"), PolynomialRegression(degree=2),
    ])


# scikit-learn's generic checks fit tiny random designs; with 2-20 features a degree-2 expansion
# often has more columns than rows, so a rank warning is right there and not what they test.
@pytest.mark.filterwarnings(NOT_BASE_ESTIMATOR)
@pytest.mark.filterwarnings("ignore::linreg.RankDeficientWarning")
@_checks
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
