"""``python -m linreg demo --out DIR``: runs end to end, writes every figure, and prints numbers
that the public API reproduces."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys

import linreg
import numpy as np
import pytest

pytest.importorskip("matplotlib")

FIGURES = ["polynomial_fits.png", "error_vs_degree.png", "error_vs_degree_seed.png",
           "error_vs_alpha.png", "bias_variance.png", "loss_bowl.png", "learning_rates.png",
           "l1_l2_geometry.png", "coefficient_paths.png"]
NUMBER = r"[-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|inf)"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("figures")
    run = subprocess.run([sys.executable, "-m", "linreg", "demo", "--out", str(out)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""  # no warning escapes the story
    return run.stdout, out


def seed():
    """The seed's data and test points, regenerated as the demo documents them."""
    np.random.seed(42)
    x = np.linspace(0, 1, 10)
    y = 0.5 * x + 0.1 + np.random.normal(0, 0.05, 10)
    xt = np.random.uniform(0, 1, 200)
    yt = 0.5 * xt + 0.1 + np.random.normal(0, 0.05, 200)
    side = np.random.uniform(0, 0.1, 100)
    xo = np.where(np.arange(100) % 2 == 0, -side, 1 + side)
    yo = 0.5 * xo + 0.1 + np.random.normal(0, 0.05, 100)
    return x, y, xt, yt, xo, yo


