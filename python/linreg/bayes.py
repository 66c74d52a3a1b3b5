"""Bayesian ridge regression: the Ridge penalty chosen by maximising the evidence."""

from __future__ import annotations

import math
import sys

import numpy as np

from . import _config, _core
from ._base import ConvergenceWarning, LinearModel, data_conversion_warning_class, warn
from ._gradient import _check_float, _check_int
from ._validation import check_bool, raise_non_finite

_EPS = np.finfo(np.float64).eps
_ROWS = 8192  # rows per block in the passes over X that follow the statistics
_ANCHOR_SPAN = 10.0  # the residual is recomputed when t = lambda / alpha moves this far

# -- the spectrum ------------------------------------------------------------------------------
#
# Everything an evidence step needs comes from one eigendecomposition. With the centred, weight-
# scaled design Xs = S^(1/2) (X - 1 x_mean') and target ys = S^(1/2) (y - y_mean), write
# G = Xs'Xs = V diag(e) V' (keeping the e > 0 part) and z = V' Xs' ys. For t = lambda / alpha:
#   posterior mean  m(t)   = V (z / (e + t))        = (G + t I)^-1 Xs'ys   (Ridge at alpha = t)
#   gamma(t)               = sum e / (e + t)        (the number of well-determined parameters)
#   ||m(t)||^2             = sum (z / (e + t))^2
#   rss(t)                 = ||ys - Xs m(t)||^2
# so an iteration costs O(rank). Two routes reach (e, z, V):
#   "cov-eigen"  (n_samples > n_features): eigh of the p x p Gram of the sufficient statistics;
#   "gram-eigen" (otherwise): eigh of the n x n kernel K = Xs Xs' = U diag(e) U' of a centred
#                copy, B = Xs'U, e = ||B_j||^2 (read back from the data, see _kernel_route),
#                V = B / sqrt(e), z = sqrt(e) * (U'ys).
# rss is where the sufficient statistics lose digits: yy - 2 m'c + m'Gm subtracts numbers of the
# size of ||ys||^2 to leave ||residual||^2, so a fit with R^2 = 1 - 1e-10 keeps only ~6 digits of
# rss (and of alpha). In coordinates a = z / sqrt(e) of ys on the range of Xs, component j keeps
# the share s = t / (e + t) of a_j in the residual, which gives forms without that subtraction:
#   "gram-eigen": U is a basis of all of R^n, so with a = U'ys (computed directly)
#                 rss(t) = sum_{e = 0} a^2 + sum_{e > 0} (a s)^2,   a sum of squares.
#   "cov-eigen":  a^2 = z^2 / e is only as good as e, and a Gram's small eigenvalues carry an
#                 absolute error ~ eps * e_max. So a pass over X computes an anchor residual
#                 directly, rss0 = ||ys - Xs w0||^2, with w0 fitting exactly the components with
#                 e >= t0 and none of the others; then, with no division by a small e,
#                 rss(t) = rss0 + sum_{e >= t0} (z^2 / e) s^2 - sum_{e < t0} z^2 (e + 2t)/(e + t)^2
#                 (the second sum: the part of the weak components the fit at t takes). While t
#                 stays within a factor 10 of t0, neither sum removes more than a few times rss(t);
#                 outside, the anchor moves to t0 = t (one more pass: a few per fit, none once
#                 the iteration settles).


class _Spectrum:
    """Positive eigenvalues e, coordinates z, basis V (p x r, orthonormal columns) and rss(t)."""

    def __init__(self, e, z, V, rss):
        self.e, self.z, self.V, self._rss = e, z, V, rss

    def mean(self, t):
        """Eigen-coordinates of the posterior mean, and gamma."""
        if math.isinf(t):
            return np.zeros_like(self.z), 0.0
        d = self.e + t
        return self.z / d, float((self.e / d).sum())

    def rss(self, t) -> float:
        return float(self._rss(t))

    def posterior_factor(self, alpha, lam, p):
        """(V, d, null): Sigma = V diag(d) V' + null (I - V V'), d = 1 / (lambda + alpha e).

        null = 1 / lambda, the variance of the directions Xs does not reach, when there are
        such (rank < p). It is also taken when some e < t = lambda / alpha, in the form
        null I - V diag(null - d) V': the weight null - d = e / (lambda (e + t)) is small on the
        weakly determined components, whose eigenvectors an eigendecomposition of a Gram or
        kernel gets least accurately, where the weight d of V diag(d) V' is largest. Otherwise
        null = 0, and V diag(d) V' subtracts nothing."""
        with np.errstate(divide="ignore"):
            d = 1.0 / (lam + alpha * self.e)
            weak = self.e.size and float(self.e.min()) * alpha < lam
            null = 1.0 / lam if self.V.shape[1] < p or weak else 0.0
        return self.V, d, null


