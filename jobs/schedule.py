"""The declarative list of jobs: what runs, and when."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jobs import accounts, campaigns, estate, heartbeat, itsm, messaging, plans, privacy


@dataclass(frozen=True)
class Job:
    """A job: a function taking the app, and an APScheduler trigger with its arguments."""

    name: str
    func: Callable[[Any], None]
    trigger: str
    options: dict[str, Any]
    run_at_start: bool = False


def jobs(config: dict[str, Any]) -> list[Job]:
    """Every scheduled job, with intervals taken from the configuration."""
    scheduled = [
        Job(
            "heartbeat",
            heartbeat.beat,
            "interval",
            {"seconds": config["PORTAL_JOBS_HEARTBEAT_SECONDS"]},
            run_at_start=True,
        ),
        Job("campaign-states", campaigns.advance_states, "interval", {"minutes": 1}, run_at_start=True),
        Job("messaging-dispatch", messaging.dispatch, "interval", messaging.every(config), run_at_start=True),
        Job("messaging-triggers", messaging.run_triggers, "interval", messaging.trigger_every(config)),
        # Nightly, Paris time (the scheduler's time zone).
        Job("personal-data-retention", privacy.apply, "cron",
            {"hour": int(config["PORTAL_RETENTION_HOUR"]), "minute": 30}),
        # Every minute: a sync asked for from /admin/itsm starts soon; the schedule (PORTAL_ITSM_SYNC_MINUTES)
        # is kept by the service, which knows when the last sync ran on any node.
        Job("itsm-sync", itsm.sync_turn, "interval", {"minutes": 1}, run_at_start=True),
        # Nightly, Paris time, after the retention rules: the month's figures frozen with today's factors.
        Job("estate-snapshot", estate.snapshot, "cron",
            {"hour": int(config["PORTAL_RETENTION_HOUR"]), "minute": 45}),
        # Nightly, after the estate's snapshot: the month just over is measured once (later runs keep it).
        Job("plans-measure", plans.measure, "cron",
            {"hour": int(config["PORTAL_RETENTION_HOUR"]), "minute": 55}),
    ]
    if config.get("LDAP_URL"):  # nightly, Paris time (the scheduler's time zone)
        scheduled.append(
            Job("directory-sync", accounts.sync_directory, "cron", {"hour": int(config["LDAP_SYNC_HOUR"]), "minute": 0})
        )
    return scheduled
