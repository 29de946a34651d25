"""`flask services import|export KIND FILE.csv` and `flask services import-usage FILE.csv`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from portal import csvio
from portal.catalogue.my_footprint import today_in_paris
from portal.digital_services import transfer
from portal.digital_services.display import IMPORT_REJECTIONS
from portal.domain_error import DomainError
from portal.models import db


@click.group()
def services() -> None:
    """Digital services: services, hosts, components and subscriptions as CSV; the usage import."""


def _import(kind: str, file: Path) -> None:
    with force_locale("en"):
        try:
            report = transfer.import_kind(kind, file.read_bytes(), today=today_in_paris())
        except DomainError as error:  # the file as a whole: not text, empty, too long, columns missing
            db.session.rollback()
            raise click.ClickException(error.message()) from error
        db.session.commit()
        for line in csvio.report_lines(report, IMPORT_REJECTIONS):
            click.echo(line)


@services.command("import")
@click.argument("kind", type=click.Choice(tuple(transfer.KINDS)))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(kind: str, file: Path) -> None:
    """Create or update rows of KIND from a CSV file (idempotent); bad lines are reported and skipped."""
    _import(kind, file)


@services.command("import-usage")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_usage_command(file: Path) -> None:
    """Activity of the last 90 days (access logs or licence report): service_code, user_email, last_active_on,
    active_days; bad lines are reported and skipped."""
    _import("usage", file)


@services.command("export")
@click.argument("kind", type=click.Choice(tuple(transfer.EXPORTS)))
@click.argument("file")
@with_appcontext
def export_command(kind: str, file: str) -> None:
    """Write KIND as CSV, with the columns of the import ("-" for standard output)."""
    if file == "-":
        transfer.EXPORTS[kind](sys.stdout)
        return
    with open(file, "w", encoding="utf-8-sig", newline="") as stream:
        count = transfer.EXPORTS[kind](stream)
    click.echo(f"exported: {count} {kind} to {file}")


commands = [services]
