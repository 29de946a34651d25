"""What a reader can work out from figures published together: every sum and difference of them.

A published figure is a sum over *atoms*, what one person freed in one place on one day. A reader who adds
and subtracts published figures (each at most once: every subtraction of one subset from another) gets a
group's figure when the result counts some atoms once each (or minus once each) and the others not at all;
the group is the people those atoms belong to. `small_groups` lists every such result for fewer than 5 people.

Signed sums are encoded as integers with one 8-bit lane per atom: a coefficient stays within ±(number of
figures) < 128, so the base-256 representation is unique and a result whose every lane is 0 or 1 is exactly
a group's figure.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

LANE = 8
MAX_FIGURES = 14  # 3**14 sums: a few seconds at most


@dataclass(frozen=True)
class Derived:
    """A group's figure worked out from published ones: how, and whose it is."""

    combination: tuple[str, ...]
    people: frozenset[Hashable]


def small_groups(
    figures: Mapping[str, frozenset[tuple[Hashable, ...]]],
    *,
    person: Callable[[tuple[Hashable, ...]], Hashable] = lambda atom: atom[0],
    below: int = 5,
) -> list[Derived]:
    """Every sum or difference of published figures (label → atoms) that is the figure of 1 to below−1 people."""
    distinct: dict[frozenset[tuple[Hashable, ...]], str] = {}
    for label, atoms in figures.items():
        if atoms:  # an empty figure (zero) adds nothing
            distinct.setdefault(atoms, label)
    assert len(distinct) <= MAX_FIGURES, f"{len(distinct)} distinct figures: too many to try every combination"
    atoms = sorted({atom for group in distinct for atom in group}, key=repr)
    lane = {atom: index for index, atom in enumerate(atoms)}
    ones = sum(1 << (LANE * index) for index in range(len(atoms)))
    masks: dict[Hashable, int] = {}
    for atom in atoms:
        masks[person(atom)] = masks.get(person(atom), 0) | 1 << (LANE * lane[atom])
    vectors = [(label, sum(1 << (LANE * lane[atom]) for atom in group)) for group, label in distinct.items()]
    found: list[Derived] = []

    def check(total: int, used: tuple[str, ...]) -> None:
        for value in (total, -total):
            if value > 0 and value & ~ones == 0:  # every atom counted once, or not at all
                people = frozenset(who for who, mask in masks.items() if value & mask)
                if len(people) < below:
                    found.append(Derived(used, people))

    def walk(index: int, total: int, used: tuple[str, ...]) -> None:
        if index == len(vectors):
            if used:
                check(total, used)
            return
        label, vector = vectors[index]
        walk(index + 1, total, used)
        walk(index + 1, total + vector, (*used, f"+ {label}"))
        if used:  # − first and + first give opposite results: one of them is enough
            walk(index + 1, total - vector, (*used, f"− {label}"))

    walk(0, 0, ())
    return found
