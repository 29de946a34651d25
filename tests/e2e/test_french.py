"""Proper French and proper English in the browser, on a phone (390 px) and a desktop (1280 px): a name after
"de" is elided, the narrow no-break space stands before « : », and neither language shows the other's words."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from portal.main.services import notify
from portal.models import db
from tests.e2e.helpers import assert_accessible
from tests.e2e.test_header import _page

EXPECTED = {
    "fr": ("Votre demande d’EliteBook 840 a été acceptée.", "Action suggérée\u202f:", "Moyenne par agent"),
    "en": ("Your request for EliteBook 840 has been approved.", "Suggested action:", "Average per employee"),
}


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_home_page_reads_as_each_language_writes(browser, base_url, make_user, make_item, make_asset, locale, size):
    notice, suggested, average = EXPECTED[locale]
    agent = make_user(first_name="Ana", locale=locale)
    make_asset(user=agent, item=make_item(name="Book 14"), status="to_return", acquired_on=date(2020, 1, 1))
    notify(agent, "order_approved", {"item": "EliteBook 840", "order_id": 1})
    db.session.commit()
    page = _page(browser, base_url, agent, size)
    expect(page.locator(".notices")).to_contain_text(notice)
    assert suggested in page.locator(".suggestion").inner_text()  # the exact space, not a normalised one
    expect(page.locator(".home-panels")).to_contain_text(average)
    text = page.locator("main").inner_text()
    foreign = ("Votre ", "Moyenne", "Rendez") if locale == "en" else ("Your ", "Average", "Return the")
    assert not [word for word in foreign if word in text]
    assert_accessible(page)
    page.context.close()
