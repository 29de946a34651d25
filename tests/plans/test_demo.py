"""The demo's strategy: six actions measured over the estate's demo months, every status present."""

from __future__ import annotations

import sqlalchemy as sa

from portal.models import db
from portal.plans.models import Action, Measure


def test_the_demo_plan_shows_every_status(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "plan actions: 6" in result.output
    db.session.rollback()
    actions = db.session.scalars(sa.select(Action).order_by(Action.id)).all()
    assert sum(a.declared for a in actions) == 2
    assert all(a.baseline is not None for a in actions)
    statuses = set(db.session.scalars(sa.select(Measure.status).distinct()))
    assert statuses == {"on_track", "at_risk", "late", "achieved"}
    again = app.test_cli_runner().invoke(args=["demo", "load"])
    assert "plan actions: 0" in again.output
