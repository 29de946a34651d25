"""`flask estate snapshot [--month YYYY-MM] [--reason TEXT]`, `flask estate seed-vehicles` and
`flask estate export-numecoeval DIR [--year Y]`. One line in plain words on a refusal, never a traceback."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from portal.domain_error import DomainError
from portal.estate import numecoeval, services
from portal.models import db


@click.group()
def estate() -> None:
    """The IT estate's footprint: monthly snapshots and exports."""


@estate.command("snapshot")
@click.option("--month", "month_text", default=None, help="YYYY-MM (default: the current month, Paris time).")
@click.option("--reason", default="", help="Why a month already frozen is recomputed (kept with the version).")
@with_appcontext
def snapshot_command(month_text: str | None, reason: str) -> None:
    """Compute a month's indicators (1 January to the month's end) with today's factors, as a new version."""
    with force_locale("en"):
        try:
            today = services.today_paris()
            year, month = services.parse_month(month_text) if month_text else (today.year, today.month)
            if services.latest_version(year, month) is not None and not reason.strip():
                raise click.ClickException(
                    f"{year}-{month:02d} is already frozen: give --reason to recompute it as a new version."
                )
            taken = services.take_snapshot(year, month, reason=reason.strip() or "cli", today=today)
        except DomainError as error:
            raise click.ClickException(error.message("en")) from None
        db.session.commit()
    click.echo(f"{taken.year}-{taken.month:02d}: version {taken.version}, computed in {taken.seconds} s")


@estate.command("seed-vehicles")
@with_appcontext
def seed_vehicles_command() -> None:
    """Store the published vehicle factors (ADEME 2025) and the ADEME storage factor in the factor library (stored
    ones are kept)."""
    created = services.seed_vehicle_factors()
    db.session.commit()
    click.echo(f"{created} factors added (vehicles and storage)")


@estate.command("export-numecoeval")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--year", type=int, default=None, help="The calendar year (default: last year).")
@with_appcontext
def export_numecoeval_command(directory: Path, year: int | None) -> None:
    """Write the year's physical equipment and entity files in NumEcoEval's format, checked against its columns."""
    year = year or services.today_paris().year - 1
    try:
        written = numecoeval.export(directory, year)
    except (OSError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    for name, count in written.items():
        click.echo(f"{directory / name}: {count} lines")


commands = [estate]
