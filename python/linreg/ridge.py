"""Ridge regression: least squares with an L2 penalty."""

from __future__ import annotations

import numbers

import numpy as np

from . import _config, _core, _gradient
from ._base import IllConditionedWarning, LinearModel, PartialFitMixin, _not_offered, warn
from ._closed_form import fit_closed_form
from ._validation import check_alpha, check_bool, check_option, raise_non_finite
from .lasso import _folds, _rows


class Ridge(PartialFitMixin, LinearModel):
    r"""Least squares with an L2 penalty on the coefficients (Tikhonov regularisation).

    Minimises

    .. math:: \min_{w, b} \; \sum_i s_i \, (y_i - x_i^\top w - b)^2 + \alpha \, \lVert w \rVert_2^2

    exactly as scikit-learn's ``Ridge`` does, so coefficients are comparable one to one. The
    intercept is not penalised. The solution is ``(X_c' S X_c + alpha I) w = X_c' S y_c``.

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        Penalty strength, ``>= 0``; one value per target is allowed.
    fit_intercept : bool, default=True
    solver : {"auto", "cholesky", "qr", "gd", "sgd"}, default="auto"
        ``"cholesky"``: normal equations from the sufficient statistics, or, when
        ``n_samples < n_features``, the dual (kernel) form ``w = X_c' (X_c X_c' + alpha I)^{-1} y_c``
        on an n x n matrix; raises ``numpy.linalg.LinAlgError`` if the factorisation fails.
        ``"qr"``: QR of the augmented design ``[X_c; sqrt(alpha) I]`` with refinement (copies X).
        ``"auto"``: as for :class:`LinearRegression`, with the dual form chosen automatically when
        ``n_samples < n_features``.
        ``"gd"`` / ``"sgd"``: (mini-batch) gradient descent on the objective divided by
        :math:`W = \sum_i s_i` (``n`` without weights), same minimiser:
        :math:`F(w, b) = \frac1W \sum_i s_i (y_i - x_i^\top w - b)^2 + \frac{\alpha}{W}
        \lVert w\rVert^2`, gradient :math:`-\frac2W X^\top S r + 2 \frac{\alpha}{W} w`. With
        unit weights, no intercept and ``lam = alpha / n`` one step is exactly
        ``grad = -2/n * X.T @ (y - X @ w); grad += 2 * lam * w; w = w - lr * grad``; with an
        intercept, the same step on the centred data (``b = y_mean - x_mean @ w``, unpenalised).
        See :class:`LinearRegression`.
    {gd_parameters}

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str
    solver_ : str
        ``"qr"``, ``"cholesky"``, ``"cholesky+refinement"`` or ``"dual-cholesky"``.
    rank_ : int
    cond_ : float
        Condition estimate of the (scaled) penalised system.
    n_iter_ : int
    dependent_columns_ : ndarray of int
    fallback_ : str or None
    {gd_attributes}

    Examples
    --------
    >>> import numpy as np, linreg
    >>> X = np.array([[0.0], [1.0], [2.0]]); y = np.array([1.0, 3.0, 5.0])
    >>> round(float(linreg.Ridge(alpha=2.0).fit(X, y).coef_[0]), 12)  # 2 * 2 / (2 + 2)
    1.0
    """

    def __init__(self, alpha=1.0, fit_intercept=True, solver="auto", *, learning_rate="auto",
                 max_iter=1000, tol=1e-6, batch_size="auto", shuffle=True, random_state=None,
                 momentum=0.0, schedule="adaptive", warm_start=False, verbose=0, callback=None):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.random_state = random_state
        self.momentum = momentum
        self.schedule = schedule
        self.warm_start = warm_start
        self.verbose = verbose
        self.callback = callback

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        return fit_closed_form(self, X, y, sample_weight, self.alpha, self.solver)


Ridge.__doc__ = Ridge.__doc__.replace(
    "{gd_parameters}", _gradient.PARAMETERS_DOC).replace("{gd_attributes}", _gradient.ATTRIBUTES_DOC)


