"""A budget's figures: planned purchases forecast by the footprint core, actuals read from the orders, and
the two readings of every line, unit and the whole budget (intensity grade, carbon budget used).

Actuals: an equipment order is investment spending. Approved (not delivered) it is committed, delivered it
is spent; it counts in the year it was approved (Europe/Paris) with its frozen price and footprint, for the
requester's unit. It is attributed to the first investment line of that unit for that year or, when the unit
has none, of its nearest parent unit that has one; an order no line takes is shown as unbudgeted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from markupsafe import Markup

from portal import reference_cache
from portal.accounts.models import User
from portal.budgets.models import BudgetLine, Nature, PlannedPurchase
from portal.budgets.services import current_year, lines_statement, monetary_reference
from portal.catalogue.footprints import FactorSet, item_footprint, item_inputs, load_factor_set
from portal.catalogue.models import Asset, AssetStatus, CatalogueItem, Order, OrderStatus
from portal.footprint import (
    MONETARY_IT_PRODUCTS,
    BudgetUse,
    EcoLabel,
    EquipmentInputs,
    Footprint,
    PurchaseForecast,
    Quality,
    UnitFigures,
    budget_use,
    budget_used_share,
    calculate,
    carbon_intensity,
    intensity_grade,
    sober_variants,
)
from portal.footprint.budget import BUDGET_USE_THRESHOLDS, INTENSITY_THRESHOLDS
from portal.itsm.models import SyncRun
from portal.models import db
from portal.org.models import OrgUnit
from portal.org.services import unit_and_descendant_ids
from portal.pagination import paginate_list
from portal.timezone import PARIS

ZERO = Decimal(0)
COUNTED = (OrderStatus.APPROVED.value, OrderStatus.DELIVERED.value)


#: The summed fields of `Amounts`.
AMOUNT_FIELDS = (
    "forecast_eur", "forecast_kgco2e", "committed_eur", "committed_kgco2e", "spent_eur", "spent_kgco2e",
    "itsm_committed_eur", "itsm_committed_kgco2e", "itsm_spent_eur", "itsm_spent_kgco2e",
)


@dataclass
class Amounts:
    """Euros and kgCO₂e (embodied, counted in the acquisition year) of planned purchases, of orders committed
    and spent, and of the ITSM's devices committed (on order, in transit) and spent (received), graded against
    `reference` (kg/k€)."""

    forecast_eur: Decimal = ZERO
    forecast_kgco2e: Decimal = ZERO
    committed_eur: Decimal = ZERO
    committed_kgco2e: Decimal = ZERO
    spent_eur: Decimal = ZERO
    spent_kgco2e: Decimal = ZERO
    itsm_committed_eur: Decimal = ZERO
    itsm_committed_kgco2e: Decimal = ZERO
    itsm_spent_eur: Decimal = ZERO
    itsm_spent_kgco2e: Decimal = ZERO
    reference: Decimal = MONETARY_IT_PRODUCTS.value

    def add(self, other: Amounts) -> None:
        """Add another line's amounts to these (the reference stays)."""
        for name in AMOUNT_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def all_committed_eur(self) -> Decimal:
        """Orders approved and ITSM devices on order."""
        return self.committed_eur + self.itsm_committed_eur

    @property
    def all_committed_kgco2e(self) -> Decimal:
        return self.committed_kgco2e + self.itsm_committed_kgco2e

    @property
    def all_spent_eur(self) -> Decimal:
        """Orders delivered and ITSM devices received."""
        return self.spent_eur + self.itsm_spent_eur

    @property
    def all_spent_kgco2e(self) -> Decimal:
        return self.spent_kgco2e + self.itsm_spent_kgco2e

    @property
    def itsm_eur(self) -> Decimal:
        return self.itsm_committed_eur + self.itsm_spent_eur

    @property
    def itsm_kgco2e(self) -> Decimal:
        return self.itsm_committed_kgco2e + self.itsm_spent_kgco2e

    @property
    def total_eur(self) -> Decimal:
        return self.forecast_eur + self.all_committed_eur + self.all_spent_eur

    @property
    def total_kgco2e(self) -> Decimal:
        return self.forecast_kgco2e + self.all_committed_kgco2e + self.all_spent_kgco2e

    @property
    def intensity(self) -> Decimal | None:
        """kgCO₂e per k€ of what is planned, committed and spent."""
        return carbon_intensity(self.total_kgco2e, self.total_eur)

    @property
    def grade(self) -> EcoLabel | None:
        intensity = self.intensity
        return None if intensity is None else intensity_grade(intensity, self.reference)


