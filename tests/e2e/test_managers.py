"""A manager in the browser: the team page, and a refusal without comment pointed out on the request's card."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from portal.catalogue.footprints import load_factor_set
from portal.catalogue.orders import place_order
from portal.models import db, utcnow
from tests.e2e.helpers import assert_accessible, reflow_problems

WORDS = {
    "fr": {
        "team": "Mon équipe",
        "returns": "1 équipement à rendre, 1 en retard",
        "approvals": "Validations",
        "refuse": "Refuser – Bob",
        "approve": "Accepter – Ana",
        "error": "Dites pourquoi vous refusez",
        "approved": "Demande d’Ana Agent acceptée.",
        "count": "1 demande acceptée,",
    },
    "en": {
        "team": "My team",
        "returns": "1 device to return, 1 overdue",
        "approvals": "Approvals",
        "refuse": "Refuse – Bob",
        "approve": "Approve – Ana",
        "error": "Say why you refuse",
        "approved": "Request of Ana Agent approved.",
        "count": "1 approved request,",
    },
}


@pytest.mark.parametrize(("language", "width"), [("fr", 390), ("en", 1280), ("fr", 1280), ("en", 390)])
def test_team_page_and_refusal_error_on_its_card(
    page: Page, make_user, make_item, make_asset, browser_login, language, width
):
    words = WORDS[language]
    page.set_viewport_size({"width": width, "height": 844 if width < 400 else 800})
    manager = make_user(roles=("manager",), first_name="Marc", last_name="Martin", locale=language)
    ana = make_user(manager_id=manager.id, first_name="Ana", last_name="Agent")
    bob = make_user(manager_id=manager.id, first_name="Bob", last_name="Bernard")
    laptop = make_item(name="Book 14", annual_kwh=Decimal("0"))
    make_asset(user=ana, item=laptop, acquired_on=date(2021, 3, 1))
    make_asset(
        user=bob,
        item=laptop,
        acquired_on=date(2019, 3, 1),
        status="to_return",
        status_changed_at=utcnow() - timedelta(days=45),
    )
    for requester in (ana, bob):
        place_order(
            requester=requester,
            item=laptop,
            quantity=1,
            justification="Mon poste ne démarre plus.",
            replaces=None,
            factor_set=load_factor_set(),
            additional_reason="Un second poste pour le terrain.",
        )
    db.session.commit()

    browser_login(manager)
    page.goto("/team")
    expect(page.get_by_role("heading", level=1)).to_have_text(words["team"])
    expect(page.get_by_role("heading", level=2, name=words["returns"])).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("Ana Agent")
    expect(page.get_by_role("table").first).to_contain_text("Bob Bernard")
    assert_accessible(page)
    assert reflow_problems(page) is None

    page.goto("/approvals")
    page.get_by_role("button", name=words["refuse"]).click()
    bob_card = page.locator("li", has=page.get_by_role("link", name="Bob Bernard"))
    expect(bob_card.locator(".error")).to_contain_text(words["error"])
    expect(bob_card.get_by_role("textbox")).to_be_focused()
    expect(page.locator(".flashes, [role=alert]").filter(has_text=words["error"])).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("button", name=words["approve"]).click()
    expect(page.get_by_role("status").first).to_contain_text(words["approved"])
    expect(page.locator("main")).to_contain_text(words["count"])
