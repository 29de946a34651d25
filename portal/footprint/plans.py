"""Progress and status of an action measured against its target: pure arithmetic on Decimal, stdlib only.

Progress = (baseline − current) ÷ (baseline − target) for a decrease; (current − baseline) ÷ (target − baseline)
for an increase (the same ratio written from the other side): 0 at the baseline, 1 at the target.

The expected value on a day follows the straight line from (start, baseline) through the milestones (date, value)
to (deadline, target). An action is:
- achieved when the current value has reached the target (at or below it for a decrease, at or above for an
  increase);
- late when its deadline has passed without reaching the target;
- at risk when its progress is behind the expected progress by more than AT_RISK_MARGIN (ten points of the whole
  path from baseline to target);
- on track otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

#: How far behind the trajectory an action may be (in points of progress, 0.10 = 10 %) before it is at risk.
AT_RISK_MARGIN = Decimal("0.10")


class Trend(StrEnum):
    """Which way the action moves its indicator."""

    DECREASE = "decrease"
    INCREASE = "increase"


class Status(StrEnum):
    """Where an action stands."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    LATE = "late"
    ACHIEVED = "achieved"


@dataclass(frozen=True, slots=True)
class Path:
    """From the baseline on the start day to the target on the deadline, through dated milestones."""

    start: date
    baseline: Decimal
    deadline: date
    target: Decimal
    trend: Trend
    milestones: tuple[tuple[date, Decimal], ...] = ()

    def points(self) -> list[tuple[date, Decimal]]:
        """The trajectory's corners, in date order."""
        inner = sorted(m for m in self.milestones if self.start < m[0] < self.deadline)
        return [(self.start, self.baseline), *inner, (self.deadline, self.target)]


def progress(baseline: Decimal, current: Decimal, target: Decimal) -> Decimal | None:
    """The share of the way from baseline to target covered (may be < 0 or > 1); None when they are equal."""
    if target == baseline:
        return None
    return (current - baseline) / (target - baseline)


def expected_value(path: Path, on: date) -> Decimal:
    """The trajectory's value on a day: the baseline before the start, the target after the deadline."""
    points = path.points()
    if on <= points[0][0]:
        return points[0][1]
    for (day_a, value_a), (day_b, value_b) in zip(points, points[1:], strict=False):
        if on <= day_b:
            span = (day_b - day_a).days
            if span == 0:
                return value_b
            return value_a + (value_b - value_a) * Decimal((on - day_a).days) / Decimal(span)
    return points[-1][1]


def reached(path: Path, current: Decimal) -> bool:
    """Has the current value reached the target?"""
    if path.trend is Trend.DECREASE:
        return current <= path.target
    return current >= path.target


def status(path: Path, current: Decimal, on: date) -> Status:
    """Achieved, late (deadline passed), at risk (behind the trajectory by more than the margin) or on track."""
    if reached(path, current):
        return Status.ACHIEVED
    if on > path.deadline:
        return Status.LATE
    done = progress(path.baseline, current, path.target)
    expected = progress(path.baseline, expected_value(path, on), path.target)
    if done is None or expected is None:
        return Status.ON_TRACK
    return Status.AT_RISK if done < expected - AT_RISK_MARGIN else Status.ON_TRACK
