"""Student t and F distributions: closed forms, SciPy, identities, edges and errors.

The references, best first: closed forms that hold for every argument (Cauchy, t with 2 dof,
F(1, 1), F(2, d2), the Taylor series of the t cdf at 0), evaluated in plain NumPy without
cancellation; then scipy.stats over a wide grid, where SciPy itself is accurate to ~1e-13
(outside it, SciPy's t.sf near t = 0 is off by up to 3e-9, its F tails at d2 >= 1e5 by 2e-11,
its f.isf below q ~ 1e-4 by up to 2e-5, its t.ppf below ~1e-150 by factors; the closed forms,
identities and a few 40-digit mpmath values cover those regions instead).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from linreg import _core
from linreg import _distributions as dist

DFS = [0.5, 0.7, 1.0, 1.5, 2.0, 2.5, 3.0, 4.5, 7.0, 10.0, 30.0, 100.0, 1e3, 1e4, 1e5, 1e6]
RTOL = 1e-12


def rounding(want):
    """The rounding a tail value carries: it is exp() of a computed exponent, eps |log p|."""
    return 4e-16 * (8.0 + np.abs(np.log(np.asarray(want, dtype=np.float64))))


def scipy_rtol(want):
    """1e-12, or SciPy's own rounding in the deepest tails (about 1e-12 at 1e-300)."""
    return RTOL + 4.0 * rounding(want)


