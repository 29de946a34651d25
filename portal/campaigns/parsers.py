"""Streaming parsers for storage-metric exports (Microsoft 365 reports, Exchange statistics, generic CSV).

Pure stdlib: no Flask, no database. :func:`parse` reads the header eagerly (so that an unknown or binary
file fails at once) and then yields one :class:`ParsedRow` or :class:`RowError` per data line, lazily, so
that a 20,000-row export is never held in memory. Matching rows to employees and de-duplicating them is the
importer's job, not this module's.

Formats, detected from the header's column names (case- and whitespace-insensitive, in any order, extra
columns ignored): ``m365-mailbox`` and ``m365-onedrive`` (Microsoft 365 usage reports), ``exchange``
(``Get-MailboxStatistics | Export-Csv``) and ``csv`` (generic: ``email, source, bytes`` and optional
``items, measured_at, display_name``). The delimiter (``,`` ``;`` or tab) is sniffed from the header line.
Each physical line is one record: these exports never break a cell across lines, and parsing line by line
keeps one stray quote from swallowing the rest of the file.

Line numbers are counted as a spreadsheet user counts rows: the first line of the file is line 1 (the
header, or the ``#TYPE`` line that ``Export-Csv`` writes before it), and skipped empty lines still count.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO, Any, Literal, cast

from portal.csvio import MAX_CELL_CHARS, sniff_delimiter
from portal.domain_error import DomainError
from portal.timezone import PARIS
from portal.uploads import NotTextError, iter_text_lines

__all__ = [
    "FORMATS",
    "REASON_CODES",
    "SOURCES",
    "NotATextFile",
    "ParseResult",
    "ParsedRow",
    "RowError",
    "StorageParseError",
    "UnknownFormat",
    "detect_format",
    "parse",
]


Source = Literal["mailbox", "drive", "share"]
SOURCES: tuple[str, ...] = ("mailbox", "drive", "share")

#: Formats that can be forced; ``auto`` (the default of :func:`parse`) detects one of them from the header.
FORMATS: tuple[str, ...] = ("m365-mailbox", "m365-onedrive", "exchange", "csv")

#: Stable reason codes of :class:`RowError`, for the web layer to translate.
REASON_CODES: tuple[str, ...] = (
    "missing_identity",  # the e-mail / UPN cell is empty (or, without an e-mail column, the name too)
    "bad_email",  # an identity that is neither an address nor a concealed-name hash
    "missing_size",  # the size cell is empty
    "not_a_number",  # a size or item count that is not a whole number
    "rounded_number",  # scientific notation (`7,34E+09`): a spreadsheet rounded the value, re-export it
    "negative_size",
    "negative_count",
    "too_large",  # a size or count beyond what any storage holds (and the column: 2^63 − 1)
    "bad_date",  # empty or unparseable measure date
    "unknown_source",  # generic CSV: source not in mailbox/drive/share
    "malformed_line",  # unbalanced quote: the line cannot be split into columns reliably
    "cell_too_long",  # a cell over csvio.MAX_CELL_CHARS: no export has one, the file is damaged or hostile
)


class StorageParseError(DomainError):
    """The file as a whole cannot be parsed; the words are `display.FILE_ERRORS`."""

    domain = "campaigns"
    table = "FILE_ERRORS"


class UnknownFormat(StorageParseError):
    """The header matches none of the known formats (code `unknown_format`), lacks the columns of the forced
    one (`missing_columns`), or there is no header at all (`empty`)."""

    def __init__(self, code: str, header: Sequence[str], expected: dict[str, tuple[str, ...]], **params: str) -> None:
        super().__init__(code, **params)
        self.header = tuple(header)
        #: format name → the column names it requires.
        self.expected = expected

    def values(self) -> Mapping[str, Any]:
        """The formats' columns as the message's language punctuates them (French: `Nom : a, b ; Autre : c`)."""
        from portal.formatting import colon, semicolon  # Flask-Babel: when the message is asked for

        shown = f"{semicolon()} ".join(
            f"{name}{colon()} {', '.join(columns)}" for name, columns in self.expected.items()
        )
        return {**self.params, "expected": shown}


class NotATextFile(StorageParseError, NotTextError):
    """The file is binary or not UTF-8 text (an Excel workbook, a UTF-16 or Windows-1252 export…): the
    `reason` and `line` of `portal.uploads`, which finds it for every import."""


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """One measure: how much `source` storage an employee uses."""

    line: int
    email: str | None  # lower-cased; None when concealed or when the export has no e-mail column
    display_name: str | None
    source: Source
    size_bytes: int
    item_count: int | None
    measured_at: datetime  # aware, Europe/Paris
    concealed: bool = False  # the tenant conceals user names: the identity is a hash, never guessed


@dataclass(frozen=True, slots=True)
class RowError:
    """A data line that was rejected; `reason_code` is one of :data:`REASON_CODES`."""

    line: int
    reason_code: str
    detail: str


@dataclass(frozen=True, slots=True)
class _Spec:
    """Where each piece of a measure lives in one export format (column names as exported)."""

    name: str
    required: tuple[str, ...]
    identity: str | None  # e-mail / UPN column
    display_name: str | None
    size: str
    items: str | None
    date: str | None  # None: the measure date comes from the `measured_at` argument
    source: Source | None  # None: read from the `source` column
    exchange_sizes: bool = False  # `6.836 GB (7,340,032,000 bytes)`


# Detection order matters only for headers that would match several specs, which the real exports never do.
_SPECS: dict[str, _Spec] = {
    spec.name: spec
    for spec in (
        _Spec(
            name="m365-mailbox",
            required=("User Principal Name", "Storage Used (Byte)"),
            identity="User Principal Name",
            display_name="Display Name",
            size="Storage Used (Byte)",
            items="Item Count",
            date="Report Refresh Date",
            source="mailbox",
        ),
        _Spec(
            name="m365-onedrive",
            required=("Owner Principal Name", "Storage Used (Byte)"),
            identity="Owner Principal Name",
            display_name="Owner Display Name",
            size="Storage Used (Byte)",
            items="File Count",
            date="Report Refresh Date",
            source="drive",
        ),
        _Spec(
            name="exchange",
            # PrimarySmtpAddress is optional: Get-MailboxStatistics does not always output it, and then
            # rows only carry a DisplayName (the importer reports them as unmatched).
            required=("DisplayName", "TotalItemSize"),
            identity="PrimarySmtpAddress",
            display_name="DisplayName",
            size="TotalItemSize",
            items="ItemCount",
            date=None,  # LastLogonTime is not when the size was measured
            source="mailbox",
            exchange_sizes=True,
        ),
        _Spec(
            name="csv",
            required=("email", "source", "bytes"),
            identity="email",
            display_name="display_name",
            size="bytes",
            items="items",
            date="measured_at",
            source=None,
        ),
    )
}

_WHITESPACE = re.compile(r"\s+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Concealed names are hashes (32 uppercase hex digits today); accept any long hex run or GUID.
_HASH = re.compile(r"[0-9a-fA-F]{16,128}|[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_EXCHANGE_BYTES = re.compile(r"\(\s*([-−+]?[\d\s.,'\u00a0\u202f\u2009]+?)\s*(?:bytes?|octets?)\s*\)", re.I)
_DIGIT_GROUP_SPACES = str.maketrans("", "", " '\u00a0\u202f\u2009")
_GROUPED_COMMA = re.compile(r"\d{1,3}(?:,\d{3})+")
_GROUPED_DOT = re.compile(r"\d{1,3}(?:\.\d{3})+")
_WHOLE_DECIMAL = re.compile(r"(\d+)[.,]0+")
_SCIENTIFIC = re.compile(r"\d+(?:[.,]\d+)?[eE][-+]?\d+")
_FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_HEADER_PROBE_CHARS = 64 * 1024  # a header longer than this is not a header (and a binary file has no "\n")


def _norm(column: str) -> str:
    """Header key: case-, whitespace- and BOM-insensitive (`Storage Used (Byte)` → `storageused(byte)`)."""
    return _WHITESPACE.sub("", column.replace("\ufeff", "")).casefold()


def detect_format(header_fields: Sequence[str]) -> str:
    """The format name whose required columns all appear in `header_fields`, else raise UnknownFormat."""
    present = {_norm(field) for field in header_fields}
    for spec in _SPECS.values():
        if all(_norm(column) in present for column in spec.required):
            return spec.name
    raise UnknownFormat("unknown_format", header_fields, _expected())


def _expected() -> dict[str, tuple[str, ...]]:
    return {spec.name: spec.required for spec in _SPECS.values()}


class _Invalid(Exception):  # noqa: N818 - internal control flow, turned into a RowError
    def __init__(self, code: str, detail: str) -> None:
        self.code = code
        self.detail = detail


#: The largest size or item count stored (the columns are 64-bit: 9.2 exabytes, far beyond any mailbox).
MAX_COUNT = 2**63 - 1


def _to_int(text: str, column: str, negative_code: str) -> int:
    """A whole number as exported by M365, Exchange or a spreadsheet (`7340032000`, `7 340 032 000`…)."""
    value = text.strip()
    if value.isdigit() and value.isascii() and len(value) < 19:  # the fast path: almost every cell of an export
        return int(value)
    # Normalise what spreadsheets and locales add: digit-group spaces/apostrophes, a Unicode minus sign.
    compact = value.translate(_DIGIT_GROUP_SPACES).replace("\u2212", "-")
    sign = compact[:1]
    digits = compact[1:] if sign in ("-", "+") else compact
    if digits.isdigit() and digits.isascii():
        number = int(digits)
    elif _GROUPED_COMMA.fullmatch(digits):
        # Byte counts are integers, so `1,500` is a grouped thousand and never one and a half.
        number = int(digits.replace(",", ""))
    elif _GROUPED_DOT.fullmatch(digits):
        number = int(digits.replace(".", ""))
    elif match := _WHOLE_DECIMAL.fullmatch(digits):
        number = int(match.group(1))
    elif _SCIENTIFIC.fullmatch(digits):
        raise _Invalid("rounded_number", f"{column}: {value!r}")
    else:
        raise _Invalid("not_a_number", f"{column}: {value!r}")
    if sign == "-" and number:
        raise _Invalid(negative_code, f"{column}: {value!r}")
    if number > MAX_COUNT:
        raise _Invalid("too_large", f"{column}: {value!r}")
    return number


def _bytes(text: str, column: str) -> int:
    """A plain byte count (M365 reports, generic CSV)."""
    return _to_int(text, column, "negative_size")


def _exchange_bytes(text: str, column: str) -> int:
    """The byte count of an Exchange size: `6.836 GB (7,340,032,000 bytes)` → 7340032000."""
    match = _EXCHANGE_BYTES.search(text)
    # Without parentheses, accept a column already converted to bytes (`TotalItemSize.Value.ToBytes()`).
    return _bytes(match.group(1) if match else text, column)


def _to_paris(moment: datetime) -> datetime:
    # A naive time in these exports is local (Paris) time; an aware one is converted.
    return moment.replace(tzinfo=PARIS) if moment.tzinfo is None else moment.astimezone(PARIS)


def _parse_date(text: str, column: str) -> datetime:
    """ISO date or datetime (or French `dd/mm/yyyy [hh:mm[:ss]]`) → aware Europe/Paris datetime."""
    value = text.strip()
    if not value:
        raise _Invalid("bad_date", f"{column}: empty")
    try:
        # A bare date parses as midnight, i.e. the start of that day in Paris.
        return _to_paris(datetime.fromisoformat(value))
    except ValueError:
        pass
    # A spreadsheet re-saved in a French locale writes dates day first; US month-first dates are not
    # guessed: with a day above 12 they fail here instead of being silently swapped.
    match = _FRENCH_DATE.fullmatch(value)
    if match:
        day, month, year, hour, minute, second = (int(g) if g else 0 for g in match.groups())
        try:
            return datetime(year, month, day, hour, minute, second, tzinfo=PARIS)
        except ValueError:
            pass
    raise _Invalid("bad_date", f"{column}: {value!r}")


def _default_measured_at(measured_at: datetime | date | None) -> datetime:
    if measured_at is None:
        return datetime.now(PARIS)
    if isinstance(measured_at, datetime):
        return _to_paris(measured_at)
    return datetime.combine(measured_at, time.min, tzinfo=PARIS)


def _text_lines(stream: IO[str] | IO[bytes]) -> Iterator[str]:
    """Decoded lines (line endings kept), BOM removed; NotATextFile on binary or non-UTF-8 content."""
    if isinstance(stream.read(0), bytes):
        try:
            yield from iter_text_lines(cast(IO[bytes], stream))
        except NotTextError as error:
            raise NotATextFile(error.code, error.line) from error
        return
    # A text stream is decoded already (or decodes as it goes): only its first line can still betray a
    # binary file. It is read with a bound, so that a blob without "\n" is not loaded whole.
    text = cast(IO[str], stream)  # read(0) gave a str
    number = 1
    try:
        first = text.readline(_HEADER_PROBE_CHARS)
        if (len(first) >= _HEADER_PROBE_CHARS and not first.endswith("\n")) or "\x00" in first:
            raise NotATextFile("binary", 1)
        yield first.removeprefix("\ufeff")
        for line in text:
            number += 1
            yield line
    except UnicodeDecodeError as exc:
        # A text stream decodes ahead by chunks, so there the number is only approximate.
        raise NotATextFile("not_utf8", number) from exc


def _split(line: str, delimiter: str) -> list[str] | None:
    """The cells of one physical line; None when an unbalanced quote makes the split unreliable."""
    if '"' not in line:  # fast path: without quotes, CSV is a plain split
        return line.rstrip("\r\n").split(delimiter) if line.strip() else []
    # One reader per line, never one over the whole file: a stray quote would otherwise swallow every
    # following line into a single cell, and thousands of rows would vanish without an error.
    try:
        cells = next(csv.reader((line,), delimiter=delimiter), [])
    except csv.Error:  # e.g. a lone "\r" inside a line, or a cell over csv.field_size_limit()
        return None
    if cells and cells[-1].endswith(("\n", "\r")):
        return None
    return cells


@dataclass(frozen=True, slots=True)
class _Columns:
    """Positions, in one file's header, of the columns a spec reads (None: absent)."""

    identity: int | None
    display_name: int | None
    size: int
    items: int | None
    date: int | None
    source: int | None

    @classmethod
    def locate(cls, spec: _Spec, header: Sequence[str]) -> _Columns:
        positions: dict[str, int] = {}
        for index, column in enumerate(header):
            positions.setdefault(_norm(column), index)  # a duplicated column: the first one wins

        def at(column: str | None) -> int | None:
            return positions.get(_norm(column)) if column else None

        size = at(spec.size)
        if size is None:  # the required columns are checked before: kept explicit, as asserts vanish under -O
            raise UnknownFormat("missing_columns", header, _expected(), format=spec.name, missing=spec.size)
        return cls(
            identity=at(spec.identity),
            display_name=at(spec.display_name),
            size=size,
            items=at(spec.items),
            date=at(spec.date),
            source=at("source") if spec.source is None else None,
        )


