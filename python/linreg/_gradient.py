r"""Gradient descent for LinearRegression and Ridge: parameter checks, the step size, the one call
into the core, and what it reports.

The estimators minimise (sample weights :math:`s_i`, :math:`W = \sum_i s_i`; ``W = n`` unweighted)

.. math:: \sum_i s_i (y_i - x_i^\top w - b)^2 + \alpha \lVert w \rVert^2 .

Gradient descent works on the same objective divided by ``W``,

.. math:: F(w, b) = \frac{1}{W} \sum_i s_i (y_i - x_i^\top w - b)^2 + \frac{\alpha}{W}\lVert w\rVert^2,

which has the same minimiser and whose gradient is the textbook one:
:math:`\nabla_w F = -\frac{2}{W} X^\top S r + \frac{2\alpha}{W} w`,
:math:`\nabla_b F = -\frac{2}{W} \mathbf 1^\top S r` with :math:`r = y - Xw - b`. With unit weights
and ``lam = alpha / n`` one step is, line for line,
``grad = -2/n * X.T @ (y - X @ w); grad += 2 * lam * w; w = w - lr * grad``.

With an intercept, ``b`` is eliminated through the weighted means: for any ``w`` the best ``b`` is
``y_mean - x_mean @ w``, so gradient descent runs on ``w`` alone and each step is the step above on
the centred data ``(X - x_mean, y - y_mean)``. The centring happens inside the core's pass over X
(X is neither copied nor modified); it removes the coupling between ``b`` and ``w`` that a column of
ones would add, which on features with non-zero means slows gradient descent by orders of
magnitude.
"""

from __future__ import annotations

import numbers
import sys
from collections import namedtuple
from types import SimpleNamespace

import numpy as np

from . import _config, _core
from ._base import ConvergenceWarning, DivergenceError, warn
from ._validation import check_bool, check_option, raise_non_finite

GD_SOLVERS = ("gd", "sgd")
SCHEDULES = ("constant", "invscaling", "adaptive")

# Lanczos steps for learning_rate="auto": each is one pass over X. The largest Ritz value
# approaches lambda_max from below, so lr = 1/L_est can only err towards a step slightly longer
# than 1/L, far inside the stability bound 2/L (that would take an estimate below L/2).
LANCZOS_MAX_ITER = 20
LANCZOS_RTOL = 1e-3

Progress = namedtuple("Progress", "epoch coef intercept loss grad_norm")
Progress.__doc__ = """What a ``callback`` receives after each epoch (iteration of full-batch
gradient descent): the epoch number, the point evaluated (``coef``, ``intercept`` shaped like
``coef_`` and ``intercept_``), the objective ``F`` there and the relative gradient norm."""

