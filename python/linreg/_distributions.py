r"""Student t and F distributions for regression inference, without SciPy.

Tail probabilities and quantiles computed in the core (``cpp/linreg/distributions.hpp``) from
the regularized incomplete beta function :math:`I_x(a, b)`:

- Student t with :math:`\nu` degrees of freedom, :math:`t \ge 0`:
  :math:`P(|T| > t) = I_x(\nu/2, 1/2)`, :math:`x = \nu / (\nu + t^2)`;
- F with :math:`(d_1, d_2)` degrees of freedom:
  :math:`P(F > f) = I_x(d_2/2, d_1/2)`, :math:`x = d_2 / (d_2 + d_1 f)`.

The small tail is always computed directly, never as ``1 - (1 - p)``, so p-values keep their
relative accuracy down to the smallest doubles (about 1e-15 relative over degrees of freedom
from 0.5 to 1e6; a few 1e-13 for values below 1e-100). Degrees of freedom need not be integers.

Every function broadcasts its arguments like a NumPy ufunc and returns a float64 array, or a
NumPy scalar when all arguments are scalars. Degrees of freedom must be finite and > 0 and
probabilities in [0, 1] (``ValueError`` otherwise); a NaN value gives a NaN result.
"""

from __future__ import annotations

import numpy as np

from . import _core

__all__ = ["f_isf", "f_sf", "t_cdf", "t_ppf", "t_sf", "t_two_sided_pvalue"]


def _call(core_function, *args):
    """Broadcast the arguments, call the core once on float64 C arrays, shape the result.

    One-element arguments are passed as they are (the core uses them for every entry), so a
    scalar degrees of freedom is never expanded to the size of the values.
    """
    arrays = [np.asarray(a, dtype=np.float64) for a in args]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    flat = []
    for a in arrays:
        if a.size == 1:
            flat.append(a.reshape(()))
        else:
            flat.append(np.ascontiguousarray(np.broadcast_to(a, shape)))
    out = core_function(*flat).reshape(shape)
    return out if out.ndim else out[()]


def t_sf(t, df):
    r"""Survival function of Student's t distribution, :math:`P(T > t)`.

    Parameters
    ----------
    t : array_like
        Values; ``inf`` gives 0, ``-inf`` gives 1, NaN gives NaN.
    df : array_like
        Degrees of freedom, finite and > 0 (not necessarily integers).

    Returns
    -------
    ndarray or numpy.float64
        :math:`P(T > t)`, broadcast over ``t`` and ``df``.
    """
    return _call(_core.t_sf, t, df)


def t_cdf(t, df):
    r"""Cumulative distribution function of Student's t, :math:`P(T \le t) = P(T > -t)`.

    Parameters
    ----------
    t : array_like
        Values.
    df : array_like
        Degrees of freedom, finite and > 0.

    Returns
    -------
    ndarray or numpy.float64
    """
    return _call(_core.t_cdf, t, df)


def t_two_sided_pvalue(t, df):
    r"""Two-sided p-value of a t statistic, :math:`P(|T| > |t|) = I_{\nu/(\nu+t^2)}(\nu/2, 1/2)`.

    Equal to ``2 * t_sf(abs(t), df)``, computed without the doubling of a rounded half.

    Parameters
    ----------
    t : array_like
        t statistics; NaN gives NaN.
    df : array_like
        Degrees of freedom (the residual degrees of freedom of the fit), finite and > 0.

    Returns
    -------
    ndarray or numpy.float64
    """
    return _call(_core.t_two_sided_pvalue, t, df)


def t_ppf(q, df):
    r"""Quantile function (inverse cdf) of Student's t: the t with :math:`P(T \le t) = q`.

    Parameters
    ----------
    q : array_like
        Probabilities in [0, 1]; 0 gives ``-inf``, 1 gives ``inf``.
    df : array_like
        Degrees of freedom, finite and > 0.

    Returns
    -------
    ndarray or numpy.float64
        Accurate to a few units in the last place of what ``q`` determines; for a confidence
        interval at level ``1 - alpha`` use ``t_ppf(1 - alpha / 2, df)``.
    """
    return _call(_core.t_ppf, q, df)


def f_sf(f, df1, df2):
    r"""Survival function of the F distribution, :math:`P(F > f)`: the p-value of an F test.

    Parameters
    ----------
    f : array_like
        Values; ``f <= 0`` gives 1, ``inf`` gives 0, NaN gives NaN.
    df1, df2 : array_like
        Numerator and denominator degrees of freedom, finite and > 0.

    Returns
    -------
    ndarray or numpy.float64
    """
    return _call(_core.f_sf, f, df1, df2)


def f_isf(q, df1, df2):
    r"""Inverse survival function of the F distribution: the f with :math:`P(F > f) = q`.

    Parameters
    ----------
    q : array_like
        Upper-tail probabilities in [0, 1]; 0 gives ``inf``, 1 gives 0.
    df1, df2 : array_like
        Numerator and denominator degrees of freedom, finite and > 0.

    Returns
    -------
    ndarray or numpy.float64
        The critical value of an F test at level ``q``.
    """
    return _call(_core.f_isf, q, df1, df2)
