"""The one CSV reader and writer of the portal: every import and export of a spreadsheet file goes through here.

Reading (:func:`read_rows`): the text is checked by :mod:`portal.uploads` first (UTF-8, byte-order mark,
not a spreadsheet or a binary file); the number of lines is checked against the import's limit before any
row is parsed; the delimiter (``,``, ``;`` or tab) is the one that splits the header into the most columns;
the header is matched case- and space-insensitively; each data row comes with the number of its first line,
as a spreadsheet numbers rows (the header is line 1). A row that cannot be read — a cell over
:data:`MAX_CELL_CHARS`, more cells than the header — is passed on with a problem code, so that the importer
reports it with its line and goes on with the next one.

Writing (:func:`write_rows`): cells a spreadsheet would run as a formula are neutralised with a leading
quote (:func:`neutralise`), undone on import (:func:`unneutralise`), so that an export reads back unchanged.

Reporting: one :class:`Rejected` per refused line, gathered in one :class:`ImportReport` that keeps the
first :data:`MAX_REJECTED_KEPT` and counts the rest; :func:`describe` turns them into the words a page or a
command shows, with the domain's message table.

Standard library only at import time (the storage parsers, free of Flask, use the delimiter sniffing); the
translated messages import Flask-Babel when they are asked for.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar

from portal import uploads
from portal.domain_error import DomainError

#: A longer cell refuses its line: no field of any import comes near (the Python csv module's own limit,
#: 131,072 characters, would otherwise stop the whole file).
MAX_CELL_CHARS = 10_000
#: Refused lines kept with their reason; the others are counted (a garbage file makes a million of them).
MAX_REJECTED_KEPT = 1_000
DELIMITERS = (",", ";", "\t")
#: A spreadsheet runs a cell starting with one of these as a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?\Z")
YES_WORDS = frozenset({"yes", "y", "true", "1", "oui", "o", "vrai", "x"})
NO_WORDS = frozenset({"no", "n", "false", "0", "non", "faux"})


# ---------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------


def _runs_as_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(text)


def neutralise(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs: ``=cmd`` → ``'=cmd``; plain numbers (``-0.57``) stay.

    A text that already looks neutralised (``'=x``) gets one more quote, so that :func:`unneutralise` is its
    exact inverse."""
    return "'" + text if _runs_as_formula(text.lstrip("'")) else text


def unneutralise(text: str) -> str:
    """Undo :func:`neutralise`: ``'=cmd`` → ``=cmd``, ``''=x`` → ``'=x``; any other text is left as it is."""
    return text[1:] if text.startswith("'") and _runs_as_formula(text.lstrip("'")) else text


def parse_yes_no(text: str, *, default: bool) -> bool:
    """``yes``/``no`` in English or French (``oui``, ``non``, ``1``, ``0``, ``x``…); an empty cell is `default`.

    ValueError for any other word."""
    word = text.strip().lower()
    if not word:
        return default
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise ValueError(text)


# ---------------------------------------------------------------------------
# Errors and reports
# ---------------------------------------------------------------------------


class CsvFileError(DomainError):
    """The file cannot be imported at all, and nothing is: `code` among :data:`FILE_ERROR_CODES`, the values
    its message quotes (``missing``, ``unknown``: column names; ``lines``, ``limit``: numbers)."""

    def messages(self) -> Mapping[str, Any]:
        return _file_messages()

    def values(self) -> Mapping[str, Any]:
        from flask_babel import format_number

        return {key: format_number(value) if isinstance(value, int) else value or "–"
                for key, value in self.params.items()}


FILE_ERROR_CODES = ("empty", "header", "too_many_lines")
#: Problems :func:`read_rows` finds in a row before any domain rule (translated by :func:`describe`).
ROW_PROBLEM_CODES = ("cell_too_long", "too_many_cells", "unreadable_line")


