"""The plans' pages: who sees what (404 otherwise), check-ins and declared values, the review and its CSV, and
the shared objectives."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.models import db
from portal.plans import services
from portal.plans.models import CheckIn, DeclaredValue, Measure
from tests.conftest import csrf_token


def _measured(action, year=2025, month=6, value=Decimal("1.6"), status="on_track", progress=Decimal("0.5")):
    db.session.add(
        Measure(
            action_id=action.id,
            year=year,
            month=month,
            measured_on=services.month_end(year, month),
            value=value,
            progress=progress,
            status=status,
        )
    )
    action.status = status
    db.session.commit()


def _declared(make_action, **overrides):
    values = {
        "indicator_code": "",
        "declared_name": "PUE du centre de données",
        "baseline": Decimal("1.8"),
        "target": Decimal("1.4"),
        "deadline": date(2026, 12, 31),
    }
    values.update(overrides)
    return make_action(**values)


def test_an_employee_reads_public_objectives_only(client, login_as, make_action):
    public = _declared(make_action, public=True, title="Réduire le PUE")
    private = _declared(make_action, title="Action interne")
    _measured(public)
    login_as()
    page = client.get("/objectives").get_data(as_text=True)
    assert "Réduire le PUE" in page and "Action interne" not in page
    assert 'value="50"' in page and "50" in page
    assert client.get(f"/plans/actions/{public.id}").status_code == 200
    assert client.get(f"/plans/actions/{private.id}").status_code == 404
    assert client.get(f"/plans/{public.plan_id}").status_code == 404
    assert client.get("/plans").status_code == 403
    assert client.get(f"/plans/{public.plan_id}/review?year=2025").status_code == 404
    token = csrf_token(client)
    posted = client.post(
        f"/plans/actions/{public.id}/check-ins", data={"csrf_token": token, "comment": "x", "on": "2025-06-01"}
    )
    assert posted.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(CheckIn.id))) == 0


def test_an_owner_adds_check_ins_and_declared_values_to_their_action(client, login_as, make_action, make_user):
    owner = login_as()
    mine = _declared(make_action, owner_id=owner.id)
    other = _declared(make_action, owner_id=make_user().id)
    assert client.get(f"/plans/{mine.plan_id}").status_code == 200
    assert client.get(f"/plans/{other.plan_id}").status_code == 404
    token = csrf_token(client)
    response = client.post(
        f"/plans/actions/{mine.id}/check-ins",
        data={"csrf_token": token, "comment": "Free cooling installed", "on": "2025-06-02", "link": "https://intra/x"},
        follow_redirects=True,
    )
    assert "Free cooling installed" in response.get_data(as_text=True)
    refused = client.post(
        f"/plans/actions/{mine.id}/check-ins",
        data={"csrf_token": token, "comment": " ", "on": "2025-06-02"},
        follow_redirects=True,
    )
    assert refused.status_code == 200
    client.post(
        f"/plans/actions/{mine.id}/declared",
        data={"csrf_token": token, "value": "1,62", "on": "2025-06-30", "source": "Relevé EDF"},
    )
    bad = client.post(
        f"/plans/actions/{mine.id}/declared",
        data={"csrf_token": token, "value": "abc", "on": "2025-06-30", "source": "x"},
        follow_redirects=True,
    )
    assert bad.status_code == 200
    huge = client.post(
        f"/plans/actions/{mine.id}/declared",
        data={"csrf_token": token, "value": "1e13", "on": "2025-06-30", "source": "x"},
        follow_redirects=True,
    )
    assert "est trop grand\u202f: une valeur a au plus 12 chiffres avant la virgule." in huge.get_data(as_text=True)
    declared = db.session.scalars(sa.select(DeclaredValue)).all()
    assert [(d.value, d.source, d.entered_by_id) for d in declared] == [(Decimal("1.62"), "Relevé EDF", owner.id)]
    assert (
        client.post(
            f"/plans/actions/{other.id}/check-ins", data={"csrf_token": token, "comment": "x", "on": "2025-06-02"}
        ).status_code
        == 404
    )


def test_an_admin_sees_every_plan_and_prints_the_review_with_its_csv(client, login_as, make_action):
    admin = login_as("admin")
    action = _declared(make_action, title="Réduire le PUE")
    _measured(action, month=11)
    _measured(action, month=12, value=Decimal("1.5"), progress=Decimal("0.75"))
    db.session.add(
        CheckIn(action_id=action.id, on=date(2025, 12, 15), comment="Confinement des allées", author_id=admin.id)
    )
    db.session.commit()
    assert "Stratégie numérique responsable 2025–2030" in client.get("/plans").get_data(as_text=True)
    assert "Réduire le PUE" in client.get(f"/plans/{action.plan_id}").get_data(as_text=True)
    page = client.get(f"/plans/{action.plan_id}/review?year=2025").get_data(as_text=True)
    assert "Confinement des allées" in page and "75" in page
    csv = client.get(f"/plans/{action.plan_id}/review?year=2025&format=csv").get_data(as_text=True)
    header, line = csv.lstrip("\ufeff").splitlines()[:2]
    assert header.startswith("action,indicator,unit")
    assert line.startswith("Réduire le PUE,declared,") and ",2025-12,1.5" in line and ",75.0," in line
    assert client.get(f"/plans/{action.plan_id}/review?year=abc").status_code == 400
    assert client.get("/plans/999").status_code == 404
    assert client.get(f"/plans/actions/{action.id}").status_code == 200


def test_the_home_page_shows_one_objective(client, login_as, make_action):
    login_as()
    assert "Réduire le PUE" not in client.get("/").get_data(as_text=True)
    action = _declared(make_action, public=True, title="Réduire le PUE")
    _measured(action)
    home = client.get("/").get_data(as_text=True)
    assert "Réduire le PUE" in home and 'id="home-objective" max="100" value="50"' in home
    _measured(action, month=7, progress=Decimal("0.75"))  # kept for everyone, renewed by a new measure
    assert 'id="home-objective" max="100" value="75"' in client.get("/").get_data(as_text=True)


def test_the_home_objective_is_kept_in_each_language(client, login_as, make_action):
    login_as()
    action = _declared(make_action, public=True, title="Réduire le PUE")
    _measured(action)
    assert "Où nous en sommes" in client.get("/").get_data(as_text=True)
    login_as(locale="en")
    home = client.get("/").get_data(as_text=True)
    assert "Where we stand" in home and "Où nous en sommes" not in home


def test_an_admin_builds_a_plan_from_the_estates_indicators(client, login_as, make_user, estate):
    from portal.estate import services as estate_services
    from portal.plans.models import Action, Plan

    estate_services.take_snapshot(2025, 1, today=date(2026, 1, 15))
    db.session.commit()
    owner = make_user(email="owner@test.example")
    login_as("admin")
    token = csrf_token(client)
    created = client.post("/admin/plans", data={"csrf_token": token, "title": "Stratégie 2025–2030"})
    plan = db.session.scalar(sa.select(Plan))
    assert created.headers["Location"].endswith(f"/admin/plans/{plan.id}/actions/new")
    assert "Indicateur" in client.get(f"/admin/plans/{plan.id}/actions/new").get_data(as_text=True)
    fields = {
        "csrf_token": token,
        "title": "Moins d’empreinte de fabrication",
        "owner_email": "owner@test.example",
        "indicator": "embodied_kgco2e",
        "unit_id": str(estate.direction.id),
        "trend": "decrease",
        "start_on": "2025-01-01",
        "deadline": "2026-12-31",
        "target": "40",
        "public": "y",
    }
    response = client.post(f"/admin/plans/{plan.id}/actions/new", data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    action = db.session.scalar(sa.select(Action))
    assert (action.owner_id, action.unit_id, action.public) == (owner.id, estate.direction.id, True)
    assert round(action.baseline, 2) == 50  # read from January's snapshot, annualised
    late = client.post(f"/admin/plans/{plan.id}/actions/new", data={**fields, "deadline": "2024-12-31"})
    assert late.status_code == 400 and "L’échéance doit venir après le début." in late.get_data(as_text=True)
    declared = client.post(f"/admin/plans/{plan.id}/actions/new", data={**fields, "indicator": ""})
    assert declared.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Action.id))) == 1


def test_an_employee_cannot_build_plans(client, login_as, make_plan):
    plan = make_plan()
    login_as()
    assert client.get(f"/admin/plans/{plan.id}/actions/new").status_code in (403, 404)
    assert client.post("/admin/plans", data={"csrf_token": csrf_token(client), "title": "x"}).status_code in (403, 404)


def test_an_action_in_years_reads_each_languages_plural_and_punctuation(client, login_as, make_action):
    from portal.plans.models import Milestone

    action = make_action(
        public=True,
        indicator_code="average_lifetime_retired_years",
        trend="increase",
        baseline=Decimal("1.5"),
        target=Decimal(6),
        milestones=[
            Milestone(value=Decimal("3.96"), due_on=date(2025, 12, 31)),
            Milestone(value=Decimal(5), due_on=date(2026, 6, 30)),
        ],
    )
    login_as(locale="fr")
    page = client.get(f"/plans/actions/{action.id}").get_data(as_text=True)
    # French counts under 2 in the singular; 3.96 shows as 3,96; a figure never leaves its unit.
    assert "1,5\u00a0an<" in page and "6\u00a0ans<" in page
    assert "3,96\u00a0ans au 31 décembre 2025\u202f; 5\u00a0ans" in page
    login_as(locale="en")
    page = client.get(f"/plans/actions/{action.id}").get_data(as_text=True)
    assert "1.5\u00a0years<" in page and "by December 31, 2025; 5\u00a0years" in page