PARAMETERS_DOC = r"""learning_rate : "auto" or float, default="auto"
        Step size of gradient descent (``solver="gd"`` or ``"sgd"``). ``"auto"``: ``1/L`` with
        ``L`` the Lipschitz constant of the gradient of ``F`` (the largest eigenvalue of its
        Hessian ``(2/W) X_c' S X_c + (2 alpha/W) I``, ``X_c`` the centred design when
        ``fit_intercept``), estimated by the Lanczos method on X (up to 20 passes, usually far
        fewer); for ``"sgd"``, ``1/L_b`` with ``L_b`` the expected smoothness of
        mini-batches of ``batch_size`` rows (Gower et al., 2019). A float is used as given; steps
        above ``2/L`` diverge and raise :class:`DivergenceError`.
    max_iter : int, default=1000
        Iterations (``"gd"``) or epochs (``"sgd"``) at most.
    tol : float or None, default=1e-6
        Stop when the relative gradient norm ``||grad_w F(w)|| / ||grad_w F(0)||`` is at or
        below ``tol`` (reported in ``grad_norm_``). ``None`` runs ``max_iter`` iterations.
    batch_size : int or "auto", default="auto"
        Rows per mini-batch for ``"sgd"`` (``"auto"``: ``min(256, n_samples)``).
    shuffle : bool, default=True
        ``"sgd"``: visit the rows in a fresh random order every epoch.
    random_state : int, numpy Generator or RandomState, or None, default=None
        Seeds the row order of ``"sgd"``.
    momentum : float or "nesterov", default=0.0
        A float ``beta`` in ``[0, 1)``: heavy-ball momentum, ``v <- beta v - lr grad;
        theta <- theta + v``. ``"nesterov"`` (``"gd"`` only): Nesterov's accelerated gradient
        with the ``(t_k - 1)/t_{k+1}`` momentum sequence and adaptive restart.
    schedule : {"constant", "invscaling", "adaptive"}, default="adaptive"
        ``"sgd"``: the step of epoch ``e``. ``"constant"``; ``"invscaling"``:
        ``lr / sqrt(e + 1)``; ``"adaptive"``: divided by 5 after two epochs in a row without a new
        lowest ``F`` (the iterates are in the noise ball of that step size), down to
        ``1e-4`` times the initial step.
    warm_start : bool, default=False
        Start gradient descent from the previous fit's ``coef_`` and ``intercept_`` (a previous
        fit with another number of features or targets raises ``ValueError``).
    verbose : int, default=0
        Print the objective and certificate as gradient descent runs: ``1`` at epochs
        1, 2, .., 10, 20, .., 100, 200, ..; ``2`` every epoch.
    callback : callable or None, default=None
        Called after every epoch of gradient descent with a :class:`linreg.Progress`; returning
        True stops the solver (``converged_`` is then False, and no warning is given).

    With ``tol=None`` gradient descent runs exactly ``max_iter`` steps and gives no
    :class:`ConvergenceWarning`; otherwise a run that ends above ``tol`` warns."""

ATTRIBUTES_DOC = r"""loss_history_ : ndarray of shape (n_iter_ + 1,) or (n_iter_ + 1, n_targets)
        Gradient descent: ``F`` at every point evaluated, the last one being the point returned.
    grad_norm_ : float or ndarray of shape (n_targets,)
        Gradient descent: the relative gradient norm at the point returned.
    converged_ : bool
        Gradient descent: whether every target reached ``tol``.
    learning_rate_ : float or ndarray of shape (n_targets,)
        Gradient descent: the step in use at the end (schedules change it). When every feature
        is constant on the rows of positive weight (zero, without an intercept), ``coef_ = 0``
        is the exact minimiser and is returned without a step (``n_iter_ = 0``); with
        ``alpha = 0`` the step ``1/L`` is then ``inf``.
    lipschitz_ : float or ndarray of shape (n_targets,)
        Gradient descent: the estimate of ``L`` (``L_b`` for ``"sgd"``) behind the step ``1/L``
        (NaN when a float ``learning_rate`` was given)."""

_CLOSED_FORM_ATTRS = ("rank_", "cond_", "dependent_columns_", "fallback_")
_GD_ATTRS = ("loss_history_", "grad_norm_", "converged_", "learning_rate_", "lipschitz_")


def drop_attributes(est, names):
    for name in names:
        if name in est.__dict__:
            delattr(est, name)


def _check_int(value, name, low, high=None):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    value = int(value)
    if value < low or (high is not None and value > high):
        bound = f">= {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{name} must be {bound}, got {value}")
    return value


def _check_float(value, name, *, positive=False, low=None, below=None):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if positive and not value > 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}, got {value!r}")
    if below is not None and not value < below:
        raise ValueError(f"{name} must be < {below}, got {value!r}")
    return value


