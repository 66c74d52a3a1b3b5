"""BayesianRidge: the evidence iteration against a plain NumPy reference and scikit-learn's
BayesianRidge, its posterior against Ridge, and scikit-learn's estimator checks."""

from __future__ import annotations

import doctest
import warnings

import linreg
import linreg.bayes
import numpy as np
import pytest
import reference as ref
from conftest import make_regression, rel_err, tolerance
from linreg.bayes import BayesianRidge

sklearn = pytest.importorskip("sklearn")
from sklearn.linear_model import BayesianRidge as SkBayesianRidge
from sklearn.utils.estimator_checks import parametrize_with_checks

SHAPES = [(60, 5), (200, 30), (40, 40), (25, 60)]
SHAPE_IDS = ["tall", "tall-30", "square", "wide"]


def _data(n, d, seed=0, noise=1.0, dtype=np.float64, order="C"):
    X, y, _ = make_regression(n=n, d=d, dtype=dtype, order=order, seed=seed, mean=2.0,
                              noise=noise)
    return X, y


def _weights(n, weighted, seed=1):
    return np.random.default_rng(seed).uniform(0.3, 3.0, n) if weighted else None


def _sk_last_score(r, lam):
    """scikit-learn's last scores_ entry: the evidence at the result, but with the lambda ||m||^2
    term taken at the mean of the last iteration instead of the final mean."""
    m_last, m_final = r["means"][-1], r["coef"]
    return r["scores"][-1] - 0.5 * lam * (m_last @ m_last - m_final @ m_final)


# -- the evidence iteration --------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_numpy_reference(shape, fit_intercept, weighted):
    n, d = shape
    X, y = _data(n, d)
    w = _weights(n, weighted)
    model = BayesianRidge(compute_score=True, fit_intercept=fit_intercept).fit(X, y, w)
    r = ref.bayesian_ridge_evidence(X, y, w, fit_intercept)
    assert model.n_iter_ == r["n_iter"]
    assert r["converged"]
    assert rel_err(model.coef_, r["coef"]) < 1e-9
    assert model.intercept_ == pytest.approx(r["intercept"], rel=1e-9, abs=1e-12)
    assert model.alpha_ == pytest.approx(r["alpha"], rel=1e-9)
    assert model.lambda_ == pytest.approx(r["lambda"], rel=1e-9)
    assert rel_err(model.sigma_, r["sigma"]) < 1e-9
    assert model.scores_.shape == (model.n_iter_ + 1,)
    assert rel_err(model.scores_, r["scores"]) < 1e-10


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_parity_with_scikit_learn(shape, fit_intercept, weighted):
    n, d = shape
    X, y = _data(n, d, seed=2)
    w = _weights(n, weighted, seed=3)
    ours = BayesianRidge(compute_score=True, fit_intercept=fit_intercept).fit(X, y, w)
    theirs = SkBayesianRidge(compute_score=True, fit_intercept=fit_intercept).fit(X, y, w)
    assert ours.n_iter_ == theirs.n_iter_
    assert rel_err(ours.coef_, theirs.coef_) < 1e-9
    assert ours.intercept_ == pytest.approx(theirs.intercept_, rel=1e-9, abs=1e-12)
    assert ours.alpha_ == pytest.approx(theirs.alpha_, rel=1e-9)
    assert ours.lambda_ == pytest.approx(theirs.lambda_, rel=1e-9)
    assert rel_err(ours.sigma_, theirs.sigma_) < 1e-9
    assert rel_err(ours.X_offset_, theirs.X_offset_) < 1e-12
    assert np.array_equal(ours.X_scale_, theirs.X_scale_)
    assert ours.scores_.shape == theirs.scores_.shape
    assert rel_err(ours.scores_[:-1], theirs.scores_[:-1]) < 1e-10
    Xq = np.vstack([X[:10], _data(10, d, seed=4)[0]])  # training rows and new rows
    mean, std = ours.predict(Xq, return_std=True)
    sk_mean, sk_std = theirs.predict(Xq, return_std=True)
    assert rel_err(mean, sk_mean) < 1e-9
    # scikit-learn's std comes from the full p x p sigma_, whose entries carry an absolute error
    # ~eps / lambda_: on rows inside the span of a wide X that is ~1e-8 relative
    assert rel_err(std, sk_std) < 1e-6


