"""Demo campaigns: one in progress today, the closed March 2026 one, with measured progress; loaded once."""

from __future__ import annotations

import sqlalchemy as sa

from portal.campaigns import results
from portal.campaigns.demo import ACTIVE_NAME, CLOSED_NAME
from portal.campaigns.models import Campaign, StorageImport, StorageImportProblem, StorageSnapshot
from portal.models import db


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_demo_campaigns_are_loaded_once_with_progress_to_show(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    campaigns = {c.name: c for c in db.session.scalars(sa.select(Campaign))}
    assert campaigns[ACTIVE_NAME].state == "active"
    assert campaigns[CLOSED_NAME].state == "closed"
    for campaign in campaigns.values():
        totals = results.totals(campaign)
        assert totals.participants > 50
        assert totals.freed_bytes > 0 and totals.latest_import is not None
        assert results.leaderboard(campaign).teams
    assert count(StorageImport) == 4
    reasons = set(db.session.scalars(sa.select(StorageImportProblem.reason)))
    assert reasons == {"concealed", "negative_size"}
    counts = (count(Campaign), count(StorageSnapshot), count(StorageImport))
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert (count(Campaign), count(StorageSnapshot), count(StorageImport)) == counts