def seed_of(random_state) -> int:
    """The 64-bit seed of the core's row permutations, from a scikit-learn style random_state."""
    if random_state is None:
        return int(np.random.default_rng().integers(0, 2**63 - 1))
    if isinstance(random_state, (bool, np.bool_)):
        raise TypeError(f"random_state must be None, an int or a numpy random generator, got "
                        f"{random_state!r}")
    if isinstance(random_state, numbers.Integral):
        if random_state < 0:
            raise ValueError(f"random_state must be >= 0, got {random_state}")
        return int(random_state) & (2**64 - 1)
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**63 - 1))
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**63 - 1, dtype=np.int64))
    raise TypeError(f"random_state must be None, an int or a numpy random generator, got "
                    f"{random_state!r}")


def check_gd_params(est, n_samples, solver):
    """The gradient-descent parameters of ``est``, checked, as a dict."""
    p = {}
    lr = est.learning_rate
    if isinstance(lr, str):
        check_option(lr, "learning_rate", ("auto",), "a positive float")
        p["learning_rate"] = None
    else:
        p["learning_rate"] = _check_float(lr, "learning_rate", positive=True)
    p["max_iter"] = _check_int(est.max_iter, "max_iter", 1)
    p["tol"] = -1.0 if est.tol is None else _check_float(est.tol, "tol", low=0.0)
    if solver == "sgd":
        bs = est.batch_size
        if isinstance(bs, str):
            check_option(bs, "batch_size", ("auto",), "a positive integer")
            bs = min(256, n_samples)
        else:
            bs = _check_int(bs, "batch_size", 1)
            if bs > n_samples:
                raise ValueError(
                    f"batch_size must be at most n_samples ({n_samples}), got {bs}"
                )
        p["batch_size"] = bs
    else:
        p["batch_size"] = 0
    p["shuffle"] = check_bool(est.shuffle, "shuffle")
    mom = est.momentum
    if isinstance(mom, str):
        check_option(mom, "momentum", ("nesterov",), "a float in [0, 1)")
        if solver == "sgd":
            raise ValueError(
                "momentum='nesterov' needs full-batch gradients (solver='gd'); with "
                "solver='sgd' pass a float momentum in [0, 1)"
            )
        p["momentum"], p["nesterov"] = 0.0, True
    else:
        p["momentum"] = _check_float(mom, "momentum", low=0.0, below=1.0)
        p["nesterov"] = False
    p["schedule"] = check_option(est.schedule, "schedule", SCHEDULES)
    p["warm_start"] = check_bool(est.warm_start, "warm_start")
    verbose = est.verbose
    if isinstance(verbose, (bool, np.bool_)):
        verbose = int(verbose)
    p["verbose"] = _check_int(verbose, "verbose", 0)
    if est.callback is not None and not callable(est.callback):
        raise TypeError(f"callback must be callable or None, got {est.callback!r}")
    p["seed"] = seed_of(est.random_state) if solver == "sgd" else 0
    return p


def lipschitz(X, sample_weight, x_mean, alphas, batch_size=0):
    """``(L, L_b, lam)`` for the mean-scaled objective, from one Lanczos run: per target ``L`` of
    the full gradient and ``L_b`` the expected smoothness of mini-batches of ``batch_size`` rows
    (``L_b = L`` for full batches), and ``lam``, the largest eigenvalue of ``X_c' S X_c / W``.
    ``x_mean`` empty: no intercept."""
    n = X.shape[0]
    est = _core.estimate_lipschitz(X, sample_weight, x_mean, LANCZOS_MAX_ITER, LANCZOS_RTOL,
                                   batch_size > 0, _config.get_num_threads())
    W = float(n if sample_weight.size == 0 else sample_weight.sum())
    L = 2.0 * est.lambda_max + 2.0 * alphas / W
    L_b = L
    if batch_size > 0 and n > 1:
        # Expected smoothness of sampling b of n rows without replacement (Gower et al. 2019):
        # L_b = n (b - 1) / (b (n - 1)) L + (n - b) / (b (n - 1)) L_max.
        b = batch_size
        L_max = 2.0 * est.max_row_norm + 2.0 * alphas / W
        L_b = n * (b - 1) / (b * (n - 1)) * L + (n - b) / (b * (n - 1)) * L_max
    return L, L_b, est.lambda_max


