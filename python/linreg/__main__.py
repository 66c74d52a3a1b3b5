"""The command line: ``python -m linreg demo | bench | config``."""

from __future__ import annotations

import argparse
import sys

import numpy as np


def seed_data():
    """The seed's data: ten noisy points on y = 0.5 x + 0.1."""
    np.random.seed(42)
    x = np.linspace(0, 1, 10)
    y = 0.5 * x + 0.1 + np.random.normal(0, 0.05, 10)
    return x, y


def demo(out=sys.stdout) -> int:
    import linreg

    x, y = seed_data()
    X = x.reshape(-1, 1)
    p = lambda *a: print(*a, file=out)  # noqa: E731
    p("linreg demo: the seed's data, x = linspace(0, 1, 10), y = 0.5 x + 0.1 + N(0, 0.05^2)")
    p("")
    p("  x     " + " ".join(f"{v:6.3f}" for v in x))
    p("  y     " + " ".join(f"{v:6.3f}" for v in y))
    p("")
    ols = linreg.LinearRegression().fit(X, y)
    p("Ordinary least squares, minimising sum (y - w x - b)^2:")
    p(f"  w = {ols.coef_[0]:.6f}   b = {ols.intercept_:.6f}   (true 0.5 and 0.1)")
    p(f"  R^2 = {ols.score(X, y):.4f}   solver_ = {ols.solver_!r}   cond_ = {ols.cond_:.3g}")
    # The same answer from the textbook formula, for comparison.
    xm, ym = x.mean(), y.mean()
    w_formula = ((x - xm) * (y - ym)).sum() / ((x - xm) ** 2).sum()
    p(f"  textbook w = cov(x, y) / var(x) = {w_formula:.6f}  "
      f"(difference {abs(w_formula - ols.coef_[0]):.1e})")
    p("")
    p("Ridge, minimising sum (y - w x - b)^2 + alpha w^2: the penalty shrinks w towards 0")
    p("  alpha        w          b       R^2")
    for alpha in (0.0, 0.01, 0.1, 1.0, 10.0):
        r = linreg.Ridge(alpha=alpha).fit(X, y)
        p(f"  {alpha:6.2f}  {r.coef_[0]:9.6f}  {r.intercept_:9.6f}  {r.score(X, y):7.4f}")
    p("")
    residual = y - ols.predict(X)
    p(f"Residual sum of squares (OLS): {float(residual @ residual):.6f}; any other line has more.")
    p("")
    gradient_descent_story(X, y, ols, p)
    return 0


def gradient_descent_story(X, y, ols, p):
    """Gradient descent reaches the closed form; the learning rate decides how, or whether."""
    import warnings

    import linreg

    p("Gradient descent: follow the gradient of F(w, b) = mean((y - w x - b)^2) downhill,")
    p("  grad = -2/n * X.T @ (y - X @ w);  w = w - lr * grad   (on centred x and y; b from the means)")
    gd = linreg.LinearRegression(solver="gd", tol=1e-12).fit(X, y)
    L = float(gd.lipschitz_)
    p(f"  L = {L:.4f} (largest eigenvalue of the Hessian 2/n Xc'Xc): steps above 2/L = {2 / L:.4f}"
      " diverge")
    p(f"  learning_rate='auto' = 1/L = {1 / L:.4f}: {gd.n_iter_} steps to a relative gradient "
      f"norm of {gd.grad_norm_:.1e}")
    p(f"  w = {gd.coef_[0]:.10f}  b = {gd.intercept_:.10f}")
    p(f"  closed form  w = {ols.coef_[0]:.10f}  b = {ols.intercept_:.10f}   "
      f"(difference {abs(gd.coef_[0] - ols.coef_[0]):.1e})")
    p("  (one feature: the bowl is a parabola in w and the step 1/L lands on its bottom at once)")
    X2 = np.c_[X[:, 0], X[:, 0] ** 2]
    Xc = X2 - X2.mean(axis=0)
    eig = np.linalg.eigvalsh(2 / len(y) * Xc.T @ Xc)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", linreg.ConvergenceWarning)
        gd2 = linreg.LinearRegression(solver="gd", tol=1e-8, max_iter=100000).fit(X2, y)
        acc = linreg.LinearRegression(solver="gd", tol=1e-8, momentum="nesterov").fit(X2, y)
    p(f"  features (x, x^2): the bowl is a long valley, condition number L/mu = "
      f"{eig[-1] / eig[0]:.0f}; plain steps need {gd2.n_iter_}, Nesterov's accelerated "
      f"steps {acc.n_iter_}, to reach a relative gradient norm of 1e-8")
    p("")
    f_star = float(np.mean((y - ols.predict(X)) ** 2))
    p(f"The learning rate, 40 steps each (F* = {f_star:.6f} at the closed form):")
    p("  lr        lr*L   F after 40 steps   F - F*      what happens")
    for factor, words in ((0.05, "crawls"), (1.0, "converges"), (1.9, "converges, zig-zagging"),
                          (2.1, "overshoots")):
        lr = factor / L
        est = linreg.LinearRegression(solver="gd", learning_rate=lr, max_iter=40, tol=None)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", linreg.ConvergenceWarning)
                est.fit(X, y)
            f = float(est.loss_history_[-1])
            p(f"  {lr:8.4f}  {factor:4.2f}   {f:16.6f}   {f - f_star:9.2e}   {words}")
        except linreg.DivergenceError as exc:
            p(f"  {lr:8.4f}  {factor:4.2f}   {'diverged':>16}   {'':9}   {words}:")
            p(f"    DivergenceError: {exc}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m linreg", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="fit OLS and Ridge on the seed's data and print what they find")
    b = sub.add_parser("bench", help="run the benchmark (see bench/README.md)")
    b.add_argument("--quick", action="store_true", help="small sizes only (a smoke run)")
    b.add_argument("--repeats", type=int, default=5)
    b.add_argument("--out", default=None, help="append JSON lines of results to this file")
    b.add_argument("--cases", default=None, help="comma-separated case names to run")
    sub.add_parser("config", help="print how linreg was built (linreg.show_config())")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo()
    if args.command == "config":
        import linreg

        linreg.show_config()
        return 0
    from . import _bench

    return _bench.main(quick=args.quick, repeats=args.repeats, out=args.out, cases=args.cases)


if __name__ == "__main__":
    sys.exit(main())
