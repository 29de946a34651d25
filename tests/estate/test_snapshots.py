"""Snapshots: what a month freezes, per scope; recomputes as versions; the nightly job; the indicator engine."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from portal.catalogue.models import Factor
from portal.catalogue.services import update_factor
from portal.domain_error import DomainError
from portal.estate import services
from portal.estate.models import IndicatorValue, Snapshot
from portal.footprint.estate import great_circle_km, trip_kgco2e
from portal.models import db

TODAY = date(2026, 12, 3)
ELECTRICITY = D("0.0519")


def close(a, b):
    """Equal to the gram: stored values (device-years included) keep six decimals."""
    return abs(a - b) < D("0.001")


def value(code, year, scope=("org", ""), convention="amortised"):
    return services.indicator_value(code, year, scope, convention=convention)


def test_a_month_freezes_every_line_for_the_organisation_and_each_scope(estate, make_intervention, make_transfer):
    services.set_depot("Support Bordeaux", estate.depot.id, "car_diesel_compact")
    make_intervention(estate.school, date(2025, 3, 2))
    make_transfer(estate.depot, estate.school, date(2025, 4, 1), asset=estate.asset)
    db.session.commit()

    snapshot = services.take_snapshot(2025, 12, today=TODAY)
    db.session.commit()

    one_way = great_circle_km(estate.depot.lat, estate.depot.lon, estate.school.lat, estate.school.lon)
    trip = trip_kgco2e(one_way, D("0.142"))
    transport = trip_kgco2e(one_way, D("0.325"))
    use = 30 * ELECTRICITY
    assert snapshot.version == 1
    assert value("embodied_kgco2e", 2025) == 50
    assert value("embodied_kgco2e", 2025, convention="acquisition") == 200
    assert value("use_kgco2e", 2025) == use
    assert value("trips_kgco2e", 2025) == trip.quantize(D("0.000001"))
    assert value("transport_kgco2e", 2025) == transport.quantize(D("0.000001"))
    assert value("total_kgco2e", 2025) == (50 + use + trip + transport).quantize(D("0.000001"))
    assert value("employees", 2025) == 2
    assert value("interventions", 2025) == 1
    assert value("estimated_share_pct", 2025) == 0
    # The direction counts its service's device; the other direction has none but its employee.
    direction = ("unit", str(estate.direction.id))
    assert value("embodied_kgco2e", 2025, direction) == 50
    assert value("transport_kgco2e", 2025, direction) == transport.quantize(D("0.000001"))
    assert value("embodied_kgco2e", 2025, ("unit", str(estate.other.id))) == 0
    assert value("per_employee_kgco2e", 2025, ("unit", str(estate.other.id))) == 0
    assert value("devices_in_service", 2025, ("category", "laptop")) == 1
    assert value("trips_kgco2e", 2025, ("site", str(estate.school.id))) == trip.quantize(D("0.000001"))
    assert value("average_age_years", 2025) == (D(364) / D("365.25")).quantize(D("0.000001"))


def test_a_team_without_depot_counts_an_estimated_trip(estate, make_intervention):
    make_intervention(estate.school, date(2025, 3, 2), group="Unknown team")
    services.take_snapshot(2025, 12, today=TODAY)
    # No known distance in the period: 10 km by a compact diesel car, and the whole trip is estimated.
    assert value("trips_kgco2e", 2025) == trip_kgco2e(D(10), D("0.142"))
    assert value("estimated_share_pct", 2025) > 0


def test_a_factor_change_keeps_the_frozen_month_and_a_recompute_is_a_new_version(estate, make_user):
    admin = make_user(roles=("admin",))
    services.take_snapshot(2025, 12, today=TODAY)
    factor = db.session.scalar(sa.select(Factor).where(Factor.key == "electricity_fr"))
    update_factor(factor, {"value": D("0.1")}, by=admin, comment="test")
    db.session.commit()
    assert value("use_kgco2e", 2025) == 30 * ELECTRICITY  # frozen

    with pytest.raises(DomainError) as refused:
        services.recompute(2025, 12, by=admin, reason="  ", today=TODAY)
    assert refused.value.code == "reason_required"
    again = services.recompute(2025, 12, by=admin, reason="New ADEME electricity factor", today=TODAY)
    db.session.commit()

    assert (again.version, again.computed_by_id, again.reason) == (2, admin.id, "New ADEME electricity factor")
    assert again.factor_versions["electricity_fr"] == 2
    assert value("use_kgco2e", 2025) == 3
    assert [s.version for s in services.versions(2025, 12)] == [2, 1]
    first = services.versions(2025, 12)[1]
    assert services.values_of(first, ("org", ""), "amortised")["use_kgco2e"] == 30 * ELECTRICITY


def test_the_waterfall_says_why_the_year_moved(estate, make_user, make_item, make_asset):
    admin = make_user(roles=("admin",))
    services.take_snapshot(2025, 11, today=TODAY)
    factor = db.session.scalar(sa.select(Factor).where(Factor.key == "electricity_fr"))
    update_factor(factor, {"value": D("0.1")}, by=admin, comment="test")
    make_asset(item=estate.laptop, user_id=estate.employee.id, acquired_on=date(2026, 1, 1))
    services.take_snapshot(2026, 11, today=TODAY)
    db.session.commit()

    current = services.year_figures(2026, ("org", ""), "amortised")
    moved = services.movement(current, ("org", ""), "amortised").steps
    share = D(334) / 365  # 1 January to 30 November, both years
    assert close(moved.start_kgco2e, (50 + 30 * ELECTRICITY) * share)
    assert close(moved.factors_kgco2e, 30 * (D("0.1") - ELECTRICITY) * share)
    # Twice the device-years at the same footprint per device: all activity, nothing per device.
    assert close(moved.activity_kgco2e, (50 + 3) * share)
    assert close(moved.per_device_kgco2e, D(0))
    assert close(moved.end_kgco2e, (50 + 3) * 2 * share)
    assert moved.start_kgco2e + sum(step for _, step in moved.steps) == moved.end_kgco2e


def test_the_nightly_job_replaces_the_open_month_and_leaves_closed_ones(estate):
    services.nightly(date(2026, 11, 20))
    services.nightly(date(2026, 11, 21))
    assert [s.version for s in services.versions(2026, 11)] == [1]
    taken = services.nightly(date(2026, 12, 1))  # closes November one last time, opens December
    assert [(s.year, s.month) for s in taken] == [(2026, 11), (2026, 12)]
    services.nightly(date(2026, 12, 2))
    assert [s.version for s in services.versions(2026, 11)] == [1]
    assert db.session.scalar(sa.select(sa.func.count(Snapshot.id))) == 2


def test_refusals_and_the_catalogue_of_indicators(estate):
    with pytest.raises(DomainError) as refused:
        services.take_snapshot(2027, 1, today=TODAY)
    assert refused.value.code == "future_month"
    for text in ("2026-13", "soon", "1999-01"):
        with pytest.raises(DomainError):
            services.parse_month(text)
    with pytest.raises(DomainError):
        services.indicator_value("nope", 2025)
    assert value("total_kgco2e", 2025) is None  # nothing frozen yet
    codes = {i.code for i in services.indicators()}
    assert {"total_kgco2e", "per_employee_kgco2e", "overdue_returns", "kgco2e_per_intervention"} <= codes
    services.take_snapshot(2025, 12, today=TODAY)
    units = set(db.session.scalars(sa.select(IndicatorValue.unit).where(IndicatorValue.code == "total_kgco2e")))
    assert units == {"kgCO2e"}
    assert services.indicator_series("acquired_devices", [2024, 2025]) == [(2024, None), (2025, 1)]


def test_an_edited_vehicle_factor_counts_in_the_next_snapshot(estate, make_intervention, make_user):
    admin = make_user(roles=("admin",))
    services.seed_vehicle_factors()
    services.set_depot("Support Bordeaux", estate.depot.id, "van")
    make_intervention(estate.school, date(2025, 3, 2))
    van = db.session.scalar(sa.select(Factor).where(Factor.key == "vehicle_van"))
    update_factor(van, {"value": D("0.5")}, by=admin, comment="test")
    snapshot = services.take_snapshot(2025, 12, today=TODAY)
    one_way = great_circle_km(estate.depot.lat, estate.depot.lon, estate.school.lat, estate.school.lon)
    assert value("trips_kgco2e", 2025) == trip_kgco2e(one_way, D("0.5")).quantize(D("0.000001"))
    assert snapshot.factor_versions["vehicle_van"] == 2


def test_a_run_reads_only_the_devices_its_periods_can_count(estate, make_asset):
    gone = make_asset(item=estate.laptop, user_id=estate.employee.id, acquired_on=date(2019, 1, 1))
    gone.retired_on = date(2023, 6, 30)
    muddled = make_asset(item=estate.laptop, user_id=estate.employee.id, acquired_on=date(2025, 3, 1))
    muddled.retired_on = date(2023, 1, 1)  # retired before it arrived: read as retired the day it arrived
    db.session.commit()
    run = services.SnapshotRun(TODAY, since=date(2025, 1, 1))
    read = {date.fromordinal(day) for day in run.device_rows().acquired.tolist()}
    assert read == {date(2025, 1, 1), date(2025, 3, 1)}
    # A period earlier than announced reads every device again.
    run.ledger(services.snapshot_period(2023, 12, TODAY))
    assert date(2019, 1, 1).toordinal() in run.device_rows().acquired.tolist()
    # The figures are those of a run reading every device.
    everything = services.SnapshotRun(TODAY)
    period = services.snapshot_period(2026, 11, TODAY)
    assert services.indicator_values(everything.ledger(period)) == services.indicator_values(
        services.SnapshotRun(TODAY, since=date(2025, 1, 1)).ledger(period)
    )
