"""`flask privacy apply-retention`: the nightly retention rules, by hand."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.models import db, utcnow
from portal.privacy.services import apply_retention


@click.group()
def privacy() -> None:
    """Personal data."""


@privacy.command("apply-retention")
@with_appcontext
def apply_retention_command() -> None:
    """Remove or pseudonymise the personal data older than its retention period (as the jobs process does)."""
    for outcome in apply_retention(current_app.config, now=utcnow()):
        click.echo(f"{outcome.key}: {outcome.affected} (older than {outcome.period} {outcome.unit})")
    db.session.commit()


commands = [privacy]