def _file_messages() -> Mapping[str, Any]:
    from flask_babel import lazy_gettext as _l

    return {
        "empty": _l("The file is empty."),
        "header": _l("The first line must name the columns. Missing: %(missing)s. Unknown: %(unknown)s."),
        "too_many_lines": _l(
            "The file has %(lines)s lines; this import takes %(limit)s at most. Split it into smaller files."
        ),
    }


def _row_messages() -> Mapping[str, Any]:
    from flask_babel import lazy_gettext as _l

    return {
        "cell_too_long": _l("A cell of this line is longer than %(limit)s characters."),
        "too_many_cells": _l("This line has more cells than the header."),
        "unreadable_line": _l("This line cannot be read (a quote is not closed)."),
    }


@dataclass(frozen=True)
class Rejected:
    """A line that was not imported: its number, a stable reason code, the column at fault, the value given,
    and the values the message quotes."""

    line: int
    code: str
    field: str = ""
    value: str = ""
    params: tuple[tuple[str, Any], ...] = ()


class Tally:
    """Keys counted, not kept: the outcome lists of a report on a whole table (60,000 synchronised records)
    in constant memory. Read like a list by `len`; nothing is ever "in" it."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    def append(self, key: str) -> None:
        self.count += 1

    def __len__(self) -> int:
        return self.count

    def __contains__(self, key: object) -> bool:
        return False


@dataclass
class ImportReport:
    """What an import did: keys created, updated and left unchanged; lines refused (the first
    :data:`MAX_REJECTED_KEPT` kept, all counted)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    rejected_count: int = 0

    @classmethod
    def counting(cls) -> ImportReport:
        """A report that counts the keys created, updated and unchanged without keeping them."""
        # Typed as the lists: the callers of a counting report only append, count and test membership.
        return cls(created=Tally(), updated=Tally(), unchanged=Tally())  # type: ignore[arg-type]

    def reject(self, line: int, code: str, field: str = "", value: str = "", **params: Any) -> None:
        """Refuse one line (kept while under the limit, counted always)."""
        self.rejected_count += 1
        if len(self.rejected) < MAX_REJECTED_KEPT:
            self.rejected.append(Rejected(line, code, field, value[:100], tuple(sorted(params.items()))))

    def withdraw(self, key: str, line: int, code: str, field: str = "", value: str = "") -> None:
        """Refuse a line that had been counted as created, updated or unchanged."""
        for outcome in (self.created, self.updated, self.unchanged):
            if key in outcome:
                outcome.remove(key)
        self.reject(line, code, field, value)

    def sort(self) -> None:
        """Refused lines in file order."""
        self.rejected.sort(key=lambda rejected: rejected.line)

    @property
    def imported(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)

    @property
    def rejected_not_listed(self) -> int:
        return self.rejected_count - len(self.rejected)


@dataclass(frozen=True)
class Rejection:
    """A refused line in words, as a page or a command shows it."""

    line: int
    field: str
    message: str
    value: str


def describe(report: ImportReport, messages: Mapping[str, Any]) -> list[Rejection]:
    """The report's refused lines in the current language, with the domain's `messages` (code → text with
    ``%(name)s`` placeholders for the rejection's params; a `limit` is a number written the locale's way);
    the reader's own codes need no entry."""
    from flask_babel import format_number

    table = {**_row_messages(), **messages}
    described = []
    for rejected in report.rejected:
        template = table.get(rejected.code, rejected.code)
        params = {name: format_number(value) if name == "limit" else value for name, value in rejected.params}
        described.append(Rejection(rejected.line, rejected.field, str(template) % params, rejected.value))
    return described


R = TypeVar("R", bound="ImportReport")


