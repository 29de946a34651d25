"""The yearly service review: every service placed by usefulness against footprint per active user; decisions.

Usefulness (0 to 1) is the mean of three parts, each 0 to 1: the active share (active in the last 90 days ÷
subscribed), the frequency (days active ÷ 90, among active users) and the declared business criticality (low 0,
medium ½, high 1). A service is "high footprint" when its footprint per active user is above the median of the
services shown, "low use" when its usefulness is below ½. The quadrant "high footprint, low use" comes first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from portal import reference_cache
from portal.accounts.models import User
from portal.digital_services.models import CATEGORIES, DECISIONS, DigitalService, ReviewDecision
from portal.digital_services.services import (
    ServiceError,
    ServiceFigures,
    annual_footprint_by_service,
    figures_for,
    in_service,
)
from portal.models import db

CRITICALITY_WEIGHT = {"low": Decimal(0), "medium": Decimal("0.5"), "high": Decimal(1)}
LOW_USE_BELOW = Decimal("0.5")
#: Quadrants in the order the review reads them.
QUADRANTS = (
    "high_footprint_low_use",
    "high_footprint_high_use",
    "low_footprint_low_use",
    "low_footprint_high_use",
    "unknown",
)


@dataclass(frozen=True)
class ReviewFilters:
    """Which services the review shows: an owner unit, a category."""

    owner_unit_id: int | None = None
    category: str = ""

    @classmethod
    def from_args(cls, args: Any) -> ReviewFilters:
        """Read filters from a query string, ignoring what is not valid."""
        unit = args.get("owner_unit", "")
        category = args.get("category", "")
        return cls(
            owner_unit_id=int(unit) if unit.isdigit() and len(unit) < 10 else None,
            category=category if category in CATEGORIES else "",
        )

    def query_args(self) -> dict[str, Any]:
        """The same filters as URL parameters."""
        return {"owner_unit": self.owner_unit_id, "category": self.category or None}


@dataclass(frozen=True)
class ServiceSummary:
    """What the review shows of a service (plain columns: 1,600 ORM objects would cost most of the page)."""

    id: int
    name: str
    category: str
    criticality: str


@dataclass(frozen=True)
class LatestDecision:
    """The service's latest review decision, as the table shows it."""

    decision: str
    year: int


@dataclass(frozen=True)
class ReviewRow:
    """A service as the review places it."""

    service: ServiceSummary
    figures: ServiceFigures
    usefulness: Decimal
    per_active_user_kgco2e: Decimal | None
    quadrant: str
    latest: LatestDecision | None


def usefulness(figures: ServiceFigures, criticality: str) -> Decimal:
    """Mean of the active share, the frequency and the criticality weight (a missing part counts 0)."""
    parts = (
        figures.active_share or Decimal(0),
        figures.frequency or Decimal(0),
        CRITICALITY_WEIGHT.get(criticality, Decimal("0.5")),
    )
    return (sum(parts, Decimal(0)) / 3).quantize(Decimal("0.001"))


