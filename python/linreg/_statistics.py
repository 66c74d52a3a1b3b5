"""The sufficient statistics of a least-squares problem, as a public function."""

from __future__ import annotations

from . import _config, _core
from ._validation import check_bool, check_sample_weight, check_X, check_y, raise_non_finite


def gram_statistics(X, y, sample_weight=None, fit_intercept=True):
    r"""Sufficient statistics of a weighted least-squares problem.

    Computes, in one threaded pass over X (read in place),
    ``weight_sum`` :math:`W = \sum_i s_i`, the weighted means ``x_mean`` and ``y_mean``,
    the centred Gram ``xx`` :math:`= \sum_i s_i (x_i - \bar x)(x_i - \bar x)^\top`,
    ``xy`` :math:`= \sum_i s_i (x_i - \bar x)(y_i - \bar y)^\top` and
    ``yy`` :math:`= \sum_i s_i (y_i - \bar y)(y_i - \bar y)^\top`
    (uncentred sums when ``fit_intercept=False``). Two results merge exactly with
    ``a.merge(b)`` (Chan's pairwise update), so statistics of chunks combine to those of the whole.

    Returns
    -------
    GramStatistics
        ``y`` is treated as 2-D: ``xy`` is (n_features, n_targets). It merges with others
        (``merge``), grows (``update``), pickles, and solves (``solve``, ``solve_enet``); see
        :class:`linreg.GramStatistics`.
    """
    fit_intercept = check_bool(fit_intercept, "fit_intercept")
    Xa = check_X(X, defer_finite=True)
    Y, _ = check_y(y, Xa)
    w = check_sample_weight(sample_weight, Xa.shape[0])
    stats = _core.gram_statistics(Xa, Y, w, fit_intercept, _config.get_num_threads())
    if not stats.all_finite():
        raise_non_finite(Xa, ValueError("X contains NaN or infinity (or values whose square "
                                        "overflows)"))
    from .streaming import GramStatistics

    return GramStatistics.from_core(stats, fit_intercept)