def report_lines(
    report: ImportReport,
    messages: Mapping[str, Any],
    *,
    extra: Mapping[str, int] | None = None,
    where: Callable[[Rejected], str] | None = None,
) -> list[str]:
    """What an import command prints (call it under ``force_locale("en")``): the counts, then each refused line,
    placed by `where` (``line 12`` by default; records read from an API name their key instead)."""
    lines = [
        f"created: {len(report.created)}",
        f"updated: {len(report.updated)}",
        f"unchanged: {len(report.unchanged)}",
        *(f"{name}: {value}" for name, value in (extra or {}).items()),
        f"rejected: {report.rejected_count}",
    ]
    for rejected, rejection in zip(report.rejected, describe(report, messages), strict=True):
        place = where(rejected) if where is not None else f"line {rejection.line}"
        column = f"{rejection.field}: " if rejection.field else ""
        value = f" ({rejection.value})" if rejection.value else ""
        lines.append(f"  {place}: {column}{rejection.message}{value}")
    if report.rejected_not_listed:
        lines.append(f"  … and {report.rejected_not_listed} more lines rejected (not listed)")
    return lines


def import_command(run: Callable[[], R], messages: Mapping[str, Any], **lines: Any) -> R:
    """The body of an import command: `run` (read the file, import its rows) in English; a refusal
    (DomainError) is the command's error and writes nothing; else commit and print the report (`lines`: the
    options of :func:`report_lines`)."""
    import click
    from flask_babel import force_locale

    from portal.models import db

    with force_locale("en"):
        try:
            report = run()
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message()) from error
        db.session.commit()
        for line in report_lines(report, messages, **lines):
            click.echo(line)
    return report


