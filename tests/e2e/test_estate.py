"""The estate's footprint in a real browser: an admin reads the year, switches the convention and reads why it
moved (French); a manager reads their unit (English). axe-core clean, EcoIndex A."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from playwright.sync_api import Page, expect

from portal.estate import services
from portal.models import db
from tests.e2e.helpers import assert_accessible, measure_ecoindex, serve_tiles


def _estate(make_org_unit, make_site, make_user, make_item, make_asset):
    direction = make_org_unit(kind="direction", name="Direction du numérique")
    service = make_org_unit(parent_id=direction.id, name="Service support")
    school = make_site(name="École Jean Jaurès", commune_insee="33281")
    joined = datetime(2024, 6, 1, tzinfo=UTC)
    employee = make_user(org_unit_id=service.id, site_id=school.id, created_at=joined)
    laptop = make_item(
        fabrication_kgco2e=Decimal(200),
        distribution_kgco2e=Decimal(0),
        end_of_life_kgco2e=Decimal(0),
        lifetime_years=Decimal(4),
        annual_kwh=Decimal(30),
    )
    make_asset(item=laptop, user_id=employee.id, acquired_on=date(2025, 1, 1))
    make_asset(item=laptop, user_id=employee.id, acquired_on=date(2026, 1, 1))
    today = date(2026, 12, 3)
    services.take_snapshot(2025, 11, today=today)
    services.take_snapshot(2026, 11, today=today)
    db.session.commit()
    return direction, joined


def test_an_admin_reads_the_year_and_why_it_moved_in_french(
    page: Page, make_org_unit, make_site, make_user, make_item, make_asset, browser_login
):
    _estate(make_org_unit, make_site, make_user, make_item, make_asset)
    admin = make_user(roles=("admin",), first_name="Adèle", last_name="Martin", email="adele@test.example")
    browser_login(admin)

    page.goto("/")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Administration").click()
    page.get_by_role("main").get_by_role("link", name="Empreinte du parc informatique").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Empreinte du parc informatique")
    page.get_by_label("Année", exact=True).select_option("2026")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_text("Empreinte totale").first).to_be_visible()
    lines = page.get_by_role("table", name="Postes de 2026 (jusqu’au 30 novembre)")
    expect(lines).to_contain_text("Équipements, fabrication")
    expect(lines).to_contain_text("91,5\u202fkg\u202fCO₂e")  # 2 laptops × 50 kg × 334/365
    comparison = page.get_by_role("table", name="Indicateurs par année")
    expect(comparison).to_contain_text("2026 projeté à la fin de l’année")
    expect(comparison).to_contain_text("L’an dernier\u202f: 2025 (jusqu’au 30 novembre)")
    steps = page.get_by_role("table", name="De l’an dernier à cette année, étape par étape (kg CO₂e)")
    expect(steps).to_contain_text("Plus ou moins d’appareils")
    expect(steps).to_contain_text("Changements de facteurs")
    expect(page.get_by_role("img", name="Cascade de l’écart")).to_be_visible()
    assert_accessible(page)
    eco = measure_ecoindex(page, "/estate?year=2026")
    assert eco.grade == "A", eco

    page.get_by_label("année d’acquisition").check()
    page.get_by_role("button", name="Afficher").click()
    expect(
        page.get_by_text("Émissions de fabrication\u202f: convention «\u202fannée d’acquisition\u202f».")
    ).to_be_visible()
    expect(page.get_by_role("table", name="Postes de 2026 (jusqu’au 30 novembre)")).to_contain_text(
        "200\u202fkg\u202fCO₂e"
    )

    page.get_by_role("link", name="Méthode").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comment l’empreinte du parc est calculée")
    expect(
        page.get_by_role("table", name="kg CO₂e par véhicule-km, carburant et construction du véhicule compris")
    ).to_contain_text("Camionnette")
    assert_accessible(page)


def test_a_manager_reads_their_unit_in_english(
    page: Page, app, make_org_unit, make_site, make_user, make_item, make_asset, browser_login
):
    direction, joined = _estate(make_org_unit, make_site, make_user, make_item, make_asset)
    tiles = serve_tiles(page, app)
    manager = make_user(
        roles=("manager",), org_unit_id=direction.id, locale="en", created_at=joined, email="marc@test.example"
    )
    browser_login(manager)

    page.goto("/estate?year=2026")
    expect(page.get_by_role("heading", level=1)).to_have_text("IT estate footprint: Direction du numérique")
    expect(page.get_by_text("The unit's figures include its sub-units.")).to_be_visible()
    expect(page.get_by_role("table", name="Top contributors: units")).to_contain_text("Service support")
    expect(page.get_by_role("link", name="Settings and versions")).to_have_count(0)  # admins only
    assert_accessible(page)
    page.get_by_role("link", name="Sites", exact=True).click()  # their units' figures at each site
    expect(page.get_by_role("heading", level=1)).to_have_text("Footprint per site")
    expect(page.get_by_text("Your unit and its sub-units only")).to_be_visible()
    assert_accessible(page)
    page.get_by_text("Show the sites on a map").click()  # Leaflet is loaded now, then the sites are drawn
    expect(page.locator("#estate-map")).to_have_attribute("data-markers", "1")
    expect(page.locator("img.leaflet-tile").first).to_be_attached()
    assert tiles, "the map asked for no tile"
    page.get_by_role("link", name="Trips and transport").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trips and transport")
    assert_accessible(page)
    page.get_by_role("link", name="Units", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Footprint per unit")
    page.get_by_role("link", name="Service support").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("IT estate footprint: Service support")
    assert_accessible(page)
