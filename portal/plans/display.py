"""The action plans in words: statuses, trends, refusals (translated), and the template helpers that show them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask import Blueprint, current_app
from flask_babel import format_date, get_locale, gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from portal.estate.display import indicator_name
from portal.footprint.plans import Path
from portal.formatting import NARROW_NBSP, number_pattern, years

if TYPE_CHECKING:
    from portal.plans.models import Action, Measure

MESSAGES = {
    "month_not_over": _l("%(value)s is not over yet: a month is measured once it has ended."),
    "bad_month": _l("“%(value)s” is not a month: write it as YYYY-MM, for example 2026-03."),
    "bad_year": _l("“%(value)s” is not a year."),
    "comment_required": _l("Write what happened: a check-in needs a comment."),
    "bad_link": _l("A link starts with https:// or http://."),
    "bad_date": _l("“%(value)s” is not a date: write it as YYYY-MM-DD."),
    "bad_value": _l("“%(value)s” is not a number."),
    "value_too_large": _l("“%(value)s” is too large: a value has at most 12 digits before the decimal point."),
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
    bp.add_app_template_global(value_text, "plan_value")


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


# --- Lists formatted once: plain rows for the plan's table and the shared objectives -------------------------


class Figures:
    """A list's numbers, units, dates and words in the request's language, each formatted or translated once
    (a page of 200 actions shows about 1,500 figures and 1,000 words, most of them repeated)."""

    def __init__(self) -> None:
        self.locale = get_locale()
        self._words: dict[tuple[str, str], str] = {}
        self._days: dict[date, str] = {}

    def number(self, value: Decimal, digits: int) -> str:
        return number_pattern(digits).apply(value, self.locale)

    def _word(self, kind: str, code: str) -> str:
        key = (kind, code)
        if key not in self._words:
            if kind == "unit":
                self._words[key] = str(UNITS.get(code, code))
            elif kind == "status":
                self._words[key] = status_name(code)
            else:
                self._words[key] = indicator_name(code)
        return self._words[key]

    def value(self, value: Decimal | None, unit: str) -> str:
        """A value in its action's unit: 2 decimals under 10, none above."""
        if value is None:
            return "–"
        digits = 2 if value < 10 else 0
        if unit == "years":  # with the language's plural: 1,5 an, 3,18 ans
            return years(value, digits)
        text = self.number(value, digits)
        return f"{text}{NARROW_NBSP}{self._word('unit', unit)}" if unit else text  # never split from its unit

    def day(self, value: date | None) -> str:
        if value is None:
            return "–"
        if value not in self._days:
            self._days[value] = format_date(value, "long")
        return self._days[value]

    def status(self, code: str) -> str:
        return self._word("status", code)

    def indicator(self, code: str) -> str:
        return self._word("indicator", code)


@dataclass(frozen=True)
class ActionRow:
    """An action and its latest measure as a list shows them: plain text, formatted once."""

    id: int
    title: str
    public: bool
    declared: bool
    indicator: str  # the estate indicator's name, or the declared one
    indicator_code: str
    scope: str  # the unit's name, "" for the whole organisation
    baseline: str
    target: str
    deadline: str
    status: str  # the action's kept status, in words
    measured: bool  # a latest measure with a progress
    snapshot_id: int | None  # the latest measure's snapshot (a manager's unit contribution reads it)
    latest: str
    latest_on: str
    latest_status: str
    progress: str  # "42" (no sign): the objectives' sentence adds its own
    percent: int  # the progress bar, 0–100


def action_rows(actions: Iterable[Action], latest: dict[int, Measure], unit_of: Any) -> list[ActionRow]:
    """The rows of a list of actions with their latest measures (`unit_of`: portal.plans.services.unit_of)."""
    figures = Figures()
    rows = []
    for action in actions:
        measure = latest.get(action.id)
        unit = unit_of(action)
        progress = measure.progress if measure is not None else None
        percent = round(progress * 100) if progress is not None else 0
        rows.append(
            ActionRow(
                id=action.id,
                title=action.title,
                public=action.public,
                declared=action.declared,
                indicator=action.declared_name if action.declared else figures.indicator(action.indicator_code),
                indicator_code=action.indicator_code,
                scope=action.unit.name if action.unit else "",
                baseline=figures.value(action.baseline, unit),
                target=figures.value(action.target, unit),
                deadline=figures.day(action.deadline),
                status=figures.status(action.status),
                measured=progress is not None,
                snapshot_id=measure.snapshot_id if measure is not None else None,
                latest=figures.value(measure.value if measure else None, unit),
                latest_on=figures.day(measure.measured_on) if measure else "",
                latest_status=figures.status(measure.status) if measure else "",
                progress=figures.number(progress * 100, 0) if progress is not None else "",
                percent=max(0, min(100, percent)),
            )
        )
    return rows


@dataclass(frozen=True)
class MonthRow:
    """One month of an action's series as its page shows it: plain text, formatted once."""

    month: str
    value: str
    expected: str  # the target trajectory's value that day
    progress: str  # "42 %", or "–"
    status: str


@dataclass(frozen=True)
class MoveRow:
    """One sub-unit of an action's scope as its page shows it: the values at the baseline and at the latest
    measure, and the change between them."""

    unit: str
    baseline: str
    latest: str
    change: str


def month_rows(
    history: Iterable[tuple[date, Decimal, Decimal | None, Decimal | None, str]], unit: str
) -> list[MonthRow]:
    """The rows of an action's series, newest first (`history`: day, value, trajectory, progress, status)."""
    figures = Figures()
    return [
        MonthRow(
            figures.day(day),
            figures.value(value, unit),
            figures.value(expected, unit),
            f"{figures.number(progress * 100, 0)} %" if progress is not None else "–",
            figures.status(status),
        )
        for day, value, expected, progress, status in history
    ]


def move_rows(moves: Iterable[tuple[str, Decimal | None, Decimal | None]], unit: str) -> list[MoveRow]:
    """The rows of an action's breakdown (`moves`: the unit's name, its baseline and latest values)."""
    figures = Figures()
    return [
        MoveRow(
            name,
            figures.value(baseline, unit),
            figures.value(latest, unit),
            figures.value(latest - baseline, unit) if baseline is not None and latest is not None else "–",
        )
        for name, baseline, latest in moves
    ]


def rendered(template: str, **context: object) -> Markup:
    """A part of a page (`plans/_action_rows.html`, `plans/_objective.html`): the template alone, without the
    context processors (menu, unread count), kept as text by the portal's cache."""
    html = current_app.jinja_env.get_template(template).render(**context)
    return Markup(html)  # noqa: S704 - the output of an autoescaped template  # nosec B704


def contribution_lines(units: dict[int, str], contributions: dict[int, Any]) -> dict[int, Markup]:
    """A manager's unit contribution to each objective (`units`: action id → the indicator's unit;
    `contributions`: action id → portal.plans.services.UnitContribution), its sentence translated once."""
    if not contributions:
        return {}
    figures = Figures()
    pattern = Markup(  # noqa: S704 - the translated sentence, its values escaped by %  # nosec B704
        gettext("Your unit, %(unit)s: %(value)s, against %(organisation)s for the whole organisation.")
    )
    return {
        action_id: pattern
        % {
            "unit": mine.unit.name,
            "value": figures.value(mine.value, units[action_id]),
            "organisation": figures.value(mine.organisation, units[action_id]),
        }
        for action_id, mine in contributions.items()
    }


def value_text(value: Decimal | None, unit: str) -> str:
    """One value in its action's unit, as the lists write theirs (the `value_of` macro)."""
    return Figures().value(value, unit)
