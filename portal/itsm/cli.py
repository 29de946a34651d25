"""`flask itsm sync [--table T …] [--full]` and `flask itsm import FILE --table T`.

Both print, per table, the records read, created, updated, unchanged and refused (each with its record key and
reason), the unknown models and e-mails; the exit code is 0 when the run completed (refused records
included), 1 with one line in plain words otherwise. Never a traceback.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from portal import csvio, uploads
from portal.itsm import sync
from portal.itsm.client import ItsmError
from portal.itsm.display import REASONS, error_message
from portal.itsm.mapping import TABLES
from portal.itsm.models import ItsmModel, RunStatus, RunTrigger, SyncRun
from portal.itsm.settings import from_config
from portal.itsm.store import TableReport
from portal.models import db

#: Unknown models and e-mails named per table (the admin page lists them all).
NAMES_SHOWN = 10


@click.group()
def itsm() -> None:
    """ITSM link: sync from ServiceNow's Table API, or import its exported files."""


def _progress(reports: dict[str, TableReport]) -> Callable[[TableReport], None]:
    def show(report: TableReport) -> None:
        reports[report.table] = report
        total = f" of {report.total:,}" if report.total is not None else ""
        click.echo(f"{report.table}: {report.read:,}{total} read", err=True)

    return show


def _where(word: str) -> Callable[[csvio.Rejected], str]:
    def place(rejected: csvio.Rejected) -> str:
        key = dict(rejected.params).get("record", "")
        return f"{key} ({word} {rejected.line})" if key else f"{word} {rejected.line}"

    return place


def _print(reports: dict[str, TableReport], word: str) -> None:
    for table, report in reports.items():
        total = f" of {report.total}" if report.total is not None else ""
        requests = f" ({report.requests} request{'s' if report.requests > 1 else ''})" if report.requests else ""
        click.echo(f"{table}: {report.read} read{total}{requests}")
        extra = {"sites created": report.sites_created} if table == "cmn_location" else {}
        if table == "alm_hardware":
            extra = {"unknown models": len(report.unknown_models), "unknown e-mails": report.unknown_emails}
        for line in csvio.report_lines(report.report, REASONS, extra=extra, where=_where(word)):
            click.echo(f"  {line}")
        if report.unknown_models:
            models = db.session.execute(
                sa.select(ItsmModel.name, ItsmModel.itsm_category).where(ItsmModel.id.in_(report.unknown_models))
                .order_by(ItsmModel.name).limit(NAMES_SHOWN)
            )
            click.echo("  models to map at /admin/itsm/models: "
                       + "; ".join(f"{name} ({category or '-'})" for name, category in models))
        if report.unknown_email_samples:
            emails = sorted(report.unknown_email_samples)[:NAMES_SHOWN]
            click.echo("  e-mails of no employee: " + ", ".join(emails))


def _finish(run: SyncRun, reports: dict[str, TableReport], word: str, started: float) -> None:
    _print(reports, word)
    if run.status != RunStatus.COMPLETED.value:
        raise click.ClickException(error_message(run.error_code, run.error_params, "en"))
    what = "sync" if run.trigger != RunTrigger.IMPORT.value else "import"
    click.echo(f"{what} completed in {time.perf_counter() - started:.1f} s")


@itsm.command("sync")
@click.option("--table", "tables", multiple=True, type=click.Choice(TABLES), help="Only this table (repeatable).")
@click.option("--full", is_flag=True, help="Read every record again, not only those changed since the last sync.")
@with_appcontext
def sync_command(tables: tuple[str, ...], full: bool) -> None:
    """Read the inventory, locations, interventions and transfers from the ServiceNow instance."""
    started = time.perf_counter()
    reports: dict[str, TableReport] = {}
    with force_locale("en"):
        try:
            settings = from_config(current_app.config)
            run = sync.run_sync(
                settings, checkpoint=db.session.commit, tables=[t for t in TABLES if t in tables] or TABLES,
                full=full, trigger=RunTrigger.CLI, progress=_progress(reports),
            )
        except ItsmError as error:
            raise click.ClickException(error.message("en")) from None
        except Exception as error:  # a database failure or a defect: one line, the run is recorded as failed
            db.session.rollback()
            raise click.ClickException(error_message("internal", {"error": type(error).__name__}, "en")) from None
        _finish(run, reports, "record", started)


@itsm.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--table", required=True, type=click.Choice(TABLES), help="The table the file was exported from.")
@with_appcontext
def import_command(file: Path, table: str) -> None:
    """Store the records of a Table API answer (JSON) or a CSV list export, as a sync would."""
    started = time.perf_counter()
    reports: dict[str, TableReport] = {}
    with force_locale("en"):
        try:
            settings = from_config({**current_app.config, "SERVICENOW_INSTANCE_URL": ""})
            run = sync.import_file(table, file.read_bytes(), source=file.name, checkpoint=db.session.commit,
                                   settings=settings, progress=_progress(reports))
        except ItsmError as error:
            raise click.ClickException(error.message("en")) from None
        except (uploads.NotTextError, csvio.CsvFileError) as error:
            raise click.ClickException(error.message("en")) from None
        except Exception as error:  # a database failure or a defect: one line, the run is recorded as failed
            db.session.rollback()
            raise click.ClickException(error_message("internal", {"error": type(error).__name__}, "en")) from None
        _finish(run, reports, "record" if file.suffix.lower() == ".json" else "line", started)


commands = [itsm]
