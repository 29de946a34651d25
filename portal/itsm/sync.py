"""Runs of the ITSM link: one sync at a time cluster-wide, page by page, resumable; and imports of files.

- **Lock**: a row of `itsm_lock` with a lease, taken before a run starts and renewed with every page; a
  process that died leaves it to expire, and its run is then marked interrupted by the next one.
- **Watermark**: per table, the change time of the last record stored, committed with the page that stored
  it. A run reads `sys_updated_on>=<watermark>` ordered by change time then sys_id, so an interrupted run
  resumes where it stopped and the next sync reads only what changed (the records of the watermark's
  second are read again and found unchanged). `full` reads every record again.
- **Pages**: each page is stored and committed (`checkpoint`) with the table's progress, its refused records
  and the watermark; a failure loses at most the page in progress.

Services never commit, except through the `checkpoint` their caller gives (the command, the job, a test):
a sync of 60,000 records must keep what it has stored when it is interrupted.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal import csvio, uploads
from portal.accounts.models import User
from portal.database import affected_rows
from portal.itsm import mapping, store
from portal.itsm.client import ItsmError, Page, TableClient
from portal.itsm.mapping import REQUIRED_FIELDS, TABLES
from portal.itsm.models import (
    RunStatus,
    RunTrigger,
    SyncLock,
    SyncProblem,
    SyncRun,
    SyncTableReport,
    Watermark,
)
from portal.itsm.settings import ItsmSettings
from portal.models import db, utcnow

LOCK_NAME = "sync"
#: Lines of an exported file read at most (about eight devices per employee at 60,000 devices).
MAX_IMPORT_LINES = 500_000
#: Records stored per transaction when importing a file (as a page of the API).
IMPORT_PAGE_SIZE = 1000
Progress = Callable[[store.TableReport], None]


# ---------------------------------------------------------------------------
# Lock
# ---------------------------------------------------------------------------


def _holder() -> str:
    return f"{socket.gethostname()[:60]} pid {os.getpid()} {uuid.uuid4().hex[:8]}"


def acquire_lock(holder: str, *, lease: timedelta, now: datetime | None = None) -> None:
    """Take the sync lock (committed at once), or ItsmError("busy") naming who holds it and since when."""
    now = now or utcnow()
    taken = affected_rows(db.session.execute(
        sa.update(SyncLock).where(SyncLock.name == LOCK_NAME, SyncLock.expires_at < now)
        .values(holder=holder, acquired_at=now, expires_at=now + lease)
    ))
    if not taken:
        try:
            with db.session.begin_nested():
                db.session.add(SyncLock(name=LOCK_NAME, holder=holder, acquired_at=now, expires_at=now + lease))
        except IntegrityError:
            current = db.session.get(SyncLock, LOCK_NAME, populate_existing=True)
            since = current.acquired_at.strftime("%Y-%m-%d %H:%M UTC") if current else ""
            by = current.holder if current else ""
            db.session.rollback()
            raise ItsmError("busy", since=since, holder=by) from None
    db.session.commit()


def renew_lock(holder: str, *, lease: timedelta) -> None:
    """Push the lease back (in the page's transaction: one writer at a time on SQLite)."""
    db.session.execute(
        sa.update(SyncLock).where(SyncLock.name == LOCK_NAME, SyncLock.holder == holder)
        .values(expires_at=utcnow() + lease)
    )


def release_lock(holder: str) -> None:
    """Give the lock back (the caller commits)."""
    db.session.execute(sa.delete(SyncLock).where(SyncLock.name == LOCK_NAME, SyncLock.holder == holder))


# ---------------------------------------------------------------------------
# Watermarks
# ---------------------------------------------------------------------------


def watermark(table: str) -> Watermark | None:
    """Where the next read of `table` starts (None: from the first record)."""
    return db.session.get(Watermark, table)


def query_from(mark: Watermark | None) -> str:
    """The encoded query of a read from a watermark, in a stable order (change time, then the immutable sys_id)."""
    since = f"sys_updated_on>={mark.updated_on:%Y-%m-%d %H:%M:%S}^" if mark and mark.updated_on else ""
    return f"{since}ORDERBYsys_updated_on^ORDERBYsys_id"


def _advance(table: str, records: Sequence[dict[str, Any]]) -> None:
    """Move the table's watermark to the latest change time of the page just stored."""
    latest: tuple[datetime, str] | None = None
    for record in records:
        try:
            updated_on = mapping.instant(record, "sys_updated_on")
        except mapping.Refused:
            continue
        if updated_on is not None and (latest is None or (updated_on, mapping.text(record, "sys_id")) > latest):
            latest = (updated_on, mapping.text(record, "sys_id")[:32])
    if latest is None:
        return
    mark = db.session.get(Watermark, table) or Watermark(table_name=table)
    db.session.add(mark)
    if mark.updated_on is None or latest[0] >= mark.updated_on:
        mark.updated_on, mark.last_sys_id = latest
    mark.advanced_at = utcnow()


def rewind(table: str, to: datetime) -> None:
    """Make the next sync read `table` again from `to` (records once refused, now storable)."""
    mark = db.session.get(Watermark, table)
    if mark is not None and mark.updated_on is not None and mark.updated_on > to:
        mark.updated_on, mark.last_sys_id = to, ""


# ---------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------


def request_sync(*, by: User) -> SyncRun | None:
    """Ask the jobs process for a sync now; None if one is already waiting or running."""
    waiting = db.session.scalar(
        sa.select(SyncRun.id).where(SyncRun.status.in_([RunStatus.REQUESTED.value, RunStatus.RUNNING.value]))
    )
    if waiting is not None:
        return None
    run = SyncRun(trigger=RunTrigger.MANUAL.value, status=RunStatus.REQUESTED.value, requested_by=by,
                  requested_at=utcnow(), error_params={})
    db.session.add(run)
    db.session.flush()
    return run


def fail_requested(error: ItsmError) -> int:
    """Close the syncs admins asked for when the link cannot run at all (its configuration is not valid), with
    the reason they will read on the page."""
    return affected_rows(db.session.execute(
        sa.update(SyncRun).where(SyncRun.status == RunStatus.REQUESTED.value)
        .values(status=RunStatus.FAILED.value, finished_at=utcnow(), error_code=error.code,
                error_params=dict(error.params))
    ))


def _api_runs() -> sa.ColumnElement[bool]:
    return SyncRun.trigger.in_([RunTrigger.SCHEDULE.value, RunTrigger.MANUAL.value, RunTrigger.CLI.value])


def sync_due(settings: ItsmSettings, *, now: datetime) -> bool:
    """True when the schedule calls for a sync: configured, not turned off, the last one long enough ago."""
    if not settings.configured or settings.sync_minutes <= 0:
        return False
    last = db.session.scalar(sa.select(sa.func.max(SyncRun.started_at)).where(_api_runs()))
    return last is None or now - last >= timedelta(minutes=settings.sync_minutes)


def run_due(settings: ItsmSettings, *, checkpoint: Callable[[], None], now: datetime | None = None,
            sleep: Callable[[float], None] = time.sleep) -> SyncRun | None:
    """The jobs process's turn: run the sync an admin asked for, else the scheduled one if due; None when
    there is nothing to do or another sync holds the lock (it is tried again at the next turn)."""
    requested = db.session.scalar(
        sa.select(SyncRun).where(SyncRun.status == RunStatus.REQUESTED.value).order_by(SyncRun.id).limit(1)
    )
    if requested is None and not sync_due(settings, now=now or utcnow()):
        return None
    try:
        return run_sync(settings, checkpoint=checkpoint, trigger=RunTrigger.SCHEDULE, run=requested, sleep=sleep)
    except ItsmError as error:
        if error.code == "busy":
            return None
        raise


def run_sync(
    settings: ItsmSettings,
    *,
    checkpoint: Callable[[], None],
    tables: Sequence[str] = TABLES,
    full: bool = False,
    trigger: RunTrigger = RunTrigger.CLI,
    run: SyncRun | None = None,
    by: User | None = None,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SyncRun:
    """Read the tables from the instance and store them, page by page. The run ends completed, interrupted
    (the instance failed for a while: the next run resumes) or failed (a person must act: credentials, rights,
    configuration), with its reason; ItsmError("busy") is raised, and nothing recorded, when another sync runs."""
    lease = timedelta(minutes=settings.lock_minutes)
    holder = _holder()
    acquire_lock(holder, lease=lease)
    run = _start(run, trigger=trigger, by=by, full=full, source=settings.instance, checkpoint=checkpoint)
    with _recording(run, holder, checkpoint):
        if not settings.configured:
            raise ItsmError("not_configured")
        store.link_known_emails()
        resolver = store.Resolver(settings.status_codes)
        with TableClient(settings.connection, sleep=sleep) as client:
            for position, table in enumerate(tables):
                names = settings.field_names.get(table, {})
                query = query_from(None if full else watermark(table))
                pages = client.read(table, mapping.instance_fields(table, names), query, settings.page_size)
                numbered = _numbered(pages, names)
                _store_table(run, position, table, numbered, resolver, holder, lease, checkpoint, progress,
                             advance_watermark=True)
    return run


def import_file(
    table: str,
    data: bytes | str,
    *,
    source: str,
    checkpoint: Callable[[], None],
    settings: ItsmSettings,
    by: User | None = None,
    trigger: RunTrigger = RunTrigger.IMPORT,
    progress: Progress | None = None,
) -> SyncRun:
    """Store the records of an exported file (a Table API answer, or a CSV list export whose header names the
    fields) with the same mapping as a sync; the watermarks are left alone. The file is checked before any
    record is stored: ItsmError or csvio.CsvFileError or uploads.NotTextError when it cannot be read."""
    if table not in TABLES:
        raise ItsmError("unknown_table", table=table, known=", ".join(TABLES))
    report = store.TableReport(table)
    names = settings.field_names.get(table, {})
    records = (
        (number, mapping.rename(record, names)) for number, record in read_records(table, data, report.report, names)
    )
    lease = timedelta(minutes=settings.lock_minutes)
    holder = _holder()
    acquire_lock(holder, lease=lease)
    run = _start(None, trigger=trigger, by=by, full=False, source=source[:255], checkpoint=checkpoint)
    with _recording(run, holder, checkpoint):
        pages = iter(lambda: list(islice(records, IMPORT_PAGE_SIZE)), [])
        _store_table(run, 0, table, ((None, page) for page in pages), store.Resolver(settings.status_codes),
                     holder, lease, checkpoint, progress, advance_watermark=False, report=report)
    return run


def read_records(
    table: str, data: bytes | str, report: csvio.ImportReport, names: Mapping[str, str] | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(record number or line, record) of a file: JSON `{"result": [...]}` (numbered from 1), or CSV whose
    header names the fields (numbered by line; unreadable lines are refused in `report`). `names`: the field
    names of a customised instance."""
    text = data if isinstance(data, str) else uploads.decode_text(data)  # an upload is checked already
    if text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise ItsmError("file_not_json", line=error.lineno) from None
        result = document.get("result") if isinstance(document, dict) else None
        if not isinstance(result, list):
            raise ItsmError("file_not_json", line=1)
        return ((number, record) for number, record in enumerate(result, start=1) if isinstance(record, dict))
    names = names or {}
    rows = csvio.read_rows(text, mapping.instance_fields(table, names),
                           required=[names.get(name, name) for name in REQUIRED_FIELDS[table]],
                           max_lines=MAX_IMPORT_LINES)
    return ((row.line, dict(row.cells)) for row in csvio.readable_rows(rows, report))


def _numbered(pages: Iterable[Page], names: Mapping[str, str]) -> Iterator[tuple[Page, store.Records]]:
    """Each page with its records numbered in the order of the read (and renamed back from a customised
    instance's field names)."""
    count = 0
    for page in pages:
        numbered = [(count + n, mapping.rename(record, names)) for n, record in enumerate(page.records, start=1)]
        count += len(numbered)
        yield page, numbered


def _store_table(
    run: SyncRun,
    position: int,
    table: str,
    pages: Iterable[tuple[Page | None, store.Records]],
    resolver: store.Resolver,
    holder: str,
    lease: timedelta,
    checkpoint: Callable[[], None],
    progress: Progress | None,
    *,
    advance_watermark: bool,
    report: store.TableReport | None = None,
) -> store.TableReport:
    """Store a table page by page: each page with its report and watermark, then a commit."""
    report = report or store.TableReport(table)
    row = SyncTableReport(run_id=run.id, table_name=table, position=position)
    db.session.add(row)
    checkpoint()
    write = store.WRITERS[table]
    for page, records in pages:
        write(records, report, resolver)
        report.read += len(records)
        if page is not None:
            report.total, report.requests = page.total, report.requests + page.requests
        if advance_watermark:
            _advance(table, [record for _, record in records])
        _save_report(row, report)
        renew_lock(holder, lease=lease)
        checkpoint()
        if progress is not None:
            progress(report)
    row.finished = True
    _save_report(row, report)
    checkpoint()
    return report


def _save_report(row: SyncTableReport, report: store.TableReport) -> None:
    """The table's counts so far, and the refused records not saved yet."""
    outcome = report.report
    row.total, row.read, row.requests = report.total, report.read, report.requests
    row.created, row.updated, row.unchanged = len(outcome.created), len(outcome.updated), len(outcome.unchanged)
    row.rejected, row.sites_created = outcome.rejected_count, report.sites_created
    row.unknown_models, row.unknown_emails = len(report.unknown_models), report.unknown_emails
    new = outcome.rejected[report.problems_saved:]
    if new:
        db.session.execute(sa.insert(SyncProblem), [
            {"run_id": row.run_id, "table_name": row.table_name, "ordinal": rejected.line,
             "record_key": str(dict(rejected.params).get("record", ""))[:100], "code": rejected.code,
             "field": rejected.field[:60], "value": rejected.value[:200],
             "params": {name: value for name, value in rejected.params if name != "record"}}
            for rejected in new
        ])
        report.problems_saved += len(new)


def _start(run: SyncRun | None, *, trigger: RunTrigger, by: User | None, full: bool, source: str,
           checkpoint: Callable[[], None]) -> SyncRun:
    """The run, marked running (the one asked for, or a new one); runs left running by a dead process are
    marked interrupted, since this one holds the lock."""
    now = utcnow()
    db.session.execute(
        sa.update(SyncRun).where(SyncRun.status == RunStatus.RUNNING.value)
        .values(status=RunStatus.INTERRUPTED.value, error_code="abandoned", finished_at=now)
    )
    if run is None:
        run = SyncRun(trigger=trigger.value, requested_by=by, requested_at=now, full=full, error_params={})
        db.session.add(run)
    run.status, run.started_at, run.source = RunStatus.RUNNING.value, now, source
    checkpoint()
    return run


class _recording:
    """Ends a run with its outcome whatever happens: the page in progress is rolled back, the run's status and
    reason are saved, the lock is released, all committed."""

    def __init__(self, run: SyncRun, holder: str, checkpoint: Callable[[], None]) -> None:
        self.run_id, self.holder, self.checkpoint = run.id, holder, checkpoint

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> bool:
        if error is not None:
            db.session.rollback()
        run = db.session.get(SyncRun, self.run_id)
        if run is None:  # deleted meanwhile: nothing to record
            return False
        run.finished_at = utcnow()
        if error is None:
            run.status = RunStatus.COMPLETED.value
        elif isinstance(error, ItsmError):
            run.status = (RunStatus.INTERRUPTED if error.transient else RunStatus.FAILED).value
            run.error_code, run.error_params = error.code, dict(error.params)
        elif isinstance(error, KeyboardInterrupt | SystemExit):  # stopped by hand: resumes like any interruption
            run.status, run.error_code = RunStatus.INTERRUPTED.value, "abandoned"
        else:
            # A defect or a database failure: recorded (the reason, never a trace), then raised again.
            run.status = RunStatus.FAILED.value
            run.error_code, run.error_params = "internal", {"error": type(error).__name__}
        release_lock(self.holder)
        self.checkpoint()
        return isinstance(error, ItsmError)
