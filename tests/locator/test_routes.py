"""/collection-points: search, filters, point page, GeoJSON, returns (as an employee)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from portal.catalogue.models import AssetStatus
from portal.locator.models import DeviceReturn
from portal.locator.services import confirm_receipt, declare_return
from portal.models import db
from portal.timezone import PARIS
from tests.conftest import csrf_token


def names(html: str) -> list[str]:
    """The point names of a results page, in order."""
    return [re.sub(r"&#39;", "'", name) for name in re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', html)]


def heading(html: str) -> str:
    return re.search(r'<h2 id="locator-results-title" data-status="([^"]*)"', html).group(1)


# --- search ---------------------------------------------------------------------------------------------


def test_starts_from_my_work_site(client, login_as, points, make_site, clock):
    clock(2026, 12, 2, 10, 0)
    site = make_site(commune_insee="33039", name="Pôle territorial Sud")
    login_as("employee", site_id=site.id)
    html = client.get("/collection-points").get_data(as_text=True)
    assert heading(html) == "28 points de collecte, les plus proches de votre lieu de travail d’abord"
    assert "depuis votre lieu de travail, Pôle territorial Sud" in html
    assert names(html)[0] == "Mairie de Bègles"
    assert len(names(html)) == 20  # the portal's page size
    distances = [float(d.replace(",", ".")) for d in re.findall(r"<strong>([\d,]+)\u202fkm</strong>", html)]
    assert distances == sorted(distances) and len(distances) == 20


def test_without_a_work_site_points_are_listed_by_name(client, login_as, points):
    login_as("employee")
    html = client.get("/collection-points").get_data(as_text=True)
    assert heading(html) == "28 points de collecte"
    assert "Cherchez une commune ou un code postal pour trier les points par distance." in html
    assert "\u202fkm</strong>" not in html


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("begles", "Mairie de Bègles"),
        ("Begle", "Mairie de Bègles"),
        ("BÈGLES", "Mairie de Bègles"),
        ("33130", "Mairie de Bègles"),
        ("st medard", "Hôtel de ville de Saint-Médard-en-Jalles"),
        ("Merignak", "Hôtel de ville de Mérignac"),
        ("bouscat", "Mairie du Bouscat"),
    ],
)
def test_search_by_commune_name_or_postcode(client, login_as, points, query, first):
    login_as("employee")
    html = client.get("/collection-points", query_string={"q": query}).get_data(as_text=True)
    assert names(html)[0] == first
    assert "<strong>0,0\u202fkm</strong>" in html  # distances from the commune's own point


def test_shared_postcode_offers_the_other_communes(client, login_as, points):
    login_as("employee")
    html = client.get("/collection-points?q=33440").get_data(as_text=True)
    assert heading(html) == "28 points de collecte, les plus proches d’Ambarès-et-Lagrave d’abord"
    assert "Correspondent aussi :" in html
    assert "q=Saint-Louis-de-Montferrand" in html and "q=Saint-Vincent-de-Paul" in html


def test_unknown_place_gives_a_clear_message_with_close_names(client, login_as, points):
    login_as("employee")
    response = client.get("/collection-points?q=Bordox")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert heading(html) == "Aucune commune trouvée"
    assert "Aucune commune de la métropole ne correspond à « Bordox »." in html
    assert "Vouliez-vous dire :" in html and 'href="/collection-points?q=Bordeaux"' in html
    assert names(html) == []
    nothing = client.get("/collection-points?q=Lyon").get_data(as_text=True)
    assert "Vouliez-vous dire" not in nothing and "ne correspond à « Lyon »" in nothing


def test_small_typos_still_find_the_commune(client, login_as, points):
    login_as("employee")
    assert names(client.get("/collection-points?q=Bordo").get_data(as_text=True))[0] == (
        "Hôtel de ville de Bordeaux (palais Rohan)"
    )


def test_my_position_sorts_by_distance(client, login_as, points):
    login_as("employee")
    html = client.get("/collection-points?lat=44.8080&lon=-0.5480").get_data(as_text=True)
    assert heading(html) == "28 points de collecte, les plus proches de votre position d’abord"
    assert names(html)[0] == "Mairie de Bègles"
    assert "elle n’est pas enregistrée" in html


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        ("abc", "-0.57", "La position envoyée n’est pas faite de nombres."),
        ("44.84", "", "La latitude et la longitude sont toutes deux nécessaires."),
        ("95", "-0.57", "La position envoyée n’est pas sur Terre"),
        ("nan", "-0.57", "La position envoyée n’est pas faite de nombres."),
        ("48.8566", "2.3522", "Votre position est hors de Bordeaux Métropole"),
        ("-0.57", "44.84", "Votre position est hors de Bordeaux Métropole"),  # swapped
    ],
)
def test_invalid_coordinates_answer_400_with_a_clear_message(client, login_as, points, lat, lon, message):
    login_as("employee")
    response = client.get("/collection-points", query_string={"lat": lat, "lon": lon})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert names(html) == []


def test_invalid_coordinates_in_an_htmx_request_answer_the_fragment(client, login_as, points):
    login_as("employee")
    response = client.get("/collection-points?lat=x&lon=y", headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.get_data(as_text=True).lstrip().startswith('<section id="locator-results"')


def test_unknown_item_answers_400(client, login_as, points):
    login_as("employee")
    response = client.get("/collection-points?item=fridge")
    assert response.status_code == 400
    assert "Ce type d’appareil n’est pas dans la liste" in response.get_data(as_text=True)


def test_filter_by_accepted_item(client, login_as, points):
    login_as("employee")
    laptops = [p for p in points.values() if p.accepts("laptop")]
    assert 0 < len(laptops) < 28
    html = client.get("/collection-points?q=ambes&item=laptop").get_data(as_text=True)
    assert heading(html).startswith(f"{len(laptops)} points de collecte")
    assert "Hôtel de ville, Ambès" not in names(html)  # Ambès takes no laptops
    assert '<option value="laptop" selected>' in html


def statuses(html: str) -> list[str]:
    return re.findall(r'<p class="point-status (?:open|closed)">([^<]+)</p>', html)


def test_filter_open_now(client, login_as, points, clock):
    clock(2026, 12, 2, 10, 0)  # Wednesday morning: most points are open
    login_as("employee")
    html = client.get("/collection-points?q=begles&open=1").get_data(as_text=True)
    count = int(heading(html).split()[0])
    assert 20 < count < 28
    assert "Ouvert jusqu’à 12 h 30" in html
    assert all(status.startswith("Ouvert jusqu’à") for status in statuses(html))
    clock(2026, 12, 5, 10, 0)  # Saturday morning: some points are open
    saturday = client.get("/collection-points?q=begles&open=1").get_data(as_text=True)
    assert 0 < int(heading(saturday).split()[0]) < count
    assert all(status.startswith("Ouvert jusqu’à") for status in statuses(saturday))
    clock(2026, 12, 6, 10, 0)  # Sunday: none
    sunday = client.get("/collection-points?q=begles&open=1").get_data(as_text=True)
    assert heading(sunday) == "0 point de collecte, les plus proches de Bègles d’abord"
    assert "Décochez « Ouvert maintenant »" in sunday


def test_status_says_when_a_closed_point_opens(client, login_as, points, clock):
    clock(2026, 12, 5, 15, 0)  # Saturday afternoon
    login_as("employee")
    html = client.get("/collection-points?q=begles").get_data(as_text=True)
    assert "Fermé – ouvre lundi à 8 h 30" in html
    clock(2026, 12, 24, 18, 0)  # Christmas Eve evening, 25 December closed
    html = client.get("/collection-points?q=begles").get_data(as_text=True)
    assert "Fermé – ouvre samedi à 9 h" in html


def test_results_are_paginated_and_keep_the_filters(client, login_as, points):
    login_as("employee")
    html = client.get("/collection-points?q=begles&item=smartphone").get_data(as_text=True)
    assert "Page 1 sur 2" in html
    assert 'href="/collection-points?page=2&amp;q=begles&amp;item=smartphone"' in html
    second = client.get("/collection-points?q=begles&item=smartphone&page=2").get_data(as_text=True)
    assert len(names(second)) == 8
    assert '<ol class="points" start="21">' in second


def test_htmx_requests_get_the_results_fragment(client, login_as, points):
    login_as("employee")
    response = client.get("/collection-points?q=begles", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="locator-results"')
    assert "<html" not in body and "data-status=" in body
    assert "HX-Request" in response.headers["Vary"]


def test_the_map_is_offered_but_not_loaded(client, login_as, points):
    login_as("employee")
    html = client.get("/collection-points").get_data(as_text=True)
    assert '<details class="locator-map"' in html
    assert "leaflet.js" in html  # as a data attribute, for the script to load on request
    assert '<script src="/static/vendor/leaflet' not in html
    assert '<link rel="stylesheet" href="/static/vendor/leaflet' not in html


def test_summary_of_the_year_for_everyone(client, login_as, points, make_user, clock):
    clock(2026, 12, 2, 10, 0)
    user = make_user()
    declare_return(points["33039"], user=user, item="smartphone", quantity=3, now=datetime(2026, 6, 1, tzinfo=PARIS))
    declare_return(points["33039"], user=user, item="tablet", quantity=1, now=datetime(2025, 6, 1, tzinfo=PARIS))
    login_as("employee")
    html = client.get("/collection-points").get_data(as_text=True)
    assert "En 2026, les agents ont déclaré 3 appareils déposés dans les points." in html


# --- a point's page ---------------------------------------------------------------------------------------


def test_point_page_gives_hours_access_directions_and_advice(client, login_as, points, make_site, clock):
    clock(2026, 12, 2, 10, 0)
    site = make_site(commune_insee="33063")
    login_as("employee", site_id=site.id)
    point = points["33039"]
    html = client.get(f"/collection-points/{point.id}").get_data(as_text=True)
    assert "<h1>Mairie de Bègles</h1>" in html
    assert "Ouvert jusqu’à 12 h 30" in html
    assert '<th scope="row">lundi</th><td>8 h 30–12 h 30, 13 h 30–17 h 30</td>' in html
    assert '<th scope="row">dimanche</th><td>Fermé</td>' in html
    assert "Fermetures exceptionnelles : 25 décembre 2026" in html
    assert 'href="geo:44.80780,-0.54800"' in html
    assert "openstreetmap.org/directions?route=" in html and "%3B44.80780%2C-0.54800" in html
    assert "Avant de déposer un appareil" in html and "réglages d’usine" in html
    assert "Ordinateurs portables" in html
    assert 'href="tel:0556498888"' in html
    assert f'href="/collection-points/{point.id}/return"' in html


def test_unknown_or_inactive_point_is_404_but_admins_see_inactive_ones(client, login_as, points, make_user, login):
    point = points["33039"]
    point.active = False
    db.session.commit()
    login_as("employee")
    assert client.get("/collection-points/999999").status_code == 404
    assert client.get(f"/collection-points/{point.id}").status_code == 404
    assert client.get(f"/collection-points/{point.id}/return").status_code == 404
    assert "Mairie de Bègles" not in names(client.get("/collection-points?q=begles").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(make_user(roles=("admin",)))
    html = client.get(f"/collection-points/{point.id}").get_data(as_text=True)
    assert "Ce point est inactif" in html


# --- GeoJSON ----------------------------------------------------------------------------------------------


def test_geojson_is_a_valid_feature_collection_longitude_first(client, login_as, points):
    login_as("employee")
    response = client.get("/api/collection-points.geojson")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    document = response.json
    assert document["type"] == "FeatureCollection" and "crs" not in document
    assert len(document["features"]) == 28
    begles = next(f for f in document["features"] if f["id"] == "33039")
    assert begles["type"] == "Feature"
    assert begles["geometry"] == {"type": "Point", "coordinates": [-0.548, 44.8078]}
    lon, lat = begles["geometry"]["coordinates"]
    assert -1 < lon < 0 and 44 < lat < 46  # RFC 7946: longitude, latitude
    assert begles["properties"]["name"] == "Mairie de Bègles"
    assert begles["properties"]["url"] == f"/collection-points/{points['33039'].id}"
    assert "laptop" in begles["properties"]["accepted"]


def test_geojson_follows_the_filters_and_hides_inactive_points(client, login_as, points, clock):
    clock(2026, 12, 6, 10, 0)  # Sunday
    points["33039"].active = False
    db.session.commit()
    login_as("employee")
    assert len(client.get("/api/collection-points.geojson").json["features"]) == 27
    laptops = client.get("/api/collection-points.geojson?item=laptop").json["features"]
    assert laptops and all("laptop" in f["properties"]["accepted"] for f in laptops)
    assert client.get("/api/collection-points.geojson?open=1").json["features"] == []
    bad = client.get("/api/collection-points.geojson?item=fridge")
    assert bad.status_code == 400 and "fridge" in bad.json["error"]


# --- returns ---------------------------------------------------------------------------------------------


def test_declare_the_return_of_an_asset_to_return(client, login_as, points, make_asset, clock):
    now = clock(2026, 12, 2, 10, 0)
    user = login_as("employee")
    asset = make_asset(user, category="laptop", model_name="Latitude 5420")
    point = points["33039"]
    form = client.get(f"/collection-points/{point.id}/return").get_data(as_text=True)
    assert "Latitude 5420 (BXM-" in form
    response = client.post(
        f"/collection-points/{point.id}/return",
        data={"device": str(asset.id), "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/collection-points/my-returns"
    db.session.expire_all()
    assert asset.status == AssetStatus.RETURNED.value
    assert asset.status_changed_at == now
    recorded = db.session.scalar(sa.select(DeviceReturn))
    assert (recorded.point_id, recorded.user_id, recorded.asset_id, recorded.item, recorded.quantity) == (
        point.id,
        user.id,
        asset.id,
        "laptop",
        1,
    )
    mine = client.get("/collection-points/my-returns").get_data(as_text=True)
    assert "Merci ! Votre dépôt est enregistré (Mairie de Bègles)." in mine
    assert "Latitude 5420" in mine and "En attente de confirmation" in mine
    # Returned: no longer offered.
    assert "Latitude 5420" not in client.get(f"/collection-points/{point.id}/return").get_data(as_text=True)


def test_declare_personal_devices(client, login_as, points):
    user = login_as("employee")
    point = points["33039"]
    response = client.post(
        f"/collection-points/{point.id}/return",
        data={"device": "personal", "item": "smartphone", "quantity": "2", "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 303
    recorded = db.session.scalar(sa.select(DeviceReturn))
    assert (recorded.user_id, recorded.asset_id, recorded.item, recorded.quantity) == (user.id, None, "smartphone", 2)


def test_someone_elses_asset_cannot_be_declared(client, login_as, points, make_user, make_asset):
    other = make_user()
    theirs = make_asset(other)
    login_as("employee")
    response = client.post(
        f"/collection-points/{points['33039'].id}/return",
        data={"device": str(theirs.id), "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert theirs.status == AssetStatus.TO_RETURN.value
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeviceReturn)) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choisissez ce que vous avez déposé."),
        ({"device": "personal", "quantity": "1"}, "Choisissez le type d’appareil déposé."),
        ({"device": "personal", "item": "smartphone", "quantity": "0"}, '<a href="#quantity">Combien ?</a>'),
        ({"device": "personal", "item": "smartphone", "quantity": "50"}, '<a href="#quantity">Combien ?</a>'),
        ({"device": "personal", "item": "fridge", "quantity": "1"}, '<a href="#item">Type d’appareil personnel</a>'),
    ],
)
def test_bad_return_forms_answer_422_with_the_problem(client, login_as, points, data, message):
    login_as("employee")
    response = client.post(
        f"/collection-points/{points['33039'].id}/return", data={**data, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Le dépôt n’a pas été enregistré" in html and message in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeviceReturn)) == 0


def test_a_point_not_taking_laptops_does_not_offer_mine(client, login_as, points, make_asset):
    user = login_as("employee")
    asset = make_asset(user, category="laptop", model_name="Latitude 5420")
    make_asset(user, category="monitor", model_name="Écran 24 pouces")
    ambes = points["33004"]
    assert not ambes.accepts("laptop")
    html = client.get(f"/collection-points/{ambes.id}/return").get_data(as_text=True)
    assert f'type="radio" value="{asset.id}"' not in html
    assert "Vos autres appareils à restituer" in html and "Écran 24 pouces" in html
    response = client.post(
        f"/collection-points/{ambes.id}/return", data={"device": str(asset.id), "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 422


def test_withdraw_my_declaration_and_the_asset_is_to_return_again(client, login_as, points, make_asset):
    user = login_as("employee")
    asset = make_asset(user)
    client.post(
        f"/collection-points/{points['33039'].id}/return",
        data={"device": str(asset.id), "csrf_token": csrf_token(client)},
    )
    recorded = db.session.scalar(sa.select(DeviceReturn))
    response = client.post(
        f"/collection-points/my-returns/{recorded.id}/cancel", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeviceReturn)) == 0
    assert asset.status == AssetStatus.TO_RETURN.value
    assert "Votre déclaration est retirée." in client.get("/collection-points/my-returns").get_data(as_text=True)


def test_someone_elses_return_is_404(client, login_as, points, make_user):
    other = make_user()
    theirs = declare_return(points["33039"], user=other, item="tablet")
    db.session.commit()
    login_as("employee")
    response = client.post(f"/collection-points/my-returns/{theirs.id}/cancel", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 404
    assert (
        client.post("/collection-points/my-returns/999999/cancel", data={"csrf_token": csrf_token(client)}).status_code
        == 404
    )
    assert db.session.get(DeviceReturn, theirs.id) is not None
    assert "Tablettes" not in client.get("/collection-points/my-returns").get_data(as_text=True)


def test_a_confirmed_return_cannot_be_withdrawn(client, login_as, points, make_user):
    user = login_as("employee")
    mine = declare_return(points["33039"], user=user, item="tablet")
    confirm_receipt(mine, admin=make_user(roles=("admin",)))
    db.session.commit()
    page = client.get("/collection-points/my-returns").get_data(as_text=True)
    assert "Reçu le" in page and "Retirer" not in page
    response = client.post(f"/collection-points/my-returns/{mine.id}/cancel", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303
    assert db.session.get(DeviceReturn, mine.id) is not None
    assert "déjà été confirmé" in client.get("/collection-points/my-returns").get_data(as_text=True)


def test_english_interface(client, login_as, points, clock):
    clock(2026, 12, 5, 15, 0)  # Saturday afternoon
    login_as("employee", locale="en")
    html = client.get("/collection-points?q=begles").get_data(as_text=True)
    assert heading(html) == "28 collection points, nearest to Bègles first"
    assert "Closed – opens Monday at 8:30" in html
    assert "<strong>0.0\u202fkm</strong>" in html
    page = client.get(f"/collection-points/{points['33039'].id}").get_data(as_text=True)
    assert '<th scope="row">Monday</th><td>8:30–12:30, 13:30–17:30</td>' in page
    assert "Before you return a device" in page
