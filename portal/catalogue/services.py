"""Catalogue services: the factor library (versioned), seeding the catalogue, searching and comparing."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import Session

from portal import reference_cache
from portal.accounts.models import User
from portal.catalogue import display
from portal.catalogue.footprints import (
    difference_to_reference,
    item_footprint,
    load_factor_set,
    published_factors,
    recompute_yardsticks,
    refresh_category,
)
from portal.catalogue.models import CatalogueItem, Factor, FactorVersion
from portal.catalogue.specs import SCREEN_BANDS_BY_KEY, comparable, screen_condition, seed_specs
from portal.footprint import CATEGORIES, Figure, Quality, inputs_from_sheet, keep_one_more_year_saving, sheet_from_row
from portal.formatting import parse_decimal
from portal.models import db
from portal.pagination import Page, active_filter_count, paginate

#: Categories offered in the catalogue, in display order (servers and boxes are not ordered by employees).
CATALOGUE_CATEGORIES = (
    "laptop",
    "desktop",
    "thin_client",
    "monitor",
    "smartphone",
    "tablet",
    "printer",
    "dock",
    "headset",
    "keyboard",
    "mouse",
)
#: Fields of a category factor that admins may edit (and that versions record).
FACTOR_FIELDS = (
    "fabrication_kgco2e",
    "distribution_kgco2e",
    "end_of_life_kgco2e",
    "lifetime_years",
    "annual_kwh",
    "value",
    "low_ratio",
    "quality",
    "source",
    "source_year",
    "note",
)
LABELS = ("A", "B", "C", "D", "E")
SORTS = {
    "annualised": (CatalogueItem.annualised_kgco2e, CatalogueItem.price_eur),
    "embodied": (CatalogueItem.embodied_kgco2e, CatalogueItem.annualised_kgco2e),
    "price": (CatalogueItem.price_eur, CatalogueItem.annualised_kgco2e),
}


# ---------------------------------------------------------------------------
# Factor library
# ---------------------------------------------------------------------------


def _version_text(value: object) -> str | None:
    # Decimals without trailing zeros: a value read back from the database (170.0000) is the one stored (170).
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _version_values(factor: Factor) -> dict[str, str | None]:
    return {name: _version_text(getattr(factor, name)) for name in FACTOR_FIELDS}


def _record_version(factor: Factor, *, by: User | None, comment: str = "") -> FactorVersion:
    version = FactorVersion(
        factor=factor, version=factor.version, values=_version_values(factor), changed_by=by, comment=comment
    )
    db.session.add(version)
    return version


def store_published_factor(factor: Factor) -> None:
    """Add a published factor to the library, with its first version (other domains' factors too)."""
    db.session.add(factor)
    _record_version(factor, by=None, comment="published value")


def seed_factors() -> int:
    """Store the published factor library (idempotent: stored factors are never overwritten)."""
    existing = set(db.session.scalars(sa.select(Factor.key)))
    created = 0
    for key, factor in published_factors().items():
        if key in existing:
            continue
        store_published_factor(factor)
        created += 1
    db.session.flush()
    return created


@dataclass
class FactorChange:
    """One field changed in a factor version."""

    field: str
    old: str | None
    new: str | None


def update_factor(factor: Factor, changes: dict[str, Any], *, by: User, comment: str = "") -> list[FactorChange]:
    """Apply an admin's edit as a new version; items of the category are recomputed. Returns what changed."""
    before = _version_values(factor)
    for name, value in changes.items():
        if name not in FACTOR_FIELDS:
            raise ValueError(f"not an editable factor field: {name}")
        setattr(factor, name, value)
    after = _version_values(factor)
    diff = [FactorChange(name, before[name], after[name]) for name in FACTOR_FIELDS if before[name] != after[name]]
    if not diff:
        return []
    factor.version += 1
    _record_version(factor, by=by, comment=comment)
    db.session.flush()
    refresh_category(None if factor.kind == "scalar" else factor.key)
    return diff


def version_changes(versions: list[FactorVersion]) -> list[tuple[FactorVersion, list[FactorChange]]]:
    """Each version with what it changed from the previous one (versions newest first)."""
    result = []
    for index, version in enumerate(versions):
        previous = versions[index + 1].values if index + 1 < len(versions) else {}
        changes = [
            FactorChange(name, previous.get(name), version.values.get(name))
            for name in FACTOR_FIELDS
            if previous and previous.get(name) != version.values.get(name)
        ]
        result.append((version, changes))
    return result


# ---------------------------------------------------------------------------
# Seeding the catalogue from the manufacturer sheets
# ---------------------------------------------------------------------------

#: Refurbished variants offered, by category: every n-th new model has one (demo assortment).
REFURBISHED_EVERY = {"laptop": 2, "desktop": 3, "smartphone": 2, "tablet": 2, "monitor": 4}
REFURBISHED_PRICE_SHARE = Decimal("0.55")
#: Peripherals and docks have no manufacturer sheet here: category values, marked estimated where they are.
PERIPHERALS = (
    ("dock-usb-c-universal", "dock", "Generic", "USB-C universal dock", Decimal("180")),
    ("dock-thunderbolt-4", "dock", "Generic", "Thunderbolt 4 dock", Decimal("260")),
    ("headset-usb-wired", "headset", "Generic", "Wired USB headset", Decimal("45")),
    ("headset-bluetooth-anc", "headset", "Generic", "Bluetooth headset with noise cancelling", Decimal("140")),
    ("keyboard-wired", "keyboard", "Generic", "Wired keyboard", Decimal("25")),
    ("keyboard-wireless", "keyboard", "Generic", "Wireless keyboard", Decimal("55")),
    ("mouse-wired", "mouse", "Generic", "Wired mouse", Decimal("12")),
    ("mouse-wireless", "mouse", "Generic", "Wireless mouse", Decimal("30")),
)


def _sheet_row(row: dict[str, str]) -> dict[str, str]:
    """products.csv columns under the names of the manufacturer-sheet dataset."""
    return {
        "manufacturer": row["manufacturer"],
        "name": row["name"],
        "gwp_total": row["gwp_total_kgco2e"],
        "gwp_use_ratio": row["gwp_use_ratio"],
        "gwp_manufacturing_ratio": row["gwp_manufacturing_ratio"],
        "gwp_transport_ratio": row["gwp_transport_ratio"],
        "gwp_eol_ratio": row["gwp_eol_ratio"],
        "gwp_error_ratio": row["gwp_error_ratio"],
        "yearly_tec": row["yearly_kwh"],
        "lifetime": row["lifetime_years"],
        "report_date": row["report_date"],
        "sources": row["source_url"],
    }


def _stored_kg(phase: Figure | None, sku: str) -> Decimal:
    """A life-cycle phase's central value as stored (4 decimals): a derived sheet splits every footprint."""
    if phase is None:
        raise ValueError(f"{sku}: the sheet does not split its embodied footprint")
    return phase.value.quantize(Decimal("0.0001"))


def item_from_product_row(row: dict[str, str]) -> CatalogueItem:
    """A catalogue item from a row of the derived manufacturer-sheet file (inputs for France)."""
    sheet = sheet_from_row(_sheet_row(row), category=row["category"])
    inputs = inputs_from_sheet(sheet)
    given = [f for f in (inputs.fabrication, inputs.lifetime_years, inputs.annual_kwh) if f is not None]
    quality = Quality.worst(*(f.quality for f in given))
    source = sheet.source
    return CatalogueItem(
        sku=row["sku"],
        category=row["category"],
        manufacturer=row["manufacturer"],
        name=row["name"],
        price_eur=Decimal(row["price_eur"]),
        fabrication_kgco2e=_stored_kg(inputs.fabrication, row["sku"]),
        distribution_kgco2e=_stored_kg(inputs.distribution, row["sku"]),
        end_of_life_kgco2e=_stored_kg(inputs.end_of_life, row["sku"]),
        lifetime_years=sheet.lifetime,
        annual_kwh=sheet.yearly_tec,
        error_ratio=sheet.gwp_error_ratio,
        quality=quality.value,
        source=source.label[:300],
        source_year=source.year,
        source_url=source.url,
    )


def seed_catalogue() -> int:
    """Load the packaged manufacturer models, refurbished variants and peripherals (idempotent)."""
    seed_factors()
    known = set(db.session.scalars(sa.select(CatalogueItem.sku)))
    created: list[CatalogueItem] = []
    products = resources.files("portal.catalogue").joinpath("data/products.csv")
    seen_per_category: dict[str, int] = {}
    with products.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            item = None
            if row["sku"] not in known:
                item = item_from_product_row(row)
                db.session.add(item)
                created.append(item)
            n = seen_per_category[row["category"]] = seen_per_category.get(row["category"], 0) + 1
            every = REFURBISHED_EVERY.get(row["category"])
            refurbished_sku = f"{row['sku']}-refurbished"
            if item is not None and every and n % every == 1 and refurbished_sku not in known:
                variant = item_from_product_row(row)
                variant.sku = refurbished_sku
                variant.refurbished = True
                variant.refurbished_of = item
                variant.price_eur = (item.price_eur * REFURBISHED_PRICE_SHARE).quantize(Decimal("10"))
                db.session.add(variant)
                created.append(variant)
    for sku, category, manufacturer, name, price in PERIPHERALS:
        if sku not in known:
            ref = CATEGORIES[category]
            source = ref.embodied.sources[0]
            item = CatalogueItem(
                sku=sku,
                category=category,
                manufacturer=manufacturer,
                name=name,
                price_eur=price,
                quality=Quality.ESTIMATED.value,
                source=source.label[:300],
                source_year=source.year,
            )
            db.session.add(item)
            created.append(item)
    db.session.flush()
    if created:
        refresh_category()
        recompute_yardsticks()
        refresh_category()
    seed_specs()
    return len(created)


# ---------------------------------------------------------------------------
# Browsing
# ---------------------------------------------------------------------------


#: The category the catalogue opens on when none is asked for (its list is shown with every category's count).
DEFAULT_CATEGORY = "laptop"


@dataclass
class CatalogueFilters:
    """What the employee asked the catalogue for (already validated)."""

    category: str = ""
    labels: list[str] = field(default_factory=list)
    refurbished: str = ""  # "" any, "yes", "no"
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    sort: str = "annualised"
    screen: str = ""  # a key of specs.SCREEN_BANDS (its category replaces the category asked)

    def key(self) -> tuple[object, ...]:
        """The filters as a hashable value (a cache key)."""
        return (
            self.category,
            tuple(self.labels),
            self.refurbished,
            self.price_min,
            self.price_max,
            self.sort,
            self.screen,
        )

    def active_count(self) -> int:
        """How many filters the employee set ("Filter (2)"): the category the list opens on is not one."""
        return active_filter_count(self) - (1 if self.category == DEFAULT_CATEGORY else 0)

    @classmethod
    def from_args(cls, args: Any, locale: str | None = None) -> CatalogueFilters:
        """Read filters from a query string, ignoring what is not valid (a bookmark never breaks). Without a
        `category` argument the list opens on DEFAULT_CATEGORY; `category=` (empty) asks for every category.
        Prices are read as the reader writes numbers in `locale` (see `parse_decimal`)."""

        def money(name: str) -> Decimal | None:
            try:
                value = parse_decimal(args.get(name) or "", locale=locale)
            except ValueError:
                return None
            return value if value is not None and 0 <= value < 1_000_000 else None

        category = args.get("category", DEFAULT_CATEGORY)
        refurbished = args.get("refurbished", "")
        sort = args.get("sort", "annualised")
        screen = SCREEN_BANDS_BY_KEY.get(args.get("screen", ""))
        return cls(
            category=screen.category if screen else category if category in CATALOGUE_CATEGORIES else "",
            labels=[label for label in args.getlist("label") if label in LABELS],
            refurbished=refurbished if refurbished in {"yes", "no"} else "",
            price_min=money("price_min"),
            price_max=money("price_max"),
            sort=sort if sort in SORTS else "annualised",
            screen=screen.key if screen else "",
        )

    def query_args(self) -> dict[str, Any]:
        """The same filters as URL parameters (for pagination links)."""
        args: dict[str, Any] = {
            "category": self.category,
            "label": self.labels or None,
            "refurbished": self.refurbished or None,
            "screen": self.screen or None,
            "sort": self.sort,
        }
        if self.price_min is not None:
            args["price_min"] = self.price_min
        if self.price_max is not None:
            args["price_max"] = self.price_max
        return args


def catalogue_statement(filters: CatalogueFilters) -> sa.Select[CatalogueItem]:
    """Active items matching the filters, in the requested order."""
    statement = sa.select(CatalogueItem).where(CatalogueItem.active.is_(True))
    if filters.category:
        statement = statement.where(CatalogueItem.category == filters.category)
    if filters.labels:
        statement = statement.where(CatalogueItem.label.in_(filters.labels))
    if filters.refurbished:
        statement = statement.where(CatalogueItem.refurbished.is_(filters.refurbished == "yes"))
    if filters.price_min is not None:
        statement = statement.where(CatalogueItem.price_eur >= filters.price_min)
    if filters.price_max is not None:
        statement = statement.where(CatalogueItem.price_eur <= filters.price_max)
    if filters.screen:
        statement = statement.where(screen_condition(SCREEN_BANDS_BY_KEY[filters.screen]))
    return statement.order_by(*SORTS[filters.sort], CatalogueItem.id)


def category_counts() -> dict[str, int]:
    """How many active items each catalogue category offers (categories without any are left out); kept by the
    portal's cache until the catalogue changes."""
    return reference_cache.cached("catalogue.category_counts", None, _category_counts)


def _category_counts() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(CatalogueItem.category, sa.func.count(CatalogueItem.id))
        .where(CatalogueItem.active.is_(True))
        .group_by(CatalogueItem.category)
    )
    counts = {category: count for category, count in rows}
    return {key: counts[key] for key in CATALOGUE_CATEGORIES if counts.get(key)}


