"""Unit tests of the storage-metric parsers (pure: no app, no database).

samples/ holds copies of the three reference exports and nasty variants written for these tests:
- m365_mailbox_fr_semicolon.csv: BOM, CRLF, `;`, messy header case/spacing/order, a quoted comma,
  blank and `;;;;;` lines, a concealed row, 5 TiB, a negative / non-numeric size, a bad date, a duplicate,
  French digit grouping and date, an empty UPN;
- exchange_mailbox_statistics_typed.csv: `#TYPE` line, no PrimarySmtpAddress, `0 B (0 bytes)`, 5 TB,
  a size without its byte count;
- generic_storage_metrics.tsv: the generic format, tab-separated, with one row per kind of error.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from portal.campaigns.parsers import (
    FORMATS,
    PARIS,
    REASON_CODES,
    NotATextFile,
    ParsedRow,
    RowError,
    UnknownFormat,
    detect_format,
    parse,
)

SAMPLES = Path(__file__).parent / "samples"
MARCH_1 = datetime(2026, 3, 1, tzinfo=PARIS)
IMPORTED_AT = datetime(2026, 3, 2, 10, 0, tzinfo=PARIS)


def parse_sample(name: str, **kwargs) -> tuple[str, list[ParsedRow], list[RowError]]:
    with (SAMPLES / name).open("rb") as stream:
        result = parse(stream, **kwargs)
        items = list(result)
    rows = [item for item in items if isinstance(item, ParsedRow)]
    errors = [item for item in items if isinstance(item, RowError)]
    assert len(rows) + len(errors) == len(items)
    return result.format, rows, errors


def parse_bytes(data: bytes, **kwargs) -> list[ParsedRow | RowError]:
    return list(parse(io.BytesIO(data), **kwargs))


def by_line(items: list) -> dict[int, ParsedRow | RowError]:
    return {item.line: item for item in items}


# --- the reference samples -------------------------------------------------------------------------------


def test_m365_mailbox_sample() -> None:
    fmt, rows, errors = parse_sample("m365_mailbox_usage_detail.csv")
    assert fmt == "m365-mailbox"
    assert errors == []
    assert [(r.line, r.email, r.source, r.size_bytes, r.item_count) for r in rows] == [
        (2, "alice.martin@example.org", "mailbox", 7_340_032_000, 48211),
        (3, "bruno.lefevre@example.org", "mailbox", 1_825_361_100, 12077),
        (4, None, "mailbox", 402_653_184, 3301),
    ]
    assert rows[0].display_name == "Alice Martin"
    assert rows[1].display_name == "Bruno Lefèvre"  # UTF-8 after a BOM
    assert all(r.measured_at == MARCH_1 for r in rows)
    assert rows[0].measured_at.tzinfo is PARIS


def test_m365_mailbox_sample_bom_does_not_hide_the_first_column() -> None:
    assert (SAMPLES / "m365_mailbox_usage_detail.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with (SAMPLES / "m365_mailbox_usage_detail.csv").open("rb") as stream:
        result = parse(stream)
        assert result.header[0] == "Report Refresh Date"
        assert next(iter(result)).measured_at == MARCH_1  # read through the first (BOM-prefixed) column


def test_concealed_names_are_flagged_never_guessed() -> None:
    _, rows, _ = parse_sample("m365_mailbox_usage_detail.csv")
    concealed = [r for r in rows if r.concealed]
    assert len(concealed) == 1
    assert concealed[0].email is None
    assert concealed[0].line == 4
    assert not any(r.concealed for r in rows if r.email)


def test_onedrive_sample() -> None:
    fmt, rows, errors = parse_sample("onedrive_usage_account_detail.csv")
    assert fmt == "m365-onedrive"
    assert errors == []
    assert [(r.line, r.email, r.display_name, r.source, r.size_bytes, r.item_count) for r in rows] == [
        (2, "alice.martin@example.org", "Alice Martin", "drive", 21_474_836_480, 15230),
        (3, "bruno.lefevre@example.org", "Bruno Lefèvre", "drive", 3_221_225_472, 2210),
    ]
    assert all(r.measured_at == MARCH_1 for r in rows)


def test_exchange_sample_takes_bytes_in_parentheses_and_the_given_measure_date() -> None:
    fmt, rows, errors = parse_sample("exchange_mailbox_statistics.csv", measured_at=IMPORTED_AT)
    assert fmt == "exchange"
    assert errors == []
    assert [(r.line, r.email, r.display_name, r.size_bytes, r.item_count) for r in rows] == [
        (2, "alice.martin@example.org", "Alice Martin", 7_340_032_000, 48211),
        (3, "bruno.lefevre@example.org", "Bruno Lefèvre", 1_825_361_100, 12077),
    ]
    # LastLogonTime (28/02, 27/02) is not the measure date.
    assert all(r.measured_at == IMPORTED_AT and r.source == "mailbox" for r in rows)


def test_exchange_measure_date_defaults_to_the_import_time() -> None:
    before = datetime.now(PARIS)
    _, rows, _ = parse_sample("exchange_mailbox_statistics.csv")
    after = datetime.now(PARIS)
    assert all(before <= r.measured_at <= after for r in rows)
    assert rows[0].measured_at.tzinfo is PARIS


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (date(2026, 3, 2), datetime(2026, 3, 2, 0, 0, tzinfo=PARIS)),  # a date: start of day in Paris
        (datetime(2026, 3, 2, 10, 0), datetime(2026, 3, 2, 10, 0, tzinfo=PARIS)),  # naive: Paris time
        (datetime(2026, 7, 2, 10, 0, tzinfo=UTC), datetime(2026, 7, 2, 12, 0, tzinfo=PARIS)),  # converted
    ],
)
def test_measured_at_argument_is_made_aware_in_paris(given: date | datetime, expected: datetime) -> None:
    _, rows, _ = parse_sample("exchange_mailbox_statistics.csv", measured_at=given)
    assert rows[0].measured_at == expected
    assert rows[0].measured_at.utcoffset() == expected.utcoffset()
    assert rows[0].measured_at.tzinfo is PARIS


# --- a dirty French export ---------------------------------------------------------------------------------


def test_semicolon_french_export_valid_rows() -> None:
    fmt, rows, _ = parse_sample("m365_mailbox_fr_semicolon.csv")
    assert fmt == "m365-mailbox"
    got = by_line(rows)
    assert sorted(got) == [2, 4, 5, 6, 11, 12]
    alice = got[2]
    assert alice.email == "alice.martin@example.org"  # lower-cased and stripped
    assert alice.display_name == "Martin, Alice"  # a quoted comma stays in its cell
    assert (alice.size_bytes, alice.item_count, alice.measured_at) == (7_340_032_000, 48211, MARCH_1)
    assert got[5].concealed and got[5].email is None
    assert got[6].size_bytes == 5 * 1024**4  # 5 TiB
    assert got[12].size_bytes == 7_340_032_000  # French digit grouping (no-break spaces)
    assert got[12].item_count is None  # empty optional cell
    assert got[12].measured_at == MARCH_1  # 01/03/2026, day first


def test_semicolon_french_export_errors_keep_their_line_numbers() -> None:
    _, _, errors = parse_sample("m365_mailbox_fr_semicolon.csv")
    assert [(e.line, e.reason_code) for e in errors] == [
        (7, "negative_size"),
        (9, "not_a_number"),
        (10, "bad_date"),
        (13, "missing_identity"),
    ]
    assert "beaucoup" in errors[1].detail
    assert "Storage Used (Byte)" in errors[1].detail


def test_duplicated_rows_both_come_out() -> None:
    _, rows, _ = parse_sample("m365_mailbox_fr_semicolon.csv")
    bruno = [r for r in rows if r.email == "bruno.lefevre@example.org"]
    assert [r.line for r in bruno] == [4, 11]
    assert bruno[0].size_bytes == bruno[1].size_bytes


def test_crlf_and_empty_lines_keep_line_numbers() -> None:
    text = (SAMPLES / "onedrive_usage_account_detail.csv").read_text("utf-8")
    header, alice, bruno = text.splitlines()
    data = "\r\n".join([header, "", alice, "   ", "", bruno, ""]).encode()
    rows = parse_bytes(data)
    assert [(r.line, r.email) for r in rows] == [
        (3, "alice.martin@example.org"),
        (6, "bruno.lefevre@example.org"),
    ]


def test_leading_blank_lines_before_the_header_count() -> None:
    data = b"\n\nemail,source,bytes\nalice@example.org,share,1\n"
    assert [r.line for r in parse_bytes(data)] == [4]


def test_comma_separated_quoted_field_with_comma() -> None:
    data = (
        "Report Refresh Date,User Principal Name,Display Name,Item Count,Storage Used (Byte)\n"
        '2026-03-01,alice.martin@example.org,"Martin, Alice",48211,7340032000\n'
        '2026-03-01,bruno@example.org,"Lefèvre, ""Bruno""",1,2\n'
    ).encode()
    rows = parse_bytes(data)
    assert [(r.display_name, r.size_bytes) for r in rows] == [
        ("Martin, Alice", 7_340_032_000),
        ('Lefèvre, "Bruno"', 2),
    ]


