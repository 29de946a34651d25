"""The catalogue items' main specs: which ones each category shows, the seeded models' values, screen-size
bands for the catalogue filter, and which models are of a comparable class (a "better-labelled model" is
only suggested among those)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources

import sqlalchemy as sa

from portal.catalogue.models import CatalogueItem
from portal.models import db

SPEC_FIELDS = ("screen_inches", "memory_gb", "storage_gb", "processor_class", "weight_kg")
#: The specs shown per category, in display order (peripherals and docks have none).
CATEGORY_SPECS: dict[str, tuple[str, ...]] = {
    "laptop": ("screen_inches", "memory_gb", "storage_gb", "processor_class", "weight_kg"),
    "desktop": ("memory_gb", "storage_gb", "processor_class", "weight_kg"),
    "thin_client": ("memory_gb", "storage_gb", "processor_class", "weight_kg"),
    "monitor": ("screen_inches", "weight_kg"),
    "smartphone": ("screen_inches", "storage_gb"),
    "tablet": ("screen_inches", "storage_gb", "weight_kg"),
    "printer": ("weight_kg",),
}
PROCESSOR_CLASSES = ("entry", "mainstream", "performance", "workstation")


@dataclass(frozen=True)
class ScreenBand:
    """A screen-size choice of the catalogue filter: a category and a range of diagonals (inches)."""

    key: str
    category: str
    low: Decimal | None  # inclusive
    high: Decimal | None  # exclusive


SCREEN_BANDS = (
    ScreenBand("laptop-13", "laptop", None, Decimal(14)),
    ScreenBand("laptop-14", "laptop", Decimal(14), Decimal(15)),
    ScreenBand("laptop-15", "laptop", Decimal(15), None),
    ScreenBand("monitor-22", "monitor", None, Decimal(23)),
    ScreenBand("monitor-24", "monitor", Decimal(23), Decimal(26)),
    ScreenBand("monitor-27", "monitor", Decimal(26), Decimal(30)),
    ScreenBand("monitor-32", "monitor", Decimal(30), None),
)
SCREEN_BANDS_BY_KEY = {band.key: band for band in SCREEN_BANDS}


def screen_condition(band: ScreenBand) -> sa.ColumnElement[bool]:
    """Items of the band's category whose screen is within the band."""
    conditions = [CatalogueItem.category == band.category, CatalogueItem.screen_inches.is_not(None)]
    if band.low is not None:
        conditions.append(CatalogueItem.screen_inches >= band.low)
    if band.high is not None:
        conditions.append(CatalogueItem.screen_inches < band.high)
    return sa.and_(*conditions)


def is_demo(item: CatalogueItem, name: str) -> bool:
    """True if this spec of the item is a demo value rather than the manufacturer's."""
    return name in item.spec_demo_fields.split()


#: How far two screens may differ to be of a comparable class (inches), per category.
SCREEN_TOLERANCE = {
    "laptop": Decimal("1.1"),
    "monitor": Decimal("1.1"),
    "smartphone": Decimal("0.5"),
    "tablet": Decimal("1.0"),
}


def comparable(item: CatalogueItem, other: CatalogueItem) -> bool:
    """True if `other` could do the job of `item`: same category, a screen of about the same size, the same
    processor class, at least as much storage (phones and tablets). A model lacking a spec the category
    compares on is not comparable."""
    if other.category != item.category:
        return False
    wanted = CATEGORY_SPECS.get(item.category, ())
    tolerance = SCREEN_TOLERANCE.get(item.category)
    if "screen_inches" in wanted and tolerance is not None:
        if item.screen_inches is None or other.screen_inches is None:
            return False
        if abs(item.screen_inches - other.screen_inches) > tolerance:
            return False
    if "processor_class" in wanted and (not item.processor_class or other.processor_class != item.processor_class):
        return False
    less_storage = (other.storage_gb or 0) < (item.storage_gb or 0)
    return not (item.category in ("smartphone", "tablet") and less_storage)


def _spec_rows() -> dict[str, dict[str, str]]:
    specs = resources.files("portal.catalogue").joinpath("data/specs.csv")
    with specs.open(encoding="utf-8") as handle:
        return {row["sku"]: row for row in csv.DictReader(handle)}


def _apply(item: CatalogueItem, row: dict[str, str]) -> None:
    item.screen_inches = Decimal(row["screen_inches"]) if row["screen_inches"] else None
    item.memory_gb = int(row["memory_gb"]) if row["memory_gb"] else None
    item.storage_gb = int(row["storage_gb"]) if row["storage_gb"] else None
    item.processor_class = row["processor_class"]
    item.weight_kg = Decimal(row["weight_kg"]) if row["weight_kg"] else None
    item.spec_demo_fields = row["demo_fields"]


def seed_specs() -> int:
    """Give the seeded models (and their refurbished variants) their specs from the packaged file, where an item
    has none yet (an item's specs are never overwritten). Returns how many items got specs."""
    rows = _spec_rows()
    filled = 0
    for item in db.session.scalars(sa.select(CatalogueItem)):
        row = rows.get(item.sku.removesuffix("-refurbished"))
        has_specs = any(getattr(item, name) not in (None, "") for name in SPEC_FIELDS)
        if row is not None and not has_specs:
            _apply(item, row)
            filled += 1
    db.session.flush()
    return filled