# -- RidgeCV -----------------------------------------------------------------------------------
#
# Every quantity cross-validation needs, for every alpha, comes from one decomposition of the
# scaled, centred design Xs = S^(1/2) (X - 1 mean'), written as Xs = Q V' with Q'Q = diag(lam):
#   "cov-eigen":  G = Xs'Xs = V diag(lam) V' (the Gram of the sufficient statistics), Q = Xs V;
#   "gram-eigen": K = Xs Xs' = U diag(lam) U', Q = U diag(sqrt(lam))   (n_samples <= n_features);
#   "svd":        Xs = U diag(sigma) V', Q = U diag(sigma), lam = sigma^2 (accurate when the
#                 Gram's condition number would cost too many digits).
# With z = Q' ys = V' c and d = 1 / (lam + alpha):
#   coef      = V (d * z)                          (gram-eigen: Xs' U (d * U'ys))
#   fitted_s  = Q (d * z)                          (scaled, centred fitted values)
#   h_i       = s_i / W + sum_j Q_ij^2 d_j         (leverage; s_i / W is the intercept's share)
#   r_i       = ys_i - fitted_s_i,  LOO residual (scaled) = r_i / (1 - h_i)
# The LOO identity is exact for any penalised least-squares fit with an unpenalised intercept:
# dropping row i and refitting (means included) gives residual e_i / (1 - h_ii).

_CV_ROWS = 8192  # rows per block when forming Q and the per-alpha errors


class _Decomposition:
    """Q (or how to make its rows), lam, z, and the map back to coefficients."""

    def __init__(self, kind, lam, z, coef_basis, Q=None, X=None, mean=None, sqrt_w=None):
        self.kind, self.lam, self.z, self.coef_basis = kind, lam, z, coef_basis
        self._Q, self._X, self._mean, self._sqrt_w = Q, X, mean, sqrt_w

    def rows(self, a, b):
        if self._Q is not None:
            return self._Q[a:b]
        block = self._X[a:b].astype(np.float64) - self._mean  # centred in a block, not in X
        if self._sqrt_w is not None:
            block *= self._sqrt_w[a:b, None]
        return block @ self.coef_basis

    def coef(self, alpha):
        """(n_features, n_targets) coefficients at one alpha."""
        d = 1.0 / (self.lam + alpha)
        if self.kind == "gram-eigen":
            return self.coef_basis @ (d[:, None] * self.z_u)
        return self.coef_basis @ (d[:, None] * self.z)


def _scaled_centred(Xa, mean, sqrt_w):
    """S^(1/2) (X - 1 mean'), float64: a copy (the kernel and SVD routes need it whole)."""
    Xs = np.asarray(Xa, dtype=np.float64) - mean
    if sqrt_w is not None:
        Xs *= sqrt_w[:, None]
    return Xs


def _decompose(Xa, Ys, stats, sqrt_w, mean, mode, alpha_min, name):
    n, p = Xa.shape
    if mode == "eigen":
        mode = "cov-eigen" if n > p else "gram-eigen"
    if mode == "auto":
        mode = "cov-eigen" if n > p else "gram-eigen"
        auto = True
    else:
        auto = False
    if mode == "cov-eigen":
        lam, V = np.linalg.eigh(np.asarray(stats.xx, dtype=np.float64))
        lam = np.maximum(lam, 0.0)
        z = V.T @ np.asarray(stats.xy, dtype=np.float64)
        dec = _Decomposition("cov-eigen", lam, z, V, X=Xa, mean=mean, sqrt_w=sqrt_w)
        top = lam[-1] if lam.size else 0.0
    elif mode == "gram-eigen":
        Xs = _scaled_centred(Xa, mean, sqrt_w)
        lam, U = np.linalg.eigh(Xs @ Xs.T)
        # rounding-level eigenvalues (the centring direction sqrt(s), exact duplicates) are 0
        lam[lam < n * np.finfo(np.float64).eps * max(float(lam[-1]), 0.0)] = 0.0
        dec = _Decomposition("gram-eigen", lam, np.sqrt(lam)[:, None] * (U.T @ Ys), Xs.T @ U,
                             Q=U * np.sqrt(lam))
        dec.z_u = U.T @ Ys
        top = lam[-1] if lam.size else 0.0
    else:
        Xs = _scaled_centred(Xa, mean, sqrt_w)
        U, sigma, Vt = np.linalg.svd(Xs, full_matrices=False)
        lam = sigma**2
        dec = _Decomposition("svd", lam, sigma[:, None] * (U.T @ Ys), Vt.T, Q=U * sigma)
        top = lam[0] if lam.size else 0.0
    if auto and dec.kind != "svd" and top > 0:
        # The eigenvalues of a Gram carry an absolute error ~ eps * lam_max: the LOO quantities
        # lose eps * cond(G + alpha I) relative. Past 1e8 the SVD of the design is taken instead.
        floor = lam[lam > top * 1e-13 * max(n, p)].min() if dec.kind == "gram-eigen" else lam[0]
        cond = (top + alpha_min) / (floor + alpha_min)
        if cond > 1e8:
            warn(
                f"{name}: the {'Gram' if dec.kind == 'cov-eigen' else 'kernel'} matrix at the "
                f"smallest alpha ({alpha_min:.3g}) has condition number {cond:.2e} > 1e8; its "
                "eigendecomposition would lose too many digits, so the SVD of the centred design "
                "was taken instead (decomposition_='svd'; it copies X). Pass gcv_mode='svd' to "
                "take this path directly, or use larger alphas.",
                IllConditionedWarning)
            return _decompose(Xa, Ys, stats, sqrt_w, mean, "svd", alpha_min, name)
    return dec