def rows_after(text, header, width):
    """The numeric rows of the table whose header line starts with ``header``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(header))
    rows = []
    for line in lines[start + 1:]:
        nums = re.findall(NUMBER, line)
        if not line.strip() or not re.match(r"\s*" + NUMBER, line) or len(nums) < width:
            break
        rows.append([float(v) for v in nums[:width]])
    return np.array(rows)


def close(printed, value, rel=2e-4, abs_=0.0):
    return abs(printed - value) <= rel * abs(value) + abs_


def test_every_figure_is_a_png(demo):
    text, out = demo
    for name in FIGURES:
        data = (out / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", name
        assert len(data) > 5000, name
        assert str(out / name) in text


def test_polynomial_table_recomputed(demo):
    text, _ = demo
    x, y, xt, yt, xo, yo = seed()
    rows = rows_after(text, "degree   train MSE", 5)
    assert rows[:, 0].tolist() == [1, 3, 5, 7, 9]
    grid = np.linspace(0, 1, 1001)
    tests = []
    for degree, train, test, outside, gap in rows:
        m = linreg.PolynomialRegression(degree=int(degree)).fit(x[:, None], y)
        assert close(train, np.mean((y - m.predict(x[:, None])) ** 2), abs_=1e-25)
        assert close(test, np.mean((yt - m.predict(xt[:, None])) ** 2))
        assert close(outside, np.mean((yo - m.predict(xo[:, None])) ** 2))
        assert close(gap, np.abs(m.predict(grid[:, None]) - (0.5 * grid + 0.1)).max())
        tests.append(test)
    best = [1, 3, 5, 7, 9][int(np.argmin(tests))]
    assert f"Degree {best} has the lowest test error on [0, 1]" in text


def test_condition_table_recomputed(demo):
    text, _ = demo
    x = np.linspace(0, 1, 10)[:, None]
    for degree, power, legendre in rows_after(text, "degree   cond", 3):
        d = int(degree)
        assert close(power, linreg.design_condition(linreg.PolynomialFeatures(d).fit_transform(x)))
        assert close(legendre, linreg.design_condition(
            linreg.PolynomialFeatures(d, basis="legendre").fit_transform(x)))


def test_bias_variance_table_recomputed(demo):
    text, _ = demo
    bv = linreg.bias_variance(linreg.PolynomialRegression(), lambda v: 0.5 * v + 0.1, "degree",
                              [1, 3, 5, 7, 9], n_samples=10, noise=0.05, n_repeats=500,
                              random_state=0)
    rows = rows_after(text, "degree   bias^2", 6)
    assert np.allclose(rows[:, 1], bv.bias2, rtol=2e-4)
    assert np.allclose(rows[:, 2], bv.variance, rtol=2e-4)
    assert np.allclose(rows[:, 4], bv.expected_test_mse, rtol=2e-4)
    assert np.allclose(rows[:, 5], bv.test_mse, rtol=2e-4)


def test_closed_form_gd_and_collinear_ridge_recomputed(demo):
    text, _ = demo
    x, y = seed()[:2]
    ols = linreg.LinearRegression().fit(x[:, None], y)
    w, b = map(float, re.search(rf"w = ({NUMBER})\s+b = ({NUMBER})\s+\(true", text).groups())
    assert close(w, ols.coef_[0], 1e-5) and close(b, ols.intercept_, 1e-5)
    L = float(re.search(rf"L = ({NUMBER}) \(largest", text).group(1))
    gd = linreg.LinearRegression(solver="gd").fit(x[:, None], y)
    assert close(L, gd.lipschitz_, 1e-3)
    assert "DivergenceError" in text
    Xcol = np.c_[x, 2 * x]
    for alpha, w1, w2, total, cond in rows_after(text, "alpha     w1", 5):
        r = linreg.Ridge(alpha=alpha).fit(Xcol, y)
        assert close(w1, r.coef_[0], 1e-5) and close(w2, r.coef_[1], 1e-5)
        assert close(total, r.coef_[0] + 2 * r.coef_[1], 1e-5)
    assert "RankDeficientWarning raised" in text


def test_ridgecv_lasso_enet_and_geometry_recomputed(demo):
    text, _ = demo
    x, y = seed()[:2]
    rows = {m.group(1): float(m.group(2)) for m in
            re.finditer(rf"^\s+(power|legendre)\s+({NUMBER})", text, re.M)}
    for basis, alpha in rows.items():
        F = linreg.PolynomialFeatures(9, basis=basis).fit_transform(x[:, None])
        # raw powers: RidgeCV leaves the Gram for the SVD and says so
        with (pytest.warns(linreg.IllConditionedWarning) if basis == "power"
              else contextlib.nullcontext()):
            cv = linreg.RidgeCV(alphas=np.logspace(-10, 2, 49)).fit(F, y)
        assert close(alpha, cv.alpha_, 1e-3)
    rng = np.random.default_rng(0)
    Xs = rng.standard_normal((50, 20))
    coef = np.zeros(20)
    coef[[0, 5, 12]] = [3.0, -2.0, 1.5]
    ys = Xs @ coef + 1.0 + 0.5 * rng.standard_normal(50)
    lasso = linreg.LassoCV(cv=5).fit(Xs, ys)
    zeros = re.search(r"exact zeros: Lasso (\d+) of 20 \(truth: 17\), Ridge (\d+) of 20", text)
    assert int(zeros.group(1)) == int((lasso.coef_ == 0).sum()) > 0
    assert int(zeros.group(2)) == 0
    for j, true, lasso_j, ridge_j in rows_after(text, "feature    true", 4):
        assert close(lasso_j, lasso.coef_[int(j)], 1e-3, 1e-4) and true == coef[int(j)]
    rng = np.random.default_rng(0)
    X2 = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], 100)
    y2 = X2 @ [2.0, 0.6] + 0.3 * rng.standard_normal(100)
    geo = linreg.constraint_geometry(X2, y2, 1.0)
    lasso_w = re.search(rf"L1 diamond \(Lasso\)\s+w = \(({NUMBER}), ({NUMBER})\)", text)
    ridge_w = re.search(rf"L2 ball \(Ridge\)\s+w = \(({NUMBER}), ({NUMBER})\)", text)
    assert np.allclose([float(v) for v in lasso_w.groups()], geo.lasso, atol=1e-4)
    assert np.allclose([float(v) for v in ridge_w.groups()], geo.ridge, atol=1e-4)


def test_demo_without_output_dir_says_how_to_get_figures():
    import io

    from linreg.__main__ import demo

    buf = io.StringIO()
    assert demo(out=buf) == 0
    assert "python -m linreg demo --out DIR" in buf.getvalue()


def test_demo_without_matplotlib_prints_tables_and_says_how(tmp_path, monkeypatch):
    import io

    from linreg.__main__ import demo

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    buf = io.StringIO()
    assert demo(out=buf, figures=str(tmp_path)) == 0
    text = buf.getvalue()
    assert "matplotlib is not installed; pip install 'linreg[plot]'" in text
    assert "degree   train MSE" in text and "exact zeros: Lasso" in text
    assert list(tmp_path.iterdir()) == []


def test_probabilistic_view_recomputed(demo):
    text, _ = demo
    x, y = seed()[:2]
    X = x[:, None]
    ols = linreg.LinearRegression().fit(X, y)
    inf = ols.inference()
    assert f"R-squared                       {inf.rsquared:.4f}" in text
    assert f"Log-likelihood                 {inf.llf:.6g}" in text
    mle = linreg.fit_by_likelihood(X, y)
    got = re.search(rf"w = ({NUMBER})  b = ({NUMBER})  sigma\^2 = ({NUMBER})   log-likelihood",
                    text)
    assert close(float(got.group(1)), mle.coef[0], 1e-7)
    assert close(float(got.group(3)), inf.sigma2_mle, 1e-6)
    assert close(float(got.group(1)), ols.coef_[0], 1e-7)
    ridge = linreg.Ridge(alpha=0.25).fit(X, y)
    got = re.search(rf"\(MAP\)\n\s+w = ({NUMBER})\s+b = ({NUMBER});", text)
    assert close(float(got.group(1)), ridge.coef_[0], 1e-7)
    bayes = linreg.BayesianRidge().fit(X, y)
    got = re.search(rf"1/alpha_ = ({NUMBER})", text)
    assert close(float(got.group(1)), 1 / bayes.alpha_, 1e-4)