def test_unbalanced_quote_is_reported_without_swallowing_the_next_lines() -> None:
    data = (
        b"email,display_name,source,bytes\n"
        b'alice@example.org,"Martin, Alice,share,10\n'
        b"bruno@example.org,Bruno,share,20\n"
    )
    items = parse_bytes(data)
    assert [(i.line, type(i).__name__) for i in items] == [(2, "RowError"), (3, "ParsedRow")]
    assert items[0].reason_code == "malformed_line"


def test_repeated_header_of_concatenated_exports_is_skipped() -> None:
    header = "email,source,bytes"
    data = f"{header}\na@example.org,share,1\n{header}\nb@example.org,share,2\n".encode()
    items = parse_bytes(data)
    assert [(i.line, i.email) for i in items] == [(2, "a@example.org"), (4, "b@example.org")]


# --- Exchange Export-Csv -----------------------------------------------------------------------------------


def test_exchange_type_line_without_smtp_address() -> None:
    fmt, rows, errors = parse_sample("exchange_mailbox_statistics_typed.csv", measured_at=IMPORTED_AT)
    assert fmt == "exchange"
    # The #TYPE line is line 1, the header line 2.
    assert [(r.line, r.email, r.display_name, r.size_bytes, r.item_count, r.concealed) for r in rows] == [
        (3, None, "Martin, Alice", 7_340_032_000, 48211, False),
        (4, None, "Salle de réunion 3", 0, 0, False),  # `0 B (0 bytes)`
        (5, None, "Archives juridiques", 5_497_558_138_880, 2_500_000, False),  # 5 TB
    ]
    assert [(e.line, e.reason_code) for e in errors] == [(6, "not_a_number")]  # `1.7 GB`: no byte count


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ("6.836 GB (7,340,032,000 bytes)", 7_340_032_000),
        ("0 B (0 bytes)", 0),
        ("1 B (1 byte)", 1),
        ("6,836 Go (7 340 032 000 octets)", 7_340_032_000),  # French culture
        ("5 TB (5,497,558,138,880 bytes)", 5_497_558_138_880),
        ("7340032000", 7_340_032_000),  # already converted with .ToBytes()
    ],
)
def test_exchange_size_strings(size: str, expected: int) -> None:
    data = f'DisplayName;PrimarySmtpAddress;TotalItemSize\nAlice;a@example.org;"{size}"\n'.encode()
    [row] = parse_bytes(data)
    assert row.size_bytes == expected


