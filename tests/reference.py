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


def _gauss_jordan(M, p):
    """Reduce the first p columns of the rational matrix M (rows of Fractions) to the identity,
    exactly; the remaining columns become A^-1 times what they held."""
    for col in range(p):
        piv = next(r for r in range(col, p) if M[r][col] != 0)
        M[col], M[piv] = M[piv], M[col]
        pv = M[col][col]
        M[col] = [v / pv for v in M[col]]
        for r in range(p):
            if r != col and M[r][col] != 0:
                f = M[r][col]
                M[r] = [a - f * b for a, b in zip(M[r], M[col])]
    return M


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
    M = _gauss_jordan([A[a][:] + [rhs[a]] for a in range(p)], p)
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


# --- gradient descent -------------------------------------------------------------------------
# The seed's two steps, exactly as it writes them (no intercept, no weights):


def gd_step(X, y, w, lr):
    n = len(y)
    grad = -2 / n * X.T @ (y - X @ w)
    w = w - lr * grad
    return w


def ridge_gd_step(X, y, w, lr, lam):
    n = len(y)
    grad = -2 / n * X.T @ (y - X @ w)
    grad += 2 * lam * w
    w = w - lr * grad
    return w


# The same step for weights and an intercept: F(w, b) = (1/W) sum s (y - Xw - b)^2 + (alpha/W)|w|^2.
# b is eliminated through the weighted means (b = ym - xm @ w is its minimiser for every w), so
# with unit weights each step is gd_step / ridge_gd_step on the centred data (X - xm, y - ym).


def _weights(n, sample_weight):
    return np.ones(n) if sample_weight is None else np.asarray(sample_weight, np.float64)


def _means(X, y, s, fit_intercept):
    if not fit_intercept:
        return np.zeros(X.shape[1]), 0.0
    return s @ X / s.sum(), s @ y / s.sum()


def objective(X, y, w, b, alpha=0.0, sample_weight=None):
    s = _weights(len(y), sample_weight)
    r = y - X @ w - b
    return (s @ (r * r)) / s.sum() + alpha / s.sum() * (w @ w)


def centred_gradient(Xc, yc, w, s, alpha):
    """grad_w F on centred data: -(2/W) Xc' S (yc - Xc w) + (2 alpha/W) w."""
    W = s.sum()
    return -2 / W * Xc.T @ (s * (yc - Xc @ w)) + 2 * alpha / W * w


def _step(w, v, g, lr, momentum):
    """w - lr g, or with heavy-ball momentum v <- momentum v - lr g, w <- w + v."""
    if momentum:
        v = momentum * v - lr * g
        return w + v, v
    return w - lr * g, v


def gd_steps(X, y, lr, steps, alpha=0.0, sample_weight=None, fit_intercept=True, momentum=0.0,
             w=None):
    """`steps` full-batch steps from w (zero by default); plain or heavy-ball momentum."""
    s = _weights(len(y), sample_weight)
    xm, ym = _means(X, y, s, fit_intercept)
    Xc, yc = X - xm, y - ym
    w = np.zeros(X.shape[1]) if w is None else w
    v = np.zeros_like(w)
    for _ in range(steps):
        w, v = _step(w, v, centred_gradient(Xc, yc, w, s, alpha), lr, momentum)
    return w, ym - xm @ w


def nesterov_steps(X, y, lr, steps, alpha=0.0, sample_weight=None, fit_intercept=True):
    """Nesterov's accelerated gradient with beta_k = (t_k - 1)/t_{k+1} and the gradient restart of
    O'Donoghue and Candes: returns the look-ahead point where the last gradient is evaluated."""
    s = _weights(len(y), sample_weight)
    xm, ym = _means(X, y, s, fit_intercept)
    Xc, yc = X - xm, y - ym
    theta = np.zeros(X.shape[1])
    point = theta.copy()
    t = 1.0
    for _ in range(steps):
        g = centred_gradient(Xc, yc, point, s, alpha)
        new = point - lr * g
        if g @ (new - theta) > 0:
            t = 1.0
        t_next = (1 + np.sqrt(1 + 4 * t * t)) / 2
        beta = (t - 1) / t_next
        t = t_next
        theta, prev = new, theta
        point = theta + beta * (theta - prev)
    return point, ym - xm @ point


