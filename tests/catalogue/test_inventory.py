"""`flask inventory import FILE.csv`: the ITSM's hardware export, upserted by asset tag with a line report."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.catalogue import inventory
from portal.catalogue.footprints import load_factor_set, refresh_item
from portal.catalogue.models import Asset, CatalogueItem
from portal.catalogue.services import seed_factors
from portal.models import db

HEADER = "asset_tag,serial,sku,category,model_name,user_email,acquired_on,status\n"


@pytest.fixture
def laptop_item() -> CatalogueItem:
    """A catalogue laptop the ITSM knows by its SKU."""
    seed_factors()
    item = CatalogueItem(sku="dell-latitude-5440", category="laptop", manufacturer="Dell", name="Latitude 5440",
                         price_eur=Decimal("900"), fabrication_kgco2e=Decimal("200"), lifetime_years=Decimal("5"),
                         quality="manufacturer", source="Dell PCF", source_year=2023)
    db.session.add(item)
    db.session.flush()
    refresh_item(item, load_factor_set())
    db.session.commit()
    return item


def run(app, tmp_path, text: str | bytes, name: str = "assets.csv"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["inventory", "import", str(path)])
    db.session.expire_all()
    return result


def asset(tag: str) -> Asset | None:
    return db.session.scalar(sa.select(Asset).where(Asset.asset_tag == tag))


def test_import_creates_then_changes_nothing_then_updates(app, tmp_path, make_user, laptop_item):
    ana = make_user(email="ana@test.example")
    make_user(email="bob@test.example")
    text = HEADER + (
        "BM-0001,SN1,dell-latitude-5440,,,Ana@Test.example,2022-03-01,in_use\n"
        "BM-0002,SN2,,monitor,Écran 24 pouces,bob@test.example,2021-06-15,\n"
        "BM-0003,SN3,old-model-x,smartphone,Old phone,,2019-01-10,to_return\n"  # unknown SKU: category fallback
    )
    first = run(app, tmp_path, text)
    assert first.exit_code == 0, first.output
    assert "created: 3" in first.output and "rejected: 0" in first.output
    linked = asset("BM-0001")
    assert linked.item_id == laptop_item.id and linked.category == "laptop" and linked.model_name == "Latitude 5440"
    assert linked.user_id == ana.id and linked.acquired_on == date(2022, 3, 1) and linked.status == "in_use"
    assert asset("BM-0002").status == "in_use" and asset("BM-0002").category == "monitor"
    stock = asset("BM-0003")
    assert stock.user_id is None and stock.item_id is None and stock.model_name == "Old phone"

    again = run(app, tmp_path, text)
    assert "created: 0" in again.output and "updated: 0" in again.output and "unchanged: 3" in again.output

    changed_at = asset("BM-0002").status_changed_at
    returned = run(app, tmp_path, text.replace("2021-06-15,", "2021-06-15,returned"))
    assert "updated: 1" in returned.output and "unchanged: 2" in returned.output
    assert asset("BM-0002").status == "returned" and asset("BM-0002").status_changed_at > changed_at
    assert db.session.scalar(sa.select(sa.func.count(Asset.id))) == 3


def test_bad_lines_are_reported_with_their_number_and_change_nothing(app, tmp_path, make_user, laptop_item):
    make_user(email="ana@test.example")
    run(app, tmp_path, HEADER + "BM-0100,SN,,laptop,Kept laptop,ana@test.example,2020-01-01,in_use\n")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    text = HEADER + (
        "BM-0001,SN1,,laptop,Fine,ana@test.example,2023-01-01,in_use\n"  # 2: fine
        ",SN2,,laptop,No tag,,2023-01-01,\n"  # 3
        "BM-0003,SN3,,toaster,Toaster,,2023-01-01,\n"  # 4
        "BM-0004,SN4,,,No category,,2023-01-01,\n"  # 5
        "BM-0005,SN5,unknown-sku,,,,2023-01-01,\n"  # 6
        "BM-0006,SN6,,laptop,,,2023-01-01,\n"  # 7
        "BM-0100,SN,,laptop,Changed!,ghost@test.example,2020-01-01,in_use\n"  # 8: unknown employee, kept as is
        "BM-0008,SN8,,laptop,Future,,{tomorrow},\n"  # 9
        "BM-0009,SN9,,laptop,Bad date,,01/02/2023,\n"  # 10
        "BM-0010,SN10,,laptop,Status,,2023-01-01,lost\n"  # 11
        "BM-0001,SN1,,laptop,Again,,2023-01-01,\n"  # 12: repeated tag
        "BM-0012,SN12,,laptop,Extra,,2023-01-01,in_use,surprise\n"  # 13
    ).replace("{tomorrow}", tomorrow)
    result = run(app, tmp_path, text)
    assert result.exit_code == 0, result.output
    assert "created: 1" in result.output and "rejected: 11" in result.output
    for line, words in [
        (3, "asset tag missing"),
        (4, "unknown category"),
        (5, "category missing"),
        (6, "unknown SKU, and no category and model name to fall back on (unknown-sku)"),
        (7, "model name missing"),
        (8, "no employee with this e-mail address (ghost@test.example)"),
        (9, "acquisition date is in the future"),
        (10, "acquisition date is not a date"),
        (11, "unknown status"),
        (12, "asset tag already on an earlier line (BM-0001)"),
        (13, "This line has more cells than the header. (surprise)"),
    ]:
        assert f"line {line}: {words}" in result.output, line
    kept = asset("BM-0100")
    assert kept.model_name == "Kept laptop" and kept.user_id is not None
    assert asset("BM-0001").model_name == "Fine"
    assert db.session.scalar(sa.select(sa.func.count(Asset.id))) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "This is not a CSV text file"),
        ((HEADER + "BM-1,S,,laptop,Écran,,2023-01-01,\n").encode("latin-1"), "The file is not UTF-8 text"),
        (b"tag,serial\nBM-1,S\n", "Missing: asset_tag, sku, category, model_name"),
    ],
)
def test_unusable_files_import_nothing(app, tmp_path, content, message):
    seed_factors()
    result = run(app, tmp_path, content)
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(sa.select(sa.func.count(Asset.id))) == 0


def test_semicolons_a_byte_order_mark_and_times_are_accepted(app, tmp_path):
    seed_factors()
    text = "\ufeff" + HEADER.replace(",", ";") + "BM-1;S;;Laptop;Portable;;2023-01-05T09:30:00;IN_USE\n"
    result = run(app, tmp_path, text)
    assert "created: 1" in result.output, result.output
    assert asset("BM-1").acquired_on == date(2023, 1, 5) and asset("BM-1").category == "laptop"


def test_a_large_file_needs_a_few_queries_per_batch_not_per_line(app, make_user, laptop_item):
    users = [make_user(email=f"u{n}@test.example") for n in range(20)]
    lines = [
        f"BM-{n:06d},SN{n},{'dell-latitude-5440' if n % 2 else ''},laptop,Portable,"
        f"{users[n % 20].email if n % 3 else ''},2022-01-{1 + n % 28:02d},in_use\n"
        for n in range(5000)
    ]
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # noqa: ANN001
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        report = inventory.import_inventory(inventory.read_inventory_csv(HEADER + "".join(lines)))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    db.session.commit()
    assert len(report.created) == 5000 and not report.rejected
    batches = -(-5000 // inventory.BATCH_SIZE)
    assert len(statements) <= 1 + 3 * batches, statements
    assert db.session.scalar(sa.select(sa.func.count(Asset.id)).where(Asset.item_id == laptop_item.id)) == 2500

    # Every other line changes: the updates go in bulk too.
    lines = [text.replace(",in_use", ",returned") if n % 2 else text for n, text in enumerate(lines)]
    statements.clear()
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        report = inventory.import_inventory(inventory.read_inventory_csv(HEADER + "".join(lines)))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(report.updated) == 2500 and len(report.unchanged) == 2500
    assert len(statements) <= 1 + 3 * batches, statements
