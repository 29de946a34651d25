"""The two CO₂e conventions: their factors, sources and the thousandfold gap between them."""

from __future__ import annotations

from decimal import Decimal

from portal.campaigns.conventions import (
    ADEME_STORAGE,
    CLEANUP_DAY,
    CONVENTIONS,
    co2e_kg,
    gigabytes,
    ratio_between_conventions,
    remaining_years,
)


def test_factors_and_sources_are_the_published_ones():
    assert ADEME_STORAGE.grams_per_gb == Decimal("0.235")
    assert ADEME_STORAGE.per_year and "ADEME" in ADEME_STORAGE.source
    # Digital Cleanup Day 2024: 1,829,132 GB deleted → 457,283 kg announced, i.e. 250 g per GB.
    assert CLEANUP_DAY.grams_per_gb == Decimal(250)
    assert not CLEANUP_DAY.per_year and "1,829,132" in CLEANUP_DAY.source
    assert set(CONVENTIONS) == {"ademe_storage", "cleanup_day"}


def test_co2e_of_freed_storage_under_each_convention():
    ten_gb = 10 * 10**9
    assert gigabytes(ten_gb) == 10
    assert co2e_kg(ten_gb, ADEME_STORAGE, years=4) == Decimal("0.0094")  # 10 × 0.235 g × 4 years
    assert co2e_kg(ten_gb, CLEANUP_DAY) == Decimal("2.5")
    assert co2e_kg(ten_gb, CLEANUP_DAY, years=9) == Decimal("2.5")  # once, whatever the horizon


def test_growth_is_never_turned_into_avoided_co2e():
    assert co2e_kg(-5 * 10**9, CLEANUP_DAY) == 0


def test_the_conventions_differ_about_a_thousandfold():
    assert 1000 < ratio_between_conventions() < 1100
    assert remaining_years(2031, 2026) == 5
    assert remaining_years(2020, 2026) == 0
