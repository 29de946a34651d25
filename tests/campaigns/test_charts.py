"""SVG chart geometry: a polyline within the plot area, zero always on the axis, readable ticks."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from portal.campaigns.charts import line_chart, nice_step


def test_nice_steps_are_round():
    assert nice_step(10) == 5  # 10 / 4 = 2.5 → 5
    assert nice_step(1234) == 500
    assert nice_step(0) == 1


def test_line_chart_fits_the_series_in_the_plot_area_with_zero_on_the_axis():
    days = [date(2026, 3, 9) + timedelta(days=n) for n in range(21)]
    chart = line_chart([(day, Decimal(n) * Decimal("1.5")) for n, day in enumerate(days)])
    points = [tuple(map(float, p.split(","))) for p in chart.points.split()]
    assert len(points) == 21
    assert points[0][0] == chart.left and points[-1][0] == chart.width - chart.right
    assert all(chart.top <= y <= chart.height - chart.bottom for _, y in points)
    assert chart.zero_y == chart.height - chart.bottom  # nothing negative: zero at the bottom
    assert chart.x_ticks[0].value == days[0] and chart.x_ticks[-1].value == days[-1]
    assert 2 <= len(chart.x_ticks) <= 6
    assert chart.y_ticks[0].value == 0


def test_growth_goes_below_the_zero_line():
    chart = line_chart([(date(2026, 3, 9), Decimal(-3)), (date(2026, 3, 10), Decimal(5))])
    first_y = float(chart.points.split()[0].split(",")[1])
    assert first_y > chart.zero_y > chart.top


def test_empty_series_draws_nothing():
    assert line_chart([]).empty


def test_withheld_days_keep_their_place_but_draw_no_point():
    days = [date(2026, 3, 9) + timedelta(days=n) for n in range(5)]
    values = [Decimal(0), None, None, Decimal(8), Decimal(8)]
    chart = line_chart(list(zip(days, values, strict=True)))
    xs = [float(point.split(",")[0]) for point in chart.points.split()]
    full = line_chart([(day, Decimal(0)) for day in days])
    every_x = [float(point.split(",")[0]) for point in full.points.split()]
    assert xs == [every_x[0], every_x[3], every_x[4]]  # the line joins the days shown, at their own dates
    assert line_chart([(days[0], None)]).empty  # nothing shown: no line at all
