"""The factor library: every factor with its source and yardstick; an edit is a new version that recomputes items."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.catalogue.models import CatalogueItem, Factor, FactorVersion
from portal.catalogue.services import seed_catalogue, seed_factors
from portal.models import db
from tests.conftest import csrf_token


@pytest.fixture
def seeded() -> dict[str, CatalogueItem]:
    """The packaged catalogue (≈210 items), by SKU."""
    seed_catalogue()
    db.session.commit()
    return {item.sku: item for item in db.session.scalars(sa.select(CatalogueItem))}


def factor(key: str) -> Factor:
    db.session.expire_all()
    return db.session.scalar(sa.select(Factor).where(Factor.key == key))


def factor_form(client, key: str, **overrides: str) -> dict[str, str]:
    """The factor's edit form as the page fills it, with the overrides typed in."""
    page = client.get(f"/admin/factors/{key}/edit").get_data(as_text=True)
    data = dict(re.findall(r'<input[^>]* id="(\w+)"[^>]* value="([^"]*)"', page))
    data.update(re.findall(r'<input[^>]* name="(\w+)"[^>]* value="([^"]*)"', page))
    selected = re.search(r'<option selected value="(\w+)"|<option value="(\w+)" selected', page)
    data["quality"] = next(g for g in selected.groups() if g)
    note = re.search(r'<textarea[^>]*id="note"[^>]*>\s*([^<]*)</textarea>', page)
    data["note"] = note.group(1) if note else ""
    data.update(overrides)
    return data


def test_the_library_lists_every_factor_with_source_version_and_yardstick(client, login_as, seeded):
    login_as("admin", locale="en")
    page = client.get("/admin/factors").get_data(as_text=True)
    keys = db.session.scalars(sa.select(Factor.key)).all()
    for key in keys:
        assert f'href="/admin/factors/{key}/edit"' in page, key
    laptop = factor("laptop")
    assert laptop.reference_source.startswith("catalogue_median:")
    count = laptop.reference_source.split(":")[1]
    assert f"median of the {count} models of the catalogue with a manufacturer sheet" in page
    assert "the category&#39;s published reference value" in page or "the category's published reference value" in page
    assert "Electricity in France" in page and "0.0519 kg CO₂e per kWh" in page
    assert laptop.source in page


