"""Owners record decisions, the measured saving of a past year's decision, the list's sort, campaign savings."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.campaigns import services as campaigns
from portal.catalogue.my_footprint import today_in_paris
from portal.digital_services import review, services
from portal.digital_services.models import ReviewDecision, ServiceSubscription
from portal.models import db
from portal.timezone import PARIS
from tests.conftest import csrf_token


def _decision_form(client, **overrides):
    data = {
        "csrf_token": csrf_token(client),
        "year": str(today_in_paris().year),
        "decision": "optimise",
        "rationale": "Shorter retention of the logs",
        "expected_saving_kgco2e": "40",
        "measured_saving_kgco2e": "",
        "end_date": "",
    }
    data.update(overrides)
    return data


def test_owner_records_decisions_for_their_own_services_only(
    client, login_as, make_user, make_host, make_service, login
):
    owner = make_user(locale="en")
    host = make_host()
    mine = make_service(owner=owner, components=[(host, 16)])
    theirs = make_service(owner=make_user(), components=[(host, 16)])
    login(owner)
    assert "Record the decision" in client.get(f"/admin/services/{mine.id}").get_data(as_text=True)
    response = client.post(f"/admin/services/{mine.id}/decisions", data=_decision_form(client))
    assert response.status_code == 303
    decision = db.session.scalar(sa.select(ReviewDecision).where(ReviewDecision.service_id == mine.id))
    assert decision.recorded_by_id == owner.id and decision.owner_id == owner.id
    # The service's footprint per year when the decision was recorded (its share of the host).
    annual = services.figures_of(mine, today=today_in_paris()).footprint.annual
    assert annual is not None and decision.baseline_kgco2e == annual.value.quantize(Decimal("0.0001"))
    # Another owner's service: as if it did not exist.
    assert client.post(f"/admin/services/{theirs.id}/decisions", data=_decision_form(client)).status_code == 404
    assert client.get(f"/admin/services/{theirs.id}").status_code == 404
    login_as()  # an employee who owns nothing
    assert client.post(f"/admin/services/{mine.id}/decisions", data=_decision_form(client)).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(ReviewDecision.id))) == 1


def test_admin_records_a_decision_on_any_service(client, login_as, make_user, make_service):
    service = make_service(owner=make_user())
    login_as("admin")
    response = client.post(f"/admin/services/{service.id}/decisions", data=_decision_form(client))
    assert response.status_code == 303


def _decision(service, *, year, baseline, measured=None):
    row = ReviewDecision(
        service=service,
        year=year,
        decision="optimise",
        rationale="Smaller instances",
        decided_on=date(year, 6, 1),
        baseline_kgco2e=baseline,
        measured_saving_kgco2e=measured,
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_measured_saving_from_the_next_years_figures(make_host, make_service):
    today = today_in_paris()
    host = make_host()
    service = make_service(components=[(host, 16)])
    ended = make_service(components=[(host, 16)], end_date=date(today.year - 1, 12, 31))
    past = _decision(service, year=today.year - 1, baseline=Decimal(200))
    gone = _decision(ended, year=today.year - 1, baseline=Decimal(90))
    declared = _decision(service, year=today.year - 2, baseline=Decimal(300), measured=Decimal(25))
    this_year = _decision(service, year=today.year, baseline=Decimal(200))
    no_baseline = _decision(service, year=today.year - 3, baseline=None)
    measured = review.measured_savings([past, gone, declared, this_year, no_baseline], today=today)
    # The next year's figure (this year's, to date) against the footprint when the decision was recorded.
    now = services.annual_footprint_by_service(today.year, today=today)[service.id]
    assert measured[past.id] == review.MeasuredSaving((200 - now).quantize(Decimal("0.01")), "figures", today.year)
    assert measured[gone.id].kgco2e == Decimal("90.00")  # discontinued before the year: all of it saved
    assert measured[declared.id] == review.MeasuredSaving(Decimal(25), "declared")
    assert this_year.id not in measured and no_baseline.id not in measured  # next year not begun / no baseline


def test_decision_history_shows_the_measured_saving_beside_the_expected(
    client, login_as, make_host, make_service
):
    today = today_in_paris()
    service = make_service(components=[(make_host(), 16)])
    decision = _decision(service, year=today.year - 1, baseline=Decimal(200))
    login_as("admin", locale="en")
    page = client.get(f"/admin/services/{service.id}").get_data(as_text=True)
    assert f"{today.year} figures against the footprint when decided" in page
    saving = review.measured_savings([decision], today=today)[decision.id].kgco2e
    assert f">{int(saving)}" in page  # beside the expected one, in the history's table


def test_list_sorted_by_footprint_per_user_or_by_name(client, login_as, make_user, make_host, make_service, subscribe):
    me = login_as(locale="en")
    host = make_host()
    light = make_service(name="Alpha", components=[(host, 2)])
    heavy = make_service(name="Beta", components=[(host, 40)])
    make_service(name="Gamma")  # no footprint known: last
    for service in (light, heavy):
        subscribe(service, me, active_days_ago=2)
    by_name = client.get("/services").get_data(as_text=True)
    assert by_name.index("Alpha") < by_name.index("Beta") < by_name.index("Gamma")
    by_footprint = client.get("/services?sort=footprint").get_data(as_text=True)
    assert by_footprint.index("Beta") < by_footprint.index("Alpha") < by_footprint.index("Gamma")
    assert 'value="footprint" selected' in by_footprint
    assert client.get("/services?sort=nonsense").status_code == 200  # a bad order is the default one


def _active_campaign(**overrides):
    today = today_in_paris()
    now = datetime.now(PARIS)
    data = campaigns.CampaignInput(
        name="Grand nettoyage", first_day=today - timedelta(days=2), last_day=today + timedelta(days=5), **overrides
    )
    campaign = campaigns.create_campaign(data)
    campaigns.publish_campaign(campaign, now=now)
    campaigns.advance_campaign_states(now=now)
    db.session.commit()
    return campaign


def test_giving_up_during_a_running_campaign_counts_in_it(
    client, login_as, make_host, make_service, subscribe
):
    me = login_as(locale="en")
    host = make_host()
    service = make_service(name="Old wiki", components=[(host, 16)])
    other = make_service(name="Old fax", components=[(host, 8)])
    subscribe(service, me, active_days_ago=2)
    subscribe(other, me, active_days_ago=2)
    # No campaign yet: a saving on my footprint only.
    client.post(f"/services/{other.id}/give-up", data={"csrf_token": csrf_token(client)})
    assert db.session.scalar(sa.select(ServiceSubscription.campaign_id).where(
        ServiceSubscription.service_id == other.id)) is None
    campaign = _active_campaign()
    share = services.per_user_kgco2e(services.figures_of(service, today=today_in_paris()))
    assert share is not None
    response = client.post(
        f"/services/{service.id}/give-up", data={"csrf_token": csrf_token(client)}, follow_redirects=True
    )
    assert "clean-up action of Grand nettoyage" in response.get_data(as_text=True)
    saved = services.campaign_savings(campaign.id)
    assert saved.services == 1 and saved.kgco2e == share.quantize(Decimal("0.0001"))  # my share, saved
    assert services.campaign_savings(campaign.id, user=me).services == 1
    footprint = client.get("/me/footprint").get_data(as_text=True)
    assert "a clean-up action of Grand nettoyage" in footprint


def test_a_campaign_not_running_for_me_does_not_count(login_as, make_org_unit, make_service, subscribe):
    me = login_as()
    service = make_service()
    subscribe(service, me)
    _active_campaign(scope_all=False, org_unit_ids=[make_org_unit().id])  # another unit's campaign
    row = services.give_up(service, user=me, today=today_in_paris())
    assert row.campaign_id is None


def test_the_campaign_results_page_shows_the_services_given_up(
    client, login_as, make_host, make_service, subscribe
):
    me = login_as(locale="en")
    campaign = _active_campaign()
    page = client.get(f"/campaigns/{campaign.id}/results").get_data(as_text=True)
    assert "campaign-services" not in page  # nothing given up yet: no section
    host = make_host()
    service = make_service(name="Old wiki", components=[(host, 16)])
    subscribe(service, me, active_days_ago=2)
    services.give_up(service, user=me, today=today_in_paris())
    db.session.commit()
    saved = services.campaign_savings(campaign.id)
    response = client.get(f"/campaigns/{campaign.id}/results")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="campaign-services"' in page
    assert "Services given up: 1," in page
    assert "per year" in page and 'class="tag quality-estimated"' in page  # its quality, and its source below
    panel = services.campaign_panel(campaign, datetime.now(PARIS))
    assert panel == {"saved": saved, "quality": services.Quality.ESTIMATED}
