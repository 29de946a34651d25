"""Eco-label thresholds and difference to the category reference."""

from decimal import Decimal as D

import pytest

from portal.footprint import (
    CATEGORY_KEYS,
    LABEL_THRESHOLDS,
    EcoLabel,
    EquipmentInputs,
    Figure,
    Quality,
    calculate,
    eco_label,
    label_for_ratio,
    label_range,
    percent_vs_reference,
    ratio_to_reference,
    reference_footprint,
    relative_difference,
)

A, B, C, D_, E = EcoLabel.A, EcoLabel.B, EcoLabel.C, EcoLabel.D, EcoLabel.E
TINY = D("0.0000001")


def laptop_with_embodied(embodied: str):
    """A laptop with the category lifetime (5) and kWh (29.0 → 1.5051 kg/year), all manufacturer data."""
    m = Quality.MANUFACTURER
    return calculate(
        EquipmentInputs(
            "laptop", Figure(D(embodied), quality=m), Figure(0, quality=m), Figure(0, quality=m),
            Figure(5, quality=m), Figure(D("29.0"), quality=m),
        )
    )  # fmt: skip


def test_thresholds_are_increasing_and_cover_a_to_d():
    bounds = [bound for bound, _ in LABEL_THRESHOLDS]
    assert bounds == sorted(bounds) == [D("0.60"), D("0.85"), D("1.10"), D("1.40")]
    assert [label for _, label in LABEL_THRESHOLDS] == [A, B, C, D_]


@pytest.mark.parametrize(
    ("ratio", "label"),
    [
        (D(0), A),
        (D("0.60"), A),
        (D("0.60") + TINY, B),
        (D("0.85"), B),
        (D("0.85") + TINY, C),
        (D(1), C),
        (D("1.10"), C),
        (D("1.10") + TINY, D_),
        (D("1.40"), D_),
        (D("1.40") + TINY, E),
        (D(5), E),
    ],
)
def test_label_for_ratio_at_the_boundaries(ratio, label):
    assert label_for_ratio(ratio) is label


def test_every_reference_device_is_c_and_zero_percent():
    for key in CATEGORY_KEYS:
        fp = reference_footprint(key)
        assert eco_label(fp) is C
        assert percent_vs_reference(fp) == 0


def test_label_boundary_end_to_end():
    # ratio 0.6: 0.6 × 38.5231 = 23.11386 − 1.5051 = 21.60876 per year × 5 = 108.0438 kg embodied
    at_bound = laptop_with_embodied("108.0438")
    assert at_bound.annualised.value == D("23.11386")
    assert ratio_to_reference(at_bound) == D("0.6")
    assert eco_label(at_bound) is A
    # 0.1 g more: 108.0439 / 5 + 1.5051 = 23.11388 → ratio 0.6000005 → B
    assert eco_label(laptop_with_embodied("108.0439")) is B


def test_signed_difference_to_the_typical_device():
    # −35 %: 0.65 × 38.5231 = 25.040015 − 1.5051 = 23.534915 per year × 5 = 117.674575 kg
    fp = laptop_with_embodied("117.674575")
    assert relative_difference(fp) == D("-0.35")
    assert percent_vs_reference(fp) == D("-35")
    assert eco_label(fp) is B  # 0.65 is in (0.60, 0.85]
    # +20 %: 1.2 × 38.5231 = 46.22772 − 1.5051 = 44.72262 × 5 = 223.6131 kg → D
    worse = laptop_with_embodied("223.6131")
    assert percent_vs_reference(worse) == D("20")
    assert eco_label(worse) is D_


def test_refurbished_laptop_is_a():
    fp = calculate(EquipmentInputs("laptop", refurbished=True))
    assert eco_label(fp) is A  # 11.49996 / 38.5231 = 0.2985
    assert round(percent_vs_reference(fp), 2) == D("-70.15")  # (11.49996 / 38.5231 − 1) × 100


def test_label_range_shows_the_uncertainty():
    # thin client: 7.45555 / 10.08199 = 0.74 → B; 25.28649 / 10.08199 = 2.51 → E
    assert label_range(reference_footprint("thin_client")) == (B, E)
    assert label_range(reference_footprint("laptop")) == (C, C)
