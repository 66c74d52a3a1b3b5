"""``python -m linreg demo``: the story of linear regression, run on the seed's data.

Every number printed is computed here, now, by linreg; ``run`` also returns them (the tests
recompute them through the public API and compare).
"""

from __future__ import annotations

import os
import warnings

import numpy as np

DEGREES = (1, 3, 5, 7, 9)
NOISE = 0.05


def truth(x):
    """The seed's line: y = 0.5 x + 0.1."""
    return 0.5 * np.asarray(x) + 0.1


def seed_data():
    """The seed's data and fresh test points from the same process.

    ``np.random.seed(42); x = np.linspace(0, 1, 10); y = 0.5*x + 0.1 + np.random.normal(0, 0.05,
    10)``; then, continuing the same random stream, 200 test points uniform on [0, 1] and 100 on
    the margins [-0.1, 0) and (1, 1.1], with the same noise.
    """
    np.random.seed(42)
    x = np.linspace(0, 1, 10)
    y = 0.5 * x + 0.1 + np.random.normal(0, 0.05, 10)
    x_test = np.random.uniform(0, 1, 200)
    y_test = truth(x_test) + np.random.normal(0, NOISE, 200)
    side = np.random.uniform(0, 0.1, 100)
    x_out = np.where(np.arange(100) % 2 == 0, -side, 1 + side)
    y_out = truth(x_out) + np.random.normal(0, NOISE, 100)
    return x, y, x_test, y_test, x_out, y_out


def _mse(model, x, y):
    return float(np.mean((y - model.predict(np.asarray(x)[:, None])) ** 2))


def polynomial_table(x, y, x_test, y_test, x_out, y_out, degrees=DEGREES):
    """Train/test MSE per degree, and the largest distance from the truth between the points."""
    from .polynomial import PolynomialRegression

    grid = np.linspace(0, 1, 1001)
    rows = []
    for d in degrees:
        m = PolynomialRegression(degree=d).fit(x[:, None], y)
        rows.append(dict(degree=d, train=_mse(m, x, y), test=_mse(m, x_test, y_test),
                         outside=_mse(m, x_out, y_out),
                         max_gap=float(np.abs(m.predict(grid[:, None]) - truth(grid)).max())))
    return rows