@dataclass
class Reading:
    """A line's, a unit's or the whole budget's figures and colour."""

    amount_eur: Decimal = ZERO
    carbon_budget_kgco2e: Decimal | None = None
    amounts: Amounts = field(default_factory=Amounts)

    @property
    def used_share(self) -> Decimal | None:
        """Share of the carbon budget used by forecast + committed + spent (None without a carbon budget)."""
        if self.carbon_budget_kgco2e is None:
            return None
        a = self.amounts
        return budget_used_share(
            a.forecast_kgco2e, a.all_committed_kgco2e, a.all_spent_kgco2e, self.carbon_budget_kgco2e
        )

    @property
    def use(self) -> BudgetUse | None:
        share = self.used_share
        if share is None:
            # Emissions with a zero carbon budget are over it.
            if self.carbon_budget_kgco2e is not None and self.amounts.total_kgco2e > 0:
                return BudgetUse.OVER
            return None
        return budget_use(share)

    @property
    def euros_used_share(self) -> Decimal | None:
        return self.amounts.total_eur / self.amount_eur if self.amount_eur > 0 else None

    def add(self, other: Reading) -> None:
        """Add another reading (a carbon budget stays unknown only if every part's is)."""
        self.amount_eur += other.amount_eur
        if other.carbon_budget_kgco2e is not None:
            self.carbon_budget_kgco2e = (self.carbon_budget_kgco2e or ZERO) + other.carbon_budget_kgco2e
        self.amounts.add(other.amounts)


# ---------------------------------------------------------------------------
# Planned purchases
# ---------------------------------------------------------------------------


def _figures(footprint: Footprint, price_eur: Decimal) -> UnitFigures:
    return UnitFigures(
        price_eur, footprint.net_embodied.value, footprint.annual_use.value, footprint.lifetime_years.value
    )


def _category_footprint(category: str, factor_set: FactorSet, *, refurbished: bool = False) -> Footprint:
    return calculate(
        EquipmentInputs(category, refurbished=refurbished), factor_set.electricity, factor_set.references[category]
    )


def refurbished_footprint(item: CatalogueItem, factor_set: FactorSet) -> Footprint:
    """The item's footprint bought refurbished (the category's avoided share of embodied emissions)."""
    inputs = replace(item_inputs(item), refurbished=True)
    return calculate(inputs, factor_set.electricity, factor_set.references[item.category])


@dataclass(frozen=True)
class PurchaseFigures:
    """A planned purchase, its forecast and its sober variants, with the quality of the figures."""

    purchase: PlannedPurchase
    footprint: Footprint
    variants: list[PurchaseForecast]
    refurbished_item: AlternativeItem | None
    better_item: AlternativeItem | None

    @property
    def planned(self) -> PurchaseForecast:
        return self.variants[0]

    @property
    def quality(self) -> Quality:
        return self.footprint.quality


@dataclass(frozen=True)
class AlternativeItem:
    """A catalogue item offered as a sober alternative, as plain values (kept between requests)."""

    id: int
    manufacturer: str
    name: str
    label: str
    annualised_kgco2e: Decimal
    figures: UnitFigures  # at the item's price


