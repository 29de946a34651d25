"""Budget lines and planned purchases: read, create, change, delete (admins), and who may see which unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import User
from portal.budgets.models import BudgetLine, Nature, PlannedPurchase
from portal.catalogue.models import CatalogueItem
from portal.domain_error import DomainError
from portal.footprint import CATEGORY_KEYS
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
# Parsing (the admin form and the CSV import share these rules)
# ---------------------------------------------------------------------------


def parse_year(text: str) -> int:
    """A fiscal year, 2000-2100."""
    year = _int_or_none(text)
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        raise BudgetError("year", value=text)
    return year


def parse_amount(text: str, *, field: str, maximum: Decimal, optional: bool = False) -> Decimal | None:
    """A non-negative amount written 1234.5, 1 234,5 or 1234,50; empty is None when optional."""
    cleaned = text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".").strip()
    if not cleaned:
        if optional:
            return None
        raise BudgetError("required", field=field)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise BudgetError("not_a_number", field=field, value=text) from None
    if not value.is_finite() or value < 0 or value > maximum:
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
