"""Catalogue items in and out: one set of rules for the admin form and the CSV import, and the CSV export.

Both the form and the CSV give text; `parse_item` turns it into typed values or problems with stable codes
(translated by `problem_message`), so an item is validated the same way whichever way it arrives. Saving goes
through `save_item` / `import_items`, which recompute the footprint and, when the category's label yardstick
(the median of its manufacturer-sheet models) may have moved, the labels of the categories it moved in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, Any

import sqlalchemy as sa

from portal import csvio
from portal.catalogue.footprints import FactorSet, load_factor_set, recompute_yardsticks, refresh_category, refresh_item
from portal.catalogue.models import CatalogueItem, Factor
from portal.catalogue.services import CATALOGUE_CATEGORIES
from portal.i18n import lazy_gettext as _l
from portal.models import db

#: The CSV columns, in order, for the export and the import alike.
ITEM_COLUMNS = (
    "sku", "category", "manufacturer", "name", "refurbished", "refurbished_of_sku", "price_eur",
    "fabrication_kgco2e", "distribution_kgco2e", "end_of_life_kgco2e", "lifetime_years", "annual_kwh",
    "error_ratio", "quality", "source", "source_year", "source_url", "active",
)
QUALITIES = ("manufacturer", "generic", "estimated")
MASS_FIELDS = ("fabrication_kgco2e", "distribution_kgco2e", "end_of_life_kgco2e")
MAX_LIFETIME_YEARS = Decimal(15)
MAX_MASS = Decimal(100_000)  # kgCO₂e or kWh per year: far above any office device (a server is ~750 kg)
MAX_PRICE_EUR = Decimal(1_000_000)
MAX_RATIO = Decimal(10)  # a range may reach far above the value (its low end stops at 0)
MIN_SOURCE_YEAR = 1990
SKU_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")


# ---------------------------------------------------------------------------
# Parsing: text → typed values, or problems with stable codes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field: a stable code, and the limits the message quotes."""

    field: str
    code: str
    params: tuple[tuple[str, Any], ...] = ()


MESSAGES = {
    "required": _l("This field is required."),
    "not_a_number": _l("Enter a number, for example 12.5."),
    "negative": _l("Enter 0 or more."),
    "not_positive": _l("Enter a number greater than 0."),
    "too_large": _l("Enter at most %(max)s."),
    "not_a_year": _l("Enter a year, for example 2023."),
    "year_out_of_range": _l("Enter a year from %(min)s to %(max)s."),
    "too_long": _l("Enter at most %(max)s characters."),
    "not_a_boolean": _l("Write yes or no."),
    "bad_url": _l("Enter an address starting with https:// or http://."),
    "bad_sku": _l("Use letters, digits, dots, dashes and underscores only, starting with a letter or a digit."),
    "sku_taken": _l("Another item already has this SKU."),
    "sku_repeated": _l("This SKU is already on an earlier line of the file."),
    "unknown_category": _l("Choose one of the catalogue categories: %(known)s."),
    "unknown_quality": _l("Choose manufacturer, generic or estimated."),
    "all_masses_zero": _l(
        "At least one of fabrication, distribution and end of life must be greater than 0; "
        "leave all three empty to use the category values."
    ),
    "all_masses_zero_factor": _l("At least one of fabrication, distribution and end of life must be greater than 0."),
    "original_unknown": _l("No catalogue item has this SKU."),
    "original_self": _l("An item cannot be the refurbished version of itself."),
    "original_needs_refurbished": _l("Only a refurbished item can name the new model it comes from."),
    "original_other_category": _l("The new model must be in the same category."),
    "original_refurbished": _l("The original model must be a new item, not a refurbished one."),
    "has_variants": _l(
        "Refurbished items come from this model: it must stay a new item of the same category."
    ),
}


def problem_message(problem: Problem) -> str:
    """The problem in the current language (the CLI forces English)."""
    return str(MESSAGES[problem.code]) % dict(problem.params)


def parse_decimal(text: str) -> Decimal | None:
    """`12.5`, `12,5`, `1 234,5` → Decimal; empty → None; ValueError for anything else."""
    cleaned = text.strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value