@dataclass(frozen=True)
class Alternatives:
    """The catalogue's sober alternatives: refurbished variant of each item, and the lowest-footprint new item
    of each category."""

    refurbished_of: Mapping[int, AlternativeItem]
    best_new: Mapping[str, AlternativeItem]


def _alternative(item: CatalogueItem, factor_set: FactorSet) -> AlternativeItem:
    return AlternativeItem(
        item.id,
        item.manufacturer,
        item.name,
        item.label,
        item.annualised_kgco2e,
        _figures(item_footprint(item, factor_set), item.price_eur),
    )


def load_alternatives(factor_set: FactorSet) -> Alternatives:
    """Active refurbished variants by original, and each category's new item of lowest annualised footprint;
    kept per worker until the catalogue or its factors change."""

    def load() -> Alternatives:
        items = db.session.scalars(sa.select(CatalogueItem).where(CatalogueItem.active.is_(True))).all()
        refurbished_of: dict[int, CatalogueItem] = {}
        best_new: dict[str, CatalogueItem] = {}
        for item in items:
            if item.refurbished and item.refurbished_of_id is not None:
                refurbished_of.setdefault(item.refurbished_of_id, item)
            elif not item.refurbished:
                best = best_new.get(item.category)
                if best is None or (item.annualised_kgco2e, item.id) < (best.annualised_kgco2e, best.id):
                    best_new[item.category] = item
        return Alternatives(
            {key: _alternative(item, factor_set) for key, item in refurbished_of.items()},
            {key: _alternative(item, factor_set) for key, item in best_new.items()},
        )

    return reference_cache.cached("budgets.alternatives", None, load)


def purchase_figures(purchase: PlannedPurchase, factor_set: FactorSet, alternatives: Alternatives) -> PurchaseFigures:
    """The forecast of a planned purchase and its variants: refurbished share (the item's refurbished variant at
    its price, or the category's refurbished rule at the planned price), longer lifetimes, and the category's
    lowest-footprint new model when it is lower than the planned device."""
    item = purchase.item
    footprint = (
        item_footprint(item, factor_set) if item is not None else _category_footprint(purchase.category, factor_set)
    )
    device = _figures(footprint, purchase.unit_price_eur)
    refurbished_item = alternatives.refurbished_of.get(item.id) if item is not None else None
    refurbished: UnitFigures | None
    if refurbished_item is not None:
        refurbished = refurbished_item.figures
    elif item is not None and not item.refurbished:
        refurbished = _figures(refurbished_footprint(item, factor_set), purchase.unit_price_eur)
    elif item is None:
        refurbished = _figures(
            _category_footprint(purchase.category, factor_set, refurbished=True), purchase.unit_price_eur
        )
    else:
        refurbished = None  # already refurbished
    better_item = alternatives.best_new.get(purchase.category)
    if better_item is not None and (
        better_item.annualised_kgco2e >= footprint.annualised.value or (item is not None and better_item.id == item.id)
    ):
        better_item = None
    variants = sober_variants(
        device, purchase.quantity, refurbished=refurbished, better=better_item.figures if better_item else None
    )
    return PurchaseFigures(purchase, footprint, variants, refurbished_item, better_item)