def sgd_epochs(X, y, lr, batch_size, orders, alpha=0.0, sample_weight=None, fit_intercept=True,
               momentum=0.0):
    """Mini-batch SGD over the given row orders (one per epoch), with the unbiased batch gradient
    -(2/W)(n/|B|) Xc_B' S_B r_B + (2 alpha/W) w on the centred data."""
    n, d = X.shape
    s = _weights(n, sample_weight)
    xm, ym = _means(X, y, s, fit_intercept)
    Xc, yc = X - xm, y - ym
    W = s.sum()
    w, v = np.zeros(d), np.zeros(d)
    for order in orders:
        for start in range(0, n, batch_size):
            B = order[start:start + batch_size]
            r = yc[B] - Xc[B] @ w
            g = -2 / W * n / len(B) * Xc[B].T @ (s[B] * r) + 2 * alpha / W * w
            w, v = _step(w, v, g, lr, momentum)
    return w, ym - xm @ w


_M64 = (1 << 64) - 1


def _splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & _M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return state, z ^ (z >> 31)


def epoch_permutation(seed, epoch, n):
    """The textbook Fisher-Yates shuffle of range(n), i from n - 1 down to 1 swapping with
    below(i + 1), driven by xoshiro256** seeded by splitmix64 from
    seed ^ (0xD1B54A32D192ED03 (epoch + 1)); below(b) is Lemire's multiply-and-reject."""
    x = (seed ^ (0xD1B54A32D192ED03 * (epoch + 1))) & _M64
    s = []
    for _ in range(4):
        x, word = _splitmix64(x)
        s.append(word)

    def rotl(v, k):
        return ((v << k) | (v >> (64 - k))) & _M64

    def next_word():
        result = (rotl((s[1] * 5) & _M64, 7) * 9) & _M64
        t = (s[1] << 17) & _M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(bound):
        m = next_word() * bound
        if (m & _M64) < bound:
            threshold = (-bound % (1 << 64)) % bound
            while (m & _M64) < threshold:
                m = next_word() * bound
        return m >> 64

    perm = list(range(n))
    for i in range(n - 1, 0, -1):
        j = below(i + 1)
        perm[i], perm[j] = perm[j], perm[i]
    return np.array(perm)


def lipschitz(X, alpha=0.0, sample_weight=None, fit_intercept=True):
    """L = largest eigenvalue of the Hessian of F in w: (2/W) Xc' S Xc + (2 alpha/W) I."""
    s = _weights(len(X), sample_weight)
    xm = s @ X / s.sum() if fit_intercept else 0.0
    Xc = X - xm
    H = 2 / s.sum() * (Xc * s[:, None]).T @ Xc
    return float(np.linalg.eigvalsh(H).max()) + 2 * alpha / s.sum()


# --- Lasso / ElasticNet -----------------------------------------------------------------------
# scikit-learn's objective, per unit weight (W = sum s, s = ones by default):
#   P(w, b) = 1/(2W) sum_i s_i (y_i - x_i w - b)^2 + l1 ||w||_1 + l2/2 ||w||^2,
#   l1 = alpha * l1_ratio, l2 = alpha * (1 - l1_ratio).
# b is eliminated through the weighted means (b = ym - xm @ w), so everything below works on the
# centred, sqrt(s)-scaled data of `centred`, where the smooth part is ||yc - Xc w||^2 / (2W).
# 1-D y only; a 2-D y is independent targets, one call per column.


def _enet_data(X, y, sample_weight, fit_intercept):
    Xc, yc, xm, ym = centred(X, y, sample_weight, fit_intercept)
    return Xc, yc, xm, ym, _weights(len(y), sample_weight).sum()


def soft_threshold(z, t):
    """sign(z) * max(|z| - t, 0), the prox of t |.|."""
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


def enet_objective(X, y, coef, intercept, alpha, l1_ratio=1.0, sample_weight=None):
    """1/(2W) sum s (y - Xw - b)^2 + alpha l1_ratio |w|_1 + alpha (1 - l1_ratio)/2 |w|^2."""
    X = np.asarray(X, np.float64)
    y = np.asarray(y, np.float64)
    w = np.asarray(coef, np.float64)
    s = _weights(len(y), sample_weight)
    r = y - X @ w - float(intercept)
    return (s @ (r * r)) / (2 * s.sum()) + alpha * l1_ratio * np.abs(w).sum() + (
        alpha * (1 - l1_ratio) / 2 * (w @ w))


