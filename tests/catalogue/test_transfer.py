"""Catalogue CSV export and import: neutralised formulas, an idempotent upsert by SKU with a line-by-line report,
files refused as a whole, and the `flask catalogue import|export` commands."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal import csvio
from portal.catalogue import item_values, transfer
from portal.catalogue.footprints import load_factor_set, refresh_item
from portal.catalogue.models import CatalogueItem
from portal.catalogue.services import seed_catalogue, seed_factors
from portal.models import db
from tests.conftest import csrf_token

HEADER = ",".join(item_values.ITEM_COLUMNS) + "\n"


@pytest.fixture
def seeded() -> dict[str, CatalogueItem]:
    """The packaged catalogue (≈210 items), by SKU."""
    seed_catalogue()
    db.session.commit()
    return {item.sku: item for item in db.session.scalars(sa.select(CatalogueItem))}


@pytest.fixture
def new_item():
    """Create an item directly, with its results computed."""
    seed_factors()
    counter = iter(range(1, 1000))

    def make(**overrides) -> CatalogueItem:
        values = {
            "sku": f"item-{next(counter)}", "category": "laptop", "manufacturer": "Maker", "name": "Model",
            "price_eur": Decimal("1000"), "fabrication_kgco2e": Decimal("150"), "distribution_kgco2e": Decimal("10"),
            "end_of_life_kgco2e": Decimal("2"), "lifetime_years": Decimal("5"), "annual_kwh": Decimal("20"),
            "quality": "manufacturer", "source": "Maker product sheet", "source_year": 2024,
        }
        values.update(overrides)
        item = CatalogueItem(**values)
        db.session.add(item)
        db.session.flush()
        refresh_item(item, load_factor_set())
        db.session.commit()
        return item

    return make


def line(delimiter: str = ",", **values: str) -> str:
    """A CSV line of the import format (a valid new laptop unless told otherwise)."""
    row = {
        "sku": "acme-1", "category": "laptop", "manufacturer": "Acme", "name": "Book", "refurbished": "no",
        "refurbished_of_sku": "", "price_eur": "900", "fabrication_kgco2e": "120", "distribution_kgco2e": "8",
        "end_of_life_kgco2e": "1.5", "lifetime_years": "5", "annual_kwh": "18", "error_ratio": "",
        "quality": "manufacturer", "source": "Acme sheet", "source_year": "2024", "source_url": "", "active": "yes",
    }
    row.update(values)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", delimiter=delimiter).writerow([row[c] for c in item_values.ITEM_COLUMNS])
    return buffer.getvalue()


def upload(client, content: bytes, name: str = "catalogue.csv"):
    data = {"csrf_token": csrf_token(client), "file": (io.BytesIO(content), name)}
    return client.post("/admin/catalogue/import", data=data, content_type="multipart/form-data")


def count_items() -> int:
    return db.session.scalar(sa.select(sa.func.count(CatalogueItem.id)))


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def test_the_export_neutralises_spreadsheet_formulas(client, login_as, new_item):
    new_item(sku="plain", name="Latitude 5440", manufacturer="Dell")
    new_item(sku="evil", name='=HYPERLINK("http://x.example","click")', manufacturer="+cmd|' /C calc'!A0",
             source="@SUM(1+1)", source_url="-2+3")
    new_item(sku="tabbed", name="\tname", manufacturer="\rmaker", source="'=already quoted")
    login_as("admin")
    response = client.get("/admin/catalogue/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="catalogue-')
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff" + HEADER.strip())
    rows = {row["sku"]: row for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}
    assert list(rows["plain"]) == list(item_values.ITEM_COLUMNS)
    evil = rows["evil"]
    assert evil["name"] == "'=HYPERLINK(\"http://x.example\",\"click\")"
    assert evil["manufacturer"] == "'+cmd|' /C calc'!A0"
    assert evil["source"] == "'@SUM(1+1)"
    assert evil["source_url"] == "'-2+3"
    assert rows["tabbed"]["name"] == "'\tname" and rows["tabbed"]["manufacturer"] == "'\rmaker"
    assert rows["tabbed"]["source"] == "''=already quoted"
    plain = rows["plain"]
    assert plain["name"] == "Latitude 5440" and plain["price_eur"] == "1000" and plain["fabrication_kgco2e"] == "150"
    assert plain["refurbished"] == "no" and plain["active"] == "yes" and plain["error_ratio"] == ""
    for row in rows.values():
        assert not any(cell.startswith(csvio.FORMULA_STARTS) for cell in row.values())


def test_exporting_then_importing_changes_nothing(client, login_as, seeded, new_item):
    new_item(sku="evil", name="=1+1", manufacturer="@maker", source="-minus")
    login_as("admin", locale="en")
    exported = client.get("/admin/catalogue/export.csv").get_data()
    response = upload(client, exported)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Created: 0" in page and "Updated: 0" in page and f"Unchanged: {len(seeded) + 1}" in page
    assert "Every line of the file was imported." in page
    evil = db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.sku == "evil"))
    assert (evil.name, evil.manufacturer, evil.source) == ("=1+1", "@maker", "-minus")


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------


def test_the_import_reports_bad_lines_and_imports_the_others(client, login_as, new_item):
    existing = new_item(sku="kept", name="Kept name")
    new_item(sku="screen", category="monitor")
    login_as("admin", locale="en")
    content = HEADER + "".join([
        line(sku="acme-1"),  # 2: created
        line(sku="kept", name="Renamed"),  # 3: updated
        line(sku="acme-2", price_eur="-5"),  # 4
        line(sku="acme-3", category="toaster"),  # 5
        line(sku="acme-1", name="Again"),  # 6: repeated SKU
        line(sku="acme-4", refurbished="yes", refurbished_of_sku="screen"),  # 7: other category
        line(sku="acme-5", refurbished="yes", refurbished_of_sku="ghost"),  # 8: unknown original
        line(sku="acme-6", lifetime_years="0"),  # 9
        line(sku="acme-7", fabrication_kgco2e="0", distribution_kgco2e="0", end_of_life_kgco2e="0"),  # 10
        line(sku="acme-8", quality="rumour"),  # 11
        line(sku="acme-9", source_year="2150"),  # 12
        line(sku="acme-r", refurbished="yes", refurbished_of_sku="acme-1", source="Acme sheet, refurbished"),  # 13
        line(sku="kept-too", source="")  # 14
        + "\n",  # a blank line is skipped
        line(sku="extra").rstrip("\n") + ",surprise\n",  # 16: more cells than columns
    ])
    response = upload(client, content.encode())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in ["Created: 2", "Updated: 1", "Unchanged: 0", "Rejected: 11"]:
        assert text in page, text
    assert "The lines below were not imported; all the other lines were." in page
    for number, column, reason in [
        (4, "price_eur", "Enter 0 or more."),
        (5, "category", "Choose one of the catalogue categories"),
        (6, "sku", "This SKU is already on an earlier line of the file."),
        (7, "refurbished_of_sku", "The new model must be in the same category."),
        (8, "refurbished_of_sku", "No catalogue item has this SKU."),
        (9, "lifetime_years", "Enter a number greater than 0."),
        (10, "fabrication_kgco2e", "At least one of fabrication"),
        (11, "quality", "Choose manufacturer, generic or estimated."),
        (12, "source_year", "Enter a year from 1990 to"),
        (14, "source", "This field is required."),
        (16, "–", "This line has more cells than the header."),
    ]:
        assert f'<th scope="row" class="num">{number}</th><td>{column}</td><td>{reason}' in page, number
    db.session.expire_all()
    assert db.session.get(CatalogueItem, existing.id).name == "Renamed"
    variant = db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.sku == "acme-r"))
    assert variant.refurbished_of.sku == "acme-1"
    assert db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.sku == "acme-1")).name == "Book"
    assert count_items() == 4

    again = upload(client, content.encode()).get_data(as_text=True)
    assert "Created: 0" in again and "Updated: 0" in again and "Unchanged: 3" in again
    assert count_items() == 4


def test_a_variant_can_come_before_its_original_in_the_file(new_item):
    seed_factors()
    rows = transfer.read_items_csv((HEADER + line(sku="v", refurbished="yes", refurbished_of_sku="o")
                                    + line(sku="o")).encode())
    report = transfer.import_items(rows)
    assert report.created == ["o", "v"] and not report.rejected
    assert db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.sku == "v")).refurbished_of.sku == "o"


def test_a_variant_whose_original_line_is_rejected_is_rejected_too():
    seed_factors()
    rows = transfer.read_items_csv((HEADER + line(sku="o", price_eur="free")
                                    + line(sku="v", refurbished="yes", refurbished_of_sku="o")).encode())
    report = transfer.import_items(rows)
    assert [(r.line, r.code) for r in report.rejected] == [(2, "not_a_number"), (3, "original_unknown")]
    assert count_items() == 0


def test_changing_the_category_of_an_original_is_refused(new_item):
    original = new_item(sku="o")
    new_item(sku="v", refurbished=True, refurbished_of_id=original.id)
    report = transfer.import_items(transfer.read_items_csv((HEADER + line(sku="o", category="tablet")).encode()))
    assert [(r.line, r.code) for r in report.rejected] == [(2, "has_variants")]
    # Moving both in the same file is fine.
    both = HEADER + line(sku="o", category="tablet") + line(sku="v", category="tablet", refurbished="yes",
                                                            refurbished_of_sku="o")
    report = transfer.import_items(transfer.read_items_csv(both.encode()))
    assert not report.rejected and sorted(report.updated) == ["o", "v"]


def test_semicolons_decimal_commas_and_a_byte_order_mark_are_accepted(new_item):
    seed_factors()
    text = "\ufeff" + HEADER.replace(",", ";") + line(";", price_eur="899,90", lifetime_years="4,5")
    rows = transfer.read_items_csv(text.encode("utf-8"))
    report = transfer.import_items(rows)
    assert report.created == ["acme-1"], report.rejected
    item = db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.sku == "acme-1"))
    assert item.price_eur == Decimal("899.90") and item.lifetime_years == Decimal("4.5")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "This is not a CSV text file."),
        ((HEADER + line(name="Écran")).encode("latin-1"), "The file is not UTF-8 text."),
        (b"sku,name,price\nx,y,1\n", "The first line must name the columns. Missing: category, manufacturer"),
        (b"", "Choose a CSV file."),
        (b"   \n", "The file is empty."),
    ],
)
def test_unusable_files_are_refused_whole(client, login_as, content, message):
    seed_factors()
    login_as("admin", locale="en")
    if content:
        response = upload(client, content)
    else:
        response = client.post("/admin/catalogue/import", data={"csrf_token": csrf_token(client)},
                               content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'id="file-error"' in page and "Nothing was imported" in page
    assert count_items() == 0


def test_a_file_over_the_size_limit_gets_a_413(app, client, login_as, monkeypatch):
    login_as("admin")
    token = csrf_token(client)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    response = client.post("/admin/catalogue/import", data={"csrf_token": token,
                                                            "file": (io.BytesIO(b"x" * 4096), "big.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413


def test_the_import_requires_the_csrf_token(client, login_as):
    login_as("admin")
    response = client.post("/admin/catalogue/import", data={"file": (io.BytesIO((HEADER + line()).encode()), "c.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert count_items() == 0


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


def test_the_export_and_import_commands(app, tmp_path, new_item):
    new_item(sku="evil", name="=cmd")
    db.session.commit()
    runner = app.test_cli_runner()
    exported = tmp_path / "catalogue.csv"
    result = runner.invoke(args=["catalogue", "export", str(exported)])
    assert result.exit_code == 0, result.output
    assert "exported: 1 items" in result.output
    assert "'=cmd" in exported.read_text(encoding="utf-8-sig")

    exported.write_text(exported.read_text(encoding="utf-8-sig") + line(sku="new-one") + line(sku="bad", price_eur="x"),
                        encoding="utf-8")
    result = runner.invoke(args=["catalogue", "import", str(exported)])
    assert result.exit_code == 0, result.output
    assert "created: 1" in result.output and "unchanged: 1" in result.output and "rejected: 1" in result.output
    assert "line 4: price_eur: Enter a number, for example 12.5. (x)" in result.output
    db.session.expire_all()
    assert count_items() == 2

    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x00\x01\x02binary")
    result = runner.invoke(args=["catalogue", "import", str(binary)])
    assert result.exit_code != 0 and "This is not a CSV text file" in result.output


def test_seed_command_loads_the_factor_library_and_packaged_models_once(app):
    import sqlalchemy as sa

    from portal.catalogue.models import CatalogueItem, Factor, FactorVersion
    from portal.models import db

    runner = app.test_cli_runner()
    first = runner.invoke(args=["catalogue", "seed"])
    assert first.exit_code == 0, first.output
    assert "factors created: 14" in first.output and "items created: 210" in first.output
    second = runner.invoke(args=["catalogue", "seed"])
    assert "factors created: 0" in second.output and "items created: 0" in second.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Factor)) == 14
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FactorVersion)) == 14
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CatalogueItem)) == 210
