r"""Polynomial features, in the power basis or a well-conditioned Legendre basis, and a
least-squares polynomial model on top of them.

Every output column is a product over the input features of a univariate basis function,
:math:`\prod_j B_{p_j}(x_j)`, for one exponent tuple :math:`p` (a row of ``powers_``). The power
basis has :math:`B_k(x) = x^k`; the Legendre basis has :math:`B_k(x) = \sqrt{2k+1}\,P_k(t)` with
:math:`t` the feature mapped affinely onto :math:`[-1, 1]` by its range at fit. Columns are built
as a dynamic programme over the exponent tuples: the tuple whose first non-zero exponent is
:math:`k` at feature :math:`a` is the tuple without feature :math:`a` (an earlier, lower-degree
column) times :math:`B_k(x_a)`, one vectorised product per block of such columns.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._base import LinearModel, _not_fitted_error_class
from ._validation import (
    check_alpha,
    check_bool,
    check_option,
    check_X,
    feature_names_of,
)
from .linear import LinearRegression
from .ridge import Ridge

__all__ = ["PolynomialFeatures", "PolynomialRegression", "design_condition"]

_BASES = ("power", "legendre")


class _Params:
    """Constructor arguments, repr and predict-time checks, exactly as the linear models do them."""

    _param_names = classmethod(LinearModel._param_names.__func__)
    get_params = LinearModel.get_params
    set_params = LinearModel.set_params
    __repr__ = LinearModel.__repr__
    _validate_predict_X = LinearModel._validate_predict_X


def _degree_range(degree) -> tuple[int, int]:
    """(min_degree, max_degree) from an int or a pair, as scikit-learn reads ``degree``."""
    def is_int(v):
        return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))

    if is_int(degree):
        if degree < 0:
            raise ValueError(f"degree must be a non-negative int, got {degree!r}")
        return 0, int(degree)
    if isinstance(degree, (str, bytes)) or not hasattr(degree, "__len__") or len(degree) != 2:
        raise TypeError(
            "degree must be a non-negative int or a pair (min_degree, max_degree), "
            f"got {degree!r}"
        )
    lo, hi = degree
    if not (is_int(lo) and is_int(hi)):
        raise TypeError(f"degree=(min_degree, max_degree) must hold two ints, got {degree!r}")
    if not 0 <= lo <= hi:
        raise ValueError(
            "degree=(min_degree, max_degree) needs 0 <= min_degree <= max_degree, "
            f"got {tuple(degree)!r}"
        )
    return int(lo), int(hi)


def _plan(n_features: int, max_degree: int, interaction_only: bool, offset: int):
    """Blocks ``(a, k, src, dst)`` meaning ``XP[:, dst] = B_k(x_a) * XP[:, src]`` (``src`` None:
    the constant 1), in scikit-learn's column order, and the exponent tuple of every column.

    The degree-d tuples whose first feature is ``a`` come in order of decreasing exponent ``k``
    of ``a``; for each ``k`` they are the degree-(d-k) tuples that start after ``a``, which are a
    contiguous tail of the degree-(d-k) columns.
    """
    steps, powers = [], []
    starts = {}  # starts[m][a]: first degree-m column whose first feature is >= a
    col = offset
    for d in range(1, max_degree + 1):
        starts[d] = []
        for a in range(n_features):
            starts[d].append(col)
            for k in ([1] if interaction_only else range(d, 0, -1)):
                m = d - k
                if m == 0:
                    src, tail = None, [np.zeros(n_features, dtype=np.intp)]
                else:
                    lo, hi = starts[m][a + 1], starts[m][n_features]
                    src, tail = slice(lo, hi), powers[lo - offset:hi - offset]
                if not tail:
                    continue
                steps.append((a, k, src, slice(col, col + len(tail))))
                for p in tail:
                    p = p.copy()
                    p[a] += k
                    powers.append(p)
                col += len(tail)
        starts[d].append(col)
    return steps, starts, powers


def _legendre(t: np.ndarray, max_k: int):
    """sqrt(2k+1) P_k(t) for k = 0..max_k, by k P_k = (2k-1) t P_{k-1} - (k-1) P_{k-2}."""
    P = [np.ones_like(t), t]
    for k in range(2, max_k + 1):
        P.append(((2 * k - 1) * t * P[k - 1] - (k - 1) * P[k - 2]) / k)
    return [np.sqrt(t.dtype.type(2 * k + 1)) * P[k] for k in range(max_k + 1)]


class PolynomialFeatures(_Params):
    r"""Products of powers of the input features, as scikit-learn's ``PolynomialFeatures``, or
    the same products of orthonormal Legendre polynomials.

    For each exponent tuple :math:`p` with :math:`\min \le \sum_j p_j \le \max` degree (a row of
    ``powers_``, in scikit-learn's order) the output column is

    .. math:: \prod_j x_j^{p_j} \quad (\text{basis="power"}), \qquad
              \prod_j \sqrt{2 p_j + 1}\, P_{p_j}(t_j) \quad (\text{basis="legendre"}),

    where :math:`P_k` is the Legendre polynomial of degree :math:`k` and
    :math:`t_j = 2 (x_j - \min_j) / (\max_j - \min_j) - 1` maps the range of feature :math:`j` seen
    at fit onto :math:`[-1, 1]` (a constant feature maps to 0). The Legendre columns are
    orthonormal for the uniform measure on that box, so a least-squares fit on them stays well
    conditioned at degrees where raw powers lose most digits (see :func:`design_condition`); both
    bases span the same polynomials. Points outside the fitted range are allowed (``|t| > 1``).

    Parameters
    ----------
    degree : int or tuple (min_degree, max_degree), default=2
        Maximum total degree, or the range of total degrees kept (the constant term follows
        ``include_bias`` only).
    interaction_only : bool, default=False
        Keep only products of distinct features (every exponent 0 or 1).
    include_bias : bool, default=False
        Add the constant column (``"1"``). Off by default, unlike scikit-learn, because linreg's
        models fit their own intercept.
    basis : {"power", "legendre"}, default="power"
        ``"power"`` gives exactly scikit-learn's output.
    order : {"C", "F"}, default="C"
        Memory order of the output.

    Attributes
    ----------
    powers_ : ndarray of shape (n_output_features_, n_features_in_)
        Exponent of each input feature in each output column.
    n_output_features_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X was a DataFrame with string column names.
    data_min_, data_max_ : ndarray of shape (n_features_in_,)
        Range of each feature at fit (``basis="legendre"`` only).

    Notes
    -----
    float32 and float64 input stay in their dtype; other numeric input becomes float64. The input
    is never modified.

    Examples
    --------
    >>> import numpy as np
    >>> from linreg.polynomial import PolynomialFeatures
    >>> X = np.arange(6).reshape(3, 2)
    >>> poly = PolynomialFeatures(2).fit(X)
    >>> poly.transform(X)
    array([[ 0.,  1.,  0.,  0.,  1.],
           [ 2.,  3.,  4.,  6.,  9.],
           [ 4.,  5., 16., 20., 25.]])
    >>> poly.get_feature_names_out().tolist()
    ['x0', 'x1', 'x0^2', 'x0 x1', 'x1^2']
    >>> leg = PolynomialFeatures(2, basis="legendre").fit(X)
    >>> leg.get_feature_names_out().tolist()
    ['P1(x0)', 'P1(x1)', 'P2(x0)', 'P1(x0) P1(x1)', 'P2(x1)']
    >>> np.round(leg.transform(X)[:, 0] / np.sqrt(3), 12)  # x0 in [0, 4] mapped onto [-1, 1]
    array([-1.,  0.,  1.])
    """

    def __init__(self, degree=2, *, interaction_only=False, include_bias=False, basis="power",
                 order="C"):
        self.degree = degree
        self.interaction_only = interaction_only
        self.include_bias = include_bias
        self.basis = basis
        self.order = order

    def __sklearn_tags__(self):
        from sklearn.utils import InputTags, Tags, TargetTags, TransformerTags

        return Tags(
            estimator_type=None,
            target_tags=TargetTags(required=False),
            transformer_tags=TransformerTags(preserves_dtype=["float64", "float32"]),
            input_tags=InputTags(allow_nan=False, sparse=False, two_d_array=True),
        )

    def fit(self, X, y=None):
        """Work out the output columns (and, for the Legendre basis, each feature's range).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        min_degree, max_degree = _degree_range(self.degree)
        interaction_only = check_bool(self.interaction_only, "interaction_only")
        include_bias = check_bool(self.include_bias, "include_bias")
        check_option(self.basis, "basis", _BASES)
        check_option(self.order, "order", ("C", "F"))
        names = feature_names_of(X)
        Xa = check_X(X)
        d = Xa.shape[1]
        offset = int(include_bias)
        steps, starts, powers = _plan(d, max_degree, interaction_only, offset)
        n_full = offset + len(powers)
        # Degrees below min_degree are computed (later columns are built from them), then dropped.
        first = starts[max(min_degree, 1)][0] if max(min_degree, 1) <= max_degree else n_full
        keep = np.r_[np.arange(offset), np.arange(first, n_full)].astype(np.intp)
        if keep.size == 0:
            raise ValueError(
                f"degree={self.degree!r} with include_bias=False and interaction_only="
                f"{interaction_only} leaves no output column for {d} feature(s); lower the "
                "(minimum) degree or set include_bias=True"
            )
        bias = [np.zeros(d, dtype=np.intp)] if include_bias else []
        all_powers = np.array(bias + powers, dtype=np.intp).reshape(n_full, d)

        self.n_features_in_ = d
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        if self.basis == "legendre":
            self.data_min_ = Xa.min(axis=0)
            self.data_max_ = Xa.max(axis=0)
        else:
            for attr in ("data_min_", "data_max_"):
                if hasattr(self, attr):
                    delattr(self, attr)
        self.powers_ = all_powers[keep]
        self.n_output_features_ = int(keep.size)
        self._steps, self._n_full = steps, n_full
        self._keep = None if keep.size == n_full else keep
        return self

    def transform(self, X) -> np.ndarray:
        """The polynomial features of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        ndarray of shape (n_samples, n_output_features_), X's dtype (float64 unless float32)
        """
        Xa = self._validate_predict_X(X)
        B = self._univariate(Xa)
        XP = np.empty((Xa.shape[0], self._n_full), dtype=Xa.dtype, order=self.order)
        if self.include_bias:
            XP[:, 0] = 1
        for a, k, src, dst in self._steps:
            if src is None:
                XP[:, dst.start] = B[k][:, a]
            else:
                np.multiply(B[k][:, a:a + 1], XP[:, src], out=XP[:, dst])
        if self._keep is not None:
            XP = np.asarray(XP[:, self._keep], order=self.order)
        return XP

    def fit_transform(self, X, y=None) -> np.ndarray:
        """``fit(X).transform(X)``."""
        return self.fit(X).transform(X)

    def _univariate(self, X: np.ndarray) -> list:
        """B[k][:, j] = B_k(x_j) for the k that occur (k <= 1 for interaction_only)."""
        max_k = int(self.powers_.max(initial=0))
        if self.basis == "power":
            B = [np.ones_like(X), X]
            for _ in range(2, max_k + 1):
                B.append(B[-1] * X)
            return B
        lo = np.asarray(self.data_min_, dtype=np.float64)
        half = (np.asarray(self.data_max_, dtype=np.float64) - lo) / 2
        centre = (lo + half).astype(X.dtype)
        half = half.astype(X.dtype)
        t = np.divide(X - centre, half, out=np.zeros(X.shape, X.dtype), where=half > 0)
        return _legendre(t, max(max_k, 1))

    def _check_is_fitted(self) -> None:
        if not hasattr(self, "powers_"):
            raise _not_fitted_error_class()(
                f"This {type(self).__name__} instance is not fitted yet; call fit(X) first"
            )

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Names of the output columns: ``"x0^2 x1"`` (power basis), ``"P2(x0) P1(x1)"``
        (Legendre basis), ``"1"`` for the constant.

        Parameters
        ----------
        input_features : array-like of str, optional
            Names of the input features; by default ``feature_names_in_`` or ``x0, x1, ...``.

        Returns
        -------
        ndarray of str objects, shape (n_output_features_,)
        """
        self._check_is_fitted()
        fitted = getattr(self, "feature_names_in_", None)
        if input_features is None:
            names = fitted if fitted is not None else [f"x{j}" for j in range(self.n_features_in_)]
        else:
            names = np.asarray(input_features, dtype=object)
            if fitted is not None and (len(names) != len(fitted) or (names != fitted).any()):
                raise ValueError("input_features is not equal to feature_names_in_: expected "
                                 f"{list(fitted)}, got {list(names)}")
            if len(names) != self.n_features_in_:
                raise ValueError("input_features should have length equal to number of "
                                 f"features ({self.n_features_in_}), got {len(names)}")
        if self.basis == "power":
            def term(j, k):
                return names[j] if k == 1 else f"{names[j]}^{k}"
        else:
            def term(j, k):
                return f"P{k}({names[j]})"
        out = [" ".join(term(j, p[j]) for j in np.flatnonzero(p)) or "1" for p in self.powers_]
        return np.asarray(out, dtype=object)


class PolynomialRegression(LinearModel):
    r"""Least squares (optionally ridge) on the polynomial features of X.

    Minimises

    .. math:: \min_{w, b} \; \sum_i s_i \, (y_i - \phi(x_i)^\top w - b)^2
              + \alpha \, \lVert w \rVert_2^2

    where :math:`\phi` is ``PolynomialFeatures(degree, basis=basis)`` (no constant column; the
    unpenalised intercept :math:`b` plays that part). ``alpha=0`` fits
    :class:`~linreg.LinearRegression` on the features, ``alpha>0`` :class:`~linreg.Ridge`; their
    warnings (e.g. :class:`~linreg.RankDeficientWarning`) reach the caller.

    Parameters
    ----------
    degree : int or tuple (min_degree, max_degree), default=1
    alpha : float or array-like of shape (n_targets,), default=0.0
        Ridge penalty, ``>= 0``. The penalty depends on the basis: both bases span the same
        polynomials, so they give the same fit when ``alpha=0``, but not when ``alpha>0``.
    basis : {"legendre", "power"}, default="legendre"
        The Legendre basis keeps the least-squares problem well conditioned at high degree.
    fit_intercept : bool, default=True
        When False the model has no constant term at all.

    Attributes
    ----------
    features_ : PolynomialFeatures
        Fitted on the samples with positive weight (for ``"legendre"``, their range sets the map
        onto [-1, 1]).
    model_ : LinearRegression or Ridge
    coef_ : ndarray of shape (n_output_features,) or (n_targets, n_output_features)
        Coefficients of the columns of ``features_``.
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X was a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from linreg.polynomial import PolynomialRegression
    >>> x = np.linspace(0.0, 1.0, 10).reshape(-1, 1)
    >>> model = PolynomialRegression(degree=2).fit(x, 1 - 2 * x[:, 0] + 3 * x[:, 0] ** 2)
    >>> np.round(model.predict([[2.0]]), 10)  # 1 - 4 + 12
    array([9.])
    """

    def __init__(self, degree=1, *, alpha=0.0, basis="legendre", fit_intercept=True):
        self.degree = degree
        self.alpha = alpha
        self.basis = basis
        self.fit_intercept = fit_intercept

    def fit(self, X, y, sample_weight=None):
        """Fit the polynomial features, then the linear model on them.

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
        Xa, Y, _, w = self._validate_fit_data(X, y, sample_weight)
        alpha = check_alpha(self.alpha, Y.shape[1])
        features = PolynomialFeatures(self.degree, basis=self.basis)
        features.fit(Xa if w.size == 0 else Xa[w > 0])
        if alpha.any():
            model = Ridge(self.alpha, fit_intercept=self.fit_intercept)
        else:
            model = LinearRegression(fit_intercept=self.fit_intercept)
        model.fit(features.transform(Xa), y, sample_weight=sample_weight)
        self.features_, self.model_ = features, model
        self.coef_, self.intercept_ = model.coef_, model.intercept_
        return self

    def predict(self, X) -> np.ndarray:
        """Predict ``features_.transform(X) @ coef_.T + intercept_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        Xa = self._validate_predict_X(X)
        return self.model_.predict(self.features_.transform(Xa))


def design_condition(X, fit_intercept=True) -> float:
    """2-norm condition number of the design ``X`` (with a column of ones in front when
    ``fit_intercept``): largest over smallest singular value, by ``numpy.linalg.svd`` in float64.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    fit_intercept : bool, default=True

    Returns
    -------
    float
        ``inf`` when the design is exactly singular.

    Examples
    --------
    Degree 9 on ten equispaced points: raw powers against the Legendre basis.

    >>> import numpy as np
    >>> from linreg.polynomial import PolynomialFeatures, design_condition
    >>> x = np.linspace(0.0, 1.0, 10).reshape(-1, 1)
    >>> power = PolynomialFeatures(9).fit_transform(x)
    >>> legendre = PolynomialFeatures(9, basis="legendre").fit_transform(x)
    >>> print(f"{design_condition(power):.1e}  {design_condition(legendre):.1f}")
    1.5e+07  23.9
    """
    A = check_X(X).astype(np.float64)
    if check_bool(fit_intercept, "fit_intercept"):
        A = np.column_stack([np.ones(A.shape[0]), A])
    s = np.linalg.svd(A, compute_uv=False)
    return float(s[0] / s[-1]) if s[-1] > 0 else float("inf")

