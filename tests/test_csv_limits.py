"""Hostile CSV files on every import: a giant cell rejects its line (never a 500 or a traceback), a file longer
than its import's limit is refused before any work, and a file full of bad lines keeps only the first 1,000
with their reason while counting them all."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from portal import csvio
from portal.accounts import services as accounts
from portal.campaigns import imports as storage
from portal.campaigns.models import StorageImport, StorageImportProblem
from portal.catalogue import inventory, transfer
from portal.catalogue.services import seed_factors
from portal.locator import exchange
from portal.models import db
from tests.catalogue.test_transfer import HEADER, line
from tests.test_uploads import COMMANDS, UPLOAD_URLS, Upload, count, page, send  # noqa: F401 - the `page` fixture

GIANT = "x" * (5 * 1024 * 1024)


def giant_cell_file(text: str) -> str:
    """The file's header and first row, then a row whose second cell holds 5 MB, then its last row again."""
    header, first, last = text.strip("\n").split("\n")
    cells = last.split(",")
    cells[1] = GIANT
    return f"{header}\n{first}\n{','.join(cells)}\n{last.replace('2', '3', 1)}\n"


def test_a_five_megabyte_cell_rejects_its_line_on_every_import_page(client, login_as, page):  # noqa: F811
    login_as("admin", locale="en")
    response = send(client, page, giant_cell_file(page.text).encode())
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:500]
    if response.status_code == 303:  # the storage import shows its report on its own page
        response = client.get(response.headers["Location"])
    text = response.get_data(as_text=True)
    long_cell = "A cell of this line is longer than 10,000 characters."
    assert ("too long to be an export" if "storage" in page.url else long_cell) in text
    assert '<th scope="row" class="num">3</th>' in text  # the line, by its number
    db.session.expire_all()
    assert page.imported() >= 1  # the other lines went in


def test_the_storage_report_names_the_giant_cell(client, login_as, make_user):
    make_user(email="agent@test.example")
    login_as("admin", locale="en")
    content = f"email,source,bytes\nagent@test.example,mailbox,1000\n{GIANT},mailbox,1\n"
    response = send(client, Upload(UPLOAD_URLS["campaigns.upload_import"], "m.csv", "", {"format": "auto"},
                                   lambda: 0), content.encode())
    assert response.status_code == 303
    problem = db.session.scalar(sa.select(StorageImportProblem))
    assert (problem.line, problem.reason) == (3, "cell_too_long")


@pytest.mark.parametrize("command", ["catalogue", "inventory", "collection-points", "users", "storage"])
def test_every_import_command_reports_a_giant_cell_without_a_traceback(app, tmp_path: Path, communes, command):
    arguments, text, imported = COMMANDS[command]
    if command == "catalogue":
        seed_factors()
        text = HEADER + line(sku="acme-1") + line(sku="acme-2")
    path = tmp_path / "export.csv"
    path.write_text(giant_cell_file(text), encoding="utf-8")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=[*arguments, str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output
    assert "line 3:" in result.output
    assert "Traceback" not in result.output


# --- too many lines: refused before any work ----------------------------------------------------------------

LIMITS = [
    (transfer.read_items_csv, transfer.MAX_IMPORT_LINES, HEADER, line()),
    (inventory.read_inventory_csv, inventory.MAX_IMPORT_LINES, ",".join(inventory.INVENTORY_COLUMNS) + "\n",
     "BM-1,S1,,laptop,Portable,,2024-01-05,in_use\n"),
    (exchange.read_points_csv, exchange.MAX_IMPORT_ROWS, ",".join(exchange.CSV_COLUMNS) + "\n", "a,b,c\n"),
    (accounts.read_directory_csv, accounts.MAX_IMPORT_LINES, ",".join(accounts.DIRECTORY_COLUMNS) + "\n",
     "a@test.example,A,B,,,,,\n"),
]


@pytest.mark.parametrize(("read", "limit", "header", "row"), LIMITS)
def test_a_file_over_its_line_limit_is_refused_before_any_row_is_read(read, limit, header, row):
    started = time.perf_counter()
    with pytest.raises(csvio.CsvFileError) as refused:
        read(header + row * (limit + 1))
    assert refused.value.code == "too_many_lines"
    assert refused.value.params["limit"] == limit
    assert time.perf_counter() - started < 5  # the count, not the parse: 1.3 s for 500,000 lines here
    assert read(header + row * 3) is not None  # under the limit: read


def test_a_million_line_catalogue_is_refused_in_the_admins_language(client, login_as):
    seed_factors()
    login_as("admin")
    content = (HEADER + "a,b,1\n" * 1_000_000).encode()
    response = client.post("/admin/catalogue/import", data={"csrf_token": _token(client),
                                                            "file": (io.BytesIO(content), "c.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Le fichier compte 1\u202f000\u202f001 lignes ; cet import en accepte 20\u202f000 au plus." in \
        response.get_data(as_text=True)
    assert "Découpez-le en fichiers plus petits." in response.get_data(as_text=True)


def test_a_storage_export_over_the_limit_imports_nothing(monkeypatch, make_user):
    monkeypatch.setattr(storage, "MAX_IMPORT_LINES", 100)
    with pytest.raises(csvio.CsvFileError):
        storage.import_storage_file(io.BytesIO(b"email,source,bytes\n" + b"a,b,1\n" * 101), filename="m.csv")
    assert count(StorageImport) == 0
    batch = storage.import_storage_file(io.BytesIO(b"email,source,bytes\n" + b"a,b,1\n" * 100), filename="m.csv")
    assert batch.invalid == 100


# --- many bad lines: the first 1,000 kept, all counted -------------------------------------------------------


def test_a_garbage_storage_file_keeps_the_first_thousand_problems_and_counts_them_all(client, login_as):
    login_as("admin", locale="en")
    content = b"email,source,bytes\n" + b"a,b,1\n" * 5000
    response = send(client, Upload(UPLOAD_URLS["campaigns.upload_import"], "m.csv", "", {"format": "auto"},
                                   lambda: 0), content)
    assert response.status_code == 303
    batch = db.session.scalar(sa.select(StorageImport))
    assert batch.invalid == 5000
    assert count(StorageImportProblem) == csvio.MAX_REJECTED_KEPT
    page_text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "5,000 lines not used" in page_text
    assert "Only the first 1,000 lines not used are listed" in page_text


def test_a_garbage_catalogue_file_lists_a_hundred_lines_and_counts_the_rest(client, login_as):
    seed_factors()
    login_as("admin", locale="en")
    content = (HEADER + "a,b,1\n" * 3000).encode()
    response = client.post("/admin/catalogue/import", data={"csrf_token": _token(client),
                                                            "file": (io.BytesIO(content), "c.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Rejected: 3,000" in text
    assert text.count('<th scope="row" class="num">') == 100
    assert "And 2,900 more rejected lines: correct these first." in text


def test_the_report_keeps_the_first_rejections_and_counts_all():
    report = csvio.ImportReport()
    for number in range(2, 2 + 3 * csvio.MAX_REJECTED_KEPT):
        report.reject(number, "too_many_cells", value="x" * 500)
    assert report.rejected_count == 3 * csvio.MAX_REJECTED_KEPT
    assert len(report.rejected) == csvio.MAX_REJECTED_KEPT and report.rejected[-1].line == 1 + csvio.MAX_REJECTED_KEPT
    assert len(report.rejected[0].value) == 100
    with force_locale("en"):
        lines = csvio.report_lines(report, {})
    assert lines[-1] == f"  … and {2 * csvio.MAX_REJECTED_KEPT} more lines rejected (not listed)"


def _token(client) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client)