class _RowParser:
    """Turns the cells of one data line into a ParsedRow, or raises _Invalid."""

    def __init__(self, spec: _Spec, header: Sequence[str], default_at: datetime) -> None:
        self.spec = spec
        self.columns = _Columns.locate(spec, header)
        self.default_at = default_at
        self.dates: dict[str, datetime] = {}  # every row of an M365 report carries the same refresh date

    def __call__(self, line: int, cells: list[str]) -> ParsedRow:
        spec, columns = self.spec, self.columns

        def cell(at: int | None) -> str:
            return cells[at].strip() if at is not None and at < len(cells) else ""  # short rows: empty

        display_name = cell(columns.display_name) or None
        email: str | None = None
        concealed = False
        if columns.identity is not None:
            identity = cell(columns.identity)
            if not identity:
                raise _Invalid("missing_identity", f"{spec.identity}: empty")
            if _EMAIL.fullmatch(identity):
                email = identity.lower()
            elif _HASH.fullmatch(identity):
                concealed = True  # the tenant conceals user names: never guess who this is
            else:
                raise _Invalid("bad_email", f"{spec.identity}: {identity!r}")
        elif display_name is None:
            raise _Invalid("missing_identity", f"{spec.display_name}: empty")

        source = spec.source
        if source is None:
            raw_source = cell(columns.source)
            if raw_source.lower() not in SOURCES:
                raise _Invalid("unknown_source", f"source: {raw_source!r}")
            source = cast(Source, raw_source.lower())  # one of SOURCES, checked above

        raw_size = cell(columns.size)
        if not raw_size:
            raise _Invalid("missing_size", f"{spec.size}: empty")
        size = (_exchange_bytes if spec.exchange_sizes else _bytes)(raw_size, spec.size)

        raw_items = cell(columns.items)
        items = _to_int(raw_items, spec.items or "", "negative_count") if raw_items else None

        if columns.date is None:
            measured_at = self.default_at
        else:
            raw_date = cell(columns.date)
            measured_at = self.dates.get(raw_date) or self.dates.setdefault(
                raw_date, _parse_date(raw_date, spec.date or "")
            )
        return ParsedRow(line, email, display_name, source, size, items, measured_at, concealed)


