"""The lab: bias-variance by repeated sampling, the L1/L2 constraint geometry, and the figures."""

from __future__ import annotations

import linreg
import numpy as np
import pytest


def line(x):
    return 0.5 * x + 0.1


def test_correct_degree_has_no_bias_and_variance_shrinks_with_data():
    small = linreg.bias_variance(linreg.PolynomialRegression(), line, "degree", [1, 2],
                                 n_samples=20, noise=0.1, n_repeats=400, random_state=0)
    large = linreg.bias_variance(linreg.PolynomialRegression(), line, "degree", [1, 2],
                                 n_samples=200, noise=0.1, n_repeats=400, random_state=0)
    for r in (small, large):
        # the Monte Carlo estimate of bias^2 has expectation variance / n_repeats when the
        # model is unbiased; a biased model would sit far above that
        assert (r.bias2 < 4 * r.variance / r.n_repeats).all()
    # OLS variance at the test points scales like p / n: 10x the data, ~1/10 the variance
    assert (large.variance < small.variance / 5).all()
    assert large.variance[0] == pytest.approx(small.variance[0] / 10, rel=0.3)
    # expected test error = bias^2 + variance + noise, and the measured one agrees
    assert np.allclose(small.expected_test_mse, small.test_mse, rtol=0.05)


def test_underfitting_model_has_bias():
    r = linreg.bias_variance(linreg.PolynomialRegression(), np.sin, "degree", [1, 2, 4],
                             domain=(0, 3), n_samples=30, noise=0.1, n_repeats=100,
                             random_state=1)
    assert r.bias2[0] > r.bias2[1] > r.bias2[2]
    # far above the Monte Carlo floor variance / n_repeats of an unbiased model
    assert r.bias2[0] > 1000 * r.variance[0] / r.n_repeats
    assert r.bias2[1] > 10 * r.variance[1] / r.n_repeats


def test_fixed_design_equals_a_loop_of_fits():
    """The multi-target shortcut (all repeats in one fit) equals fitting each repeat alone."""
    r = linreg.bias_variance(linreg.PolynomialRegression(), line, "degree", [3], n_samples=8,
                             n_repeats=5, n_test=7, random_state=3)
    rng = np.random.default_rng(3)
    x = np.linspace(0, 1, 8)
    ys = line(x) + 0.05 * rng.standard_normal((5, 8))
    xt = np.linspace(0, 1, 7)
    preds = np.array([linreg.PolynomialRegression(degree=3).fit(x[:, None], yr)
                      .predict(xt[:, None]) for yr in ys])
    assert np.allclose(r.mean_prediction[0], preds.mean(axis=0), atol=1e-12)
    assert r.variance[0] == pytest.approx(np.mean(preds.var(axis=0)), rel=1e-10)
    assert r.bias2[0] == pytest.approx(np.mean((preds.mean(axis=0) - line(xt)) ** 2), rel=1e-8)


def test_uniform_design_and_alpha_grid():
    r = linreg.bias_variance(linreg.PolynomialRegression(degree=5, basis="power"), np.sin,
                             "alpha", [1e-8, 1e-2, 10.0], domain=(0, 3), design="uniform",
                             n_samples=20, n_repeats=50, noise=0.2, random_state=2)
    assert r.variance[0] > r.variance[1] > r.variance[2]   # the penalty trades variance ...
    assert r.bias2[2] > 10 * r.bias2[1]                      # ... for bias
    assert r.param_name == "alpha"


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(param_name="deg"), ValueError, "no parameter 'deg'"),
    (dict(n_repeats=1), ValueError, "n_repeats must be an integer >= 2"),
    (dict(noise=-1.0), ValueError, "noise must be"),
    (dict(domain=(1, 0)), ValueError, "domain"),
    (dict(param_range=[]), ValueError, "param_range"),
    (dict(truth=3), TypeError, "truth must be a callable"),
    (dict(design="grid"), ValueError, "design must be one of"),
])
def test_bias_variance_bad_arguments(kwargs, exc, match):
    args = dict(estimator=linreg.PolynomialRegression(), truth=line, param_name="degree",
                param_range=[1, 2])
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        linreg.bias_variance(**args)


def geometry_data():
    rng = np.random.default_rng(0)
    X = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], 100)
    return X, X @ [2.0, 0.6] + 0.3 * rng.standard_normal(100)


