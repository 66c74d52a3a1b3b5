"""The fit shared by LinearRegression and Ridge: the closed form (one call into the core, and what
it reports), or gradient descent (_gradient.py)."""

from __future__ import annotations

import numpy as np

from . import _config, _core
from ._base import IllConditionedWarning, RankDeficientWarning, warn
from ._gradient import _GD_ATTRS, GD_SOLVERS, drop_attributes, fit_gradient
from ._validation import check_alpha, check_bool, check_option, raise_non_finite

SOLVERS = ("auto", "cholesky", "qr") + GD_SOLVERS


def fit_closed_form(est, X, y, sample_weight, alpha, solver, keep=None):
    """Validate, solve with the core, set the fitted attributes of ``est``, warn if needed;
    ``keep(Xa, Y, w, res, stats)`` is called after a closed-form solve (inference state;
    ``stats`` the core's sufficient statistics when its path computed them, else None)."""
    fit_intercept = check_bool(est.fit_intercept, "fit_intercept")
    solver = check_option(solver, "solver", SOLVERS)
    Xa, Y, one_d, w = est._validate_fit_data(X, y, sample_weight)
    alphas = check_alpha(alpha, Y.shape[1])
    # fit starts partial_fit afresh
    drop_attributes(est, ("statistics_", "_own_statistics", "_pending_solve"))
    if solver in GD_SOLVERS:
        if keep is not None:
            keep(None, None, None, None, None)
        return fit_gradient(est, Xa, Y, one_d, w, alphas, fit_intercept, solver)
    stats = None
    try:
        if keep is None:
            res = _core.fit_normal_equations(
                Xa, Y, w, alphas, fit_intercept, solver, _config.get_num_threads(), -1.0
            )
        else:  # the statistics the normal equations used are kept for inference
            res, stats = _core.fit_normal_equations_keep(
                Xa, Y, w, alphas, fit_intercept, solver, _config.get_num_threads(), -1.0
            )
    except ValueError as exc:
        if "NaN or infinity" in str(exc):
            raise_non_finite(Xa, exc)
        raise
    if not (np.isfinite(res.coef).all() and np.isfinite(res.intercept).all()):
        raise ValueError(
            f"The least-squares solution is not representable in double precision: with X's "
            f"largest entry {float(np.max(np.abs(Xa))):.3g} and y's {float(np.max(np.abs(Y))):.3g}"
            f", coefficients of the size |y| / |x| overflow. Rescale X (or y).")
    est._set_coefficients(res.coef, res.intercept, one_d, Xa.dtype)
    drop_attributes(est, _GD_ATTRS)
    est.solver_ = res.solver
    est.rank_ = int(res.rank)
    est.cond_ = float(res.cond)
    est.n_iter_ = int(res.n_iter)
    est.dependent_columns_ = np.asarray(res.dependent_columns, dtype=np.intp)
    est.fallback_ = res.fallback_reason if res.fell_back else None
    if keep is not None:
        keep(Xa, Y, w, res, stats)
    name = type(est).__name__
    if res.fell_back:
        copy_mb = Xa.shape[0] * (Xa.shape[1] + 1) * 8 / 2**20
        warn(
            f"{name}(solver='auto') left the Cholesky path: {res.fallback_reason}. It solved "
            f"with a column-pivoted QR of the design instead (solver_='{res.solver}', "
            f"rank_={res.rank}), which copied X ({copy_mb:.1f} MiB). Pass solver='qr' to take "
            "this path directly, or rescale/remove collinear features.",
            IllConditionedWarning,
        )
    if len(res.dependent_columns):
        cols = est._column_names(res.dependent_columns)
        warn(
            f"{name}: X is rank-deficient (rank {res.rank} of {Xa.shape[1]} features"
            f"{' after centring' if fit_intercept else ''}); column(s) {cols} are linear "
            "combinations of the others (or constant). coef_ is the minimum-norm "
            "least-squares solution, as numpy.linalg.lstsq returns on the centred data.",
            RankDeficientWarning,
        )
    return est
