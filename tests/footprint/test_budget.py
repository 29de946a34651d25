"""Budget figures computed by hand: intensity and its grade, budget used, planned purchases and their variants,
the trajectory's allocation."""

from decimal import Decimal as D

import pytest

from portal.footprint import (
    MONETARY_IT_PRODUCTS,
    BudgetUse,
    EcoLabel,
    Quality,
    UnitFigures,
    allocate_trajectory,
    budget_use,
    budget_used_share,
    carbon_intensity,
    intensity_grade,
    purchase_forecast,
    sober_variants,
)
from portal.footprint.budget import trajectory_total


def test_the_spending_reference_is_sourced_and_marked_estimated():
    assert MONETARY_IT_PRODUCTS.value == D("500")
    assert MONETARY_IT_PRODUCTS.quality is Quality.ESTIMATED
    assert "ratios monétaires" in MONETARY_IT_PRODUCTS.sources[0].label
    assert MONETARY_IT_PRODUCTS.sources[0].year == 2023


def test_intensity_is_kg_per_thousand_euros():
    # 600 laptops at 1,000 € with 185.09 kg embodied each: 111,054 kg for 600 k€ = 185.09 kg/k€.
    assert carbon_intensity(D("111054"), D("600000")) == D("185.09")
    assert carbon_intensity(D("10"), D("0")) is None


@pytest.mark.parametrize(
    ("intensity", "grade"),
    [("125", "A"), ("125.01", "B"), ("250", "B"), ("375", "C"), ("375.5", "D"), ("500", "D"), ("500.1", "E")],
)
def test_intensity_grade_against_the_reference_ratio(intensity, grade):
    # Reference 500 kg/k€: A ≤ 125 < B ≤ 250 < C ≤ 375 < D ≤ 500 < E.
    assert intensity_grade(D(intensity)) is EcoLabel(grade)


def test_budget_used_mixes_forecast_committed_and_spent():
    # 3,000 planned + 1,500 approved not delivered + 4,000 delivered against 10,000 kg: 85 %, close.
    share = budget_used_share(D("3000"), D("1500"), D("4000"), D("10000"))
    assert share == D("0.85")
    assert budget_use(share) is BudgetUse.CLOSE
    assert budget_use(D("0.7999")) is BudgetUse.WITHIN
    assert budget_use(D("0.80")) is BudgetUse.CLOSE
    assert budget_use(D("1.00")) is BudgetUse.CLOSE
    assert budget_use(D("1.0001")) is BudgetUse.OVER
    assert budget_used_share(D("1"), D("0"), D("0"), D("0")) is None


LAPTOP = UnitFigures(D("1000"), D("185"), D("1.5"), D("5"))
REFURBISHED = UnitFigures(D("600"), D("50"), D("1.5"), D("5"))
BETTER = UnitFigures(D("1100"), D("120"), D("1.2"), D("5"))


def test_planned_purchase_counts_embodied_in_the_year_and_amortised_per_year():
    forecast = purchase_forecast(LAPTOP, 600)
    assert forecast.eur == D("600000")
    assert forecast.embodied_kgco2e == D("111000")  # 600 × 185
    assert forecast.annualised_kgco2e == D("23100")  # 600 × (185 / 5 + 1.5) = 600 × 38.5


def test_sober_variants_side_by_side():
    variants = {v.key: v for v in sober_variants(LAPTOP, 100, refurbished=REFURBISHED, better=BETTER)}
    assert list(variants) == ["planned", "refurbished_25", "refurbished_50", "longer_1", "longer_2", "better_model"]
    # 25 % refurbished: 75 new + 25 refurbished.
    r25 = variants["refurbished_25"]
    assert r25.eur == D("90000")  # 75 × 1,000 + 25 × 600
    assert r25.embodied_kgco2e == D("15125")  # 75 × 185 + 25 × 50
    assert r25.annualised_kgco2e == D("3175")  # 75 × 38.5 + 25 × 11.5
    assert variants["refurbished_50"].embodied_kgco2e == D("11750")  # 50 × 185 + 50 × 50
    # Kept 6 years instead of 5: 100 × 5/6 devices a year.
    longer = variants["longer_1"]
    assert longer.quantity.quantize(D("0.01")) == D("83.33")
    assert longer.eur.quantize(D("0.01")) == D("83333.33")
    assert longer.embodied_kgco2e.quantize(D("0.01")) == D("15416.67")  # 18,500 × 5/6
    # each one 185 / 6 + 1.5 = 32.3333… a year: 83.333… × 32.333… = 2694.44
    assert longer.annualised_kgco2e.quantize(D("0.01")) == D("2694.44")
    assert variants["longer_2"].embodied_kgco2e.quantize(D("0.01")) == D("13214.29")  # 18,500 × 5/7
    better = variants["better_model"]
    assert (better.eur, better.embodied_kgco2e) == (D("110000"), D("12000"))
    assert r25.saving_vs(variants["planned"]) == (D("10000"), D("3375"))


def test_without_a_refurbished_or_better_device_only_the_longer_lifetimes_are_offered():
    keys = [v.key for v in sober_variants(LAPTOP, 10)]
    assert keys == ["planned", "longer_1", "longer_2"]


def test_trajectory_shares_the_cut_total_in_proportion_to_reference_emissions():
    # Reference 2025: A 6,000 kg, B 3,000 kg, C 1,000 kg (10,000 kg). −5 % a year, 2027: 10,000 × 0.95² = 9,025.
    assert trajectory_total(D("10000"), D("0.05"), 2025, 2027) == D("9025.0000")
    budgets = allocate_trajectory(
        {"A": D("6000"), "B": D("3000"), "C": D("1000")}, yearly_cut=D("0.05"), reference_year=2025, year=2027
    )
    assert budgets == {"A": D("5415"), "B": D("2707.5"), "C": D("902.5")}
    assert sum(budgets.values()) == D("9025")
    assert allocate_trajectory({"A": D("0")}, yearly_cut=D("0.05"), reference_year=2025, year=2026) == {"A": D("0")}
    assert allocate_trajectory({"A": D("10")}, yearly_cut=D("0"), reference_year=2025, year=2025) == {"A": D("10")}
    with pytest.raises(ValueError):
        allocate_trajectory({"A": D("10")}, yearly_cut=D("0.05"), reference_year=2026, year=2025)
    with pytest.raises(ValueError):
        trajectory_total(D("10"), D("1"), 2025, 2026)
