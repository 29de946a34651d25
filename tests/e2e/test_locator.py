"""The locator in a real browser: search "begles", filter "open now", open the map, open a point, declare
the return of a device marked "to return"; accessible with and without the map, EcoIndex A without it."""

from __future__ import annotations

import concurrent.futures
import re
from datetime import date, datetime

import pytest
from playwright.sync_api import Page, expect

from portal.catalogue.models import Asset, AssetStatus
from portal.locator import exchange, services
from portal.locator.models import CollectionPoint
from portal.models import db
from portal.timezone import PARIS
from tests.e2e.helpers import EcoIndex, _compute, assert_accessible, measure_ecoindex, serve_tiles

# Wednesday 2 December 2026, 10:00 in Paris: most points are open, a few are not.
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=PARIS)


@pytest.fixture
def locator_world(communes, make_user, make_site, monkeypatch):
    """The 28 points, an employee working in Bègles with a laptop to return, and a fixed clock."""
    exchange.import_points(exchange.packaged_rows())
    site = make_site(commune_insee="33039", name="Pôle territorial Sud")
    user = make_user(first_name="Léa", email="lea@test.example", site_id=site.id)
    asset = Asset(
        asset_tag="BXM-04242",
        serial="SN4242",
        category="laptop",
        model_name="Latitude 7400",
        user_id=user.id,
        acquired_on=date(2020, 9, 1),
        status=AssetStatus.TO_RETURN.value,
    )
    db.session.add(asset)
    db.session.commit()
    monkeypatch.setattr("portal.locator.routes._now", lambda: NOW)
    return user, asset


def test_search_filter_map_point_and_return(page: Page, app, locator_world, browser_login):
    user, asset = locator_world
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security" in message.text else None)
    tiles = serve_tiles(page, app)
    browser_login(user)

    page.goto("/collection-points")
    heading = page.locator("#locator-results-title")
    expect(heading).to_have_text("28 points de collecte, les plus proches de votre lieu de travail d’abord")
    assert_accessible(page)

    # Search "begles": htmx updates the list, the address bar and the screen-reader announcement.
    page.get_by_label("Commune ou code postal").fill("begles")
    expect(heading).to_have_text("28 points de collecte, les plus proches de Bègles d’abord")
    expect(page).to_have_url(re.compile(r"/collection-points\?q=begles"))
    expect(page.locator("#live-status")).to_have_text("28 points de collecte, les plus proches de Bègles d’abord")
    expect(page.locator("ol.points h3").first).to_have_text("Mairie de Bègles")

    # Filter "open now".
    open_count = len(services.nearest_points(services.active_points(), None, now=NOW, open_now=True))
    assert 0 < open_count < 28
    page.get_by_label("Ouvert maintenant").check()
    expect(heading).to_have_text(f"{open_count} points de collecte, les plus proches de Bègles d’abord")
    expect(page).to_have_url(re.compile(r"open=1"))
    statuses = page.locator("ol.points .point-status").all_text_contents()
    assert statuses and all(s.startswith("Ouvert jusqu’à") for s in statuses)
    assert_accessible(page)

    # The map: nothing of Leaflet before it is asked for, then the same points as markers.
    assert page.locator("script[src*='leaflet']").count() == 0
    page.get_by_text("Afficher les points sur une carte").click()
    expect(page.locator("#locator-map")).to_have_attribute("data-markers", str(open_count))
    expect(page.locator(".leaflet-marker-icon")).to_have_count(open_count)
    expect(page.get_by_role("button", name="Mairie de Bègles")).to_be_visible()  # a marker, named for the point
    expect(page.locator("img.leaflet-tile").first).to_be_attached()
    assert tiles, "the map asked for no tile"
    assert_accessible(page)
    page.get_by_role("button", name="Mairie de Bègles").click()
    expect(page.locator(".leaflet-popup-content a")).to_have_text("Mairie de Bègles")

    # The list follows the filters and so does the map.
    page.get_by_label("Ouvert maintenant").uncheck()
    expect(heading).to_have_text("28 points de collecte, les plus proches de Bègles d’abord")
    expect(page.locator(".leaflet-marker-icon")).to_have_count(28)
    assert violations == []

    # Open a point and declare the return of the laptop marked "to return".
    page.locator("ol.points").get_by_role("link", name="Mairie de Bègles").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mairie de Bègles")
    expect(page.get_by_role("heading", name="Avant de déposer un appareil")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="J’ai déposé un appareil ici").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclarer un dépôt – Mairie de Bègles")
    assert_accessible(page)
    page.get_by_label("Latitude 7400 (BXM-04242)").check()
    page.get_by_role("button", name="Déclarer ce dépôt").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mes dépôts")
    expect(page.get_by_role("status").first).to_have_text("Merci ! Votre dépôt est enregistré (Mairie de Bègles).")
    expect(page.get_by_role("table")).to_contain_text("Latitude 7400 (BXM-04242)")
    expect(page.get_by_role("table")).to_contain_text("En attente de confirmation")
    assert_accessible(page)
    db.session.expire_all()
    assert db.session.get(Asset, asset.id).status == AssetStatus.RETURNED.value


