"""Start the messages whose time has come and send the due e-mails of the outbox."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from portal.messaging import dispatch as dispatch_service
from portal.messaging.settings import DEFAULTS

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