def constant_design(Xa, sample_weight, x_mean, lam, L_b):
    """Whether every feature is constant on the rows of positive weight (zero, without an
    intercept): then ``X_c = 0``, ``grad_w F = (2 alpha/W) w`` and ``w = 0`` is the exact minimiser
    (the minimum-norm one when ``alpha = 0``), which the estimators return without iterating.
    Gradient descent would instead take steps ``1/L`` with ``L`` and the gradient both at the
    rounding level of the centring: noise divided by noise. Checked (a min and a max of X)
    only when the Lanczos estimate ``lam`` is at that level, or ``1/L`` would overflow; raises
    when X varies but its squares underflow, since F's curvature is then lost."""
    u = float(np.finfo(Xa.dtype).eps)
    rounding = Xa.shape[1] * (64.0 * u) ** 2 * float(np.max(x_mean**2)) if x_mean.size else 0.0
    tiny = float(np.finfo(np.float64).tiny)
    if lam > rounding and np.all(L_b >= tiny):
        return False
    # Column extremes over the weighted rows, without copying them out of X.
    where = {} if sample_weight.size == 0 else {"where": (sample_weight > 0)[:, None]}
    hi = Xa.max(axis=0, initial=-np.inf, **where).astype(np.float64)
    lo = Xa.min(axis=0, initial=np.inf, **where).astype(np.float64)
    constant = bool(np.all(hi == lo) and (x_mean.size or np.all(hi == 0.0)))
    if constant or np.all(L_b >= tiny):
        return constant
    biggest = max(float(np.max(np.abs(hi))), float(np.max(np.abs(lo))))
    raise ValueError(
        f"X is too small in scale for gradient descent: its largest entry is {biggest:.3g}, and "
        f"the squares of entries below {np.sqrt(tiny):.3g} underflow, so the curvature of the "
        f"objective (its Lipschitz constant) comes out as {float(np.min(L_b)):.3g}. Rescale X "
        f"(and y), or use the closed form (solver='auto').")


def _at_zero(d, Y, sample_weight, y_mean, fit_intercept, L_b):
    """The fit of a constant design: ``w = 0`` certified by a gradient that is exactly zero, in
    the shape of the core's result (no pass over X)."""
    Yc = Y.astype(np.float64) - (y_mean if fit_intercept else 0.0)
    F0 = (np.mean(Yc**2, axis=0) if sample_weight.size == 0 else
          (sample_weight @ Yc**2) / sample_weight.sum())
    k = Y.shape[1]
    with np.errstate(divide="ignore"):
        lr = 1.0 / L_b  # inf where L_b = 0: no step was needed
    return SimpleNamespace(coef=np.zeros((d, k)), intercept=y_mean if fit_intercept else
                           np.zeros(k), n_iter=0, loss_history=F0[None, :], grad_norm=np.zeros(k),
                           converged=[True] * k, learning_rate=lr, status="converged")


def _inverse(value):
    """``1/value``, ``inf`` at 0 (a bound to print, not to compute with)."""
    return float("inf") if value == 0.0 else 1.0 / value


def _shape_like(values, one_d):
    values = np.asarray(values, dtype=np.float64)
    return float(values[0]) if one_d else values


def _verbose_epochs(epoch):
    if epoch <= 10:
        return True
    scale = 10 ** int(np.floor(np.log10(epoch)))
    return epoch % scale == 0


