"""Ordinary least squares."""

from __future__ import annotations

import numpy as np

from . import _gradient, _inference
from ._base import LinearModel, PartialFitMixin
from ._closed_form import fit_closed_form
from ._validation import check_option, check_sample_weight, check_y


class LinearRegression(PartialFitMixin, LinearModel):
    r"""Ordinary least squares.

    Minimises the (weighted) residual sum of squares

    .. math:: \min_{w, b} \; \sum_i s_i \, (y_i - x_i^\top w - b)^2

    with sample weights :math:`s_i` (all 1 by default). The intercept :math:`b` is not
    penalised and is recovered from the weighted means, :math:`b = \bar y - \bar x^\top w`.

    Parameters
    ----------
    fit_intercept : bool, default=True
        Fit an intercept. When False the data are not centred and ``intercept_`` is 0.
    solver : {"auto", "cholesky", "qr", "gd", "sgd"}, default="auto"
        How the minimum is found; the objective is the same whichever runs.

        - ``"cholesky"``: the normal equations ``X_c' X_c w = X_c' y_c`` from the sufficient
          statistics (one pass over X, threaded), solved by Cholesky. Raises
          ``numpy.linalg.LinAlgError`` when the design is singular; never falls back.
        - ``"qr"``: a column-pivoted QR of the centred, column-scaled design with iterative
          refinement in extended precision: correct to working precision on ill-conditioned
          designs and the minimum-norm solution on rank-deficient ones. Makes one copy of X
          (as float64).
        - ``"auto"``: ``"qr"`` when it costs little (``n * p * min(n, p) <= 1e8`` with
          ``p = n_features + 1``: about a tenth of a second);
          otherwise the normal equations, adding refinement passes over X when the condition
          estimate says Cholesky would lose digits, and switching to ``"qr"`` (with an
          :class:`IllConditionedWarning`) when it would lose too many. See ``solver_``.
        - ``"gd"``: full-batch gradient descent on the mean-scaled objective
          :math:`F(w, b) = \frac1W \sum_i s_i (y_i - x_i^\top w - b)^2` (:math:`W = \sum_i s_i`,
          ``n`` without weights: the objective above divided by ``W``, same minimiser). Its
          gradient is :math:`\nabla_w F = -\frac2W X^\top S (y - Xw - b)`, so without an
          intercept and with unit weights one step is exactly
          ``grad = -2/n * X.T @ (y - X @ w); w = w - lr * grad``. With an intercept ``b`` is set
          to its best value ``y_mean - x_mean @ w`` throughout, which makes each step that same
          step on the centred data; the centring happens inside the core's threaded pass over X
          (one per iteration), X is not copied.
        - ``"sgd"``: the same with mini-batch gradients
          :math:`-\frac2W \frac{n}{|B|} X_{c,B}^\top S_B r_B`, one epoch per pass over the rows.

        On a rank-deficient design gradient descent from zero converges to the minimum-norm
        solution, as the closed form does.
    {gd_parameters}

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X was a DataFrame with string column names.
    solver_ : str
        What ran: ``"qr"``, ``"cholesky"``, ``"cholesky+refinement"``, ``"gd"``,
        ``"gd+momentum"``, ``"gd+nesterov"``, ``"sgd"``, ``"sgd+momentum"``.
    rank_ : int
        Numerical rank of the (centred) design.
    cond_ : float
        Estimate of the 2-norm condition number of the centred, column-scaled design.
    n_iter_ : int
        Iterative-refinement steps taken (closed form), or iterations / epochs of gradient
        descent.
    dependent_columns_ : ndarray of int
        Columns found linearly dependent on the others (empty for a full-rank design).
    fallback_ : str or None
        Why ``solver="auto"`` left the path it planned, or None.
        (``rank_``, ``cond_``, ``dependent_columns_`` and ``fallback_`` belong to the closed form.)
    {gd_attributes}

    Notes
    -----
    X is read in place when it is a float32 or float64 array in C or F order; any other input is
    converted once (to float64, or to a contiguous copy). Results are returned in X's dtype.
    A rank-deficient design gives a :class:`RankDeficientWarning` naming the dependent columns
    and the minimum-norm solution (as ``numpy.linalg.lstsq`` on the centred data).

    Examples
    --------
    >>> import numpy as np, linreg
    >>> X = np.array([[0.0], [1.0], [2.0]]); y = np.array([1.0, 3.0, 5.0])
    >>> model = linreg.LinearRegression().fit(X, y)
    >>> round(float(model.coef_[0]), 6), round(float(model.intercept_), 6)
    (2.0, 1.0)
    >>> gd = linreg.LinearRegression(solver="gd", tol=1e-10).fit(X, y)
    >>> round(float(gd.coef_[0]), 6), round(float(gd.intercept_), 6), bool(gd.converged_)
    (2.0, 1.0, True)
    """

    def __init__(self, fit_intercept=True, solver="auto", *, learning_rate="auto", max_iter=1000,
                 tol=1e-6, batch_size="auto", shuffle=True, random_state=None, momentum=0.0,
                 schedule="adaptive", warm_start=False, verbose=0, callback=None):
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
            Non-negative weights :math:`s_i`.

        Returns
        -------
        self
        """
        self._inference_state = None
        return fit_closed_form(self, X, y, sample_weight, 0.0, self.solver, keep=self._keep)

    def _keep(self, Xa, Y, w, res, stats):
        """After a closed-form fit of one target: the statistics inference needs."""
        if Xa is None or Y.shape[1] != 1:
            self._inference_state = None
            return
        names = (list(self.feature_names_in_) if hasattr(self, "feature_names_in_")
                 else [f"x{j}" for j in range(Xa.shape[1])])
        coef = np.atleast_2d(self.coef_)[0]
        self._inference_state = _inference.capture(
            Xa, Y, w, coef, float(np.atleast_1d(self.intercept_)[0]),
            bool(self.fit_intercept), res.solver, names, stats)

    def _state(self):
        self._check_is_fitted()
        st = getattr(self, "_inference_state", None)
        if st is None:
            raise ValueError("inference needs a closed-form fit (solver 'auto', 'cholesky' or "
                             "'qr') of a single target; this model was fitted with "
                             f"solver_={self.solver_!r} and coef_ of shape "
                             f"{np.shape(self.coef_)}")
        return st

    def inference(self, cov_type="nonrobust", *, X=None, y=None, sample_weight=None):
        r"""Standard errors, t tests, intervals, R^2, F test, likelihood: the Gaussian model.

        The model is :math:`y_i = b + x_i^\top w + \varepsilon_i`,
        :math:`\varepsilon_i \sim N(0, \sigma^2 / s_i)`; see
        :class:`linreg.RegressionInference`. ``"nonrobust"`` comes from the statistics kept
        at fit, with no pass over X. ``cov_type="HC0" | "HC1" | "HC2" | "HC3"``
        (heteroskedasticity-robust) needs each row's residual and leverage: pass the training
        ``X``, ``y`` (and ``sample_weight``) again.

        Returns
        -------
        RegressionInference
        """
        st = self._state()
        cov_type = check_option(cov_type, "cov_type", _inference.COV_TYPES)
        robust = None
        if cov_type != "nonrobust":
            if X is None or y is None:
                raise ValueError(f"cov_type={cov_type!r} needs the training data: pass X=..., "
                                 "y=... (and sample_weight=...) as at fit")
            Xa = self._validate_predict_X(X)
            Y, _ = check_y(y, Xa)
            w = check_sample_weight(sample_weight, Xa.shape[0])
            robust = _inference.robust_cov(st, Xa, Y[:, 0], w, cov_type)
        return _inference.RegressionInference(st, cov_type, robust)

    def summary(self, cov_type="nonrobust", alpha=0.05, **data):
        """:meth:`inference` as a plain-text table (statsmodels' ``summary()``)."""
        return self.inference(cov_type, **data).summary(alpha)

    def get_prediction(self, X, alpha=0.05):
        r"""Predictions with standard errors and intervals at the rows of X.

        ``mean`` is ``X @ coef_ + intercept_``; ``se_mean`` its standard error
        (:math:`\hat\sigma \sqrt{z' (Z'SZ)^{-1} z}`, ``z = (1, x)``); ``se_obs`` that of a new
        observation (:math:`\sqrt{se\_mean^2 + \hat\sigma^2}`, unit weight);
        ``mean_ci`` and ``obs_ci`` the ``1 - alpha`` confidence and prediction intervals
        (t quantiles with ``df_resid`` degrees of freedom), as statsmodels'
        ``get_prediction(X).summary_frame(alpha)``.

        Returns
        -------
        dict of ndarray
        """
        st = self._state()
        Xa = self._validate_predict_X(X)
        k = int(st.fit_intercept) + st.factor.rank
        df_resid = st.n_obs - k
        scale = st.rss / df_resid if df_resid > 0 else np.nan
        Z = np.asarray(Xa, dtype=np.float64)
        mean = Z @ st.coef + st.intercept
        Zc = (Z - st.x_mean) if st.fit_intercept else Z
        B = st.factor.half(Zc.T)
        lev = (B * B).sum(axis=0) + (1.0 / st.weight_sum if st.fit_intercept else 0.0)
        se_mean = np.sqrt(scale * lev)
        se_obs = np.sqrt(scale * lev + scale)
        from . import _distributions

        q = float(_distributions.t_ppf(1 - alpha / 2, df_resid)) if df_resid > 0 else np.nan
        return {"mean": mean, "se_mean": se_mean, "se_obs": se_obs,
                "mean_ci": np.c_[mean - q * se_mean, mean + q * se_mean],
                "obs_ci": np.c_[mean - q * se_obs, mean + q * se_obs]}


LinearRegression.__doc__ = LinearRegression.__doc__.replace(
    "{gd_parameters}", _gradient.PARAMETERS_DOC).replace("{gd_attributes}", _gradient.ATTRIBUTES_DOC)
