"""Ordering leads to fewer devices: the form asks which device the new one replaces (or why one more), the
manager sees the requester's devices of the category, the delivered replacement leaves the old one "to return"
on the home page and on "my footprint" (French at 1280 px, English at 390 px)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.helpers import assert_accessible, log_in, reflow_problems


def _other_session(browser, base_url, user, *, locale: str = "fr-FR", width: int = 1280) -> Page:  # noqa: ANN001
    context = browser.new_context(base_url=base_url, locale=locale, viewport={"width": width, "height": 844})
    other = context.new_page()
    log_in(other, user.email, PASSWORD)
    return other


def _focused_id(page: Page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_a_replacement_in_french_leaves_the_old_laptop_to_return(
    page: Page, browser, base_url, make_user, make_item, make_asset, browser_login
):
    manager = make_user(roles=("manager",), first_name="Marc")
    admin = make_user(roles=("admin",), first_name="Alix")
    agent = make_user(first_name="Ana", last_name="Agent", manager_id=manager.id)
    new = make_item(name="Light 13", fabrication_kgco2e=Decimal("90"))
    make_asset(user=agent, model_name="Old laptop", acquired_on=date.today() - timedelta(days=4 * 365 + 1))
    make_asset(user=agent, model_name="Phone", category="smartphone")

    page.set_viewport_size({"width": 1280, "height": 800})
    browser_login(agent)
    page.goto(f"/catalogue/{new.id}/order")
    question = page.get_by_role("group", name="Quel équipement remplace-t-il\u202f?")
    expect(question).to_contain_text("Vous avez déjà 1 ordinateur portable en service.")
    expect(question.get_by_role("radio")).to_have_count(2)  # the old laptop, or "additional": not the phone
    page.get_by_label("Pourquoi en avez-vous besoin\u202f?").fill("Mon portable ne tient plus la charge.")
    page.get_by_role("button", name="Envoyer ma demande à mon responsable").click()
    summary = page.locator("#order-errors")
    expect(summary).to_contain_text("Dites quel équipement il remplace")
    assert _focused_id(page) == "order-errors"  # the summary opens the form and takes the focus
    assert_accessible(page)
    page.get_by_label("Old laptop (T000001), 4 ans").check()
    page.get_by_role("button", name="Envoyer ma demande à mon responsable").click()
    expect(page.get_by_role("status").first).to_contain_text("Votre demande a été envoyée")
    expect(page.locator("main")).to_contain_text("Old laptop (T000001)")

    boss = _other_session(browser, base_url, manager)
    boss.goto("/approvals")
    card = boss.locator(".current-devices")
    expect(card).to_contain_text("Remplace\u202f: Old laptop (T000001)")
    expect(card).to_contain_text("Ana Agent a 1 équipement de cette catégorie (ordinateur portable)")
    expect(card).to_contain_text("Old laptop (T000001)\u202f: 4 ans")
    assert_accessible(boss)
    boss.get_by_role("button", name="Accepter – Ana").click()
    expect(boss.get_by_role("status").first).to_contain_text("acceptée")
    boss.context.close()

    desk = _other_session(browser, base_url, admin)
    desk.goto("/admin/orders")
    desk.get_by_role("button", name="Marquer comme livrée – Ana Agent").click()
    expect(desk.get_by_role("status").first).to_contain_text("Livré")
    desk.context.close()

    page.goto("/")
    panel = page.locator("section", has=page.get_by_role("heading", name="Mon empreinte")).locator(".notice")
    expect(panel).to_contain_text("1 équipement à rendre")
    expect(panel).to_contain_text("Old laptop")
    expect(panel.get_by_role("link", name="Trouver un point de collecte")).to_be_visible()
    expect(page.locator(".notices")).to_contain_text("Rendez l’équipement qu’il remplace (Old laptop)")
    assert_accessible(page)
    page.goto("/me/footprint")
    returns = page.locator("section.to-return")
    expect(returns).to_contain_text("il compte dans votre empreinte tant que vous ne l’avez pas rendu")
    expect(page.get_by_role("table")).not_to_contain_text("Old laptop")
    expect(page.get_by_role("table")).to_contain_text("Maker Light 13")
    assert_accessible(page)


def test_an_additional_device_in_english_on_a_phone_needs_a_reason(
    page: Page, browser, base_url, make_user, make_item, make_asset, browser_login
):
    manager = make_user(roles=("manager",), first_name="Marc", locale="en")
    agent = make_user(first_name="Ana", last_name="Agent", manager_id=manager.id, locale="en")
    screen = make_item(name="Screen 24", category="monitor", annual_kwh=Decimal("60"))
    make_asset(user=agent, model_name="Office screen", category="monitor")

    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(agent)
    page.goto(f"/catalogue/{screen.id}/order")
    page.get_by_label("None: it is an additional device").check()
    page.get_by_label("Why do you need it?").fill("A second screen for remote work.")
    page.get_by_role("button", name="Send my request to my manager").click()
    expect(page.locator("#order-errors")).to_contain_text("Say why you need an additional device")
    assert _focused_id(page) == "order-errors"
    assert reflow_problems(page) is None
    assert_accessible(page)
    page.get_by_label("Why an additional device rather than a replacement?").fill(
        "The occupational doctor prescribed two screens."
    )
    page.get_by_role("button", name="Send my request to my manager").click()
    expect(page.get_by_role("status").first).to_contain_text("Your request has been sent")
    expect(page.locator("main")).to_contain_text("The occupational doctor prescribed two screens.")

    boss = _other_session(browser, base_url, manager, locale="en-GB", width=390)
    boss.goto("/approvals")
    card = boss.locator(".current-devices")
    expect(card).to_contain_text("Additional device: The occupational doctor prescribed two screens.")
    expect(card).to_contain_text("Ana Agent has 1 device of this category (monitor):")
    expect(card).to_contain_text("Office screen (T000001): ")
    assert reflow_problems(boss) is None
    assert_accessible(boss)
    boss.context.close()
