"""`flask demo load`: a plausible metropolis, loaded once, with the four documented accounts."""

from __future__ import annotations

import sqlalchemy as sa

from portal.accounts.models import User
from portal.accounts.services import authenticate
from portal.demo.services import DEMO_PASSWORD
from portal.models import db
from portal.org.models import Commune, OrgUnit, Site


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_demo_load_is_complete_and_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    counts = {m: _count(m) for m in (Commune, Site, OrgUnit, User)}
    assert counts[Commune] == 28
    assert 35 <= counts[Site] <= 45
    assert counts[User] == 300
    assert {s.commune_insee for s in db.session.scalars(sa.select(Site))} == {
        c.insee for c in db.session.scalars(sa.select(Commune))
    }

    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0
    db.session.expire_all()
    assert {m: _count(m) for m in counts} == counts


def test_demo_accounts_log_in_with_their_roles_and_managers(app):
    app.test_cli_runner().invoke(args=["demo", "load"])
    for local, role in [("agent", "employee"), ("manager", "manager"), ("comms", "comms"), ("admin", "admin")]:
        user = authenticate(f"{local}@demo.example", DEMO_PASSWORD)
        assert user is not None and role in user.roles
    agent = authenticate("agent@demo.example", DEMO_PASSWORD)
    assert agent.manager.email == "manager@demo.example"
    # Every employee but the directors' level has a manager, and every manager holds the role.
    managers = db.session.scalars(sa.select(User).where(User.manager_id.is_not(None))).all()
    assert len(managers) >= 290
    assert all(u.manager.has_role("manager") for u in managers)