@dataclass(frozen=True)
class DecimalRule:
    """How a decimal field is checked and stored (its column's scale)."""

    required: bool
    places: int
    maximum: Decimal
    positive: bool = False  # > 0 rather than ≥ 0

    def parse(self, name: str, text: str, problems: list[Problem]) -> Decimal | None:
        """The value rounded to the column's scale, or None (and a problem if it was required or wrong)."""
        try:
            value = parse_decimal(text)
        except ValueError:
            problems.append(Problem(name, "not_a_number"))
            return None
        if value is None:
            if self.required:
                problems.append(Problem(name, "required"))
            return None
        value = value.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP)
        if value < 0:
            problems.append(Problem(name, "negative"))
        elif self.positive and value == 0:
            problems.append(Problem(name, "not_positive"))
        elif value > self.maximum:
            problems.append(Problem(name, "too_large", (("max", plain(self.maximum)),)))
        else:
            return value
        return None


ITEM_DECIMALS = {
    "price_eur": DecimalRule(required=True, places=2, maximum=MAX_PRICE_EUR),
    "fabrication_kgco2e": DecimalRule(required=False, places=4, maximum=MAX_MASS),
    "distribution_kgco2e": DecimalRule(required=False, places=4, maximum=MAX_MASS),
    "end_of_life_kgco2e": DecimalRule(required=False, places=4, maximum=MAX_MASS),
    "lifetime_years": DecimalRule(required=False, places=2, maximum=MAX_LIFETIME_YEARS, positive=True),
    "annual_kwh": DecimalRule(required=False, places=4, maximum=MAX_MASS),
    "error_ratio": DecimalRule(required=False, places=4, maximum=MAX_RATIO),
}
#: Text columns: (required, maximum length).
ITEM_TEXTS = {"manufacturer": (True, 80), "name": (True, 200), "source": (True, 300), "source_url": (False, 500)}


def parse_text(name: str, text: str, problems: list[Problem], *, required: bool, max_length: int) -> str:
    """Stripped text, checked for presence and length."""
    value = text.strip()
    if required and not value:
        problems.append(Problem(name, "required"))
    elif len(value) > max_length:
        problems.append(Problem(name, "too_long", (("max", max_length),)))
    return value


def parse_year(name: str, text: str, problems: list[Problem], *, today: date | None = None) -> int | None:
    """A plausible source year: from 1990 to this year."""
    value = text.strip()
    this_year = (today or date.today()).year
    if not value:
        problems.append(Problem(name, "required"))
        return None
    if not value.isdigit() or len(value) != 4:
        problems.append(Problem(name, "not_a_year"))
        return None
    if not MIN_SOURCE_YEAR <= int(value) <= this_year:
        problems.append(Problem(name, "year_out_of_range", (("min", MIN_SOURCE_YEAR), ("max", this_year))))
        return None
    return int(value)


def parse_quality(name: str, text: str, problems: list[Problem]) -> str:
    """One of manufacturer, generic, estimated."""
    value = text.strip().lower()
    if value not in QUALITIES:
        problems.append(Problem(name, "required" if not value else "unknown_quality"))
    return value


def _boolean(name: str, text: str, problems: list[Problem], *, default: bool) -> bool:
    try:
        return csvio.parse_yes_no(text, default=default)
    except ValueError:
        problems.append(Problem(name, "not_a_boolean"))
        return default


