"""The sober choices fit the order: only devices of the ordered category are suggested to keep, each with its
own figure, "12 more months" only past half their lifetime, and a lower-footprint model only of a comparable
class (French at 1280 px, English at 390 px)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import assert_accessible, reflow_problems


@pytest.mark.parametrize(
    ("locale", "width", "old_line", "young_line", "young_figure"),
    [
        (
            "fr",
            1280,
            "Garder mon Maker Book (4\u00a0ans)\u202f: le garder 12 mois de plus évite 32,4\u202fkg\u202fCO₂e",
            "Garder mon Maker Book (1\u00a0an) jusqu’à sa durée de vie attendue de 5\u00a0ans",
            "130\u202fkg\u202fCO₂e de sa fabrication seraient perdus",
        ),
        (
            "en",
            390,
            "Keep my Maker Book (4\u00a0years old): keeping it 12 more months saves 32.4\u00a0kg\u00a0CO₂e",
            "Keep my Maker Book (1\u00a0year old) to its expected lifetime of 5\u00a0years",
            "130\u00a0kg\u00a0CO₂e of its manufacture would go unused",
        ),
    ],
)
def test_only_laptops_are_suggested_to_keep_when_ordering_a_laptop(
    page: Page, make_user, make_item, make_asset, browser_login, locale, width, old_line, young_line, young_figure
):
    agent = make_user(first_name="Ana", locale=locale)
    book = make_item(name="Book")
    make_asset(user=agent, item=book, acquired_on=date.today() - timedelta(days=1461))
    make_asset(user=agent, item=book, acquired_on=date.today() - timedelta(days=365))
    make_asset(user=agent, item=make_item(name="P22", category="monitor"), acquired_on=date.today())
    fourteen = {"screen_inches": Decimal("14"), "processor_class": "mainstream"}
    heavy = make_item(name="Heavy", fabrication_kgco2e=Decimal("400"), **fourteen)
    make_item(name="Light 14", fabrication_kgco2e=Decimal("120"), **fourteen)
    make_item(name="Tiny 11", fabrication_kgco2e=Decimal("60"), screen_inches=Decimal("11.6"), processor_class="entry")

    page.set_viewport_size({"width": width, "height": 844})
    browser_login(agent)
    page.goto(f"/catalogue/{heavy.id}/order")
    sober = page.locator("section.sober")
    expect(sober).to_contain_text(old_line)
    expect(sober).to_contain_text(young_line)
    expect(sober).to_contain_text(young_figure)
    expect(sober).not_to_contain_text("P22")
    expect(sober.get_by_role("link", name="Maker Light 14")).to_be_visible()  # comparable: 14 in, same class
    expect(sober).not_to_contain_text("Tiny 11")  # lower still, but a smaller screen and an entry-level class
    assert reflow_problems(page) is None
    assert_accessible(page)
