"""Import storage-metric exports into snapshots, with a report kept in the database.

The file is read lazily by `parsers.parse` and handled in batches: one query finds the batch's employees by
e-mail, one finds the snapshots they already have at those times, then new snapshots are bulk-inserted. Lines
that cannot be used never stop the others; each one is kept in the report with its line and reason.
Re-importing a file creates nothing: a snapshot is one employee, one source, one measure time.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import IO, Any

import sqlalchemy as sa

from portal import csvio
from portal.accounts.models import User
from portal.campaigns import bulk, steps
from portal.campaigns.models import StorageImport, StorageImportProblem, StorageSnapshot
from portal.campaigns.parsers import ParsedRow, RowError, parse
from portal.models import db

BATCH_ROWS = 2000
#: The largest export imported at once: one line per mailbox or drive, at 100,000 employees and some to spare.
MAX_IMPORT_LINES = 500_000
# After a bulk change this large, PostgreSQL's planner needs fresh statistics at once (autovacuum may take a
# minute): with stale ones it joins tens of thousands of rows by nested loops and pages take seconds.
ANALYZE_AFTER_ROWS = 1000
_DETAIL_LENGTH = 300

_Key = tuple[int, str, datetime]


class _Importer:
    """The state of one import while its batches go through."""

    def __init__(self, batch: StorageImport) -> None:
        self.batch = batch
        # Counted here and written to the report once: an ORM attribute set per row costs 20,000 of them.
        self.counts = dict.fromkeys(("rows_read", "created", "updated", "unchanged", "unmatched", "invalid"), 0)
        self.utc_times: dict[datetime, datetime] = {}  # an M365 report has one date for all its rows
        self.problems: list[dict[str, Any]] = []
        # (employee, source, time) → (line, bytes, items) of the file's first line for it.
        self.seen: dict[_Key, tuple[int, int, int | None]] = {}
        self.touched_users: set[int] = set()
        self.earliest: datetime | None = None
        self.first_at: datetime | None = None
        self.last_at: datetime | None = None

    def problem(self, kind: str, line: int, reason: str, detail: str) -> None:
        # Every problem is counted; the first ones are kept with their line (a garbage file has a million).
        self.counts["invalid" if kind == "invalid" else "unmatched"] += 1
        if len(self.problems) < csvio.MAX_REJECTED_KEPT:
            self.problems.append(
                {
                    "import_id": self.batch.id,
                    "kind": kind,
                    "line": line,
                    "reason": reason,
                    "detail": detail[:_DETAIL_LENGTH],
                }
            )

    def row(self, item: ParsedRow | RowError, pending: list[ParsedRow]) -> None:
        self.counts["rows_read"] += 1
        if isinstance(item, RowError):
            self.problem("invalid", item.line, item.reason_code, item.detail)
        elif item.concealed:
            self.problem("unmatched", item.line, "concealed", item.display_name or "")
        elif item.email is None:
            self.problem("unmatched", item.line, "no_email", item.display_name or "")
        else:
            pending.append(item)

    def store(self, rows: list[ParsedRow]) -> None:
        """Match one batch of rows to employees and insert the snapshots that are new."""
        if not rows:
            return
        emails = sorted({row.email for row in rows if row.email})
        user_ids: dict[str | None, int] = dict(
            db.session.execute(sa.select(User.email, User.id).where(User.email.in_(emails))).all()
        )
        candidates: list[tuple[ParsedRow, _Key]] = []
        for row in rows:
            user_id = user_ids.get(row.email)
            if user_id is None:
                self.problem("unmatched", row.line, "unknown_employee", row.email or "")
                continue
            measured_at = self.utc_times.get(row.measured_at) or self.utc_times.setdefault(
                row.measured_at, row.measured_at.astimezone(UTC)
            )
            key: _Key = (user_id, row.source, measured_at)
            first = self.seen.get(key)
            if first is not None:
                if (first[1], first[2]) == (row.size_bytes, row.item_count):
                    self.counts["unchanged"] += 1  # the same line twice: nothing new
                else:
                    self.problem("invalid", row.line, "duplicate_conflict", str(first[0]))
                continue
            self.seen[key] = (row.line, row.size_bytes, row.item_count)
            candidates.append((row, key))
        if not candidates:
            return
        existing = self._existing({key[0] for _, key in candidates}, {key[2] for _, key in candidates})
        inserts, updates = [], []
        for row, key in candidates:
            current = existing.get(key)
            if current is not None and (current[1], current[2]) == (row.size_bytes, row.item_count):
                self.counts["unchanged"] += 1
                continue
            values = {"size_bytes": row.size_bytes, "item_count": row.item_count, "import_id": self.batch.id}
            if current is None:
                inserts.append({"user_id": key[0], "source": key[1], "measured_at": key[2], **values})
            else:
                updates.append({"id": current[0], **values})  # a corrected export: the last import wins
            self.touched_users.add(key[0])
            self.earliest = key[2] if self.earliest is None else min(self.earliest, key[2])
        for _, key in candidates:
            self.first_at = key[2] if self.first_at is None else min(self.first_at, key[2])
            self.last_at = key[2] if self.last_at is None else max(self.last_at, key[2])
        bulk.insert_rows(StorageSnapshot.__table__, inserts)
        if updates:
            db.session.execute(sa.update(StorageSnapshot), updates)
        self.counts["created"] += len(inserts)
        self.counts["updated"] += len(updates)

    @staticmethod
    def _existing(user_ids: Iterable[int], times: Iterable[datetime]) -> dict[_Key, tuple[int, int, int | None]]:
        statement = sa.select(
            StorageSnapshot.id,
            StorageSnapshot.user_id,
            StorageSnapshot.source,
            StorageSnapshot.measured_at,
            StorageSnapshot.size_bytes,
            StorageSnapshot.item_count,
        ).where(StorageSnapshot.user_id.in_(sorted(user_ids)), StorageSnapshot.measured_at.in_(sorted(times)))
        return {
            (user_id, source, measured_at): (snapshot_id, size_bytes, item_count)
            for snapshot_id, user_id, source, measured_at, size_bytes, item_count in db.session.execute(statement)
        }


def import_storage_file(
    stream: IO[bytes] | IO[str],
    *,
    filename: str,
    format: str = "auto",
    measured_at: datetime | date | None = None,
    imported_by: User | None = None,
) -> StorageImport:
    """Import one export file and return its report (flushed, not committed).

    Raises `parsers.StorageParseError` (unknown format, not a text file) or `csvio.CsvFileError` (more lines
    than MAX_IMPORT_LINES) before anything is written: such a file imports nothing. `measured_at` dates the
    rows of exports that carry no date (Exchange). A seekable stream is counted before it is read.
    """
    started = time.perf_counter()
    if stream.seekable():
        lines = csvio.count_stream_lines(stream)
        if lines - 1 > MAX_IMPORT_LINES:
            raise csvio.CsvFileError("too_many_lines", lines=lines, limit=MAX_IMPORT_LINES)
    parsed = parse(stream, format=format, measured_at=measured_at)
    batch = StorageImport(
        filename=filename[:255] or "-", format=parsed.format, imported_by_id=imported_by.id if imported_by else None
    )
    db.session.add(batch)
    db.session.flush()
    importer = _Importer(batch)
    pending: list[ParsedRow] = []
    for item in parsed:
        importer.row(item, pending)
        if len(pending) >= BATCH_ROWS:
            importer.store(pending)
            pending = []
    importer.store(pending)
    bulk.insert_rows(StorageImportProblem.__table__, importer.problems)
    for name, value in importer.counts.items():
        setattr(batch, name, value)
    batch.first_measured_at, batch.last_measured_at = importer.first_at, importer.last_at
    large = batch.created + batch.updated >= ANALYZE_AFTER_ROWS
    if large:
        _analyze("storage_snapshot")
    if (
        importer.earliest is not None
        and steps.refresh_after_import(importer.touched_users, importer.earliest)
        and large
    ):
        _analyze("campaign_progress")
    batch.duration_ms = round((time.perf_counter() - started) * 1000)
    db.session.flush()
    return batch


def _analyze(table: str) -> None:
    """Refresh the planner's statistics of a table after a bulk change (PostgreSQL; SQLite plans without)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text(f"ANALYZE {table}"))


def problems_statement(batch: StorageImport, kind: str | None = None) -> sa.Select[StorageImportProblem]:
    """The report's problem lines, by line number (optionally only `invalid` or `unmatched`)."""
    statement = sa.select(StorageImportProblem).where(StorageImportProblem.import_id == batch.id)
    if kind in ("invalid", "unmatched"):
        statement = statement.where(StorageImportProblem.kind == kind)
    return statement.order_by(StorageImportProblem.line, StorageImportProblem.id)


def imports_statement() -> sa.Select[StorageImport]:
    """Every import, the latest first."""
    return sa.select(StorageImport).order_by(StorageImport.imported_at.desc(), StorageImport.id.desc())
