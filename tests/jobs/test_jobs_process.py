"""The jobs process: started by `python -m jobs`, never by the web app."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import sqlalchemy as sa

from jobs.schedule import jobs
from portal.main.models import Heartbeat
from portal.models import db
from tests.conftest import ROOT


def test_schedule_declares_every_job_with_a_trigger(app):
    declared = jobs(app.config)
    assert [j.name for j in declared] == ["heartbeat", "campaign-states", "messaging-dispatch",
                                          "messaging-triggers", "personal-data-retention", "itsm-sync",
                                          "estate-snapshot", "plans-measure"]
    assert all(j.trigger in {"interval", "cron", "date"} for j in declared)


def test_web_app_starts_no_scheduler(app):
    import apscheduler.schedulers.base as base

    assert not any(isinstance(v, base.BaseScheduler) for v in app.extensions.values())


def test_python_m_jobs_runs_and_stops_on_sigterm(app, database_url):
    env = {**os.environ, "DATABASE_URL": database_url, "PORTAL_JOBS_HEARTBEAT_SECONDS": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "jobs"],
        cwd=ROOT,
        env=env,  # noqa: S603
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        beat = None
        while time.monotonic() < deadline and beat is None:
            time.sleep(0.3)
            db.session.rollback()
            beat = db.session.scalar(sa.select(Heartbeat).where(Heartbeat.name == "jobs"))
        assert beat is not None, "the jobs process never wrote its heartbeat"
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=15)
    assert process.returncode == 0, output
    assert "jobs process started" in output