def test_ill_conditioned_design_through_either_route():
    # a square X of condition ~5e5: the Gram and the kernel have their smallest eigenvalue
    # (~3e-8, of ~1e4) only to ~1e-5 relative, and its component carries most of the residual.
    # The kernel route reads its eigenvalues back from the data; the Gram route recomputes the
    # residual of the weak components directly; both must agree with scikit-learn's SVD
    X, y = _data(40, 40, seed=4)
    w = np.random.default_rng(104).uniform(0.3, 3.0, 40)
    assert np.linalg.cond(X * np.sqrt(w)[:, None]) > 1e5
    theirs = SkBayesianRidge(fit_intercept=False, compute_score=True).fit(X, y, w)
    # the same problem through the Gram: one more row, of weight 0, makes n > p
    Xg, yg, wg = np.vstack([X, X[:1]]), np.r_[y, y[:1]], np.r_[w, 0.0]
    for A, b, s in [(X, y, w), (Xg, yg, wg)]:
        ours = BayesianRidge(fit_intercept=False, compute_score=True).fit(A, b, s)
        assert ours.n_iter_ == theirs.n_iter_
        assert rel_err(ours.coef_, theirs.coef_) < 1e-9
        assert ours.alpha_ == pytest.approx(theirs.alpha_, rel=1e-9)
        assert ours.lambda_ == pytest.approx(theirs.lambda_, rel=1e-9)
        assert rel_err(ours.sigma_, theirs.sigma_) < 1e-9
        assert rel_err(ours.scores_[:-1], theirs.scores_[:-1]) < 1e-9


def test_last_score_is_the_evidence_at_the_result():
    X, y = _data(25, 60, seed=5, noise=1.0)
    ours = BayesianRidge(compute_score=True, fit_intercept=False).fit(X, y)
    theirs = SkBayesianRidge(compute_score=True, fit_intercept=False).fit(X, y)
    r = ref.bayesian_ridge_evidence(X, y, fit_intercept=False)
    assert ours.scores_[-1] == pytest.approx(r["scores"][-1], rel=1e-11)
    assert theirs.scores_[-1] == pytest.approx(_sk_last_score(r, r["lambda"]), rel=1e-11)
    # the two differ here: the check above says by what
    assert abs(ours.scores_[-1] - theirs.scores_[-1]) > 1e-8 * abs(theirs.scores_[-1])


INITS = [{"alpha_init": 3.0}, {"lambda_init": 1e-3}, {"alpha_init": 0.5, "lambda_init": 20.0},
         {"alpha_init": 0.0}, {"lambda_init": 0.0}]


# lambda_init=0 on wide data with an intercept is left out: the centring direction of the design
# has eigenvalue 0, and alpha e / (lambda + alpha e) is then 0 / 0. It counts 0 here (the limit in
# exact arithmetic) and 1 in scikit-learn (its SVD gives e ~ 1e-30 there), so the first step
# differs by design.
@pytest.mark.parametrize("case, init", [
    (case, init) for case in ["tall", "wide", "wide-no-intercept"] for init in INITS
    if not (case == "wide" and init == {"lambda_init": 0.0})])
def test_initial_values(case, init):
    X, y = _data(*((60, 5) if case == "tall" else (25, 60)), seed=6)
    fit_intercept = case != "wide-no-intercept"
    ours = BayesianRidge(**init, fit_intercept=fit_intercept).fit(X, y)
    # scikit-learn divides by alpha_init; the reference's first score is log(0) for a 0 start
    with np.errstate(divide="ignore", invalid="ignore"):
        theirs = SkBayesianRidge(**init, fit_intercept=fit_intercept).fit(X, y)
        r = ref.bayesian_ridge_evidence(X, y, fit_intercept=fit_intercept, **init)
    for other in (r["n_iter"], theirs.n_iter_):
        assert ours.n_iter_ == other
    for other in (r["coef"], theirs.coef_):
        assert rel_err(ours.coef_, other) < 1e-9
    for other in (r["alpha"], theirs.alpha_):
        assert ours.alpha_ == pytest.approx(other, rel=1e-9)
    for other in (r["lambda"], theirs.lambda_):
        assert ours.lambda_ == pytest.approx(other, rel=1e-9)


@pytest.mark.parametrize("tol", [1e-1, 1e-3, 1e-5, 1e-8])
@pytest.mark.parametrize("shape", [(80, 6), (30, 50)], ids=["tall", "wide"])
def test_stopping_rule_is_scikit_learns(tol, shape):
    # the L1 change is decided from its Euclidean norm when the bounds agree and formed when they
    # do not; over this range of tol every branch runs, and the count must be the same
    n, d = shape
    for seed in range(5):
        X, y = _data(n, d, seed=10 + seed)
        ours = BayesianRidge(tol=tol, max_iter=1000).fit(X, y)
        r = ref.bayesian_ridge_evidence(X, y, tol=tol, max_iter=1000)
        assert ours.n_iter_ == r["n_iter"], seed
        assert rel_err(ours.coef_, r["coef"]) < 1e-9


