"""My footprint in the browser: the bar chart fits the screen, equivalents with sources, one next step."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import assert_accessible, reflow_problems

WORDS = {
    "fr": {
        "title": "Mon empreinte",
        "car": "km en voiture essence",
        "step": "Vous avez 1 équipement à rendre",
        "total": "Tous mes équipements",
    },
    "en": {
        "title": "My footprint",
        "car": "km in a petrol car",
        "step": "You have 1 device to return",
        "total": "All my devices",
    },
}

#: Widest label of the chart against the chart's width: no device name is cut.
LABELS_FIT = """() => {
  const svg = document.querySelector('svg.bars');
  const width = svg.getBoundingClientRect().width;
  return Array.from(svg.querySelectorAll('text')).every((t) => {
    const box = t.getBoundingClientRect(), frame = svg.getBoundingClientRect();
    return box.left >= frame.left - 1 && box.right <= frame.left + width + 1;
  });
}"""


@pytest.mark.parametrize(("language", "width"), [("fr", 390), ("en", 1280), ("fr", 1280), ("en", 390)])
def test_my_footprint_chart_equivalents_and_next_step(
    page: Page, make_user, make_item, make_asset, browser_login, language, width
):
    words = WORDS[language]
    page.set_viewport_size({"width": width, "height": 844 if width < 400 else 800})
    agent = make_user(first_name="Ana", locale=language)
    today = date.today()
    make_asset(user=agent, item=make_item(name="EliteBook 840 G10"), acquired_on=today - timedelta(days=900))
    make_asset(
        user=agent,
        item=make_item(name="Screen 24", category="monitor", annual_kwh=Decimal("60")),
        acquired_on=today - timedelta(days=300),
    )
    make_asset(
        user=agent,
        model_name="Écran 24 pouces (modèle non renseigné)",
        category="monitor",
        acquired_on=date(2018, 1, 1),
        status="to_return",
    )
    browser_login(agent)
    page.goto("/me/footprint")
    expect(page.get_by_role("heading", level=1)).to_have_text(words["title"])
    expect(page.locator(".equivalents li")).to_have_count(2)
    expect(page.locator(".equivalents li").first).to_contain_text(words["car"])
    expect(page.locator(".equivalents li").first).to_contain_text("ADEME Impact CO2 (2025)")
    chart = page.locator("svg.bars[role=img]")
    expect(page.locator("svg.bars rect")).to_have_count(4)  # three devices and the total
    expect(chart).to_be_visible()
    assert page.evaluate(LABELS_FIT), "a label of the chart is cut"
    expect(page.locator(".next-step")).to_have_count(1)
    expect(page.locator(".next-step")).to_contain_text(words["step"])
    expect(page.get_by_role("table").locator("tfoot")).to_contain_text(words["total"])
    assert reflow_problems(page) is None
    assert_accessible(page)
