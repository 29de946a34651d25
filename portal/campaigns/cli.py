"""`flask storage import FILE [--source …]`: import a storage-metric export from the command line."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from portal.campaigns import display, imports
from portal.campaigns.parsers import FORMATS
from portal.campaigns.services import paris_today
from portal.domain_error import DomainError
from portal.models import db, utcnow

SHOWN_PROBLEMS = 50


@click.group()
def storage() -> None:
    """Storage metrics: import mailbox, drive and share usage exports."""


@storage.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--source",
    "format_",
    type=click.Choice(("auto", *FORMATS)),
    default="auto",
    show_default=True,
    help="Export format; auto detects it from the header.",
)
@click.option(
    "--measured-at",
    type=click.DateTime(formats=("%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")),
    default=None,
    help="Measure date (Paris) for exports without one (Exchange); default: today.",
)
@with_appcontext
def import_command(file: Path, format_: str, measured_at: datetime | None) -> None:
    """Import FILE into storage snapshots and print the report (re-importing creates nothing)."""
    when: date | datetime = measured_at if measured_at is not None else paris_today(utcnow())
    try:
        with file.open("rb") as stream:
            batch = imports.import_storage_file(stream, filename=file.name, format=format_, measured_at=when)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message('en')} Nothing was imported.") from error
    db.session.commit()
    click.echo(f"import #{batch.id} ({batch.format}) in {batch.duration_ms} ms")
    click.echo(f"rows read: {batch.rows_read}")
    click.echo(f"created: {batch.created}")
    click.echo(f"updated: {batch.updated}")
    click.echo(f"unchanged: {batch.unchanged}")
    click.echo(f"unmatched: {batch.unmatched}")
    click.echo(f"invalid: {batch.invalid}")
    problems = db.session.scalars(imports.problems_statement(batch).limit(SHOWN_PROBLEMS)).all()
    with force_locale("en"):
        for problem in problems:
            reason = display.REASONS.get(problem.reason, problem.reason)
            click.echo(f"  line {problem.line}: {problem.kind}, {reason} ({problem.detail})")
    if batch.invalid + batch.unmatched > len(problems):
        click.echo(
            f"  … and {batch.invalid + batch.unmatched - len(problems)} more: see /admin/storage-imports/{batch.id}"
        )


commands = [storage]
