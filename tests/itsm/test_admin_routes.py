"""The ITSM administration pages: admins only, what they show, the mapping of a model, bad input."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from portal.catalogue.footprints import load_factor_set
from portal.catalogue.models import Asset, CatalogueItem
from portal.catalogue.my_footprint import category_annualised
from portal.formatting import kgco2e
from portal.itsm import services
from portal.itsm.models import ItsmModel, SyncRun, Watermark
from portal.models import db
from tests.conftest import csrf_token
from tests.itsm.records import hardware

PAGES = ("/admin/itsm", "/admin/itsm/models", "/admin/itsm/emails", "/admin/itsm/import")


@pytest.fixture
def synced(instance, sync_now, catalogue, make_user):
    """A completed sync: five Latitude 5430, three unknown EliteBook 840 G9 (two in use), an unknown e-mail."""
    make_user(email="claire.martin@test.example")
    elitebook = {"model.display_name": "HP EliteBook 840 G9", "model.manufacturer.name": "HP"}
    instance.put("alm_hardware", [
        *(hardware(n, **{"assigned_to.email": "claire.martin@test.example"}) for n in range(1, 6)),
        hardware(6, **elitebook), hardware(7, **elitebook),
        hardware(8, install_status="7", substatus="disposed", **elitebook),
        hardware(9, **{"assigned_to.email": "nobody@test.example"}),
        hardware(10, asset_tag="P000001"),
    ])
    return sync_now(tables=["alm_hardware"])


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.mark.parametrize("role", ["employee", "manager", "comms"])
def test_the_pages_are_for_admins_only(client, login_as, role):
    login_as(role)
    for path in PAGES:
        assert client.get(path).status_code == 403, path


def test_unknown_ids_are_not_found(client, login_as):
    login_as("admin")
    for path in ("/admin/itsm/runs/999", "/admin/itsm/runs/999/problems.csv", "/admin/itsm/models/999"):
        assert client.get(path).status_code == 404, path
    assert client.post("/admin/itsm/models/999", data={"csrf_token": csrf_token(client)}).status_code == 404


def test_posts_without_the_csrf_token_are_refused(client, login_as, synced):
    login_as("admin")
    model = db.session.scalar(sa.select(ItsmModel).where(ItsmModel.match == "category"))
    assert client.post("/admin/itsm/sync").status_code == 400
    assert client.post(f"/admin/itsm/models/{model.id}", data={"category": "desktop"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(SyncRun.id))) == 1


def test_the_status_page_in_french_shows_the_configuration_without_the_secret(app, client, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "SERVICENOW_INSTANCE_URL", "https://bxm.service-now.com")
    monkeypatch.setitem(app.config, "SERVICENOW_USERNAME", "svc.portail")
    monkeypatch.setitem(app.config, "SERVICENOW_PASSWORD", "Tr0ub4dor&3")
    login_as("admin")
    page = _text(client.get("/admin/itsm"))
    assert "<h1>Lien avec l’ITSM (ServiceNow)</h1>" in page
    assert "https://bxm.service-now.com" in page and "Basic (compte d’intégration) – svc.portail" in page
    assert "toutes les 60 minutes" in page and "Tr0ub4dor" not in page


def test_the_status_page_says_what_is_wrong_with_the_configuration(app, client, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "SERVICENOW_INSTANCE_URL", "https://svc:Tr0ub4dor@bxm.service-now.com")
    login_as("admin", locale="en")
    page = _text(client.get("/admin/itsm"))
    assert "SERVICENOW_INSTANCE_URL must not hold credentials" in page and "Tr0ub4dor" not in page


def test_sync_now_asks_the_jobs_process_once(client, login_as):
    login_as("admin", locale="en")
    response = client.post("/admin/itsm/sync", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303
    page = _text(client.get("/admin/itsm"))
    assert "Sync requested: the jobs process starts it within a minute." in page
    assert "A sync was requested at" in page and 'hx-trigger="every 5s"' in page
    client.post("/admin/itsm/sync", data={"csrf_token": csrf_token(client)})
    assert "A sync is already waiting or running" in _text(client.get("/admin/itsm"))
    assert db.session.scalar(sa.select(sa.func.count(SyncRun.id))) == 1


def test_a_run_report_lists_counts_and_refused_records_in_the_users_language(client, login_as, synced):
    login_as("admin", locale="en")
    page = _text(client.get("/admin/itsm"))
    assert "10 read, 9 created, 0 updated, 1 refused" in page
    assert "1 model to map to the catalogue" in page and "1 e-mail of no employee" in page
    report = _text(client.get(f"/admin/itsm/runs/{synced.id}"))
    assert "Completed" in report and "<td class=\"num\">10 / 10</td>" in report
    assert "P000001 <small>Hardware assets, no. 10</small></th><td>asset tag already on another record" in report
    french = client.post("/language", data={"locale": "fr", "csrf_token": csrf_token(client)})
    assert french.status_code in (302, 303)
    report = _text(client.get(f"/admin/itsm/runs/{synced.id}?table=nothing&page=x"))
    assert "numéro d’inventaire déjà sur un autre enregistrement" in report
    csv = client.get(f"/admin/itsm/runs/{synced.id}/problems.csv")
    assert csv.mimetype == "text/csv" and "alm_hardware,10,P000001," in csv.get_data(as_text=True)


def test_mapping_an_unknown_model_previews_then_applies_to_every_device(app, client, login_as, synced):
    login_as("admin", locale="en")
    model = db.session.scalar(sa.select(ItsmModel).where(ItsmModel.name == "HP EliteBook 840 G9"))
    listing = _text(client.get("/admin/itsm/models"))
    assert "HP EliteBook 840 G9</a>" in listing and "Latitude 5430" not in listing  # mapped ones are not waiting
    target = db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.name == "EliteBook 845 G8 Notebook PC"))
    page = _text(client.get(f"/admin/itsm/models/{model.id}"))
    assert "The most similar items" in page and "EliteBook 845 G8 Notebook PC" in page
    preview = _text(client.get(f"/admin/itsm/models/{model.id}?item_id={target.id}"))
    laptop = db.session.scalar(sa.select(Asset).where(Asset.asset_tag == "P000006"))
    assert laptop.model_estimated and laptop.item_id is None
    assert "3 devices change (2 in the estate, 2 in use)" in preview  # the disposed one is not in the estate
    figures = services.mapping_preview(model, services.Target(item=target), load_factor_set())
    laptop_default = category_annualised(load_factor_set())["laptop"]
    assert (figures.before_kgco2e, figures.after_kgco2e) == (laptop_default * 2, target.annualised_kgco2e * 2)
    with app.test_request_context(), force_locale("en"):
        words = (f"Footprint per year of its devices in the estate: {kgco2e(figures.before_kgco2e)} now, "
                 f"{kgco2e(figures.after_kgco2e)} after ({kgco2e(figures.difference_kgco2e)}).")
    assert re.sub(r"\s+", " ", words.replace("(", "(+")) in preview  # more CO₂e: an EliteBook is no typical laptop
    response = client.post(f"/admin/itsm/models/{model.id}", data={"item_id": target.id,
                                                                    "csrf_token": csrf_token(client)})
    assert response.status_code == 303
    assert "HP EliteBook 840 G9 is mapped: 3 devices changed." in _text(client.get("/admin/itsm/models"))
    db.session.expire_all()
    laptop = db.session.scalar(sa.select(Asset).where(Asset.asset_tag == "P000006"))
    assert (laptop.item_id, laptop.model_estimated) == (target.id, False)
    assert db.session.get(ItsmModel, model.id).match == "admin"


def test_mapping_to_a_category_and_bad_choices(client, login_as, synced):
    login_as("admin", locale="en")
    model = db.session.scalar(sa.select(ItsmModel).where(ItsmModel.name == "HP EliteBook 840 G9"))
    assert client.get(f"/admin/itsm/models/{model.id}?item_id=abc&category=spaceship").status_code == 200
    refused = client.post(f"/admin/itsm/models/{model.id}", data={"category": "spaceship",
                                                                   "csrf_token": csrf_token(client)})
    assert refused.status_code == 422 and "Choose a catalogue item or a category" in _text(refused)
    client.post(f"/admin/itsm/models/{model.id}", data={"category": "desktop", "csrf_token": csrf_token(client)})
    db.session.expire_all()
    assert {a.category for a in db.session.scalars(sa.select(Asset).where(Asset.model_name == model.name))} == {
        "desktop"}


def test_mapping_a_model_that_had_devices_refused_reads_them_again(client, login_as, instance, sync_now, catalogue):
    phone = {"model.display_name": "Cisco IP Phone 8845", "model.manufacturer.name": "Cisco",
             "model_category.name": "IP Phone"}
    instance.put("alm_hardware", [hardware(n, **phone) for n in range(1, 4)] + [hardware(9)])
    sync_now(tables=["alm_hardware"])
    model = db.session.scalar(sa.select(ItsmModel).where(ItsmModel.name == "Cisco IP Phone 8845"))
    login_as("admin", locale="en")
    client.post(f"/admin/itsm/models/{model.id}", data={"category": "smartphone", "csrf_token": csrf_token(client)})
    assert db.session.get(Watermark, "alm_hardware").updated_on.second == 1  # back to the first refused one
    run = sync_now(tables=["alm_hardware"])
    assert run.tables[0].created == 3


def test_unknown_emails_list_and_export(client, login_as, synced):
    login_as("admin", locale="en")
    page = _text(client.get("/admin/itsm/emails"))
    assert "<th scope=\"row\">nobody@test.example</th><td class=\"num\">1</td>" in page
    assert "nobody@test.example,1" in client.get("/admin/itsm/emails.csv").get_data(as_text=True)


def test_importing_a_file_from_the_page_shows_its_report(client, login_as, catalogue):
    login_as("admin", locale="en")
    body = b'{"result": [' + ",".join(__import__("json").dumps(hardware(n)) for n in (1, 2)).encode() + b"]}"
    response = client.post("/admin/itsm/import", data={
        "table": "alm_hardware", "file": (io.BytesIO(body), "hardware.json"), "csrf_token": csrf_token(client)},
        content_type="multipart/form-data")
    page = _text(response)
    assert response.status_code == 200 and "Created: 2" in page and "Every line of the file was imported." in page
    bad = client.post("/admin/itsm/import", data={
        "table": "alm_hardware", "file": (io.BytesIO(b"PK\x03\x04"), "hardware.xlsx"),
        "csrf_token": csrf_token(client)}, content_type="multipart/form-data")
    assert bad.status_code == 422 and "This is a spreadsheet" in _text(bad)
    unknown = client.post("/admin/itsm/import", data={
        "table": "incident", "file": (io.BytesIO(body), "hardware.json"), "csrf_token": csrf_token(client)},
        content_type="multipart/form-data")
    assert unknown.status_code == 422


def test_the_help_explains_the_inventory_to_everyone_and_the_link_to_admins(client, login_as):
    login_as("admin", locale="en")
    page = _text(client.get("/help"))
    assert "<h2 id=\"itsm\">Where the inventory comes from</h2>" in page
    assert "or when the similarity of their names is at least 0.85 with the same numbers" in page
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login_as("employee")
    page = _text(client.get("/help"))
    assert "D’où vient l’inventaire" in page and "ressemblance de leurs noms" not in page
