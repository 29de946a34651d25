"""Campaign results lead with GB and items; CO₂e comes after, named by its convention, with everyday equivalents;
the explanation's worked example counts the years as the campaign does; a chart that starts flat says why."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.campaigns import services
from portal.models import db, utcnow
from tests.campaigns.conftest import GB


@pytest.fixture
def campaign_now(make_campaign):
    """Active today (the pages read the clock), CO₂e by the Clean-up Day convention, horizon of 3 years."""
    today = services.paris_today(utcnow())
    return make_campaign(
        name="Nettoyage d’automne",
        first_day=today - timedelta(days=5),
        last_day=today + timedelta(days=15),
        published_at=utcnow() - timedelta(days=10),
        now=utcnow(),
        co2e_convention="cleanup_day",
    )


def _five_freed_two_days_ago(campaign, make_user, import_rows):
    people = [make_user() for _ in range(5)]
    start = campaign.starts_at
    for person in people:
        services.join(person, campaign, now=start - timedelta(days=1))
    db.session.commit()
    two_days_ago = utcnow() - timedelta(days=2)
    import_rows(
        [(p, "mailbox", 10 * GB, 100, start - timedelta(days=2)) for p in people]
        + [(p, "mailbox", 6 * GB, 40, two_days_ago) for p in people]
    )
    return two_days_ago


def test_summary_leads_with_gb_and_items_and_puts_co2e_after(client, login_as, campaign_now, make_user, import_rows):
    _five_freed_two_days_ago(campaign_now, make_user, import_rows)
    login_as("employee")
    page = client.get(f"/campaigns/{campaign_now.id}/summary").get_data(as_text=True)
    figures = page.split('<dl class="figures">')[1].split("</dl>")[0]
    assert "CO₂e" not in figures
    assert figures.index("Stockage libéré") < figures.index("Éléments supprimés")
    # 5 × 4 GB = 20 GB × 250 g = 5 kg; 5 ÷ 0.170 = 29.4 → 29 km; 5 ÷ 0.00246 = 2,033 → 2,000 e-mails
    line = page.split('<div class="co2e-line">')[1].split("</div>")[0]
    assert "CO₂e selon la convention du Digital Cleanup Day" in line and "5\u202fkg\u202fCO₂e" in line
    assert "≈ 29 km en voiture essence" in page
    assert page.index("</dl>") < page.index('<div class="co2e-line">')
    assert f'href="/campaigns/co2e?campaign={campaign_now.id}"' in page


def test_campaign_page_names_the_convention_after_the_measured_figures(client, login_as, campaign_now):
    login_as("employee")
    page = client.get(f"/campaigns/{campaign_now.id}").get_data(as_text=True)
    totals = page.split('id="campaign-totals"')[1].split("</section>")[0]
    assert totals.index("Stockage libéré") < totals.index("CO₂e selon la convention du Digital Cleanup Day")


def test_the_worked_example_uses_the_campaigns_own_years(client, login_as, make_campaign):
    login_as("employee")
    today = services.paris_today(utcnow())
    campaign = make_campaign(
        first_day=today - timedelta(days=2),
        last_day=today + timedelta(days=2),
        published_at=utcnow() - timedelta(days=3),
        now=utcnow(),
        horizon_year=(today + timedelta(days=3)).year + 3,
    )
    years = services.DEFAULT_HORIZON_YEARS
    generic = client.get("/campaigns/co2e").get_data(as_text=True)
    assert f"10 Go × 0,235 g × {years} ans" in generic.replace("\u202f", " ")
    own = client.get(f"/campaigns/co2e?campaign={campaign.id}").get_data(as_text=True).replace("\u202f", " ")
    # 10 GB × 0.235 g × 3 years = 7.05 g
    assert "10 Go × 0,235 g × 3 ans" in own
    assert re.search(r"<td class=\"num\">7(,1)? g CO₂e</td>", own)
    assert "pendant 3 ans" in own and "(celui de cette campagne)" in own
    campaign_page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert re.search(r"facteur de stockage ADEME, sur 3\s*ans", campaign_page)


def test_the_explanation_page_refuses_a_hidden_campaign_and_ignores_garbage(client, login_as, make_campaign):
    login_as("employee")
    draft = make_campaign()
    assert client.get(f"/campaigns/co2e?campaign={draft.id}").status_code == 404
    assert client.get("/campaigns/co2e?campaign=999999").status_code == 404
    assert client.get("/campaigns/co2e?campaign=abc").status_code == 200


def test_a_flat_start_of_the_cumulative_chart_is_explained(client, login_as, campaign_now, make_user, import_rows):
    login_as("employee")
    page = client.get(f"/campaigns/{campaign_now.id}/results").get_data(as_text=True)
    assert "La courbe reste à zéro" in page
    _five_freed_two_days_ago(campaign_now, make_user, import_rows)
    page = client.get(f"/campaigns/{campaign_now.id}/results").get_data(as_text=True)
    assert "La courbe reste plate jusqu’au" in page


def test_the_last_day_label_of_a_chart_ends_at_its_tick(client, login_as, campaign_now):
    login_as("employee")
    page = client.get(f"/campaigns/{campaign_now.id}/results").get_data(as_text=True)
    chart = page.split('id="freed-chart-title"')[1].split("</svg>")[0]
    anchors = re.findall(r'y="\d+" text-anchor="(\w+)" font-size="12" fill="#1b1b1b">', chart)
    assert anchors[-1] == "end" and set(anchors[:-1]) == {"middle"}