def _sigma(B, d, null, p):
    """The p x p posterior covariance from its factor."""
    if null == 0.0:
        return (B * d) @ B.T
    # null (I - BB') + B diag(d) B' = null I - B diag(null - d) B', null - d = alpha e d / lambda
    sigma = (B * (d - null)) @ B.T
    sigma[np.diag_indices(p)] += null
    return sigma


def _quadratic_form(Xc, B, d, null):
    """diag(Xc Sigma Xc') row by row: ||diag(sqrt d) B'x||^2 + null ||x - BB'x||^2 (the part of x
    outside range(B) as a residual vector, not as ||x||^2 - ||B'x||^2, which would cancel)."""
    C = Xc @ B
    q = (C * C) @ d
    if null != 0.0:
        R = Xc - C @ B.T
        q += null * np.einsum("ij,ij->i", R, R)
    return q


def _shrink(e, t):
    """t / (e + t), the share of each component left in the residual (1 at t = inf)."""
    return np.ones_like(e) if math.isinf(t) else t / (e + t)


def _cov_route(Xa, y, w, stats):
    xx = np.asarray(stats.xx, dtype=np.float64)
    lam, V = np.linalg.eigh(xx)
    top = max(float(lam[-1]), 0.0) if lam.size else 0.0
    # eigenvalues of a Gram carry an absolute error ~ p * eps * e_max: below it, a null direction
    lam[lam <= xx.shape[0] * _EPS * top] = 0.0
    pos = lam > 0
    e = lam[pos]
    Vp = V[:, pos]
    z = Vp.T @ np.asarray(stats.xy, dtype=np.float64)[:, 0]
    x_mean = np.asarray(stats.x_mean, dtype=np.float64)
    y_mean = float(np.asarray(stats.y_mean)[0])
    anchor = {}

    def rss(t):
        t0 = anchor.get("t0")
        if t0 is None or not t0 / _ANCHOR_SPAN <= t <= t0 * _ANCHOR_SPAN:
            strong = e >= t
            coef = Vp[:, strong] @ (z[strong] / e[strong])
            anchor.update(t0=t, strong=strong, weak=~strong,
                          rss0=_residual_sum_of_squares(Xa, y, w, x_mean, y_mean, coef))
        strong, weak = anchor["strong"], anchor["weak"]
        left = (z[strong] ** 2 / e[strong] * _shrink(e[strong], t) ** 2).sum()
        if math.isinf(t) or not weak.any():
            taken = 0.0
        else:
            ew = e[weak]
            taken = (z[weak] ** 2 * ((ew + 2.0 * t) / (ew + t) ** 2)).sum()
        return max(anchor["rss0"] + left - taken, 0.0)

    return _Spectrum(e, z, Vp, rss)


def _residual_sum_of_squares(Xa, y, w, x_mean, y_mean, coef):
    """sum_i s_i (y_i - y_mean - (x_i - x_mean)'coef)^2 by a pass over X in blocks (no copy)."""
    total = 0.0
    for a in range(0, Xa.shape[0], _ROWS):
        b = min(a + _ROWS, Xa.shape[0])
        r = (y[a:b] - y_mean) - (Xa[a:b].astype(np.float64) - x_mean) @ coef
        total += float((r * r) @ w[a:b]) if w.size else float(r @ r)
    return total