# ---------------------------------------------------------------------------
# Actuals
# ---------------------------------------------------------------------------


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The calendar year in Europe/Paris, as instants."""
    return datetime(year, 1, 1, tzinfo=PARIS), datetime(year + 1, 1, 1, tzinfo=PARIS)


def actuals_by_unit(year: int) -> dict[int | None, Amounts]:
    """Committed and spent euros and kgCO₂e of the orders approved in `year`, by the requester's unit (one
    query)."""
    start, end = year_bounds(year)
    # An order recorded without its decision time (imported) counts in the year it was requested.
    decided = sa.func.coalesce(Order.decided_at, Order.created_at)
    rows = db.session.execute(
        sa.select(
            User.org_unit_id,
            Order.status,
            sa.func.sum(Order.unit_price_eur * Order.quantity),
            sa.func.sum(Order.embodied_kgco2e * Order.quantity),
        )
        .join(User, User.id == Order.requester_id)
        .where(Order.status.in_(COUNTED), decided >= start, decided < end)
        .group_by(User.org_unit_id, Order.status)
    ).all()
    result: dict[int | None, Amounts] = defaultdict(Amounts)
    for unit_id, status, eur, kg in rows:
        amounts = result[unit_id]
        if status == OrderStatus.DELIVERED.value:
            amounts.spent_eur += Decimal(eur)
            amounts.spent_kgco2e += Decimal(kg)
        else:
            amounts.committed_eur += Decimal(eur)
            amounts.committed_kgco2e += Decimal(kg)
    return dict(result)


#: ITSM statuses of a device not received yet (committed); every other status counts it as spent.
ITSM_COMMITTED = (AssetStatus.ON_ORDER.value, AssetStatus.IN_TRANSIT.value)
#: The tag the portal gives the devices it delivers for an order (`catalogue.orders.deliver`): an ITSM record
#: of such a device is the order's, already counted with it.
DELIVERY_TAG = "CMD"


def itsm_actuals_by_unit(year: int, factor_set: FactorSet) -> dict[int | None, Amounts]:
    """Costs and embodied kgCO₂e of the devices the ITSM sync brought with a cost and a purchase date in
    `year`, by the assignee's unit: on order or in transit is committed, any other status spent. A device's
    footprint is its catalogue item's stored result, else its category's typical device (one grouped query)."""
    committed = sa.case((Asset.status.in_(ITSM_COMMITTED), 1), else_=0)
    rows = db.session.execute(
        sa.select(
            User.org_unit_id,
            committed,
            Asset.category,
            CatalogueItem.embodied_kgco2e,
            sa.func.count(Asset.id),
            sa.func.sum(Asset.cost_eur),
        )
        .select_from(Asset)
        .outerjoin(User, User.id == Asset.user_id)
        .outerjoin(CatalogueItem, CatalogueItem.id == Asset.item_id)
        .where(
            Asset.sys_id.is_not(None),
            Asset.cost_eur.is_not(None),
            Asset.acquired_on >= date(year, 1, 1),
            Asset.acquired_on < date(year + 1, 1, 1),
            sa.not_(Asset.asset_tag.startswith(DELIVERY_TAG)),
        )
        .group_by(User.org_unit_id, committed, Asset.category, CatalogueItem.embodied_kgco2e)
    ).all()
    typical: dict[str, Decimal] = {}
    result: dict[int | None, Amounts] = defaultdict(Amounts)
    for unit_id, is_committed, category, embodied, count, eur in rows:
        if embodied is None:
            if category not in typical:
                known = category in factor_set.references
                typical[category] = _category_footprint(category, factor_set).net_embodied.value if known else ZERO
            embodied = typical[category]
        amounts = result[unit_id]
        kg = Decimal(embodied) * count
        if is_committed:
            amounts.itsm_committed_eur += Decimal(eur)
            amounts.itsm_committed_kgco2e += kg
        else:
            amounts.itsm_spent_eur += Decimal(eur)
            amounts.itsm_spent_kgco2e += kg
    return dict(result)


def unit_parents() -> dict[int, int | None]:
    """Every unit's parent (a few hundred rows, read once per page)."""
    return dict(db.session.execute(sa.select(OrgUnit.id, OrgUnit.parent_id)).all())


def receiving_line(
    unit_id: int | None, investment_lines: Mapping[int, int], parents: Mapping[int, int | None]
) -> int | None:
    """The id of the investment line an order of this unit goes to: the unit's, else its nearest parent's."""
    seen: set[int] = set()
    while unit_id is not None and unit_id not in seen:
        seen.add(unit_id)
        line = investment_lines.get(unit_id)
        if line is not None:
            return line
        unit_id = parents.get(unit_id)
    return None


