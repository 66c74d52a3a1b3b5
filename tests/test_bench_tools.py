"""The tools behind bench/: the timing helper (interleaved rounds, warm-up, medians, rotated
order) and the bandwidth reference `_core.read_all`."""

from __future__ import annotations

import numpy as np
import pytest

import linreg._bench as bench
from linreg import _core


def test_interleave_rotates_the_order_of_contenders(monkeypatch):
    monkeypatch.setattr(bench, "PAUSE_SECONDS", 0.0)
    calls = []

    def contender(name):
        def run():
            calls.append(name)
            return name
        return run

    funcs = {name: contender(name) for name in "abc"}
    seconds, runs, results, errors = bench.interleave(funcs, 3, rotate=True)
    # A warm-up round, then three timed ones, each starting one contender later.
    assert calls == list("abc" "bca" "cab" "abc")
    assert runs == {"a": 3, "b": 3, "c": 3} and results == {"a": "a", "b": "b", "c": "c"}
    assert set(seconds) == set("abc") and not errors
    calls.clear()
    bench.interleave(funcs, 2)
    assert calls == list("abc" "abc" "abc")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (7, 2), (1000, 13), (5000, 9)])
@pytest.mark.parametrize("n_threads", [1, 2, 3])
def test_read_all_sums_every_element(dtype, order, shape, n_threads):
    # The bandwidth reference reads each thread's slices as four streams; every element must be
    # read exactly once, whatever the number of slices per thread (here 1 to 5000).
    rng = np.random.default_rng(sum(shape) + n_threads)
    X = np.asarray(rng.uniform(0.5, 1.5, size=shape), dtype=dtype, order=order)
    expected = float(np.sum(X, dtype=np.float64))
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    assert _core.read_all(X, n_threads) == pytest.approx(expected, rel=rtol)


def test_paired_ratios_take_each_round_alone(monkeypatch):
    monkeypatch.setattr(bench, "PAUSE_SECONDS", 0.0)
    samples = {}
    bench.interleave({name: (lambda: None) for name in "abc"}, 3, samples=samples)
    # Three timed rounds after the warm-up (round 0), each contender once per round.
    assert {key: sorted(rounds) for key, rounds in samples.items()} == {
        key: [1, 2, 3] for key in "abc"}
    fixed = {"a": {1: 6.0, 2: 9.0, 3: 4.0}, "b": {1: 4.0, 2: 5.0, 4: 1.0},
             "c": {1: 1.0, 2: 2.0, 3: 1.0}}
    # Rounds 1 and 2 are the only ones with all three; b's time minus c's in the same round.
    assert bench.paired_ratios(fixed, "a", "b") == [1.5, 1.8]
    assert bench.paired_ratios(fixed, "a", "b", minus="c") == [2.0, 3.0]
    assert bench.spread([2.0, 3.0, 2.5], "x") == "per round 2.50x [2.00x .. 3.00x] over 3 rounds"
    assert bench.spread([]) == ""