def parse_item(raw: Mapping[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """An item's values from text (form or CSV row), and every problem found on its own (no database)."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    sku = raw.get("sku", "").strip()
    if not sku:
        problems.append(Problem("sku", "required"))
    elif len(sku) > 80:
        problems.append(Problem("sku", "too_long", (("max", 80),)))
    elif not SKU_PATTERN.match(sku):
        problems.append(Problem("sku", "bad_sku"))
    values["sku"] = sku
    category = raw.get("category", "").strip()
    if category not in CATALOGUE_CATEGORIES:
        problems.append(Problem("category", "required" if not category else "unknown_category",
                                (("known", ", ".join(CATALOGUE_CATEGORIES)),)))
    values["category"] = category
    for name, (required, max_length) in ITEM_TEXTS.items():
        values[name] = parse_text(name, raw.get(name, ""), problems, required=required, max_length=max_length)
    if values["source_url"] and not values["source_url"].lower().startswith(("https://", "http://")):
        problems.append(Problem("source_url", "bad_url"))
    values["source_url"] = values["source_url"] or None
    values["refurbished"] = _boolean("refurbished", raw.get("refurbished", ""), problems, default=False)
    values["active"] = _boolean("active", raw.get("active", ""), problems, default=True)
    values["refurbished_of_sku"] = raw.get("refurbished_of_sku", "").strip() or None
    for name, rule in ITEM_DECIMALS.items():
        values[name] = rule.parse(name, raw.get(name, ""), problems)
    masses = [values[name] for name in MASS_FIELDS if values[name] is not None]
    if masses and not any(masses) and not any(p.field in MASS_FIELDS for p in problems):
        problems.append(Problem("fabrication_kgco2e", "all_masses_zero"))
    values["quality"] = parse_quality("quality", raw.get("quality", ""), problems)
    values["source_year"] = parse_year("source_year", raw.get("source_year", ""), problems)
    return values, problems


# ---------------------------------------------------------------------------
# Rules that need the other items: unique SKU, refurbished variant of a new model of the same category
# ---------------------------------------------------------------------------

Key = int | str  # an existing item's id, or the SKU of an item about to be created


@dataclass(frozen=True)
class _Shape:
    """What the refurbished rule looks at in an item."""

    sku: str
    category: str
    refurbished: bool
    original: Key | None


def _existing_shapes() -> dict[int, _Shape]:
    rows = db.session.execute(sa.select(
        CatalogueItem.id, CatalogueItem.sku, CatalogueItem.category, CatalogueItem.refurbished,
        CatalogueItem.refurbished_of_id,
    ))
    return {row.id: _Shape(row.sku, row.category, row.refurbished, row.refurbished_of_id) for row in rows}


def _link_problems(proposed: dict[Key, dict[str, Any]], existing: dict[int, _Shape]) -> dict[Key, Problem]:
    """The proposed items (key → parsed values) that break the refurbished rule once all are applied.

    A variant that breaks it is refused itself when it is proposed; when only its original is proposed (an
    existing variant would be orphaned by a change of category), the original is refused. Refusing one may
    break another, so this runs until nothing changes. An existing variant that already broke the rule before
    (older data) blames nobody.
    """
    broken_before = {key for key, shape in existing.items()
                     if shape.original is not None and _variant_problem(key, shape, existing) is not None}
    refused: dict[Key, Problem] = {}
    while True:
        shapes: dict[Key, _Shape] = dict(existing)
        for key, values in proposed.items():
            if key not in refused:
                shapes[key] = _Shape(values["sku"], values["category"], values["refurbished"], None)
        by_sku = {shape.sku: key for key, shape in shapes.items()}
        for key, values in proposed.items():
            if key not in refused and values["refurbished_of_sku"]:
                shapes[key] = _Shape(values["sku"], values["category"], values["refurbished"],
                                     by_sku.get(values["refurbished_of_sku"], "?" + values["refurbished_of_sku"]))
        newly: dict[Key, Problem] = {}
        for key, shape in shapes.items():
            if shape.original is None:
                continue
            code = _variant_problem(key, shape, shapes)
            if code is None:
                continue
            if key in proposed:
                newly.setdefault(key, Problem("refurbished_of_sku", code))
            elif shape.original in proposed and key not in broken_before:
                newly.setdefault(shape.original, Problem("category", "has_variants"))
        newly = {k: p for k, p in newly.items() if k not in refused}
        if not newly:
            return refused
        refused.update(newly)


def _variant_problem(key: Key, shape: _Shape, shapes: Mapping[Key, _Shape]) -> str | None:
    original = shapes.get(shape.original)  # type: ignore[arg-type]
    if shape.original == key:
        return "original_self"
    if original is None:
        return "original_unknown"
    if not shape.refurbished:
        return "original_needs_refurbished"
    if original.category != shape.category:
        return "original_other_category"
    if original.refurbished:
        return "original_refurbished"
    return None


def check_item(values: dict[str, Any], *, item: CatalogueItem | None) -> list[Problem]:
    """The rules of one item (new when `item` is None) against the rest of the catalogue."""
    problems = []
    taken = db.session.scalar(sa.select(CatalogueItem.id).where(CatalogueItem.sku == values["sku"]))
    if taken is not None and (item is None or taken != item.id):
        problems.append(Problem("sku", "sku_taken"))
    key: Key = item.id if item is not None and item.id is not None else values["sku"]
    existing = _existing_shapes()
    if values["refurbished_of_sku"] or item is not None:
        refused = _link_problems({key: values}, existing)
        if key in refused:
            problems.append(refused[key])
    return problems


# ---------------------------------------------------------------------------
# Saving
# ---------------------------------------------------------------------------

#: Item columns set from parsed values (refurbished_of is set from its SKU).
STORED_FIELDS = (
    "sku", "category", "manufacturer", "name", "refurbished", "price_eur", *MASS_FIELDS, "lifetime_years",
    "annual_kwh", "error_ratio", "quality", "source", "source_year", "source_url", "active",
)


def _median_member(item: CatalogueItem) -> bool:
    """True if the item counts in its category's label yardstick (see recompute_yardsticks)."""
    return bool(item.active and not item.refurbished and item.source_url is not None)


def refresh_moved_yardsticks() -> int:
    """Recompute each category's label yardstick; re-label the categories whose yardstick moved. Returns how many
    items were recomputed."""
    factors = list(db.session.scalars(sa.select(Factor).where(Factor.kind == "category")))
    before = {factor.key: factor.reference_annualised_kgco2e for factor in factors}
    recompute_yardsticks()
    return sum(refresh_category(f.key) for f in factors if f.reference_annualised_kgco2e != before[f.key])


def _differs(item: CatalogueItem, values: dict[str, Any], original_id: int | None) -> bool:
    return any(getattr(item, name) != values[name] for name in STORED_FIELDS) or item.refurbished_of_id != original_id


def _apply(item: CatalogueItem, values: dict[str, Any], original: CatalogueItem | None) -> None:
    for name in STORED_FIELDS:
        setattr(item, name, values[name])
    item.refurbished_of = original


@dataclass
class SaveResult:
    """What saving an item did."""

    item: CatalogueItem
    changed: bool
    recomputed: int  # items of the category recomputed because its label yardstick moved


def save_item(item: CatalogueItem | None, values: dict[str, Any], *, factor_set: FactorSet | None = None) -> SaveResult:
    """Create (item None) or update an item from values checked by parse_item and check_item; recompute its
    footprint and label, and the labels of its category if the yardstick moved."""
    original = None
    if values["refurbished_of_sku"]:
        original = db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.sku == values["refurbished_of_sku"]))
    if item is not None and not _differs(item, values, original.id if original else None):
        return SaveResult(item, changed=False, recomputed=0)
    was_member = item is not None and _median_member(item)
    if item is None:
        item = CatalogueItem()
        db.session.add(item)
    _apply(item, values, original)
    refresh_item(item, factor_set or load_factor_set())
    db.session.flush()
    recomputed = 0
    if was_member or _median_member(item):
        recomputed = refresh_moved_yardsticks()
    return SaveResult(item, changed=True, recomputed=recomputed)


