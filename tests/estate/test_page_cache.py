"""The estate's pages are rendered once per worker: a new snapshot (or recompute) and a device change show at the
next request; each language has its own."""

from __future__ import annotations

from datetime import date

from portal.catalogue.models import AssetStatus
from portal.estate import services
from portal.models import db
from tests.conftest import csrf_token

TODAY = date(2026, 12, 3)


def _table(page: str) -> str:
    return page[page.index("<table") : page.index("</table>")]


def test_a_new_snapshot_shows_at_the_next_request(client, login_as, estate, make_intervention):
    services.take_snapshot(2026, 11, today=TODAY)
    db.session.commit()
    login_as("admin", locale="en")
    overview = client.get("/estate?year=2026").get_data(as_text=True)
    assert "(version 1)" in overview
    sites = client.get("/estate/sites?year=2026").get_data(as_text=True)
    trips = client.get("/estate/trips?year=2026").get_data(as_text=True)
    assert "WOT0000001" not in trips
    # An intervention (no reference data: the generation stays) counted by a recompute of the month.
    make_intervention(estate.school, date(2026, 3, 2))
    assert "WOT0000001" not in client.get("/estate/trips?year=2026").get_data(as_text=True)  # still frozen
    services.take_snapshot(2026, 11, today=TODAY)
    db.session.commit()
    assert "(version 2)" in client.get("/estate?year=2026").get_data(as_text=True)
    assert _table(client.get("/estate/sites?year=2026").get_data(as_text=True)) != _table(sites)
    assert "WOT0000001" in client.get("/estate/trips?year=2026").get_data(as_text=True)


def test_a_new_reference_year_shows_at_the_next_request(client, login_as, estate):
    for year, month in ((2025, 12), (2026, 11)):
        services.take_snapshot(year, month, today=TODAY)
    db.session.commit()
    admin = login_as("admin", locale="en")
    assert "No reference year is chosen yet" in client.get("/estate?year=2026").get_data(as_text=True)
    services.set_reference_year(2025, by=admin)
    db.session.commit()
    assert "No reference year is chosen yet" not in client.get("/estate?year=2026").get_data(as_text=True)


def test_a_device_change_shows_on_the_fleet_at_the_next_request(client, login_as, estate):
    login_as("admin", locale="en")
    assert estate.asset.asset_tag in client.get("/estate/devices").get_data(as_text=True)
    estate.asset.status = AssetStatus.RETIRED.value
    db.session.commit()
    assert estate.asset.asset_tag not in client.get("/estate/devices").get_data(as_text=True)


def test_each_language_has_its_own_page(client, login_as, estate):
    services.take_snapshot(2026, 11, today=TODAY)
    db.session.commit()
    login_as("admin", locale="en")
    english = client.get("/estate/categories?year=2026").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login_as("admin", locale="fr")
    french = client.get("/estate/categories?year=2026").get_data(as_text=True)
    assert "Footprint per category" in english and "Footprint per category" not in french


def test_the_method_and_the_versions_show_a_new_snapshot_at_the_next_request(client, login_as, estate):
    services.take_snapshot(2026, 10, today=TODAY)
    db.session.commit()
    admin = login_as("admin", locale="en")
    method = client.get("/estate/method").get_data(as_text=True)
    versions = client.get("/estate/settings").get_data(as_text=True)
    assert "2026-10" in versions and "Checking the figures" not in versions
    assert "2026-10" in method and "2026-11" not in method
    services.recompute(2026, 10, by=admin, reason="Checking the figures")
    services.take_snapshot(2026, 11, today=TODAY)
    db.session.commit()
    assert "Checking the figures" in client.get("/estate/settings").get_data(as_text=True)
    assert "2026-11" in client.get("/estate/method").get_data(as_text=True)