def test_exchange_empty_smtp_address_cell_is_missing_identity() -> None:
    data = b'"DisplayName","PrimarySmtpAddress","TotalItemSize"\n"Alice","","0 B (0 bytes)"\n'
    [error] = parse_bytes(data)
    assert (error.line, error.reason_code) == (2, "missing_identity")


# --- generic CSV -------------------------------------------------------------------------------------------


def test_generic_tab_separated_export() -> None:
    with (SAMPLES / "generic_storage_metrics.tsv").open("rb") as stream:
        result = parse(stream)
        items = list(result)
    assert (result.format, result.delimiter) == ("csv", "\t")
    got = by_line(items)
    share = got[2]
    assert isinstance(share, ParsedRow)
    assert (share.email, share.source, share.size_bytes, share.item_count) == (
        "alice.martin@example.org",
        "share",
        1_073_741_824,
        5120,
    )
    assert share.measured_at == datetime(2026, 3, 1, 19, 30, tzinfo=PARIS)  # 18:30 UTC
    drive = got[3]
    assert isinstance(drive, ParsedRow)
    assert (drive.email, drive.source, drive.item_count, drive.measured_at) == (
        "alice.martin@example.org",
        "drive",
        None,
        MARCH_1,
    )
    assert {line: (e.reason_code) for line, e in got.items() if isinstance(e, RowError)} == {
        4: "unknown_source",
        5: "missing_identity",
        6: "bad_date",
        7: "bad_date",
        8: "rounded_number",
        9: "negative_count",
        10: "bad_email",
        11: "not_a_number",
    }


