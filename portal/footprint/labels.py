"""Eco-label A–E within a category, and the difference to the category's typical device.

ratio = annualised footprint of the device / annualised footprint of the category's reference (a typical
new device with the category values). The label is read from :data:`LABEL_THRESHOLDS`: a typical device
gets C; A needs at least 40 % less than typical (a refurbished device, or one kept much longer, gets there);
E is more than 40 % above typical. The label uses the central value; :func:`label_range` gives the labels of
the low and high ends so that a page can show the uncertainty.
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

from .calc import reference_footprint
from .model import Footprint

__all__ = [
    "LABEL_THRESHOLDS",
    "EcoLabel",
    "eco_label",
    "label_for_ratio",
    "label_range",
    "percent_vs_reference",
    "ratio_to_reference",
    "relative_difference",
]


class EcoLabel(Enum):
    """Carbon label within a category, A (best) to E."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"


#: (highest ratio included, label), in increasing order; any ratio above the last one is E.
#: A ≤ 0.60 < B ≤ 0.85 < C ≤ 1.10 < D ≤ 1.40 < E.
LABEL_THRESHOLDS: tuple[tuple[Decimal, EcoLabel], ...] = (
    (Decimal("0.60"), EcoLabel.A),
    (Decimal("0.85"), EcoLabel.B),
    (Decimal("1.10"), EcoLabel.C),
    (Decimal("1.40"), EcoLabel.D),
)


def label_for_ratio(ratio: Decimal) -> EcoLabel:
    """The label of a footprint/reference ratio (bounds included in the better label)."""
    for bound, label in LABEL_THRESHOLDS:
        if ratio <= bound:
            return label
    return EcoLabel.E


def ratio_to_reference(footprint: Footprint, value: Decimal | None = None) -> Decimal:
    """Annualised footprint (or `value`) divided by the annualised footprint of its category's reference."""
    reference = reference_footprint(footprint.category).annualised.value
    return (footprint.annualised.value if value is None else value) / reference


def eco_label(footprint: Footprint) -> EcoLabel:
    """The A–E label of a footprint within its category."""
    return label_for_ratio(ratio_to_reference(footprint))


def label_range(footprint: Footprint) -> tuple[EcoLabel, EcoLabel]:
    """Labels of the low and high ends of the footprint's range (equal when there is no range)."""
    low, high = (ratio_to_reference(footprint, v) for v in (footprint.annualised.low, footprint.annualised.high))
    return label_for_ratio(low), label_for_ratio(high)


def relative_difference(footprint: Footprint) -> Decimal:
    """Signed ratio to the typical device of the category, e.g. −0.35 for 35 % less (for a percent filter)."""
    return ratio_to_reference(footprint) - 1


def percent_vs_reference(footprint: Footprint) -> Decimal:
    """Signed percentage vs the typical device of the category, e.g. −35 for "−35 % vs a typical laptop"."""
    return relative_difference(footprint) * 100
