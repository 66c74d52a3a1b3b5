"""Ordinary least squares."""

from __future__ import annotations

from ._base import LinearModel
from ._closed_form import fit_closed_form


class LinearRegression(LinearModel):
    r"""Ordinary least squares.

    Minimises the (weighted) residual sum of squares

    .. math:: \min_{w, b} \; \sum_i s_i \, (y_i - x_i^\top w - b)^2

    with sample weights :math:`s_i` (all 1 by default). The intercept :math:`b` is not
    penalised and is recovered from the weighted means, :math:`b = \bar y - \bar x^\top w`.

    Parameters
    ----------
    fit_intercept : bool, default=True
        Fit an intercept. When False the data are not centred and ``intercept_`` is 0.
    solver : {"auto", "cholesky", "qr"}, default="auto"
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

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X was a DataFrame with string column names.
    solver_ : str
        What ran: ``"qr"``, ``"cholesky"``, ``"cholesky+refinement"``.
    rank_ : int
        Numerical rank of the (centred) design.
    cond_ : float
        Estimate of the 2-norm condition number of the centred, column-scaled design.
    n_iter_ : int
        Iterative-refinement steps taken.
    dependent_columns_ : ndarray of int
        Columns found linearly dependent on the others (empty for a full-rank design).
    fallback_ : str or None
        Why ``solver="auto"`` left the path it planned, or None.

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
    """

    def __init__(self, fit_intercept=True, solver="auto"):
        self.fit_intercept = fit_intercept
        self.solver = solver

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
        return fit_closed_form(self, X, y, sample_weight, 0.0, self.solver)
