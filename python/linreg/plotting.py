"""Figures for the ideas of linear regression, computed by linreg and drawn with matplotlib.

matplotlib is an optional extra (``pip install "linreg[plot]"``), imported only when a function
here is called; without a display (no ``DISPLAY``/``WAYLAND_DISPLAY`` on Linux, and no
``MPLBACKEND`` chosen) the non-interactive Agg backend is selected. Every function draws into
``ax`` when given (``axes`` for the two-panel figure) or on a new figure, and returns the axes;
every figure has labelled axes, a title and a legend.
"""

from __future__ import annotations

import os
import sys
import warnings

import numpy as np

__all__ = [
    "plot_bias_variance",
    "plot_coefficient_paths",
    "plot_constraint_geometry",
    "plot_error_vs_complexity",
    "plot_learning_rates",
    "plot_loss_bowl",
    "plot_polynomial_fits",
]


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise ImportError("linreg.plotting needs matplotlib: pip install 'linreg[plot]' "
                          "(or pip install matplotlib)") from None
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and not os.environ.get("MPLBACKEND") and "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _axes(ax, ncols=1, size=(6.4, 4.6)):
    if ax is not None:
        return ax
    plt = _pyplot()
    _, axes = plt.subplots(1, ncols, figsize=(size[0] * ncols, size[1]), layout="constrained")
    return axes


def plot_polynomial_fits(x, y, degrees=(1, 3, 9), *, truth=None, x_test=None, y_test=None,
                         basis="legendre", margin=0.1, ax=None):
    """Least-squares polynomials of several degrees through the points ``(x, y)``.

    The curves are drawn over the data's range widened by ``margin`` on each side, where a high
    degree shows what it does between and beyond the points it interpolates.
    """
    from .polynomial import PolynomialRegression

    ax = _axes(ax)
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    span = x.max() - x.min()
    grid = np.linspace(x.min() - margin * span, x.max() + margin * span, 400)
    lows, highs = [y.min()], [y.max()]
    for degree in degrees:
        model = PolynomialRegression(degree=degree, basis=basis).fit(x[:, None], y)
        curve = model.predict(grid[:, None])
        ax.plot(grid, curve, label=f"degree {degree}")
        lows.append(curve[(grid >= x.min()) & (grid <= x.max())].min())
        highs.append(curve[(grid >= x.min()) & (grid <= x.max())].max())
    if truth is not None:
        ax.plot(grid, truth(grid), "k--", lw=1, label="truth")
    if x_test is not None:
        ax.plot(x_test, y_test, ".", color="0.6", ms=4, label="fresh test points")
    ax.plot(x, y, "ko", label="training points")
    pad = 0.5 * (max(highs) - min(lows))
    ax.set_ylim(min(lows) - pad, max(highs) + pad)
    ax.axvspan(x.min(), x.max(), color="0.95", zorder=0)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("Polynomial least squares: higher degree, lower training error")
    ax.legend(fontsize="small")
    return ax


def plot_error_vs_complexity(param_range, train_mse, test_mse, *, param_name="degree",
                             log_x=False, ax=None):
    """Training and test error over model complexity (degree, or alpha): the U of test error."""
    ax = _axes(ax)
    grid = np.asarray(param_range, dtype=np.float64)
    ax.plot(grid, train_mse, "o-", label="training MSE")
    ax.plot(grid, test_mse, "s-", label="test MSE")
    best = int(np.argmin(test_mse))
    ax.plot(grid[best], np.asarray(test_mse)[best], "r*", ms=14,
            label=f"lowest test MSE ({param_name} = {grid[best]:.3g})")
    ax.set_yscale("log")
    # an interpolating model has training error ~1e-30: keep the axis on the test error
    ax.set_ylim(min(np.min(test_mse), np.max(train_mse)) / 10, None)
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel(param_name)
    ax.set_ylabel("mean squared error")
    ax.set_title(f"Training and test error vs {param_name}")
    ax.legend(fontsize="small")
    return ax


def learning_rate_curves(X, y, factors=(0.05, 1.0, 1.9, 2.1), n_steps=40):
    """Objective per step of gradient descent for learning rates ``factor / L``.

    Returns ``(L, F_star, curves)``, ``curves[factor]`` the objective ``F`` from the start point
    through ``n_steps`` steps. Rates below ``2/L`` are run by ``linreg.LinearRegression(
    solver="gd")`` (its ``loss_history_``); linreg stops a rate above ``2/L`` at once with a
    :class:`linreg.DivergenceError`, so for those the curve is the seed's update
    ``w = w - lr * grad`` iterated in NumPy on the centred data, the same step linreg takes.
    """
    from ._base import ConvergenceWarning, DivergenceError
    from .linear import LinearRegression

    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    probe = LinearRegression(solver="gd", max_iter=1, tol=None).fit(X, y)
    L = float(probe.lipschitz_)
    ols = LinearRegression().fit(X, y)
    f_star = float(np.mean((y - ols.predict(X)) ** 2))
    Xc = X - X.mean(axis=0)
    yc = y - y.mean()
    curves = {}
    for factor in factors:
        lr = factor / L
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                est = LinearRegression(solver="gd", learning_rate=lr, max_iter=n_steps,
                                       tol=None).fit(X, y)
            curves[factor] = np.asarray(est.loss_history_, dtype=np.float64)
        except DivergenceError:
            w = np.zeros(X.shape[1])
            hist = [float(np.mean(yc**2))]
            for _ in range(n_steps):
                grad = -2 / len(yc) * Xc.T @ (yc - Xc @ w)
                w = w - lr * grad
                hist.append(float(np.mean((yc - Xc @ w) ** 2)))
            curves[factor] = np.array(hist)
    return L, f_star, curves


