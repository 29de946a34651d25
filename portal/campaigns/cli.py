"""`flask storage import FILE [--source …]`: import a storage-metric export from the command line."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click
from flask.cli import with_appcontext

from portal.campaigns import imports
from portal.campaigns.parsers import FORMATS, StorageParseError
from portal.campaigns.services import paris_today
from portal.models import db, utcnow
from portal.uploads import NotTextError

# The report's reasons, in English like the rest of the command line.
REASONS = {
    "missing_identity": "no e-mail address or name",
    "bad_email": "not an e-mail address",
    "missing_size": "size missing",
    "not_a_number": "size or count is not a whole number",
    "rounded_number": "number rounded by a spreadsheet (scientific notation): export the file again",
    "negative_size": "negative size",
    "negative_count": "negative item count",
    "bad_date": "unknown or missing measure date",
    "unknown_source": "unknown source (expected mailbox, drive or share)",
    "malformed_line": "malformed line (unbalanced quote)",
    "duplicate_conflict": "same employee, source and date as an earlier line (given), with other values",
    "concealed": "concealed name (hashed by the tenant): never guessed",
    "no_email": "the export gives a name but no e-mail address",
    "unknown_employee": "no employee with this e-mail address",
}
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
    except StorageParseError as error:
        db.session.rollback()
        reason = error.message("en") if isinstance(error, NotTextError) else str(error)
        raise click.ClickException(f"{reason} Nothing was imported.") from error
    db.session.commit()
    click.echo(f"import #{batch.id} ({batch.format}) in {batch.duration_ms} ms")
    click.echo(f"rows read: {batch.rows_read}")
    click.echo(f"created: {batch.created}")
    click.echo(f"updated: {batch.updated}")
    click.echo(f"unchanged: {batch.unchanged}")
    click.echo(f"unmatched: {batch.unmatched}")
    click.echo(f"invalid: {batch.invalid}")
    problems = db.session.scalars(imports.problems_statement(batch).limit(SHOWN_PROBLEMS)).all()
    for problem in problems:
        click.echo(
            f"  line {problem.line}: {problem.kind}, {REASONS.get(problem.reason, problem.reason)} ({problem.detail})"
        )
    if batch.invalid + batch.unmatched > len(problems):
        click.echo(
            f"  … and {batch.invalid + batch.unmatched - len(problems)} more: see /admin/storage-imports/{batch.id}"
        )


commands = [storage]