def result_page(filters: CatalogueFilters, *, number: int, size: int, language: str) -> Page[Markup]:
    """One page of the catalogue's results, each entry rendered in `language` (the request's); the same for every
    employee, so kept by the portal's cache until the catalogue or the factors change."""

    def load() -> Page[Markup]:
        page = paginate(catalogue_statement(filters), number=number, size=size)
        factor_set = load_factor_set()
        entries = [
            display.result_entry(item, difference_to_reference(item.annualised_kgco2e, item.category, factor_set))
            for item in page.items
        ]
        return Page(entries, page.number, page.size, page.total)

    return reference_cache.cached("catalogue.results", (filters.key(), number, size, language), load)


@dataclass(frozen=True)
class ItemPage:
    """An item's page as every employee sees it: its title and its rendered body."""

    title: str
    body: Markup


def item_page(item_id: int, *, include_inactive: bool, language: str) -> ItemPage | None:
    """An item's footprint broken down, with its range, sources and lower-impact alternatives, rendered in
    `language`; kept by the portal's cache until the catalogue or the factors change. None: no such item."""

    def load() -> ItemPage | None:
        item = get_item(item_id, include_inactive=include_inactive)
        if item is None:
            return None
        factor_set = load_factor_set()
        footprint = item_footprint(item, factor_set)
        body = display.item_body(
            item=item,
            footprint=footprint,
            difference_value=difference_to_reference(item.annualised_kgco2e, item.category, factor_set),
            yardstick=factor_set.yardstick(item.category),
            yardstick_code=factor_set.factors[item.category].reference_source,
            alternatives=lower_impact_alternatives(item),
            keep_saving=keep_one_more_year_saving(footprint),
        )
        return ItemPage(display.item_title(item), body)

    return reference_cache.cached("catalogue.item", (item_id, include_inactive, language), load)