def _median(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def quadrant(per_user: Decimal | None, useful: Decimal, median: Decimal | None) -> str:
    """Where a service sits: high/low footprint per active user (vs the median), low/high use (vs ½)."""
    if per_user is None or median is None:
        return "unknown"
    high = per_user > median
    low_use = useful < LOW_USE_BELOW
    return {
        (True, True): QUADRANTS[0],
        (True, False): QUADRANTS[1],
        (False, True): QUADRANTS[2],
        (False, False): QUADRANTS[3],
    }[(high, low_use)]


def review_rows(filters: ReviewFilters, *, today: date) -> tuple[list[ReviewRow], Decimal | None]:
    """The services in service, placed and ordered: quadrant first, then footprint per active user, highest
    first; and the median footprint per active user that splits them."""
    statement = sa.select(
        DigitalService.id, DigitalService.name, DigitalService.category, DigitalService.criticality
    ).where(in_service(today))
    if filters.owner_unit_id is not None:
        statement = statement.where(DigitalService.owner_unit_id == filters.owner_unit_id)
    if filters.category:
        statement = statement.where(DigitalService.category == filters.category)
    services = [
        ServiceSummary(*row) for row in db.session.execute(statement.order_by(DigitalService.name, DigitalService.id))
    ]
    figures = figures_for(services, today=today)
    latest = _latest_decisions([s.id for s in services])
    per_user = {
        s.id: (figure.value if (figure := figures[s.id].per_active_user) is not None else None) for s in services
    }
    median = _median([v for v in per_user.values() if v is not None])
    rows = []
    for service in services:
        useful = usefulness(figures[service.id], service.criticality)
        rows.append(
            ReviewRow(
                service,
                figures[service.id],
                useful,
                per_user[service.id],
                quadrant(per_user[service.id], useful, median),
                latest.get(service.id),
            )
        )
    rows.sort(key=lambda r: (QUADRANTS.index(r.quadrant), -(r.per_active_user_kgco2e or 0), r.service.name))
    return rows, median


def _latest_decisions(service_ids: list[int]) -> dict[int, LatestDecision]:
    if not service_ids:
        return {}
    newest = (
        sa.select(sa.func.max(ReviewDecision.id))
        .where(ReviewDecision.service_id.in_(service_ids))
        .group_by(ReviewDecision.service_id)
    )
    rows = db.session.execute(
        sa.select(ReviewDecision.service_id, ReviewDecision.decision, ReviewDecision.year).where(
            ReviewDecision.id.in_(newest)
        )
    )
    return {service_id: LatestDecision(decision, year) for service_id, decision, year in rows}


@dataclass(frozen=True)
class Review:
    """The review of the services a filter selects: placed rows, the median that splits them, the chart."""

    rows: list[ReviewRow]
    median: Decimal | None
    chart: Scatter | None
    counts: dict[str, int]


def cached_review(filters: ReviewFilters, *, today: date) -> Review:
    """The review, kept per web worker until a service, its usage or a decision changes (plain values)."""

    def load() -> Review:
        rows, median = review_rows(filters, today=today)
        counts = {q: n for q in QUADRANTS if (n := sum(1 for r in rows if r.quadrant == q))}
        return Review(rows, median, scatter(rows, median), counts)

    return reference_cache.cached("digital_services.review", (filters, today), load)


# ---------------------------------------------------------------------------------------------------------
# The scatter: one SVG path of dots (a thousand points stay one element of the page)
# ---------------------------------------------------------------------------------------------------------

WIDTH, HEIGHT, MARGIN = 600, 360, 48


@dataclass(frozen=True)
class Scatter:
    """What the template draws: the dots' path, the shaded quadrant, the axes' ticks."""

    dots: str
    highlight: tuple[int, int, int, int] | None  # x, y, width, height of "high footprint, low use"
    x_ticks: list[tuple[int, Decimal]]
    y_ticks: list[tuple[int, Decimal]]
    width: int = WIDTH
    height: int = HEIGHT
    margin: int = MARGIN


def scatter(rows: list[ReviewRow], median: Decimal | None) -> Scatter | None:
    """Usefulness (x, 0 to 1) against footprint per active user (y, log scale); None with nothing to place."""
    placed = [(r.usefulness, r.per_active_user_kgco2e) for r in rows if r.per_active_user_kgco2e]
    if not placed:
        return None
    logs = [math.log10(float(v)) for _, v in placed]
    low, high = math.floor(min(logs)), math.ceil(max(logs))
    if high == low:
        high = low + 1
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN

    def x(useful: Decimal) -> int:
        return MARGIN + round(float(useful) * plot_w)

    def y(kg: float) -> int:
        return MARGIN + round((high - math.log10(kg)) / (high - low) * plot_h)

    dots = " ".join(f"M{x(u)} {y(float(v))}h0" for u, v in placed)
    highlight = None
    if median is not None and median > 0:
        top, bottom = MARGIN, min(max(y(float(median)), MARGIN), MARGIN + plot_h)
        highlight = (MARGIN, top, x(LOW_USE_BELOW) - MARGIN, bottom - top)
    x_ticks = [(x(Decimal(t) / 4), Decimal(t) / 4) for t in range(5)]
    y_ticks = [(y(10.0**p), Decimal(10) ** p) for p in range(low, high + 1)]
    return Scatter(dots, highlight, x_ticks, y_ticks)


# ---------------------------------------------------------------------------------------------------------
# Decisions
# ---------------------------------------------------------------------------------------------------------


def record_decision(
    service: DigitalService,
    *,
    year: int,
    decision: str,
    rationale: str,
    decided_on: date,
    owner: User | None,
    recorded_by: User,
    expected_saving_kgco2e: Decimal | None,
    measured_saving_kgco2e: Decimal | None,
    end_date: date | None,
) -> ReviewDecision:
    """Add a decision to the service's history; discontinuing sets the service's end date."""
    if decision not in DECISIONS:
        raise ServiceError("bad_decision")
    if not 2000 <= year <= 2100:
        raise ServiceError("bad_year", min=2000, max=2100)
    if not rationale.strip():
        raise ServiceError("rationale_required")
    for saving in (expected_saving_kgco2e, measured_saving_kgco2e):
        if saving is not None and (not saving.is_finite() or saving < 0 or saving >= 10**8):
            raise ServiceError("bad_saving")
    baseline = _annual_now(service, decided_on)  # before an end date changes what the figures count
    if decision == "discontinue":
        if end_date is None:
            raise ServiceError("end_date_required")
        service.end_date = end_date
    row = ReviewDecision(
        service=service,
        year=year,
        decision=decision,
        rationale=rationale.strip(),
        decided_on=decided_on,
        owner=owner,
        recorded_by=recorded_by,
        expected_saving_kgco2e=expected_saving_kgco2e,
        measured_saving_kgco2e=measured_saving_kgco2e,
        baseline_kgco2e=baseline,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _annual_now(service: DigitalService, today: date) -> Decimal | None:
    """The service's footprint per year as its figures stand today (None when not known)."""
    annual = figures_for([service], today=today)[service.id].footprint.annual
    return None if annual is None else annual.value.quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class MeasuredSaving:
    """A decision's measured saving (kgCO₂e per year), and where it comes from: `declared` by who recorded
    it, or `figures` of `year` (the year after the decision's) against the footprint when it was recorded."""

    kgco2e: Decimal
    origin: str
    year: int | None = None


def measured_savings(decisions: list[ReviewDecision], *, today: date) -> dict[int, MeasuredSaving]:
    """Each decision's measured saving, when there is one: the declared one, else — for a decision of a past
    year recorded with its baseline — the baseline less the service's footprint of the next year (to `today`
    while that year runs; nothing when the service's footprint of that year is not known)."""
    result: dict[int, MeasuredSaving] = {}
    by_year: dict[int, dict[int, Decimal]] = {}
    for decision in decisions:
        if decision.measured_saving_kgco2e is not None:
            result[decision.id] = MeasuredSaving(decision.measured_saving_kgco2e, "declared")
            continue
        next_year = decision.year + 1
        if decision.baseline_kgco2e is None or next_year > today.year:
            continue
        if next_year not in by_year:
            by_year[next_year] = annual_footprint_by_service(next_year, today=min(today, date(next_year, 12, 31)))
        service = decision.service
        if service.id in by_year[next_year]:
            after = by_year[next_year][service.id]
        elif service.end_date is not None and service.end_date <= date(next_year, 1, 1):
            after = Decimal(0)  # discontinued before the year began: it weighs nothing
        else:
            continue
        result[decision.id] = MeasuredSaving(
            (decision.baseline_kgco2e - after).quantize(Decimal("0.01")), "figures", next_year
        )
    return result
