"""The catalogue and wide tables on a phone (390 px) and a desktop (1280 px), in French and English: the
filters fold behind "Filter (n)", a table wider than the screen says so and keeps its row headers in view."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_accessible, small_tap_targets
from tests.e2e.test_header import _page

WORDS = {
    "fr": {"filter": "Filtrer", "category": "Catégorie", "cue": "Faites défiler sur le côté"},
    "en": {"filter": "Filter", "category": "Category", "cue": "Scroll sideways"},
}


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_catalogue_filters_fold_on_a_phone(browser, base_url, make_user, make_item, locale):
    words = WORDS[locale]
    make_item(name="Book 14")
    agent = make_user(first_name="Ana", locale=locale)
    phone = _page(browser, base_url, agent, "phone")
    phone.goto("/catalogue?label=A&label=B")
    toggle = phone.locator("details.fold-narrow > summary")
    expect(toggle).to_have_text(f"{words['filter']} (2)")  # two labels ticked
    expect(phone.get_by_label(words["category"])).to_be_hidden()
    assert phone.locator("#catalogue-results").bounding_box()["y"] < 844  # the results start on the first screen
    toggle.click()
    expect(phone.get_by_label(words["category"])).to_be_visible()
    assert small_tap_targets(phone) == []
    assert_accessible(phone)
    phone.context.close()

    desktop = _page(browser, base_url, agent, "desktop")
    desktop.goto("/catalogue")
    expect(desktop.locator("details.fold-narrow > summary")).to_be_hidden()
    expect(desktop.get_by_label(words["category"])).to_be_visible()
    assert_accessible(desktop)
    desktop.context.close()


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_a_wide_table_says_it_scrolls_and_keeps_its_row_headers(
    browser, base_url, make_user, make_item, make_asset, locale
):
    words = WORDS[locale]
    agent = make_user(first_name="Ana", locale=locale)
    make_asset(user=agent, item=make_item(name="Book 14 with a rather long model name"), acquired_on=date(2022, 1, 1))
    phone = _page(browser, base_url, agent, "phone")
    phone.goto("/me/footprint")
    table = phone.locator(".table-scroll").first
    expect(table).to_have_attribute("data-cue", re_cue(words["cue"]))
    row_header = table.locator("tbody th[scope=row]").first
    before = row_header.bounding_box()["x"]
    table.evaluate("element => { element.scrollLeft = 400; }")
    phone.wait_for_timeout(100)
    assert abs(row_header.bounding_box()["x"] - before) < 2  # the device's name stays in view
    assert_accessible(phone)
    phone.context.close()

    desktop = _page(browser, base_url, agent, "desktop")
    desktop.goto("/me/footprint")
    expect(desktop.locator(".table-scroll").first).not_to_have_attribute("data-cue", re_cue(words["cue"]))
    desktop.context.close()


def re_cue(start: str):  # noqa: ANN201
    import re

    return re.compile("^" + re.escape(start))
