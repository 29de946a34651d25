"""IT budgets in a real browser: an admin plans next year's renewal and sees its sober variants before the
budget is approved; a manager approving an order sees what it does to the unit's carbon budget. In French and
in English."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from portal.budgets.services import current_year
from tests.e2e.helpers import assert_accessible, chart_texts_cut, measure_ecoindex, viewport_width

WORDS = {
    "fr": {
        "plan": "Le prévoir et voir ses variantes",
        "what": "Ce qui est prévu",
        "item": "Référence catalogue (SKU)",
        "quantity": "Quantité",
        "planned": "Achat prévu",
        "variants": ("Comme prévu", "50 % reconditionnés", "Gardés 2 ans de plus", "Modèle mieux étiqueté"),
        "approval": "Cette commande utilise 16 % du budget carbone restant de votre unité",
        "refurbished": "Une variante reconditionnée en utiliserait 4 %",
    },
    "en": {
        "plan": "Plan it and see its variants",
        "what": "What is planned",
        "item": "Catalogue reference (SKU)",
        "quantity": "Quantity",
        "planned": "Purchase planned",
        "variants": ("As planned", "50% refurbished", "Kept 2 years longer", "Better-labelled model"),
        "approval": "This order uses 16% of your unit's remaining carbon budget",
        "refurbished": "A refurbished variant would use 4%",
    },
}


def _text(locator) -> str:  # noqa: ANN001
    return locator.inner_text().replace("\u202f", " ").replace("\xa0", " ")


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_plan_a_renewal_see_its_variants_then_approve_an_order(
    page: Page, browser, base_url, locale, make_org_unit, make_user, make_item, make_order, make_line, browser_login
):
    words = WORDS[locale]
    unit = make_org_unit(kind="direction", name="Direction du numérique")
    laptop = make_item(name="Pro 14", fabrication_kgco2e=Decimal("150"), sku="pro-14")
    make_item(
        name="Pro 14",
        fabrication_kgco2e=Decimal("150"),
        refurbished=True,
        refurbished_of_id=laptop.id,
        price_eur=Decimal("600"),
        sku="pro-14-refurbished",
    )
    make_item(name="Eco 13", fabrication_kgco2e=Decimal("90"), price_eur=Decimal("950"))
    year = current_year()
    line = make_line(
        org_unit=unit,
        fiscal_year=year + 1,
        label="Renouvellement des portables",
        amount_eur=Decimal("600000"),
        carbon_budget_kgco2e=Decimal("60000"),
    )
    admin = make_user(roles=("admin",), locale=locale, email=f"admin-{locale}@test.example")

    browser_login(admin)
    page.goto(f"/admin/budgets/lines/{line.id}")
    page.get_by_label(words["what"]).fill("600 portables")
    page.get_by_label(words["item"]).fill("pro-14")
    page.get_by_label(words["quantity"]).fill("600")
    page.get_by_role("button", name=words["plan"]).click()
    expect(page.get_by_role("status").first).to_contain_text(words["planned"])
    variants = page.locator("table.variants")
    for name in words["variants"]:
        assert name in _text(variants), name
    assert_accessible(page)

    page.goto(f"/budgets/{unit.id}?year={year + 1}")
    expect(page.locator("table.variants")).to_have_count(1)
    assert_accessible(page)
    eco = measure_ecoindex(page, f"/budgets/{unit.id}?year={year + 1}")
    print(f"unit budget: {eco}")
    assert eco.grade == "A", str(eco)
    page.goto(f"/budgets?year={year + 1}")
    chart = page.locator("svg[aria-labelledby='used-title used-desc']")
    expect(chart).to_have_count(1)
    assert_accessible(page)
    with viewport_width(page, 320):  # a phone: the words keep their size and stay inside the chart
        assert not chart_texts_cut(page)
        assert chart.locator("text").first.evaluate("text => text.getBoundingClientRect().height") >= 12

    # This year's line, and an order waiting for the unit's manager.
    make_line(org_unit=unit, fiscal_year=year, amount_eur=Decimal("10000"), carbon_budget_kgco2e=Decimal("1000"))
    manager = make_user(roles=("manager",), org_unit_id=unit.id, locale=locale, email=f"m-{locale}@test.example")
    agent = make_user(org_unit_id=unit.id, manager_id=manager.id)
    make_order(agent, laptop, status="submitted")  # 162 kg of 1,000 kg; 1,000 € of 10,000 €
    page.context.clear_cookies()
    browser_login(manager)
    page.goto("/approvals")
    card = page.locator(".budget-impact")
    assert words["approval"] in _text(card)
    assert words["refurbished"] in _text(card)
    assert_accessible(page)