def plot_learning_rates(X, y, factors=(0.05, 1.0, 1.9, 2.1), *, n_steps=40, ax=None):
    """Gradient-descent loss curves ``F - F*`` for learning rates ``factor / L``, one above the
    stability bound ``2/L`` (see :func:`learning_rate_curves`)."""
    ax = _axes(ax)
    L, f_star, curves = learning_rate_curves(X, y, factors, n_steps)
    for factor, hist in curves.items():
        gap = np.maximum(hist - f_star, 1e-300)
        style = "--" if factor > 2 else "-"
        words = "diverges" if factor > 2 else ("crawls" if factor < 0.2 else "converges")
        ax.plot(np.arange(len(hist)), gap, style, marker=".",
                label=f"lr = {factor:g}/L = {factor / L:.3g} ({words})")
    ax.set_yscale("log")
    ax.set_ylim(max(1e-17, min(float(np.min(np.maximum(h - f_star, 1e-300))) for h in
                               curves.values())), None)
    ax.set_xlabel("step")
    ax.set_ylabel("F(w) - F*  (mean squared error above its minimum)")
    ax.set_title(f"Gradient descent: L = {L:.4g}, steps above 2/L = {2 / L:.4g} diverge")
    ax.legend(fontsize="small")
    return ax


def plot_loss_bowl(x, y, *, learning_rate_factor=0.3, n_steps=12, ax=None):
    """The squared-error loss of ``y ~ w x + b`` over ``(w, b)``: a convex bowl, its minimum
    (the closed form) and the path of gradient descent to it."""
    from .linear import LinearRegression

    ax = _axes(ax)
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    X = x[:, None]
    ols = LinearRegression().fit(X, y)
    w0, b0 = float(ols.coef_[0]), float(ols.intercept_)
    path = [(0.0, float(y.mean()))]
    probe = LinearRegression(solver="gd", max_iter=1, tol=None).fit(X, y)
    lr = learning_rate_factor / float(probe.lipschitz_)

    def record(p):
        path.append((float(p.coef[0]), float(p.intercept)))

    LinearRegression(solver="gd", learning_rate=lr, max_iter=n_steps, tol=None,
                     callback=record).fit(X, y)
    path = np.array(path)
    half_w = max(2.0 * abs(w0), 1.2 * np.abs(path[:, 0] - w0).max(), 0.5)
    half_b = max(1.2 * np.abs(path[:, 1] - b0).max(), 0.5 * half_w)
    W, B = np.meshgrid(np.linspace(w0 - half_w, w0 + half_w, 200),
                       np.linspace(b0 - half_b, b0 + half_b, 200))
    F = np.mean((y[:, None, None] - W[None] * x[:, None, None] - B[None]) ** 2, axis=0)
    cs = ax.contour(W, B, F, levels=np.quantile(F, np.linspace(0.002, 0.9, 14)), cmap="viridis")
    ax.clabel(cs, fontsize="x-small", fmt="%.3g")
    ax.plot(path[:, 0], path[:, 1], "o-", color="C3", ms=4,
            label=f"gradient descent, lr = {learning_rate_factor:g}/L")
    ax.plot(w0, b0, "k*", ms=14, label=f"closed form (w = {w0:.3f}, b = {b0:.3f})")
    ax.set_xlabel("slope w")
    ax.set_ylabel("intercept b")
    ax.set_title("The squared-error loss is a convex bowl")
    ax.legend(fontsize="small")
    return ax