def enet_dual_gap(X, y, coef, alpha, l1_ratio=1.0, sample_weight=None, fit_intercept=True,
                  positive=False):
    """scikit-learn's `dual_gap_` (gap_enet, formulation A, divided by n_samples), per unit weight.

    The dual point is the residual R = yc - Xc w scaled into the feasible set
    max_j |Xc_j'R/W - l2 w_j| <= l1 (one-sided for positive=True). With l1 = 0 < l2 (ridge)
    scikit-learn switches to formulation B, which needs no feasible set:
    R'R/W + l2/2 |w|^2 - R'yc/W + |Xc'R/W|^2 / (2 l2).
    """
    Xc, yc, _, _, W = _enet_data(X, y, sample_weight, fit_intercept)
    w = np.asarray(coef, np.float64)
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    R = yc - Xc @ w
    if l1 == 0:
        g = Xc.T @ R / W
        return R @ R / W + 0.5 * l2 * (w @ w) - R @ yc / W + g @ g / (2 * l2)
    XtA = Xc.T @ R / W - l2 * w
    dual_norm = XtA.max() if positive else np.abs(XtA).max()
    quad = R @ R / W + l2 * (w @ w)
    primal = 0.5 * quad + l1 * np.abs(w).sum()
    scale = min(1.0, l1 / dual_norm) if dual_norm > 0 else 1.0
    dual = -0.5 * scale**2 * quad + scale * (R @ yc) / W
    return primal - dual


def cd_epoch_naive(X, y, coef, alpha, l1_ratio=1.0, sample_weight=None, fit_intercept=True,
                   positive=False):
    """One cyclic coordinate-descent epoch (j = 0..d-1) with residual updates.

    z = Xc_j'R/W + a_j w_j (a_j = Xc_j'Xc_j/W); w_j <- soft_threshold(z, l1)/(a_j + l2);
    R -= (w_j_new - w_j) Xc_j. Columns with a_j == 0 get w_j = 0. Returns (coef, intercept).
    """
    Xc, yc, xm, ym, W = _enet_data(X, y, sample_weight, fit_intercept)
    w = np.array(coef, dtype=np.float64)
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    R = yc - Xc @ w
    for j in range(Xc.shape[1]):
        a = Xc[:, j] @ Xc[:, j] / W
        if a == 0:
            w[j] = 0.0
            continue
        z = Xc[:, j] @ R / W + a * w[j]
        new = 0.0 if (positive and z < 0) else soft_threshold(z, l1) / (a + l2)
        R -= (new - w[j]) * Xc[:, j]
        w[j] = new
    return w, ym - xm @ w


def cd_epoch_covariance(G, c, coef, l1, l2, positive=False):
    """One cyclic CD epoch on the Gram G = Xc'Xc/W and c = Xc'yc/W (covariance mode).

    z = c_j - G[j] @ w + G_jj w_j; w_j <- soft_threshold(z, l1)/(G_jj + l2). Returns coef.
    """
    w = np.array(coef, dtype=np.float64)
    for j in range(len(w)):
        if G[j, j] == 0:
            w[j] = 0.0
            continue
        z = c[j] - G[j] @ w + G[j, j] * w[j]
        w[j] = 0.0 if (positive and z < 0) else soft_threshold(z, l1) / (G[j, j] + l2)
    return w


def enet_kkt_violation(X, y, coef, alpha, l1_ratio=1.0, sample_weight=None, fit_intercept=True,
                       positive=False):
    """max_j of the violation of the optimality conditions, with g = Xc'R/W - l2 w:
    g_j = l1 sign(w_j) where w_j != 0, |g_j| <= l1 (g_j <= l1 if positive) where w_j == 0."""
    Xc, yc, _, _, W = _enet_data(X, y, sample_weight, fit_intercept)
    w = np.asarray(coef, np.float64)
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    g = Xc.T @ (yc - Xc @ w) / W - l2 * w
    at_zero = np.maximum((g if positive else np.abs(g)) - l1, 0.0)
    off_zero = np.abs(g - l1 * np.sign(w))
    return float(np.max(np.where(w != 0, off_zero, at_zero)))


def lasso_alpha_max(X, y, l1_ratio=1.0, sample_weight=None, fit_intercept=True, positive=False):
    """Smallest alpha with an all-zero solution: max_j |Xc_j'yc| / (W l1_ratio)."""
    Xc, yc, _, _, W = _enet_data(X, y, sample_weight, fit_intercept)
    c = Xc.T @ yc
    return float((max(c.max(), 0.0) if positive else np.abs(c).max()) / (W * l1_ratio))