def fit_gradient(est, Xa, Y, one_d, w, alphas, fit_intercept, solver):
    """Run gradient descent for ``est`` on validated data; sets the fitted attributes."""
    name = type(est).__name__
    n, d = Xa.shape
    k = Y.shape[1]
    p = check_gd_params(est, n, solver)
    prev = est._warm_start_coef(k, d) if p["warm_start"] else None
    coef0 = np.zeros((d, k)) if prev is None else np.ascontiguousarray(prev.T)
    try:
        if fit_intercept:
            # b is eliminated through the means: b = y_mean - x_mean'w (one pass over X).
            x_mean = _core.weighted_means(Xa, w, _config.get_num_threads())
            Y64 = Y.astype(np.float64)
            y_mean = (Y64.mean(axis=0) if w.size == 0 else (w @ Y64) / w.sum())
        else:
            x_mean, y_mean = np.empty(0), np.empty(0)
        constant = False
        if p["learning_rate"] is None:
            L, L_b, lam = lipschitz(Xa, w, x_mean, alphas, p["batch_size"])
            constant = constant_design(Xa, w, x_mean, lam, L_b)
            lr = 1.0 / L_b if not constant else None
        else:
            L = L_b = None
            lr = np.full(k, p["learning_rate"])
    except ValueError as exc:
        if "NaN or infinity" in str(exc):
            raise_non_finite(Xa, exc)
        raise

    verbose, user_cb = p["verbose"], est.callback

    def hook(epoch, loss, cert, coef_dk):
        coef = coef_dk.T
        intercept = y_mean - coef @ x_mean if fit_intercept else np.zeros(k)
        if verbose and (verbose >= 2 or _verbose_epochs(epoch)):
            losses = " ".join(f"{v:.6e}" for v in loss)
            certs = " ".join(f"{v:.3e}" for v in cert)
            print(f"[{name} {solver}] epoch {epoch:6d}  F = {losses}  grad_norm = {certs}",
                  file=sys.stdout, flush=True)
        if user_cb is None:
            return False
        info = Progress(epoch, coef[0].copy() if one_d else coef.copy(),
                        float(intercept[0]) if one_d else intercept.copy(),
                        float(loss[0]) if one_d else loss.copy(),
                        float(cert[0]) if one_d else cert.copy())
        return bool(user_cb(info))

    callback = hook if (verbose or user_cb is not None) else None
    if constant:  # w = 0 exactly; the callback still sees epoch 0
        res = _at_zero(d, Y, w, y_mean, fit_intercept, L_b)
        if callback is not None:
            callback(0, res.loss_history[0], res.grad_norm, res.coef)
    else:
        res = _core.fit_gradient_descent(
            Xa, Y, w, alphas, x_mean, y_mean, coef0, np.asarray(lr, dtype=np.float64),
            p["max_iter"], p["tol"], p["batch_size"], p["shuffle"], p["seed"], p["momentum"],
            p["nesterov"], p["schedule"], 0.5, _config.get_num_threads(), callback,
        )
    if res.status == "diverged":
        if res.diverged_epoch == 0 and not np.isfinite(res.loss_after):
            _raise_overflow(Xa, Y)
        _raise_divergence(est, Xa, w, x_mean, alphas, p, lr, L, L_b, res, solver)

    est._set_coefficients(res.coef, res.intercept, one_d, Xa.dtype)
    drop_attributes(est, _CLOSED_FORM_ATTRS)
    est.n_iter_ = int(res.n_iter)
    hist = np.asarray(res.loss_history)
    est.loss_history_ = hist[:, 0].copy() if one_d else hist
    est.grad_norm_ = _shape_like(res.grad_norm, one_d)
    est.converged_ = bool(all(res.converged))
    est.learning_rate_ = _shape_like(res.learning_rate, one_d)
    est.lipschitz_ = _shape_like(L_b if L_b is not None else np.full(k, np.nan), one_d)
    if solver == "gd":
        est.solver_ = ("gd+nesterov" if p["nesterov"]
                       else "gd+momentum" if p["momentum"] > 0 else "gd")
    else:
        est.solver_ = "sgd+momentum" if p["momentum"] > 0 else "sgd"
    if res.status == "max_iter" and est.tol is not None:
        worst = float(np.max(res.grad_norm))
        unit = "iterations" if solver == "gd" else "epochs"
        hint = ("Increase max_iter, try momentum='nesterov', standardise the features "
                "(the rate depends on the condition number of X), or use the closed form "
                "(solver='auto')." if solver == "gd" else
                "Increase max_iter, use schedule='adaptive', a larger batch_size, or "
                "solver='gd' / the closed form (solver='auto').")
        warn(
            f"{name}(solver={solver!r}) did not converge: the relative gradient norm "
            f"||grad F|| / ||grad F(0)|| is {worst:.3e} after {res.n_iter} {unit}, above "
            f"tol={est.tol!r}. {hint}",
            ConvergenceWarning,
        )
    return est


