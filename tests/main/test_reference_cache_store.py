"""What a web worker keeps of reference data stays bounded: the least recently stored values go first."""

from __future__ import annotations

from portal import reference_cache


def test_a_full_cache_drops_the_oldest_values_and_keeps_the_newest():
    loads: list[int] = []

    def load(value: int) -> int:
        loads.append(value)
        return value

    size = reference_cache._ENTRIES
    for n in range(size + 1):
        assert reference_cache.cached("test.bound", n, lambda n=n: load(n)) == n
    assert loads == list(range(size + 1))
    loads.clear()
    assert reference_cache.cached("test.bound", size, lambda: load(-1)) == size  # kept: not loaded again
    assert reference_cache.cached("test.bound", 0, lambda: load(-2)) == -2  # the oldest was dropped
    assert loads == [-2]
