"""/admin/collection-points: edit points, import and export CSV and GeoJSON, confirm returns, weigh."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from importlib import resources

import pytest
import sqlalchemy as sa

from portal.locator.models import CollectionPoint, CollectionWeighing, DeviceReturn
from portal.locator.services import declare_return
from portal.models import db
from tests.conftest import csrf_token

PACKAGED = resources.files("portal.locator").joinpath("data/collection_points.csv").read_bytes()


def upload(client, name: str, content: bytes):
    return client.post(
        "/admin/collection-points/import",
        data={"csrf_token": csrf_token(client), "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def point_form(**overrides: str) -> dict[str, object]:
    values: dict[str, object] = {
        "code": "33039-mediatheque",
        "insee": "33039",
        "name": "Médiathèque de Bègles",
        "address": "Rue Ferdinand Buisson",
        "postcode": "33130",
        "lat": "44,8066",
        "lon": "-0.5412",
        "hours": "tu-sa 10:00-18:00",
        "closures": "2026-12-25",
        "accepted": ["smartphone", "charger_cable"],
        "access_notes": "Ascenseur.",
        "contact": "05 56 00 00 00",
        "active": "y",
    }
    values.update(overrides)
    return values


# --- points ---------------------------------------------------------------------------------------------


def test_admin_list_shows_every_point_with_its_counters(client, login_as, points, make_user):
    login_as("admin")
    declare_return(points["33039"], user=make_user(), item="smartphone", quantity=4)
    points["33004"].active = False
    db.session.commit()
    html = client.get("/admin/collection-points").get_data(as_text=True)
    assert "28 points" in html
    assert "1 dépôt attend une confirmation" in html
    assert "inactif" in html
    assert '<td class="num">4</td>' in html


def test_admin_creates_a_point(client, login_as, communes):
    login_as("admin")
    response = client.post("/admin/collection-points/new", data={**point_form(), "csrf_token": csrf_token(client)})
    assert response.status_code == 303
    point = db.session.scalar(sa.select(CollectionPoint).where(CollectionPoint.code == "33039-mediatheque"))
    assert point.lat == Decimal("44.8066") and point.lon == Decimal("-0.5412")
    assert point.hours == "tu-sa 10:00-18:00"
    assert point.accepted_items == ["smartphone", "charger_cable"]
    assert "Le point Médiathèque de Bègles est créé." in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hours", "lu-ve 9h-12h", "horaires non compris"),
        ("hours", "mo 09:00-12:00,11:00-13:00", "horaires non compris (exemple"),
        ("lat", "48.85", "coordonnées hors de Bordeaux Métropole"),
        ("lon", "abc", "la latitude ou la longitude n’est pas un nombre"),
        ("postcode", "33000", "ce code postal n’est pas celui de la commune"),
        ("closures", "25/12/2026", "date de fermeture non comprise"),
        ("code", "a b", "code invalide"),
        ("accepted", [], "Cochez au moins un type d’appareil."),
        ("accepted", ["fridge"], '<a href="#accepted">Appareils acceptés</a>'),
        ("insee", "75056", '<a href="#insee">Commune</a>'),
    ],
)
def test_bad_point_data_answers_422_with_the_field_and_the_problem(client, login_as, communes, field, value, message):
    login_as("admin")
    response = client.post(
        "/admin/collection-points/new", data={**point_form(**{field: value}), "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Le point n’a pas été enregistré" in html and message in html
    assert count(CollectionPoint) == 0


def test_admin_edits_a_point_and_codes_stay_unique(client, login_as, points):
    login_as("admin")
    begles = points["33039"]
    form = client.get(f"/admin/collection-points/{begles.id}").get_data(as_text=True)
    assert 'value="44.8078"' in form and 'value="mo-fr 08:30-12:30,13:30-17:30; sa 09:00-12:00"' in form
    data = point_form(code="33039", name="Mairie de Bègles (accueil)", hours="mo-fr 08:30-17:30")
    response = client.post(f"/admin/collection-points/{begles.id}", data={**data, "csrf_token": csrf_token(client)})
    assert response.status_code == 303
    db.session.expire_all()
    assert begles.name == "Mairie de Bègles (accueil)" and begles.hours == "mo-fr 08:30-17:30"
    taken = point_form(code="33063")
    response = client.post(f"/admin/collection-points/{begles.id}", data={**taken, "csrf_token": csrf_token(client)})
    assert response.status_code == 422
    assert "Ce code est déjà utilisé par un autre point." in response.get_data(as_text=True)


def test_admin_deactivates_a_point(client, login_as, points):
    login_as("admin")
    begles = points["33039"]
    data = point_form(code="33039", active="")
    data.pop("active")
    client.post(f"/admin/collection-points/{begles.id}", data={**data, "csrf_token": csrf_token(client)})
    db.session.expire_all()
    assert begles.active is False


def test_unknown_point_is_404_for_admins(client, login_as, communes):
    login_as("admin")
    assert client.get("/admin/collection-points/999999").status_code == 404
    response = client.post("/admin/collection-points/999999/weighings", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 404


# --- weighings and returns -----------------------------------------------------------------------------


def test_admin_records_the_weight_collected(client, login_as, points):
    admin = login_as("admin")
    begles = points["33039"]
    response = client.post(
        f"/admin/collection-points/{begles.id}/weighings",
        data={"collected_on": "2026-01-15", "weight_kg": "12,5", "note": "Bac plein", "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 303
    weighing = db.session.scalar(sa.select(CollectionWeighing))
    assert (weighing.weight_kg, weighing.collected_on, weighing.recorded_by_id) == (
        Decimal("12.50"),
        date(2026, 1, 15),
        admin.id,
    )
    html = client.get(f"/admin/collection-points/{begles.id}").get_data(as_text=True)
    assert "12,5 kg enregistrés pour Mairie de Bègles." in html
    assert "Bac plein" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"collected_on": "2026-01-15", "weight_kg": "0"}, 'id="weight_kg-error"'),
        ({"collected_on": "2026-01-15", "weight_kg": "beaucoup"}, 'id="weight_kg-error"'),
        ({"collected_on": "2999-01-01", "weight_kg": "3"}, "La date de collecte ne peut pas être dans le futur."),
        ({"collected_on": "", "weight_kg": "3"}, 'id="collected_on-error"'),
    ],
)
def test_bad_weighings_answer_422(client, login_as, points, data, message):
    login_as("admin")
    response = client.post(
        f"/admin/collection-points/{points['33039'].id}/weighings", data={**data, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Le poids n’a pas été enregistré" in html and message in html
    assert count(CollectionWeighing) == 0


def test_admin_confirms_receipts(client, login_as, points, make_user):
    admin = login_as("admin")
    employee = make_user(first_name="Inès", last_name="Lopez")
    pending = declare_return(points["33039"], user=employee, item="laptop")
    db.session.commit()
    html = client.get("/admin/collection-points/returns").get_data(as_text=True)
    assert "1 dépôt" in html and "Inès Lopez" in html and "Ordinateurs portables × 1" in html
    response = client.post(
        f"/admin/collection-points/returns/{pending.id}/receive",
        data={"csrf_token": csrf_token(client), "status": "pending"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/collection-points/returns?status=pending"
    db.session.expire_all()
    assert pending.received_by_id == admin.id and pending.received_at is not None
    assert "Réception confirmée : Inès Lopez, Mairie de Bègles." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert "Aucun dépôt à afficher." in client.get("/admin/collection-points/returns").get_data(as_text=True)
    assert "Inès Lopez" in client.get("/admin/collection-points/returns?status=received").get_data(as_text=True)
    assert client.get("/admin/collection-points/returns?status=lost").status_code == 400
    missing = client.post("/admin/collection-points/returns/999999/receive", data={"csrf_token": csrf_token(client)})
    assert missing.status_code == 404


def test_statistics_per_commune(client, login_as, points, make_user):
    login_as("admin")
    employee = make_user()
    declare_return(points["33039"], user=employee, item="smartphone", quantity=2)
    db.session.add(CollectionWeighing(point=points["33039"], collected_on=date(2026, 1, 2), weight_kg=Decimal("7.25")))
    db.session.commit()
    html = client.get("/admin/collection-points/statistics").get_data(as_text=True)
    assert '<tr><th scope="row">Bègles</th><td class="num">1</td><td class="num">2</td><td class="num">1</td>' in html
    assert "7,2" in html or "7,3" in html  # one decimal shown


# --- import ---------------------------------------------------------------------------------------------


def test_import_the_packaged_csv_then_again_changes_nothing(client, login_as, communes):
    login_as("admin")
    first = upload(client, "points.csv", PACKAGED)
    assert first.status_code == 200
    assert "Créés : 28" in first.get_data(as_text=True)
    assert count(CollectionPoint) == 28
    again = upload(client, "points.csv", PACKAGED).get_data(as_text=True)
    assert "Créés : 0" in again and "Inchangés : 28" in again


def test_import_reports_each_rejected_row_and_imports_the_others(client, login_as, communes):
    login_as("admin")
    lines = PACKAGED.decode().splitlines()
    bad_hours = lines[1].replace("08:30-12:00", "8h30-12h", 1)
    outside = lines[2].replace("45.0118", "48.8566")
    duplicate = lines[3]
    content = "\n".join([lines[0], bad_hours, outside, lines[3], duplicate, lines[4]]).encode()
    html = upload(client, "points.csv", content).get_data(as_text=True)
    assert "Créés : 2" in html and "Rejetés : 3" in html
    assert '<th scope="row" class="num">2</th><td>hours</td><td>horaires non compris' in html
    assert '<th scope="row" class="num">3</th><td>lat</td><td>coordonnées hors de Bordeaux Métropole' in html
    assert '<th scope="row" class="num">5</th><td>code</td><td>code déjà utilisé sur une ligne précédente' in html
    assert count(CollectionPoint) == 2


def test_import_accepts_semicolons_and_updates_known_codes(client, login_as, points):
    login_as("admin")
    content = (
        "code;insee;name;address;postcode;lat;lon;hours;accepted\n"
        "33039;33039;Mairie de Bègles;77 rue Calixte Camelle;33130;44,8078;-0,5480;mo-fr 09:00-12:00;smartphone\n"
        "33039-b;33039;Médiathèque;Rue Buisson;33130;44.8066;-0.5412;sa 10:00-12:00;tablet\n"
    ).encode()
    html = upload(client, "points.csv", content).get_data(as_text=True)
    assert "Créés : 1" in html and "Mis à jour : 1" in html
    db.session.expire_all()
    assert points["33039"].hours == "mo-fr 09:00-12:00" and points["33039"].accepted_items == ["smartphone"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("points.csv", b"PK\x03\x04\x14\x00\x06\x00binary xlsx", "n’est pas un fichier texte"),
        ("points.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "n’est pas un fichier texte"),
        ("points.csv", "insee,name\n33039,Bègles\n".encode("latin-1"), "n’est pas encodé en UTF-8"),
        ("points.csv", b"insee,name\n33039,Begles\n", "Manquantes : address"),
        ("points.csv", b"   \n", "Le fichier est vide."),
        ("points.geojson", b'{"type": "Feature"}', "n’est pas une FeatureCollection GeoJSON"),
        ("points.geojson", b"{not json", "n’est pas une FeatureCollection GeoJSON"),
        ("points.xlsx", b"PK\x03\x04", "Envoyez un fichier .csv ou .geojson."),
    ],
)
def test_import_refuses_files_that_are_not_point_lists(client, login_as, communes, name, content, message):
    login_as("admin")
    response = upload(client, name, content)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Le fichier n’a pas été importé" in html and message in html
    assert count(CollectionPoint) == 0


def test_import_without_a_file_answers_422(client, login_as, communes):
    login_as("admin")
    response = client.post("/admin/collection-points/import", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 422
    assert "Choisissez un fichier." in response.get_data(as_text=True)


def test_import_larger_than_the_limit_answers_413(app, client, login_as, communes, monkeypatch):
    login_as("admin")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    response = upload(client, "points.csv", PACKAGED * 3)
    assert response.status_code == 413
    assert "Fichier trop volumineux" in response.get_data(as_text=True)
    assert count(CollectionPoint) == 0


def test_import_geojson_with_longitude_first(client, login_as, communes):
    login_as("admin")
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "33039",
                "geometry": {"type": "Point", "coordinates": [-0.548, 44.8078]},
                "properties": {
                    "insee": "33039",
                    "name": "Mairie de Bègles",
                    "address": "77 rue Calixte Camelle",
                    "postcode": "33130",
                    "hours": "mo-fr 08:30-12:30",
                    "accepted": ["smartphone", "laptop"],
                    "active": True,
                },
            },
            {  # latitude first: outside the metropolis, rejected
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [44.8378, -0.5792]},
                "properties": {
                    "insee": "33063",
                    "name": "Mairie",
                    "address": "Place",
                    "postcode": "33000",
                    "hours": "mo 09:00-12:00",
                    "accepted": "smartphone",
                },
            },
            {"type": "Feature", "geometry": None, "properties": {"insee": "33063"}},
        ],
    }
    html = upload(client, "points.geojson", json.dumps(document).encode()).get_data(as_text=True)
    assert "Créés : 1" in html and "Rejetés : 2" in html
    assert '<th scope="col" class="num">Élément</th>' in html
    point = db.session.scalar(sa.select(CollectionPoint))
    assert (point.code, point.lat, point.lon) == ("33039", Decimal("44.8078"), Decimal("-0.548"))
    assert point.accepted_items == ["smartphone", "laptop"]


# --- export ---------------------------------------------------------------------------------------------


def test_csv_export_neutralises_formulas_and_reads_back_unchanged(client, login_as, points):
    login_as("admin")
    begles = points["33039"]
    begles.name = '=HYPERLINK("http://evil.example","Bègles")'
    begles.access_notes = "@SUM(A1:A2)"
    begles.contact = "+33 5 56 49 88 88"
    points["33063"].address = "-1 place Pey-Berland"
    db.session.commit()
    response = client.get("/admin/collection-points/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffcode,insee,name,")
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}
    assert len(rows) == 28
    assert rows["33039"]["name"] == '\'=HYPERLINK("http://evil.example","Bègles")'
    assert rows["33039"]["access_notes"] == "'@SUM(A1:A2)"
    assert rows["33039"]["contact"] == "'+33 5 56 49 88 88"
    assert rows["33063"]["address"] == "'-1 place Pey-Berland"
    assert rows["33039"]["lon"] == "-0.54800"  # a number is not a formula
    for row in rows.values():
        assert not row["name"].startswith(("=", "+", "-", "@"))

    # Read back: the apostrophes go, nothing changes.
    html = upload(client, "export.csv", response.get_data()).get_data(as_text=True)
    assert "Inchangés : 28" in html
    db.session.expire_all()
    assert begles.name.startswith("=HYPERLINK") and begles.contact == "+33 5 56 49 88 88"


def test_geojson_export_reads_back_unchanged(client, login_as, points):
    login_as("admin")
    points["33004"].active = False
    db.session.commit()
    response = client.get("/admin/collection-points/export.geojson")
    assert response.mimetype == "application/geo+json"
    document = json.loads(response.get_data(as_text=True))
    assert len(document["features"]) == 28  # inactive points included
    ambes = next(f for f in document["features"] if f["id"] == "33004")
    assert ambes["properties"]["active"] is False
    assert ambes["geometry"]["coordinates"] == [-0.5335, 45.0118]
    html = upload(client, "export.geojson", response.get_data()).get_data(as_text=True)
    assert "Inchangés : 28" in html and "Rejetés : 0" in html


def test_returns_keep_their_point_when_it_is_reimported(client, login_as, points, make_user):
    login_as("admin")
    declare_return(points["33039"], user=make_user(), item="tablet")
    db.session.commit()
    upload(client, "points.csv", PACKAGED)
    assert count(DeviceReturn) == 1 and count(CollectionPoint) == 28


# --- command line ---------------------------------------------------------------------------------------


def test_command_line_import_and_export(app, communes, tmp_path):
    runner = app.test_cli_runner()
    source = tmp_path / "points.csv"
    source.write_bytes(PACKAGED)
    result = runner.invoke(args=["collection-points", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "created: 28" in result.output
    geojson = tmp_path / "points.geojson"
    assert runner.invoke(args=["collection-points", "export", "--format", "geojson", str(geojson)]).exit_code == 0
    again = runner.invoke(args=["collection-points", "import", str(geojson)])
    assert "unchanged: 28" in again.output
    exported = runner.invoke(args=["collection-points", "export"])
    assert exported.output.startswith("code,insee,name,")
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"PK\x03\x04")
    refused = runner.invoke(args=["collection-points", "import", str(broken)])
    assert refused.exit_code == 1 and "not a text file" in refused.output
