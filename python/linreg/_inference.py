r"""Statistical inference for least squares: the Gaussian linear model behind OLS.

Model: :math:`y_i = b + x_i^\top w + \varepsilon_i`, :math:`\varepsilon_i \sim N(0, \sigma^2 / s_i)`
independent (``s_i`` the sample weights; 1 for OLS). Maximising its log-likelihood over
:math:`(b, w)` is minimising :math:`\sum_i s_i (y_i - b - x_i^\top w)^2`, least squares, and
over :math:`\sigma^2` gives :math:`\hat\sigma^2_{ML} = \mathrm{RSS} / n`; the unbiased estimate
is :math:`\mathrm{RSS} / (n - r)`, ``r`` the number of identifiable parameters.

Everything here comes from the sufficient statistics of the fit (weighted means, the centred Gram
``G = X_c' S X_c``, ``X_c' S y_c``, ``y_c' S y_c``) and one triangular factor ``R`` of the
column-scaled design, ``D^-1 G D^-1 = R'R``: the Cholesky factor when the fit used the normal
equations, the R of a Householder QR of the centred, scaled design when it used QR (the
ill-conditioned or small problems; the factor then carries no squared condition number).
``(X_c' S X_c)^{-1}`` is applied as ``D^-1 R^-1 R^-T D^-1`` by triangular solves, never by
inverting ``X'X``. With an intercept the covariance of ``(b, w)`` is, with ``A = (X_c'SX_c)^-1``,

    [[1/W + m'A m, -m'A], [-A m, A]]          (m the weighted means, W the sum of weights)

Heteroskedasticity-robust covariances (HC0-HC3) need the residual and leverage of each row: one
pass over X, taken only when asked for.
"""

from __future__ import annotations

import numpy as np

from . import _config, _core
from ._base import LinregWarning, warn

COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3")


class InferenceWarning(LinregWarning):
    """Inference is partly undefined: too few residual degrees of freedom, or parameters that the
    design does not identify (their statistics are NaN)."""


def _solve_upper(R, B):
    """R^-1 B for upper-triangular R (back substitution, column by column in NumPy)."""
    return np.linalg.solve(R, B)  # R is triangular: LAPACK's LU on it is exact back-substitution


