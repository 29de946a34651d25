"""Budgets in carbon: intensity per k€ graded A–E, carbon budget used, planned purchases and their sober
variants, and carbon budgets shared along a trajectory.

Conventions (the pages quote them):
- a purchase counts in full in the year it is acquired (its embodied emissions: fabrication, distribution,
  end of life), and is also shown amortised per year of life (embodied / lifetime + use);
- carbon intensity = embodied kgCO₂e per k€ of the same spending, compared with ADEME's monetary ratio for
  computer, electronic and optical products (:data:`~portal.footprint.factors.MONETARY_IT_PRODUCTS`);
- carbon budget used = (forecast + committed + spent) / carbon budget.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import TypeVar

from .factors import MONETARY_IT_PRODUCTS
from .labels import EcoLabel

__all__ = [
    "BUDGET_USE_THRESHOLDS",
    "INTENSITY_THRESHOLDS",
    "BudgetUse",
    "PurchaseForecast",
    "UnitFigures",
    "allocate_trajectory",
    "budget_use",
    "budget_used_share",
    "carbon_intensity",
    "intensity_grade",
    "purchase_forecast",
    "sober_variants",
    "trajectory_total",
]

D = Decimal
THOUSAND = D(1000)

#: (highest intensity / reference ratio included, grade); above the last bound is E. The reference is the
#: average of the whole product family bought new, so spending at the average is D and above it E; buying
#: refurbished or keeping devices longer brings a line to B or A.
#: A ≤ 0.25 < B ≤ 0.50 < C ≤ 0.75 < D ≤ 1.00 < E.
INTENSITY_THRESHOLDS: tuple[tuple[Decimal, EcoLabel], ...] = (
    (D("0.25"), EcoLabel.A),
    (D("0.50"), EcoLabel.B),
    (D("0.75"), EcoLabel.C),
    (D("1.00"), EcoLabel.D),
)


def carbon_intensity(kgco2e: Decimal, eur: Decimal) -> Decimal | None:
    """kgCO₂e per k€ spent; None when nothing is spent (no intensity to grade)."""
    if eur <= 0:
        return None
    return kgco2e * THOUSAND / eur


def intensity_grade(intensity: Decimal, reference: Decimal = MONETARY_IT_PRODUCTS.value) -> EcoLabel:
    """The A–E grade of an intensity (kg/k€) against the reference ratio (bounds in the better grade)."""
    ratio = intensity / reference
    for bound, grade in INTENSITY_THRESHOLDS:
        if ratio <= bound:
            return grade
    return EcoLabel.E


class BudgetUse(Enum):
    """How much of its carbon budget a line, a unit or the whole budget uses."""

    WITHIN = "within"  # under 80 %
    CLOSE = "close"  # 80 % to 100 % included
    OVER = "over"  # above 100 %


#: Below CLOSE is within, up to OVER included is close, above is over.
BUDGET_USE_THRESHOLDS = (D("0.80"), D("1.00"))


def budget_used_share(
    forecast_kgco2e: Decimal, committed_kgco2e: Decimal, spent_kgco2e: Decimal, carbon_budget_kgco2e: Decimal
) -> Decimal | None:
    """(forecast + committed + spent) / carbon budget, e.g. 0.85 for 85 %; None without a positive budget."""
    if carbon_budget_kgco2e <= 0:
        return None
    return (forecast_kgco2e + committed_kgco2e + spent_kgco2e) / carbon_budget_kgco2e


def budget_use(share: Decimal) -> BudgetUse:
    """Within (< 80 %), close (80–100 %) or over (> 100 %)."""
    close, over = BUDGET_USE_THRESHOLDS
    if share < close:
        return BudgetUse.WITHIN
    if share <= over:
        return BudgetUse.CLOSE
    return BudgetUse.OVER


@dataclass(frozen=True, slots=True)
class UnitFigures:
    """One device as a budget sees it: price, embodied and yearly use emissions, lifetime."""

    price_eur: Decimal
    embodied_kgco2e: Decimal  # net embodied (a refurbished device's avoided share already taken off)
    annual_use_kgco2e: Decimal
    lifetime_years: Decimal

    def annualised_kgco2e(self, extra_years: int = 0) -> Decimal:
        """Embodied / (lifetime + extra years) + use, kgCO₂e per year."""
        return self.embodied_kgco2e / (self.lifetime_years + extra_years) + self.annual_use_kgco2e


@dataclass(frozen=True, slots=True)
class PurchaseForecast:
    """A planned purchase (or one of its variants) in euros and kgCO₂e."""

    key: str  # "planned", "refurbished_25", "refurbished_50", "longer_1", "longer_2", "better_model"
    quantity: Decimal  # devices bought in the year (fewer when they are kept longer)
    eur: Decimal
    embodied_kgco2e: Decimal  # counted in the acquisition year
    annualised_kgco2e: Decimal  # per year of life

    def saving_vs(self, planned: PurchaseForecast) -> tuple[Decimal, Decimal]:
        """(euros, kgCO₂e in the acquisition year) saved compared with the planned purchase."""
        return planned.eur - self.eur, planned.embodied_kgco2e - self.embodied_kgco2e


def purchase_forecast(device: UnitFigures, quantity: Decimal | int, key: str = "planned") -> PurchaseForecast:
    """`quantity` devices: price × quantity, embodied × quantity, annualised × quantity."""
    q = D(quantity)
    return PurchaseForecast(key, q, device.price_eur * q, device.embodied_kgco2e * q, device.annualised_kgco2e() * q)


def _mixed(key: str, new: UnitFigures, refurbished: UnitFigures, quantity: Decimal, share: Decimal) -> PurchaseForecast:
    fresh, second = quantity * (1 - share), quantity * share
    return PurchaseForecast(
        key,
        quantity,
        new.price_eur * fresh + refurbished.price_eur * second,
        new.embodied_kgco2e * fresh + refurbished.embodied_kgco2e * second,
        new.annualised_kgco2e() * fresh + refurbished.annualised_kgco2e() * second,
    )


def _longer(device: UnitFigures, quantity: Decimal, extra_years: int) -> PurchaseForecast:
    # A renewal plan replaces a fleet every L years: kept L + k years, the same fleet needs L / (L + k) as
    # many devices a year, and each one's embodied emissions are spread over L + k years.
    kept = quantity * device.lifetime_years / (device.lifetime_years + extra_years)
    return PurchaseForecast(
        f"longer_{extra_years}",
        kept,
        device.price_eur * kept,
        device.embodied_kgco2e * kept,
        device.annualised_kgco2e(extra_years) * kept,
    )


def sober_variants(
    device: UnitFigures,
    quantity: Decimal | int,
    *,
    refurbished: UnitFigures | None = None,
    better: UnitFigures | None = None,
    refurbished_shares: tuple[int, ...] = (25, 50),
    extra_years: tuple[int, ...] = (1, 2),
) -> list[PurchaseForecast]:
    """The planned purchase first, then its sober variants, side by side: a share of refurbished devices (when
    a refurbished device is known), lifetimes one or two years longer, and a better-labelled model (when one
    is known)."""
    q = D(quantity)
    variants = [purchase_forecast(device, q)]
    if refurbished is not None:
        variants += [_mixed(f"refurbished_{s}", device, refurbished, q, D(s) / 100) for s in refurbished_shares]
    variants += [_longer(device, q, k) for k in extra_years]
    if better is not None:
        variants.append(purchase_forecast(better, q, "better_model"))
    return variants


K = TypeVar("K", bound=Hashable)


def trajectory_total(reference_kgco2e: Decimal, yearly_cut: Decimal, reference_year: int, year: int) -> Decimal:
    """The whole budget of `year` on a trajectory cutting `yearly_cut` (0.05 for −5 %) a year, compounded:
    reference × (1 − cut) ** (year − reference year)."""
    if year < reference_year:
        raise ValueError("the budget year must not precede the reference year")
    if not D(0) <= yearly_cut < 1:
        raise ValueError("the yearly cut must be between 0 and 1")
    return reference_kgco2e * (1 - yearly_cut) ** (year - reference_year)


def allocate_trajectory(
    reference_by_unit: Mapping[K, Decimal], *, yearly_cut: Decimal, reference_year: int, year: int
) -> dict[K, Decimal]:
    """Each unit's carbon budget for `year`: the trajectory's total shared in proportion to the units'
    reference-year emissions, i.e. each unit's own reference × (1 − cut) ** (year − reference year).

    Units with no reference emissions get 0 (their purchases are then over budget: the admin edits them)."""
    factor = trajectory_total(D(1), yearly_cut, reference_year, year)
    total = sum(reference_by_unit.values(), D(0))
    if total <= 0:
        return {unit: D(0) for unit in reference_by_unit}
    whole = total * factor
    return {unit: whole * emissions / total for unit, emissions in reference_by_unit.items()}
