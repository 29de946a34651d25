"""Budget lines and planned purchases: read, create, change, delete (admins), and who may see which unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import User
from portal.budgets.models import BudgetLine, Nature, PlannedPurchase
from portal.catalogue.footprints import FactorSet
from portal.catalogue.models import CatalogueItem, Factor
from portal.catalogue.services import store_published_factor
from portal.domain_error import DomainError
from portal.footprint import CATEGORY_KEYS, MONETARY_IT_PRODUCTS, Figure, Quality, Source
from portal.formatting import parse_decimal
from portal.models import db
from portal.org.models import OrgUnit
from portal.org.services import unit_and_descendant_ids
from portal.timezone import PARIS

NATURES = tuple(nature.value for nature in Nature)
#: Years a budget may be planned for (a typing mistake such as 20277 is refused).
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_AMOUNT_EUR = Decimal("9999999999.99")
MAX_CARBON_KG = Decimal("99999999.9999")
MAX_QUANTITY = 100_000


class BudgetError(DomainError):
    """A budget value or action refused; the words are `display.BUDGET_ERRORS`."""

    domain = "budgets"
    table = "BUDGET_ERRORS"


def current_year() -> int:
    """This calendar year in Europe/Paris (budgets are calendar years)."""
    return datetime.now(PARIS).year


@dataclass(frozen=True)
class BudgetFilters:
    """The year (and optional unit) a budget page shows, read from the query string; odd values give the
    defaults."""

    year: int
    unit_id: int | None = None
    sort: str = "unit"

    SORTS = ("unit", "intensity", "used")

    @classmethod
    def from_args(cls, args: Any, *, default_year: int) -> BudgetFilters:
        """Read the filters; a bookmark never breaks."""
        year = _int_or_none(args.get("year"))
        unit = _int_or_none(args.get("unit"))
        sort = args.get("sort", "unit")
        return cls(
            year=year if year is not None and FIRST_YEAR <= year <= LAST_YEAR else default_year,
            unit_id=unit,
            sort=sort if sort in cls.SORTS else "unit",
        )


def _int_or_none(raw: Any) -> int | None:
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------
# The yardstick of carbon intensity: a versioned factor of the library
# ---------------------------------------------------------------------------

#: The factor library's key of the monetary ratio of IT products. It is stored in kgCO₂e per euro (0.5 for
#: 500 kg/k€), the unit the factor form's value field takes; the pages show it per k€.
MONETARY_KEY = "monetary_it_products"
MONETARY_UNIT = "kgCO2e/EUR"
THOUSAND = Decimal(1000)
#: Why the published value is an estimate (the factor's note, shown on the budget pages and in the library).
MONETARY_NOTE = (
    "Estimate: the Base Empreinte row of the monetary ratio for computer, electronic and optical products "
    "(NACE C26) is not in the project's reference data, so 500 kg CO2e per k€ excluding VAT is the order of "
    "magnitude of the published ratios for IT purchases (spread 300-920 kg/k€). Replace it with the current "
    "Base Empreinte row, its year and quality 'generic', when you have it."
)


def published_monetary_factor() -> Factor:
    """The monetary ratio as published in the footprint core, as a scalar factor of the library (not stored)."""
    figure = MONETARY_IT_PRODUCTS
    source = figure.sources[0]
    return Factor(
        key=MONETARY_KEY,
        kind="scalar",
        value=figure.value / THOUSAND,
        unit=MONETARY_UNIT,
        low_ratio=Decimal("0.4"),  # 300 to 700 kg/k€ around 500: the low end of the published spread
        quality=figure.quality.value,
        source=source.label.replace(": ", "\u202f: ")[:300],  # a French label: narrow space before the colon
        source_year=source.year,
        note=MONETARY_NOTE,
        version=1,
        reference_source="",
    )


def seed_monetary_factor() -> bool:
    """Store the monetary ratio in the factor library with its first version (a stored one is kept)."""
    if db.session.scalar(sa.select(Factor.id).where(Factor.key == MONETARY_KEY)) is not None:
        return False
    store_published_factor(published_monetary_factor())
    db.session.flush()
    return True


@dataclass(frozen=True)
class MonetaryReference:
    """The yardstick a budget's intensity is graded against, in kg CO₂e per k€, with its provenance."""

    figure: Figure
    version: int  # of the stored factor; 0 while only the published value exists
    note: str

    @property
    def value(self) -> Decimal:
        return self.figure.value

    @property
    def source(self) -> Source:
        return self.figure.sources[0]

    @property
    def quality(self) -> Quality:
        return self.figure.quality


def monetary_reference(factor_set: FactorSet) -> MonetaryReference:
    """The stored (possibly edited) monetary ratio in kg/k€, or the published one while none is stored."""
    factor = factor_set.factors.get(MONETARY_KEY) or published_monetary_factor()
    value = (factor.value or Decimal(0)) * THOUSAND
    ratio = factor.low_ratio or Decimal(0)
    try:
        quality = Quality(factor.quality)
    except ValueError:
        quality = Quality.ESTIMATED
    figure = Figure(
        value,
        max(value * (1 - ratio), Decimal(0)),
        value * (1 + ratio),
        quality,
        (Source(factor.source, factor.source_year),),
    )
    return MonetaryReference(figure, factor.version if factor.id is not None else 0, factor.note)


# ---------------------------------------------------------------------------
# Parsing (the admin form and the CSV import share these rules)
# ---------------------------------------------------------------------------


