"""Apply the retention rules of personal data, every night."""

from __future__ import annotations

import logging

from flask import Flask

from portal.models import db, utcnow
from portal.privacy.services import apply_retention

log = logging.getLogger(__name__)


def apply(app: Flask) -> None:
    """Remove or pseudonymise what is older than its retention period; log each rule's count."""
    with app.app_context():
        outcomes = apply_retention(app.config, now=utcnow())
        db.session.commit()
        for outcome in outcomes:
            log.info("retention %s: %d rows (older than %d %s)", outcome.key, outcome.affected, outcome.period,
                     outcome.unit)