def test_use_my_location(page: Page, locator_world, browser_login):
    user, _ = locator_world
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 44.8371, "longitude": -0.5791})  # Pey-Berland
    browser_login(user)
    page.goto("/collection-points?q=begles")
    page.get_by_role("button", name="Utiliser ma position").click()
    heading = page.locator("#locator-results-title")
    expect(heading).to_have_text("28 points de collecte, les plus proches de votre position d’abord")
    expect(page.locator("ol.points h3").first).to_have_text("Hôtel de ville de Bordeaux (palais Rohan)")
    expect(page).to_have_url(re.compile(r"lat=44\.8371&lon=-0\.5791"))
    expect(page.get_by_label("Commune ou code postal")).to_have_value("")
    assert_accessible(page)


def test_locator_page_is_light_without_the_map(page: Page, app, locator_world, browser_login):
    user, _ = locator_world
    serve_tiles(page, app)
    browser_login(user)
    eco = measure_ecoindex(page, "/collection-points?q=begles")
    print(f"\nlocator without the map: {eco}")
    assert eco.grade == "A", str(eco)

    # With the map opened (Leaflet, its stylesheet and images, the GeoJSON, tiles of a typical size).
    sizes: list[int] = []

    def on_finished(request) -> None:  # noqa: ANN001 - Playwright's Request
        info = request.sizes()
        sizes.append(
            sum(info[k] for k in ("requestHeadersSize", "requestBodySize", "responseHeadersSize", "responseBodySize"))
        )

    page.on("requestfinished", on_finished)
    page.get_by_text("Afficher les points sur une carte").click()
    expect(page.locator("#locator-map")).to_have_attribute("data-markers", "28")
    page.wait_for_load_state("networkidle")
    page.remove_listener("requestfinished", on_finished)
    nodes = page.evaluate("document.getElementsByTagName('*').length - document.querySelectorAll('svg *').length")
    size_kb = eco.size_kb + sum(sizes) / 1024
    requests = eco.requests + len(sizes)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        score, grade = pool.submit(_compute, nodes, size_kb, requests).result()
    with_map = EcoIndex(url=page.url, dom_nodes=nodes, requests=requests, size_kb=size_kb, score=score, grade=grade)
    print(f"locator with the map: {with_map}")
    assert with_map.grade in ("A", "B"), str(with_map)  # the map is heavier by nature: B at least


def test_admin_pages_are_accessible(page: Page, locator_world, make_user, browser_login, tmp_path):
    employee, asset = locator_world
    first = db.session.get(CollectionPoint, services.active_points()[0].id)
    services.declare_return(first, user=employee, item="smartphone", quantity=2)
    db.session.commit()
    admin = make_user(roles=("admin",), email="admin@test.example")
    browser_login(admin)
    page.goto("/admin/collection-points")
    expect(page.get_by_role("caption")).to_have_text("28 points")
    assert_accessible(page)
    page.get_by_role("link", name="Mairie de Bègles").click()
    page.get_by_label("Horaires d’ouverture (heure de Paris)").fill("lu-ve 9h-12h")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Le point n’a pas été enregistré")
    assert_accessible(page)
    page.get_by_role("link", name="Dépôts à confirmer").click()
    expect(page.locator("#returns-title")).to_have_text("1 dépôt")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Confirmer la réception")).click()
    expect(page.get_by_role("status").first).to_contain_text("Réception confirmée")
    page.get_by_role("link", name="Statistiques").click()
    assert_accessible(page)
    page.get_by_role("link", name="Importer").first.click()
    broken = tmp_path / "points.csv"
    broken.write_bytes(b"PK\x03\x04 a spreadsheet renamed")
    page.get_by_label("Fichier (.csv ou .geojson)").set_input_files(str(broken))
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_role("alert")).to_contain_text("n’est pas un fichier texte")
    assert_accessible(page)