class ParseResult:
    """A parsed export: `format`, `delimiter`, `header`, and a single pass over ParsedRow | RowError items."""

    def __init__(
        self,
        spec: _Spec,
        delimiter: str,
        header: list[str],
        first_data_line: int,
        lines: Iterator[str],
        measured_at: datetime,
    ) -> None:
        self.format: str = spec.name
        self.delimiter = delimiter
        self.header: tuple[str, ...] = tuple(header)
        self._items = self._rows(_RowParser(spec, header, measured_at), first_data_line, lines)

    def __iter__(self) -> Iterator[ParsedRow | RowError]:
        return self._items

    def _rows(self, row: _RowParser, line: int, lines: Iterator[str]) -> Iterator[ParsedRow | RowError]:
        for text in lines:
            cells = _split(text, self.delimiter)
            if cells is None:
                yield RowError(line, "malformed_line", "unbalanced quote or stray line break")
            elif len(text) > MAX_CELL_CHARS and any(len(cell) > MAX_CELL_CHARS for cell in cells):
                yield RowError(line, "cell_too_long", f"{max(len(cell) for cell in cells)} characters")
            elif any(cell.strip() for cell in cells) and not self._is_header(cells):
                try:
                    yield row(line, cells)
                except _Invalid as invalid:
                    yield RowError(line, invalid.code, invalid.detail)
            line += 1  # blank lines are skipped but still counted, as a spreadsheet shows them

    def _is_header(self, cells: list[str]) -> bool:
        # Concatenated exports repeat the header mid-file: it is not data, and not an error either.
        return cells[0].strip() == self.header[0] and [cell.strip() for cell in cells] == list(self.header)


