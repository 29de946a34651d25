"""Campaign results in Chromium: GB and items first, CO₂e after with its convention and equivalents, charts that
use the width with their last label whole, a flat start explained, the worked example in the campaign's years."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from portal.campaigns import services
from portal.models import db, utcnow
from tests.campaigns.conftest import GB
from tests.e2e.helpers import assert_accessible, reflow_problems
from tests.e2e.test_campaigns import measure

WORDS = {
    "fr": {
        "storage": "Stockage libéré",
        "co2e": "CO₂e selon le facteur de stockage ADEME, sur 5 ans",
        "flat": "La courbe reste plate jusqu’au",
        "why": "Pourquoi deux conventions ?",
        "years": "× 5 ans",
    },
    "en": {
        "storage": "Storage freed",
        "co2e": "CO₂e by ADEME's storage factor, over 5 years",
        "flat": "The line is flat until",
        "why": "Why two conventions?",
        "years": "× 5 years",
    },
}

#: Every text of the chart inside the chart's box, and the chart as wide as the main column.
CHART_FITS = """() => {
  const svg = document.querySelector('#freed-chart-title').closest('svg');
  const frame = svg.getBoundingClientRect(), parent = svg.parentElement, style = getComputedStyle(parent);
  const column = {width: parent.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)};
  const inside = Array.from(svg.querySelectorAll('text')).every((t) => {
    const box = t.getBoundingClientRect();
    return box.left >= frame.left - 1 && box.right <= frame.right + 1;
  });
  return {inside, share: frame.width / column.width};
}"""


@pytest.mark.parametrize(("language", "width"), [("fr", 390), ("en", 1280), ("fr", 1280), ("en", 390)])
def test_results_lead_with_gb_and_explain_the_chart(page: Page, make_user, browser_login, language, width):
    page.set_viewport_size({"width": width, "height": 844 if width < 400 else 800})
    words = WORDS[language]
    now = utcnow()
    today = services.paris_today(now)
    campaign = services.create_campaign(
        services.CampaignInput(
            name="Grand nettoyage", first_day=today - timedelta(days=8), last_day=today + timedelta(days=12)
        )
    )
    services.publish_campaign(campaign, now=now - timedelta(days=10))
    services.advance_campaign_states(now=now)
    people = [make_user(email=f"p{n}@test.example") for n in range(5)]
    for person in people:
        services.join(person, campaign, now=campaign.starts_at - timedelta(hours=1))
    db.session.commit()
    measure(
        [(p.email, "mailbox", 10 * GB, 100, campaign.starts_at - timedelta(days=1)) for p in people]
        + [(p.email, "mailbox", 7 * GB, 60, now - timedelta(days=3)) for p in people]
    )
    reader = make_user(locale=language)
    browser_login(reader)

    page.goto(f"/campaigns/{campaign.id}/summary")
    first_figure = page.locator("dl.figures > div").first
    expect(first_figure).to_contain_text(words["storage"])
    expect(page.locator("dl.figures")).not_to_contain_text("CO₂e")
    line = page.locator(".co2e-line")
    expect(line).to_contain_text(words["co2e"])
    expect(line.locator(".equivalents li")).to_have_count(2)
    assert reflow_problems(page) is None
    assert_accessible(page)

    page.goto(f"/campaigns/{campaign.id}/results")
    expect(page.locator(".chart-note")).to_contain_text(words["flat"])
    fits = page.evaluate(CHART_FITS)
    assert fits["inside"], "a label of the chart is cut"
    assert fits["share"] > 0.95, f"the chart uses {fits['share']:.0%} of the column"
    assert reflow_problems(page) is None
    assert_accessible(page)

    page.get_by_role("link", name=words["why"]).first.click()
    expect(page.get_by_role("table")).to_contain_text(words["years"])
    expect(page.locator("main")).to_contain_text("Grand nettoyage")
    assert_accessible(page)
