"""The catalogue's main path in a real browser: filter, compare, order the refurbished alternative,
approve as the manager, see the approved status as the employee."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import Page, expect

from tests.e2e.helpers import assert_accessible, measure_ecoindex


def test_filter_compare_order_refurbished_approve(
    page: Page, browser, base_url, make_user, make_item, make_asset, browser_login
):
    manager = make_user(roles=("manager",), first_name="Marc", email="marc@test.example")
    agent = make_user(first_name="Ana", email="ana@test.example", manager_id=manager.id)
    heavy = make_item(name="Heavy 15", fabrication_kgco2e=Decimal("400"), price_eur=Decimal("1400"))
    make_item(
        name="Heavy 15",
        fabrication_kgco2e=Decimal("400"),
        refurbished=True,
        refurbished_of_id=heavy.id,
        price_eur=Decimal("770"),
        sku="heavy-refurbished",
    )
    make_item(name="Light 13", fabrication_kgco2e=Decimal("90"), price_eur=Decimal("900"))
    make_item(name="Screen 24", category="monitor", annual_kwh=Decimal("60"), price_eur=Decimal("200"))
    make_asset(user=agent, model_name="Old laptop")

    browser_login(agent)
    page.goto("/catalogue?category=")  # every category (the catalogue opens on laptops)
    expect(page.get_by_role("heading", level=2)).to_have_text("4 articles")
    assert_accessible(page)
    page.get_by_label("Catégorie").select_option("laptop")  # htmx updates the results and the URL
    expect(page.get_by_role("heading", level=2)).to_have_text("3 articles")
    expect(page).to_have_url("/catalogue?category=laptop&screen=&refurbished=&price_min=&price_max=&sort=annualised")
    page.get_by_label("Trier par").select_option("price")
    expect(page.locator("#catalogue-results h3").first).to_contain_text("Heavy 15")  # the refurbished one, 770 €
    assert_accessible(page)
    eco = measure_ecoindex(page, page.url.replace(base_url, ""))
    print(f"catalogue: {eco}")

    page.get_by_label("Comparer Heavy 15").first.check()
    page.get_by_label("Comparer Light 13").check()
    page.get_by_role("button", name="Comparer les articles cochés").click()
    expect(page.get_by_role("table")).to_contain_text("2 articles comparés")
    assert_accessible(page)

    page.goto(f"/catalogue/{heavy.id}")
    assert_accessible(page)
    page.get_by_role("link", name="Demander cet article").click()
    sober = page.locator("section.sober")
    expect(sober).to_contain_text("Le même modèle, reconditionné")
    expect(sober).to_contain_text("Garder mon Old laptop")
    assert_accessible(page)
    sober.get_by_role("link", name="Maker Heavy 15 (reconditionné)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Demande : Maker Heavy 15")
    page.get_by_label("Pourquoi en avez-vous besoin ?").fill("Mon portable actuel ne tient plus la charge.")
    page.get_by_label(re.compile(r"^Old laptop \(T000001\), \d+,\d\u00a0ans$")).check()
    page.get_by_role("button", name="Envoyer ma demande à mon responsable").click()
    expect(page.get_by_role("status").first).to_contain_text("Votre demande a été envoyée")
    expect(page.locator("main")).to_contain_text("en attente de validation")
    assert_accessible(page)

    manager_context = browser.new_context(base_url=base_url, locale="fr-FR")
    manager_page = manager_context.new_page()
    manager_page.goto("/login")
    manager_page.locator("#email").fill("marc@test.example")
    manager_page.locator("#password").fill("correct horse battery")
    manager_page.locator("form.stacked button[type=submit]").click()
    manager_page.get_by_role("link", name="Validations").first.click()
    expect(manager_page.get_by_role("heading", level=2).first).to_have_text("1 demande attend votre décision")
    assert_accessible(manager_page)
    manager_page.get_by_role("button", name="Accepter – Ana").click()
    expect(manager_page.get_by_role("status").first).to_contain_text("acceptée")
    manager_context.close()

    page.goto("/")
    expect(page.locator(".notices")).to_contain_text("Votre demande de Heavy 15 a été acceptée.")
    assert_accessible(page)
    page.get_by_role("link", name="Votre demande de Heavy 15 a été acceptée.").click()
    expect(page.locator("main")).to_contain_text("acceptée")
    page.goto("/orders")
    expect(page.get_by_role("table")).to_contain_text("acceptée")
    assert_accessible(page)


def test_my_footprint_page_in_english(page: Page, make_user, make_item, make_asset, browser_login):
    agent = make_user(first_name="Ana", locale="en")
    make_asset(user=agent, item=make_item(name="Book 14"))
    browser_login(agent)
    page.goto("/me/footprint")
    expect(page.get_by_role("heading", level=1)).to_have_text("My footprint")
    expect(page.locator("main")).to_contain_text("My devices weigh")
    expect(page.get_by_role("table")).to_contain_text("Maker Book 14")
    assert_accessible(page)
    eco = measure_ecoindex(page, "/me/footprint")
    print(f"my footprint: {eco}")
    assert eco.grade == "A", str(eco)