def parse_year(text: str) -> int:
    """A fiscal year, 2000-2100."""
    year = _int_or_none(text)
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        raise BudgetError("year", value=text)
    return year


def parse_amount(
    text: str, *, field: str, maximum: Decimal, optional: bool = False, locale: str | None = None
) -> Decimal | None:
    """A non-negative amount written 1234.5, 1 234,5 or 1234,50 (1,234.5 by an English reader: `locale`, see
    `parse_decimal`); empty is None when optional."""
    try:
        value = parse_decimal(text, locale=locale)
    except ValueError:
        raise BudgetError("not_a_number", field=field, value=text) from None
    if value is None:
        if optional:
            return None
        raise BudgetError("required", field=field)
    if value < 0 or value > maximum:
        raise BudgetError("out_of_range", field=field, value=text)
    return value


def parse_nature(text: str) -> str:
    """investment or operating (French words accepted: investissement, fonctionnement)."""
    word = text.strip().lower()
    word = {"investissement": "investment", "fonctionnement": "operating"}.get(word, word)
    if word not in NATURES:
        raise BudgetError("nature", value=text)
    return word


def parse_label(text: str) -> str:
    """A line's or a purchase's label, 1-200 characters."""
    label = " ".join(text.split())
    if not label:
        raise BudgetError("required", field="label")
    if len(label) > 200:
        raise BudgetError("label_too_long", value=label[:60])
    return label


def unit_by_code(code: str) -> OrgUnit:
    """The org unit with this code."""
    unit = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == code.strip()))
    if unit is None:
        raise BudgetError("unit", value=code)
    return unit


# ---------------------------------------------------------------------------
# Lines
# ---------------------------------------------------------------------------


def lines_statement(year: int, unit_ids: list[int] | None = None) -> sa.Select[BudgetLine]:
    """The lines of a year (of some units), with their unit and planned purchases, by unit then label."""
    statement = (
        sa.select(BudgetLine)
        .join(BudgetLine.org_unit)
        .where(BudgetLine.fiscal_year == year)
        .options(
            joinedload(BudgetLine.org_unit),
            selectinload(BudgetLine.purchases).joinedload(PlannedPurchase.item),
        )
        .order_by(OrgUnit.name, BudgetLine.nature, BudgetLine.label, BudgetLine.id)
    )
    if unit_ids is not None:
        statement = statement.where(BudgetLine.org_unit_id.in_(unit_ids))
    return statement


def save_line(
    line: BudgetLine | None,
    *,
    year: int,
    unit: OrgUnit,
    nature: str,
    label: str,
    amount_eur: Decimal,
    carbon_budget_kgco2e: Decimal | None,
) -> BudgetLine:
    """Create a line (`line` None) or change it; a second line with the same year, unit, nature and label is
    refused."""
    clash = db.session.scalar(
        sa.select(BudgetLine.id).where(
            BudgetLine.fiscal_year == year,
            BudgetLine.org_unit_id == unit.id,
            BudgetLine.nature == nature,
            BudgetLine.label == label,
        )
    )
    if clash is not None and (line is None or clash != line.id):
        raise BudgetError("duplicate", label=label)
    if line is None:
        line = BudgetLine()
        db.session.add(line)
    line.fiscal_year = year
    line.org_unit = unit
    line.nature = nature
    line.label = label
    line.amount_eur = amount_eur
    line.carbon_budget_kgco2e = carbon_budget_kgco2e
    db.session.flush()
    return line


def delete_line(line: BudgetLine) -> None:
    """Delete a line and its planned purchases."""
    db.session.delete(line)
    db.session.flush()


def add_purchase(
    line: BudgetLine,
    *,
    label: str,
    item: CatalogueItem | None,
    category: str,
    quantity: int,
    unit_price_eur: Decimal | None,
) -> PlannedPurchase:
    """Plan devices in a line: a catalogue item (its category and, by default, its price) or a category."""
    if item is not None:
        category = item.category
    if category not in CATEGORY_KEYS:
        raise BudgetError("category", value=category)
    if not 1 <= quantity <= MAX_QUANTITY:
        raise BudgetError("quantity", value=str(quantity))
    if unit_price_eur is None:
        if item is None:
            raise BudgetError("required", field="unit_price_eur")
        unit_price_eur = item.price_eur
    purchase = PlannedPurchase(
        line=line, label=label, item=item, category=category, quantity=quantity, unit_price_eur=unit_price_eur
    )
    db.session.add(purchase)
    db.session.flush()
    return purchase


def delete_purchase(purchase: PlannedPurchase) -> None:
    """Remove a planned purchase from its line."""
    db.session.delete(purchase)
    db.session.flush()


# ---------------------------------------------------------------------------
# Who sees what
# ---------------------------------------------------------------------------


def visible_unit_ids(user: User) -> list[int] | None:
    """The units whose budgets this user may read: every one for an admin (None), a manager's unit and its
    sub-units, nothing for others."""
    if user.has_role("admin"):
        return None
    if not user.has_role("manager") or user.org_unit_id is None:
        return []
    return unit_and_descendant_ids(user.org_unit_id)


def visible_unit(unit_id: int, user: User) -> OrgUnit | None:
    """The unit if this user may read its budget, else None (the route answers 404)."""
    visible = visible_unit_ids(user)
    if visible is not None and unit_id not in visible:
        return None
    return db.session.get(OrgUnit, unit_id)