def _raise_overflow(Xa, Y):
    """F is not finite at the starting point although X and y are finite (validated): its squares
    overflow. Say so with the sizes involved."""
    top_x, top_y = float(np.max(np.abs(Xa))), float(np.max(np.abs(Y)))
    raise ValueError(
        f"The objective overflows at the starting point: F, the mean of the squared residuals, is "
        f"not finite in double precision (largest |y| = {top_y:.3g}, largest |X| = {top_x:.3g}; "
        f"squares overflow above {np.sqrt(np.finfo(np.float64).max):.3g}). Rescale X and y, or "
        f"use the closed form (solver='auto').")


def _raise_divergence(est, Xa, w, x_mean, alphas, p, lr, L, L_b, res, solver):
    name = type(est).__name__
    t = int(res.diverged_target)
    if L is None:  # a float learning rate: measure L now, to say where the bound is
        L, L_b, _ = lipschitz(Xa, w, x_mean, alphas, p["batch_size"])
    Lt, lrt = float(L[t]), float(lr[t])
    target = f" (target {t})" if len(lr) > 1 else ""
    unit = "iteration" if solver == "gd" else "epoch"
    grew = (f"the objective F grew from {res.loss_before:.6g} to {res.loss_after:.6g}"
            if np.isfinite(res.loss_after) else
            f"the objective F became non-finite (it was {res.loss_before:.6g})")
    msg = (f"{name}(solver={solver!r}) diverged at {unit} {res.diverged_epoch}{target}: {grew}. "
           f"For this least-squares objective the gradient is L-Lipschitz with L = {Lt:.6g} "
           f"(the largest eigenvalue of F's Hessian (2/W) Xc' S Xc + (2 alpha/W) I, Xc the "
           f"{'centred ' if x_mean.size else ''}design), so "
           f"gradient steps above 2/L = {2.0 * _inverse(Lt):.6g} diverge; "
           + (f"learning_rate={lrt:.6g} was given" if p["learning_rate"] is not None else
              f"the step was learning_rate='auto', {lrt:.6g}"))
    if p["momentum"] > 0:
        msg += (f" (with momentum {p['momentum']:g} the bound is 2(1 + beta)/L = "
                f"{2.0 * (1 + p['momentum']) * _inverse(Lt):.6g})")
    if solver == "sgd":
        msg += (f"; mini-batches of {p['batch_size']} rows are noisier, with expected "
                f"smoothness L_b = {float(L_b[t]):.6g} (steps below 1/L_b = "
                f"{_inverse(float(L_b[t])):.6g} are safe)")
    if p["learning_rate"] is not None:
        msg += f". Use learning_rate='auto' (1/L = {_inverse(Lt):.6g}) or a smaller value."
    else:  # the step 1/L is inside the bound: what went wrong is the arithmetic
        msg += (f". At that step F cannot rise in exact arithmetic, so the gradient is inaccurate "
                f"in {Xa.dtype}: features that vary by a tiny fraction of their mean lose most of "
                f"their digits when centred, and data near the limits of the precision lose them "
                f"all. Standardise the features, or use the closed form (solver='auto').")
    raise DivergenceError(msg)
