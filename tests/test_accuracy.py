"""Accuracy on ill-conditioned designs, against exact rational references.

Each design is small enough for fractions.Fraction to give the exact least-squares solution of the
data as stored; the default solver must get at least 7 significant digits of every coefficient.
"""

from __future__ import annotations

import numpy as np
import pytest

import linreg

import reference as ref


def polynomial_on_negative_interval(n=40, degree=10):
    """Raw powers x, x^2, ..., x^10 of x on [-9, -3]: nearly collinear, huge column means."""
    rng = np.random.default_rng(10)
    x = np.linspace(-9.0, -3.0, n)
    X = np.vander(x, degree + 1, increasing=True)[:, 1:]
    y = np.sin(x) + 0.01 * rng.standard_normal(n)
    return X, y


def longley_like():
    """Sixteen 'years' of six collinear, large-mean macroeconomic series, rounded to 0.1."""
    rng = np.random.default_rng(1947)
    t = np.arange(16.0)
    deflator = 83.0 + 2.3 * t + rng.normal(0, 0.8, 16)
    gnp = 234289.0 + 17000.0 * t + rng.normal(0, 2500, 16)
    unemployed = 2356.0 + 120.0 * t + rng.normal(0, 700, 16)
    armed = 1590.0 + 130.0 * t + rng.normal(0, 400, 16)
    population = 107608.0 + 1700.0 * t + rng.normal(0, 80, 16)
    year = 1947.0 + t
    X = np.round(np.c_[deflator, gnp, unemployed, armed, population, year], 1)
    y = np.round(60323.0 + 0.03 * gnp - 0.02 * unemployed - 0.01 * armed - 0.05 * population
                 + 300.0 * t + rng.normal(0, 300, 16), 1)
    return X, y


def noisy_quintic():
    """Degree-5 raw powers of x = 0..20 with noise that dwarfs the signal (R^2 ~ 0.002)."""
    rng = np.random.default_rng(5)
    x = np.arange(21.0)
    X = np.vander(x, 6, increasing=True)[:, 1:]
    e = rng.standard_normal(21)
    A = np.c_[np.ones(21), X]
    fitted = A @ np.linalg.lstsq(A, e, rcond=None)[0]
    resid = e - fitted
    signal = fitted - fitted.mean()
    # Keep 0.2% of the variance in the span of the polynomial.
    y = resid + signal * np.sqrt(0.002 / 0.998) * np.linalg.norm(resid) / np.linalg.norm(signal)
    return X, np.round(y * 1e6) / 1e6


DESIGNS = {
    "poly10[-9,-3]": polynomial_on_negative_interval,
    "longley-like": longley_like,
    "noisy-quintic": noisy_quintic,
}


@pytest.fixture(scope="module", params=sorted(DESIGNS))
def design(request):
    X, y = DESIGNS[request.param]()
    exact_coef, exact_intercept = ref.exact_least_squares(X, y)
    return request.param, X, y, exact_coef, exact_intercept


def test_default_solver_gets_seven_digits(design):
    name, X, y, exact_coef, exact_intercept = design
    model = linreg.LinearRegression().fit(X, y)
    digits = ref.correct_digits(np.r_[model.coef_, model.intercept_],
                                list(exact_coef) + [exact_intercept])
    assert digits >= 7, f"{name}: {digits:.2f} correct digits"
    assert model.solver_ == "qr"


def test_designs_are_really_ill_conditioned(design):
    """The test would be weak on easy data: check the designs are as hard as claimed."""
    name, X, y, _, _ = design
    raw = np.linalg.cond(np.c_[np.ones(len(X)), X])
    assert raw > 1e6, f"{name}: condition of [1, X] {raw:.3g}"
    Xc = X - X.mean(0)
    kappa = np.linalg.cond(Xc / np.linalg.norm(Xc, axis=0))
    assert kappa > 300, f"{name}: condition of the centred, scaled design {kappa:.3g}"
    model = linreg.LinearRegression().fit(X, y)
    assert model.cond_ == pytest.approx(kappa, rel=0.5)
    if name == "noisy-quintic":
        assert model.score(X, y) < 0.01


