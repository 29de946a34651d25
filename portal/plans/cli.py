"""`flask plans measure [--month YYYY-MM]`: measure every action for a month that is over (default: the last
one). One line in plain words on a refusal, never a traceback."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.domain_error import DomainError
from portal.estate.services import parse_month, today_paris
from portal.models import db
from portal.plans import services


@click.group()
def plans() -> None:
    """Action plans measured over time."""


@plans.command("measure")
@click.option("--month", "month_text", default=None, help="YYYY-MM (default: the last month that is over).")
@with_appcontext
def measure_command(month_text: str | None) -> None:
    """Measure every started action for the month from the estate's snapshots (months measured are kept)."""
    today = today_paris()
    try:
        year, month = parse_month(month_text) if month_text else services.last_closed_month(today)
        run = services.measure_month(year, month, today=today)
    except DomainError as error:
        raise click.ClickException(error.message("en")) from None
    db.session.commit()
    click.echo(
        f"{year}-{month:02d}: {run.measured} measured, {run.kept} already measured, "
        f"{run.unmeasured} without figures, {len(run.changes)} status changes"
    )


commands = [plans]
