"""A catalogue that helps choose, in a real browser: it opens on laptops with each category's count, filters by
screen size, shows specs (demo values said), draws the A–E scale, names generic items in the reader's language
and gives them no letter (French at 1280 px, English at 390 px)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import assert_accessible, reflow_problems

WORDS = {
    "fr": {
        "laptops": "Ordinateur portable (2)",
        "screen": "Taille d’écran",
        "band": "Ordinateur portable, de 14 à 14,9 pouces",
        "one": "1 article",
        "specs": "Écran 14 pouces · Mémoire 16 Go (démo)",
        "scale": "Étiquette C, empreinte habituelle",
        "mouse": "Souris filaire (générique)",
        "no_label": "Pas d’étiquette A–E",
        "estimate": "Estimation\u202f: toutes les valeurs sont celles de la catégorie",
        "mice": "Souris (1)",
    },
    "en": {
        "laptops": "Laptop (2)",
        "screen": "Screen size",
        "band": "Laptop, 14 to 14.9 inches",
        "one": "1 item",
        "specs": "Screen 14 in · Memory 16 GB (demo)",
        "scale": "Label C, typical footprint",
        "mouse": "Wired mouse (generic)",
        "no_label": "No A–E label",
        "estimate": "Estimate: every value is the category's",
        "mice": "Mouse (1)",
    },
}


@pytest.mark.parametrize(("locale", "width"), [("fr", 1280), ("en", 390)])
def test_choose_a_laptop_by_screen_and_see_its_specs_and_scale(
    page: Page, make_user, make_item, browser_login, locale, width
):
    words = WORDS[locale]
    agent = make_user(first_name="Ana", locale=locale)
    book = make_item(
        name="Book 14",
        screen_inches=Decimal("14"),
        memory_gb=16,
        storage_gb=256,
        processor_class="mainstream",
        weight_kg=Decimal("1.4"),
        spec_demo_fields="memory_gb processor_class storage_gb",
    )
    make_item(name="Big 16", screen_inches=Decimal("16"), processor_class="mainstream")
    make_item(
        sku="mouse-wired",
        category="mouse",
        manufacturer="Generic",
        name="Wired mouse",
        quality="estimated",
        fabrication_kgco2e=None,
        distribution_kgco2e=None,
        end_of_life_kgco2e=None,
        lifetime_years=None,
        annual_kwh=None,
        price_eur=Decimal("12"),
    )

    page.set_viewport_size({"width": width, "height": 844})
    browser_login(agent)
    page.goto("/catalogue")
    choice = page.locator("nav.category-choice")
    expect(choice.get_by_role("link", name=words["laptops"])).to_have_attribute("aria-current", "page")
    expect(choice).to_contain_text(words["mice"])
    expect(page.locator("#catalogue-results h3")).to_have_count(2)  # laptops only
    fold = page.locator("details.fold-narrow")
    if fold.locator("> summary").is_visible():  # below 700 px the filters are folded
        fold.locator("> summary").click()
    page.get_by_label(words["screen"]).select_option(label=words["band"])
    expect(page.get_by_role("heading", level=2).first).to_have_text(words["one"])
    expect(page.locator("#catalogue-results")).to_contain_text(words["specs"])
    assert reflow_problems(page) is None
    assert_accessible(page)

    page.goto(f"/catalogue/{book.id}")
    expect(page.get_by_role("img", name=words["scale"])).to_be_visible()
    expect(page.locator(".eco-scale .band.current")).to_have_text("C")
    assert reflow_problems(page) is None
    assert_accessible(page)

    choice_link = "/catalogue?category=mouse"
    page.goto(choice_link)
    page.get_by_role("link", name=words["mouse"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["mouse"])
    expect(page.locator("main")).to_contain_text(words["no_label"])
    expect(page.locator("main")).to_contain_text(words["estimate"])
    expect(page.locator(".eco-scale")).to_have_count(0)
    assert_accessible(page)