@contextmanager
def export_output(file: str, *, bom: bool = True) -> Iterator[IO[str]]:
    """Where an export command writes: the standard output for `-`, else the file (UTF-8, with a BOM for the
    spreadsheets unless `bom` is False). A path that cannot be written (missing folder, no permission, disk
    full) is the command's error in one line, never a traceback."""
    import click

    if file == "-":
        yield sys.stdout
        return
    try:
        with open(file, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
            yield stream
    except OSError as error:
        raise click.ClickException(f"cannot write {file}: {error.strerror or error}") from error


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One data row: the number of its first line, its cells by column name (stripped, formula quotes
    removed), and the reason it cannot be read, if any (a code of :data:`ROW_PROBLEM_CODES`)."""

    line: int
    cells: Mapping[str, str]
    problem: str = ""
    extra: str = ""

    def __getitem__(self, name: str) -> str:
        return self.cells.get(name, "")

    def get(self, name: str, default: str = "") -> str:
        return self.cells.get(name, default)


def sniff_delimiter(header_line: str) -> str:
    """``,``, ``;`` (French spreadsheets) or tab: whichever splits the header line into the most columns."""
    best, best_count = ",", 0
    for delimiter in DELIMITERS:
        try:
            count = len(next(csv.reader((header_line,), delimiter=delimiter), []))
        except csv.Error:
            continue
        if count > best_count:  # ties keep the earlier, i.e. the comma
            best, best_count = delimiter, count
    return best


def decode(data: bytes | str) -> str:
    """The text of a file (bytes as read from disk, or text already checked by `uploads.read_upload`),
    without its byte-order mark; `uploads.NotTextError` if it is not UTF-8 text, CsvFileError if empty."""
    text = data.removeprefix("\ufeff") if isinstance(data, str) else uploads.decode_text(data)
    if not text.strip():
        raise CsvFileError("empty")
    return text


def check_line_count(text: str, max_lines: int) -> None:
    """CsvFileError("too_many_lines") if the file has more than `max_lines` data lines (the header aside)."""
    lines = text.count("\n") + (not text.endswith("\n"))
    if lines - 1 > max_lines:
        raise CsvFileError("too_many_lines", lines=lines, limit=max_lines)


def count_stream_lines(stream: IO[bytes] | IO[str]) -> int:
    """The number of lines of a seekable stream (binary or text), read by chunks; the stream is rewound."""
    start = stream.tell()
    lines, ends_with_newline = 0, True
    while chunk := stream.read(1 << 20):
        lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
        ends_with_newline = chunk[-1:] in (b"\n", "\n")
    stream.seek(start)
    return lines + (not ends_with_newline)


def read_rows(
    data: bytes | str,
    columns: Sequence[str],
    *,
    max_lines: int,
    required: Sequence[str] | None = None,
    unknown_columns: str = "ignore",
) -> Iterator[Row]:
    """The data rows of a CSV file, lazily; the file-level checks are made before the first row comes out.

    `required` columns (all `columns` by default) must be in the header; with ``unknown_columns="refuse"``
    a column not in `columns` refuses the file too (an export read back must match it exactly). Repeated
    columns always do. Empty lines are skipped (their numbers still count).
    """
    text = decode(data)
    check_line_count(text, max_lines)
    header_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader, [])]
    needed = columns if required is None else required
    missing = [name for name in needed if name not in header]
    unknown = [
        name for name in header
        if name and (header.count(name) > 1 or (unknown_columns == "refuse" and name not in columns))
    ]
    if missing or unknown:
        raise CsvFileError("header", missing=", ".join(missing), unknown=", ".join(dict.fromkeys(unknown)))
    return _rows(reader, header, delimiter)


def _rows(reader: Any, header: list[str], delimiter: str) -> Iterator[Row]:
    named = [(index, name) for index, name in enumerate(header) if name]
    width = len(header)
    every_column_named = len(named) == width
    last_line = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            start, last_line = last_line + 1, reader.line_num
            too_long = "field larger" in str(error)
            yield Row(start, {}, "cell_too_long" if too_long else "unreadable_line")
            continue
        start, last_line = last_line + 1, reader.line_num
        # The checks below are made on the whole line first (one call each instead of one per cell): the
        # usual line is not blank, has no long cell, no formula quote and no more cells than the header.
        joined = "".join(cells)
        if not joined.strip():
            continue
        if len(joined) > MAX_CELL_CHARS and any(len(cell) > MAX_CELL_CHARS for cell in cells):
            yield Row(start, {}, "cell_too_long")
            continue
        clean: Callable[[str], str] = _unneutralise if "'" in joined else str.strip
        row = {name: clean(cells[index]) if index < len(cells) else "" for index, name in named}
        if len(cells) > width or not every_column_named:
            extra = [
                cell for index, cell in enumerate(cells) if (index >= width or not header[index]) and cell.strip()
            ]
            if extra:
                yield Row(start, row, "too_many_cells", delimiter.join(extra)[:100])
                continue
        yield Row(start, row)


def _unneutralise(cell: str) -> str:
    return unneutralise(cell.strip())


def readable_rows(rows: Iterable[Row], report: ImportReport) -> Iterator[Row]:
    """The rows that could be read; the others are refused in `report` with their line and reason."""
    for row in rows:
        if row.problem:
            report.reject(row.line, row.problem, value=row.extra, limit=MAX_CELL_CHARS)
        else:
            yield row


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def write_rows(
    stream: IO[str],
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    delimiter: str = ",",
    cell: Callable[[Any], str] | None = None,
) -> int:
    """Write a header and rows, every cell neutralised (text a spreadsheet would run as a formula gets a
    leading quote); `cell` turns a value into text first (``str``, ``None`` as empty, by default). Returns
    the number of rows."""
    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    to_text = cell or _text
    count = 0
    for row in rows:
        writer.writerow([neutralise(to_text(value)) for value in row])
        count += 1
    return count


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def to_text(header: Sequence[str], rows: Iterable[Sequence[Any]], *, delimiter: str = ",", bom: bool = True,
            cell: Callable[[Any], str] | None = None) -> str:
    """The CSV file as text, with a byte-order mark by default so that spreadsheets read it as UTF-8."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    write_rows(buffer, header, rows, delimiter=delimiter, cell=cell)
    return buffer.getvalue()
