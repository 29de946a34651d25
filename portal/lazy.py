"""A mapping computed the first time it is read: context every page gets, that only some templates show."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LazyMapping(Mapping[K, V], Generic[K, V]):
    """`load()` called once, on first access, and its result served after."""

    def __init__(self, load: Callable[[], Mapping[K, V]]) -> None:
        self._load = load
        self._value: Mapping[K, V] | None = None

    def _mapping(self) -> Mapping[K, V]:
        if self._value is None:
            self._value = self._load()
        return self._value

    def __getitem__(self, key: K) -> V:
        return self._mapping()[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self._mapping())
