"""Make the accounts follow the directory (LDAP / Active Directory), every night."""

from __future__ import annotations

import logging

from flask import Flask

from portal.accounts.directory import run_error, run_sync
from portal.models import db, utcnow

log = logging.getLogger(__name__)


def sync_directory(app: Flask) -> None:
    """One sync: arrivals, changes, departures; the run and its report are kept for the admins' page."""
    with app.app_context():
        run = run_sync(app.extensions.get("portal_directory"), now=utcnow())
        db.session.commit()
        error = run_error(run)
        if error is not None:
            log.error("directory sync did not run: %s", error.message("en"))
        else:
            log.info("directory sync: %d read, %d created, %d updated, %d deactivated, %d rejected",
                     run.entries_read, run.created, run.updated, run.deactivated, run.rejected)