def test_lasso_optimum_on_a_corner_ridge_optimum_on_the_ball():
    X, y = geometry_data()
    geo = linreg.constraint_geometry(X, y, 1.0)
    assert np.abs(geo.lasso).sum() == pytest.approx(1.0, abs=1e-9)
    assert (geo.lasso == 0).sum() == 1                   # a corner: one weight exactly zero
    assert np.linalg.norm(geo.ridge) == pytest.approx(1.0, abs=1e-9)
    assert (geo.ridge != 0).all() and np.abs(geo.ridge).min() > 0.1
    # each is the constrained minimum: no point of the boundary does better (a fine sweep)
    theta = np.linspace(0, 2 * np.pi, 20001)
    circle = np.c_[np.cos(theta), np.sin(theta)]
    assert geo.loss(*geo.ridge) <= geo.loss(circle[:, 0], circle[:, 1]).min() + 1e-9
    s = np.linspace(-1, 1, 20001)
    diamond = np.r_[np.c_[s, 1 - np.abs(s)], np.c_[s, np.abs(s) - 1]]
    assert geo.loss(*geo.lasso) <= geo.loss(diamond[:, 0], diamond[:, 1]).min() + 1e-9
    # and they are Ridge / Lasso at the alphas found
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    assert np.allclose(linreg.Ridge(alpha=geo.ridge_alpha, fit_intercept=False).fit(Xc, yc).coef_,
                       geo.ridge)


def test_inside_the_constraint_least_squares_is_the_answer():
    X, y = geometry_data()
    geo = linreg.constraint_geometry(X, y, 10.0)
    assert np.allclose(geo.ridge, geo.ols) and np.allclose(geo.lasso, geo.ols)
    assert geo.ridge_alpha == geo.lasso_alpha == 0.0
    with pytest.raises(ValueError, match="radius"):
        linreg.constraint_geometry(X, y, 0.0)
    with pytest.raises(ValueError, match="shape"):
        linreg.constraint_geometry(np.c_[X, X], y, 1.0)


# -- figures -----------------------------------------------------------------------------------

def _check_labelled(ax):
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert ax.get_legend() is not None and ax.get_legend().get_texts()


@pytest.fixture
def plotting():
    pytest.importorskip("matplotlib")
    import linreg.plotting as plotting
    import matplotlib.pyplot as plt

    yield plotting
    plt.close("all")


def test_geometry_figure_marks_the_computed_optima(plotting):
    X, y = geometry_data()
    ax = plotting.plot_constraint_geometry(X, y, 1.0)
    _check_labelled(ax)
    geo = linreg.constraint_geometry(X, y, 1.0)
    marks = {line.get_label().split(" (")[0]: line.get_xydata()[0] for line in ax.lines}
    assert np.array_equal(marks["Lasso optimum"], geo.lasso)
    assert marks["Lasso optimum"][1] == 0.0
    assert np.array_equal(marks["Ridge optimum"], geo.ridge)
    assert (marks["Ridge optimum"] != 0).all()


def test_every_figure_is_labelled(plotting, tmp_path):
    np.random.seed(42)
    x = np.linspace(0, 1, 10)
    y = 0.5 * x + 0.1 + np.random.normal(0, 0.05, 10)
    bv = linreg.bias_variance(linreg.PolynomialRegression(), line, "degree", [1, 3, 9],
                              n_repeats=20, random_state=0)
    axes = [plotting.plot_polynomial_fits(x, y, (1, 9)),
            plotting.plot_error_vs_complexity(bv.param_range, bv.train_mse, bv.test_mse),
            plotting.plot_bias_variance(bv),
            plotting.plot_loss_bowl(x, y),
            plotting.plot_learning_rates(x[:, None], y),
            *plotting.plot_coefficient_paths(np.c_[x, x**2, np.sin(x)], y)]
    for ax in axes:
        _check_labelled(ax)
    path = tmp_path / "f.png"
    axes[0].figure.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_learning_rate_curves(plotting):
    np.random.seed(42)
    x = np.linspace(0, 1, 10)
    y = 0.5 * x + 0.1 + np.random.normal(0, 0.05, 10)
    L, f_star, curves = plotting.learning_rate_curves(x[:, None], y, (0.5, 2.1), n_steps=20)
    assert np.all(np.diff(curves[0.5]) <= 0) and curves[0.5][-1] - f_star < 1e-10
    assert curves[2.1][-1] > 10 * curves[2.1][0]          # above 2/L: it grows
    gd = linreg.LinearRegression(solver="gd", learning_rate=0.5 / L, max_iter=20, tol=None)
    assert np.allclose(curves[0.5], gd.fit(x[:, None], y).loss_history_)


def test_importing_linreg_does_not_import_matplotlib():
    import os
    import subprocess
    import sys

    pytest.importorskip("matplotlib")
    code = ("import sys, linreg, linreg.lab, linreg.polynomial; linreg.plotting; "
            "assert 'matplotlib' not in sys.modules, 'imported early'; "
            "plt = linreg.plotting._pyplot(); import matplotlib; "
            "assert matplotlib.get_backend().lower() == 'agg', matplotlib.get_backend()")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False, env=env)
    assert run.returncode == 0, run.stderr
