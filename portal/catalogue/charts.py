"""Geometry of the "my footprint" bar chart (pure: the template draws, the table beside it gives the data).

Horizontal bars in percentages of the chart's width, so that the SVG fills any width without scaling its
text: device names stay readable on a phone. The organisation's average per employee is a vertical line, to be
read against the last bar, the total of my devices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

ROW_HEIGHT = 44  # a label line (14 px) above a bar (16 px), and space
TOP = 28  # room for the average's label
BAR_HEIGHT = 16


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value, length in % of the plot's width, and vertical position (px)."""

    label: str
    value: Decimal
    percent: Decimal
    y: int
    total: bool = False


@dataclass(frozen=True)
class BarChart:
    """Bars, the height of the SVG and where the average's line stands (None without an average)."""

    bars: tuple[Bar, ...]
    height: int
    average: Decimal | None
    average_percent: Decimal | None


def _share(value: Decimal, scale: Decimal) -> Decimal:
    return (value * 100 / scale).quantize(Decimal("0.1")) if scale > 0 else Decimal(0)


def device_bars(devices: Sequence[tuple[str, Decimal]], total_label: str, average: Decimal | None) -> BarChart:
    """One bar per device, then the total; the scale leaves 5 % beyond the longest bar or the average."""
    total = sum((value for _, value in devices), Decimal(0))
    scale = max(total, average or Decimal(0)) * Decimal("1.05")
    rows = [*((label, value, False) for label, value in devices), (total_label, total, True)]
    bars = tuple(
        Bar(label, value, _share(value, scale), TOP + index * ROW_HEIGHT, is_total)
        for index, (label, value, is_total) in enumerate(rows)
    )
    return BarChart(
        bars=bars,
        height=TOP + len(rows) * ROW_HEIGHT,
        average=average,
        average_percent=_share(average, scale) if average is not None else None,
    )