def enet_lipschitz(X, sample_weight=None, fit_intercept=True):
    """L = largest eigenvalue of Xc'Xc/W, the Lipschitz constant of the smooth part's gradient."""
    Xc, _, _, _, W = _enet_data(X, np.zeros(len(X)), sample_weight, fit_intercept)
    return float(np.linalg.eigvalsh(Xc.T @ Xc / W).max())


def ista_step(X, y, coef, alpha, l1_ratio, lr, sample_weight=None, fit_intercept=True,
              positive=False):
    """One proximal-gradient step w <- prox(w - lr grad), grad = -Xc'(yc - Xc w)/W, with the prox
    of lr (l1 |.|_1 + l2/2 |.|^2): soft_threshold(v, lr l1) / (1 + lr l2) (clipped at 0 if
    positive). Returns (coef, intercept)."""
    Xc, yc, xm, ym, W = _enet_data(X, y, sample_weight, fit_intercept)
    w = np.asarray(coef, np.float64)
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    v = w + lr * Xc.T @ (yc - Xc @ w) / W
    u = np.maximum(v - lr * l1, 0.0) if positive else soft_threshold(v, lr * l1)
    w = u / (1 + lr * l2)
    return w, ym - xm @ w


def ridge_loo_errors(X, y, alpha, sample_weight=None, fit_intercept=True):
    """Leave-one-out residuals by brute force: drop row i, refit Ridge (means included) by the
    augmented least-squares problem, predict row i."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = X.shape[0]
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, np.float64)
    errors = np.empty(y.shape)
    for i in range(n):
        keep = np.arange(n) != i
        coef, intercept = ridge_augmented(X[keep], y[keep], alpha, w[keep], fit_intercept)
        errors[i] = y[i] - X[i] @ coef - intercept
    return errors


def ridge_gcv(X, y, alpha, sample_weight=None, fit_intercept=True):
    """GCV(alpha) = (1/n) sum s_i r_i^2 / (1 - tr(H)/n)^2, H the weighted hat matrix."""
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, np.float64)
    Z = np.c_[np.ones(n), X] if fit_intercept else X
    P = np.eye(Z.shape[1]) * alpha
    if fit_intercept:
        P[0, 0] = 0.0
    sw = np.sqrt(w)
    Zs = Z * sw[:, None]
    H = Zs @ np.linalg.solve(Zs.T @ Zs + P, Zs.T)
    r = (np.eye(n) - H) @ (np.asarray(y, np.float64) * sw)
    return float(r @ r / n / (1 - np.trace(H) / n) ** 2)


def ols_inference(X, y, sample_weight=None, fit_intercept=True):
    """Textbook OLS/WLS inference with NumPy: params (intercept first), bse, rss, sigma^2,
    R^2, the leverages; (Z'SZ)^-1 by numpy.linalg.inv (fine on well-conditioned designs)."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = len(y)
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, np.float64)
    Z = np.c_[np.ones(n), X] if fit_intercept else X
    ZtZ_inv = np.linalg.inv(Z.T @ (Z * s[:, None]))
    params = ZtZ_inv @ (Z.T @ (s * y))
    r = y - Z @ params
    rss = float(s @ r**2)
    df = n - Z.shape[1]
    sigma2 = rss / df
    ybar = (s @ y) / s.sum() if fit_intercept else 0.0
    tss = float(s @ (y - ybar) ** 2)
    lev = s * np.einsum("ij,jk,ik->i", Z, ZtZ_inv, Z)
    return {"params": params, "bse": np.sqrt(sigma2 * np.diag(ZtZ_inv)), "rss": rss,
            "sigma2": sigma2, "rsquared": 1 - rss / tss, "leverage": lev, "cov": sigma2 * ZtZ_inv,
            "df_resid": df}


