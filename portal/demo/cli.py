"""`flask demo load`: idempotent demo data."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.demo.services import DEMO_PASSWORD, load_demo
from portal.models import db


@click.group()
def demo() -> None:
    """Demo data."""


@demo.command("load")
@with_appcontext
def load_command() -> None:
    """Load the demo metropolis (safe to run again: nothing is duplicated)."""
    summary = load_demo()
    db.session.commit()
    for name, count in summary.items():
        click.echo(f"{name}: {count} created")
    click.echo(f"demo accounts: agent@, manager@, comms@, admin@demo.example (password {DEMO_PASSWORD})")