def parse(
    stream: IO[str] | IO[bytes], *, format: str = "auto", measured_at: datetime | date | None = None
) -> ParseResult:
    """Read the header of `stream` (text or binary, UTF-8 with or without BOM) and return its lazy rows."""
    if format != "auto" and format not in _SPECS:
        raise ValueError(f"Unknown format {format!r}: expected auto or one of {', '.join(FORMATS)}")
    lines = _text_lines(stream)
    line_number = 0
    header_line = ""
    for line in lines:
        line_number += 1
        stripped = line.strip()
        # Export-Csv without -NoTypeInformation writes `#TYPE Microsoft.Exchange…` before the header.
        if stripped and not stripped.startswith("#TYPE"):
            header_line = line
            break
    if not header_line:
        raise UnknownFormat("empty", [], _expected())

    delimiter = sniff_delimiter(header_line)
    header = [column.strip() for column in _split(header_line, delimiter) or []]
    if format == "auto":
        spec = _SPECS[detect_format(header)]
    else:
        spec = _SPECS[format]
        present = {_norm(column) for column in header}
        missing = [column for column in spec.required if _norm(column) not in present]
        if missing:
            raise UnknownFormat("missing_columns", header, _expected(), format=format, missing=", ".join(missing))
    return ParseResult(spec, delimiter, header, line_number + 1, lines, _default_measured_at(measured_at))
