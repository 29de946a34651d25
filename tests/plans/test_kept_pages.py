"""The plan's table and the shared objectives, kept rendered by the portal's cache: an edited action or a new
measure shows at the next request; the plan's actions come 20 a page, the printable review all at once."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from portal.models import db
from portal.plans.models import Action, Milestone
from tests.plans.test_routes import _declared, _measured


def _without_token(html: str) -> str:
    """A page without its CSRF tokens (each signed with the second it was made)."""
    return re.sub(r'("X-CSRFToken": |name="csrf_token" value=)"[^"]*"', "", html)


def test_an_edit_and_a_new_measure_show_at_the_next_request(client, login_as, make_action):
    action = _declared(make_action, public=True, title="Réduire le PUE")
    _measured(action, month=6, value=Decimal("1.6"), progress=Decimal("0.5"))
    login_as("admin")
    objectives = client.get("/objectives").get_data(as_text=True)
    table = client.get(f"/plans/{action.plan_id}").get_data(as_text=True)
    assert "Réduire le PUE" in objectives and "Réduire le PUE" in table and "50" in objectives
    # Kept: the same pages again without a change (but for the CSRF token, signed with the second it was made).
    assert _without_token(client.get("/objectives").get_data(as_text=True)) == _without_token(objectives)
    action.title = "Abaisser le PUE"
    db.session.commit()
    assert "Abaisser le PUE" in client.get("/objectives").get_data(as_text=True)
    assert "Abaisser le PUE" in client.get(f"/plans/{action.plan_id}").get_data(as_text=True)
    _measured(action, month=7, value=Decimal("1.5"), progress=Decimal("0.75"), status="achieved")
    page = client.get("/objectives").get_data(as_text=True)
    assert 'value="75"' in page and "31 juillet 2025" in page
    assert "31 juillet 2025" in client.get(f"/plans/{action.plan_id}").get_data(as_text=True)


def test_the_plans_actions_come_a_page_at_a_time_and_the_review_shows_them_all(client, login_as, make_action):
    first = _declared(make_action, title="Action 00")
    for n in range(1, 25):
        db.session.add(
            Action(
                plan_id=first.plan_id,
                title=f"Action {n:02d}",
                start_on=date(2025, 1, 1),
                deadline=date(2026, 12, 31),
                declared_name="PUE",
                trend="decrease",
                baseline=Decimal("1.8"),
                target=Decimal("1.4"),
            )
        )
    db.session.commit()
    login_as("admin")
    page_one = client.get(f"/plans/{first.plan_id}").get_data(as_text=True)
    assert "Action 19" in page_one and "Action 20" not in page_one and "Page 1 sur 2" in page_one
    page_two = client.get(f"/plans/{first.plan_id}?page=2").get_data(as_text=True)
    assert "Action 20" in page_two and "Action 24" in page_two and "Action 19" not in page_two
    assert "Action 24" in client.get(f"/plans/{first.plan_id}?page=9").get_data(as_text=True)
    review = client.get(f"/plans/{first.plan_id}/review?year=2025").get_data(as_text=True)
    assert "Action 00" in review and "Action 24" in review


def test_the_action_page_shows_a_new_measure_and_a_new_milestone_at_the_next_request(client, login_as, make_action):
    action = _declared(make_action, title="Réduire le PUE")
    _measured(action, month=6, value=Decimal("1.6"), progress=Decimal("0.5"))
    login_as("admin")
    url = f"/plans/actions/{action.id}"
    page = client.get(url).get_data(as_text=True)
    assert "30 juin 2025" in page and "50 %" in page and "31 juillet 2025" not in page
    _measured(action, month=7, value=Decimal("1.5"), progress=Decimal("0.75"), status="achieved")
    page = client.get(url).get_data(as_text=True)
    assert "31 juillet 2025" in page and "75 %" in page
    # The trajectory on 31 July, from 1.8 on 1 January 2025 to 1.4 on 31 December 2026: 1.68; through a
    # milestone of 1.5 on 31 December 2025: 1.63.
    assert "1,68" in page and "1,63" not in page
    db.session.add(Milestone(action_id=action.id, due_on=date(2025, 12, 31), value=Decimal("1.5")))
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "1,63" in page and "1,68" not in page