def test_generic_csv_without_optional_columns_uses_the_given_date() -> None:
    data = b"Bytes , EMAIL,Source\n12,Alice@Example.org,MAILBOX\n"
    [row] = parse_bytes(data, measured_at=date(2026, 3, 2))
    assert (row.email, row.source, row.size_bytes, row.item_count) == (
        "alice@example.org",
        "mailbox",
        12,
        None,
    )
    assert row.measured_at == datetime(2026, 3, 2, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-01", datetime(2026, 3, 1, tzinfo=PARIS)),
        ("2026-03-01T09:30:00", datetime(2026, 3, 1, 9, 30, tzinfo=PARIS)),
        ("2026-03-01 09:30", datetime(2026, 3, 1, 9, 30, tzinfo=PARIS)),
        ("2026-07-01T08:00:00Z", datetime(2026, 7, 1, 10, 0, tzinfo=PARIS)),
        ("2026-03-01T09:30:00.123+01:00", datetime(2026, 3, 1, 9, 30, 0, 123000, tzinfo=PARIS)),
        ("01/03/2026", datetime(2026, 3, 1, tzinfo=PARIS)),
        ("01/03/2026 09:30:15", datetime(2026, 3, 1, 9, 30, 15, tzinfo=PARIS)),
    ],
)
def test_generic_dates(value: str, expected: datetime) -> None:
    [row] = parse_bytes(f"email,source,bytes,measured_at\na@example.org,share,1,{value}\n".encode())
    assert row.measured_at == expected
    assert row.measured_at.tzinfo is PARIS


@pytest.mark.parametrize("value", ["", "2026-02-30", "03/31/2026", "soon", "2026-03"])
def test_generic_bad_dates(value: str) -> None:
    [error] = parse_bytes(f"email,source,bytes,measured_at\na@example.org,share,1,{value}\n".encode())
    assert (error.line, error.reason_code) == (2, "bad_date")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0),
        (" 42 ", 42),
        ("5497558138880", 5_497_558_138_880),
        ('"7,340,032,000"', 7_340_032_000),
        ("7.340.032.000", 7_340_032_000),
        ("7 340 032 000", 7_340_032_000),
        ("7\u202f340\u202f032\u202f000", 7_340_032_000),
        ("1024.0", 1024),
        ("+12", 12),
        ("-0", 0),
        ("9223372036854775807", 2**63 - 1),  # the largest a size column holds
    ],
)
def test_sizes(value: str, expected: int) -> None:
    [row] = parse_bytes(f"email,source,bytes\na@example.org,share,{value}\n".encode())
    assert row.size_bytes == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("-1", "negative_size"),
        ("\u22121 024", "negative_size"),
        ("abc", "not_a_number"),
        ('"1,5"', "not_a_number"),
        ("12.5", "not_a_number"),
        ("1_000", "not_a_number"),
        ("١٢", "not_a_number"),  # Arabic-Indic digits: int() would accept them
        ("--1", "not_a_number"),
        ("7.34E+09", "rounded_number"),
        ("", "missing_size"),
        ("9223372036854775808", "too_large"),
        ("99 999 999 999 999 999 999", "too_large"),
    ],
)
def test_bad_sizes(value: str, code: str) -> None:
    data = f"email,source,bytes\na@example.org,share,{value}\nb@example.org,share,3\n".encode()
    error, row = parse_bytes(data)
    assert (error.line, error.reason_code) == (2, code)
    assert (row.line, row.size_bytes) == (3, 3)  # the next row still comes out


def test_short_row_is_missing_its_size() -> None:
    [error] = parse_bytes(b"email,source,bytes\na@example.org,share\n")
    assert error.reason_code == "missing_size"


def test_hash_identity_in_generic_csv_is_concealed() -> None:
    [row] = parse_bytes(b"email,source,bytes\n3f2504e0-4f89-11d3-9a0c-0305e82c3301,drive,1\n")
    assert row.concealed and row.email is None


# --- detection, forced format, whole-file errors ----------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["Report Refresh Date", "User Principal Name", "Storage Used (Byte)"], "m365-mailbox"),
        (["  USER principal NAME", "storage used(byte)", "Anything else"], "m365-mailbox"),
        (["Owner Principal Name", "Storage Used (Byte)", "File Count"], "m365-onedrive"),
        (["DisplayName", "TotalItemSize"], "exchange"),
        (["\ufeffemail", "source", "bytes"], "csv"),
    ],
)
def test_detect_format(header: list[str], expected: str) -> None:
    assert detect_format(header) == expected


