"""Plain NumPy (and exact rational) reference implementations.

Short and obviously correct; the core must agree with them. Nothing here calls linreg.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np


def centred(X, y, sample_weight=None, fit_intercept=True):
    """Weighted means and the centred, sqrt(weight)-scaled design and targets."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, np.float64)
    if fit_intercept:
        xm = w @ X / w.sum()
        ym = w @ y / w.sum()
    else:
        xm = np.zeros(X.shape[1])
        ym = np.zeros(y.shape[1:]) if y.ndim > 1 else 0.0
    sw = np.sqrt(w)
    Xc = (X - xm) * sw[:, None]
    yc = (y - ym) * (sw[:, None] if y.ndim > 1 else sw)
    return Xc, yc, xm, ym


def normal_equations(X, y, alpha=0.0, sample_weight=None, fit_intercept=True):
    """Ridge/OLS by the normal equations on centred data: (Xc'Xc + alpha I) w = Xc'yc."""
    Xc, yc, xm, ym = centred(X, y, sample_weight, fit_intercept)
    A = Xc.T @ Xc + alpha * np.eye(X.shape[1])
    coef = np.linalg.solve(A, Xc.T @ yc)
    intercept = ym - xm @ coef
    return coef, intercept


def lstsq(X, y, sample_weight=None, fit_intercept=True):
    """Minimum-norm least squares on the centred data (numpy.linalg.lstsq)."""
    Xc, yc, xm, ym = centred(X, y, sample_weight, fit_intercept)
    coef = np.linalg.lstsq(Xc, yc, rcond=None)[0]
    intercept = ym - xm @ coef
    return coef, intercept


def ridge_augmented(X, y, alpha, sample_weight=None, fit_intercept=True):
    """Ridge as least squares on [Xc; sqrt(alpha) I] (numpy.linalg.lstsq)."""
    Xc, yc, xm, ym = centred(X, y, sample_weight, fit_intercept)
    d = X.shape[1]
    A = np.vstack([Xc, np.sqrt(alpha) * np.eye(d)])
    b = np.concatenate([yc, np.zeros((d,) + yc.shape[1:])])
    coef = np.linalg.lstsq(A, b, rcond=None)[0]
    return coef, ym - xm @ coef


def statistics(X, y, sample_weight=None, fit_intercept=True):
    """Weighted count, means, centred Gram, X'y and y'y, in two passes (plain NumPy)."""
    Y = np.asarray(y, dtype=np.float64).reshape(len(X), -1)
    Xc, Yc, xm, ym = centred(X, Y, sample_weight, fit_intercept)
    w = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    return {
        "weight_sum": w.sum(),
        "x_mean": xm,
        "y_mean": ym,
        "xx": Xc.T @ Xc,
        "xy": Xc.T @ Yc,
        "yy": Yc.T @ Yc,
    }


def exact_least_squares(X, y, fit_intercept=True):
    """Exact OLS coefficients of float data, by rational arithmetic (fractions.Fraction).

    Solves the normal equations of [1, X] exactly by Gaussian elimination over the rationals:
    the float inputs are exact binary fractions, so the answer is the exact minimiser of the
    problem as stored. Small problems only (cost grows with the size of the numerators).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = X.shape
    rows = [[Fraction(1)] * fit_intercept + [Fraction(float(v)) for v in X[i]] for i in range(n)]
    ys = [Fraction(float(v)) for v in y]
    p = d + int(fit_intercept)
    A = [[sum(rows[i][a] * rows[i][b] for i in range(n)) for b in range(p)] for a in range(p)]
    rhs = [sum(rows[i][a] * ys[i] for i in range(n)) for a in range(p)]
    # Gauss-Jordan elimination, exact.
    M = [A[a][:] + [rhs[a]] for a in range(p)]
    for col in range(p):
        piv = next(r for r in range(col, p) if M[r][col] != 0)
        M[col], M[piv] = M[piv], M[col]
        pv = M[col][col]
        M[col] = [v / pv for v in M[col]]
        for r in range(p):
            if r != col and M[r][col] != 0:
                f = M[r][col]
                M[r] = [a - f * b for a, b in zip(M[r], M[col])]
    beta = [M[a][p] for a in range(p)]
    intercept = beta[0] if fit_intercept else Fraction(0)
    return beta[int(fit_intercept):], intercept


def correct_digits(computed, exact) -> float:
    """Smallest number of correct significant digits over the coefficients."""
    worst = np.inf
    for c, e in zip(np.ravel(computed), exact):
        e = Fraction(e)
        if e == 0:
            err = abs(float(c))
            digits = np.inf if err == 0 else -np.log10(err)
        else:
            rel = abs((Fraction(float(c)) - e) / e)
            digits = np.inf if rel == 0 else -np.log10(float(rel))
        worst = min(worst, digits)
    return float(worst)
