"""`flask messaging seed-templates` and `flask messaging dispatch` (one run of the dispatch job, by hand)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.messaging import automatic, dispatch
from portal.messaging.ready import seed_ready_templates
from portal.models import db, utcnow


@click.group()
def messaging() -> None:
    """Personalised messages."""


@messaging.command("seed-templates")
@with_appcontext
def seed_templates_command() -> None:
    """Add the ready templates to the library (safe to run again)."""
    added = seed_ready_templates()
    db.session.commit()
    click.echo(f"ready templates added: {added}")


@messaging.command("dispatch")
@with_appcontext
def dispatch_command() -> None:
    """Start the messages that are due and send the due e-mails now, until none is left."""
    report = dispatch.run()
    click.echo(", ".join(f"{name}: {value}" for name, value in report.summary().items()))


@messaging.command("triggers")
@click.option("--dry-run", is_flag=True, help="List what each trigger would send next, without sending.")
@with_appcontext
def triggers_command(dry_run: bool) -> None:
    """Run the automatic messages' triggers now (what the jobs process does every few minutes)."""
    now = utcnow()
    if dry_run:
        for found in automatic.all_triggers():
            state = "on" if found.enabled else "off"
            upcoming = automatic.next_sends(found, now=now)
            click.echo(f"{found.key} ({state}): {len(upcoming)} to send")
            for item in upcoming:
                when = f"after {item.not_before:%Y-%m-%d %H:%M} UTC" if item.not_before else "next run"
                click.echo(f"  {item.user.email} {item.event_key} – {when}")
        return
    report = automatic.run(now=now)
    click.echo(", ".join(f"{name}: {value}" for name, value in report.summary().items()))


commands = [messaging]
