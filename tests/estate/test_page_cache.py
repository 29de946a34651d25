"""The estate's pages are rendered once per worker: a new snapshot (or recompute) and a device change show at the
next request; each language has its own."""

from __future__ import annotations

import re
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


def _settings_token(page: str) -> str:
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
    assert len(tokens) == 1 and services.CSRF_SLOT not in page
    return tokens.pop()


def test_the_settings_forms_are_kept_until_a_site_a_depot_or_a_setting_changes(
    client, login_as, estate, make_site, make_user, login
):
    services.take_snapshot(2025, 12, today=TODAY)
    db.session.commit()
    login_as("admin", locale="en")
    page = client.get("/estate/settings").get_data(as_text=True)
    assert "Dépôt informatique" in page and "Garage nord" not in page
    assert '<option selected value="2025">' not in page
    # A new site and a renamed one show in the depot form's choices at the next request.
    make_site(name="Garage nord", commune_insee="33063")
    estate.depot.name = "Dépôt central"
    db.session.commit()
    page = client.get("/estate/settings").get_data(as_text=True)
    assert "Garage nord" in page and "Dépôt central" in page and "Dépôt informatique" not in page
    # The token kept in the page is this session's, so its forms are accepted; a new depot and reference year show.
    token = _settings_token(page)
    response = client.post(
        "/estate/settings/depots",
        data={"csrf_token": token, "assignment_group": "Support nord", "site_id": estate.depot.id, "vehicle": "van"},
    )
    assert response.status_code == 303
    assert client.post("/estate/settings/reference-year", data={"csrf_token": token, "year": "2025"}).status_code == 303
    page = client.get("/estate/settings").get_data(as_text=True)
    assert "Support nord" in page and '<option selected value="2025">' in page
    # Another admin's session gets its own token in the same kept page, and it is accepted.
    client.post("/logout", data={"csrf_token": token})
    login(make_user(roles=("admin",), locale="en"))
    other = client.get("/estate/settings").get_data(as_text=True)
    assert "Support nord" in other
    other_token = _settings_token(other)
    response = client.post("/estate/settings/reference-year", data={"csrf_token": other_token, "year": ""})
    assert response.status_code == 303
    assert '<option selected value="2025">' not in client.get("/estate/settings").get_data(as_text=True)