class Factor:
    """The centred design's geometry: scales ``D``, the triangular ``R`` (or, rank-deficient,
    the right singular vectors and values), and which coefficients are identifiable."""

    def __init__(self, scale, R=None, V=None, sing=None):
        self.scale = scale
        self.R = R
        self.V, self.sing = V, sing
        d = len(scale)
        if V is None:
            self.identifiable = np.ones(d, dtype=bool)
            self.rank = d
        else:
            tol = max(len(sing), 1) * np.finfo(np.float64).eps * (sing[0] if sing.size else 0.0)
            keep = sing > tol * 1e3
            self.rank = int(keep.sum())
            null = V[:, ~keep]
            # e_j is in the row space (w_j estimable) iff it has no component in the null space
            self.identifiable = np.sqrt((null**2).sum(axis=1)) < 1e-8
            self.V, self.sing = V[:, keep], sing[keep]

    @classmethod
    def from_gram(cls, G):
        """Cholesky of the scaled Gram (the normal-equations path)."""
        scale = np.sqrt(np.diag(G))
        scale[~(scale > 0)] = 1.0
        C = G / scale[:, None] / scale[None, :]
        try:
            L = np.linalg.cholesky(C)
            return cls(scale, R=L.T)
        except np.linalg.LinAlgError:
            lam, V = np.linalg.eigh(C)
            order = np.argsort(lam)[::-1]
            return cls(scale, V=V[:, order], sing=np.sqrt(np.maximum(lam[order], 0.0)))

    @classmethod
    def from_design(cls, Xa, mean, sqrt_w):
        """QR (SVD when rank-deficient) of the centred, weight- and column-scaled design."""
        F = np.asarray(Xa, dtype=np.float64) - mean
        if sqrt_w is not None:
            F *= sqrt_w[:, None]
        scale = np.sqrt((F * F).sum(axis=0))
        scale[~(scale > 0)] = 1.0
        F /= scale
        R = np.linalg.qr(F, mode="r")
        diag = np.abs(np.diag(R))
        if diag.size and diag.min() > diag.max() * F.shape[1] * 1e-13:
            return cls(scale, R=R)
        _, sing, Vt = np.linalg.svd(F, full_matrices=False)
        return cls(scale, V=Vt.T, sing=sing)

    def a_times(self, B):
        """(X_c' S X_c)^+ B (the inverse when the design has full rank)."""
        B = np.asarray(B, dtype=np.float64) / (self.scale[:, None] if B.ndim == 2
                                                 else self.scale)
        if self.R is not None:
            out = _solve_upper(self.R, _solve_upper(self.R.T, B))
        else:
            coords = self.V.T @ B
            coords = coords / (self.sing[:, None] ** 2 if B.ndim == 2 else self.sing**2)
            out = self.V @ coords
        return out / (self.scale[:, None] if B.ndim == 2 else self.scale)

    def half(self, B):
        """R^-T D^-1 B: ||half(x)||^2 = x' A x."""
        B = np.asarray(B, dtype=np.float64) / (self.scale[:, None] if B.ndim == 2
                                                 else self.scale)
        if self.R is not None:
            return _solve_upper(self.R.T, B)
        coords = self.V.T @ B
        return coords / (self.sing[:, None] if B.ndim == 2 else self.sing)


    def from_half(self, H):
        """D^-1 R^-1 H: with H = half(B), (X_c'SX_c)^+ B."""
        if self.R is not None:
            out = _solve_upper(self.R, H)
        else:
            out = self.V @ (H / (self.sing[:, None] if H.ndim == 2 else self.sing))
        return out / (self.scale[:, None] if H.ndim == 2 else self.scale)


class State:
    """What a fit keeps for inference: counts, means, sums of squares, the factor."""

    def __init__(self, n_obs, weight_sum, x_mean, y_mean, coef, intercept, rss, tss, factor,
                 fit_intercept, weighted, log_weight_sum, names):
        self.n_obs = n_obs
        self.weight_sum = weight_sum
        self.x_mean = x_mean
        self.y_mean = y_mean
        self.coef = coef
        self.intercept = intercept
        self.rss = rss
        self.tss = tss
        self.factor = factor
        self.fit_intercept = fit_intercept
        self.weighted = weighted
        self.log_weight_sum = log_weight_sum
        self.names = names

    def unscaled_cov(self):
        """(Z' S Z)^-1 for Z = [1, X] (or X), intercept first."""
        f = self.factor
        d = len(self.coef)
        A = f.a_times(np.eye(d))
        if not self.fit_intercept:
            return A
        m = self.x_mean
        Am = A @ m
        h = f.half(m)
        out = np.empty((d + 1, d + 1))
        out[0, 0] = 1.0 / self.weight_sum + h @ h
        out[0, 1:] = out[1:, 0] = -Am
        out[1:, 1:] = A
        return out


def _residuals(Xa, y, coef, x_mean, y_mean, rows=8192):
    """y - b - X w computed as (y - y_mean) - (X - x_mean) w, block by block: the centred form
    keeps the cancelling terms small when the coefficients are large."""
    r = np.empty(len(y))
    for a in range(0, len(y), rows):
        b = min(a + rows, len(y))
        r[a:b] = (y[a:b] - y_mean) - (np.asarray(Xa[a:b], dtype=np.float64) - x_mean) @ coef
    return r