def test_posterior_mean_is_ridge_at_lambda_over_alpha():
    for shape, w in [((60, 5), None), ((25, 60), _weights(25, True)), ((200, 30), None)]:
        X, y = _data(*shape, seed=7)
        model = BayesianRidge().fit(X, y, sample_weight=w)
        ridge = linreg.Ridge(alpha=model.lambda_ / model.alpha_).fit(X, y, sample_weight=w)
        assert rel_err(model.coef_, ridge.coef_) < 1e-9
        assert model.intercept_ == pytest.approx(ridge.intercept_, rel=1e-9)


def test_posterior_covariance_and_predictive_std():
    for shape, fit_intercept in [((60, 5), True), ((25, 60), True), ((40, 40), False)]:
        X, y = _data(*shape, seed=8)
        model = BayesianRidge(fit_intercept=fit_intercept).fit(X, y)
        Xc = X - X.mean(axis=0) if fit_intercept else X
        # (lambda I + alpha Xc'Xc)^-1 through the full SVD of Xc: an inverse of the matrix itself
        # would lose cond ~ alpha e_max / lambda ~ 1e10 here (wide)
        _, sv, Vt = np.linalg.svd(Xc, full_matrices=True)
        e = np.zeros(X.shape[1])
        e[:len(sv)] = sv**2
        d = 1.0 / (model.lambda_ + model.alpha_ * e)
        assert rel_err(model.sigma_, (Vt.T * d) @ Vt) < 1e-9
        assert np.allclose(model.sigma_, model.sigma_.T, rtol=0, atol=1e-14 * d.max())
        Xq = np.vstack([X[:5], X[:5] + 1.0])
        coords = (Xq - model.X_offset_) @ Vt.T
        expected = np.sqrt(coords**2 @ d + 1 / model.alpha_)
        mean, std = model.predict(Xq, return_std=True)
        assert rel_err(std, expected) < 1e-12
        assert np.array_equal(mean, model.predict(Xq))


def test_residual_sum_of_squares_stays_accurate_on_a_nearly_exact_fit():
    # noise 1e-7 on a signal of size ~3: R^2 = 1 - 1e-14. The residual sum of squares from the
    # statistics alone (yy - explained) has lost every digit here; alpha_ must still match a fit
    # that forms its residuals directly. alpha_2 ~ 0 lets alpha follow the residuals.
    X, y = _data(300, 6, seed=9, noise=1e-7)
    params = {"alpha_2": 1e-30, "tol": 1e-10}
    ours = BayesianRidge(**params).fit(X, y)
    r = ref.bayesian_ridge_evidence(X, y, **params)
    theirs = SkBayesianRidge(**params).fit(X, y)
    assert ours.alpha_ == pytest.approx(r["alpha"], rel=1e-6)
    assert ours.alpha_ == pytest.approx(theirs.alpha_, rel=1e-6)
    stats = ref.statistics(X, y)
    t = ours.lambda_ / ours.alpha_
    m = np.linalg.solve(stats["xx"] + t * np.eye(6), stats["xy"][:, 0])
    from_statistics = stats["yy"][0, 0] - 2 * m @ stats["xy"][:, 0] + m @ stats["xx"] @ m
    Xc, yc, _, _ = ref.centred(X, y)
    direct = np.sum((yc - Xc @ m) ** 2)
    assert abs(from_statistics - direct) > 1e-3 * direct  # the data are as hard as claimed


# -- dtypes, layout, weights -------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(60, 5), (25, 60)], ids=["tall", "wide"])
def test_dtype_and_order(shape, dtype, order):
    X, y = _data(*shape, seed=11, dtype=dtype, order=order)
    model = BayesianRidge(compute_score=True).fit(X, y)
    exact = SkBayesianRidge(compute_score=True).fit(X.astype(np.float64), y.astype(np.float64))
    tol = tolerance(dtype)
    assert model.coef_.dtype == dtype and model.sigma_.dtype == dtype
    assert model.X_offset_.dtype == dtype
    assert rel_err(model.coef_, exact.coef_) < tol
    assert model.alpha_ == pytest.approx(exact.alpha_, rel=tol)
    assert model.lambda_ == pytest.approx(exact.lambda_, rel=tol)
    assert rel_err(model.sigma_, exact.sigma_) < tol
    mean, std = model.predict(X[:7], return_std=True)
    assert mean.dtype == dtype and std.dtype == dtype
    assert rel_err(std, exact.predict(X[:7].astype(np.float64), return_std=True)[1]) < tol