def sparse_problem():
    """50 samples, 20 features, 3 of them in the truth."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 20))
    coef = np.zeros(20)
    coef[[0, 5, 12]] = [3.0, -2.0, 1.5]
    y = X @ coef + 1.0 + 0.5 * rng.standard_normal(50)
    return X, y, coef


def correlated_problem():
    """Two nearly identical features that both carry the signal, and two noise features."""
    rng = np.random.default_rng(1)
    z = rng.standard_normal(100)
    X = np.c_[z + 0.05 * rng.standard_normal(100), z + 0.05 * rng.standard_normal(100),
              rng.standard_normal((100, 2))]
    y = X[:, 0] + X[:, 1] + 0.5 * rng.standard_normal(100)
    return X, y


def geometry_problem():
    """Two correlated features (correlation 0.5), least-squares solution near (2, 0.6)."""
    rng = np.random.default_rng(0)
    X = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], 100)
    y = X @ [2.0, 0.6] + 0.3 * rng.standard_normal(100)
    return X, y


def run(out, figures=None):
    """Run the story, print it to ``out``, write PNGs into ``figures`` (a directory) if given.

    Returns a dict of what was printed (and the figure paths under ``"figures"``).
    """
    import linreg

    from .lab import bias_variance, constraint_geometry
    from .polynomial import PolynomialFeatures, PolynomialRegression, design_condition

    def p(*a):
        print(*a, file=out)

    res = {}
    x, y, x_test, y_test, x_out, y_out = seed_data()
    X = x[:, None]
    p("linreg demo: the seed's data, np.random.seed(42); x = linspace(0, 1, 10),")
    p("  y = 0.5 x + 0.1 + N(0, 0.05^2); test points from the same random stream:")
    p("  200 uniform on [0, 1], 100 on the margins [-0.1, 0) and (1, 1.1]")
    p("")
    p("  x     " + " ".join(f"{v:6.3f}" for v in x))
    p("  y     " + " ".join(f"{v:6.3f}" for v in y))
    p("")

    # 1. Overfitting -------------------------------------------------------------------------
    p("1. Polynomials of growing degree (least squares, Legendre basis):")
    rows = polynomial_table(x, y, x_test, y_test, x_out, y_out)
    res["polynomial"] = rows
    p("  degree   train MSE     test MSE [0,1]   test MSE margins   max |fit - truth| on [0,1]")
    for r in rows:
        p(f"  {r['degree']:6d}   {r['train']:.4e}    {r['test']:.4e}       {r['outside']:.4e}"
          f"         {r['max_gap']:.4e}")
    best = min(rows, key=lambda r: r["test"])
    r1, r9 = rows[0], rows[-1]
    p(f"  Degree {best['degree']} has the lowest test error on [0, 1]. Degree 9 passes through "
      f"all 10 points (train MSE {r9['train']:.1e}),")
    p(f"  yet on [0, 1] its test MSE is only {r9['test'] / r1['test']:.2f}x that of the "
      f"straight line: on this seed the wiggles between the points stay small.")
    p(f"  The blow-up is beyond the outer points: on the margins its test MSE is "
      f"{r9['outside'] / r1['outside']:.0f}x the line's.")
    res["best_degree"] = best["degree"]
    p("")
    p("  Raw powers make an ill-conditioned design; the Legendre basis spans the same "
      "polynomials:")
    p("  degree   cond [1, x, ..., x^d]   cond [1, P1, ..., Pd]")
    cond = []
    for d in DEGREES:
        cp = design_condition(PolynomialFeatures(d).fit_transform(X))
        cl = design_condition(PolynomialFeatures(d, basis="legendre").fit_transform(X))
        cond.append((d, cp, cl))
        p(f"  {d:6d}   {cp:21.4e}   {cl:21.4e}")
    res["condition"] = cond
    p("")

    # 2. Other draws: bias and variance ------------------------------------------------------
    bv = bias_variance(PolynomialRegression(), truth, "degree", DEGREES, n_samples=10,
                       noise=NOISE, n_repeats=500, random_state=0)
    res["bias_variance"] = bv
    p("2. Other draws: 500 fresh samples of y at the same 10 x, each fitted; at 200 test points "
      "on [0, 1]:")
    p("  degree   bias^2        variance      noise         sum (expected)   measured test MSE")
    for i, d in enumerate(DEGREES):
        p(f"  {d:6d}   {bv.bias2[i]:.4e}    {bv.variance[i]:.4e}    {bv.noise:.4e}    "
          f"{bv.expected_test_mse[i]:.4e}       {bv.test_mse[i]:.4e}")
    p("  The truth is a line, so degree 1 has no bias; every extra degree only adds variance: "
      "degree 9's")
    p(f"  expected test MSE is {bv.expected_test_mse[-1] / bv.expected_test_mse[0]:.1f}x the "
      f"line's. Lowest expected test error: degree {bv.best}.")
    p("")

    # 3. The closed form and gradient descent ------------------------------------------------
    ols = linreg.LinearRegression().fit(X, y)
    res["ols"] = (float(ols.coef_[0]), float(ols.intercept_))
    p("3. Ordinary least squares, minimising sum (y - w x - b)^2 (the normal equations):")
    p(f"  w = {ols.coef_[0]:.6f}   b = {ols.intercept_:.6f}   (true 0.5 and 0.1)   "
      f"R^2 = {ols.score(X, y):.4f}   solver_ = {ols.solver_!r}")
    p("")
    gradient_descent_story(X, y, ols, p)
    p("")

    # 4. Ridge ------------------------------------------------------------------------------
    p("4. Ridge under an exactly collinear design X = [x, 2x]: X'X is singular, X'X + alpha I "
      "is not.")
    Xcol = np.c_[x, 2 * x]
    Xc = Xcol - Xcol.mean(axis=0)
    eig = np.linalg.eigvalsh(Xc.T @ Xc)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lr_col = linreg.LinearRegression().fit(Xcol, y)
    rank_warned = any(issubclass(c.category, linreg.RankDeficientWarning) for c in caught)
    p(f"  eigenvalues of Xc'Xc: {eig[0]:.2e}, {eig[1]:.4f}: rank {lr_col.rank_} of 2")
    p(f"  LinearRegression: RankDeficientWarning {'raised' if rank_warned else 'NOT raised'}; "
      f"minimum-norm w = ({lr_col.coef_[0]:.6f}, {lr_col.coef_[1]:.6f})")
    p("  alpha     w1          w2          w1 + 2 w2   cond(Xc'Xc + alpha I)")
    ridge_rows = []
    for alpha in (1e-3, 1e-1, 1.0, 10.0):
        r = linreg.Ridge(alpha=alpha).fit(Xcol, y)
        c = (eig[1] + alpha) / (max(eig[0], 0.0) + alpha)
        ridge_rows.append((alpha, float(r.coef_[0]), float(r.coef_[1]), c))
        p(f"  {alpha:<8g}  {r.coef_[0]:.6f}    {r.coef_[1]:.6f}    "
          f"{r.coef_[0] + 2 * r.coef_[1]:.6f}    {c:.4e}")
    res["collinear"] = dict(eig=eig, min_norm=lr_col.coef_.copy(), rank_warned=rank_warned,
                            ridge=ridge_rows)
    p("  Ridge splits the slope in the ratio 1:2 (the minimum-norm direction) and shrinks it "
      "as alpha grows;")
    p("  the penalty lifts the zero eigenvalue to alpha, so the system is always solvable.")
    p("")
    p("  Ridge against overfitting: degree 9 with alpha chosen by RidgeCV (exact leave-one-out "
      "over 49 alphas")
    p("  from one decomposition), in each basis:")
    p("  basis      alpha_      dof     decomposition_   test MSE [0,1]   test MSE margins")
    res["ridgecv"] = {}
    for basis in ("power", "legendre"):
        F = PolynomialFeatures(9, basis=basis).fit_transform(X)
        with warnings.catch_warnings():
            # raw powers: the Gram's condition number sends RidgeCV to the SVD, and says so
            warnings.simplefilter("ignore", linreg.IllConditionedWarning)
            rcv = linreg.RidgeCV(alphas=np.logspace(-10, 2, 49)).fit(F, y)
            m9r = PolynomialRegression(degree=9, alpha=rcv.alpha_, basis=basis).fit(X, y)
        row = dict(alpha=rcv.alpha_, dof=rcv.effective_dof_, decomposition=rcv.decomposition_,
                   test=_mse(m9r, x_test, y_test), outside=_mse(m9r, x_out, y_out))
        res["ridgecv"][basis] = row
        p(f"  {basis:9s}  {row['alpha']:<10.4g}  {row['dof']:5.2f}   {row['decomposition']:15s}"
          f"  {row['test']:.4e}       {row['outside']:.4e}")
    p(f"  unpenalised                                   {r9['test']:.4e}       "
      f"{r9['outside']:.4e}")
    rp, rl = res["ridgecv"]["power"], res["ridgecv"]["legendre"]
    p("  On raw powers (small on [0, 1] at high degree, so heavily penalised) Ridge tames "
      "degree 9: test MSE")
    p(f"  {rp['test']:.2e} on [0, 1] and {rp['outside']:.2e} on the margins "
      f"({r9['outside'] / rp['outside']:.0f}x better there). In the orthonormal Legendre "
      "basis the same")
    p("  penalty shrinks every degree alike, the slope included; leave-one-out then picks "
      f"alpha {rl['alpha']:.3g} and the fit")
    p(f"  is {'worse' if rl['test'] > r9['test'] else 'better'} than unpenalised: the basis "
      "decides what the L2 penalty prefers.")
    p("")

    # 5. Lasso vs Ridge, Elastic Net ---------------------------------------------------------
    Xs, ys, true = sparse_problem()
    lasso = linreg.LassoCV(cv=5).fit(Xs, ys)
    ridge = linreg.RidgeCV(alphas=np.logspace(-3, 3, 25)).fit(Xs, ys)
    res["sparse"] = dict(lasso_alpha=lasso.alpha_, ridge_alpha=ridge.alpha_,
                         lasso=lasso.coef_.copy(), ridge=ridge.coef_.copy())
    p("5. A sparse truth: 50 samples, 20 features, 3 non-zero coefficients; alphas by "
      "cross-validation")
    p(f"  (LassoCV, 5 folds: alpha_ = {lasso.alpha_:.4g}; RidgeCV, leave-one-out: "
      f"alpha_ = {ridge.alpha_:.4g}):")
    p("  feature    true      Lasso      Ridge")
    for j in range(20):
        if true[j] != 0 or j < 4:
            p(f"  {j:7d}  {true[j]:6.2f}  {lasso.coef_[j]:9.4f}  {ridge.coef_[j]:9.4f}")
    p("  ...")
    zl, zr = int((lasso.coef_ == 0).sum()), int((ridge.coef_ == 0).sum())
    res["sparse"].update(lasso_zeros=zl, ridge_zeros=zr)
    p(f"  exact zeros: Lasso {zl} of 20 (truth: 17), Ridge {zr} of 20. The L1 penalty sets "
      "weights exactly to zero;")
    p("  the L2 penalty only shrinks them.")
    p("")
    Xe, ye = correlated_problem()
    fits = {"Lasso": linreg.Lasso(alpha=0.1).fit(Xe, ye),
            "ElasticNet(l1_ratio=0.5)": linreg.ElasticNet(alpha=0.2, l1_ratio=0.5).fit(Xe, ye),
            "Ridge": linreg.Ridge(alpha=10.0).fit(Xe, ye)}
    res["enet"] = {k: m.coef_.copy() for k, m in fits.items()}
    p("  Elastic Net, two nearly identical features (correlation 0.998) that both carry the "
      "signal:")
    p("  model                        w1        w2        w3        w4")
    for name, m in fits.items():
        p(f"  {name:26s} " + " ".join(f"{v:9.4f}" for v in m.coef_))
    p("  Lasso keeps one of the twins and drops the other; Elastic Net shares the weight between "
      "them, like")
    p("  Ridge, and still zeros the noise features.")
    p("")

    # 6. Geometry ---------------------------------------------------------------------------
    Xg, yg = geometry_problem()
    geo = constraint_geometry(Xg, yg, 1.0)
    res["geometry"] = geo
    p("6. The geometry: minimise the squared error with ||w|| <= 1 (two features, correlation "
      "0.5):")
    p(f"  least squares       w = ({geo.ols[0]:.4f}, {geo.ols[1]:.4f})")
    p(f"  L2 ball (Ridge)     w = ({geo.ridge[0]:.4f}, {geo.ridge[1]:.4f})   alpha = "
      f"{geo.ridge_alpha:.4g}   ||w||_2 = {np.linalg.norm(geo.ridge):.6f}")
    p(f"  L1 diamond (Lasso)  w = ({geo.lasso[0]:.4f}, {geo.lasso[1]:.4f})   alpha = "
      f"{geo.lasso_alpha:.4g}   ||w||_1 = {np.abs(geo.lasso).sum():.6f}")
    p("  The loss contours first touch the diamond at a corner: w2 is exactly zero there. They "
      "touch the")
    p("  ball at a smooth point: both weights stay non-zero.")
    p("")

    # 7. The probabilistic view -------------------------------------------------------------
    probabilistic_story(X, y, ols, p, res)

    # 8. Figures ----------------------------------------------------------------------------
    res["figures"] = []
    if figures is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            p("Figures: matplotlib is not installed; pip install 'linreg[plot]' (or matplotlib) "
              "and run `python -m linreg demo --out DIR` to get them.")
            return res
        res["figures"] = write_figures(figures, x, y, x_test, y_test, bv, geo)
        p(f"Figures written to {figures}:")
        for path in res["figures"]:
            p(f"  {path}")
    else:
        p("Figures: run `python -m linreg demo --out DIR` to write them as PNG (needs "
          "matplotlib: pip install 'linreg[plot]').")
    return res


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


def probabilistic_story(X, y, ols, p, res):
    """Maximum likelihood = least squares; Gaussian prior = Ridge; inference; BayesianRidge."""
    import linreg
    from .lab import fit_by_likelihood, gaussian_posterior

    inf = ols.inference()
    res["inference"] = inf
    p("7. The probabilistic view: y = b + w x + noise, noise ~ N(0, sigma^2).")
    p("  How sure can we be of the line? ols.summary():")
    for line in inf.summary().splitlines():
        p("    " + line)
    mle = fit_by_likelihood(X, y)
    res["mle"] = mle
    p(f"  Maximising the Gaussian log-likelihood over (b, w, log sigma^2) numerically (BFGS, "
      f"{mle.n_iter} iterations):")
    p(f"    w = {mle.coef[0]:.8f}  b = {mle.intercept:.8f}  sigma^2 = {mle.sigma2:.8e}   "
      f"log-likelihood {-mle.objective:.6f}")
    p(f"    least squares: w = {ols.coef_[0]:.8f}  b = {ols.intercept_:.8f}  RSS/n = "
      f"{inf.sigma2_mle:.8e}   llf {inf.llf:.6f}")
    p("    the maximum-likelihood line is the least-squares line, and sigma^2_ML = RSS/n "
      f"(the unbiased RSS/(n-2) = {inf.scale:.6e}).")
    sigma2, tau2 = 0.05**2, 0.1**2
    map_fit = fit_by_likelihood(X, y, prior_variance=tau2, sigma2=sigma2)
    ridge = linreg.Ridge(alpha=sigma2 / tau2).fit(X, y)
    res["map"] = (map_fit, ridge)
    p("  Adding the prior w ~ N(0, tau^2) with tau = 0.1 (sigma = 0.05 fixed): the maximum of the "
      "posterior (MAP)")
    p(f"    w = {map_fit.coef[0]:.8f}  b = {map_fit.intercept:.8f};  Ridge(alpha = sigma^2/tau^2 "
      f"= {sigma2 / tau2:g}): w = {ridge.coef_[0]:.8f}  b = {ridge.intercept_:.8f}")
    post = gaussian_posterior(X, y, alpha=sigma2 / tau2, sigma2=sigma2)
    ci = post.credible_interval(0.95)[0]
    p(f"    the posterior of w is Gaussian: mean {post.mean[0]:.6f}, sd "
      f"{np.sqrt(post.cov[0, 0]):.6f}, 95% credible interval [{ci[0]:.4f}, {ci[1]:.4f}], "
      f"effective dof {post.effective_dof:.3f}")
    bayes = linreg.BayesianRidge().fit(X, y)
    res["bayes"] = bayes
    mean, std = bayes.predict(np.array([[0.5], [1.5]]), return_std=True)
    p("  BayesianRidge chooses both precisions by maximising the evidence: "
      f"noise sigma^2 = 1/alpha_ = {1 / bayes.alpha_:.4e},")
    p(f"    prior tau^2 = 1/lambda_ = {1 / bayes.lambda_:.4g} ({bayes.n_iter_} iterations); "
      f"w = {bayes.coef_[0]:.6f} = Ridge(alpha = lambda_/alpha_ = "
      f"{bayes.lambda_ / bayes.alpha_:.3g}).coef_")
    p(f"    predictive mean +/- sd at x = 0.5: {mean[0]:.4f} +/- {std[0]:.4f};  at x = 1.5 "
      f"(outside the data): {mean[1]:.4f} +/- {std[1]:.4f}")
    p("")


def write_figures(directory, x, y, x_test, y_test, bv, geo):
    """The story's figures as PNG files in ``directory``; returns their paths."""
    from . import plotting
    from .polynomial import PolynomialRegression

    plt = plotting._pyplot()
    os.makedirs(directory, exist_ok=True)
    paths = []

    def save(ax, name):
        fig = (ax[0] if isinstance(ax, np.ndarray) else ax).figure
        path = os.path.join(directory, name)
        fig.savefig(path, dpi=90)
        plt.close(fig)
        paths.append(path)

    X = x[:, None]
    save(plotting.plot_polynomial_fits(x, y, (1, 3, 9), truth=truth, x_test=x_test,
                                       y_test=y_test), "polynomial_fits.png")
    save(plotting.plot_error_vs_complexity(bv.param_range, bv.train_mse, bv.test_mse),
         "error_vs_degree.png")
    rows = polynomial_table(x, y, x_test, y_test, x_test, y_test, degrees=range(1, 10))
    save(plotting.plot_error_vs_complexity([r["degree"] for r in rows],
                                           [r["train"] for r in rows],
                                           [r["test"] for r in rows]),
         "error_vs_degree_seed.png")
    alphas = np.logspace(-9, 1, 21)
    train, test = [], []
    for a in alphas:
        m = PolynomialRegression(degree=9, alpha=a, basis="power").fit(X, y)
        train.append(_mse(m, x, y))
        test.append(_mse(m, x_test, y_test))
    save(plotting.plot_error_vs_complexity(alphas, train, test, param_name="alpha (degree 9, raw powers)",
                                           log_x=True), "error_vs_alpha.png")
    save(plotting.plot_bias_variance(bv), "bias_variance.png")
    save(plotting.plot_loss_bowl(x, y), "loss_bowl.png")
    save(plotting.plot_learning_rates(X, y), "learning_rates.png")
    save(plotting.plot_constraint_geometry(geo), "l1_l2_geometry.png")
    Xs, ys, _ = sparse_problem()
    save(plotting.plot_coefficient_paths(Xs[:, :8], ys), "coefficient_paths.png")
    return paths