def _loo_errors(dec, Ys, alphas, sqrt_w, weight_sum, fit_intercept, keep_per_sample):
    """Sum over samples of the scaled squared LOO residuals (n_alphas, n_targets); per sample
    too when asked; and the residual sums of squares for GCV."""
    n, k = Ys.shape
    A = len(alphas)
    D = 1.0 / (dec.lam[:, None] + alphas[None, :])                       # (r, A)
    ZD = (dec.z[:, :, None] * D[:, None, :]).reshape(len(dec.lam), k * A)  # (r, k*A)
    loo = np.zeros((A, k))
    rss = np.zeros((A, k))
    per_sample = np.empty((n, k, A)) if keep_per_sample else None
    rows = max(256, min(_CV_ROWS, 2**17 // (k * A)))  # block arrays of (rows, k, A) ~ 1 MiB
    for a in range(0, n, rows):
        b = min(a + rows, n)
        Q = dec.rows(a, b)
        h = (Q * Q) @ D                                                   # (rows, A)
        if fit_intercept:
            h += ((sqrt_w[a:b] ** 2)[:, None] if sqrt_w is not None else 1.0) / weight_sum
        # h = 1: the fit reproduces the row whatever its value; its LOO residual is 0/0, taken 0
        inv = np.zeros_like(h)
        np.divide(1.0, 1.0 - h, out=inv, where=h < 1.0 - 1e-12)
        r = Ys[a:b, :, None] - (Q @ ZD).reshape(b - a, k, A)            # (rows, k, A)
        r2 = r * r
        loo += np.einsum("ika,ia->ak", r2, inv * inv)
        rss += r2.sum(axis=0).T
        if keep_per_sample:
            per_sample[a:b] = r2 * (inv * inv)[:, None, :]
    return loo, rss, per_sample


class RidgeCV(Ridge):
    r"""Ridge regression with alpha chosen by cross-validation, every alpha from one decomposition.

    For each ``alpha`` in ``alphas`` the model minimises

    .. math:: \sum_i s_i \, (y_i - x_i^\top w - b)^2 + \alpha \, \lVert w \rVert_2^2,

    and the alpha with the smallest cross-validated squared error is kept. With ``cv=None`` the
    criterion is the exact leave-one-out error (``criterion="loo"``, the default, as scikit-learn's
    ``RidgeCV``) or generalised cross-validation (``criterion="gcv"``:
    :math:`\mathrm{GCV}(\alpha) = \frac{1}{n}\sum_i s_i r_i^2 / (1 - \mathrm{df}/n)^2` with
    :math:`\mathrm{df} = \operatorname{tr} H`). Neither refits anything: with the centred,
    weight-scaled design written as :math:`X_s = Q V^\top` (one eigendecomposition of its Gram, of
    its kernel, or an SVD), the hat matrix is :math:`H = \frac{1}{W}\sqrt{s}\sqrt{s}^\top +
    Q\,(\Lambda + \alpha I)^{-1} Q^\top`, and the leave-one-out residual of row ``i`` is exactly
    :math:`r_i / (1 - H_{ii})` — the intercept refitted without row ``i`` included. So the whole
    grid costs one pass over X for the statistics, one eigendecomposition, and one more pass
    computing the residuals and leverages of all alphas at once as matrix products.

    With ``cv`` an integer (k contiguous folds, scikit-learn's ``KFold(k)``) or a splitter, each
    fold's training statistics are merged from the other folds' statistics, decomposed once, and
    its held-out rows predicted for every alpha; the score is the mean over folds of the (weighted)
    mean squared error on the held-out rows.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Penalties to try, each ``> 0`` (``>= 0`` when ``cv`` is given).
    fit_intercept : bool, default=True
    scoring : None or "neg_mean_squared_error", default=None
        Only the squared error is offered; other scores raise ``ValueError``.
    cv : None, int, splitter or iterable of (train, test), default=None
        ``None``: leave-one-out (or GCV) from the decomposition.
    gcv_mode : {None, "auto", "eigen", "svd"}, default=None
        ``None``/``"auto"``: the eigendecomposition of the Gram (``n_samples > n_features``) or of
        the kernel ``X_s X_s'`` (otherwise), switching to the SVD with an
        ``IllConditionedWarning`` when the condition number of the matrix at the smallest alpha
        exceeds 1e8. ``"eigen"``: eigendecomposition, no switch. ``"svd"``: the SVD of the
        centred design (a float64 copy of X).
    store_cv_results : bool, default=False
        Keep the per-sample squared leave-one-out residuals (``cv=None`` only).
    alpha_per_target : bool, default=False
        With several targets, choose one alpha per target (``cv=None`` only).
    criterion : {"loo", "gcv"}, default="loo"
        The criterion when ``cv=None``.

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
    best_score_ : float or ndarray
        Minus the criterion at ``alpha_``, as scikit-learn reports it: the mean over samples (and
        targets) of ``s_i * e_i^2`` for leave-one-out; the mean fold score for k-fold.
    mse_path_ : ndarray
        The criterion for every alpha: shape (n_alphas,) or (n_alphas, n_targets) for LOO/GCV
        (LOO: the weighted mean ``sum_i s_i e_i^2 / W``); (n_alphas, n_folds) or
        (n_alphas, n_targets, n_folds) for k-fold.
    cv_results_ : ndarray of shape (n_samples, n_alphas) or (n_samples, n_targets, n_alphas)
        With ``store_cv_results=True``: ``s_i * e_i^2``, the squared scaled LOO residuals.
    alphas_ : ndarray of shape (n_alphas,)
    decomposition_ : str
        ``"cov-eigen"``, ``"gram-eigen"`` or ``"svd"`` (k-fold: ``"cov-eigen"`` per fold).
    effective_dof_ : float or ndarray
        :math:`\sum_j \lambda_j / (\lambda_j + \alpha)` at ``alpha_`` (plus 1 for the intercept),
        the trace of the hat matrix.
    coef_, intercept_, n_features_in_, feature_names_in_
        As :class:`Ridge`, at ``alpha_``.

    Notes
    -----
    Copies: the ``"cov-eigen"`` route reads X in place (blocks of rows are centred on the fly);
    ``"gram-eigen"`` and ``"svd"`` make one float64 copy of the centred design; k-fold copies the
    folds of an F-ordered X (C-ordered folds are read in place when ``cv`` is an int).

    Examples
    --------
    >>> import numpy as np, linreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 3)); y = X @ [1.0, 2.0, 0.0] + rng.standard_normal(50)
    >>> cv = linreg.RidgeCV(alphas=[0.01, 1.0, 100.0]).fit(X, y)
    >>> float(cv.alpha_) in (0.01, 1.0)
    True
    """

    partial_fit = _not_offered("partial_fit", "leave-one-out needs every row; accumulate "
                               "linreg.GramStatistics and use GramStatistics.solve(alphas)")
    fit_statistics = _not_offered("fit_statistics", "leave-one-out needs every row")

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True, scoring=None, cv=None,
                 gcv_mode=None, store_cv_results=False, alpha_per_target=False, criterion="loo"):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.store_cv_results = store_cv_results
        self.alpha_per_target = alpha_per_target
        self.criterion = criterion

    def _check_params(self):
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        check_bool(self.store_cv_results, "store_cv_results")
        check_bool(self.alpha_per_target, "alpha_per_target")
        criterion = check_option(self.criterion, "criterion", ("loo", "gcv"))
        mode = "auto" if self.gcv_mode is None else check_option(
            self.gcv_mode, "gcv_mode", ("auto", "eigen", "svd"))
        if self.scoring not in (None, "neg_mean_squared_error"):
            raise ValueError(f"scoring: RidgeCV chooses alpha by squared error; scoring must be "
                             f"None or 'neg_mean_squared_error', got {self.scoring!r}")
        alphas = np.atleast_1d(check_alpha(self.alphas, np.size(self.alphas), "alphas"))
        if alphas.size == 0:
            raise ValueError("alphas: expected at least one value, got an empty sequence")
        if self.cv is None and (alphas <= 0).any():
            raise ValueError(f"alphas must be > 0 for leave-one-out (the leverage of a "
                             f"interpolating fit is 1), got {self.alphas!r}; pass cv=k to "
                             "include alpha=0")
        if self.cv is not None:
            if self.store_cv_results:
                raise ValueError("store_cv_results=True needs cv=None (leave-one-out)")
            if self.alpha_per_target:
                raise ValueError("alpha_per_target=True needs cv=None (leave-one-out)")
        return fit_intercept, criterion, mode, alphas

    def fit(self, X, y, sample_weight=None):
        """Cross-validate every alpha, keep the best, and set the coefficients at it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        fit_intercept, criterion, mode, alphas = self._check_params()
        Xa, Y, one_d, w = self._validate_fit_data(X, y, sample_weight)
        n, p = Xa.shape
        threads = _config.get_num_threads()
        parts = None
        if isinstance(self.cv, numbers.Integral) and not isinstance(self.cv, bool):
            # k contiguous folds: each fold's statistics once; the whole = their merge
            parts = [_core.gram_statistics(_fold_rows(Xa, te), np.asfortranarray(Y[te]),
                                           w[te] if w.size else w, fit_intercept, threads)
                     for _, te in _folds(self.cv, n)]
            stats = parts[0].copy()
            for part in parts[1:]:
                stats.merge(part)
        if parts is not None or self.cv is not None or (mode != "svd" and n > p):
            if parts is None:
                stats = _core.gram_statistics(Xa, Y, w, fit_intercept, threads)
            if not (np.isfinite(stats.xx).all() and np.isfinite(stats.x_mean).all()):
                raise_non_finite(Xa, ValueError("X contains NaN or infinity (or values whose "
                                                "square overflows)"))
            mean = np.asarray(stats.x_mean, dtype=np.float64)
            y_mean = np.asarray(stats.y_mean, dtype=np.float64)
        else:  # the kernel or the SVD: the means suffice, the p x p Gram is not formed
            stats = None
            if fit_intercept:
                mean = np.asarray(_core.weighted_means(Xa, w, threads), dtype=np.float64)
                y_mean = np.average(Y, axis=0, weights=w if w.size else None)
            else:
                mean, y_mean = np.zeros(p), np.zeros(Y.shape[1])
            if not np.isfinite(mean).all() or not (fit_intercept or np.isfinite(Xa).all()):
                raise_non_finite(Xa, ValueError("X contains NaN or infinity"))
        if self.cv is None:
            coef, score, self.mse_path_ = self._fit_loo(
                Xa, Y, w, stats, mean, y_mean, alphas, mode, criterion, fit_intercept)
        else:
            coef, score, self.mse_path_ = self._fit_kfold(
                Xa, Y, w, stats, parts, alphas, fit_intercept)
        intercept = (y_mean - mean @ coef) if fit_intercept else np.zeros(Y.shape[1])
        self._set_coefficients(coef, intercept, one_d, Xa.dtype)
        self.alphas_ = alphas
        self.best_score_ = score
        if one_d and np.ndim(self.alpha_) == 1:
            self.alpha_ = float(self.alpha_[0])
        return self

    def _fit_loo(self, Xa, Y, w, stats, mean, y_mean, alphas, mode, criterion, fit_intercept):
        n, k = Y.shape
        sqrt_w = np.sqrt(w) if w.size else None
        weight_sum = float(w.sum()) if w.size else float(n)
        Ys = np.asarray(Y, dtype=np.float64) - y_mean
        if sqrt_w is not None:
            Ys *= sqrt_w[:, None]
        dec = _decompose(Xa, Ys, stats, sqrt_w, mean, mode, float(alphas.min()),
                         type(self).__name__)
        keep = bool(self.store_cv_results)
        loo, rss, per_sample = _loo_errors(dec, Ys, alphas, sqrt_w, weight_sum, fit_intercept,
                                           keep)
        dof = (dec.lam[:, None] / (dec.lam[:, None] + alphas[None, :])).sum(axis=0)
        dof = dof + (1.0 if fit_intercept else 0.0)
        if criterion == "gcv":
            path = (rss / n) / ((1.0 - dof / n) ** 2)[:, None]
        else:
            path = loo / weight_sum
        if self.alpha_per_target and k > 1:
            best = np.argmin(path, axis=0)
            self.alpha_ = alphas[best]
            coef = np.column_stack([dec.coef(a)[:, t] for t, a in enumerate(self.alpha_)])
            score = -(loo[best, np.arange(k)] / n)
            self.effective_dof_ = dof[best]
        else:
            i = int(np.argmin(path.mean(axis=1)))
            self.alpha_ = float(alphas[i])
            coef = dec.coef(alphas[i])
            score = -float(loo[i].mean() / n)
            self.effective_dof_ = float(dof[i])
        self.decomposition_ = dec.kind
        self.criterion_ = criterion
        if keep:
            self.cv_results_ = per_sample[:, 0, :] if k == 1 else per_sample
        elif hasattr(self, "cv_results_"):
            del self.cv_results_
        return coef, score, (path[:, 0] if k == 1 else path)

    def _fit_kfold(self, Xa, Y, w, stats, parts, alphas, fit_intercept):
        n, k = Y.shape
        folds = _folds(self.cv, n)
        threads = _config.get_num_threads()
        partition = parts is not None
        mse = np.zeros((len(alphas), k, len(folds)))
        for f, (train, test) in enumerate(folds):
            if partition:
                tr = None
                for g, part in enumerate(parts):
                    if g == f:
                        continue
                    if tr is None:
                        tr = part.copy()
                    else:
                        tr.merge(part)
            else:
                tr = _core.gram_statistics(_rows(Xa, train), np.asfortranarray(Y[train]),
                                           w[train] if w.size else w, fit_intercept, threads)
            lam, V = np.linalg.eigh(np.asarray(tr.xx, dtype=np.float64))
            z = V.T @ np.asarray(tr.xy, dtype=np.float64)
            D = _inverse(lam[:, None] + alphas[None, :], lam)
            C = V @ (z[:, :, None] * D[:, None, :]).reshape(len(lam), k * len(alphas))
            mu = np.asarray(tr.x_mean, dtype=np.float64)
            Xte = _fold_rows(Xa, test) if partition else Xa[test]
            pred = (np.asarray(Xte, dtype=np.float64) - mu) @ C
            pred = pred.reshape(len(test), k, len(alphas))
            pred += np.asarray(tr.y_mean, dtype=np.float64)[None, :, None]
            err = (np.asarray(Y[test], dtype=np.float64)[:, :, None] - pred) ** 2
            if w.size and not w[test].sum() > 0:
                raise ValueError(f"sample_weight: the held-out rows of fold {f} all have weight "
                                 "0, so their error is undefined; use other folds or weights")
            mse[:, :, f] = np.average(err, axis=0, weights=w[test] if w.size else None).T
        mean = mse.mean(axis=(1, 2))
        i = int(np.argmin(mean))
        self.alpha_ = float(alphas[i])
        lam, V = np.linalg.eigh(np.asarray(stats.xx, dtype=np.float64))
        lam = np.maximum(lam, 0.0)
        coef = V @ ((V.T @ np.asarray(stats.xy, dtype=np.float64))
                    * _inverse(lam + alphas[i], lam)[:, None])
        self.decomposition_ = "cov-eigen"
        self.criterion_ = f"{len(folds)}-fold"
        self.effective_dof_ = float((lam * _inverse(lam + alphas[i], lam)).sum() + fit_intercept)
        if hasattr(self, "cv_results_"):
            del self.cv_results_
        return coef, -float(mean[i]), (mse[:, 0, :] if k == 1 else mse)



def _fold_rows(Xa, rows):
    """The rows of one contiguous fold: a view of a C-ordered X, a copy otherwise."""
    if Xa.flags.c_contiguous:
        return Xa[rows[0]:rows[-1] + 1]
    return _rows(Xa, rows)


def _inverse(m, lam):
    """1 / m, with 0 where m is at the rounding level of the largest eigenvalue (alpha = 0 on a
    rank-deficient fold: the minimum-norm solution, as the closed form gives)."""
    floor = np.finfo(np.float64).eps * len(lam) * max(float(lam.max(initial=0.0)), 1e-300)
    out = np.zeros_like(m)
    np.divide(1.0, m, out=out, where=m > floor)
    return out
