"""The manager's team page: devices, ages, returns waiting and overdue, orders of the year, footprint per employee."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.catalogue.footprints import load_factor_set
from portal.catalogue.models import Order
from portal.catalogue.orders import place_order
from portal.catalogue.team import team_overview
from portal.models import db, utcnow
from tests.conftest import csrf_token

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def _laptop(make_item):
    # 150 + 10 + 2 kg over 5 years and no electricity: 32.4 kg CO₂e per year, computed by hand.
    return make_item(name="Book 14", annual_kwh=Decimal("0"))


def _order(requester, item, created_at):
    order = place_order(
        requester=requester,
        item=item,
        quantity=1,
        justification="Pour le travail",
        replaces=None,
        factor_set=load_factor_set(),
        additional_reason="Un second poste pour le terrain",
    )
    order.created_at = created_at
    db.session.commit()
    return order


def _team(make_user, make_item, make_asset, now=NOW):
    manager = make_user(roles=("manager",), first_name="Marc", last_name="Martin")
    ana = make_user(manager_id=manager.id, first_name="Ana", last_name="Agent")
    bob = make_user(manager_id=manager.id, first_name="Bob", last_name="Bernard")
    make_user(manager_id=manager.id, first_name="Léa", last_name="Partie", active=False)
    other_manager = make_user(roles=("manager",))
    outsider = make_user(manager_id=other_manager.id, first_name="Olga", last_name="Ailleurs")
    laptop = _laptop(make_item)
    make_asset(user=ana, item=laptop, acquired_on=date(2024, 6, 1))
    make_asset(
        user=ana,
        item=laptop,
        acquired_on=date(2020, 6, 1),
        status="to_return",
        status_changed_at=now - timedelta(days=40),
    )
    make_asset(
        user=bob,
        item=laptop,
        acquired_on=date(2025, 6, 1),
        status="to_return",
        status_changed_at=now - timedelta(days=5),
    )
    make_asset(user=bob, item=laptop, acquired_on=date(2019, 1, 1), status="returned")
    make_asset(user=outsider, item=laptop, model_name="Portable d’Olga")
    _order(ana, laptop, now - timedelta(hours=1))
    _order(ana, laptop, datetime(now.year - 1, 12, 1, tzinfo=UTC))  # last year
    _order(outsider, laptop, now - timedelta(hours=2))
    return manager, ana, bob, other_manager


def test_team_overview_counts_devices_returns_and_orders(make_user, make_item, make_asset):
    manager, ana, bob, _ = _team(make_user, make_item, make_asset)
    team = team_overview(manager, load_factor_set(), now=NOW, return_days=30, organisation_average=Decimal("50"))

    assert [row.member.first_name for row in team.members] == ["Ana", "Bob"]  # not the departed Léa
    assert team.devices == 3  # the returned device and Olga's are not counted
    assert team.annualised_kgco2e == Decimal("97.2")  # 3 × 32.4
    assert team.per_employee_kgco2e == Decimal("48.60")
    # Ages on 1 June 2026: 2, 6 and 1 years; average 3.0
    assert team.average_age_years == Decimal("3.0")
    ana_row, bob_row = team.members
    assert (ana_row.devices, ana_row.oldest_years, ana_row.to_return, ana_row.overdue) == (2, Decimal("6.00"), 1, 1)
    assert (bob_row.devices, bob_row.to_return, bob_row.overdue) == (1, 1, 0)
    assert [(d.asset.user_id, d.days_waiting, d.overdue) for d in team.to_return] == [
        (ana.id, 40, True),
        (bob.id, 5, False),
    ]
    assert team.overdue == 1
    assert [order.requester_id for order in team.orders] == [ana.id]  # this year, this team only
    assert team.year == 2026


def test_a_manager_without_team_sees_an_explanation(client, login_as):
    login_as("manager")
    page = client.get("/team").get_data(as_text=True)
    assert "Personne n’est rattaché à vous" in page


def test_the_team_page_shows_only_the_managers_team(client, login, make_user, make_item, make_asset):
    manager, *_ = _team(make_user, make_item, make_asset, now=utcnow())
    login(manager)
    response = client.get("/team")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Ana Agent" in page and "Bob Bernard" in page
    assert "Olga" not in page and "Léa" not in page
    assert "2 personnes, 3 équipements" in page
    assert "2 équipements à rendre, 1 en retard" in page


def test_another_manager_does_not_see_this_team(client, login, make_user, make_item, make_asset):
    *_, other_manager = _team(make_user, make_item, make_asset, now=utcnow())
    login(other_manager)
    page = client.get("/team").get_data(as_text=True)
    assert "Olga Ailleurs" in page
    assert "Ana Agent" not in page and "Bob Bernard" not in page


def test_employees_get_no_team_page(client, login_as):
    login_as("employee")
    assert client.get("/team").status_code == 403
    assert "/team" not in client.get("/").get_data(as_text=True)


def _submitted(make_user, make_item, login, client, app):
    manager = make_user(roles=("manager",), first_name="Marc")
    ana = make_user(manager_id=manager.id, first_name="Ana", last_name="Agent")
    bob = make_user(manager_id=manager.id, first_name="Bob", last_name="Bernard")
    item = make_item(name="Laptop Z")
    first = _order(ana, item, utcnow())
    second = _order(bob, item, utcnow())
    login(manager)
    return manager, first, second


def test_a_refusal_without_comment_shows_the_error_on_that_card(app, client, make_user, make_item, login):
    _, first, second = _submitted(make_user, make_item, login, client, app)
    response = client.post(
        f"/approvals/{second.id}", data={"decision": "refuse", "comment": "  ", "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    card = page.split(f'id="request-{second.id}"')[1].split("</li>")[0]
    assert "Dites pourquoi vous refusez" in card
    assert re.search(rf'<textarea id="comment-{second.id}"[^>]*aria-invalid="true" autofocus', card)
    other_card = page.split(f'id="request-{first.id}"')[1].split("</li>")[0]
    assert "Dites pourquoi" not in other_card and "autofocus" not in other_card
    assert page.count("Dites pourquoi vous refusez") == 1
    db.session.refresh(second)
    assert second.status == "submitted"


def test_decision_messages_use_plural_forms_and_elision(app, client, make_user, make_item, login):
    _, first, second = _submitted(make_user, make_item, login, client, app)
    approved = client.post(
        f"/approvals/{first.id}",
        data={"decision": "approve", "comment": "", "csrf_token": csrf_token(client)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Demande d’Ana Agent acceptée." in approved
    assert re.search(r"1 demande acceptée,", approved)
    refused = client.post(
        f"/approvals/{second.id}",
        data={"decision": "refuse", "comment": "Budget épuisé", "csrf_token": csrf_token(client)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Demande de Bob Bernard refusée." in refused
    assert db.session.scalar(sa.select(sa.func.count(Order.id)).where(Order.status == "approved")) == 1


def test_decision_messages_in_english(app, client, make_user, make_item, login):
    manager = make_user(roles=("manager",), locale="en")
    ana = make_user(manager_id=manager.id, first_name="Ana", last_name="Agent")
    order = _order(ana, make_item(), utcnow())
    login(manager)
    page = client.post(
        f"/approvals/{order.id}",
        data={"decision": "approve", "comment": "", "csrf_token": csrf_token(client)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Request of Ana Agent approved." in page
    assert "1 approved request," in page
