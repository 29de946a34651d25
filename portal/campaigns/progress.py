"""Baseline and progress of one employee's storage during a campaign (pure: no Flask, no database).

- Baseline: the last measure taken at or before the campaign's start; failing that, the first one during it.
- Latest: the last measure taken during the campaign (its end included); failing that, the baseline itself.
- Freed = baseline − latest, per source, in bytes and items. A negative value means the storage grew: it is
  shown as growth, never hidden or counted as zero.

`daily_steps` splits the same difference into the steps between successive measures, each dated by the day
(in Paris) whose end the later measure describes (`step_day`): summed, the steps give exactly baseline −
latest. The database keeps these steps (`CampaignProgress`) so that totals, teams and the chart are sums.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from portal.timezone import PARIS


def step_day(measured_at: datetime) -> date:
    """The day (Paris) a measure describes the end of: a measure taken at midnight closes the day before."""
    return (measured_at - timedelta(microseconds=1)).astimezone(PARIS).date()


@dataclass(frozen=True, slots=True)
class Measure:
    """One snapshot's figures."""

    size_bytes: int
    item_count: int | None
    measured_at: datetime  # aware


@dataclass(frozen=True, slots=True)
class SourceProgress:
    """Baseline, latest measure and what changed between them, for one source."""

    source: str
    baseline: Measure | None
    latest: Measure | None
    freed_bytes: int
    freed_items: int | None

    @property
    def measured(self) -> bool:
        return self.baseline is not None

    @property
    def grew(self) -> bool:
        return self.freed_bytes < 0


def _item_step(before: Measure, after: Measure) -> int | None:
    if before.item_count is None or after.item_count is None:
        return None
    return before.item_count - after.item_count


def source_progress(
    source: str, measures: Iterable[Measure], *, starts_at: datetime, ends_at: datetime
) -> SourceProgress:
    """Baseline, latest and freed amounts of one source's measures for a campaign period."""
    ordered = sorted((m for m in measures if m.measured_at <= ends_at), key=lambda m: m.measured_at)
    before = [m for m in ordered if m.measured_at <= starts_at]
    during = [m for m in ordered if m.measured_at > starts_at]
    if before:
        baseline, steps_from = before[-1], during
    elif during:
        baseline, steps_from = during[0], during[1:]
    else:
        return SourceProgress(source, None, None, 0, None)
    latest = steps_from[-1] if steps_from else baseline
    freed_items: int | None = None
    previous = baseline
    for measure in steps_from:
        step = _item_step(previous, measure)
        if step is not None:
            freed_items = (freed_items or 0) + step
        previous = measure
    if not steps_from and baseline.item_count is not None:
        freed_items = 0
    return SourceProgress(source, baseline, latest, baseline.size_bytes - latest.size_bytes, freed_items)


def daily_steps(measures: Iterable[Measure], *, starts_at: datetime, ends_at: datetime) -> dict[date, tuple[int, int]]:
    """(bytes, items) freed per day in Paris between successive measures of one source during the period."""
    ordered = sorted((m for m in measures if m.measured_at <= ends_at), key=lambda m: m.measured_at)
    steps: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    previous: Measure | None = None
    for measure in ordered:
        if previous is not None and measure.measured_at > starts_at:
            day = step_day(measure.measured_at)
            steps[day][0] += previous.size_bytes - measure.size_bytes
            steps[day][1] += _item_step(previous, measure) or 0
        previous = measure
    return {day: (values[0], values[1]) for day, values in steps.items()}
