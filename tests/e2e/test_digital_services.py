"""Digital services in a real browser: "I no longer use it" end to end in French and English, and the review."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import Page, expect

from tests.e2e.helpers import assert_accessible


def _two_services(new_host, new_service, give, user):  # noqa: ANN001, ANN202
    host = new_host(capacity=Decimal(100))
    used = new_service(name="Messagerie", category="messaging", components=[(host, 20)])
    idle = new_service(name="Ancien intranet", category="collaboration", components=[(host, 60)])
    give(used, user, active_days_ago=1)
    give(idle, user, active_days_ago=1)
    return used, idle


def test_give_up_a_service_in_two_clicks_in_french(
    page: Page,
    make_user,
    make_host,
    make_service,
    subscribe,
    browser_login,
):
    agent = make_user(first_name="Ana")
    _two_services(make_host, make_service, subscribe, agent)
    browser_login(agent)
    page.goto("/services")
    expect(page.get_by_role("heading", level=2)).to_have_text("2 services")
    assert_accessible(page)
    page.get_by_label("Catégorie").select_option("collaboration")  # htmx swaps the results
    expect(page.get_by_role("heading", level=2)).to_have_text("1 service")
    page.get_by_role("link", name="Ancien intranet").click()  # first click
    expect(page.locator("main")).to_contain_text("par utilisateur et par an, autant que")
    expect(page.locator("main")).to_contain_text("km en voiture")
    assert_accessible(page)
    page.get_by_role("button", name="Je ne l’utilise plus").click()  # second click
    expect(page.get_by_role("status").first).to_contain_text("Vous n’avez plus Ancien intranet")
    page.goto("/me/footprint")
    section = page.locator("#my-services")
    expect(section).to_contain_text("Mes services numériques")
    expect(section).to_contain_text("Renoncer à 1 service que je n’utilisais plus économise")
    expect(section.get_by_role("table")).not_to_contain_text("Ancien intranet")
    assert_accessible(page)


def test_give_up_from_my_footprint_in_english(
    page: Page,
    make_user,
    make_host,
    make_service,
    subscribe,
    browser_login,
):
    agent = make_user(first_name="Ana", locale="en")
    _two_services(make_host, make_service, subscribe, agent)
    browser_login(agent)
    page.goto("/me/footprint")
    section = page.locator("#my-services")
    expect(section).to_contain_text("My digital services")
    section.get_by_role("button", name="I no longer use it Ancien intranet").click()
    expect(page.get_by_role("status").first).to_contain_text("You no longer have Ancien intranet")
    expect(page).to_have_url("/me/footprint")
    expect(page.locator("#my-services")).to_contain_text("Giving up 1 service I no longer used saves")
    assert_accessible(page)


def test_review_places_the_wasteful_service_first_and_records_a_decision(
    page: Page,
    make_user,
    make_host,
    make_service,
    subscribe,
    browser_login,
):
    admin = make_user(roles=("admin",), first_name="Alice")
    users = [make_user() for _ in range(3)]
    host = make_host(capacity=Decimal(100))
    busy = make_service(name="Messagerie", criticality="high", components=[(host, 10)])
    idle = make_service(name="Ancien intranet", criticality="low", components=[(host, 80)])
    for user in users:
        subscribe(busy, user, active_days_ago=1, active_days=80)
        subscribe(idle, user, active_days_ago=None)
    subscribe(idle, admin, active_days_ago=2, active_days=1)
    browser_login(admin)
    page.goto("/admin/services/review")
    rows = page.locator("main table tbody tr")
    expect(rows.first).to_contain_text("Ancien intranet")
    expect(rows.first).to_contain_text("empreinte forte, peu d’usage")
    expect(page.locator("svg.chart")).to_be_visible()
    assert_accessible(page)
    rows.first.get_by_role("link", name="Ancien intranet").click()
    page.get_by_label("Décision").select_option("discontinue")
    page.get_by_label("Justification").fill("Trois abonnés, un seul actif : les archives passent en lecture seule.")
    page.get_by_label("Date de fin").fill("2026-12-31")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_role("status").first).to_contain_text("Décision enregistrée")
    expect(page.locator("main table").last).to_contain_text("arrêter")
    assert_accessible(page)


def test_sort_by_footprint_and_give_up_during_a_campaign(
    page: Page,
    make_user,
    make_host,
    make_service,
    subscribe,
    browser_login,
):
    from datetime import datetime, timedelta

    from portal.campaigns import services as campaigns
    from portal.catalogue.my_footprint import today_in_paris
    from portal.models import db
    from portal.timezone import PARIS

    agent = make_user(first_name="Ana")
    _two_services(make_host, make_service, subscribe, agent)
    today, now = today_in_paris(), datetime.now(PARIS)
    campaign = campaigns.create_campaign(
        campaigns.CampaignInput(
            name="Grand nettoyage", first_day=today - timedelta(days=2), last_day=today + timedelta(days=5)
        )
    )
    campaigns.publish_campaign(campaign, now=now)
    campaigns.advance_campaign_states(now=now)
    db.session.commit()
    browser_login(agent)
    page.goto("/services")
    names = page.locator("#services-results h3 a")
    expect(names.first).to_have_text("Ancien intranet")  # by name
    page.get_by_label("Trier par").select_option("footprint")  # htmx swaps the results
    expect(page).to_have_url(re.compile(r"sort=footprint"))
    expect(names.first).to_have_text("Ancien intranet")  # 60 vCPU of 100 against 20
    expect(names.last).to_have_text("Messagerie")
    assert_accessible(page)
    names.first.click()
    page.get_by_role("button", name="Je ne l’utilise plus").click()
    expect(page.get_by_role("status").first).to_contain_text("action de nettoyage de « Grand nettoyage »")
    page.goto("/me/footprint")
    expect(page.locator("#my-services")).to_contain_text("une action de nettoyage de « Grand nettoyage »")


def test_an_owner_records_a_decision_on_their_service(
    page: Page,
    make_user,
    make_host,
    make_service,
    browser_login,
):
    owner = make_user(first_name="Olivier", locale="en")
    service = make_service(name="Ancien intranet", owner=owner, components=[(make_host(), 16)])
    browser_login(owner)
    page.goto(f"/services/{service.id}")
    page.get_by_role("link", name="Manage this service").click()
    page.get_by_label("Decision").select_option("optimise")
    page.get_by_label("Rationale").fill("Archives moved to read-only storage.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status").first).to_contain_text("Decision recorded")
    expect(page.locator("main table").last).to_contain_text("Archives moved to read-only storage.")
    assert_accessible(page)
