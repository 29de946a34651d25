"""`flask estate snapshot` and `seed-vehicles`, and the nightly job."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from jobs import estate as estate_jobs
from jobs.schedule import jobs
from portal.catalogue.models import Factor
from portal.estate import services
from portal.estate.models import Snapshot
from portal.models import db


def run(app, *args):
    return app.test_cli_runner().invoke(args=["estate", *args])


def test_snapshot_of_a_month_then_a_recompute_needs_a_reason(app, estate):
    result = run(app, "snapshot", "--month", "2025-06")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2025-06: version 1, computed in ")

    again = run(app, "snapshot", "--month", "2025-06")
    assert again.exit_code == 1
    assert "already frozen: give --reason" in again.output

    recomputed = run(app, "snapshot", "--month", "2025-06", "--reason", "inventory corrected")
    assert recomputed.exit_code == 0
    db.session.rollback()
    assert [(s.version, s.reason) for s in services.versions(2025, 6)] == [(2, "inventory corrected"), (1, "cli")]


def test_snapshot_refuses_a_bad_month_in_words(app, estate):
    for text, words in (("2025-13", "is not a month"), ("2999-01", "has not started yet")):
        result = run(app, "snapshot", "--month", text)
        assert result.exit_code == 1
        assert words in result.output
        assert "Traceback" not in result.output


def test_seed_vehicles_stores_the_published_factors_once(app):
    assert run(app, "seed-vehicles").output == "6 factors added (vehicles and storage)\n"
    assert run(app, "seed-vehicles").output == "0 factors added (vehicles and storage)\n"
    van = db.session.scalar(sa.select(Factor).where(Factor.key == "vehicle_van"))
    assert (van.unit, van.version, len(van.versions)) == ("kgCO2e/vehicle-km", 1, 1)
    assert str(van.value.normalize()) == "0.325"
    storage = db.session.scalar(sa.select(Factor).where(Factor.key == "storage_gb_year"))
    assert (storage.unit, str(storage.value.normalize())) == ("gCO2e/(GB*year)", "0.235")


def test_the_nightly_job_freezes_the_current_month(app, estate, caplog, monkeypatch):
    monkeypatch.setattr(logging.getLogger("jobs.estate"), "disabled", False)
    job = next(j for j in jobs(app.config) if j.name == "estate-snapshot")
    assert (job.func, job.trigger, job.options["minute"]) == (estate_jobs.snapshot, "cron", 45)
    with caplog.at_level(logging.INFO, logger="jobs.estate"):
        estate_jobs.snapshot(app)
    db.session.rollback()
    today = services.today_paris()
    snapshot = db.session.scalar(sa.select(Snapshot))
    assert (snapshot.year, snapshot.month, snapshot.reason) == (today.year, today.month, "nightly")
    assert f"estate snapshot {today.year}-{today.month:02d} v1" in caplog.text
