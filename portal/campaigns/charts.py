"""Geometry of the small server-rendered SVG line charts (pure: the template draws, a table gives the data).

No chart library: a polyline, a zero line and a few labelled ticks are all these charts need, and the same
figures are always given in a data table for screen readers and for anyone who prefers numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WIDTH = 640
HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 28


@dataclass(frozen=True)
class Tick:
    """A labelled position on an axis (pixels) and the value it stands for."""

    position: float
    value: Decimal | date


@dataclass(frozen=True)
class LineChart:
    """Everything the SVG template needs: viewBox size, plot area, the line and the axis ticks."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    points: str  # "x,y x,y …" for <polyline>
    zero_y: float
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]

    @property
    def empty(self) -> bool:
        return not self.points


def nice_step(span: float, target_ticks: int = 4) -> float:
    """A round tick step (1, 2 or 5 × 10ⁿ) giving about `target_ticks` intervals over `span`."""
    if span <= 0:
        return 1.0
    raw = span / target_ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def line_chart(
    series: Sequence[tuple[date, Decimal | int | None]], *, width: int = WIDTH, height: int = HEIGHT
) -> LineChart:
    """Scale a daily series into the plot area; the y axis always includes zero (growth shows below it).

    A day whose value is None (withheld) keeps its place on the x axis but has no point: the line joins the
    days shown around it.
    """
    plot_w = width - LEFT - RIGHT
    plot_h = height - TOP - BOTTOM
    if not series:
        return LineChart(width, height, LEFT, RIGHT, TOP, BOTTOM, "", TOP + plot_h, (), ())
    known = [(index, float(v)) for index, (_, v) in enumerate(series) if v is not None]
    values = [v for _, v in known]
    low, high = min([0.0, *values]), max([0.0, *values])
    step = nice_step(high - low)
    low = math.floor(low / step) * step
    high = max(math.ceil(high / step) * step, low + step)

    def y_of(value: float) -> float:
        return round(TOP + plot_h * (high - value) / (high - low), 1)

    count = len(series)

    def x_of(index: int) -> float:
        return round(LEFT + (plot_w * index / (count - 1) if count > 1 else plot_w / 2), 1)

    points = " ".join(f"{x_of(i)},{y_of(v)}" for i, v in known)
    y_ticks = []
    tick = low
    while tick <= high + step / 2:
        y_ticks.append(Tick(y_of(tick), Decimal(str(round(tick, 6))).normalize()))
        tick += step
    # First, last and a few days between: labels must not overlap.
    every = max(1, math.ceil(count / 5))
    indexes = sorted({*range(0, count, every), count - 1})
    if len(indexes) > 1 and indexes[-1] - indexes[-2] < every / 2:
        indexes.pop(-2)
    x_ticks = tuple(Tick(x_of(i), series[i][0]) for i in indexes)
    return LineChart(width, height, LEFT, RIGHT, TOP, BOTTOM, points, y_of(0.0), x_ticks, tuple(y_ticks))