def test_integer_weights_repeat_rows_and_zero_weights_drop_them():
    X, y = _data(30, 4, seed=12)
    k = np.random.default_rng(0).integers(0, 4, 30)
    k[0] = 0
    weighted = BayesianRidge(compute_score=True).fit(X, y, sample_weight=k)
    repeated = BayesianRidge(compute_score=True).fit(np.repeat(X, k, axis=0), np.repeat(y, k))
    assert weighted.n_iter_ == repeated.n_iter_
    assert rel_err(weighted.coef_, repeated.coef_) < 1e-9
    assert weighted.alpha_ == pytest.approx(repeated.alpha_, rel=1e-9)
    assert weighted.lambda_ == pytest.approx(repeated.lambda_, rel=1e-9)
    assert rel_err(weighted.sigma_, repeated.sigma_) < 1e-9
    assert rel_err(weighted.scores_, repeated.scores_) < 1e-10


def test_scalar_weight_is_a_count():
    X, y = _data(40, 3, seed=13)
    twice = BayesianRidge().fit(X, y, sample_weight=2.0)
    stacked = BayesianRidge().fit(np.vstack([X, X]), np.r_[y, y])
    assert rel_err(twice.coef_, stacked.coef_) < 1e-9
    assert twice.alpha_ == pytest.approx(stacked.alpha_, rel=1e-9)


def test_rank_deficient_designs():
    # a duplicated column (tall) and repeated rows (wide): the null directions get variance
    # 1 / lambda_ and no coefficient, as scikit-learn's SVD gives
    X, y = _data(50, 4, seed=14)
    X = np.c_[X, X[:, 1]]
    Xw, yw = _data(12, 30, seed=15)
    Xw, yw = np.vstack([Xw, Xw[:3]]), np.r_[yw, yw[:3]]
    for A, b in [(X, y), (Xw, yw)]:
        ours = BayesianRidge().fit(A, b)
        theirs = SkBayesianRidge().fit(A, b)
        assert ours.n_iter_ == theirs.n_iter_
        assert rel_err(ours.coef_, theirs.coef_) < 1e-8
        assert ours.alpha_ == pytest.approx(theirs.alpha_, rel=1e-8)
        assert ours.lambda_ == pytest.approx(theirs.lambda_, rel=1e-8)
        assert rel_err(ours.sigma_, theirs.sigma_) < 1e-8
        if A is X:  # the duplicated column shares its weight equally
            assert ours.coef_[1] == pytest.approx(ours.coef_[-1], rel=1e-10)


def test_column_vector_y_is_raveled_with_a_warning():
    X, y = _data(40, 3, seed=16)
    flat = BayesianRidge().fit(X, y)
    with pytest.warns(linreg.LinregWarning, match="column-vector y"):
        column = BayesianRidge().fit(X, y[:, None])
    assert np.array_equal(column.coef_, flat.coef_)
    assert column.coef_.shape == (3,)


def test_inputs_not_modified_and_read_only_inputs_accepted():
    for shape in [(60, 5), (25, 60)]:
        X, y = _data(*shape, seed=17)
        w = _weights(shape[0], True)
        X.setflags(write=False)
        y.setflags(write=False)
        w.setflags(write=False)
        copies = X.copy(), y.copy(), w.copy()
        for copy_X in (True, False):
            model = BayesianRidge(copy_X=copy_X).fit(X, y, sample_weight=w)
            model.predict(X, return_std=True)
        assert np.array_equal(X, copies[0])
        assert np.array_equal(y, copies[1])
        assert np.array_equal(w, copies[2])


# -- convergence, messages, parameters ---------------------------------------------------------


def test_non_convergence_warns_with_the_numbers():
    X, y = _data(25, 60, seed=18)
    full = BayesianRidge().fit(X, y)
    assert full.n_iter_ > 3
    with pytest.warns(linreg.ConvergenceWarning, match=r"max_iter=3 .*change.*tol=1\.0e-03") as rec:
        model = BayesianRidge(max_iter=3).fit(X, y)
    assert "Increase max_iter" in str(rec[0].message)
    assert model.n_iter_ == 3
    theirs = SkBayesianRidge(max_iter=3).fit(X, y)
    assert rel_err(model.coef_, theirs.coef_) < 1e-9
    # the reported change is the L1 change of the last iteration
    r = ref.bayesian_ridge_evidence(X, y, max_iter=3)
    change = np.sum(np.abs(r["means"][-1] - r["means"][-2]))
    assert f"{change:.3e}" in str(rec[0].message)
    with pytest.warns(linreg.ConvergenceWarning, match="max_iter >= 2"):
        BayesianRidge(max_iter=1).fit(X, y)


