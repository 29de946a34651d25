"""The action plans in words: statuses, trends, refusals (translated), and the template helpers that show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.footprint.plans import Path

MESSAGES = {
    "month_not_over": _l("%(value)s is not over yet: a month is measured once it has ended."),
    "bad_month": _l("“%(value)s” is not a month: write it as YYYY-MM, for example 2026-03."),
    "bad_year": _l("“%(value)s” is not a year."),
    "comment_required": _l("Write what happened: a check-in needs a comment."),
    "bad_link": _l("A link starts with https:// or http://."),
    "bad_date": _l("“%(value)s” is not a date: write it as YYYY-MM-DD."),
    "bad_value": _l("“%(value)s” is not a number."),
    "source_required": _l("Say where the value comes from: a declared value needs its source."),
    "deadline_before_start": _l("The deadline must come after the start."),
    "unknown_indicator": _l("There is no indicator %(indicator)s."),
    "declared_needs_name_and_baseline": _l("A declared indicator needs its name and its baseline."),
    "unknown_owner": _l("No active employee has the address %(email)s."),
    "unknown_trend": _l("“%(value)s” is not a direction: choose decrease or increase."),
    "target_equals_baseline": _l("The target must differ from the baseline."),
    "target_against_trend": _l(
        "The target goes the wrong way: below the baseline for a decrease, above it for an increase."
    ),
    "milestone_outside": _l("The milestone of %(day)s must fall between the start and the deadline."),
    "milestone_twice": _l("Two milestones fall on the same day."),
    "measured_fields_fixed": _l(
        "This action has been measured: its indicator, scope, start and baseline can no longer change (the kept "
        "measures would no longer mean the same). Create a new action instead."
    ),
    "not_declared": _l("This action is measured from the portal’s data: its values cannot be typed in."),
}

STATUSES: dict[str, Any] = {
    "on_track": _l("On track"),
    "at_risk": _l("At risk"),
    "late": _l("Late"),
    "achieved": _l("Achieved"),
    "": _l("Not measured yet"),
}

UNITS: dict[str, Any] = {
    "kgCO2e": _l("kg CO₂e"),
    "years": _l("years"),
    "devices": _l("devices"),
    "people": _l("people"),
    "trips": _l("trips"),
    "device-years": _l("device-years"),
}

TRENDS: dict[str, Any] = {"decrease": _l("Decrease"), "increase": _l("Increase")}

BASELINE_SOURCES: dict[str, Any] = {
    "start": _l("Measured at the start month (else the reference year)"),
    "reference_year": _l("The reference year's last month"),
}


def baseline_source_name(code: str) -> str:
    """Where a baseline is read, in words."""
    return str(BASELINE_SOURCES.get(code, code))


def status_name(code: str) -> str:
    """A status in words."""
    return str(STATUSES.get(code, code))


def trend_name(code: str) -> str:
    """A trend in words."""
    return str(TRENDS.get(code, code))


def register(bp: Blueprint) -> None:
    """The plans' words for every template."""
    bp.add_app_template_global(status_name, "plan_status")
    bp.add_app_template_global(trend_name, "plan_trend")
    bp.add_app_template_global(lambda unit: str(UNITS.get(unit, unit)), "plan_unit")


@dataclass(frozen=True)
class Chart:
    """The monthly series against the target trajectory, as SVG coordinates."""

    width: int
    height: int
    measured: str  # polyline points
    trajectory: str
    dots: tuple[tuple[float, float], ...]
    top: Decimal
    bottom: Decimal


def chart(path: Path | None, series: list[tuple[date, Decimal]], width: int = 640, height: int = 220) -> Chart | None:
    """Server-side coordinates of the series and the trajectory (None with nothing to draw)."""
    if path is None or not series:
        return None
    corners = path.points()
    days = [d for d, _ in corners] + [d for d, _ in series]
    values = [v for _, v in corners] + [v for _, v in series]
    first, last = min(days), max(days)
    low, high = min(values), max(values)
    span_days = max((last - first).days, 1)
    span_values = (high - low) or Decimal(1)
    pad = 12

    def xy(day: date, value: Decimal) -> tuple[float, float]:
        x = pad + (width - 2 * pad) * (day - first).days / span_days
        y = pad + float((high - value) / span_values) * (height - 2 * pad)
        return round(x, 1), round(y, 1)

    def line(points: list[tuple[date, Decimal]]) -> str:
        return " ".join(f"{x},{y}" for x, y in (xy(d, v) for d, v in points))

    return Chart(width, height, line(series), line(corners), tuple(xy(d, v) for d, v in series), high, low)