def capture(Xa, Y, w, coef, intercept, fit_intercept, solver, names, stats=None):
    """The inference state of a closed-form fit of one target (``coef`` of shape (d,)).

    ``stats``: the sufficient statistics the fit computed (the normal-equations path), so no
    pass over X is repeated; the QR path (small or ill-conditioned problems) computes them here.
    """
    n = Xa.shape[0]
    threads = _config.get_num_threads()
    y = np.asarray(Y[:, 0], dtype=np.float64)
    weighted = bool(w.size)
    s = w if weighted else None
    if stats is None:
        stats = _core.gram_statistics(Xa, Y[:, :1], w, fit_intercept, threads)
    x_mean = np.asarray(stats.x_mean, dtype=np.float64)
    y_mean = float(np.asarray(stats.y_mean)[0])
    G = np.asarray(stats.xx, dtype=np.float64)
    if solver == "qr":
        factor = Factor.from_design(Xa, x_mean if fit_intercept else 0.0,
                                    np.sqrt(w) if weighted else None)
    else:
        factor = Factor.from_gram(G)
    tss = float(stats.yy[0, 0])
    c = np.asarray(stats.xy, dtype=np.float64)[:, 0]
    wc = np.asarray(coef, dtype=np.float64)
    # RSS = y'Sy - 2 w'c + w'Gw from the statistics, with no pass over X, when its rounding
    # error (about eps sqrt(d) times the size of the terms) is below 1e-8 RSS; otherwise (a
    # very close fit, large cancelling coefficients, or the QR path of small and ill-conditioned
    # problems) one pass over X computes the residuals
    rss = tss - 2.0 * wc @ c + wc @ G @ wc
    size = tss + 2.0 * np.abs(wc) @ np.abs(c) + np.abs(wc) @ np.abs(G) @ np.abs(wc)
    rounding = np.sqrt(len(wc)) * np.finfo(np.float64).eps * size
    if solver == "qr" or not rss > 1e8 * rounding:
        r = _residuals(Xa, y, wc, x_mean if fit_intercept else 0.0,
                       y_mean if fit_intercept else 0.0)
        rss = float(np.dot(r * r, s) if weighted else r @ r)
    n_obs = int(np.count_nonzero(w)) if weighted else n
    log_w = float(np.log(w[w > 0]).sum()) if weighted else 0.0
    return State(n_obs, float(stats.weight_sum), x_mean, y_mean, np.asarray(coef, np.float64),
                 float(intercept), rss, tss, factor, fit_intercept, weighted, log_w, names)


def _dist():
    from . import _distributions

    return _distributions