def test_no_warning_when_converged():
    X, y = _data(60, 5, seed=19)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = BayesianRidge().fit(X, y)
    assert model.n_iter_ < 300


def test_verbose(capsys):
    X, y = _data(60, 5, seed=20)
    BayesianRidge(verbose=True).fit(X, y)
    out = capsys.readouterr().out
    assert "converged after" in out and "alpha_ =" in out
    model = BayesianRidge(verbose=2).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == model.n_iter_ + 1


def test_scores_empty_without_compute_score():
    X, y = _data(60, 5, seed=21)
    model = BayesianRidge().fit(X, y)
    assert model.scores_.shape == (0,)


def test_weights_too_small_to_leave_noise_raise():
    X, y = _data(100, 5, seed=22)
    with pytest.raises(ValueError, match="W > gamma"):
        BayesianRidge(alpha_init=1e6).fit(X, y, sample_weight=np.full(100, 0.01))


@pytest.mark.parametrize("params, error, match", [
    ({"max_iter": 0}, ValueError, "max_iter"),
    ({"max_iter": 2.5}, TypeError, "max_iter"),
    ({"tol": 0.0}, ValueError, "tol"),
    ({"tol": -1e-3}, ValueError, "tol"),
    ({"tol": np.nan}, ValueError, "tol"),
    ({"alpha_1": -1.0}, ValueError, "alpha_1"),
    ({"alpha_2": -1e-6}, ValueError, "alpha_2"),
    ({"lambda_1": -1.0}, ValueError, "lambda_1"),
    ({"lambda_2": np.inf}, ValueError, "lambda_2"),
    ({"alpha_init": -1.0}, ValueError, "alpha_init"),
    ({"lambda_init": -2.0}, ValueError, "lambda_init"),
    ({"alpha_init": "1"}, TypeError, "alpha_init"),
    ({"compute_score": "yes"}, TypeError, "compute_score"),
    ({"fit_intercept": None}, TypeError, "fit_intercept"),
    ({"copy_X": 1}, TypeError, "copy_X"),
    ({"verbose": -1}, ValueError, "verbose"),
])
def test_bad_parameters(params, error, match):
    X, y = _data(20, 3)
    with pytest.raises(error, match=match):
        BayesianRidge(**params).fit(X, y)


def test_bad_data():
    X, y = _data(20, 3)
    with pytest.raises(ValueError, match="one target"):
        BayesianRidge().fit(X, np.c_[y, y])
    with pytest.raises(ValueError, match="NaN"):
        BayesianRidge().fit(np.where(np.arange(60).reshape(20, 3) == 7, np.nan, X), y)
    with pytest.raises(ValueError, match="NaN"):
        BayesianRidge().fit(np.where(np.arange(60).reshape(20, 3) == 4, np.nan, X)[:2], y[:2])
    with pytest.raises(ValueError, match="sample_weight"):
        BayesianRidge().fit(X, y, sample_weight=-np.ones(20))
    with pytest.raises(linreg.NotFittedError):
        BayesianRidge().predict(X)
    model = BayesianRidge().fit(X, y)
    with pytest.raises(TypeError, match="return_std"):
        model.predict(X, return_std="yes")
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :2], return_std=True)


def test_public_name_and_docstring_example():
    assert linreg.BayesianRidge is BayesianRidge
    assert "BayesianRidge" in linreg.__all__
    result = doctest.testmod(linreg.bayes, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# -- scikit-learn's estimator checks -----------------------------------------------------------

NOT_BASE_ESTIMATOR = "ignore:Estimator .* does not inherit from `sklearn.base.BaseEstimator`"
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Estimator .* does not inherit from")
    _checks = parametrize_with_checks([BayesianRidge(), BayesianRidge(compute_score=True,
                                                                      fit_intercept=False)])


# scikit-learn's generic checks fit tiny random designs, some with max_iter=1 or 2, where the
# convergence warning is right and not what those checks are about.
@pytest.mark.filterwarnings(NOT_BASE_ESTIMATOR)
@pytest.mark.filterwarnings("ignore::linreg.ConvergenceWarning")
@_checks
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_clone_and_repr():
    from sklearn.base import clone

    model = BayesianRidge(alpha_init=2.0, compute_score=True)
    twin = clone(model)
    assert twin.get_params() == model.get_params()
    assert repr(model) == "BayesianRidge(alpha_init=2.0, compute_score=True)"
