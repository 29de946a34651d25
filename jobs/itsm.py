"""The ITSM link's turn, every minute: the sync an admin asked for, or the scheduled one when it is due."""

from __future__ import annotations

import logging

from flask import Flask

from portal.itsm import sync
from portal.itsm.client import ItsmError
from portal.itsm.settings import from_config
from portal.models import db

log = logging.getLogger(__name__)


def sync_turn(app: Flask) -> None:
    """Run a requested or due sync (committed page by page); nothing while another node holds the lock."""
    with app.app_context():
        try:
            settings = from_config(app.config)
        except ItsmError as error:  # refused configuration: requested syncs end with the reason, for the page
            if sync.fail_requested(error):
                db.session.commit()
                log.warning("itsm sync not run: %s", error.message("en"))
            return
        run = sync.run_due(settings, checkpoint=db.session.commit)
        if run is not None:
            log.info("itsm sync %d %s %s", run.id, run.status, run.error_code)