# ---------------------------------------------------------------------------
# A year's budget
# ---------------------------------------------------------------------------


@dataclass
class LineFigures:
    """A line with its planned purchases and its reading."""

    line: BudgetLine | LineRow
    purchases: list[PurchaseFigures]
    reading: Reading


@dataclass
class UnitBudget:
    """A unit's lines of the year and their sum."""

    unit: OrgUnit | UnitRow
    lines: list[LineFigures]
    reading: Reading


@dataclass
class YearBudget:
    """The budget of a year: its lines by unit, the whole reading, what no line takes."""

    year: int
    units: list[UnitBudget]
    total: Reading
    unbudgeted: Amounts
    reference_intensity: Decimal = MONETARY_IT_PRODUCTS.value

    def line_figures(self) -> list[LineFigures]:
        return [line for unit in self.units for line in unit.lines]


@dataclass(frozen=True)
class UnitRow:
    """An org unit as the budget tables show it."""

    id: int
    name: str
    code: str


@dataclass(frozen=True)
class LineRow:
    """A budget line's columns, read without its ORM object (the year's tables)."""

    id: int
    fiscal_year: int
    org_unit_id: int
    nature: str
    label: str
    amount_eur: Decimal
    carbon_budget_kgco2e: Decimal | None
    org_unit: UnitRow


def _line_rows(year: int, unit_ids: Sequence[int] | None) -> list[LineRow]:
    statement = (
        sa.select(
            BudgetLine.id,
            BudgetLine.fiscal_year,
            BudgetLine.org_unit_id,
            BudgetLine.nature,
            BudgetLine.label,
            BudgetLine.amount_eur,
            BudgetLine.carbon_budget_kgco2e,
            OrgUnit.name,
            OrgUnit.code,
        )
        .join(OrgUnit, OrgUnit.id == BudgetLine.org_unit_id)
        .where(BudgetLine.fiscal_year == year)
        .order_by(OrgUnit.name, BudgetLine.nature, BudgetLine.label, BudgetLine.id)
    )
    if unit_ids is not None:
        statement = statement.where(BudgetLine.org_unit_id.in_(unit_ids))
    return [
        LineRow(id_, fiscal_year, unit_id, nature, label, amount, carbon, UnitRow(unit_id, name, code))
        for id_, fiscal_year, unit_id, nature, label, amount, carbon, name, code in db.session.execute(statement)
    ]


def _forecasts(year: int, factor_set: FactorSet) -> dict[int, Amounts]:
    """Planned euros and kgCO₂e of each line of the year, from the items' stored results (recomputed on every
    change of an item or of its factors) or the category's typical device, in one grouped query."""
    rows = db.session.execute(
        sa.select(
            PlannedPurchase.line_id,
            PlannedPurchase.category,
            CatalogueItem.embodied_kgco2e,
            sa.func.sum(PlannedPurchase.quantity),
            sa.func.sum(PlannedPurchase.quantity * PlannedPurchase.unit_price_eur),
        )
        .join(BudgetLine, BudgetLine.id == PlannedPurchase.line_id)
        .outerjoin(CatalogueItem, CatalogueItem.id == PlannedPurchase.item_id)
        .where(BudgetLine.fiscal_year == year)
        .group_by(PlannedPurchase.line_id, PlannedPurchase.category, CatalogueItem.embodied_kgco2e)
    ).all()
    typical: dict[str, Decimal] = {}
    result: dict[int, Amounts] = defaultdict(Amounts)
    for line_id, category, embodied, quantity, eur in rows:
        if embodied is None:
            if category not in typical:
                typical[category] = _category_footprint(category, factor_set).net_embodied.value
            embodied = typical[category]
        amounts = result[line_id]
        amounts.forecast_eur += Decimal(eur)
        amounts.forecast_kgco2e += Decimal(embodied) * Decimal(quantity)
    return result


