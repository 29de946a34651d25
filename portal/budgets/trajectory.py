"""Carbon budgets derived from a trajectory: each unit's reference-year emissions, cut by the admin's yearly
rate, shared among the unit's lines.

The rule: the whole budget of year Y is the sum of the units' reference-year emissions × (1 − cut) ** (Y − R);
each unit gets the share of it its reference emissions had (so each unit's budget is its own reference cut the
same way); inside a unit, the budget is shared among its lines of year Y in proportion to their amounts (a
unit without lines gets none). The admin reviews the proposal before it is written, and can edit any line's
carbon budget afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import User
from portal.budgets.models import BudgetLine
from portal.catalogue.footprints import FactorSet
from portal.catalogue.models import Asset, AssetStatus, CatalogueItem
from portal.estate import services as estate_services
from portal.footprint import EquipmentInputs, allocate_trajectory, calculate
from portal.footprint.estate import Convention
from portal.models import db
from portal.org.models import OrgUnit

#: Devices gone without a date: not counted in any year (a retirement date, when known, says until when).
GONE = (AssetStatus.RETURNED.value, AssetStatus.RECYCLED.value, AssetStatus.RETIRED.value)


def reference_emissions_by_unit(year: int, factor_set: FactorSet) -> dict[int, Decimal]:
    """kgCO₂e of `year` by unit (its own, sub-units apart): the estate's frozen figures for that year when it has
    any (equipment, trips and transport, amortised convention), else the inventory's estimate below."""
    frozen = estate_emissions_by_unit(year)
    return frozen if frozen is not None else inventory_emissions_by_unit(year, factor_set)


def estate_emissions_by_unit(year: int) -> dict[int, Decimal] | None:
    """Each unit's own share of the estate's total for `year`: the estate freezes a unit with its sub-units, so
    a unit's own figure is its total less its direct sub-units' totals. None when no month of the year is frozen."""
    snapshot = estate_services.latest_of_year(year)
    if snapshot is None:
        return None
    totals = {
        int(key): values.get("total_kgco2e", Decimal(0))
        for key, values in estate_services.scope_values(
            snapshot, "unit", ("total_kgco2e",), Convention.AMORTISED.value
        ).items()
    }
    own = dict(totals)
    for unit_id, parent_id in db.session.execute(sa.select(OrgUnit.id, OrgUnit.parent_id)):
        if parent_id in own and unit_id in totals:
            own[parent_id] -= totals[unit_id]
    return {unit_id: max(value, Decimal(0)) for unit_id, value in own.items() if value > 0}


def inventory_emissions_by_unit(year: int, factor_set: FactorSet) -> dict[int, Decimal]:
    """kgCO₂e a year of the inventory devices in service during `year`, by their user's unit: each device's
    annualised footprint (its catalogue model's, else its category's typical device), in one grouped query.
    Used for a year the estate has not frozen (e.g. before the estate's history begins)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    in_service = sa.and_(
        Asset.acquired_on <= end,
        sa.or_(Asset.retired_on >= start, sa.and_(Asset.retired_on.is_(None), Asset.status.not_in(GONE))),
        Asset.status != AssetStatus.ON_ORDER.value,
    )
    rows = db.session.execute(
        sa.select(User.org_unit_id, Asset.category, CatalogueItem.annualised_kgco2e, sa.func.count())
        .join(User, User.id == Asset.user_id)
        .outerjoin(CatalogueItem, CatalogueItem.id == Asset.item_id)
        .where(in_service, User.org_unit_id.is_not(None))
        .group_by(User.org_unit_id, Asset.category, CatalogueItem.annualised_kgco2e)
    ).all()
    typical: dict[str, Decimal] = {}
    result: dict[int, Decimal] = defaultdict(Decimal)
    for unit_id, category, annualised, count in rows:
        if unit_id is None:  # the query keeps the users who belong to a unit
            continue
        if annualised is None:
            if category not in factor_set.references:
                continue
            if category not in typical:
                typical[category] = calculate(
                    EquipmentInputs(category), factor_set.electricity, factor_set.references[category]
                ).annualised.value
            annualised = typical[category]
        result[unit_id] += Decimal(annualised) * count
    return dict(result)


@dataclass(frozen=True)
class UnitProposal:
    """A unit's reference emissions and the carbon budget the trajectory gives it."""

    unit: OrgUnit
    reference_kgco2e: Decimal
    budget_kgco2e: Decimal
    lines: int


def propose(
    reference_by_unit: dict[int, Decimal], *, reference_year: int, year: int, yearly_cut: Decimal
) -> list[UnitProposal]:
    """The carbon budget of every unit with lines in `year` (units without reference emissions get 0)."""
    line_counts = dict(
        db.session.execute(
            sa.select(BudgetLine.org_unit_id, sa.func.count())
            .where(BudgetLine.fiscal_year == year)
            .group_by(BudgetLine.org_unit_id)
        ).all()
    )
    units = {u.id: u for u in db.session.scalars(sa.select(OrgUnit).where(OrgUnit.id.in_(line_counts)))}
    reference = {unit_id: reference_by_unit.get(unit_id, Decimal(0)) for unit_id in line_counts}
    budgets = allocate_trajectory(reference, yearly_cut=yearly_cut, reference_year=reference_year, year=year)
    return sorted(
        (UnitProposal(units[u], reference[u], budgets[u], line_counts[u]) for u in line_counts),
        key=lambda p: p.unit.name,
    )


def apply(proposals: list[UnitProposal], *, year: int) -> int:
    """Write each unit's budget on its lines of `year`, in proportion to their amounts (equal shares when they
    are all 0); returns how many lines changed."""
    lines_by_unit: dict[int, list[BudgetLine]] = defaultdict(list)
    for line in db.session.scalars(sa.select(BudgetLine).where(BudgetLine.fiscal_year == year)):
        lines_by_unit[line.org_unit_id].append(line)
    changed = 0
    for proposal in proposals:
        lines = lines_by_unit.get(proposal.unit.id, [])
        total = sum((line.amount_eur for line in lines), Decimal(0))
        for line in lines:
            share = line.amount_eur / total if total > 0 else Decimal(1) / len(lines)
            line.carbon_budget_kgco2e = (proposal.budget_kgco2e * share).quantize(Decimal("0.0001"))
            changed += 1
    db.session.flush()
    return changed
