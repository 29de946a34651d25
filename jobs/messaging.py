"""Start the messages whose time has come and send the due e-mails of the outbox; run the automatic messages."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import Flask

from portal.messaging import automatic
from portal.messaging import dispatch as dispatch_service
from portal.messaging.settings import DEFAULTS
from portal.models import utcnow

log = logging.getLogger(__name__)


def interval_seconds(config: Any) -> int:
    """How often the job runs (PORTAL_MESSAGING_DISPATCH_SECONDS)."""
    return int(config.get("PORTAL_MESSAGING_DISPATCH_SECONDS", DEFAULTS["PORTAL_MESSAGING_DISPATCH_SECONDS"]))


def every(config: Any) -> dict[str, int]:
    """The job's interval trigger arguments."""
    return {"seconds": interval_seconds(config)}


def dispatch(app: Flask) -> None:
    """One run: start due messages, then send batches until nothing is due or the interval is spent."""
    with app.app_context():
        report = dispatch_service.run(budget_seconds=max(1.0, interval_seconds(app.config) - 0.5))
        if report.started or report.batches:
            log.info("messaging dispatch: %s", report.summary())


def trigger_every(config: Any) -> dict[str, int]:
    """The triggers job's interval (PORTAL_MESSAGING_TRIGGERS_SECONDS)."""
    name = "PORTAL_MESSAGING_TRIGGERS_SECONDS"
    return {"seconds": int(config.get(name, DEFAULTS[name]))}


def run_triggers(app: Flask, now: datetime | None = None) -> None:
    """One run of the automatic messages: record new events, send what may go, drop what came too late."""
    with app.app_context():
        report = automatic.run(now=now or utcnow())
        if report.recorded or report.sent or report.expired:
            log.info("messaging triggers: %s", report.summary())
