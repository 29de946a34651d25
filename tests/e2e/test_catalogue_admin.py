"""The catalogue administration in a real browser: search the items, edit a factor and read its history,
create an item and see its label, import a CSV file; axe-core clean on every page."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal.catalogue.item_values import ITEM_COLUMNS
from portal.catalogue.models import CatalogueItem
from portal.catalogue.services import seed_catalogue
from portal.models import db
from tests.e2e.helpers import assert_accessible, measure_ecoindex


def test_admin_edits_a_factor_creates_an_item_and_imports_a_file(page: Page, make_user, browser_login, tmp_path):
    seed_catalogue()
    db.session.commit()
    total = db.session.scalar(sa.select(sa.func.count(CatalogueItem.id)))
    admin = make_user(roles=("admin",), first_name="Adèle", last_name="Martin", email="adele@test.example")
    browser_login(admin)

    # The list: paginated, searched with htmx (the URL follows), light enough.
    page.goto("/admin/catalogue")
    expect(page.get_by_role("heading", level=2)).to_have_text(f"{total} articles trouvés")
    assert_accessible(page)
    eco = measure_ecoindex(page, "/admin/catalogue")
    print(f"admin catalogue list: {eco}")
    page.get_by_label("Référence, modèle ou fabricant").fill("macbook air")
    expect(page.get_by_role("heading", level=2)).to_have_text("3 articles trouvés")
    expect(page).to_have_url("/admin/catalogue?q=macbook%20air&category=")
    expect(page.locator("#live-status")).to_have_text("3 articles trouvés")
    page.get_by_label("Catégorie").select_option("monitor")
    expect(page.get_by_role("heading", level=2)).to_have_text("0 article trouvé")
    assert_accessible(page)

    # A factor edit: a new version, items recomputed, the history says who changed what and why.
    page.get_by_role("link", name="Bibliothèque de facteurs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bibliothèque de facteurs")
    assert_accessible(page)
    page.get_by_role("link", name="Station d’accueil").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Facteur : Station d’accueil")
    assert_accessible(page)
    page.get_by_label("Fabrication (kg CO₂e)").fill("66")
    page.get_by_role("button", name="Enregistrer une nouvelle version").click()
    expect(page.locator("#comment-error")).to_have_text("Indiquez pourquoi vous modifiez ce facteur.")
    expect(page.get_by_label("Pourquoi cette modification ?")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.get_by_label("Pourquoi cette modification ?").fill("Nouvelle étude ADEME sur les stations d’accueil")
    page.get_by_role("button", name="Enregistrer une nouvelle version").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "passe en version 2. 1 valeur modifiée. 2 articles recalculés."
    )
    history = page.get_by_role("region", name="Historique")
    expect(history.get_by_role("heading", level=3).first).to_contain_text("Version 2")
    expect(history.get_by_role("heading", level=3).first).to_contain_text("par Adèle Martin")
    expect(history).to_contain_text("Motif : Nouvelle étude ADEME sur les stations d’accueil")
    expect(history).to_contain_text("Fabrication (kg CO₂e)\u202f: 33 → 66")
    assert_accessible(page)

    # A new item: refused while a value is wrong, then saved with its label and footprint shown.
    page.get_by_role("link", name="Nouvel article").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvel article du catalogue")
    assert_accessible(page)
    page.get_by_label("Référence", exact=True).fill("acme-book-14")
    page.get_by_label("Catégorie").select_option("laptop")
    page.get_by_label("Fabricant").fill("Acme")
    page.get_by_label("Nom du modèle").fill("Book 14")
    page.get_by_label("Prix (€ TTC)").fill("899,90")
    page.get_by_label("Fabrication (kg CO₂e)").fill("120")
    page.get_by_label("Durée de vie (années)").fill("0")
    page.get_by_label("Consommation électrique (kWh par an)").fill("18")
    page.get_by_label("Qualité de ces chiffres").select_option("manufacturer")
    page.get_by_label("Source", exact=True).fill("Fiche PCF Acme")
    page.get_by_label("Année de la source").fill("2024")
    page.get_by_role("button", name="Créer l’article").click()
    expect(page.get_by_role("alert")).to_contain_text("L’article n’est pas enregistré")
    expect(page.locator("#lifetime_years-error")).to_have_text("Saisissez un nombre supérieur à 0.")
    assert_accessible(page)
    page.get_by_label("Durée de vie (années)").fill("6")
    page.get_by_role("button", name="Créer l’article").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Book 14")
    expect(page.get_by_role("status").first).to_contain_text("« Book 14 » est enregistré : étiquette")
    computed = page.get_by_role("region", name="Empreinte et étiquette calculées")
    item = db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.sku == "acme-book-14"))
    expect(computed.locator(".eco-label b")).to_have_text(item.label)
    per_year = f"{item.annualised_kgco2e:.1f}".replace(".", ",")
    expect(computed).to_contain_text(f"Par année de vie : {per_year}\u202fkg\u202fCO₂e")
    assert_accessible(page)

    # An import: the report names the rejected line; the others are in.
    csv_file = tmp_path / "items.csv"
    good = ["acme-dock", "dock", "Acme", "Dock 2", "no", "", "150", "", "", "", "", "", "", "estimated", "Acme",
            "2024", "", "yes"]
    bad = ["acme-bad", "dock", "Acme", "Dock 3", "no", "", "-1", "", "", "", "", "", "", "estimated", "Acme",
           "2024", "", "yes"]
    csv_file.write_text("\n".join(",".join(row) for row in (ITEM_COLUMNS, good, bad)) + "\n", encoding="utf-8")
    page.get_by_role("link", name="Importer un fichier CSV").click()
    assert_accessible(page)
    page.get_by_label("Fichier CSV").set_input_files(str(csv_file))
    page.get_by_role("button", name="Importer", exact=True).click()
    report = page.get_by_role("region", name="Compte rendu de l’import")
    expect(report).to_contain_text("Créés : 1")
    expect(report).to_contain_text("Rejetés : 1")
    expect(report.get_by_role("row", name="3")).to_contain_text("Saisissez 0 ou plus.")
    expect(report).to_contain_text("toutes les autres lignes l’ont été")
    assert_accessible(page)