def exact_ols_bse(X, y):
    """Exact standard errors of OLS with an intercept (rational arithmetic, float at the end):
    sqrt(diag((Z'Z)^-1) * RSS / (n - p)). Small problems only."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = X.shape
    p = d + 1
    rows = [[Fraction(1)] + [Fraction(float(v)) for v in X[i]] for i in range(n)]
    ys = [Fraction(float(v)) for v in y]
    A = [[sum(rows[i][a] * rows[i][b] for i in range(n)) for b in range(p)] for a in range(p)]
    rhs = [sum(rows[i][a] * ys[i] for i in range(n)) for a in range(p)]
    M = _gauss_jordan([A[a][:] + [rhs[a]] + [Fraction(int(a == b)) for b in range(p)]
                       for a in range(p)], p)
    beta = [M[a][p] for a in range(p)]
    res = [ys[i] - sum(rows[i][a] * beta[a] for a in range(p)) for i in range(n)]
    rss = sum(r * r for r in res)
    diag = [M[a][p + 1 + a] for a in range(p)]
    return np.sqrt(np.array([float(v * rss / (n - p)) for v in diag]))


def bayesian_ridge_evidence(X, y, sample_weight=None, fit_intercept=True, max_iter=300, tol=1e-3,
                            alpha_1=1e-6, alpha_2=1e-6, lambda_1=1e-6, lambda_2=1e-6,
                            alpha_init=None, lambda_init=None):
    """MacKay's evidence iteration for Bayesian ridge regression, directly on the centred,
    sqrt(weight)-scaled data (scikit-learn's order of operations and stopping rule).

    Each iteration: the posterior mean m = argmin alpha ||yc - Xc m||^2 + lambda ||m||^2 (least
    squares on [sqrt(alpha) Xc; sqrt(lambda) I]), rss = ||yc - Xc m||^2 and, with e the squared
    singular values of Xc (0 beyond its rank), gamma = sum_{e > 0} alpha e / (lambda + alpha e);
    then lambda = (gamma + 2 lambda_1) / (||m||^2 + 2 lambda_2),
    alpha = (W - gamma + 2 alpha_1) / (rss + 2 alpha_2); stop when sum |m - m_previous| < tol.
    Returns a dict: coef, intercept, alpha, lambda, sigma ((lambda I + alpha Xc'Xc)^-1 from the
    SVD at the result), scores (the log evidence before each update and at the result), n_iter,
    converged, means (m of every iteration).
    """
    Xc, yc, xm, ym = centred(X, y, sample_weight, fit_intercept)
    n, p = Xc.shape
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, np.float64)
    W = s.sum()
    yv = np.asarray(y, dtype=np.float64)
    y_var = np.average((yv - np.average(yv, weights=s)) ** 2, weights=s)
    alpha = 1.0 / (y_var + np.finfo(np.float64).eps) if alpha_init is None else alpha_init
    lam = 1.0 if lambda_init is None else lambda_init
    _, sv, Vt = np.linalg.svd(Xc, full_matrices=True)
    e = np.zeros(p)
    e[:len(sv)] = sv**2

    def posterior(alpha, lam):
        A = np.vstack([np.sqrt(alpha) * Xc, np.sqrt(lam) * np.eye(p)])
        m = np.linalg.lstsq(A, np.r_[np.sqrt(alpha) * yc, np.zeros(p)], rcond=None)[0]
        return m, float(np.sum((yc - Xc @ m) ** 2))

    def log_evidence(alpha, lam, m, rss):
        return (lambda_1 * np.log(lam) - lambda_2 * lam + alpha_1 * np.log(alpha)
                - alpha_2 * alpha + 0.5 * (p * np.log(lam) + W * np.log(alpha) - alpha * rss
                                           - lam * m @ m - np.sum(np.log(lam + alpha * e))
                                           - W * np.log(2 * np.pi)))

    scores, means, converged = [], [], False
    for it in range(max_iter):
        m, rss = posterior(alpha, lam)
        scores.append(log_evidence(alpha, lam, m, rss))
        gamma = np.sum(alpha * e[e > 0] / (lam + alpha * e[e > 0]))
        lam = (gamma + 2 * lambda_1) / (m @ m + 2 * lambda_2)
        alpha = (W - gamma + 2 * alpha_1) / (rss + 2 * alpha_2)
        means.append(m)
        if it > 0 and np.sum(np.abs(means[-2] - m)) < tol:
            converged = True
            break
    m, rss = posterior(alpha, lam)
    scores.append(log_evidence(alpha, lam, m, rss))
    return {"coef": m, "intercept": ym - xm @ m, "alpha": alpha, "lambda": lam,
            "sigma": (Vt.T / (lam + alpha * e)) @ Vt, "scores": np.array(scores),
            "n_iter": it + 1, "converged": converged, "means": means}