def test_unknown_header_lists_the_expected_column_sets(app) -> None:
    with pytest.raises(UnknownFormat) as caught:
        parse(io.BytesIO(b"name,size\nAlice,12\n"))
    assert caught.value.header == ("name", "size")
    assert set(caught.value.expected) == set(FORMATS)
    assert caught.value.expected["csv"] == ("email", "source", "bytes")
    english, french = caught.value.message("en"), caught.value.message("fr")
    assert "User Principal Name" in english and "csv: email, source, bytes" in english and "\u202f;" not in english
    # French punctuation: a narrow no-break space before the colon and the semicolon.
    assert "csv\u202f: email, source, bytes" in french and french.count("\u202f;") == len(FORMATS) - 1


def test_empty_file_is_an_unknown_format() -> None:
    with pytest.raises(UnknownFormat):
        parse(io.BytesIO(b"\xef\xbb\xbf\r\n\r\n"))


def test_forced_format() -> None:
    # This header carries both the M365 and the generic columns: auto-detection picks M365.
    data = (
        b"User Principal Name,Storage Used (Byte),email,source,bytes\n"
        b"alice@example.org,100,alice.martin@example.org,share,7\n"
    )
    assert parse(io.BytesIO(data)).format == "m365-mailbox"
    result = parse(io.BytesIO(data), format="csv", measured_at=IMPORTED_AT)
    assert result.format == "csv"
    [row] = result
    assert (row.email, row.source, row.size_bytes) == ("alice.martin@example.org", "share", 7)


def test_forced_format_missing_its_columns() -> None:
    with (
        (SAMPLES / "m365_mailbox_usage_detail.csv").open("rb") as stream,
        pytest.raises(UnknownFormat) as caught,
    ):
        parse(stream, format="exchange")
    assert "TotalItemSize" in str(caught.value)


def test_invalid_format_name() -> None:
    with pytest.raises(ValueError, match="xlsx"):
        parse(io.BytesIO(b"email,source,bytes\n"), format="xlsx")


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00",  # .xlsx
        "email,source,bytes\n".encode("utf-16"),
        "email;source;bytes;propriétaire\n".encode("cp1252"),  # a Windows-1252 re-save
        b"email\x00source\x00bytes\n",
        b"\x00" * 100_000,  # no line break at all
    ],
)
def test_binary_or_non_utf8_content(content: bytes) -> None:
    with pytest.raises(NotATextFile):
        list(parse(io.BytesIO(content)))


def test_non_utf8_line_further_down_is_reported_with_its_line() -> None:
    data = "email,source,bytes\na@example.org,share,1\nlefèvre@example.org,share,2\n".encode("cp1252")
    items = iter(parse(io.BytesIO(data)))  # the header is fine: parse() succeeds
    assert next(items).email == "a@example.org"  # streaming: rows before the bad byte come out
    with pytest.raises(NotATextFile) as caught:
        next(items)
    assert caught.value.line == 3


# --- input kinds and volume --------------------------------------------------------------------------------


def test_text_streams_are_accepted() -> None:
    with (SAMPLES / "m365_mailbox_usage_detail.csv").open(encoding="utf-8-sig", newline="") as stream:
        assert len(list(parse(stream))) == 3
    # Opened as plain utf-8, the BOM shows up as a character: it must not hide the first column.
    with (SAMPLES / "m365_mailbox_usage_detail.csv").open(encoding="utf-8") as stream:
        rows = list(parse(stream))
    assert [r.measured_at for r in rows] == [MARCH_1] * 3
    assert parse(io.StringIO("email,source,bytes\na@example.org,share,1\n")).format == "csv"


def test_large_export_streams_every_row() -> None:
    header = "Report Refresh Date,User Principal Name,Display Name,Item Count,Storage Used (Byte)\n"
    lines = (f"2026-03-01,user{i}@example.org,User {i},{i},{i * 1024}\n" for i in range(20_000))
    data = (header + "".join(lines)).encode()
    count = 0
    for count, row in enumerate(parse(io.BytesIO(data)), start=1):  # noqa: B007
        assert isinstance(row, ParsedRow)
    assert count == 20_000
    assert row.line == 20_001 and row.size_bytes == 19_999 * 1024


def test_reason_codes_are_declared() -> None:
    required = {"negative_size", "not_a_number", "bad_date", "missing_identity", "unknown_source"}
    assert required <= set(REASON_CODES)