def set_item_active(item: CatalogueItem, active: bool) -> int:
    """Deactivate (hidden from employees, never deleted: orders and assets keep pointing at it) or reactivate;
    returns how many items were recomputed because the category's yardstick moved."""
    if item.active == active:
        return 0
    was_member = _median_member(item)
    item.active = active
    db.session.flush()
    return refresh_moved_yardsticks() if was_member or _median_member(item) else 0


def search_items_statement(query: str = "", category: str = "") -> sa.Select[tuple[CatalogueItem]]:
    """Items (active or not) whose SKU, name or manufacturer contains every word of the query."""
    statement = sa.select(CatalogueItem).order_by(CatalogueItem.category, CatalogueItem.manufacturer,
                                                   CatalogueItem.name, CatalogueItem.id)
    if category:
        statement = statement.where(CatalogueItem.category == category)
    for word in query.split()[:4]:
        pattern = "%" + word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(sa.or_(
            sa.func.lower(CatalogueItem.sku).like(pattern, escape="\\"),
            sa.func.lower(CatalogueItem.name).like(pattern, escape="\\"),
            sa.func.lower(CatalogueItem.manufacturer).like(pattern, escape="\\"),
        ))
    return statement


# ---------------------------------------------------------------------------
# CSV export and import
# ---------------------------------------------------------------------------

#: The largest catalogue file imported at once (the published library holds about 200 models).
MAX_IMPORT_LINES = 20_000


def plain(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 170.0000 → 170, 0.1230 → 0.123."""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


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
    refused = _link_problems({key: accepted[sku][1] for key, sku in keys.items()}, _existing_shapes())
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
        if item is not None and not _differs(item, values, original.id if original else None):
            report.unchanged.append(values["sku"])
            continue
        if item is None:
            item = items[values["sku"]] = CatalogueItem()
            db.session.add(item)
            report.created.append(values["sku"])
        else:
            report.updated.append(values["sku"])
        _apply(item, values, original)
        refresh_item(item, factor_set)
    db.session.flush()
    if report.created or report.updated:
        report.recomputed = refresh_moved_yardsticks()
    return report