def _kernel_route(Xa, y, w, fit_intercept):
    """The spectrum from the n x n kernel, and the means (in float64: the kernel route exists for
    small n, and float32 means would leave the centring direction an eigenvalue ~1e-7 above 0)."""
    n, p = Xa.shape
    # the centred, weight-scaled design as a float64 copy: the kernel needs it whole
    Xs = np.array(Xa, dtype=np.float64)
    if not np.isfinite(Xs).all():
        raise_non_finite(Xa, ValueError("X contains NaN or infinity"))
    weights = w if w.size else None
    if fit_intercept:
        x_mean = np.average(Xs, axis=0, weights=weights)
        y_mean = float(np.average(y, weights=weights))
        Xs -= x_mean
    else:
        x_mean, y_mean = np.zeros(p), 0.0
    ys = y - y_mean
    if w.size:
        sqrt_w = np.sqrt(w)
        Xs *= sqrt_w[:, None]
        ys = ys * sqrt_w
    lam, U = np.linalg.eigh(Xs @ Xs.T)
    top = max(float(lam[-1]), 0.0)
    # rounding-level eigenvalues (the centring direction sqrt(s), repeated rows) are 0
    lam[lam <= n * _EPS * top] = 0.0
    pos = lam > 0
    a_all = U.T @ ys
    a = a_all[pos]
    rss_null = float((a_all[~pos] ** 2).sum())
    B = Xs.T @ U[:, pos]
    del Xs
    # the eigenvalues again, as ||Xs'u||^2 (a Rayleigh quotient read from the data): eigh(K) has
    # them to ~eps * e_max absolute, these to ~eps * sqrt(e_max * e) -- the small ones, which carry
    # the most posterior variance, gain up to 7 digits; and the columns of V come out of unit norm
    norms = np.sqrt(np.einsum("ij,ij->j", B, B))
    e = norms**2
    V = B / norms

    def rss(t):
        return rss_null + ((a * _shrink(e, t)) ** 2).sum()

    return _Spectrum(e, norms * a, V, rss), x_mean, y_mean


# -- the evidence ------------------------------------------------------------------------------


def _xlogy(c, x):
    """c * log(x), 0 when c == 0 (a Gamma prior of shape 0 contributes nothing at x = 0)."""
    if c == 0:
        return 0.0
    return c * math.log(x) if x > 0 else -math.inf


def _log_evidence(prm, W, alpha, lam, t, e, rss, norm2):
    """scikit-learn's log marginal likelihood (scores_) at (alpha, lambda)."""
    # p log(lambda) - sum_{j <= p} log(lambda + alpha e_j) = -sum_{e > 0} log1p(e / t): the null
    # directions cancel exactly, and nothing overflows when lambda or alpha is extreme
    with np.errstate(divide="ignore"):
        logdet = 0.0 if math.isinf(t) else float(np.log1p(e / t).sum())
    score = _xlogy(prm["lambda_1"], lam) - prm["lambda_2"] * lam
    score += _xlogy(prm["alpha_1"], alpha) - prm["alpha_2"] * alpha
    score += 0.5 * (_xlogy(W, alpha) - alpha * rss - lam * norm2 - logdet
                    - W * math.log(2.0 * math.pi))
    return score


def _ratio(lam, alpha):
    return math.inf if alpha == 0 else lam / alpha


def _quotient(num, den):
    if den == 0:
        return math.inf if num > 0 else math.nan
    return num / den


def _l1_change_below(sp, dc, tol, p):
    """Whether sum |coef_new - coef_old| < tol, from dc = the change in eigen-coordinates.

    ||V dc||_2 = ||dc||_2 <= ||V dc||_1 <= sqrt(p) ||dc||_2: only in between is the change formed
    in feature space (O(p r)), so iterations far from convergence stay O(r)."""
    l2 = float(np.sqrt(dc @ dc))
    if l2 * math.sqrt(p) < tol:
        return True
    if l2 >= tol:
        return False
    return float(np.abs(sp.V @ dc).sum()) < tol


