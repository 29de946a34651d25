"""The shared objectives and an action's page in a real browser: an employee follows the objectives (French); an
owner adds a check-in to their action (English). axe-core clean, EcoIndex A."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from playwright.sync_api import Page, expect

from portal.models import db
from portal.plans.models import Action, DeclaredValue, Measure, Plan
from tests.e2e.helpers import assert_accessible, measure_ecoindex


def _plan(owner_id: int | None = None) -> Action:
    plan = Plan(title="Stratégie numérique responsable 2025–2030")
    action = Action(
        plan=plan,
        title="PUE du centre de données à 1,4",
        declared_name="PUE du centre de données",
        trend="decrease",
        baseline=Decimal("1.8"),
        target=Decimal("1.4"),
        start_on=date(2025, 1, 1),
        deadline=date(2026, 12, 31),
        public=True,
        owner_id=owner_id,
        status="on_track",
    )
    db.session.add(action)
    db.session.flush()
    db.session.add(DeclaredValue(action_id=action.id, on=date(2025, 6, 1), value=Decimal("1.6"), source="EDF"))
    for month, value, progress in ((3, "1.7", "0.25"), (6, "1.6", "0.5")):
        db.session.add(
            Measure(
                action_id=action.id,
                year=2025,
                month=month,
                measured_on=date(2025, month, 28 if month == 3 else 30),
                value=Decimal(value),
                progress=Decimal(progress),
                status="on_track",
            )
        )
    db.session.commit()
    return action


def test_an_employee_follows_the_shared_objectives_in_french(page: Page, make_user, browser_login):
    _plan()
    browser_login(make_user())
    page.goto("/")
    page.get_by_role("link", name="Mon espace").first.click()  # the person's own pages beyond the menu's room
    page.get_by_role("main").get_by_role("link", name="Nos objectifs communs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nos objectifs communs")
    expect(page.get_by_text("Où nous en sommes\u202f: 1,6, 50 % du chemin")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_attribute("value", "50")
    expect(page.get_by_role("link", name="Choisir un appareil reconditionné dans le catalogue")).to_be_visible()
    assert_accessible(page)
    eco = measure_ecoindex(page, "/objectives")
    assert eco.grade == "A", eco
    page.get_by_role("link", name="PUE du centre de données à 1,4").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PUE du centre de données à 1,4")
    expect(page.get_by_role("img", name="Valeurs mensuelles face à la trajectoire cible")).to_be_visible()
    measures = page.get_by_role("table", name="Mesures mensuelles")
    expect(measures).to_contain_text("30 juin 2025")
    expect(measures).to_contain_text("Dans la trajectoire")
    expect(page.get_by_role("button", name="Ajouter le point d’étape")).to_have_count(0)  # not the owner
    assert_accessible(page)


def test_an_owner_adds_a_check_in_in_english(page: Page, make_user, browser_login):
    owner = make_user(locale="en", email="owen@test.example")
    action = _plan(owner.id)
    browser_login(owner)
    page.goto(f"/plans/actions/{action.id}")
    expect(page.get_by_text("Declared indicator: the values are entered by hand")).to_be_visible()
    page.get_by_label("What happened").fill("Hot aisle containment finished")
    page.get_by_label("Date", exact=True).fill("2025-07-01")
    page.get_by_role("button", name="Add the check-in").click()
    expect(page.get_by_text("Check-in added.")).to_be_visible()
    expect(page.get_by_text("Hot aisle containment finished")).to_be_visible()
    page.get_by_role("link", name="Our shared objectives").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Our shared objectives")
    assert_accessible(page)


def test_an_admin_edits_an_action_its_milestones_and_contributors(page: Page, make_user, browser_login):
    make_user(email="helene@test.example", first_name="Hélène", last_name="Aide")
    action = _plan(make_user(email="owner@test.example").id)
    browser_login(make_user(roles=("admin",)))
    page.goto(f"/plans/actions/{action.id}")
    page.get_by_role("link", name="Modifier l’action, ses jalons et ses contributeurs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier l’action")
    assert_accessible(page)
    page.get_by_label("Échéance", exact=True).fill("2024-12-31")
    page.get_by_role("button", name="Enregistrer l’action").click()
    expect(page.get_by_text("L’échéance doit venir après le début.")).to_be_visible()
    page.get_by_label("Échéance", exact=True).fill("2026-12-31")
    page.get_by_label("Adresses électroniques des contributeurs").fill("helene@test.example")
    page.get_by_label("Jalon 1\u202f: date").fill("2025-12-31")
    page.get_by_label("Jalon 1\u202f: cible").fill("1.6")
    page.get_by_role("button", name="Enregistrer l’action").click()
    expect(page.get_by_text("Action enregistrée.")).to_be_visible()
    expect(page.get_by_text("Hélène Aide")).to_be_visible()
    expect(page.get_by_text("Jalons\u202f: 1,6 au 31 décembre 2025")).to_be_visible()
    assert_accessible(page)
