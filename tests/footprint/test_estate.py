"""The estate's yearly lines and the waterfall, computed by hand.

The estate: three devices, two interventions and one transfer over 2025 and 2026; the electricity factor
changes from 0.06 (2025) to 0.05 kgCO₂e/kWh (2026).

- A, laptop: from 1 January 2025, 200 kg embodied over 4 years (50 kg a year), 30 kWh a year.
- B, desktop: from 1 January 2021, 1,460 kg over 4 years: amortised until 1 January 2025 (1,461 days), so
  nothing embodied in 2025; 73 kWh a year (0.2 a day); retired on 1 July 2025 (181 days in service).
- C, refurbished monitor: from 1 July 2025 (184 days in 2025), 730 kg net over 2 years (1 kg a day),
  36.5 kWh a year (0.1 a day).
- Intervention 1 (2025): 10 km from the depot by a compact diesel car (0.142): 2 × 10 × 1.3 × 0.142 = 3.692.
- Intervention 2 (2026): 5 km by a compact electric car (0.067): 2 × 5 × 1.3 × 0.067 = 0.871.
- Transfer (2026): one item, 8 km by van (0.325): 2 × 8 × 1.3 × 0.325 = 6.76.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from portal.footprint.estate import (
    Convention,
    DeviceInService,
    Period,
    Shipment,
    YearTotals,
    device_year,
    great_circle_km,
    projected_to_year_end,
    shared_transport_kgco2e,
    trip_kgco2e,
    trip_km,
    waterfall,
)

A = DeviceInService(date(2025, 1, 1), None, D(200), D(4), D(30))
B = DeviceInService(date(2021, 1, 1), date(2025, 7, 1), D(1460), D(4), D(73))
C = DeviceInService(date(2025, 7, 1), None, D(730), D(2), D("36.5"))
ELECTRICITY = {2025: D("0.06"), 2026: D("0.05")}


def lines(year: int, electricity: D) -> tuple[D, D, D, D]:
    """Amortised embodied, acquisition-year embodied, use, device-years of the estate in `year`."""
    years = [device_year(d, Period.whole_year(year), electricity) for d in (A, B, C)]
    return (
        sum((y.embodied(Convention.AMORTISED) for y in years), D(0)),
        sum((y.embodied(Convention.ACQUISITION) for y in years), D(0)),
        sum((y.use_kgco2e for y in years), D(0)),
        sum((y.year_share for y in years), D(0)),
    )


def test_each_device_in_2025():
    period = Period.whole_year(2025)
    a, b, c = (device_year(d, period, ELECTRICITY[2025]) for d in (A, B, C))
    assert (a.embodied_amortised_kgco2e, a.embodied_acquisition_kgco2e, a.use_kgco2e) == (50, 200, D("1.8"))
    # B is past its lifetime: no embodied share, but its electricity until it left.
    assert B.amortised_until == date(2025, 1, 1)
    assert (b.service_days, b.embodied_amortised_kgco2e, b.embodied_acquisition_kgco2e) == (181, 0, 0)
    assert b.use_kgco2e == D("2.172")  # 0.2 kWh × 181 days × 0.06
    assert (c.service_days, c.embodied_amortised_kgco2e, c.embodied_acquisition_kgco2e) == (184, 184, 730)
    assert c.use_kgco2e == D("1.104")  # 0.1 kWh × 184 × 0.06


def test_the_estate_in_both_years_and_both_conventions():
    assert lines(2025, ELECTRICITY[2025]) == (234, 930, D("5.076"), 2)
    assert lines(2026, ELECTRICITY[2026]) == (415, 0, D("3.325"), 2)


def test_pro_rata_at_year_boundaries_and_in_a_leap_year():
    last_day = DeviceInService(date(2024, 12, 31), date(2025, 1, 1), D(366), D(1), D(366))
    assert device_year(last_day, Period.whole_year(2024), D(1)).service_days == 1
    assert device_year(last_day, Period.whole_year(2024), D(1)).embodied_amortised_kgco2e == 1  # 366 / 366
    assert device_year(last_day, Period.whole_year(2025), D(1)).service_days == 0  # retired on 1 January
    # Amortisation stops after the lifetime even while the device stays in service.
    old = DeviceInService(date(2023, 1, 1), None, D(730), D(2), D(0))
    assert old.amortised_until == date(2024, 12, 31)  # 730 days: 2024 is a leap year
    assert device_year(old, Period.whole_year(2024), D(0)).embodied_amortised_kgco2e == D(365) * 365 / 366
    assert device_year(old, Period.whole_year(2025), D(0)).year_share == 1


def test_year_to_date_and_its_projection():
    period = Period.to_month_end(2024, 2)
    assert (period.days, period.year_days) == (60, 366)
    assert device_year(A, Period.to_month_end(2025, 3), D(0)).embodied_amortised_kgco2e == D(50) * 90 / 365
    assert projected_to_year_end(D(60), period) == 366
    with pytest.raises(ValueError):
        Period(2025, date(2026, 1, 2))


def test_trips_round_trip_with_detour_and_vehicle_factor():
    assert trip_km(D(10)) == 26
    assert trip_kgco2e(D(10), D("0.142")) == D("3.692")
    assert trip_kgco2e(D(5), D("0.067")) == D("0.871")
    assert trip_kgco2e(D(5), D("0.067"), detour=D(1)) == D("0.670")
    # One degree of latitude along a meridian: 6371.0088 × π / 180.
    assert great_circle_km(D(44), D("-0.5"), D(45), D("-0.5")) == D("111.195")


def test_transport_is_shared_among_items_carried_together():
    day = date(2026, 3, 2)
    shares = shared_transport_kgco2e(
        [
            Shipment("x", day, "depot", "school", 1, D(8)),
            Shipment("y", day, "depot", "school", 3, D(8)),
            Shipment("z", date(2026, 3, 3), "depot", "school", 1, D(8)),
        ],
        D("0.325"),
    )
    # One trip of 6.76 kg on 2 March, split 1:3; another on 3 March.
    assert shares == {"x": D("1.69"), "y": D("5.07"), "z": D("6.76")}


def test_the_waterfall_of_the_hand_computed_estate():
    embodied_25, _, use_25, devices_25 = lines(2025, ELECTRICITY[2025])
    _, _, use_25_like_for_like, _ = lines(2025, ELECTRICITY[2026])
    embodied_26, _, use_26, devices_26 = lines(2026, ELECTRICITY[2026])
    assert use_25_like_for_like == D("4.23")  # 1.5 + 1.81 + 0.92
    other_25 = trip_kgco2e(D(10), D("0.142"))
    other_26 = trip_kgco2e(D(5), D("0.067")) + trip_kgco2e(D(8), D("0.325"))
    assert other_26 == D("7.631")

    result = waterfall(
        YearTotals(embodied_25 + use_25, other_25, devices_25),
        YearTotals(embodied_25 + use_25_like_for_like, other_25, devices_25),
        YearTotals(embodied_26 + use_26, other_26, devices_26),
    )
    assert result.start_kgco2e == D("242.768")
    assert result.factors_kgco2e == D("-0.846")  # the cheaper electricity, like for like
    assert result.activity_kgco2e == 0  # two device-years each year
    assert result.per_device_kgco2e == D("180.095")  # C's first full year and B's replacement
    assert result.other_lines_kgco2e == D("3.939")
    assert result.end_kgco2e == D("425.956")
    assert result.start_kgco2e + sum(step for _, step in result.steps) == result.end_kgco2e


def test_the_waterfall_separates_activity_from_footprint_per_device():
    result = waterfall(YearTotals(D(100), D(10), D(2)), YearTotals(D(90), D(10), D(2)), YearTotals(D(180), D(20), D(3)))
    assert [value for _, value in result.steps] == [-10, 45, 45, 10]
    first_year = waterfall(YearTotals(D(0), D(0), D(0)), YearTotals(D(0), D(0), D(0)), YearTotals(D(5), D(1), D(1)))
    assert (first_year.activity_kgco2e, first_year.per_device_kgco2e) == (5, 0)
