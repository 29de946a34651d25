"""The header and the home page as people use them on a phone (390 px) and a desktop (1280 px), in French and
English: a menu button that works without JavaScript, at most six menu entries, hub pages for the rest, tap
targets of 24 px at least, and a home page that is the employee's own."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PASSWORD
from tests.e2e.helpers import assert_accessible, small_tap_targets

WORDS = {
    "fr": {
        "menu": "Menu principal",
        "button": "Menu",
        "campaigns": "Campagnes de nettoyage",
        "admin": "Administration",
        "itsm": "Lien avec l’ITSM",
        "comms": "Messages aux agents",
        "suggested": "Action suggérée",
        "return": "Rendez les équipements que vous n’utilisez plus",
        "average": "Moyenne par agent, par an",
        "space": "Mon espace",
        "orders": "Mes commandes",
    },
    "en": {
        "menu": "Main menu",
        "button": "Menu",
        "campaigns": "Clean-up campaigns",
        "admin": "Administration",
        "itsm": "ITSM link",
        "comms": "Messages to employees",
        "suggested": "Suggested action",
        "return": "Return the devices you no longer use",
        "average": "Average per employee, per year",
        "space": "My space",
        "orders": "My orders",
    },
}
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


def _page(browser: Browser, base_url: str, user, size: str, *, javascript: bool = True) -> Page:  # noqa: ANN001
    context = browser.new_context(
        base_url=base_url, locale="fr-FR", viewport=SIZES[size], java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto("/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text(user.first_name)
    return page


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_phone_menu_is_a_button_that_works_without_javascript(browser, base_url, make_user, locale):
    words = WORDS[locale]
    agent = make_user(first_name="Ana", locale=locale)
    page = _page(browser, base_url, agent, "phone", javascript=False)
    menu = page.get_by_role("navigation", name=words["menu"])
    button = page.locator("details.menu > summary")
    expect(button).to_have_text(words["button"])
    box = button.bounding_box()
    assert box and box["height"] >= 44  # a primary control: 44 px
    expect(menu.get_by_role("link", name=words["campaigns"])).to_be_hidden()  # folded: the page starts at once
    assert page.locator("main h1").bounding_box()["y"] < 200
    button.click()
    expect(menu.get_by_role("link", name=words["campaigns"])).to_be_visible()
    menu.get_by_role("link", name=words["campaigns"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["campaigns"])
    page.context.close()

    # The same with scripts on, measured (axe and the tap-target check run as scripts in the page).
    page = _page(browser, base_url, agent, "phone")
    assert_accessible(page)
    page.locator("details.menu > summary").click()
    expect(
        page.get_by_role("navigation", name=words["menu"]).get_by_role("link", name=words["campaigns"])
    ).to_be_visible()
    assert small_tap_targets(page) == []
    assert_accessible(page)
    page.context.close()

    desktop = _page(browser, base_url, agent, "desktop", javascript=False)
    expect(desktop.locator("details.menu > summary")).to_be_hidden()  # wide: no button, the menu shows
    menu = desktop.get_by_role("navigation", name=words["menu"])
    expect(menu.get_by_role("link", name=words["campaigns"])).to_be_visible()
    assert menu.get_by_role("link").count() <= 6
    desktop.context.close()


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_an_admin_finds_every_page_through_six_entries(browser, base_url, make_user, locale, size):
    words = WORDS[locale]
    admin = make_user(first_name="Adèle", roles=("admin",), locale=locale)
    page = _page(browser, base_url, admin, size)
    if size == "phone":
        page.locator("details.menu > summary").click()
    menu = page.get_by_role("navigation", name=words["menu"])
    assert menu.get_by_role("link").count() <= 6
    expect(menu.get_by_role("link", name=words["itsm"])).to_have_count(0)
    menu.get_by_role("link", name=words["admin"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["admin"])
    expect(page.get_by_role("link", name=words["comms"])).to_be_visible()  # the other hubs follow
    assert small_tap_targets(page) == []
    assert_accessible(page)
    page.get_by_role("link", name=words["itsm"]).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(words["itsm"])
    page.get_by_role("link", name=words["space"]).click()
    expect(page.get_by_role("link", name=words["orders"])).to_be_visible()
    page.context.close()


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_home_page_is_mine(browser, base_url, make_user, make_item, make_asset, locale, size):
    words = WORDS[locale]
    agent = make_user(first_name="Ana", locale=locale)
    laptop = make_item(name="Book 14")
    make_asset(user=agent, item=laptop, acquired_on=date(2021, 5, 1))
    make_asset(user=agent, item=laptop, acquired_on=date(2019, 5, 1), status="to_return", model_name="Old Book 9")
    page = _page(browser, base_url, agent, size)
    suggestion = page.locator(".suggestion")
    expect(suggestion).to_contain_text(words["suggested"])
    expect(suggestion).to_contain_text(words["return"])
    expect(page.locator(".home-panels")).to_contain_text(words["average"])
    expect(page.locator(".home-panels")).to_contain_text("Old Book 9")
    assert small_tap_targets(page) == []
    assert_accessible(page)
    suggestion.get_by_role("link").click()
    expect(page).to_have_url(f"{base_url}/collection-points")
    page.context.close()
