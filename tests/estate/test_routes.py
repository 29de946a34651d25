"""The estate's pages: who sees what, what a page shows, CSV exports, settings and bad input."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from portal.estate import services
from portal.estate.models import Depot, EstateSettings
from portal.models import db
from tests.conftest import csrf_token

TODAY = date(2026, 12, 3)


def frozen(estate):
    services.take_snapshot(2025, 12, today=TODAY)
    services.take_snapshot(2026, 11, today=TODAY)
    db.session.commit()


def test_employees_have_no_access_and_managers_see_their_unit(client, login_as, estate):
    frozen(estate)
    login_as("employee")
    for path in ("/estate", "/estate/units", "/estate/devices", "/estate/method", "/estate/sites"):
        assert client.get(path).status_code == 403, path


def test_a_manager_sees_their_unit_and_its_sub_units_only(client, login_as, estate):
    frozen(estate)
    login_as("manager", org_unit_id=estate.direction.id)
    page = client.get("/estate?year=2025").get_data(as_text=True)
    assert "Direction du numérique" in page
    assert "Service support" in page  # a sub-unit, in the top contributors and sub-units
    assert client.get(f"/estate/units/{estate.service.id}").status_code == 200
    assert client.get(f"/estate/units/{estate.other.id}").status_code == 404
    assert client.get("/estate/units/999999").status_code == 404
    units = client.get("/estate/units").get_data(as_text=True)
    assert "Service support" in units and "Direction des finances" not in units
    assert client.get("/estate/settings").status_code == 403


def test_a_manager_sees_the_sites_categories_and_trips_of_their_units(
    client, login_as, estate, make_asset, make_intervention, make_transfer
):
    make_asset(item=estate.laptop, user_id=estate.outsider.id, acquired_on=date(2025, 1, 1), category="desktop")
    make_intervention(estate.school, date(2025, 3, 2))
    make_intervention(estate.depot, date(2025, 3, 3))  # the other direction's site only
    make_transfer(estate.depot, estate.school, date(2025, 4, 1), asset=estate.asset)
    outsiders = make_asset(item=estate.laptop, user_id=estate.outsider.id, acquired_on=date(2025, 1, 1))
    make_transfer(estate.school, estate.depot, date(2025, 5, 1), asset=outsiders)
    frozen(estate)
    login_as("manager", org_unit_id=estate.direction.id, locale="en")
    sites = client.get("/estate/sites?year=2025").get_data(as_text=True)
    assert "École Jean Jaurès" in sites and "Dépôt informatique" not in sites
    assert "Your unit and its sub-units only" in sites
    categories = client.get("/estate/categories?year=2025").get_data(as_text=True)
    assert "Laptop" in categories and "Desktop" not in categories
    trips = client.get("/estate/trips?year=2025").get_data(as_text=True)
    assert "WOT0000001" in trips and "WOT0000002" not in trips
    assert "1 transfer or delivery" in trips
    rows = client.get("/estate/sites?year=2025&format=csv").get_data(as_text=True).splitlines()
    assert len(rows) == 2 and rows[0].lstrip("\ufeff").startswith("key,name,total_kgco2e")
    # A manager of the service (the sub-unit) sees its figures too, never the direction's other units.
    login_as("manager", org_unit_id=estate.service.id, locale="en")
    assert "École Jean Jaurès" in client.get("/estate/sites?year=2025").get_data(as_text=True)
    assert client.get(f"/estate/units/{estate.direction.id}").status_code == 404


def test_a_manager_of_no_unit_is_told_so(client, login_as, estate):
    frozen(estate)
    login_as("manager", locale="en")
    assert "Your account belongs to no unit" in client.get("/estate").get_data(as_text=True)
    assert "Service support" not in client.get("/estate/units").get_data(as_text=True)


def test_an_admin_sees_the_year_the_comparison_and_the_waterfall(client, login_as, estate):
    frozen(estate)
    login_as("admin", locale="en")
    page = client.get("/estate?year=2026&convention=acquisition").get_data(as_text=True)
    for words in (
        "Equipment, embodied",
        "2026 projected to year end",
        "Last year: 2025 (to 30 November)",
        "Why it moved since 2025 (to 30 November)",
        "Factor changes",
        "Top contributors",
        "acquisition year convention",
        "<svg",
        "Data storage",
        "Digital services and data centres",
        "Whole digital footprint",
        "Source and quality",
    ):
        assert words in page, words
    assert "No reference year is chosen yet" in page
    # The waterfall's bars carry their words (step and change), drawn at the text's own size, like its table's rows.
    chart = page.split('class="bars waterfall"', 1)[1].split("</svg>", 1)[0]
    # Each label on two lines, the step then its value (one line was wider than a 320 px phone).
    labels = re.findall(r'<text [^>]*>([^<]+)<tspan x="0" dy="16">([^<]+)</tspan></text>', chart)
    assert labels[0][0] == "2025 (to 30 November):" and labels[-1][0] == "2026 (to 30 November):"
    assert labels[0][1].endswith("kg\u202fCO₂e") and all(value[0] in "+−0" for _step, value in labels[1:-1])
    assert ("Factor changes:" in [step for step, _value in labels]) and len(labels) == chart.count("<rect")
    assert all(0 <= float(x) <= 100 for x in re.findall(r'<rect x="([\d.]+)%"', chart))
    for path in (
        "/estate/units?sort=total",
        "/estate/sites",
        "/estate/categories",
        "/estate/devices?show=oldest",
        "/estate/trips?year=2025",
        "/estate/method",
        "/estate/settings",
        f"/estate/units/{estate.service.id}",
    ):
        assert client.get(path).status_code == 200, path


def test_every_table_downloads_as_csv(client, login_as, estate):
    frozen(estate)
    login_as("admin")
    for path in (
        "/estate?format=csv&year=2026",
        "/estate?format=csv&table=waterfall",
        "/estate/units?format=csv",
        "/estate/sites?format=csv",
        "/estate/categories?format=csv",
        "/estate/devices?format=csv",
        "/estate/trips?format=csv",
        "/estate/trips?format=csv&table=transfers",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == "text/csv"
    comparison = client.get("/estate?format=csv&year=2026").get_data(as_text=True)
    assert comparison.startswith("\ufeffindicator,name,current_2026,projected_2026,previous_2025")


def test_bad_input_falls_back_or_is_refused_in_words(client, login_as, estate):
    frozen(estate)
    login_as("admin", locale="en")
    assert client.get("/estate?year=abc&convention=nope").status_code == 200
    assert client.get("/estate/devices?show=nope&page=-3").status_code == 200
    token = csrf_token(client)
    response = client.post("/estate/settings/recompute", data={"csrf_token": token, "month": "2025-13", "reason": "x"})
    assert response.status_code == 400
    assert "is not a month" in response.get_data(as_text=True)
    response = client.post("/estate/settings/recompute", data={"csrf_token": token, "month": "2025-12", "reason": ""})
    assert response.status_code == 400
    response = client.post("/estate/settings/reference-year", data={"csrf_token": token, "year": "1990"})
    assert response.status_code == 400


def test_an_admin_sets_the_reference_year_a_depot_and_recomputes(client, login_as, estate):
    frozen(estate)
    admin = login_as("admin", locale="en")
    token = csrf_token(client)
    assert client.post("/estate/settings/reference-year", data={"csrf_token": token, "year": "2025"}).status_code == 303
    assert db.session.get(EstateSettings, 1).reference_year == 2025
    response = client.post(
        "/estate/settings/depots",
        data={"csrf_token": token, "assignment_group": "Support", "site_id": estate.depot.id, "vehicle": "van"},
    )
    assert response.status_code == 303
    assert db.session.scalar(sa.select(Depot.vehicle)) == "van"
    response = client.post(
        "/estate/settings/recompute", data={"csrf_token": token, "month": "2025-12", "reason": "depot added"}
    )
    assert response.status_code == 303
    latest = services.latest_version(2025, 12)
    assert (latest.version, latest.computed_by_id, latest.reason) == (2, admin.id, "depot added")
    page = client.get("/estate?year=2026").get_data(as_text=True)
    assert "Reference year: 2025" in page


def test_the_help_page_explains_the_estate_to_managers_only(client, login_as, make_user, login):
    login_as("manager", locale="en")
    assert "How the estate's footprint is computed" in client.get("/help").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(make_user())
    assert "IT estate footprint" not in client.get("/help").get_data(as_text=True)


def test_the_fleet_filters_find_old_overdue_and_unmapped_devices(client, login_as, estate, make_asset):
    from datetime import UTC, datetime

    make_asset(
        category="monitor",
        model_name="Écran ancien",
        asset_tag="OLD1",
        user_id=estate.employee.id,
        acquired_on=date(2012, 1, 1),
    )
    make_asset(
        category="laptop",
        model_name="Portable rendu tard",
        asset_tag="LATE1",
        user_id=estate.employee.id,
        acquired_on=date(2024, 1, 1),
        status="to_return",
        status_changed_at=datetime(2025, 1, 1, tzinfo=UTC),
        model_estimated=True,
    )
    make_asset(category="laptop", asset_tag="ELSE1", user_id=estate.outsider.id, acquired_on=date(2024, 1, 1))
    login_as("admin", locale="en")

    def tags(show):
        page = client.get(f"/estate/devices?show={show}").get_data(as_text=True)
        return {tag for tag in ("OLD1", "LATE1", "ELSE1", estate.asset.asset_tag) if tag in page}

    assert tags("all") == {"OLD1", "LATE1", "ELSE1", estate.asset.asset_tag}
    assert tags("past_lifetime") == {"OLD1"}
    assert tags("overdue") == {"LATE1"}
    assert tags("unmapped") == {"OLD1", "LATE1", "ELSE1"}  # no catalogue item, or an estimated model
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login_as("manager", org_unit_id=estate.direction.id)
    page = client.get("/estate/devices").get_data(as_text=True)
    assert "OLD1" in page and "ELSE1" not in page  # the other direction's device


def test_the_sites_map_draws_the_sites_of_the_table(client, login_as, estate):
    frozen(estate)
    login_as("admin", locale="en")
    page = client.get("/estate/sites?year=2025").get_data(as_text=True)
    assert "Show the sites on a map" in page and "estate-map.js" in page
    response = client.get("/estate/sites.geojson?year=2025")
    assert response.mimetype == "application/geo+json"
    names = {f["properties"]["name"] for f in response.get_json()["features"]}
    assert "École Jean Jaurès" in names
    point = next(f for f in response.get_json()["features"] if f["properties"]["name"] == "École Jean Jaurès")
    assert point["geometry"]["coordinates"] == [float(estate.school.lon), float(estate.school.lat)]
    assert point["properties"]["label"].endswith("kg CO₂e")
    login_as("manager", org_unit_id=estate.other.id)
    names = {f["properties"]["name"] for f in client.get("/estate/sites.geojson?year=2025").get_json()["features"]}
    assert "École Jean Jaurès" not in names  # the other direction's people work at the depot only
    login_as("employee")
    assert client.get("/estate/sites.geojson").status_code == 403


def test_the_fleet_index_condition_names_the_devices_gone_and_on_order():
    from portal.catalogue.models import IN_ESTATE_SQL
    from portal.estate.compute import GONE, NOT_YET

    expected = "status NOT IN (" + ", ".join(f"'{s}'" for s in (*GONE, *NOT_YET)) + ")"
    assert expected == IN_ESTATE_SQL


def test_the_method_page_is_all_french_in_french(client, login_as, estate):
    frozen(estate)
    login_as("admin", locale="fr")
    page = client.get("/estate/method").get_data(as_text=True)
    assert "Facteurs des véhicules" in page
    # The vehicle factors' source, written by the portal, in the reader's language.
    assert "ADEME Impact CO2 (modèle transport\u202f: carburant + fabrication du véhicule)" in page
    assert "transport model" not in page and "vehicle construction" not in page
