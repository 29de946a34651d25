"""Move campaigns through their states (upcoming → active → closed) when their dates come, in Paris time."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Flask

from portal.campaigns.services import advance_campaign_states
from portal.models import db, utcnow

log = logging.getLogger(__name__)


def advance_states(app: Flask, now: datetime | None = None) -> None:
    """Give every published campaign the state its dates call for at `now` (default: the clock)."""
    with app.app_context():
        changes = advance_campaign_states(now=now or utcnow())
        db.session.commit()
        for change in changes:
            log.info("campaign %d %r: %s -> %s", change.campaign.id, change.campaign.name, change.before, change.after)