def test_ridge_qr_matches_exact_ridge():
    """Ridge on the polynomial design: exact answer of (Xc'Xc + alpha I) w = Xc'yc."""
    from fractions import Fraction

    X, y = polynomial_on_negative_interval(n=25, degree=6)
    alpha = 0.5
    model = linreg.Ridge(alpha=alpha, solver="qr").fit(X, y)
    # exact: augment with sqrt(alpha) rows is irrational; solve the normal equations exactly.
    n, d = X.shape
    Xf = [[Fraction(float(v)) for v in row] for row in X]
    yf = [Fraction(float(v)) for v in y]
    xm = [sum(Xf[i][j] for i in range(n)) / n for j in range(d)]
    ym = sum(yf) / n
    A = [[sum((Xf[i][a] - xm[a]) * (Xf[i][b] - xm[b]) for i in range(n)) + (Fraction(alpha)
          if a == b else 0) for b in range(d)] for a in range(d)]
    rhs = [sum((Xf[i][a] - xm[a]) * (yf[i] - ym) for i in range(n)) for a in range(d)]
    M = [A[a] + [rhs[a]] for a in range(d)]
    for c in range(d):
        pv = M[c][c]
        M[c] = [v / pv for v in M[c]]
        for r in range(d):
            if r != c:
                f = M[r][c]
                M[r] = [a - f * b for a, b in zip(M[r], M[c])]
    exact = [M[a][d] for a in range(d)]
    assert ref.correct_digits(model.coef_, exact) >= 7


# --- data at the edges of the double range --------------------------------------------------


def _data(n=40, d=3, seed=40):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.standard_normal(n)


@pytest.mark.parametrize("n", [20, 100_000])
def test_all_zero_X_without_intercept_is_rank_zero(n):
    # The QR of a zero design has no pivot column: the solve read an empty basis (a crash).
    y = np.linspace(-1.0, 2.0, n)
    X = np.zeros((n, 3))
    with pytest.warns(linreg.RankDeficientWarning, match="rank 0 of 3"):
        est = linreg.LinearRegression(fit_intercept=False).fit(X, y)
    np.testing.assert_array_equal(est.coef_, np.linalg.lstsq(X, y, rcond=None)[0])
    assert est.intercept_ == 0.0 and est.rank_ == 0


@pytest.mark.parametrize("solver", ["auto", "qr"])
@pytest.mark.parametrize("scale", [1e-170, 1e150])
def test_columns_whose_squares_under_or_overflow(solver, scale):
    # The QR path scaled each column by sqrt(sum of squares): 0 below |x| ~ 1e-154 (the column
    # was dropped as zero) and inf above ~1e154. The solution of X * s is the solution of X / s.
    X, y = _data()
    coef, intercept = ref.lstsq(X, y)
    est = linreg.LinearRegression(solver=solver).fit(X * scale, y)
    np.testing.assert_allclose(est.coef_ * scale, coef, rtol=1e-12)
    assert est.intercept_ == pytest.approx(intercept, rel=1e-12)


@pytest.mark.parametrize("n, alpha", [(40, 1e12), (40, 1e300), (1000, 1e70), (100_000, 1e12),
                                      (100_000, 1e40), (100_000, 1e300)])
def test_a_penalty_far_above_the_curvature(n, alpha):
    # The QR path scaled the augmented design's ridge rows to sqrt(alpha) / ||x_j||: from
    # alpha ~ 1e40 on, NaN coefficients and an infinite intercept. Scaled to unit columns, its
    # refinement still lost the ridge rows' residuals (1e-35 of the data rows') from alpha ~ 1e60
    # at n = 1000 and doubled the coefficients; such penalties take the normal equations, whose
    # condition number is then below 1 + sqrt(u).
    X, y = _data(n=n)
    coef, intercept = ref.normal_equations(X, y, alpha=alpha)
    est = linreg.Ridge(alpha=alpha).fit(X, y)
    np.testing.assert_allclose(est.coef_, coef, rtol=1e-10)
    assert est.intercept_ == pytest.approx(intercept, rel=1e-12)


def test_ridge_on_X_whose_squares_underflow():
    # X * 1e-160 with alpha = 1e-3: (s^2 Xc'Xc + alpha I)^-1 s Xc'yc = s Xc'yc / alpha to far
    # below rounding (the neglected term is s^2 ||Xc'Xc|| / alpha ~ 1e-315). The QR reported
    # rank 0 and an intercept of 0, or crashed.
    X, y = _data()
    s, alpha = 1e-160, 1e-3
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    est = linreg.Ridge(alpha=alpha).fit(X * s, y)
    np.testing.assert_allclose(est.coef_, s * (Xc.T @ yc) / alpha, rtol=1e-10)
    assert est.intercept_ == pytest.approx(y.mean(), rel=1e-12)


def test_coefficients_that_overflow_are_refused():
    X, y = _data()
    with pytest.raises(ValueError, match=r"not representable in double precision: with X's "
                                         r"largest entry [0-9.]+e-320"):
        linreg.LinearRegression(fit_intercept=False).fit(X * 1e-320, y)
