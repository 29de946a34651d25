"""Catalogue items in and out as CSV: the export, and the import that creates or updates items by SKU through
the same rules as the admin form (:mod:`portal.catalogue.item_values`, :mod:`portal.catalogue.items`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

import sqlalchemy as sa

from portal import csvio
from portal.catalogue.footprints import load_factor_set, refresh_item
from portal.catalogue.item_values import ITEM_COLUMNS, Problem, parse_item, plain
from portal.catalogue.items import (
    Key,
    apply_values,
    existing_shapes,
    refresh_moved_yardsticks,
    refurbished_link_problems,
    values_differ,
)
from portal.catalogue.models import CatalogueItem
from portal.models import db

#: The largest catalogue file imported at once (the published library holds about 200 models).
MAX_IMPORT_LINES = 20_000


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return plain(value)
    return str(value)


def item_row(item: CatalogueItem, skus: Mapping[int, str]) -> dict[str, str]:
    """An item as text by column (`skus`: id → SKU, for the original of a refurbished item): a CSV row, or
    the edit form's values."""
    original = skus.get(item.refurbished_of_id) if item.refurbished_of_id else None
    row = {name: getattr(item, name) for name in ITEM_COLUMNS if name != "refurbished_of_sku"}
    row["refurbished_of_sku"] = original
    return {name: _cell(row[name]) for name in ITEM_COLUMNS}


def _export_rows() -> Iterator[list[str]]:
    items = list(db.session.scalars(sa.select(CatalogueItem).order_by(CatalogueItem.sku)))
    skus = {item.id: item.sku for item in items}
    for item in items:
        row = item_row(item, skus)
        yield [row[name] for name in ITEM_COLUMNS]


def export_items(stream: IO[str]) -> int:
    """Write every item as CSV, formulas neutralised; returns how many."""
    return csvio.write_rows(stream, ITEM_COLUMNS, _export_rows())


def export_items_text() -> str:
    """The CSV export as text, with a byte-order mark so that spreadsheets read it as UTF-8."""
    return csvio.to_text(ITEM_COLUMNS, _export_rows())


def read_items_csv(data: bytes | str) -> list[csvio.Row]:
    """The rows of a catalogue CSV file (its text, or its bytes as read from disk): the columns of the export,
    no other; csvio.CsvFileError if unusable, uploads.NotTextError if it is not UTF-8 text."""
    return list(csvio.read_rows(data, ITEM_COLUMNS, max_lines=MAX_IMPORT_LINES, unknown_columns="refuse"))


@dataclass
class ItemImportReport(csvio.ImportReport):
    """What a catalogue import did (SKUs per outcome), and how many labels were recomputed."""

    recomputed: int = 0


def _reject(report: csvio.ImportReport, line: int, problem: Problem, cells: Mapping[str, str]) -> None:
    report.reject(line, problem.code, problem.field, cells.get(problem.field, ""), **dict(problem.params))


def import_items(rows: Iterable[csvio.Row]) -> ItemImportReport:
    """Create or update items by SKU (idempotent); a rejected line changes nothing, the others are saved."""
    report = ItemImportReport()
    items = {item.sku: item for item in db.session.scalars(sa.select(CatalogueItem))}
    accepted: dict[str, tuple[int, dict[str, Any], Mapping[str, str]]] = {}
    seen: set[str] = set()
    for row in csvio.readable_rows(rows, report):
        values, problems = parse_item(row.cells)
        if not problems and values["sku"] in seen:
            problems = [Problem("sku", "sku_repeated")]
        seen.add(values["sku"])
        if problems:
            _reject(report, row.line, problems[0], row.cells)
            continue
        accepted[values["sku"]] = (row.line, values, row.cells)

    keys: dict[Key, str] = {(items[sku].id if sku in items else sku): sku for sku in accepted}
    refused = refurbished_link_problems({key: accepted[sku][1] for key, sku in keys.items()}, existing_shapes())
    for key, problem in refused.items():
        line, _values, cells = accepted.pop(keys[key])
        _reject(report, line, problem, cells)
    report.sort()

    factor_set = load_factor_set()
    # Originals first, so that a variant's original exists (and has an id) when the variant is saved.
    ordered = sorted(accepted.values(), key=lambda entry: entry[1]["refurbished_of_sku"] is not None)
    for _line, values, _cells in ordered:
        item = items.get(values["sku"])
        original = items.get(values["refurbished_of_sku"]) if values["refurbished_of_sku"] else None
        if item is not None and not values_differ(item, values, original.id if original else None):
            report.unchanged.append(values["sku"])
            continue
        if item is None:
            item = items[values["sku"]] = CatalogueItem()
            db.session.add(item)
            report.created.append(values["sku"])
        else:
            report.updated.append(values["sku"])
        apply_values(item, values, original)
        refresh_item(item, factor_set)
    db.session.flush()
    if report.created or report.updated:
        report.recomputed = refresh_moved_yardsticks()
    return report
