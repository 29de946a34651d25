"""The one CSV reader and writer: delimiters, header, line numbers, unreadable rows, formula neutralisation and
its exact inverse, yes/no cells, the capped report."""

from __future__ import annotations

import io

import pytest

from portal import csvio
from portal.csvio import CsvFileError, Row

COLUMNS = ("code", "name", "active")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_the_one_that_splits_the_header_most(delimiter):
    text = delimiter.join(COLUMNS) + "\n" + delimiter.join(["a1", "Hôtel, de ville", "oui"]).replace(
        "Hôtel, de ville", '"Hôtel, de ville"' if delimiter == "," else "Hôtel, de ville") + "\n"
    rows = list(csvio.read_rows(text, COLUMNS, max_lines=10))
    assert rows == [Row(2, {"code": "a1", "name": "Hôtel, de ville", "active": "oui"})]


def test_rows_carry_the_number_of_their_first_line_and_blank_lines_count():
    text = '\ufeff CODE ,Name,active\n\na1,"two\nlines",yes\n , ,\nb2,B,\n'
    rows = list(csvio.read_rows(text, COLUMNS, max_lines=10))
    assert [(row.line, row["code"], row["name"]) for row in rows] == [(3, "a1", "two\nlines"), (6, "b2", "B")]


def test_the_header_is_checked_before_any_row():
    with pytest.raises(CsvFileError) as missing:
        csvio.read_rows("code,nom\n", COLUMNS, max_lines=10)
    assert missing.value.params == {"missing": "name, active", "unknown": ""}
    assert csvio.read_rows("code,name,active,extra\n", COLUMNS, max_lines=10) is not None  # ignored by default
    with pytest.raises(CsvFileError) as unknown:
        csvio.read_rows("code,name,active,extra\n", COLUMNS, max_lines=10, unknown_columns="refuse")
    assert unknown.value.params["unknown"] == "extra"
    with pytest.raises(CsvFileError) as repeated:
        csvio.read_rows("code,name,active,name\n", COLUMNS, max_lines=10)
    assert repeated.value.params["unknown"] == "name"
    with pytest.raises(CsvFileError) as empty:
        csvio.read_rows(" \n\n", COLUMNS, max_lines=10)
    assert empty.value.code == "empty"


def test_unreadable_rows_come_with_their_problem_and_the_next_rows_still_come():
    giant = "x" * 200_000  # over the csv module's own limit, which would stop the whole file
    long = "y" * (csvio.MAX_CELL_CHARS + 1)
    text = f"code,name,active\na,{giant},yes\nb,{long},yes\nc,C,yes,surprise\nd,D,yes\n"
    rows = list(csvio.read_rows(text, COLUMNS, max_lines=10))
    assert [(row.line, row.problem, row.extra) for row in rows] == [
        (2, "cell_too_long", ""), (3, "cell_too_long", ""), (4, "too_many_cells", "surprise"), (5, "", "")]
    report = csvio.ImportReport()
    assert [row["code"] for row in csvio.readable_rows(rows, report)] == ["d"]
    assert [(r.line, r.code) for r in report.rejected] == [(2, "cell_too_long"), (3, "cell_too_long"),
                                                            (4, "too_many_cells")]


def test_the_line_count_is_checked_first():
    header = "code,name,active\n"
    assert len(list(csvio.read_rows(header + "a,b,c\n" * 5, COLUMNS, max_lines=5))) == 5
    with pytest.raises(CsvFileError) as refused:
        csvio.read_rows(header + "a,b,c\n" * 6, COLUMNS, max_lines=5)
    assert refused.value.params == {"lines": 7, "limit": 5}
    assert csvio.count_stream_lines(io.BytesIO(b"a\nb\nc")) == 3
    stream = io.StringIO("a\nb\n")
    assert csvio.count_stream_lines(stream) == 2 and stream.read() == "a\nb\n"  # rewound


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x.example")', "'=HYPERLINK(\"http://x.example\")"),
        ("+33 5 56 00 00 00", "'+33 5 56 00 00 00"),
        ("-2 rue X", "'-2 rue X"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("\ncmd", "'\ncmd"),
        ("'=x", "''=x"),
        ("-0.54800", "-0.54800"),  # a number is never run: longitudes west of Greenwich stay numbers
        ("+12", "+12"),
        ("44.8", "44.8"),
        ("'Hôtel de ville'", "'Hôtel de ville'"),
        ("'", "'"),
        ("Mairie", "Mairie"),
        ("", ""),
    ],
)
def test_formulas_are_neutralised_and_the_quote_is_removed_exactly(value, cell):
    assert csvio.neutralise(value) == cell
    assert csvio.unneutralise(cell) == value


def test_a_long_run_of_quotes_is_neutralised_without_recursion():
    text = "'" * 50_000 + "=x"
    assert csvio.unneutralise(csvio.neutralise(text)) == text


def test_written_files_read_back_unchanged():
    rows = [["=cmd", "-0.5", None], ["a;b", "line\nbreak", 3]]
    text = csvio.to_text(COLUMNS, rows, delimiter=";")
    assert text.startswith("\ufeffcode;name;active\r\n'=cmd;-0.5;\r\n")
    back = [[row[c] for c in COLUMNS] for row in csvio.read_rows(text, COLUMNS, max_lines=10)]
    assert back == [["=cmd", "-0.5", ""], ["a;b", "line\nbreak", "3"]]


@pytest.mark.parametrize(("text", "value"), [("yes", True), ("OUI", True), (" x ", True), ("1", True), ("vrai", True),
                                             ("no", False), ("Non", False), ("0", False), ("faux", False)])
def test_yes_and_no_in_both_languages(text, value):
    assert csvio.parse_yes_no(text, default=not value) is value


def test_an_empty_yes_no_cell_is_the_columns_default_and_other_words_are_refused():
    assert csvio.parse_yes_no("", default=True) is True
    assert csvio.parse_yes_no("  ", default=False) is False
    with pytest.raises(ValueError):
        csvio.parse_yes_no("maybe", default=True)
