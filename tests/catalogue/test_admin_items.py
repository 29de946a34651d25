"""Catalogue administration: access, the searchable list, creating and editing items, withdrawing them."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.catalogue.footprints import label_for, load_factor_set, refresh_item
from portal.catalogue.models import CatalogueItem, Factor
from portal.catalogue.services import seed_catalogue, seed_factors, update_factor
from portal.models import db
from tests.conftest import csrf_token

ADMIN_PAGES = (
    "/admin/catalogue",
    "/admin/catalogue/new",
    "/admin/catalogue/export.csv",
    "/admin/catalogue/import",
    "/admin/factors",
    "/admin/factors/laptop/edit",
)


@pytest.fixture
def seeded() -> dict[str, CatalogueItem]:
    """The packaged catalogue (≈210 items), by SKU."""
    seed_catalogue()
    db.session.commit()
    return {item.sku: item for item in db.session.scalars(sa.select(CatalogueItem))}


@pytest.fixture
def new_item():
    """Create an item directly, with its results computed: new_item(sku="x", category="laptop", ...)."""
    seed_factors()

    def make(**overrides) -> CatalogueItem:
        values = {
            "sku": "test-laptop", "category": "laptop", "manufacturer": "Maker", "name": "Model",
            "price_eur": Decimal("1000"), "fabrication_kgco2e": Decimal("150"), "distribution_kgco2e": Decimal("10"),
            "end_of_life_kgco2e": Decimal("2"), "lifetime_years": Decimal("5"), "annual_kwh": Decimal("20"),
            "quality": "manufacturer", "source": "Maker product sheet", "source_year": 2024,
        }
        values.update(overrides)
        item = CatalogueItem(**values)
        db.session.add(item)
        db.session.flush()
        refresh_item(item, load_factor_set())
        db.session.commit()
        return item

    return make


def form_data(client, **overrides) -> dict[str, str]:
    """A valid item form, as a browser sends it (a checkbox left unticked is absent)."""
    data = {
        "csrf_token": csrf_token(client), "sku": "acme-book-14", "category": "laptop", "manufacturer": "Acme",
        "name": "Book 14", "price_eur": "899,90", "fabrication_kgco2e": "120", "distribution_kgco2e": "8",
        "end_of_life_kgco2e": "1.5", "lifetime_years": "5", "annual_kwh": "18", "error_ratio": "0.2",
        "quality": "manufacturer", "source": "Acme product carbon footprint", "source_year": "2024",
        "source_url": "https://acme.example/pcf.pdf", "refurbished_of_sku": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def assert_labels_consistent(category: str) -> None:
    """Every item of the category carries the label its footprint deserves against the current yardstick."""
    factor_set = load_factor_set()
    db.session.expire_all()
    for item in db.session.scalars(sa.select(CatalogueItem).where(CatalogueItem.category == category)):
        assert item.label == label_for(item.annualised_kgco2e, category, factor_set).value, item.sku


@pytest.mark.parametrize("role", ["employee", "manager", "comms"])
def test_only_admins_reach_the_catalogue_administration(client, login_as, new_item, role):
    item = new_item()
    login_as(role)
    for path in (*ADMIN_PAGES, f"/admin/catalogue/{item.id}/edit"):
        assert client.get(path).status_code == 403, path
    token = csrf_token(client)
    for path in ("/admin/catalogue/new", f"/admin/catalogue/{item.id}/edit", f"/admin/catalogue/{item.id}/active",
                 "/admin/catalogue/import", "/admin/factors/laptop/edit"):
        assert client.post(path, data={"csrf_token": token, "active": "0"}).status_code == 403, path
    assert db.session.get(CatalogueItem, item.id).active


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for path in ADMIN_PAGES:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_the_list_searches_filters_and_pages(client, login_as, seeded):
    login_as("admin", locale="en")
    total = len(seeded)
    page = client.get("/admin/catalogue").get_data(as_text=True)
    assert f"{total} items found" in page
    assert 'rel="next"' in page and "Page 1 of" in page
    assert page.count('<tr>') == 1 + 20  # header row and one page

    found = client.get("/admin/catalogue?q=macbook+air").get_data(as_text=True)
    assert "MacBook Air" in found and "Dell" not in found

    monitors = client.get("/admin/catalogue?category=monitor").get_data(as_text=True)
    names = re.findall(r'<th scope="row"><a href="/admin/catalogue/\d+/edit">([^<]+)</a>', monitors)
    assert names and all(seeded_item.category == "monitor" for seeded_item in seeded.values()
                         if f"{seeded_item.manufacturer} {seeded_item.name}" in names)

    fragment = client.get("/admin/catalogue?q=zzz-none", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert "<html" not in html and 'id="items-results"' in html and 'data-status="0 items found"' in html
    assert "No item matches this search" in html
    assert "HX-Request" in fragment.headers["Vary"]


def test_an_admin_creates_an_item_and_sees_its_label_and_footprint(client, login_as):
    seed_factors()
    login_as("admin", locale="en")
    assert client.get("/admin/catalogue/new").status_code == 200
    response = client.post("/admin/catalogue/new", data=form_data(client))
    assert response.status_code == 303
    item = db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.sku == "acme-book-14"))
    assert item.price_eur == Decimal("899.90") and item.error_ratio == Decimal("0.2") and item.active
    # 128.5 kg embodied over 5 years + 18 kWh × 0.0519: computed on save.
    assert item.embodied_kgco2e == Decimal("129.5000")
    assert item.annualised_kgco2e == Decimal("26.8342")
    assert item.label in "ABCDE" and item.result_quality == "manufacturer"

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"is saved: label {item.label}, 26.8" in page
    assert "Computed footprint and label" in page and "Per year of life: 26.8" in page


def test_an_english_admins_thousands_are_read_as_thousands(client, login_as):
    """« 1,299 » is one thousand two hundred and ninety-nine euros to an English reader, 1.299 to a French one."""
    seed_factors()
    login_as("admin", locale="en")
    response = client.post("/admin/catalogue/new", data=form_data(client, price_eur="1,299", annual_kwh="1,5"))
    assert response.status_code == 303
    item = db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.sku == "acme-book-14"))
    assert (item.price_eur, item.annual_kwh) == (Decimal("1299"), Decimal("1.5"))


def test_empty_masses_use_the_category_values(client, login_as):
    seed_factors()
    login_as("admin", locale="en")
    data = form_data(client, fabrication_kgco2e="", distribution_kgco2e="", end_of_life_kgco2e="",
                     lifetime_years="", annual_kwh="", quality="estimated", source_url="")
    assert client.post("/admin/catalogue/new", data=data).status_code == 303
    item = db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.sku == "acme-book-14"))
    assert item.fabrication_kgco2e is None and item.result_quality == "estimated"
    assert item.embodied_kgco2e > 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"category": "toaster"}, "category", "Choose one of the catalogue categories"),
        ({"fabrication_kgco2e": "-3"}, "fabrication_kgco2e", "Enter 0 or more."),
        ({"fabrication_kgco2e": "0", "distribution_kgco2e": "0", "end_of_life_kgco2e": "0"}, "fabrication_kgco2e",
         "At least one of fabrication, distribution and end of life must be greater than 0"),
        ({"lifetime_years": "0"}, "lifetime_years", "Enter a number greater than 0."),
        ({"lifetime_years": "16"}, "lifetime_years", "Enter at most 15."),
        ({"annual_kwh": "-1"}, "annual_kwh", "Enter 0 or more."),
        ({"price_eur": "-1"}, "price_eur", "Enter 0 or more."),
        ({"price_eur": "cheap"}, "price_eur", "Enter a number, for example 12.5."),
        ({"quality": "guessed"}, "quality", "Choose manufacturer, generic or estimated."),
        ({"source": "  "}, "source", "This field is required."),
        ({"source_year": "1850"}, "source_year", "Enter a year from 1990 to"),
        ({"source_year": "next year"}, "source_year", "Enter a year, for example 2023."),
        ({"source_url": "javascript:alert(1)"}, "source_url", "Enter an address starting with https://"),
        ({"sku": "has space"}, "sku", "Use letters, digits, dots, dashes and underscores only"),
        ({"sku": "test-laptop"}, "sku", "Another item already has this SKU."),
        ({"refurbished_of_sku": "test-laptop"}, "refurbished_of_sku",
         "Only a refurbished item can name the new model it comes from."),
        ({"refurbished": "y", "refurbished_of_sku": "test-monitor"}, "refurbished_of_sku",
         "The new model must be in the same category."),
        ({"refurbished": "y", "refurbished_of_sku": "nope"}, "refurbished_of_sku", "No catalogue item has this SKU."),
        ({"refurbished": "y", "refurbished_of_sku": "test-laptop-refurbished"}, "refurbished_of_sku",
         "The original model must be a new item, not a refurbished one."),
    ],
)
def test_invalid_items_are_refused_with_the_error_on_the_field(client, login_as, new_item, overrides, field, message):
    original = new_item()
    new_item(sku="test-monitor", category="monitor")
    new_item(sku="test-laptop-refurbished", refurbished=True, refurbished_of_id=original.id)
    login_as("admin", locale="en")
    response = client.post("/admin/catalogue/new", data=form_data(client, **overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    error = re.search(rf'<span class="error" id="{field}-error">([^<]*)</span>', page)
    assert error and message in error.group(1).replace("&#39;", "'")
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field}"', page)
    assert "The item is not saved" in page
    assert db.session.scalar(sa.select(sa.func.count(CatalogueItem.id))) == 3


def test_messages_are_in_french_by_default(client, login_as):
    seed_factors()
    login_as("admin")
    page = client.post("/admin/catalogue/new", data=form_data(client, lifetime_years="0", source="")).get_data(
        as_text=True)
    assert "Saisissez un nombre supérieur à 0." in page
    assert "Ce champ est obligatoire." in page


def test_posting_without_the_csrf_token_is_refused(client, login_as, new_item):
    item = new_item()
    login_as("admin")
    data = form_data(client)
    del data["csrf_token"]
    assert client.post("/admin/catalogue/new", data=data).status_code == 400
    assert client.post(f"/admin/catalogue/{item.id}/active", data={"active": "0"}).status_code == 400
    assert db.session.get(CatalogueItem, item.id).active


def test_an_unknown_item_is_not_found(client, login_as, new_item):
    item = new_item()
    login_as("admin")
    token = csrf_token(client)
    assert client.get(f"/admin/catalogue/{item.id + 1}/edit").status_code == 404
    assert client.post(f"/admin/catalogue/{item.id + 1}/edit", data=form_data(client)).status_code == 404
    assert client.post(f"/admin/catalogue/{item.id + 1}/active", data={"csrf_token": token}).status_code == 404
    assert client.get("/admin/factors/toaster/edit").status_code == 404


def test_editing_an_item_recomputes_its_footprint(client, login_as, new_item):
    item = new_item()
    before = item.annualised_kgco2e
    login_as("admin", locale="en")
    page = client.get(f"/admin/catalogue/{item.id}/edit").get_data(as_text=True)
    assert 'value="test-laptop"' in page and 'value="150"' in page  # the form shows the stored values

    data = form_data(client, sku="test-laptop", fabrication_kgco2e="150", distribution_kgco2e="10",
                     end_of_life_kgco2e="2", lifetime_years="8", annual_kwh="20", error_ratio="",
                     source_url="", quality="manufacturer", source="Maker product sheet", price_eur="1000")
    response = client.post(f"/admin/catalogue/{item.id}/edit", data=data)
    assert response.status_code == 303
    db.session.expire_all()
    item = db.session.get(CatalogueItem, item.id)
    assert item.lifetime_years == 8 and item.annualised_kgco2e < before
    assert item.manufacturer == "Acme"

    again = client.post(f"/admin/catalogue/{item.id}/edit", data={**data, "csrf_token": csrf_token(client)})
    assert "Nothing has changed." in client.get(again.headers["Location"]).get_data(as_text=True)


def test_an_admin_keeps_the_same_sku_but_cannot_take_another_one(client, login_as, new_item):
    item = new_item()
    new_item(sku="other")
    login_as("admin", locale="en")
    taken = client.post(f"/admin/catalogue/{item.id}/edit", data=form_data(client, sku="other"))
    assert taken.status_code == 422 and "Another item already has this SKU." in taken.get_data(as_text=True)


def test_an_original_with_refurbished_variants_keeps_its_category(client, login_as, new_item):
    original = new_item()
    new_item(sku="test-laptop-refurbished", refurbished=True, refurbished_of_id=original.id)
    login_as("admin", locale="en")
    response = client.post(f"/admin/catalogue/{original.id}/edit",
                           data=form_data(client, sku="test-laptop", category="tablet"))
    assert response.status_code == 422
    assert "Refurbished items come from this model" in response.get_data(as_text=True)


def test_a_refurbished_variant_links_to_its_new_model(client, login_as, new_item):
    original = new_item()
    login_as("admin", locale="en")
    data = form_data(client, sku="test-laptop-r", refurbished="y", refurbished_of_sku="test-laptop", source_url="")
    assert client.post("/admin/catalogue/new", data=data).status_code == 303
    variant = db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.sku == "test-laptop-r"))
    assert variant.refurbished and variant.refurbished_of_id == original.id
    # Refurbished: only part of the embodied footprint is charged.
    assert variant.embodied_kgco2e < Decimal("129.5")
    page = client.get(f"/admin/catalogue/{variant.id}/edit").get_data(as_text=True)
    assert 'value="test-laptop"' in page and "checked" in page


def test_withdrawing_and_offering_again_never_deletes(client, login_as, new_item):
    item = new_item()
    login_as("admin", locale="en")
    response = client.post(f"/admin/catalogue/{item.id}/active", data={"csrf_token": csrf_token(client), "active": "0"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is withdrawn from the catalogue" in page and "Offer it again" in page
    assert not db.session.get(CatalogueItem, item.id).active
    assert "Withdrawn" in client.get("/admin/catalogue").get_data(as_text=True)
    assert client.get(f"/catalogue/{item.id}").status_code == 200  # admins still see it

    client.post(f"/admin/catalogue/{item.id}/active", data={"csrf_token": csrf_token(client), "active": "1"})
    db.session.expire_all()
    assert db.session.get(CatalogueItem, item.id).active


def test_withdrawing_a_model_moves_its_category_yardstick_and_labels(client, login_as, seeded):
    laptops = sorted((i for i in seeded.values() if i.category == "laptop" and i.source_url and not i.refurbished),
                     key=lambda i: i.annualised_kgco2e)
    before = db.session.scalar(sa.select(Factor.reference_annualised_kgco2e).where(Factor.key == "laptop"))
    login_as("admin", locale="en")
    lowest = laptops[0]
    response = client.post(f"/admin/catalogue/{lowest.id}/active",
                           data={"csrf_token": csrf_token(client), "active": "0"})
    assert "label yardstick moved" in client.get(response.headers["Location"]).get_data(as_text=True)
    after = db.session.scalar(sa.select(Factor.reference_annualised_kgco2e).where(Factor.key == "laptop"))
    assert after > before
    assert_labels_consistent("laptop")


def test_a_new_model_with_a_sheet_moves_the_median(client, login_as, seeded):
    before = db.session.scalar(sa.select(Factor.reference_annualised_kgco2e).where(Factor.key == "monitor"))
    login_as("admin", locale="en")
    data = form_data(client, sku="huge-screen", category="monitor", fabrication_kgco2e="900", lifetime_years="2")
    assert client.post("/admin/catalogue/new", data=data).status_code == 303
    after = db.session.scalar(sa.select(Factor.reference_annualised_kgco2e).where(Factor.key == "monitor"))
    assert after > before
    assert_labels_consistent("monitor")
    assert db.session.scalar(sa.select(CatalogueItem.label).where(CatalogueItem.sku == "huge-screen")) == "E"


def test_admin_pages_issue_a_fixed_number_of_queries(client, login_as, make_user, new_item):
    admin = login_as("admin")

    def queries(path: str) -> int:
        statements: list[str] = []

        def record(conn, cursor, statement, *args):  # noqa: ANN001
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get(path).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    new_item(sku="first")
    laptop = db.session.scalar(sa.select(Factor).where(Factor.key == "laptop"))
    update_factor(laptop, {"note": "first edit"}, by=admin, comment="first")  # the editors are loaded in one query
    db.session.commit()
    paths = ("/admin/catalogue", "/admin/factors", "/admin/factors/laptop/edit")
    few = [queries(path) for path in paths]
    for n in range(25):
        new_item(sku=f"more-{n}", refurbished=bool(n % 2))
    other_admin = make_user(roles=("admin",))
    for n in range(5):
        update_factor(laptop, {"note": f"note {n}"}, by=other_admin if n % 2 else admin, comment=f"edit {n}")
    db.session.commit()
    assert [queries(path) for path in paths] == few