class BayesianRidge(LinearModel):
    r"""Bayesian ridge regression: the Ridge penalty chosen by maximising the evidence.

    The model is

    .. math::
        y \mid X, w, b, \alpha &\sim \mathcal N\!\left(X w + b\,\mathbf 1,\; \alpha^{-1} I\right),
        \qquad w \mid \lambda \sim \mathcal N\!\left(0,\; \lambda^{-1} I\right), \\
        \alpha &\sim \Gamma(\alpha_1, \alpha_2), \qquad \lambda \sim \Gamma(\lambda_1, \lambda_2)

    (Gamma priors with shape and rate parameters), where :math:`\alpha` is the precision of the
    noise and :math:`\lambda` that of the weights. The intercept :math:`b` is not random: it is
    eliminated by centring, :math:`b = \bar y - \bar x^\top w`. Sample weights count rows:
    row ``i`` stands for :math:`s_i` observations, :math:`W = \sum_i s_i` of them.

    Given :math:`\alpha, \lambda`, the posterior of :math:`w` is Gaussian with covariance
    :math:`\Sigma = (\lambda I + \alpha X_c^\top S X_c)^{-1}` and mean
    :math:`m = \alpha \Sigma X_c^\top S y_c = (X_c^\top S X_c + \tfrac{\lambda}{\alpha} I)^{-1}
    X_c^\top S y_c`: the Gaussian prior *is* the Ridge penalty, and ``coef_`` equals
    ``Ridge(alpha=lambda_ / alpha_).coef_`` (Ridge's ``alpha`` is a penalty, this class's
    ``alpha_`` a noise precision). :math:`\alpha` and :math:`\lambda` are chosen by maximising
    the evidence: the log marginal likelihood of :math:`y` (with :math:`w` integrated out) plus
    the prior terms, as scikit-learn's ``scores_`` define it,

    .. math::
        \mathcal L(\alpha, \lambda) = \tfrac p2 \log\lambda + \tfrac W2 \log\alpha
        - \tfrac\alpha2 \lVert y_c - X_c m\rVert_S^2 - \tfrac\lambda2 \lVert m\rVert^2
        - \tfrac12 \log\det(\lambda I + \alpha X_c^\top S X_c) - \tfrac W2 \log 2\pi
        + \alpha_1 \log\alpha - \alpha_2 \alpha + \lambda_1 \log\lambda - \lambda_2 \lambda

    by MacKay's fixed-point updates, as scikit-learn's ``BayesianRidge`` does (same parameters,
    same iterates, same stopping rule): with :math:`e_j` the eigenvalues of
    :math:`X_c^\top S X_c` and :math:`\gamma = \sum_j \alpha e_j / (\lambda + \alpha e_j)`,

    .. math::
        \lambda \leftarrow \frac{\gamma + 2\lambda_1}{\lVert m\rVert^2 + 2\lambda_2}, \qquad
        \alpha \leftarrow \frac{W - \gamma + 2\alpha_1}{\lVert y_c - X_c m\rVert_S^2
        + 2\alpha_2},

    until the coefficients move by less than ``tol`` (:math:`\sum_j |m_j - m_j^{old}|`).

    Parameters
    ----------
    max_iter : int, default=300
        Maximum number of evidence iterations, ``>= 1``.
    tol : float, default=1e-3
        Stop when ``sum(abs(coef - coef_previous)) < tol`` (an absolute change, so it scales with
        the coefficients); ``> 0``.
    alpha_1 : float, default=1e-6
        Shape of the Gamma prior on ``alpha``, ``>= 0``.
    alpha_2 : float, default=1e-6
        Rate of the Gamma prior on ``alpha``, ``>= 0``.
    lambda_1 : float, default=1e-6
        Shape of the Gamma prior on ``lambda``, ``>= 0``.
    lambda_2 : float, default=1e-6
        Rate of the Gamma prior on ``lambda``, ``>= 0``.
    alpha_init : float or None, default=None
        Starting noise precision, ``>= 0``; None: ``1 / (Var(y) + eps)`` (weighted variance with
        ``sample_weight``).
    lambda_init : float or None, default=None
        Starting weight precision, ``>= 0``; None: 1.
    compute_score : bool, default=False
        Record the log evidence at every iteration in ``scores_``.
    fit_intercept : bool, default=True
        Fit ``b`` (through the weighted means). When False the data are not centred, and
        ``intercept_`` is 0.
    copy_X : bool, default=True
        Accepted for compatibility with scikit-learn; X is never modified whatever its value
        (see Notes for the one copy made).
    verbose : bool or int, default=False
        1 / True: one line when the iteration stops; 2: one line per iteration.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Posterior mean of the coefficients.
    intercept_ : float
        ``y_mean - X_offset_ @ coef_``; 0 when ``fit_intercept=False``.
    alpha_ : float
        Estimated noise precision.
    lambda_ : float
        Estimated weight precision.
    sigma_ : ndarray of shape (n_features, n_features)
        Posterior covariance of the coefficients, :math:`(\lambda I + \alpha X_c^\top S
        X_c)^{-1}` at ``alpha_``, ``lambda_``.
    scores_ : ndarray of shape (n_iter_ + 1,)
        With ``compute_score=True``, the log evidence :math:`\mathcal L` at the starting values
        and after every iteration, the last at ``alpha_``, ``lambda_`` with ``coef_``; empty
        otherwise. The entries match scikit-learn's but the last: there scikit-learn evaluates
        the :math:`\lambda \lVert m\rVert^2` term with the mean of the previous iteration
        instead of ``coef_``, a difference of the order of the last change.
    n_iter_ : int
        Evidence iterations run.
    X_offset_ : ndarray of shape (n_features,)
        The (weighted) column means subtracted for the intercept; zeros when
        ``fit_intercept=False``.
    X_scale_ : ndarray of shape (n_features,)
        Ones (X is not scaled).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X was a DataFrame with string column names.

    Notes
    -----
    The whole fit reads the data through one eigendecomposition. When ``n_samples >
    n_features``: the sufficient statistics (one threaded pass over X, read in place) and the
    eigendecomposition of the p x p centred Gram; then a residual computed directly by an
    O(n_samples * n_features) pass over X (without copying it), repeated only when
    ``lambda / alpha`` has moved tenfold (one to three passes in typical fits), keeps the
    residual sum of squares -- and so ``alpha_`` -- as accurate as a direct fit's when the fit
    is close to exact or the design ill-conditioned. Otherwise: the eigendecomposition of the
    n x n kernel of the centred design, which is a float64 copy of X. Each iteration then costs
    O(min(n_samples, n_features)); the stopping rule's L1 change is decided from its Euclidean
    norm and only formed in feature space when the two bounds disagree. Unlike scikit-learn, a
    fit that stops at ``max_iter`` raises a :class:`ConvergenceWarning`.

    References
    ----------
    D. J. C. MacKay, Bayesian Interpolation, Neural Computation 4(3), 1992.
    M. E. Tipping, Sparse Bayesian Learning and the Relevance Vector Machine, JMLR 1, 2001.

    Examples
    --------
    >>> import numpy as np, linreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 3)); y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.standard_normal(100)
    >>> model = linreg.BayesianRidge().fit(X, y)
    >>> np.round(model.coef_, 1)
    array([ 1. , -2. ,  0.5])
    >>> mean, std = model.predict(X[:2], return_std=True)
    >>> bool(np.all((0.09 < std) & (std < 0.12)))
    True
    """

    def __init__(self, *, max_iter=300, tol=1.0e-3, alpha_1=1.0e-6, alpha_2=1.0e-6,
                 lambda_1=1.0e-6, lambda_2=1.0e-6, alpha_init=None, lambda_init=None,
                 compute_score=False, fit_intercept=True, copy_X=True, verbose=False):
        self.max_iter = max_iter
        self.tol = tol
        self.alpha_1 = alpha_1
        self.alpha_2 = alpha_2
        self.lambda_1 = lambda_1
        self.lambda_2 = lambda_2
        self.alpha_init = alpha_init
        self.lambda_init = lambda_init
        self.compute_score = compute_score
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = False
        return tags

    def _check_params(self) -> dict:
        prm = {
            "max_iter": _check_int(self.max_iter, "max_iter", 1),
            "tol": _check_float(self.tol, "tol", positive=True),
            "compute_score": check_bool(self.compute_score, "compute_score"),
            "fit_intercept": check_bool(self.fit_intercept, "fit_intercept"),
        }
        for name in ("alpha_1", "alpha_2", "lambda_1", "lambda_2"):
            prm[name] = _check_float(getattr(self, name), name, low=0.0)
        for name in ("alpha_init", "lambda_init"):
            value = getattr(self, name)
            prm[name] = None if value is None else _check_float(value, name, low=0.0)
        check_bool(self.copy_X, "copy_X")
        verbose = self.verbose
        if isinstance(verbose, (bool, np.bool_)):
            verbose = int(verbose)
        prm["verbose"] = _check_int(verbose, "verbose", 0)
        return prm

    def fit(self, X, y, sample_weight=None):
        """Maximise the evidence over alpha and lambda; set the posterior at the maximum.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            One target (a column vector is raveled, with a ``DataConversionWarning``).
        sample_weight : float or array-like of shape (n_samples,), optional
            Non-negative; row ``i`` counts as ``sample_weight[i]`` observations.

        Returns
        -------
        self
        """
        prm = self._check_params()
        name = type(self).__name__
        Xa, Y, one_d, w = self._validate_fit_data(X, y, sample_weight)
        if Y.shape[1] != 1:
            raise ValueError(f"y: {name} fits one target, got y of shape {Y.shape}; fit one "
                             "model per target")
        if not one_d:
            warn("A column-vector y was passed when a 1d array was expected; it is "
                 "used as y.ravel()", data_conversion_warning_class())
        n, p = Xa.shape
        y64 = Y[:, 0].astype(np.float64)
        fit_intercept = prm["fit_intercept"]

        if n > p:
            stats = _core.gram_statistics(Xa, Y, w, fit_intercept, _config.get_num_threads())
            if not (np.isfinite(stats.xx).all() and np.isfinite(stats.x_mean).all()):
                raise_non_finite(Xa, ValueError("X contains NaN or infinity (or values whose "
                                                "square overflows)"))
            W = float(stats.weight_sum)
            x_mean = np.asarray(stats.x_mean, dtype=np.float64)
            y_mean = float(np.asarray(stats.y_mean)[0])
            sp = _cov_route(Xa, y64, w, stats)
        else:
            W = float(w.sum()) if w.size else float(n)
            sp, x_mean, y_mean = _kernel_route(Xa, y64, w, fit_intercept)

        # the starting noise precision: 1 / Var(y), about the (weighted) mean whatever
        # fit_intercept says, as scikit-learn starts
        if prm["alpha_init"] is None:
            centre = np.average(y64, weights=w if w.size else None)
            y_var = float(np.average((y64 - centre) ** 2, weights=w if w.size else None))
            alpha = 1.0 / (y_var + _EPS)
        else:
            alpha = prm["alpha_init"]
        lam = 1.0 if prm["lambda_init"] is None else prm["lambda_init"]

        alpha, lam, n_iter, converged, last, scores = self._iterate(sp, prm, W, p, alpha, lam)

        t = _ratio(lam, alpha)
        mc, _ = sp.mean(t)
        if prm["compute_score"]:
            scores.append(_log_evidence(prm, W, alpha, lam, t, sp.e, sp.rss(t),
                                        float(mc @ mc)))
        coef = sp.V @ mc
        intercept = y_mean - x_mean @ coef if fit_intercept else 0.0
        self._set_coefficients(coef[:, None], [intercept], True, Xa.dtype)
        self.alpha_ = float(alpha)
        self.lambda_ = float(lam)
        self._posterior = sp.posterior_factor(alpha, lam, p)
        self.sigma_ = _sigma(*self._posterior, p).astype(Xa.dtype, copy=False)
        self.scores_ = np.asarray(scores, dtype=np.float64)
        self.n_iter_ = n_iter
        self.X_offset_ = x_mean.astype(Xa.dtype)
        self.X_scale_ = np.ones(p, dtype=Xa.dtype)

        change = None if last is None else float(np.abs(sp.V @ last).sum())
        if prm["verbose"]:
            what = "converged" if converged else "stopped at max_iter"
            shown = "n/a" if change is None else f"{change:.3e}"
            print(f"[linreg {name}] {what} after {n_iter} iterations: change {shown} "
                  f"(tol {prm['tol']:.1e}), alpha_ = {alpha:.6g}, lambda_ = {lam:.6g}",
                  file=sys.stdout, flush=True)
        if not converged:
            if change is None:
                detail = ("with max_iter=1 no change can be measured (the first iteration has "
                          "no predecessor)")
                advice = "Use max_iter >= 2"
            else:
                detail = (f"the last change of the coefficients, sum(|coef - coef_previous|) = "
                          f"{change:.3e}, is above tol={prm['tol']:.1e}")
                advice = ("Increase max_iter, or raise tol (the change is absolute: it scales "
                          "with coef_, so standardising X or y changes it)")
            warn(
                f"{name} did not converge in max_iter={prm['max_iter']} evidence iterations: "
                f"{detail} (alpha_={alpha:.4g}, lambda_={lam:.4g}). {advice}.",
                ConvergenceWarning)
        return self

    def _iterate(self, sp, prm, W, p, alpha, lam):
        """MacKay's updates as scikit-learn orders them: the mean at (alpha, lambda), its score,
        the update, then the test on the change of the mean since the previous iteration."""
        name = type(self).__name__
        scores = []
        mc_old = last = None
        converged = False
        verbose = prm["verbose"]
        for it in range(prm["max_iter"]):
            t = _ratio(lam, alpha)
            mc, gamma = sp.mean(t)
            norm2 = float(mc @ mc)
            rss = sp.rss(t)
            if prm["compute_score"]:
                scores.append(_log_evidence(prm, W, alpha, lam, t, sp.e, rss, norm2))
            lam = _quotient(gamma + 2.0 * prm["lambda_1"], norm2 + 2.0 * prm["lambda_2"])
            alpha = _quotient(W - gamma + 2.0 * prm["alpha_1"], rss + 2.0 * prm["alpha_2"])
            if not (0.0 < alpha < math.inf and 0.0 <= lam < math.inf):
                self._raise_degenerate(name, it, alpha, lam, gamma, W, rss, norm2)
            if verbose >= 2:
                print(f"[linreg {name}] iteration {it + 1}: alpha = {alpha:.6g}, "
                      f"lambda = {lam:.6g}, gamma = {gamma:.4f}, rss = {rss:.6g}",
                      file=sys.stdout, flush=True)
            if it != 0:
                last = mc - mc_old
                if _l1_change_below(sp, last, prm["tol"], p):
                    converged = True
                    break
            mc_old = mc
        return alpha, lam, it + 1, converged, last, scores

    @staticmethod
    def _raise_degenerate(name, it, alpha, lam, gamma, W, rss, norm2):
        state = (f"iteration {it + 1} gave alpha={alpha:.4g}, lambda={lam:.4g} (gamma={gamma:.4g} "
                 f"well-determined parameters, sum of weights W={W:.4g}, rss={rss:.4g}, "
                 f"||coef||^2={norm2:.4g})")
        if math.isnan(alpha) or not alpha > 0:
            hint = ("alpha = (W - gamma + 2 alpha_1) / (rss + 2 alpha_2) needs W > gamma: "
                    "sample weights count observations, so weights summing to fewer than the "
                    "parameters they determine leave no noise to estimate; scale the weights "
                    "up (e.g. to sum to n_samples) or start from a smaller alpha_init")
        elif alpha == math.inf:
            hint = ("the fit is exact (rss = 0) and alpha_2 = 0, so the evidence grows without "
                    "bound in alpha; give alpha_2 > 0")
        else:
            hint = ("the posterior mean is 0 and lambda_2 = 0, so the evidence grows without "
                    "bound in lambda; give lambda_2 > 0")
        raise ValueError(f"{name}: the evidence has no finite maximum here: {state}; {hint}")

    def predict(self, X, return_std=False):
        """Mean of the predictive distribution, and optionally its standard deviation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        return_std : bool, default=False
            Also return ``sqrt(diag(X_c sigma_ X_c') + 1 / alpha_)`` with
            ``X_c = X - X_offset_``: the posterior spread of the mean plus the noise. Computed
            row block by row block, without forming the n x n matrix.

        Returns
        -------
        y_mean : ndarray of shape (n_samples,)
        y_std : ndarray of shape (n_samples,)
            Only with ``return_std=True``.
        """
        return_std = check_bool(return_std, "return_std")
        Xa = self._validate_predict_X(X)
        coef = np.asarray(self.coef_, dtype=Xa.dtype)
        y_mean = Xa @ coef + np.asarray(self.intercept_, dtype=Xa.dtype)
        if not return_std:
            return y_mean
        B, d, null = self._posterior
        offset = np.asarray(self.X_offset_, dtype=np.float64)
        var = np.empty(Xa.shape[0])
        for a in range(0, Xa.shape[0], _ROWS):
            b = min(a + _ROWS, Xa.shape[0])
            var[a:b] = _quadratic_form(Xa[a:b].astype(np.float64) - offset, B, d, null)
        y_std = np.sqrt(np.maximum(var, 0.0) + 1.0 / self.alpha_)
        return y_mean, y_std.astype(Xa.dtype, copy=False)