def test_editing_a_factor_makes_a_version_and_recomputes_its_items(client, login_as, seeded):
    admin = login_as("admin", locale="en")
    docks = [item for item in seeded.values() if item.category == "dock"]
    before = {item.id: item.embodied_kgco2e for item in docks}
    dock = factor("dock")
    assert dock.version == 1

    data = factor_form(client, "dock", fabrication_kgco2e="66", comment="New ADEME figures for docks")
    response = client.post("/admin/factors/dock/edit", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    flash = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is now at version 2. 1 value changed. 2 items recomputed." in flash

    dock = factor("dock")
    assert dock.version == 2 and dock.fabrication_kgco2e == Decimal("66")
    version = db.session.scalar(sa.select(FactorVersion).where(FactorVersion.factor_id == dock.id,
                                                               FactorVersion.version == 2))
    assert version.changed_by_id == admin.id and version.comment == "New ADEME figures for docks"
    for item in db.session.scalars(sa.select(CatalogueItem).where(CatalogueItem.category == "dock")):
        assert item.embodied_kgco2e > before[item.id]  # generic items take the category's values

    # The history shows who, when, why and exactly the value that changed.
    history = flash.split('id="history-title"')[1]
    assert "Version 2, " in history and f"by {admin.full_name}" in history
    assert "Why: New ADEME figures for docks" in history
    changes = re.findall(r"<li>([^<]+: [^<]+ → [^<]+)</li>", history)
    assert changes == ["Manufacture (kg CO₂e): 33 → 66"]
    assert "Version 1, " in history and "by the portal" in history


def test_the_electricity_factor_recomputes_every_item(client, login_as, seeded):
    login_as("admin", locale="en")
    laptop = next(i for i in seeded.values() if i.category == "laptop" and i.annual_kwh)
    before = laptop.annual_use_kgco2e
    data = factor_form(client, "electricity_fr", value="0.1038", comment="Test: doubled mix")
    response = client.post("/admin/factors/electricity_fr/edit", data=data)
    assert response.status_code == 303
    message = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{len(seeded)} items recomputed" in message
    db.session.expire_all()
    assert db.session.get(CatalogueItem, laptop.id).annual_use_kgco2e == pytest.approx(before * 2, abs=Decimal("0.001"))


def test_a_factor_edit_needs_a_comment_and_valid_values(client, login_as, seeded):
    login_as("admin", locale="en")
    data = factor_form(client, "laptop", lifetime_years="0", annual_kwh="-2", source_year="1700", comment="")
    response = client.post("/admin/factors/laptop/edit", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="comment-error">Say why you change this factor.' in page
    assert 'id="lifetime_years-error">Enter a number greater than 0.' in page
    assert 'id="annual_kwh-error">Enter 0 or more.' in page
    assert 'id="source_year-error">Enter a year from 1990 to' in page
    zero = factor_form(client, "laptop", fabrication_kgco2e="0", distribution_kgco2e="0", end_of_life_kgco2e="0",
                       comment="zero")
    assert "At least one of fabrication" in client.post("/admin/factors/laptop/edit", data=zero).get_data(as_text=True)
    assert factor("laptop").version == 1


def test_saving_without_a_change_makes_no_version(client, login_as, seeded):
    login_as("admin", locale="en")
    response = client.post("/admin/factors/monitor/edit", data=factor_form(client, "monitor", comment="just looking"))
    assert response.status_code == 303
    assert "Nothing has changed: no new version was made." in client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert factor("monitor").version == 1


def test_factor_edits_need_the_csrf_token_and_a_known_factor(client, login_as):
    seed_factors()
    login_as("admin")
    data = {"fabrication_kgco2e": "1", "comment": "x"}
    assert client.post("/admin/factors/laptop/edit", data=data).status_code == 400
    unknown = client.post("/admin/factors/toaster/edit", data={**data, "csrf_token": csrf_token(client)})
    assert unknown.status_code == 404
    assert factor("laptop").version == 1


@pytest.mark.parametrize(
    ("locale", "names", "texts"),
    [
        ("fr", ["Électricité en France", "Voiture compacte essence", "Camionnette", "Stockage des données",
                "Produits informatiques achetés\u202f: ratio monétaire"],
         ["kg CO₂e par véhicule-km", "kg CO₂e par euro dépensé", "g CO₂e par Go stocké et par an",
          "modèle transport\u202f: carburant + fabrication du véhicule"]),
        ("en", ["Electricity in France", "Compact petrol car", "Van", "Data storage",
                "IT products bought: monetary ratio"],
         ["kg CO₂e per vehicle-km", "kg CO₂e per euro spent", "g CO₂e per GB stored per year",
          "transport model: fuel + vehicle construction"]),
    ],
)
def test_the_estate_and_budget_factors_are_named_in_the_readers_language(client, login_as, seeded, locale, names,
                                                                         texts):
    from portal.budgets.services import seed_monetary_factor
    from portal.estate.services import seed_vehicle_factors

    seed_vehicle_factors()
    seed_monetary_factor()
    db.session.commit()
    login_as("admin", locale=locale)
    page = client.get("/admin/factors").get_data(as_text=True)
    for name in names + texts:
        assert name in page
    for key in ("vehicle_van", "storage_gb_year", "monetary_it_products", "kgCO2e/vehicle-km"):
        assert f">{key}" not in page and f" {key}<" not in page
    edit = client.get("/admin/factors/vehicle_van/edit").get_data(as_text=True)
    assert names[2] in edit and texts[0] in edit
