"""Correct significant digits on the ill-conditioned test designs, linreg against its peers.

    python bench/accuracy.py

Exact references by rational arithmetic (tests/reference.py); the designs are those of
tests/test_accuracy.py. Prints the smallest number of correct digits over all coefficients and
the intercept, per method and design.
"""

from __future__ import annotations

import os
import sys
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

import reference as ref  # noqa: E402
import test_accuracy as designs  # noqa: E402

import linreg  # noqa: E402


def methods():
    out = {
        "linreg auto": lambda X, y: _fit(linreg.LinearRegression(), X, y),
        "linreg cholesky": lambda X, y: _fit(linreg.LinearRegression(solver="cholesky"), X, y),
        "numpy lstsq [1, X]": lambda X, y: _lstsq_raw(X, y),
        "numpy lstsq centred": lambda X, y: _lstsq_centred(X, y),
        "numpy normal equations": lambda X, y: _ne(X, y),
    }
    try:
        from sklearn.linear_model import LinearRegression

        out["sklearn LinearRegression"] = lambda X, y: _fit(LinearRegression(), X, y)
    except ImportError:
        pass
    try:
        import statsmodels.api as sm

        def sm_fit(X, y, method):
            p = sm.OLS(y, sm.add_constant(X)).fit(method=method).params
            return np.r_[p[1:], p[0]]

        out["statsmodels OLS (pinv)"] = lambda X, y: sm_fit(X, y, "pinv")
        out["statsmodels OLS (qr)"] = lambda X, y: sm_fit(X, y, "qr")
    except ImportError:
        pass
    return out


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    return np.r_[est.coef_, est.intercept_]


def _lstsq_raw(X, y):
    b = np.linalg.lstsq(np.c_[np.ones(len(X)), X], y, rcond=None)[0]
    return np.r_[b[1:], b[0]]


def _lstsq_centred(X, y):
    coef, intercept = ref.lstsq(X, y)
    return np.r_[coef, intercept]


def _ne(X, y):
    try:
        coef, intercept = ref.normal_equations(X, y)
    except np.linalg.LinAlgError:
        return np.full(X.shape[1] + 1, np.nan)
    return np.r_[coef, intercept]


def main():
    table = {}
    for name, make in designs.DESIGNS.items():
        X, y = make()
        exact_coef, exact_intercept = ref.exact_least_squares(X, y)
        exact = list(exact_coef) + [exact_intercept]
        for method, fit in methods().items():
            try:
                got = fit(X, y)
                digits = ref.correct_digits(got, exact) if np.all(np.isfinite(got)) else float("nan")
            except Exception as exc:  # a peer that fails outright scores nothing
                digits = float("nan")
                print(f"{method} on {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            table.setdefault(method, {})[name] = digits
    names = list(designs.DESIGNS)
    print(f"{'correct significant digits (worst coefficient)':34}" + "".join(f"{n:>16}" for n in names))
    for method, row in table.items():
        print(f"{method:34}" + "".join(f"{max(row[n], 0.0):16.1f}" for n in names))


if __name__ == "__main__":
    main()
