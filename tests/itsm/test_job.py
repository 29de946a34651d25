"""The jobs process's turn: the sync an admin asked for, else the scheduled one when due, else nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from jobs.itsm import sync_turn
from jobs.schedule import jobs
from portal.itsm import sync
from portal.itsm.models import SyncRun
from portal.models import db
from tests.itsm.records import hardware


@pytest.fixture
def configured(app, instance, monkeypatch, catalogue):
    monkeypatch.setitem(app.config, "SERVICENOW_INSTANCE_URL", instance.url)
    monkeypatch.setitem(app.config, "SERVICENOW_USERNAME", instance.username)
    monkeypatch.setitem(app.config, "SERVICENOW_PASSWORD", instance.password)
    for table in ("cmn_location", "wm_task", "alm_transfer_order_line"):
        instance.put(table, [])
    instance.put("alm_hardware", [hardware(1)])
    return instance


def _runs() -> list[tuple[str, str]]:
    db.session.rollback()  # what the job committed in its own app context
    return [(run.trigger, run.status) for run in db.session.scalars(sa.select(SyncRun).order_by(SyncRun.id))]


def test_the_turn_is_scheduled_every_minute(app):
    job = next(j for j in jobs(app.config) if j.name == "itsm-sync")
    assert job.func is sync_turn and job.options == {"minutes": 1} and job.run_at_start


def test_a_due_sync_runs_once_then_waits_for_the_interval(app, configured):
    sync_turn(app)
    assert _runs() == [("schedule", "completed")]
    sync_turn(app)
    assert _runs() == [("schedule", "completed")]  # 60 minutes have not passed


def test_a_requested_sync_runs_at_the_next_turn_even_when_the_schedule_is_off(app, configured, make_user,
                                                                              monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_ITSM_SYNC_MINUTES", 0)
    sync_turn(app)
    assert _runs() == []
    sync.request_sync(by=make_user(roles=("admin",)))
    db.session.commit()
    sync_turn(app)
    assert _runs() == [("manual", "completed")]


def test_a_requested_sync_with_a_refused_configuration_ends_with_the_reason(app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "SERVICENOW_INSTANCE_URL", "ftp://x.service-now.com")
    sync.request_sync(by=make_user(roles=("admin",)))
    db.session.commit()
    sync_turn(app)
    assert _runs() == [("manual", "failed")]
    assert db.session.scalar(sa.select(SyncRun.error_code)) == "bad_instance_url"


def test_nothing_runs_without_an_instance(app):
    sync_turn(app)
    assert _runs() == []
