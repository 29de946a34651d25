"""The ITSM administration in a real browser, in French: the status page after a sync against a real Table
API, a run's report with its refused records, and an unknown model mapped after its preview; axe-core clean."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal.catalogue.models import Asset
from portal.itsm import sync
from portal.itsm.client import Connection
from portal.itsm.settings import ItsmSettings
from portal.models import db
from tests.e2e.helpers import assert_accessible, measure_ecoindex
from tests.itsm.records import hardware
from tests.itsm.table_api import TableApi


def test_admin_reads_the_status_a_run_report_and_maps_an_unknown_model(page: Page, make_user, browser_login,
                                                                          catalogue):
    instance = TableApi()
    url = instance.start()
    try:
        elitebook = {"model.display_name": "HP EliteBook 840 G9", "model.manufacturer.name": "HP"}
        instance.put("alm_hardware", [hardware(1), hardware(2, **elitebook), hardware(3, **elitebook),
                                      hardware(4, asset_tag="P000001")])
        settings = ItsmSettings(connection=Connection(url, instance.username, instance.password))
        run = sync.run_sync(settings, checkpoint=db.session.commit, tables=["alm_hardware"])
    finally:
        instance.stop()
    admin = make_user(roles=("admin",), first_name="Adèle", last_name="Martin", email="adele@test.example")
    browser_login(admin)

    # The status page: configuration, the sync button, what waits, the runs.
    page.goto("/")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Lien avec l’ITSM").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lien avec l’ITSM (ServiceNow)")
    expect(page.get_by_role("button", name="Synchroniser maintenant")).to_be_visible()
    expect(page.get_by_role("link", name="1 modèle à faire correspondre au catalogue")).to_be_visible()
    runs = page.get_by_role("table").filter(has_text="Résultat")
    expect(runs).to_contain_text("4 lus, 3 créés, 0 mis à jour, 1 refusés")
    assert_accessible(page)
    eco = measure_ecoindex(page, "/admin/itsm")
    assert eco.grade == "A", eco

    # A run's report: the counts per table and the refused record with its key and reason.
    page.get_by_role("link", name=f"N° {run.id}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Exécution n° {run.id}")
    expect(page.get_by_role("status").first).to_have_text("Terminée")
    refused = page.get_by_role("region", name="Enregistrements refusés")
    expect(refused.get_by_role("row").nth(1)).to_contain_text("P000001")
    expect(refused.get_by_role("row").nth(1)).to_contain_text("numéro d’inventaire déjà sur un autre enregistrement")
    assert_accessible(page)

    # The model to map: the most similar items, a preview, then the mapping for every device.
    page.get_by_role("link", name="Modèles", exact=True).click()
    page.get_by_role("link", name="HP EliteBook 840 G9").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Faire correspondre un modèle : HP EliteBook 840 G9")
    page.get_by_label("HP EliteBook 845 G8 Notebook PC").check()
    page.get_by_role("button", name="Aperçu").first.click()
    preview = page.get_by_role("region", name="Si mis en correspondance avec HP EliteBook 845 G8 Notebook PC")
    expect(preview).to_contain_text("2 appareils changent (2 dans le parc, 2 en service).")
    expect(preview).to_contain_text("Empreinte par an de ses appareils dans le parc")
    assert_accessible(page)
    preview.get_by_role("button", name="Faire correspondre ce modèle").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "HP EliteBook 840 G9 est mis en correspondance\u00a0: 2 appareils modifiés.")
    expect(page.get_by_text("Aucun modèle n’attend de correspondance.")).to_be_visible()
    assert_accessible(page)
    db.session.expire_all()
    devices = db.session.scalars(sa.select(Asset).where(Asset.model_name == "HP EliteBook 840 G9")).all()
    assert {(d.item.name, d.model_estimated) for d in devices} == {("EliteBook 845 G8 Notebook PC", False)}
