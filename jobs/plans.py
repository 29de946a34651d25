"""Measure the action plans for the month just over, once the estate has frozen it (months measured are kept)."""

from __future__ import annotations

import logging
from datetime import date

from flask import Flask

from portal.estate.services import today_paris
from portal.models import db
from portal.plans.services import last_closed_month, measure_month

log = logging.getLogger(__name__)


def measure(app: Flask, today: date | None = None) -> None:
    """Measure every started action for the last month that is over; a month already measured is kept."""
    with app.app_context():
        today = today or today_paris()
        run = measure_month(*last_closed_month(today), today=today)
        db.session.commit()
        log.info(
            "plans %d-%02d: %d measured, %d kept, %d without figures, %d status changes",
            run.year,
            run.month,
            run.measured,
            run.kept,
            run.unmeasured,
            len(run.changes),
        )