class RegressionInference:
    r"""Inference for a least-squares fit, in statsmodels' terms (``OLS``/``WLS`` results).

    Parameters are ordered ``(intercept, coef...)`` when the model has an intercept. With
    :math:`r` identifiable parameters, ``df_resid = n - r`` and ``df_model = r - 1`` (``r``
    without intercept); ``scale`` :math:`= \hat\sigma^2 = \mathrm{RSS}/\mathrm{df\_resid}`,
    ``sigma2_mle`` :math:`= \mathrm{RSS}/n`. ``bse`` are the standard errors, ``tvalues`` and
    ``pvalues`` the two-sided t tests of each parameter being 0 (``df_resid`` degrees of
    freedom), ``fvalue``/``f_pvalue`` the F test of all coefficients (not the intercept) being 0,
    ``llf`` the Gaussian log-likelihood at the MLE, ``aic = -2 llf + 2 r``,
    ``bic = -2 llf + r log n``. Parameters the design does not identify (rank-deficient X) have
    NaN statistics and are listed in ``not_identifiable``; ``identifiable`` marks the others.
    """

    def __init__(self, state, cov_type="nonrobust", robust_cov=None):
        st = self.state = state
        f = st.factor
        self.cov_type = cov_type
        self.names = (["intercept"] if st.fit_intercept else []) + list(st.names)
        self.params = np.r_[[st.intercept] if st.fit_intercept else [], st.coef].astype(float)
        self.identifiable = np.r_[[True] if st.fit_intercept else [], f.identifiable].astype(bool)
        self.not_identifiable = [nm for nm, ok in zip(self.names, self.identifiable) if not ok]
        self.nobs = st.n_obs
        k = int(st.fit_intercept) + f.rank
        self.df_model = float(k - int(st.fit_intercept))
        self.df_resid = float(self.nobs - k)
        self.ssr = st.rss
        self.centered_tss = st.tss if st.fit_intercept else None
        self.uncentered_tss = st.tss if not st.fit_intercept else None
        tss = st.tss
        self.ess = tss - st.rss
        self.rsquared = 1.0 - st.rss / tss if tss > 0 else np.nan
        if self.df_resid > 0:
            self.scale = st.rss / self.df_resid
            self.rsquared_adj = 1.0 - (self.nobs - int(st.fit_intercept)) / self.df_resid * (
                1.0 - self.rsquared)
        else:
            self.scale = np.nan
            self.rsquared_adj = np.nan
            warn(
                f"{self.nobs} observations for {k} identifiable parameters leave "
                f"{self.df_resid:g} residual degrees of freedom: sigma^2, standard errors, tests "
                "and intervals are undefined (NaN). Fit fewer parameters or use more data.",
                InferenceWarning)
        self.sigma2_mle = st.rss / self.nobs
        n2 = self.nobs / 2.0
        self.llf = float(-n2 * np.log(st.rss) - (1 + np.log(np.pi / n2)) * n2
                         + 0.5 * st.log_weight_sum) if st.rss > 0 else np.inf
        self.aic = -2.0 * self.llf + 2.0 * k
        self.bic = -2.0 * self.llf + np.log(self.nobs) * k
        cov = (robust_cov if robust_cov is not None else self.scale * st.unscaled_cov())
        bad = ~self.identifiable
        cov = cov.copy()
        cov[bad, :] = np.nan
        cov[:, bad] = np.nan
        self._cov = cov
        self.bse = np.sqrt(np.diag(cov))
        with np.errstate(divide="ignore", invalid="ignore"):
            self.tvalues = self.params / self.bse
        dist = _dist()
        self.pvalues = (dist.t_two_sided_pvalue(self.tvalues, self.df_resid)
                        if self.df_resid > 0 else np.full(len(self.params), np.nan))
        if self.df_model > 0 and self.df_resid > 0 and cov_type == "nonrobust":
            self.fvalue = float((self.ess / self.df_model) / self.scale)
            self.f_pvalue = float(dist.f_sf(self.fvalue, self.df_model, self.df_resid))
        elif self.df_model > 0 and self.df_resid > 0:
            # Wald test of all coefficients = 0 with the robust covariance (as statsmodels)
            sl = slice(int(st.fit_intercept), None)
            keep = f.identifiable
            b = st.coef[keep]
            V = cov[sl, sl][np.ix_(keep, keep)]
            self.fvalue = float(b @ np.linalg.solve(V, b) / self.df_model)
            self.f_pvalue = float(dist.f_sf(self.fvalue, self.df_model, self.df_resid))
        else:
            self.fvalue = self.f_pvalue = np.nan
        if self.not_identifiable:
            warn(
                f"The design is rank-deficient: parameter(s) {self.not_identifiable} are not "
                "identifiable (only combinations of them are); their standard errors, tests and "
                "intervals are NaN. The others are estimable and reported.",
                InferenceWarning)

    def cov_params(self):
        """Covariance matrix of the parameters (intercept first)."""
        return self._cov.copy()

    def conf_int(self, alpha=0.05):
        """``(n_params, 2)`` confidence intervals ``params -/+ t_{1-alpha/2, df_resid} bse``."""
        q = float(_dist().t_ppf(1.0 - alpha / 2.0, self.df_resid)) if self.df_resid > 0 else np.nan
        return np.c_[self.params - q * self.bse, self.params + q * self.bse]

    def summary(self, alpha=0.05):
        """A plain-text table: the fit statistics, then one row per parameter."""
        lines = []
        width = 78
        title = "Least squares" + (" (weighted)" if self.state.weighted else "")
        lines.append(title.center(width))
        lines.append("=" * width)
        left = [("No. observations", f"{self.nobs:d}"), ("Df residuals", f"{self.df_resid:g}"),
                ("Df model", f"{self.df_model:g}"), ("Covariance", self.cov_type),
                ("sigma^2 (unbiased)", f"{self.scale:.6g}")]
        right = [("R-squared", f"{self.rsquared:.4f}"), ("Adj. R-squared",
                                                        f"{self.rsquared_adj:.4f}"),
                 ("F statistic", f"{self.fvalue:.4g}"), ("Prob (F)", f"{self.f_pvalue:.3g}"),
                 ("Log-likelihood", f"{self.llf:.6g}")]
        for (a, b), (c, d) in zip(left, right):
            lines.append(f"{a:<20}{b:>16}    {c:<20}{d:>18}")
        lines.append(f"{'AIC':<20}{self.aic:>16.6g}    {'BIC':<20}{self.bic:>18.6g}")
        lines.append("=" * width)
        ci = self.conf_int(alpha)
        lo, hi = f"[{alpha / 2:g}", f"{1 - alpha / 2:g}]"
        name_w = max(12, max(len(nm) for nm in self.names) + 1)
        lines.append(f"{'':<{name_w}}{'coef':>12}{'std err':>11}{'t':>9}{'P>|t|':>9}"
                     f"{lo:>12}{hi:>12}")
        lines.append("-" * width)
        for i, nm in enumerate(self.names):
            if not self.identifiable[i]:
                lines.append(f"{nm:<{name_w}}{self.params[i]:>12.4g}   not identifiable "
                             "(a combination of other columns)")
                continue
            lines.append(f"{nm:<{name_w}}{self.params[i]:>12.4g}{self.bse[i]:>11.4g}"
                         f"{self.tvalues[i]:>9.3f}{self.pvalues[i]:>9.3f}{ci[i, 0]:>12.4g}"
                         f"{ci[i, 1]:>12.4g}")
        lines.append("=" * width)
        return "\n".join(lines)

    def __str__(self):
        return self.summary()


