"""The declarative list of jobs: what runs, and when."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jobs import campaigns, heartbeat, itsm, messaging


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
    return [
        Job(
            "heartbeat",
            heartbeat.beat,
            "interval",
            {"seconds": config["PORTAL_JOBS_HEARTBEAT_SECONDS"]},
            run_at_start=True,
        ),
        Job("campaign-states", campaigns.advance_states, "interval", {"minutes": 1}, run_at_start=True),
        Job("messaging-dispatch", messaging.dispatch, "interval", messaging.every(config), run_at_start=True),
        # Every minute: a sync asked for from /admin/itsm starts soon; the schedule (PORTAL_ITSM_SYNC_MINUTES)
        # is kept by the service, which knows when the last sync ran on any node.
        Job("itsm-sync", itsm.sync_turn, "interval", {"minutes": 1}, run_at_start=True),
    ]