def _investment_lines(year: int) -> dict[int, int]:
    """Each unit's first investment line id of the year (where its orders are counted)."""
    rows = db.session.execute(
        sa.select(BudgetLine.org_unit_id, sa.func.min(BudgetLine.id))
        .where(BudgetLine.fiscal_year == year, BudgetLine.nature == Nature.INVESTMENT.value)
        .group_by(BudgetLine.org_unit_id)
    ).all()
    return dict(rows)


def year_budget(
    year: int,
    factor_set: FactorSet,
    *,
    lines: Sequence[BudgetLine] | None = None,
    unit_ids: Sequence[int] | None = None,
    with_variants: bool = False,
    variants_of: Collection[int] | None = None,
) -> YearBudget:
    """The readings of a year's lines with the year's actuals attributed to them: the given `lines` (loaded
    with their units and purchases; `with_variants` computes each planned purchase's variants, for the lines
    of the units `variants_of` only when given), else every line of the year (of `unit_ids`), as plain rows.
    Intensities are graded against the factor library's monetary ratio."""
    reference = monetary_reference(factor_set).value

    def fresh(base: Amounts | None = None) -> Amounts:
        amounts = Amounts(reference=reference)
        if base is not None:
            amounts.add(base)
        return amounts

    figures: list[LineFigures] = []
    forecasts: dict[int, Amounts] | None = None
    if lines is None:
        forecasts = _forecasts(year, factor_set)
        for row in _line_rows(year, unit_ids):
            amounts = fresh(forecasts.get(row.id))
            figures.append(LineFigures(row, [], Reading(row.amount_eur, row.carbon_budget_kgco2e, amounts)))
    else:
        alternatives = load_alternatives(factor_set) if with_variants else None
        for line in lines:
            amounts = fresh()
            purchases = []
            if alternatives is not None and (variants_of is None or line.org_unit_id in variants_of):
                purchases = [purchase_figures(p, factor_set, alternatives) for p in line.purchases]
                for p in purchases:
                    amounts.forecast_eur += p.planned.eur
                    amounts.forecast_kgco2e += p.planned.embodied_kgco2e
            else:
                forecasts = forecasts if forecasts is not None else _forecasts(year, factor_set)
                amounts = fresh(forecasts.get(line.id))
            figures.append(LineFigures(line, purchases, Reading(line.amount_eur, line.carbon_budget_kgco2e, amounts)))

    investment = _investment_lines(year)
    parents = unit_parents()
    shown = {f.line.id: f for f in figures}
    unbudgeted = fresh()
    for actuals in (actuals_by_unit(year), itsm_actuals_by_unit(year, factor_set)):
        for unit_id, amounts in actuals.items():
            line_id = receiving_line(unit_id, investment, parents)
            if line_id is None:
                unbudgeted.add(amounts)
            elif line_id in shown:
                shown[line_id].reading.amounts.add(amounts)

    units: dict[int, UnitBudget] = {}
    total = Reading(amounts=fresh())
    for f in figures:
        unit = units.get(f.line.org_unit_id)
        if unit is None:
            unit = units[f.line.org_unit_id] = UnitBudget(f.line.org_unit, [], Reading(amounts=fresh()))
        unit.lines.append(f)
        unit.reading.add(f.reading)
        total.add(f.reading)
    return YearBudget(year, list(units.values()), total, unbudgeted, reference)


def sorted_units(units: list[UnitBudget], sort: str) -> list[UnitBudget]:
    """Units by name, by intensity (highest first) or by carbon budget used (highest first); units without the
    figure last."""
    if sort == "intensity":
        return sorted(units, key=lambda u: (u.reading.amounts.intensity is None, -(u.reading.amounts.intensity or 0)))
    if sort == "used":
        return sorted(units, key=lambda u: (u.reading.used_share is None, -(u.reading.used_share or 0)))
    return sorted(units, key=lambda u: u.unit.name)


