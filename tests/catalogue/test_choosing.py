"""A catalogue that helps choose: specs, a screen-size filter, a list that starts from a category, generic items
named in the reader's language, no letter without comparable models, an explained quality badge, the A–E scale."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.catalogue.models import CatalogueItem
from portal.catalogue.services import seed_catalogue
from portal.catalogue.specs import comparable
from portal.models import db


def _names(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/catalogue/\d+">([^<]+)</a>', html)


@pytest.fixture
def seeded() -> dict[str, CatalogueItem]:
    """The packaged catalogue, by SKU."""
    seed_catalogue()
    db.session.commit()
    return {item.sku: item for item in db.session.scalars(sa.select(CatalogueItem))}


def test_seeded_models_carry_their_specs_marked_by_source(seeded):
    latitude = seeded["dell-latitude-5430"]
    # Screen and weight from Dell's sheet (14.0 in, 1.36 kg shown to one decimal); memory, storage, class: demo.
    assert (latitude.screen_inches, latitude.weight_kg) == (Decimal("14.0"), Decimal("1.40"))
    assert (latitude.memory_gb, latitude.storage_gb, latitude.processor_class) == (16, 256, "mainstream")
    assert latitude.spec_demo_fields == "memory_gb processor_class storage_gb"
    assert seeded["apple-iphone-13-128gb"].storage_gb == 128  # "with 128GB" in the sheet's name
    assert seeded["hp-p22a-g4"].screen_inches == Decimal("22.0")
    assert seeded["mouse-wired"].screen_inches is None and seeded["mouse-wired"].spec_demo_fields == ""
    # Seeding again never overwrites an item's specs.
    latitude.memory_gb = 32
    db.session.commit()
    seed_catalogue()
    assert db.session.get(CatalogueItem, latitude.id).memory_gb == 32


def test_specs_show_in_the_list_the_item_page_and_the_comparison(client, login_as, seeded):
    login_as("employee")
    latitude, probook = seeded["dell-latitude-5430"], seeded["hp-probook-635-aero-g8"]
    listing = client.get("/catalogue?category=laptop&screen=laptop-14").get_data(as_text=True)
    assert (
        "Écran 14 pouces · Mémoire 16 Go (démo) · Stockage 256 Go (démo) · Processeur milieu de gamme (démo)" in listing
    )
    page = client.get(f"/catalogue/{latitude.id}").get_data(as_text=True)
    specs = page.split("Caractéristiques principales</h2>")[1].split("</table>")[0]
    assert re.search(r"Écran</th><td>14 pouces</td><td>Fiche constructeur", specs)
    assert re.search(r"Mémoire</th><td>16 Go</td><td>Valeur de démonstration", specs)
    compared = client.get(f"/catalogue/compare?ids={latitude.id},{probook.id}").get_data(as_text=True)
    assert re.search(r"Écran</th><td>14 pouces</td><td>13,3 pouces</td>", compared)


def test_the_screen_filter_keeps_laptops_of_that_size(client, login_as, seeded):
    login_as("employee")
    names = _names(client.get("/catalogue?screen=laptop-14&sort=price").get_data(as_text=True))
    fourteen = {
        f"{i.manufacturer} {i.name}"
        for i in seeded.values()
        if i.category == "laptop" and i.active and i.screen_inches is not None and 14 <= i.screen_inches < 15
    }
    assert names and set(names) <= fourteen and "Dell Latitude 5430" in fourteen
    monitors = _names(client.get("/catalogue?screen=monitor-27").get_data(as_text=True))
    assert "Dell P2723QE Monitor" in monitors and "HP P22a G4" not in monitors


def test_the_list_starts_from_laptops_with_the_count_of_each_category(client, login_as, make_item):
    login_as("employee")
    make_item(name="Book")
    make_item(name="Screen", category="monitor")
    make_item(name="Mouse", category="mouse")
    page = client.get("/catalogue").get_data(as_text=True)
    assert _names(page) == ["Maker Book"]
    nav = page.split('class="category-choice"')[1].split("</nav>")[0]
    assert "Ordinateur portable (1)</a>" in nav and 'aria-current="page">Ordinateur portable' in nav
    assert "Écran (1)" in nav and "Souris (1)" in nav and "Toutes les catégories (3)" in nav
    everything = client.get("/catalogue?category=").get_data(as_text=True)
    assert len(_names(everything)) == 3


def test_generic_items_are_named_in_the_readers_language(client, login_as, seeded):
    login_as("employee")
    mice = client.get("/catalogue?category=mouse").get_data(as_text=True)
    assert set(_names(mice)) == {"Souris filaire (générique)", "Souris sans fil (générique)"}
    laptops = client.get("/catalogue?category=laptop&screen=laptop-15&sort=price").get_data(as_text=True)
    assert "HP 250 G9 Notebook PC" in _names(laptops)  # a manufacturer's name stays as it is
    login_as("employee", locale="en", email="en@test.example")
    english = client.get("/catalogue?category=mouse").get_data(as_text=True)
    assert set(_names(english)) == {"Wired mouse (generic)", "Wireless mouse (generic)"}


def test_an_item_without_figures_of_its_own_gets_no_letter_and_says_why(client, login_as, seeded):
    login_as("employee")
    mouse = seeded["mouse-wired"]
    assert mouse.label == ""
    page = client.get(f"/catalogue/{mouse.id}").get_data(as_text=True)
    assert "Pas d’étiquette A–E\u202f: trop peu de modèles comparables" in page
    assert "trop peu de modèles comparables pour le classer" in page
    assert "0\u00a0%" not in page and "0 %" not in page
    assert "Estimation\u202f: toutes les valeurs sont celles de la catégorie" in page
    assert seeded["dell-latitude-5430"].label in "ABCDE"


def test_the_quality_badge_names_the_estimated_input(client, login_as, make_item):
    login_as("employee")
    sheet = make_item(name="Full sheet")
    partial = make_item(name="No lifetime", lifetime_years=None)
    assert "Fiche constructeur" in client.get(f"/catalogue/{sheet.id}").get_data(as_text=True)
    page = client.get(f"/catalogue/{partial.id}").get_data(as_text=True)
    assert "Estimation – durée de vie\u202f: valeur de la catégorie" in page


def test_the_label_is_drawn_as_a_scale_with_words_for_screen_readers(client, login_as, make_item):
    login_as("employee")
    item = make_item(name="Book")  # C (see test_footprints)
    page = client.get(f"/catalogue/{item.id}").get_data(as_text=True)
    scale = page.split('class="eco-scale"')[1].split("</span> ")[0]
    assert 'role="img"' in scale and "Étiquette C, empreinte habituelle, sur une échelle de A" in scale
    assert re.findall(r'class="band eco-(\w)( current)?"', scale) == [
        ("a", ""),
        ("b", ""),
        ("c", " current"),
        ("d", ""),
        ("e", ""),
    ]


def test_a_comparable_model_has_about_the_same_screen_and_the_same_class(make_item):
    base = make_item(screen_inches=Decimal("14"), processor_class="mainstream")
    assert comparable(base, make_item(screen_inches=Decimal("13.3"), processor_class="mainstream"))
    assert not comparable(base, make_item(screen_inches=Decimal("15.6"), processor_class="mainstream"))
    assert not comparable(base, make_item(screen_inches=Decimal("14"), processor_class="workstation"))
    assert not comparable(base, make_item(screen_inches=None, processor_class="mainstream"))
    assert not comparable(base, make_item(category="monitor", screen_inches=Decimal("14")))