def robust_cov(state, Xa, y, w, cov_type):
    """HC0-HC3 (White; MacKinnon-White): one pass over X for the residuals and leverages."""
    f = state.factor
    Z = np.asarray(Xa, dtype=np.float64)
    r = _residuals(Z, np.asarray(y, dtype=np.float64), state.coef,
                   state.x_mean if state.fit_intercept else 0.0,
                   state.y_mean if state.fit_intercept else 0.0)
    s = w if w.size else np.ones(len(r))
    wr = np.sqrt(s) * r                                     # whitened residuals
    Zc = (Z - state.x_mean) if state.fit_intercept else Z
    B = f.half(Zc.T).T * np.sqrt(s)[:, None]              # rows: R^-T D^-1 sqrt(s_i) xc_i
    h = (B * B).sum(axis=1)                               # leverages
    if state.fit_intercept:
        h += s / state.weight_sum
    if cov_type == "HC0" or cov_type == "HC1":
        u2 = wr**2
    elif cov_type == "HC2":
        u2 = wr**2 / (1.0 - h)
    else:
        u2 = wr**2 / (1.0 - h) ** 2
    # cov = P diag(u2) P' with P = (Z'SZ)^-1 Z' S^(1/2), the pseudo-inverse of the whitened
    # design, formed from the centred factor (the uncentred bread-meat-bread product would cancel)
    Pw = f.from_half(B.T)                                  # (d, n): A X_c' S^(1/2)
    if state.fit_intercept:
        P = np.vstack([np.sqrt(s) / state.weight_sum - state.x_mean @ Pw, Pw])
    else:
        P = Pw
    cov = (P * u2) @ P.T
    if cov_type == "HC1":
        k = int(state.fit_intercept) + f.rank
        cov *= state.n_obs / (state.n_obs - k)
    return cov
