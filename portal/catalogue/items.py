"""Catalogue items as a whole: the rules that need the other items (a unique SKU, a refurbished variant of a
new model of the same category), saving with the footprint and labels recomputed, activation, search.

Saving recomputes the item's footprint and, when the category's label yardstick (the median of its
manufacturer-sheet models) may have moved, the labels of the categories it moved in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from portal.catalogue.footprints import FactorSet, load_factor_set, recompute_yardsticks, refresh_category, refresh_item
from portal.catalogue.item_values import MASS_FIELDS, Problem
from portal.catalogue.models import CatalogueItem, Factor
from portal.models import db

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


def existing_shapes() -> dict[Key, _Shape]:
    rows = db.session.execute(sa.select(
        CatalogueItem.id, CatalogueItem.sku, CatalogueItem.category, CatalogueItem.refurbished,
        CatalogueItem.refurbished_of_id,
    ))
    return {row.id: _Shape(row.sku, row.category, row.refurbished, row.refurbished_of_id) for row in rows}


def refurbished_link_problems(
    proposed: dict[Key, dict[str, Any]], existing: Mapping[Key, _Shape]
) -> dict[Key, Problem]:
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
    original = None if shape.original is None else shapes.get(shape.original)
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
    existing = existing_shapes()
    if values["refurbished_of_sku"] or item is not None:
        refused = refurbished_link_problems({key: values}, existing)
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


def values_differ(item: CatalogueItem, values: dict[str, Any], original_id: int | None) -> bool:
    return any(getattr(item, name) != values[name] for name in STORED_FIELDS) or item.refurbished_of_id != original_id


def apply_values(item: CatalogueItem, values: dict[str, Any], original: CatalogueItem | None) -> None:
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
    if item is not None and not values_differ(item, values, original.id if original else None):
        return SaveResult(item, changed=False, recomputed=0)
    was_member = item is not None and _median_member(item)
    if item is None:
        item = CatalogueItem()
        db.session.add(item)
    apply_values(item, values, original)
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


def search_items_statement(query: str = "", category: str = "") -> sa.Select[CatalogueItem]:
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
