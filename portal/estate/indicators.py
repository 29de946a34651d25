"""The estate's indicators: stable codes, units and directions (labels and definitions in display.py).

Budgets and action plans read the same codes through `portal.estate.services.indicator_value`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Direction(StrEnum):
    """Which way is better."""

    LOWER = "lower"
    HIGHER = "higher"
    NONE = "none"  # context (a count of people, of devices)


@dataclass(frozen=True, slots=True)
class Indicator:
    """A code that never changes meaning, its unit and direction; `by_convention`: one value per convention."""

    code: str
    unit: str
    direction: Direction
    by_convention: bool = False


L, H, N = Direction.LOWER, Direction.HIGHER, Direction.NONE

INDICATORS: tuple[Indicator, ...] = (
    Indicator("total_kgco2e", "kgCO2e", L, True),
    Indicator("embodied_kgco2e", "kgCO2e", L, True),
    Indicator("use_kgco2e", "kgCO2e", L),
    Indicator("trips_kgco2e", "kgCO2e", L),
    Indicator("transport_kgco2e", "kgCO2e", L),
    Indicator("storage_kgco2e", "kgCO2e", L),
    Indicator("services_kgco2e", "kgCO2e", L),
    Indicator("per_employee_kgco2e", "kgCO2e", L, True),
    Indicator("estimated_share_pct", "%", L, True),
    Indicator("employees", "people", N),
    Indicator("device_years", "device-years", N),
    Indicator("devices_in_service", "devices", N),
    Indicator("devices_per_employee", "devices", L),
    Indicator("average_age_years", "years", H),
    Indicator("average_lifetime_retired_years", "years", H),
    Indicator("acquired_devices", "devices", N),
    Indicator("retired_devices", "devices", N),
    Indicator("refurbished_share_count_pct", "%", H),
    Indicator("refurbished_share_eur_pct", "%", H),
    Indicator("returned_at_collection", "devices", H),
    Indicator("overdue_returns", "devices", L),
    Indicator("interventions", "trips", N),
    Indicator("intervention_km", "km", L),
    Indicator("kgco2e_per_intervention", "kgCO2e", L),
    Indicator("transport_km", "km", L),
    Indicator("overall_kgco2e", "kgCO2e", L, True),
    Indicator("overall_per_employee_kgco2e", "kgCO2e", L, True),
    Indicator("overall_estimated_share_pct", "%", L, True),
    Indicator("storage_gb", "GB", L),
    Indicator("storage_gb_per_employee", "GB", L),
)
BY_CODE = {indicator.code: indicator for indicator in INDICATORS}

#: What the waterfall needs of the previous period recomputed with the current factors (not shown as such).
LIKE_FOR_LIKE = ("lfl_equipment_kgco2e", "lfl_other_kgco2e", "lfl_device_years")
#: The lines of a year, in the order pages show them (every scope).
LINES = ("embodied_kgco2e", "use_kgco2e", "trips_kgco2e", "transport_kgco2e", "storage_kgco2e")
#: The organisation's lines: the digital services and data centres are counted for the whole organisation only.
ORG_LINES = (*LINES, "services_kgco2e")
SCOPES = ("org", "unit", "site", "category", "model")
