"""Record that the jobs process is alive, so /healthz and admins can see it."""

from __future__ import annotations

import logging

from flask import Flask

from portal.main.services import record_heartbeat
from portal.models import db

log = logging.getLogger(__name__)


def beat(app: Flask) -> None:
    """Write the jobs process's heartbeat."""
    with app.app_context():
        record_heartbeat("jobs")
        db.session.commit()
        log.debug("heartbeat recorded")
