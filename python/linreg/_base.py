"""Shared estimator plumbing: parameters, fitted-state checks, predict and score.

The estimators follow scikit-learn's conventions without depending on it: ``__init__`` stores its
arguments unchanged, ``fit`` validates, makes one call into the core, sets the fitted attributes
and returns ``self``.
"""

from __future__ import annotations

import inspect
import os
import sys
import warnings

import numpy as np

from ._validation import check_bool, check_sample_weight, check_X, check_y, feature_names_of


class NotFittedError(ValueError, AttributeError):
    """Raised when an estimator is used before ``fit``.

    When scikit-learn is loaded, the error raised is also an instance of
    ``sklearn.exceptions.NotFittedError``, so code written for either library catches it.
    """


def _twin(cls, module: str, name: str, cache: dict):
    """``cls``, or when scikit-learn's ``module`` is loaded, a subclass of both ``cls`` and its
    class ``name`` there, so that code written for either library catches it."""
    sk = sys.modules.get(module)
    if sk is None:
        return cls
    theirs = getattr(sk, name)
    twin = cache.get(theirs)
    if twin is None:
        twin = type(name, (cls, theirs), {"__module__": __name__, "__doc__": cls.__doc__})
        cache[theirs] = twin
    return twin


def _not_fitted_error_class():
    return _twin(NotFittedError, "sklearn.exceptions", "NotFittedError", _NOT_FITTED)


