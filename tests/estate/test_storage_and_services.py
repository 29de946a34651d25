"""The storage line and the digital services line, computed by hand; the trips frozen with their snapshot."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from portal.campaigns.models import StorageImport, StorageSnapshot
from portal.catalogue.models import Factor
from portal.catalogue.services import update_factor
from portal.digital_services import services as digital_services
from portal.estate import services
from portal.estate.compute import storage_kgco2e
from portal.estate.models import TripFigure
from portal.footprint.model import Quality
from portal.models import db

TODAY = date(2026, 12, 3)
GB = 10**9


def value(code, year, scope=("org", ""), convention="amortised", month=None):
    return services.indicator_value(code, year, scope, convention=convention, month=month)


def six(number):
    return D(number).quantize(D("0.000001"))


@pytest.fixture
def measured(estate):
    """The service's employee: OneDrive 100 GB in March then 150 GB in September 2025, mail 50 GB in June;
    the other direction's employee: 20 GB measured in 2024 only."""
    imported = StorageImport(filename="storage.csv", format="generic")
    db.session.add(imported)
    db.session.flush()
    for user, source, gigabytes, day in (
        (estate.employee, "onedrive", 100, date(2025, 3, 1)),
        (estate.employee, "onedrive", 150, date(2025, 9, 1)),
        (estate.employee, "mail", 50, date(2025, 6, 1)),
        (estate.outsider, "onedrive", 20, date(2024, 11, 1)),
    ):
        db.session.add(
            StorageSnapshot(
                user_id=user.id,
                source=source,
                size_bytes=gigabytes * GB,
                measured_at=datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
                import_id=imported.id,
            )
        )
    db.session.commit()
    return estate


def test_storage_counts_each_latest_measure_over_the_period(measured):
    services.take_snapshot(2025, 6, today=TODAY)
    services.take_snapshot(2025, 12, today=TODAY)
    db.session.commit()
    # The whole year: OneDrive's latest (150 GB) + mail (50 GB) = 200 GB × 0.235 g for a year = 0.047 kg.
    assert value("storage_gb", 2025) == 200
    assert value("storage_kgco2e", 2025) == six("0.047")
    assert value("storage_gb_per_employee", 2025) == 100  # 200 GB ÷ 2 employees
    # To 30 June: OneDrive's March measure (100 GB) + mail (50 GB), for 181 days of 365.
    assert value("storage_gb", 2025, month=6) == 150
    assert value("storage_kgco2e", 2025, month=6) == six(D(150) * D("0.235") * 181 / 365 / 1000)
    # The employee's unit and its direction, their site; not the other direction (measured in 2024 only).
    for scope in (("unit", str(measured.service.id)), ("unit", str(measured.direction.id))):
        assert value("storage_kgco2e", 2025, scope) == six("0.047")
    assert value("storage_kgco2e", 2025, ("site", str(measured.school.id))) == six("0.047")
    assert value("storage_kgco2e", 2025, ("unit", str(measured.other.id))) in (None, 0)
    # In the total, and in the waterfall's other lines.
    lines = ("embodied_kgco2e", "use_kgco2e", "trips_kgco2e", "transport_kgco2e", "storage_kgco2e")
    assert value("total_kgco2e", 2025) == sum(value(code, 2025) for code in lines)
    assert value("overall_kgco2e", 2025) == value("total_kgco2e", 2025) + value("services_kgco2e", 2025)


def test_storage_reads_the_factor_library(measured, make_user):
    admin = make_user(roles=("admin",))
    services.seed_vehicle_factors()
    factor = db.session.scalar(sa.select(Factor).where(Factor.key == "storage_gb_year"))
    update_factor(factor, {"value": D("0.47")}, by=admin, comment="test: twice the ADEME value")
    snapshot = services.take_snapshot(2025, 12, today=TODAY)
    db.session.commit()
    assert value("storage_kgco2e", 2025) == six("0.094")
    assert snapshot.factor_versions["storage_gb_year"] == 2
    assert storage_kgco2e(D(200), D("0.235"), D(1)) == D("0.047")


def test_the_services_line_comes_from_the_digital_services_with_its_quality(estate, monkeypatch):
    calls = []

    def by_service(year, *, today=None):
        calls.append((year, today))
        return {7: D(365), 8: D(73)}

    def figures(found, *, today):
        quality = {7: Quality.MANUFACTURER, 8: Quality.ESTIMATED}
        return {
            s.id: SimpleNamespace(footprint=SimpleNamespace(annual=SimpleNamespace(quality=quality[s.id])))
            for s in found
        }

    monkeypatch.setattr(digital_services, "annual_footprint_by_service", by_service)
    monkeypatch.setattr(digital_services, "figures_for", figures)
    services.take_snapshot(2025, 6, today=TODAY)
    db.session.commit()
    # To 30 June: 181 days of 365 of the services' annual 438 kg, of which 73 kg estimated.
    services_kg = D(438) * 181 / 365
    assert value("services_kgco2e", 2025) == six(services_kg)
    # Beside the estate's total (which budgets read), not in it: the whole digital footprint adds them.
    total = value("total_kgco2e", 2025)
    assert value("overall_kgco2e", 2025) == six(total + services_kg)
    assert value("estimated_share_pct", 2025) == 0
    estimated = D(73) * 181 / 365
    assert abs(value("overall_estimated_share_pct", 2025) - 100 * estimated / (total + services_kg)) < D("0.0001")
    # The organisation only; like for like last year from the same function, as of each year's last day.
    assert value("services_kgco2e", 2025, ("unit", str(estate.direction.id))) is None
    assert sorted(calls) == [(2024, date(2024, 12, 31)), (2025, date(2025, 12, 31))]


def test_the_trips_page_shows_the_frozen_trips(client, login_as, estate, make_intervention):
    services.set_depot("Support Bordeaux", estate.depot.id, "car_diesel_compact")
    make_intervention(estate.school, date(2025, 3, 2))
    services.take_snapshot(2025, 12, today=TODAY)
    db.session.commit()
    frozen = db.session.scalar(sa.select(TripFigure).where(TripFigure.kind == "intervention"))
    assert (frozen.vehicle, frozen.estimated) == ("car_diesel_compact", False)
    services.set_depot("Support Bordeaux", estate.depot.id, "van")  # after the freeze: the page does not move
    db.session.commit()
    login_as("admin", locale="en")
    page = client.get("/estate/trips?year=2025").get_data(as_text=True)
    assert "Compact diesel car" in page and "WOT0000001" in page
    rows = client.get("/estate/trips?year=2025&format=csv").get_data(as_text=True).splitlines()
    assert rows[1].split(",")[4] == "car_diesel_compact"
