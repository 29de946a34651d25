"""The storage importer: reports kept in the database, idempotent re-imports, bad lines never blocking."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.campaigns import imports
from portal.campaigns.models import StorageImport, StorageImportProblem, StorageSnapshot
from portal.campaigns.parsers import NotATextFile, UnknownFormat
from portal.models import db
from tests.campaigns.conftest import GB, generic_csv, paris

SAMPLES = Path(__file__).parent / "samples"


def run_import(name: str, **kwargs) -> StorageImport:
    with (SAMPLES / name).open("rb") as stream:
        batch = imports.import_storage_file(stream, filename=name, **kwargs)
    db.session.commit()
    return batch


def problems(batch: StorageImport) -> list[tuple[int, str, str]]:
    return [(p.line, p.kind, p.reason) for p in db.session.scalars(imports.problems_statement(batch))]


def snapshot_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(StorageSnapshot.id)))


@pytest.fixture
def alice_and_bruno(make_user):
    return (
        make_user(email="alice.martin@example.org", first_name="Alice", last_name="Martin"),
        make_user(email="bruno.lefevre@example.org", first_name="Bruno", last_name="Lefèvre"),
    )


def test_m365_mailbox_export_creates_snapshots_and_reports_the_concealed_name(alice_and_bruno):
    alice, bruno = alice_and_bruno
    batch = run_import("m365_mailbox_usage_detail.csv")
    assert batch.format == "m365-mailbox"
    assert (batch.rows_read, batch.created, batch.unchanged, batch.unmatched, batch.invalid) == (3, 2, 0, 1, 0)
    assert problems(batch) == [(4, "unmatched", "concealed")]
    snapshot = db.session.scalar(sa.select(StorageSnapshot).where(StorageSnapshot.user_id == alice.id))
    assert (snapshot.source, snapshot.size_bytes, snapshot.item_count) == ("mailbox", 7_340_032_000, 48211)
    assert snapshot.measured_at == paris(2026, 3, 1).astimezone(UTC)
    assert snapshot.import_id == batch.id
    assert batch.first_measured_at == batch.last_measured_at == paris(2026, 3, 1)


def test_reimporting_the_same_file_creates_nothing(alice_and_bruno):
    run_import("m365_mailbox_usage_detail.csv")
    again = run_import("m365_mailbox_usage_detail.csv")
    assert (again.rows_read, again.created, again.updated, again.unchanged, again.unmatched) == (3, 0, 0, 2, 1)
    assert snapshot_count() == 2
    assert db.session.scalar(sa.select(sa.func.count(StorageImport.id))) == 2  # both reports are kept


def test_a_corrected_export_replaces_the_values_of_the_same_measure(make_user, import_rows):
    user = make_user()
    import_rows([(user, "share", 5 * GB, 10, "2026-03-01")])
    corrected = import_rows([(user, "share", 4 * GB, 10, "2026-03-01")])
    assert (corrected.created, corrected.updated, corrected.unchanged) == (0, 1, 0)
    assert db.session.scalar(sa.select(StorageSnapshot.size_bytes)) == 4 * GB


def test_french_semicolon_export_imports_valid_rows_and_reports_each_bad_line_with_its_reason(alice_and_bruno):
    batch = run_import("m365_mailbox_fr_semicolon.csv")
    assert batch.format == "m365-mailbox"
    assert batch.created == 2  # Alice and Bruno
    assert batch.rows_read == batch.created + batch.updated + batch.unchanged + batch.unmatched + batch.invalid
    found = problems(batch)
    reasons = {reason for _, _, reason in found}
    assert {"concealed", "negative_size", "not_a_number", "bad_date"} <= reasons
    assert all(line > 1 for line, _, _ in found)
    assert [line for line, _, _ in found] == sorted(line for line, _, _ in found)


def test_exchange_export_without_addresses_reports_names_as_unmatched(make_user):
    batch = run_import("exchange_mailbox_statistics_typed.csv", measured_at=paris(2026, 3, 2))
    assert batch.format == "exchange"
    assert batch.created == 0
    assert batch.unmatched >= 3
    details = db.session.scalars(
        sa.select(StorageImportProblem.detail).where(StorageImportProblem.reason == "no_email")
    )
    assert "Martin, Alice" in list(details)


def test_generic_csv_unknown_employee_and_conflicting_duplicate(make_user):
    user = make_user(email="known@test.example")
    data = generic_csv(
        [
            ("known@test.example", "mailbox", 3 * GB, 30, "2026-03-01"),
            ("known@test.example", "mailbox", 3 * GB, 30, "2026-03-01"),  # same line again: nothing new
            ("known@test.example", "mailbox", 2 * GB, 30, "2026-03-01"),  # same measure, other value
            ("stranger@test.example", "drive", 1, 1, "2026-03-01"),
            ("known@test.example", "drive", -5, 1, "2026-03-01"),
        ]
    )
    batch = imports.import_storage_file(io.BytesIO(data), filename="generic.csv")
    db.session.commit()
    assert (batch.rows_read, batch.created, batch.unchanged, batch.unmatched, batch.invalid) == (5, 1, 1, 1, 2)
    assert problems(batch) == [
        (4, "invalid", "duplicate_conflict"),
        (5, "unmatched", "unknown_employee"),
        (6, "invalid", "negative_size"),
    ]
    conflict = db.session.scalar(sa.select(StorageImportProblem).where(StorageImportProblem.line == 4))
    assert conflict.detail == "2"  # the line kept
    assert db.session.scalar(sa.select(StorageSnapshot.size_bytes).where(StorageSnapshot.user_id == user.id)) == 3 * GB


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00binary workbook", NotATextFile),
        (b"\xff\xfeU\x00s\x00e\x00r\x00", NotATextFile),
        (b"name,size\nalice,12\n", UnknownFormat),
        (b"", UnknownFormat),
    ],
)
def test_unreadable_files_import_nothing(content, error):
    with pytest.raises(error):
        imports.import_storage_file(io.BytesIO(content), filename="bad")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(StorageImport.id))) == 0


def test_a_file_found_not_utf8_halfway_imports_nothing_once_rolled_back(make_user):
    user = make_user()
    rows = [(user.email, "mailbox", n, 1, f"2026-03-01T10:{n % 60:02d}:{n // 60:02d}") for n in range(1, 3000)]
    data = generic_csv(rows) + b"caf\xe9@test.example,mailbox,1,1,2026-03-01\n"
    with pytest.raises(NotATextFile) as raised:
        imports.import_storage_file(io.BytesIO(data), filename="latin1.csv")
    assert raised.value.line == 3001
    db.session.rollback()
    assert snapshot_count() == 0


def test_matching_takes_one_query_per_batch_not_per_row(app, make_user, monkeypatch):
    users = [make_user() for _ in range(30)]
    monkeypatch.setattr(imports, "BATCH_ROWS", 10)
    statements: list[str] = []

    def record(conn, cursor, statement, *args):  # noqa: ANN001
        statements.append(statement)

    rows = [(u.email, "mailbox", GB, 1, "2026-03-01") for u in users]
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        imports.import_storage_file(io.BytesIO(generic_csv(rows)), filename="batched.csv")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    user_lookups = [s for s in statements if 'FROM "user"' in s or "FROM user" in s]
    snapshot_lookups = [s for s in statements if s.startswith("SELECT") and "FROM storage_snapshot" in s]
    assert len(user_lookups) == 3  # 30 rows, batches of 10
    assert len(snapshot_lookups) == 3
    assert snapshot_count() == 30


def test_cli_imports_a_file_and_prints_the_report(app, alice_and_bruno):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["storage", "import", str(SAMPLES / "m365_mailbox_usage_detail.csv")])
    assert result.exit_code == 0, result.output
    assert "created: 2" in result.output
    assert "unmatched: 1" in result.output
    assert "line 4: unmatched, concealed name" in result.output
    again = runner.invoke(
        args=["storage", "import", "--source", "m365-mailbox", str(SAMPLES / "m365_mailbox_usage_detail.csv")]
    )
    assert "created: 0" in again.output and "unchanged: 2" in again.output


def test_cli_refuses_an_unknown_format_and_imports_nothing(app, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,size\nalice,12\n")
    result = app.test_cli_runner().invoke(args=["storage", "import", str(bad)])
    assert result.exit_code != 0
    assert "Nothing was imported" in result.output
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(StorageImport.id))) == 0


def test_cli_forced_format_and_measure_date_for_exchange(app, alice_and_bruno):
    result = app.test_cli_runner().invoke(
        args=[
            "storage",
            "import",
            "--source",
            "exchange",
            "--measured-at",
            "2026-03-02",
            str(SAMPLES / "exchange_mailbox_statistics.csv"),
        ]
    )
    assert result.exit_code == 0, result.output
    times = set(db.session.scalars(sa.select(StorageSnapshot.measured_at)))
    assert times == {datetime(2026, 3, 1, 23, 0, tzinfo=UTC)}  # midnight in Paris