def assert_rel(got, want, rtol, floor=0.0):
    """|got - want| <= rtol |want| elementwise (rtol may be an array); infinities must match."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape
    with np.errstate(invalid="ignore", divide="ignore"):  # inf - inf where both are inf
        err = np.abs(got - want) / np.maximum(np.abs(want), floor)
    err = np.where(got == want, 0.0, np.where(np.isnan(err), np.inf, err))
    ratio = np.broadcast_to(err / rtol, err.shape)
    worst = np.unravel_index(np.argmax(ratio), err.shape) if err.size else ()
    assert np.all(ratio <= 1.0), (
        f"relative error {err[worst]:.3g} (> {np.broadcast_to(rtol, err.shape)[worst]:.3g}) at "
        f"{worst}: got {got[worst]!r}, want {want[worst]!r}"
    )


# ---- closed forms ------------------------------------------------------------------------------

T_POS = np.concatenate([[1e-300, 1e-30, 1e-8, 1e-3], np.linspace(0.05, 4, 40),
                        np.geomspace(4.5, 1e150, 60)])


def test_cauchy_df1():
    # T with 1 dof is Cauchy: P(T > t) = atan(1/t) / pi for t > 0, no cancellation in either tail
    t = T_POS
    tail = np.arctan(1.0 / t) / np.pi
    assert_rel(dist.t_sf(t, 1.0), tail, rounding(tail))
    assert_rel(dist.t_cdf(-t, 1.0), tail, rounding(tail))
    assert_rel(dist.t_sf(-t, 1.0), 0.5 + np.arctan(t) / np.pi, 4e-16)
    assert_rel(dist.t_two_sided_pvalue(t, 1.0), 2.0 * tail, rounding(tail))
    # quantile: -cot(pi q) = -tan(pi (1/2 - q)), each form where it is well conditioned
    q = np.concatenate([np.geomspace(1e-300, 0.49, 80), [0.4999999999]])
    want = np.where(q < 0.25, -1.0 / np.tan(np.pi * q), -np.tan(np.pi * (0.5 - q)))
    # a quantile inherits the rounding of the tail it inverts, divided by d log sf / d log t
    # (-> df in the tail)
    assert_rel(dist.t_ppf(q, 1.0), want, 1e-14 + 2 * rounding(q))
    keep = 1.0 - (1.0 - q) == q
    assert_rel(dist.t_ppf(1.0 - q[keep], 1.0), -want[keep], 1e-14 + 2 * rounding(q[keep]))


def test_t_df2():
    # 2 dof: P(T > t) = (1 - t / s) / 2 = 1 / (s (s + t)), s = sqrt(2 + t^2); P(|T| > t) twice that
    t = T_POS
    s = np.sqrt(2.0 + t * t)
    tail = 1.0 / (s * (s + t))
    assert_rel(dist.t_sf(t, 2.0), tail, rounding(tail))
    assert_rel(dist.t_two_sided_pvalue(-t, 2.0), 2.0 * tail, rounding(tail))
    # inverse: for q < 1/2, t = -(1 - 2q) / sqrt(2 q (1 - q))
    q = np.geomspace(1e-300, 0.4999, 120)
    assert_rel(dist.t_ppf(q, 2.0), -(1.0 - 2.0 * q) / np.sqrt(2.0 * q * (1.0 - q)),
               1e-14 + rounding(q))


def test_f_closed_forms():
    f = np.concatenate([[1e-300, 1e-20, 1e-6], np.linspace(0.01, 5, 50),
                        np.geomspace(6, 1e300, 50)])
    # F(1, 1): P(F > f) = (2 / pi) atan(1 / sqrt(f))
    tail = 2.0 / np.pi * np.arctan(1.0 / np.sqrt(f))
    assert_rel(dist.f_sf(f, 1.0, 1.0), tail, rounding(tail))
    # F(2, d2): P(F > f) = (1 + 2 f / d2)^(-d2 / 2), exact for every d2 (also where SciPy drifts)
    for d2 in DFS:
        fx = f[f < 1e200 / d2]
        exponent = -0.5 * d2 * np.log1p(2.0 * fx / d2)
        ok = exponent > -690  # beyond, the reference is subnormal or zero
        want = np.exp(exponent[ok])
        assert_rel(dist.f_sf(fx[ok], 2.0, d2), want, rounding(want))
        q = np.geomspace(1e-300, 1.0 - 1e-12, 80)
        exponent = -2.0 / d2 * np.log(q)
        ok = exponent < 700
        assert_rel(dist.f_isf(q[ok], 2.0, d2), 0.5 * d2 * np.expm1(exponent[ok]),
                   1e-14 + 8e-16 * np.abs(exponent[ok]))


@pytest.mark.parametrize("df", DFS)
def test_t_near_zero_taylor(df):
    # P(T > t) = 1/2 - t pdf(0) + O(t^3): exact to rounding for |t| <= 1e-7 (pdf(0) from lgamma
    # is only good to ~1e-9 at df = 1e6, which t then scales below rounding)
    pdf0 = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    t = np.array([1e-300, 1e-100, 1e-20, 1e-12, 1e-9, 1e-8, 1e-7])
    assert_rel(dist.t_sf(t, df), 0.5 - t * pdf0, 2.5e-16)
    assert_rel(dist.t_sf(-t, df), 0.5 + t * pdf0, 2.5e-16)
    # and the other way: the quantile just off 1/2 (q - 1/2 is exact)
    q = 0.5 + np.array([2.0**-54, 1e-16, 1e-14, 1e-12, -2.0**-54, -1e-15, -1e-13])
    assert_rel(dist.t_ppf(q, df), (q - 0.5) / pdf0, 1e-9)


# ---- SciPy -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stats():
    return pytest.importorskip("scipy.stats")


T_GRID = np.concatenate([np.geomspace(1e-5, 0.9, 20), [0.999999, 1.0, 1.000001],
                         np.linspace(1.1, 8, 30), np.geomspace(9, 1e300, 50)])
T_GRID = np.concatenate([-T_GRID[::-1], T_GRID])


@pytest.mark.parametrize("df", DFS)
def test_t_matches_scipy(stats, df):
    t = T_GRID
    want_sf = stats.t.sf(t, df)
    keep = want_sf > 1e-300  # SciPy returns 0 where the true tail is a subnormal or below
    assert_rel(dist.t_sf(t[keep], df), want_sf[keep], scipy_rtol(want_sf[keep]))
    want_cdf = stats.t.cdf(t, df)
    keep = want_cdf > 1e-300
    assert_rel(dist.t_cdf(t[keep], df), want_cdf[keep], scipy_rtol(want_cdf[keep]))
    want_p = 2.0 * stats.t.sf(np.abs(t), df)
    keep = want_p > 1e-300
    assert_rel(dist.t_two_sided_pvalue(t[keep], df), want_p[keep], scipy_rtol(want_p[keep]))


Q_GRID = np.concatenate([[1e-100, 1e-50, 1e-20, 1e-12, 1e-8], np.geomspace(1e-6, 0.01, 8),
                         np.linspace(0.02, 0.45, 20), [0.49]])
Q_GRID = np.concatenate([Q_GRID, 1.0 - Q_GRID[::-1], [1.0 - 1e-15, 1.0 - 2.0**-53]])


@pytest.mark.parametrize("df", DFS)
def test_t_ppf_matches_scipy(stats, df):
    q = Q_GRID
    if df < 1.5:  # below ~1e-100 the quantile of these heavy tails passes SciPy's range
        q = q[(q > 1e-50) & (q < 1 - 1e-15)]
    assert_rel(dist.t_ppf(q, df), stats.t.ppf(q, df), RTOL)


F_GRID = np.concatenate([[1e-5], np.linspace(0.02, 4, 30),
                         np.geomspace(4.5, 1e200, 40)])
F_DFS = [0.5, 1.0, 2.0, 3.5, 10.0, 30.0, 100.0, 1e3, 1e4]


@pytest.mark.parametrize("df1", F_DFS)
def test_f_sf_matches_scipy(stats, df1):
    for df2 in F_DFS:
        want = stats.f.sf(F_GRID, df1, df2)
        keep = want > 1e-300
        assert_rel(dist.f_sf(F_GRID[keep], df1, df2), want[keep], scipy_rtol(want[keep]))


@pytest.mark.parametrize("df1", F_DFS)
def test_f_isf_matches_scipy(stats, df1):
    # SciPy's f.isf is accurate to 1e-12 for q >= ~1e-4 only (at q = 1e-12 it is off by 2e-5:
    # 1.000022e12 for F(2, 2), whose isf is 1/q - 1): the round trip and the closed forms cover
    # the deeper tails.
    q = np.concatenate([[1e-3, 0.01], np.linspace(0.05, 0.95, 10), [0.99, 1 - 1e-6, 1 - 1e-10]])
    for df2 in F_DFS:
        qq = q if df2 >= 2 else q[q > 1e-6]  # and in the heaviest tails
        assert_rel(dist.f_isf(qq, df1, df2), stats.f.isf(qq, df1, df2), RTOL + rounding(qq))


# ---- identities and properties -----------------------------------------------------------------


@pytest.mark.parametrize("df", DFS)
def test_t_symmetry_and_two_sided(df):
    t = T_GRID[T_GRID > 0]
    t = t[dist.t_sf(t, df) > 1e-300]  # above the subnormals, where doubling is exact
    sf, sf_neg = dist.t_sf(t, df), dist.t_sf(-t, df)
    np.testing.assert_allclose(sf + sf_neg, 1.0, rtol=0, atol=2e-16)
    np.testing.assert_array_equal(dist.t_cdf(t, df), sf_neg)
    assert_rel(dist.t_two_sided_pvalue(t, df), 2.0 * sf, 2e-16)
    assert_rel(dist.t_two_sided_pvalue(-t, df), 2.0 * sf, 2e-16)
    q = Q_GRID[(Q_GRID < 0.5) & (1.0 - (1.0 - Q_GRID) == Q_GRID)]  # where 1 - q is exact
    np.testing.assert_array_equal(dist.t_ppf(q, df), -dist.t_ppf(1.0 - q, df))


@pytest.mark.parametrize("df", [0.5, 1.0, 3.0, 30.0, 1e4, 1e6])
def test_t_squared_is_f_1_df(df):
    # T^2 ~ F(1, df): P(F > t^2) = P(|T| > t), and the quantiles agree the same way
    t = np.concatenate([np.geomspace(1e-8, 1, 20), np.geomspace(1.1, 1e100, 40)])
    assert_rel(dist.f_sf(t * t, 1.0, df), dist.t_two_sided_pvalue(t, df), 1e-13)
    p = np.geomspace(1e-250, 0.999, 40)
    t = -dist.t_ppf(p / 2, df)
    p, t = p[t < 1e150], t[t < 1e150]  # where t^2 is a double
    assert_rel(np.sqrt(dist.f_isf(p, 1.0, df)), t, 1e-14 + rounding(p))


def test_f_reciprocal():
    # 1/F ~ F(d2, d1): P(F > f) + P(F' > 1/f) = 1 and isf(q) isf'(1 - q) = 1; with d1 = d2 the
    # median is exactly 1 (the centre, where large dof need the cancellation-free fraction)
    f = np.geomspace(1e-300, 1e300, 61)
    q = np.array([2.0**-40, 2.0**-7, 0.0625, 0.25, 0.5, 0.75, 1 - 2.0**-7])  # 1 - q exact
    assert np.all(1.0 - (1.0 - q) == q)
    for d1 in [0.5, 2.0, 7.0, 1e3, 1e6]:
        for d2 in [0.5, 3.0, 30.0, 1e4, 1e6]:
            total = dist.f_sf(f, d1, d2) + dist.f_sf(1.0 / f, d2, d1)
            np.testing.assert_allclose(total, 1.0, rtol=0, atol=1e-14)
            product = dist.f_isf(q, d1, d2) * dist.f_isf(1.0 - q, d2, d1)
            np.testing.assert_allclose(product, 1.0, rtol=1e-13)
    for d in [0.5, 3.0, 1e3, 1e6, 1e9, 1e11]:
        assert dist.f_sf(1.0, d, d) == pytest.approx(0.5, rel=1e-14)
        assert dist.f_isf(0.5, d, d) == pytest.approx(1.0, rel=1e-14)


def test_f_large_dof_against_mpmath():
    # where SciPy's F tails drift by ~1e-11 (d2 >= 1e5, or d1 = 1e6): 40-digit references
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 40
    points = [(1.1, 20, 1e6), (2.0, 20, 1e6), (5.0, 20, 1e6), (10.0, 20, 1e6),
              (1.1, 20, 1e5), (0.5, 1e6, 30), (0.9, 1e6, 30), (1.2, 1e6, 30)]
    for f, d1, d2 in points:
        f_, d1_, d2_ = mp.mpf(f), mp.mpf(d1), mp.mpf(d2)
        x = d2_ / (d2_ + d1_ * f_)
        if x < d2_ / (d1_ + d2_):  # the small tail directly, as the core does
            want = mp.betainc(d2_ / 2, d1_ / 2, 0, x, regularized=True)
        else:
            want = 1 - mp.betainc(d1_ / 2, d2_ / 2, 0, d1_ * f_ / (d2_ + d1_ * f_), regularized=True)
        want = float(want)
        assert dist.f_sf(f, d1, d2) == pytest.approx(want, rel=rounding(want)), (f, d1, d2)


@pytest.mark.parametrize("df", DFS)
def test_monotone(df):
    t = np.linspace(-50, 50, 20001)
    assert np.all(np.diff(dist.t_sf(t, df)) <= 0)
    assert np.all(np.diff(dist.t_cdf(t, df)) >= 0)
    q = np.linspace(0, 1, 4001)
    assert np.all(np.diff(dist.t_ppf(q, df)) > 0)
    f = np.linspace(0, 20, 4001)
    assert np.all(np.diff(dist.f_sf(f, 3.0, df)) <= 0)
    assert np.all(np.diff(dist.f_isf(q, 3.0, df)) < 0)


@settings(deadline=None, max_examples=200)
@given(q=st.floats(1e-300, 1.0, exclude_max=True), df=st.floats(0.5, 1e6),
       df2=st.floats(0.5, 1e6))
def test_quantiles_round_trip(q, df, df2):
    # back and forth, the tail's rounding (eps |log q|) enters twice, and that of the quantile
    # as a double once, scaled by d log sf / d log t (~ |log q| in Gaussian tails)
    tail = min(q, 1 - q)
    tol = (1e-14 + 4 * rounding(tail)) * tail + 2.3e-16 * q
    t = dist.t_ppf(q, df)
    if np.isfinite(t):  # the quantile of a heavy tail may be beyond the largest double
        assert abs(dist.t_cdf(t, df) - q) <= tol
    f = dist.f_isf(q, 3.0, df2)
    if np.isfinite(f) and f > 1e-300:
        assert abs(dist.f_sf(f, 3.0, df2) - q) <= tol


def test_large_df_approaches_normal():
    # df = 1e15: the t distribution is normal to ~t^4 / (4 df); P(Z > t) = erfc(t / sqrt 2) / 2
    t = np.array([0.5, 1.0, 2.0, 5.0, 10.0])
    want = np.array([0.5 * math.erfc(v / math.sqrt(2.0)) for v in t])
    assert_rel(dist.t_sf(t, 1e15), want, 1e-11)
    assert_rel(dist.t_ppf(0.975, 1e15), 1.959963984540054, 1e-12)


# ---- edges, shapes, errors ---------------------------------------------------------------------


def test_edge_values():
    inf, nan = np.inf, np.nan
    np.testing.assert_array_equal(dist.t_sf([-inf, 0.0, inf], 3.0), [1.0, 0.5, 0.0])
    np.testing.assert_array_equal(dist.t_cdf([-inf, 0.0, inf], 3.0), [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(dist.t_two_sided_pvalue([-inf, 0.0, inf], 3.0), [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(dist.t_ppf([0.0, 0.5, 1.0], 3.0), [-inf, 0.0, inf])
    np.testing.assert_array_equal(dist.f_sf([-1.0, 0.0, inf], 2.0, 3.0), [1.0, 1.0, 0.0])
    np.testing.assert_array_equal(dist.f_isf([0.0, 1.0], 2.0, 3.0), [inf, 0.0])
    for fn in (dist.t_sf, dist.t_cdf, dist.t_two_sided_pvalue):
        assert np.isnan(fn(nan, 4.0))
    assert np.isnan(dist.f_sf(nan, 1.0, 4.0))
    # quantiles beyond the doubles saturate instead of failing
    assert dist.t_ppf(1e-300, 0.5) == -inf
    assert dist.f_isf(1e-300, 1.0, 0.5) == inf
    assert dist.f_isf(1.0 - 2.0**-53, 0.05, 1.0) == 0.0  # P(F < f) ~ f^(1/40) = 1.1e-16


def test_shapes_and_broadcasting():
    out = dist.t_sf(1.5, 4)
    assert isinstance(out, np.float64)
    out = dist.t_two_sided_pvalue(np.arange(6.0).reshape(3, 2, 1), [1.0, 2.0, 3.0, 4.0])
    assert out.shape == (3, 2, 4)
    np.testing.assert_array_equal(out[2, 1], dist.t_two_sided_pvalue(5.0, [1.0, 2.0, 3.0, 4.0]))
    out = dist.f_isf([[0.05], [0.01]], [1, 2, 3], 20)
    assert out.shape == (2, 3)
    assert out[1, 2] == dist.f_isf(0.01, 3, 20)
    assert dist.t_ppf(np.empty((0, 2)), 3.0).shape == (0, 2)
    assert dist.f_sf([[2.0]], 1.0, 1.0).shape == (1, 1)
    # int and float32 input are converted to float64
    assert dist.t_sf(np.float32(1.5), np.int64(4)) == dist.t_sf(1.5, 4.0)
    with pytest.raises(ValueError):
        dist.t_sf(np.zeros(3), np.ones(2))


def test_core_takes_float64_arrays_of_one_shape():
    t = np.array([0.5, 1.0, 2.0])
    out = _core.t_sf(t, np.array(5.0))
    assert out.shape == (3,)
    assert _core.t_sf(np.array(1.0), np.array(5.0)).shape == ()
    with pytest.raises(ValueError, match=r"df has shape \(2,\), t has shape \(3,\)"):
        _core.t_sf(t, np.array([1.0, 2.0]))
    with pytest.raises(TypeError):
        _core.t_sf(t.astype(np.float32), np.array(5.0))  # never converted silently


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan, np.inf])
def test_invalid_degrees_of_freedom(bad):
    with pytest.raises(ValueError, match="df must be finite and > 0"):
        dist.t_sf(1.0, bad)
    with pytest.raises(ValueError, match="df must be finite and > 0"):
        dist.t_two_sided_pvalue([1.0, 2.0], [3.0, bad])
    with pytest.raises(ValueError, match="df must be finite and > 0"):
        dist.t_ppf(0.5, bad)
    with pytest.raises(ValueError, match="df1 must be finite and > 0"):
        dist.f_sf(1.0, bad, 3.0)
    with pytest.raises(ValueError, match="df2 must be finite and > 0"):
        dist.f_isf(0.5, 3.0, bad)


@pytest.mark.parametrize("bad", [-1e-300, 1.0 + 2.0**-52, np.nan, -np.inf])
def test_invalid_probabilities(bad):
    with pytest.raises(ValueError, match=r"q must be a probability in \[0, 1\]"):
        dist.t_ppf(bad, 3.0)
    with pytest.raises(ValueError, match=r"q must be a probability in \[0, 1\]"):
        dist.f_isf([0.5, bad], 3.0, 4.0)
