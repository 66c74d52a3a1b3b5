"""Ridge regression: least squares with an L2 penalty."""

from __future__ import annotations

from . import _gradient
from ._base import LinearModel
from ._closed_form import fit_closed_form


class Ridge(LinearModel):
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