def get_item(item_id: int, *, include_inactive: bool = False, session: Session | None = None) -> CatalogueItem | None:
    """An item by id (inactive items are hidden from employees)."""
    item = (session or db.session).get(CatalogueItem, item_id)
    if item is None or (not item.active and not include_inactive):
        return None
    return item


def lower_impact_alternatives(
    item: CatalogueItem, *, limit: int = 3, session: Session | None = None
) -> list[CatalogueItem]:
    """Items of the same category with a lower annualised footprint, refurbished variant of this one first."""
    statement = (
        sa.select(CatalogueItem)
        .where(
            CatalogueItem.category == item.category,
            CatalogueItem.active.is_(True),
            CatalogueItem.id != item.id,
            CatalogueItem.annualised_kgco2e < item.annualised_kgco2e,
        )
        # A CASE, not `(refurbished_of_id == id).desc()`: that comparison is NULL for most rows, and PostgreSQL
        # sorts NULLs first in descending order.
        .order_by(sa.case((CatalogueItem.refurbished_of_id == item.id, 0), else_=1), CatalogueItem.annualised_kgco2e)
        .limit(limit)
    )
    return list((session or db.session).scalars(statement))


def refurbished_variant(item: CatalogueItem) -> CatalogueItem | None:
    """The refurbished version of this model, if the catalogue has one."""
    return db.session.scalar(
        sa.select(CatalogueItem).where(CatalogueItem.refurbished_of_id == item.id, CatalogueItem.active.is_(True))
    )


def best_in_category(item: CatalogueItem) -> CatalogueItem | None:
    """The new model of a comparable class (specs.comparable: about the same screen, the same processor class…)
    with the lowest footprint, if lower than this one's. A category has at most a few dozen models."""
    lower = db.session.scalars(
        sa.select(CatalogueItem)
        .where(
            CatalogueItem.category == item.category,
            CatalogueItem.active.is_(True),
            CatalogueItem.refurbished.is_(False),
            CatalogueItem.id != item.id,
            CatalogueItem.annualised_kgco2e < item.annualised_kgco2e,
        )
        .order_by(CatalogueItem.annualised_kgco2e, CatalogueItem.price_eur, CatalogueItem.id)
    )
    return next((other for other in lower if comparable(item, other)), None)


def items_by_ids(ids: Iterable[int]) -> list[CatalogueItem]:
    """Active items in the order asked (unknown ids dropped)."""
    wanted = list(dict.fromkeys(ids))
    found = {
        i.id: i
        for i in db.session.scalars(
            sa.select(CatalogueItem).where(CatalogueItem.id.in_(wanted), CatalogueItem.active.is_(True))
        )
    }
    return [found[i] for i in wanted if i in found]
