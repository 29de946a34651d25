"""What a web worker keeps stays bounded: the least recently used values go first."""

from __future__ import annotations

import pytest

from portal import reference_cache
from portal.catalogue.models import Factor


def test_a_full_cache_drops_the_least_recently_used_values():
    reference_cache.clear()
    loads: list[int] = []

    def load(value: int) -> int:
        loads.append(value)
        return value

    size = reference_cache.ENTRIES
    for n in range(size):
        assert reference_cache.cached("test.bound", n, lambda n=n: load(n)) == n
    assert reference_cache.cached("test.bound", 0, lambda: load(-1)) == 0  # used again: now the most recent
    assert reference_cache.cached("test.bound", size, lambda: load(size)) == size  # one too many: 1 goes
    loads.clear()
    assert reference_cache.cached("test.bound", 0, lambda: load(-2)) == 0  # kept
    assert reference_cache.cached("test.bound", size, lambda: load(-3)) == size  # kept
    assert reference_cache.cached("test.bound", 1, lambda: load(-4)) == -4  # the least recently used was dropped
    assert loads == [-4]


def test_orm_objects_are_refused():
    with pytest.raises(TypeError, match="plain values"):
        reference_cache.cached("test.orm", None, lambda: Factor(key="x"))
