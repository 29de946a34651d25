"""The estate's nightly snapshot: the current month's indicators frozen with today's factors."""

from __future__ import annotations

import logging

from flask import Flask

from portal.estate.services import nightly
from portal.models import db

log = logging.getLogger(__name__)


def snapshot(app: Flask) -> None:
    """Freeze the current month (and, on the 1st, the month just closed); log each snapshot's time."""
    with app.app_context():
        taken = nightly()
        db.session.commit()
        for taken_snapshot in taken:
            log.info(
                "estate snapshot %d-%02d v%d in %ss",
                taken_snapshot.year,
                taken_snapshot.month,
                taken_snapshot.version,
                taken_snapshot.seconds,
            )
