"""`flask services import|export KIND FILE.csv`, `flask services import-usage FILE.csv` and
`flask services sync-servers` (the data-centre servers of the ITSM)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from portal import csvio
from portal.catalogue.my_footprint import today_in_paris
from portal.digital_services import servers, transfer
from portal.digital_services.display import IMPORT_REJECTIONS
from portal.itsm.client import ItsmError
from portal.itsm.settings import from_config
from portal.models import db


@click.group()
def services() -> None:
    """Digital services: services, hosts, components and subscriptions as CSV; the usage import."""


def _import(kind: str, file: Path) -> None:
    # A refusal of the file as a whole (not text, empty, too long, columns missing) imports nothing.
    csvio.import_command(
        lambda: transfer.import_kind(kind, file.read_bytes(), today=today_in_paris()), IMPORT_REJECTIONS
    )


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


@services.command("sync-servers")
@with_appcontext
def sync_servers_command() -> None:
    """Read the data-centre servers from the ITSM (cmdb_ci_server) and create or update their hosts; the
    records not stored are reported with their number and reason."""
    with force_locale("en"):
        try:
            report = servers.sync_servers(from_config(current_app.config))
        except ItsmError as error:
            db.session.rollback()
            raise click.ClickException(error.message("en")) from error
        db.session.commit()
        for line in csvio.report_lines(report, IMPORT_REJECTIONS, where=servers.where):
            click.echo(line)


@services.command("export")
@click.argument("kind", type=click.Choice(tuple(transfer.EXPORTS)))
@click.argument("file")
@with_appcontext
def export_command(kind: str, file: str) -> None:
    """Write KIND as CSV, with the columns of the import ("-" for standard output)."""
    with csvio.export_output(file) as stream:
        count = transfer.EXPORTS[kind](stream)
    if file != "-":
        click.echo(f"exported: {count} {kind} to {file}")


commands = [services]
