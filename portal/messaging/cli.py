"""`flask messaging seed-templates` and `flask messaging dispatch` (one run of the dispatch job, by hand)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.messaging import dispatch
from portal.messaging.ready import seed_ready_templates
from portal.models import db


@click.group()
def messaging() -> None:
    """Personalised messages."""


@messaging.command("seed-templates")
@with_appcontext
def seed_templates_command() -> None:
    """Add the five ready templates to the library (safe to run again)."""
    added = seed_ready_templates()
    db.session.commit()
    click.echo(f"ready templates added: {added}")


@messaging.command("dispatch")
@with_appcontext
def dispatch_command() -> None:
    """Start the messages that are due and send the due e-mails now, until none is left."""
    report = dispatch.run()
    click.echo(", ".join(f"{name}: {value}" for name, value in report.summary().items()))


commands = [messaging]
