"""The timing helper behind bench/: interleaved rounds, warm-up, medians, rotated order."""

from __future__ import annotations

import linreg._bench as bench


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