def plot_constraint_geometry(X, y=None, radius=1.0, *, ax=None):
    """Loss contours of a two-feature problem with the L2 ball and the L1 diamond of radius
    ``radius`` and the constrained optimum on each, computed by linreg's Ridge and Lasso at the
    matching alpha (:func:`linreg.constraint_geometry`; pass its result as ``X`` to draw it
    without recomputing). The Lasso optimum sits on a corner of the diamond when the contours
    first touch it there: one coefficient is exactly zero."""
    from .lab import constraint_geometry

    ax = _axes(ax, size=(6.0, 6.0))
    geo = X if hasattr(X, "lasso") else constraint_geometry(X, y, radius)
    t = geo.radius
    reach = 1.25 * max(t, float(np.abs(geo.ols).max()))
    g = np.linspace(-reach, reach, 300)
    W1, W2 = np.meshgrid(g, g)
    F = geo.loss(W1, W2)
    f_ols = float(geo.loss(*geo.ols))
    levels = f_ols + (F.max() - f_ols) * np.linspace(0.0, 1.0, 16)[1:] ** 2
    ax.contour(W1, W2, F, levels=levels, colors="0.6", linewidths=0.7)
    ax.contour(W1, W2, F, levels=sorted({float(geo.loss(*geo.ridge)),
                                         float(geo.loss(*geo.lasso))}),
               colors=["C0", "C1"][:2], linewidths=1.2, linestyles="dotted")
    theta = np.linspace(0, 2 * np.pi, 400)
    ax.plot(t * np.cos(theta), t * np.sin(theta), "C0", label=f"L2 ball  ||w||_2 <= {t:g}")
    ax.plot([t, 0, -t, 0, t], [0, t, 0, -t, 0], "C1", label=f"L1 diamond  ||w||_1 <= {t:g}")
    ax.plot(*geo.ols, "k*", ms=13, label=f"least squares ({geo.ols[0]:.2f}, {geo.ols[1]:.2f})")
    ax.plot(*geo.ridge, "o", color="C0", ms=9,
            label=f"Ridge optimum ({geo.ridge[0]:.3f}, {geo.ridge[1]:.3f})")
    ax.plot(*geo.lasso, "D", color="C1", ms=9,
            label=f"Lasso optimum ({geo.lasso[0]:.3f}, {geo.lasso[1]:.3f})")
    ax.axhline(0, color="0.8", lw=0.6)
    ax.axvline(0, color="0.8", lw=0.6)
    ax.set_aspect("equal")
    ax.set_xlabel("w1")
    ax.set_ylabel("w2")
    ax.set_title("Constrained least squares: L2 ball vs L1 diamond")
    ax.legend(fontsize="small", loc="lower left")
    return ax


def plot_coefficient_paths(X, y, *, ridge_alphas=None, n_lasso_alphas=60, axes=None):
    """Coefficients vs alpha for Ridge (shrink, never zero) and Lasso (exact zeros, one by one).

    Ridge: one multi-target fit of :class:`linreg.Ridge` with one alpha per target. Lasso:
    :func:`linreg.lasso_path` with an intercept.
    """
    from .lasso import lasso_path
    from .ridge import Ridge

    axes = _axes(axes, ncols=2)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = len(y)
    if ridge_alphas is None:
        scale = float(np.linalg.norm(X - X.mean(axis=0), 2) ** 2)
        ridge_alphas = scale * np.logspace(-4, 2, 60)
    ridge_alphas = np.asarray(ridge_alphas, dtype=np.float64)
    Y = np.repeat(y[:, None], len(ridge_alphas), axis=1)
    ridge = Ridge(alpha=ridge_alphas).fit(X, Y).coef_          # (n_alphas, d)
    lasso_alphas, lasso_coefs, _ = lasso_path(X, y, n_alphas=n_lasso_alphas,
                                              fit_intercept=True)
    for j in range(X.shape[1]):
        axes[0].plot(ridge_alphas / n, ridge[:, j], label=f"w{j}")
        axes[1].plot(lasso_alphas, lasso_coefs[j], label=f"w{j}")
    for a, title in zip(axes, ("Ridge: coefficients shrink towards 0, never reach it",
                               "Lasso: coefficients hit exactly 0, one by one")):
        a.set_xscale("log")
        a.axhline(0, color="0.5", lw=0.6)
        a.set_ylabel("coefficient")
        a.set_title(title, fontsize="medium")
        a.legend(fontsize="x-small", ncol=2)
        a.invert_xaxis()
    axes[0].set_xlabel("alpha / n  (Ridge: ||y - Xw - b||^2 + alpha ||w||^2)")
    axes[1].set_xlabel("alpha  (Lasso: 1/(2n)||y - Xw - b||^2 + alpha ||w||_1)")
    return axes


def plot_bias_variance(result, *, log_x=False, ax=None):
    """The bias-variance decomposition of :func:`linreg.bias_variance` over its grid."""
    ax = _axes(ax)
    grid = np.asarray(result.param_range, dtype=np.float64)
    ax.plot(grid, result.bias2, "o-", label="bias^2")
    ax.plot(grid, result.variance, "s-", label="variance")
    ax.plot(grid, np.full(grid.shape, result.noise), "k:", label="noise sigma^2")
    ax.plot(grid, result.expected_test_mse, "^-", label="bias^2 + variance + noise")
    ax.plot(grid, result.test_mse, "x--", label="measured test MSE")
    ax.plot(grid, result.train_mse, ".--", color="0.5", label="training MSE")
    ax.set_yscale("log")
    # an interpolating degree has training error ~1e-30: keep the axis on the decomposition
    shown = np.concatenate([result.bias2, result.variance, [result.noise]])
    ax.set_ylim(max(shown[shown > 0].min(), 1e-300) / 10, None)
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel(result.param_name)
    ax.set_ylabel("squared error")
    ax.set_title(f"Bias-variance over {result.n_repeats} samples of {result.n_samples} points")
    ax.legend(fontsize="small")
    return ax