# ---------------------------------------------------------------------------
# At approval
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderImpact:
    """What approving an order does to its line: shares of the remaining carbon and euro budgets."""

    year: int
    line: BudgetLine
    order_kgco2e: Decimal
    order_eur: Decimal
    refurbished_kgco2e: Decimal | None
    remaining_kgco2e: Decimal | None  # carbon budget − committed − spent; None without a carbon budget
    remaining_eur: Decimal  # amount − committed − spent
    use_after: BudgetUse | None  # the line's colour once the order is counted

    @staticmethod
    def _share(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
        if part is None or whole is None or whole <= 0:
            return None
        return part / whole

    @property
    def carbon_share(self) -> Decimal | None:
        return self._share(self.order_kgco2e, self.remaining_kgco2e)

    @property
    def euro_share(self) -> Decimal | None:
        return self._share(self.order_eur, self.remaining_eur)

    @property
    def refurbished_share(self) -> Decimal | None:
        return self._share(self.refurbished_kgco2e, self.remaining_kgco2e)


def order_impact(order: Order, factor_set: FactorSet, *, year: int) -> OrderImpact | None:
    """The impact of approving `order` in `year` on the investment line it goes to (None without one)."""
    line_id = receiving_line(order.requester.org_unit_id, _investment_lines(year), unit_parents())
    if line_id is None:
        return None
    line = db.session.get_one(BudgetLine, line_id)  # read from the year's lines just above
    budget = year_budget(year, factor_set, lines=[line])
    reading = budget.units[0].lines[0].reading
    amounts = reading.amounts
    kg = order.embodied_kgco2e * order.quantity
    eur = order.unit_price_eur * order.quantity
    refurbished: Decimal | None = None
    if not order.item.refurbished:
        variant = load_alternatives(factor_set).refurbished_of.get(order.item_id)
        if variant is not None:
            refurbished = variant.figures.embodied_kgco2e * order.quantity
        else:
            refurbished = refurbished_footprint(order.item, factor_set).net_embodied.value * order.quantity
    remaining_kg = None
    if line.carbon_budget_kgco2e is not None:
        remaining_kg = line.carbon_budget_kgco2e - amounts.all_committed_kgco2e - amounts.all_spent_kgco2e
    after = Reading(reading.amount_eur, reading.carbon_budget_kgco2e, Amounts(reference=amounts.reference))
    after.amounts.add(amounts)
    after.amounts.committed_kgco2e += kg
    after.amounts.committed_eur += eur
    return OrderImpact(
        year,
        line,
        kg,
        eur,
        refurbished,
        remaining_kg,
        line.amount_eur - amounts.all_committed_eur - amounts.all_spent_eur,
        after.use,
    )


def approval_impact(order: Order) -> OrderImpact | None:
    """`order_impact` for the approval card: this year's budget, the shared factor library."""
    return order_impact(order, load_factor_set(), year=current_year())


def approval_panel(order: Order, now: datetime) -> dict[str, OrderImpact] | None:
    """The approval card's budget panel (APPROVAL_PANELS): the order's impact, or None when no line takes it."""
    impact = approval_impact(order)
    return {"impact": impact} if impact is not None else None


# ---------------------------------------------------------------------------
# The pages, kept per worker
# ---------------------------------------------------------------------------


def actuals_stamp() -> tuple[str, ...]:
    """What the actuals of every year depend on beyond the tracked budget and catalogue rows, in one small query:
    the orders counted (how many, the last decision and delivery) and the ITSM's sync runs (the last one, the last
    end: its devices show once a run has ended). Part of the keys of the cached pages, so a decision or a sync
    shows at once."""
    row = db.session.execute(
        sa.select(
            sa.func.count(Order.id),
            sa.func.max(Order.decided_at),
            sa.func.max(Order.delivered_at),
            sa.select(sa.func.max(SyncRun.id)).scalar_subquery(),
            sa.select(sa.func.max(SyncRun.finished_at)).scalar_subquery(),
        ).where(Order.status.in_(COUNTED))
    ).one()
    return tuple(str(value) for value in row)


def overview_body(
    year: int, sort: str, *, number: int, size: int, language: str, render: Callable[..., Markup]
) -> Markup:
    """The body of `/budgets` for a year, sort and page (every unit's reading, last year's beside it, the chart),
    rendered by `render(**context)` in `language`; the same for every admin, so kept per worker until a budget
    line, a planned purchase, the catalogue or its factors change, or an order or an ITSM device is counted."""

    def load() -> Markup:
        factor_set = load_factor_set()
        budget = year_budget(year, factor_set)
        previous = year_budget(year - 1, factor_set)
        units = sorted_units(budget.units, sort)
        page = paginate_list(units, number=number, size=size)
        return render(
            budget=budget,
            units=units,
            page=page,
            previous={unit.unit.id: unit.reading for unit in previous.units},
            bars=used_bars(page.items),
            hundred_percent=HUNDRED_PERCENT_AT,
            **reference_context(factor_set),
        )

    return reference_cache.cached("budgets.overview", (year, sort, number, size, language, actuals_stamp()), load)


def unit_budget(unit_id: int, year: int) -> YearBudget:
    """A unit's and its sub-units' lines of the year; the unit's own planned purchases with their variants (its
    sub-units' pages show theirs)."""
    lines = db.session.scalars(lines_statement(year, unit_and_descendant_ids(unit_id))).all()
    return year_budget(year, load_factor_set(), lines=lines, with_variants=True, variants_of={unit_id})


@dataclass(frozen=True)
class UnitPage:
    """A unit's budget page as plain values: the unit's id and name, and its rendered body."""

    id: int
    name: str
    body: Markup


def unit_page(
    unit_id: int, year: int, *, admin: bool, language: str, render: Callable[..., Markup]
) -> UnitPage | None:
    """The body of `/budgets/<unit>` rendered by `render(unit=..., **context)` (links to edit the lines for an
    admin), kept per worker as `overview_body`; None when there is no such unit. Who may see it is the route's
    check, made before."""

    def load() -> UnitPage | None:
        unit = db.session.get(OrgUnit, unit_id)
        if unit is None:
            return None
        body = render(unit=unit, budget=unit_budget(unit_id, year), **reference_context(load_factor_set()))
        return UnitPage(unit.id, unit.name, body)

    return reference_cache.cached("budgets.unit", (unit_id, year, admin, language, actuals_stamp()), load)


def reference_context(factor_set: FactorSet) -> dict[str, object]:
    """What every budget page says about its yardsticks: the monetary ratio and the thresholds."""
    return {
        "reference": monetary_reference(factor_set),
        "intensity_thresholds": INTENSITY_THRESHOLDS,
        "use_thresholds": BUDGET_USE_THRESHOLDS,
    }


@dataclass(frozen=True)
class UsedBar:
    """A unit's bar in the chart of carbon budget used: its share, and its length in % of the chart's width (drawn
    at the page's width, its words at their own size: readable on a phone)."""

    unit: OrgUnit | UnitRow
    reading: Reading
    length: Decimal


#: The chart of carbon budget used stops at 150 %: an over-budget unit's bar is cut there (its figure is shown).
CHART_MAX_SHARE = Decimal("1.5")
#: Where 100 % of a carbon budget falls, in % of the chart's width.
HUNDRED_PERCENT_AT = (100 / CHART_MAX_SHARE).quantize(Decimal("0.1"))


def used_bars(units: Sequence[UnitBudget]) -> list[UsedBar]:
    """The bars of the units that have a carbon budget, the chart's whole width standing for 150 %."""
    bars = []
    for unit in units:
        share = unit.reading.used_share
        if share is not None:
            length = min(share, CHART_MAX_SHARE) / CHART_MAX_SHARE * 100
            bars.append(UsedBar(unit.unit, unit.reading, length.quantize(Decimal("0.1"))))
    return bars