_NOT_FITTED: dict = {}


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn(message: str, category: type) -> None:
    """``warnings.warn(message, category)`` attributed to the first caller outside linreg.

    A fixed ``stacklevel`` is right for one call path only (``fit``, ``fit_statistics``, a
    cross-validation fold...); walking the stack makes every warning point at the user's line,
    however deep inside the package it was raised.
    """
    frame, level = sys._getframe(0), 1
    while frame.f_back is not None and os.path.abspath(frame.f_code.co_filename).startswith(
            _PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


class LinregWarning(UserWarning):
    """Base class of linreg's warnings."""


class RankDeficientWarning(LinregWarning):
    """The design is rank-deficient; the minimum-norm least-squares solution was returned."""


class IllConditionedWarning(LinregWarning):
    """The fast path would have lost too many digits; a more precise solver ran instead."""


class ConvergenceWarning(LinregWarning):
    """An iterative solver stopped before its optimality certificate reached the tolerance."""


class DataConversionWarning(LinregWarning):
    """The input was converted to what the estimator expects (e.g. a column vector y raveled).

    When scikit-learn is loaded, the warning is also an instance of
    ``sklearn.exceptions.DataConversionWarning``.
    """


def data_conversion_warning_class():
    return _twin(DataConversionWarning, "sklearn.exceptions", "DataConversionWarning",
                 _CONVERSION)


_CONVERSION: dict = {}


class DivergenceError(FloatingPointError):
    """Gradient descent diverged: the step size is beyond the stability bound ``2/L``.

    The message gives ``L`` (the Lipschitz constant of the gradient), ``2/L`` and the learning rate
    that was used. The estimator is left as it was before ``fit``.
    """


class LinearModel:
    """Base of the linear estimators: ``y ~ X @ coef_.T + intercept_``."""

    _estimator_type = "regressor"

    # -- parameters ---------------------------------------------------------------------------
    @classmethod
    def _param_names(cls):
        sig = inspect.signature(cls.__init__)
        return sorted(p.name for p in sig.parameters.values() if p.name != "self")

    def get_params(self, deep: bool = True) -> dict:
        """The constructor arguments, as given."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Set constructor arguments; returns ``self``."""
        valid = self._param_names()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator {type(self).__name__}; "
                    f"valid parameters are {valid}"
                )
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        sig = inspect.signature(type(self).__init__)
        shown = []
        for p in sig.parameters.values():
            if p.name == "self":
                continue
            value = getattr(self, p.name, p.default)
            if p.default is inspect.Parameter.empty or not _same(value, p.default):
                shown.append(f"{p.name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def __sklearn_tags__(self):
        from sklearn.utils import InputTags, RegressorTags, Tags, TargetTags

        return Tags(
            estimator_type="regressor",
            target_tags=TargetTags(required=True, multi_output=True, single_output=True),
            transformer_tags=None,
            classifier_tags=None,
            regressor_tags=RegressorTags(),
            input_tags=InputTags(allow_nan=False, sparse=False, two_d_array=True),
        )

    # -- statistics (streaming, out of core, distributed) ---------------------------------------
    def fit_statistics(self, stats):
        """Fit from :class:`linreg.GramStatistics` accumulated elsewhere (batches, files,
        processes, a Dask cluster): the same objective as :meth:`fit`, no pass over rows.

        Parameters
        ----------
        stats : linreg.GramStatistics

        Returns
        -------
        self
        """
        from . import streaming

        return streaming.fit_estimator(self, stats, getattr(self, "alpha", None))

    # -- fit helpers --------------------------------------------------------------------------
    def _validate_fit_data(self, X, y, sample_weight):
        names = feature_names_of(X)
        Xa = check_X(X, defer_finite=True)
        Y, one_d = check_y(y, Xa)
        w = check_sample_weight(sample_weight, Xa.shape[0])
        self.n_features_in_ = Xa.shape[1]
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return Xa, Y, one_d, w

    def _set_coefficients(self, coef, intercept, one_d: bool, dtype) -> None:
        coef = np.asarray(coef, dtype=dtype).T  # core returns (d, k)
        intercept = np.asarray(intercept, dtype=dtype)
        if one_d:
            self.coef_ = np.ascontiguousarray(coef[0])
            self.intercept_ = intercept.dtype.type(intercept[0])
        else:
            self.coef_ = np.ascontiguousarray(coef)
            self.intercept_ = intercept

    def _warm_start_coef(self, n_targets: int, n_features: int):
        """The previous fit's ``coef_`` as ``(n_targets, n_features)`` float64, for ``warm_start``;
        None before a first fit. A previous fit of another shape raises: starting cold without a
        word would hide that the estimator was refitted to a different problem."""
        if not hasattr(self, "coef_"):
            return None
        prev = np.asarray(self.coef_, dtype=np.float64)
        if prev.shape[-1] != n_features or prev.size != n_targets * n_features:
            raise ValueError(
                f"warm_start=True starts from the previous fit's coef_, of shape {prev.shape}, "
                f"but this fit has {n_features} features and {n_targets} target(s). Set "
                f"warm_start=False, or use a new estimator, to fit a problem of another shape.")
        return prev.reshape(n_targets, n_features).copy()

    def _column_names(self, columns) -> str:
        names = getattr(self, "feature_names_in_", None)
        cols = [int(c) for c in columns]
        if names is not None:
            return ", ".join(f"{c} ({names[c]!r})" for c in cols)
        return ", ".join(str(c) for c in cols)

    # -- prediction ---------------------------------------------------------------------------
    def _check_is_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise _not_fitted_error_class()(
                f"This {type(self).__name__} instance is not fitted yet; call fit(X, y) first"
            )

    def _validate_predict_X(self, X) -> np.ndarray:
        self._check_is_fitted()
        names = feature_names_of(X)
        fitted_names = getattr(self, "feature_names_in_", None)
        cls = type(self).__name__
        if names is not None and fitted_names is None:
            warn(
                f"X has feature names, but {cls} was fitted without feature names",
                UserWarning,
            )
        elif names is None and fitted_names is not None and hasattr(X, "shape"):
            if not hasattr(X, "columns"):
                warn(
                    f"X does not have valid feature names, but {cls} was fitted with feature "
                    "names",
                    UserWarning,
                )
        elif names is not None and fitted_names is not None:
            if len(names) != len(fitted_names) or (names != fitted_names).any():
                raise ValueError(
                    "The feature names should match those that were passed during fit: "
                    f"expected {list(fitted_names)}, got {list(names)}"
                )
        Xa = check_X(X)
        if Xa.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {Xa.shape[1]} features, but {cls} is expecting {self.n_features_in_} "
                "features as input"
            )
        return Xa

    def predict(self, X) -> np.ndarray:
        """Predict ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        Xa = self._validate_predict_X(X)
        coef = np.asarray(self.coef_, dtype=Xa.dtype)
        return Xa @ coef.T + np.asarray(self.intercept_, dtype=Xa.dtype)

    def score(self, X, y, sample_weight=None) -> float:
        """Coefficient of determination R^2 of the prediction (averaged over targets).

        ``R^2 = 1 - sum w (y - y_pred)^2 / sum w (y - mean_w(y))^2``; 1 is a perfect fit and a
        constant model predicting the weighted mean scores 0.
        """
        y_pred = self.predict(X)
        Xa = check_X(X)
        Y, _ = check_y(y, Xa)
        Y = Y.astype(np.float64)
        P = np.asarray(y_pred, dtype=np.float64).reshape(Y.shape)
        w = check_sample_weight(sample_weight, Y.shape[0])
        w = np.ones(Y.shape[0]) if w.size == 0 else w
        mean = (w[:, None] * Y).sum(axis=0) / w.sum()
        ss_res = (w[:, None] * (Y - P) ** 2).sum(axis=0)
        ss_tot = (w[:, None] * (Y - mean) ** 2).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.where(ss_tot > 0, 1.0 - ss_res / np.where(ss_tot > 0, ss_tot, 1.0),
                          np.where(ss_res > 0, 0.0, 1.0))
        return float(np.mean(r2))


# Fitted attributes of other fits that a fit from statistics makes stale: it sets some again,
# the others not at all.
STALE_FITTED = ("rank_", "cond_", "dependent_columns_", "fallback_", "n_iter_", "dual_gap_",
                "converged_", "n_nonzero_", "loss_history_", "grad_norm_", "learning_rate_",
                "lipschitz_", "_inference_state", "feature_names_in_")
# Set by the solve that partial_fit defers until one of them is asked for.
_DEFERRED = ("coef_", "intercept_", "solver_")


class PartialFitMixin:
    """``partial_fit`` for the closed-form models (LinearRegression, Ridge): batches summed into
    :class:`linreg.GramStatistics`, the coefficients solved from them when first needed."""

    def partial_fit(self, X, y, sample_weight=None):
        """Add a batch of rows, exactly: after any split of the rows into batches the
        coefficients equal one :meth:`fit` on all of them (to rounding).

        The rows are summed into ``statistics_`` (:class:`linreg.GramStatistics`, float64,
        O(d^2) memory, grown in place: copy it to keep a snapshot). The coefficients are solved
        from it (a d x d Cholesky in the core) the first time ``coef_``, ``intercept_`` or
        ``solver_`` is read after a batch, by ``predict``, ``score`` or the caller, with the
        ``alpha`` of that batch; a loop of batches with no prediction in between pays for one
        solve, not one per batch. Warnings of the solve (a singular Gram) are raised then.
        A batch that fails validation changes nothing. :meth:`fit` starts afresh; statistics
        passed to :meth:`fit_statistics` are copied at the first ``partial_fit``, never
        modified.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_features)
        y : array-like of shape (n_rows,) or (n_rows, n_targets)
        sample_weight : array-like of shape (n_rows,), optional

        Returns
        -------
        self
        """
        from . import streaming
        from ._validation import check_alpha

        state = self.__dict__
        stats = state.get("statistics_")
        if (sample_weight is None and stats is not None and stats is state.get("_own_statistics")
                and self.fit_intercept is stats.fit_intercept and stats.n_targets is not None):
            # A batch of a running loop: the checks of the general path below, in fewer steps.
            checked = self._checked_alpha(stats.n_targets)
            if stats._fast_update(X, y):
                if "_pending_solve" not in state:
                    for name in STALE_FITTED + _DEFERRED:
                        state.pop(name, None)
                state["_pending_solve"] = checked
                return self
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        stats = state.get("statistics_")
        if stats is None or stats.fit_intercept != fit_intercept:
            stats = streaming.GramStatistics(fit_intercept)
        d, k = stats.n_features, stats.n_targets
        width = np.shape(X)[1] if np.ndim(X) == 2 else None
        if d is not None and width is not None and width != d:
            raise ValueError(f"X has {width} features, but {type(self).__name__} is expecting "
                             f"{d} features as input (partial_fit)")
        alpha = getattr(self, "alpha", 0.0)
        checked = None
        if k is not None:  # a bad alpha is refused before the batch is added
            checked = self._checked_alpha(k)
        if stats is not state.get("_own_statistics"):
            # Statistics this estimator did not make (fit_statistics(stats) keeps the caller's
            # object) are copied once, then grown in place batch after batch.
            stats = stats.copy()
        stats.update(X, y, sample_weight)  # all or nothing: a bad batch changes nothing
        state["_own_statistics"] = stats
        if "_pending_solve" not in state:
            for name in STALE_FITTED + _DEFERRED:
                state.pop(name, None)
        self.statistics_ = stats
        if stats.weight_sum <= 0:  # rows of zero weight only: nothing to solve yet
            state.pop("_pending_solve", None)
            return self
        self.n_features_in_ = stats.n_features
        state["_pending_solve"] = checked if checked is not None else check_alpha(
            alpha, stats.n_targets)
        return self

    def _checked_alpha(self, n_targets):
        """``check_alpha(self.alpha, n_targets)`` (0 for LinearRegression), remembered while
        alpha is the same Python number (they are immutable)."""
        from ._validation import check_alpha

        alpha = getattr(self, "alpha", 0.0)
        memo = self.__dict__.get("_alpha_memo")
        if memo is not None and memo[0] is alpha and memo[1].shape[0] == n_targets:
            return memo[1]
        checked = check_alpha(alpha, n_targets)
        if isinstance(alpha, (int, float)):
            self.__dict__["_alpha_memo"] = (alpha, checked)
        return checked

    def __getattr__(self, name):
        # Reached only when normal lookup fails: coef_ and co. after a partial_fit.
        state = self.__dict__
        if name in _DEFERRED and "_pending_solve" in state:
            from . import streaming

            alphas = state.pop("_pending_solve")
            streaming.fit_estimator(self, state["statistics_"], None, alphas)
            return state[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

def _not_offered(name, why):
    """A class attribute that hides an inherited method (``hasattr`` is False) and says why."""
    def get(self):
        raise AttributeError(f"{type(self).__name__} has no {name}: {why}")

    return property(get)


def _same(a, b) -> bool:
    try:
        return bool(a is b or a == b)
    except (ValueError, TypeError):
        return False
