"""The campaign-states job: a thin wrapper that moves campaigns by the clock (frozen here)."""

from __future__ import annotations

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from jobs import campaigns as campaign_jobs
from jobs.schedule import jobs
from portal.campaigns import services
from portal.campaigns.models import Campaign
from portal.models import db

PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def state() -> str:
    db.session.rollback()  # read what the job committed in its own app context
    return db.session.scalar(sa.select(Campaign.state))


def test_the_job_is_scheduled_every_minute(app):
    job = next(j for j in jobs(app.config) if j.name == "campaign-states")
    assert job.func is campaign_jobs.advance_states
    assert (job.trigger, job.options, job.run_at_start) == ("interval", {"minutes": 1}, True)


def test_the_job_opens_and_closes_a_campaign_at_midnight_in_paris(app, caplog, monkeypatch):
    # Alembic's fileConfig (run by the migrations) disables the loggers that existed before it.
    monkeypatch.setattr(logging.getLogger("jobs.campaigns"), "disabled", False)
    campaign = services.create_campaign(
        services.CampaignInput(name="Printemps", first_day=date(2026, 3, 9), last_day=date(2026, 3, 29))
    )
    db.session.commit()
    campaign_jobs.advance_states(app, now=paris(2026, 2, 1))
    assert state() == "draft"  # a draft waits for an admin, not for the clock

    services.publish_campaign(db.session.get(Campaign, campaign.id), now=paris(2026, 2, 1))
    db.session.commit()
    assert state() == "upcoming"
    campaign_jobs.advance_states(app, now=paris(2026, 3, 8, 23, 59))
    assert state() == "upcoming"
    with caplog.at_level(logging.INFO, logger="jobs.campaigns"):
        campaign_jobs.advance_states(app, now=paris(2026, 3, 9, 0, 0))
    assert state() == "active"
    assert "upcoming -> active" in caplog.text
    campaign_jobs.advance_states(app, now=paris(2026, 3, 29, 23, 59))
    assert state() == "active"
    campaign_jobs.advance_states(app, now=paris(2026, 3, 30, 0, 0))  # summer time by then: 22:00 UTC
    assert state() == "closed"
    campaign_jobs.advance_states(app, now=paris(2026, 3, 9))  # a clock going back does not reopen it
    assert state() == "closed"
