"""A line's readings mixing planned, committed and spent purchases; what an order does at approval; the
reference emissions the trajectory shares."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import sqlalchemy as sa

from portal.budgets import figures, services, trajectory
from portal.budgets.models import BudgetLine
from portal.catalogue.footprints import load_factor_set
from portal.footprint import BudgetUse, EcoLabel
from portal.models import db


def _budget(year, unit_ids=None, **kwargs):
    lines = db.session.scalars(services.lines_statement(year, unit_ids)).all()
    return figures.year_budget(year, load_factor_set(), lines=lines, **kwargs)


def test_a_line_mixing_planned_committed_and_spent(make_line, plan, make_item, make_user, make_order):
    item = make_item()  # 162 kg embodied, 1,000 €
    line = make_line()
    plan(line, item=item, quantity=3)  # forecast 3,000 € / 486 kg
    requester = make_user(org_unit_id=line.org_unit_id)
    make_order(requester, item, quantity=1, status="approved")  # committed 1,000 € / 162 kg
    make_order(requester, item, quantity=2, status="delivered")  # spent 2,000 € / 324 kg
    make_order(requester, item, quantity=1, status="submitted")  # not counted

    budget = _budget(line.fiscal_year)
    reading = budget.units[0].lines[0].reading
    a = reading.amounts
    assert (a.forecast_eur, a.forecast_kgco2e) == (D("3000"), D("486"))
    assert (a.committed_eur, a.committed_kgco2e) == (D("1000"), D("162"))
    assert (a.spent_eur, a.spent_kgco2e) == (D("2000"), D("324"))
    # 972 kg of 1,000: 97.2 %, close. 972 kg for 6 k€ = 162 kg/k€, 0.324 of the 500 kg/k€ reference: B.
    assert reading.used_share == D("0.972")
    assert reading.use is BudgetUse.CLOSE
    assert a.intensity == D("162")
    assert a.grade is EcoLabel.B
    assert reading.euros_used_share == D("0.3")


def test_orders_go_to_the_nearest_parent_line_and_others_are_unbudgeted(
    make_org_unit, make_line, make_item, make_user, make_order
):
    item = make_item()
    direction = make_org_unit(kind="direction")
    service = make_org_unit(parent_id=direction.id)
    line = make_line(org_unit=direction, carbon_budget_kgco2e=D("100"))
    make_order(make_user(org_unit_id=service.id), item, status="approved")
    make_order(make_user(org_unit_id=make_org_unit().id), item, status="delivered")
    budget = _budget(line.fiscal_year)
    reading = budget.units[0].reading
    assert reading.amounts.committed_kgco2e == D("162")
    assert reading.use is BudgetUse.OVER  # 162 %
    assert budget.unbudgeted.spent_eur == D("1000")


def test_planned_purchase_variants_use_the_catalogue_alternatives(make_line, plan, make_item):
    item = make_item(name="Lourd", fabrication_kgco2e=D("300"))  # 312 kg embodied
    make_item(
        name="Lourd reconditionné",
        fabrication_kgco2e=D("300"),
        refurbished=True,
        refurbished_of_id=item.id,
        price_eur=D("600"),
    )
    make_item(name="Léger", fabrication_kgco2e=D("100"), price_eur=D("1100"))  # 112 kg
    line = make_line()
    plan(line, item=item, quantity=10)
    p = _budget(line.fiscal_year, with_variants=True).units[0].lines[0].purchases[0]
    variants = {v.key: v for v in p.variants}
    assert variants["planned"].embodied_kgco2e == D("3120")
    # Refurbished laptop: 73 % of the embodied avoided → 312 × 0.27 = 84.24 kg, at 600 €.
    assert variants["refurbished_50"].eur == D("8000")
    assert variants["refurbished_50"].embodied_kgco2e == D("1981.2")  # 5 × 312 + 5 × 84.24
    assert variants["better_model"].embodied_kgco2e == D("1120")
    assert p.better_item.name == "Léger"


def test_approval_impact_on_the_remaining_budgets(make_line, make_item, make_user, make_order):
    item = make_item()
    line = make_line(amount_eur=D("10000"), carbon_budget_kgco2e=D("1000"))
    requester = make_user(org_unit_id=line.org_unit_id)
    make_order(requester, item, quantity=2, status="delivered")  # spent 324 kg, 2,000 €
    order = make_order(requester, item, quantity=1, status="submitted")
    impact = figures.order_impact(order, load_factor_set(), year=line.fiscal_year)
    # Remaining: 1,000 − 324 = 676 kg and 8,000 €; the order: 162 kg, 1,000 €.
    assert impact.remaining_kgco2e == D("676")
    assert impact.carbon_share == D("162") / D("676")
    assert impact.euro_share == D("0.125")
    # Refurbished laptop: 162 × 0.27 = 43.74 kg.
    assert impact.refurbished_share == D("43.74") / D("676")
    assert impact.use_after is BudgetUse.WITHIN  # (324 + 162) / 1,000
    assert figures.order_impact(order, load_factor_set(), year=line.fiscal_year + 1) is None


def test_reference_emissions_sum_devices_in_service_that_year(make_org_unit, make_user, make_item, make_asset):
    item = make_item()  # 33.438 kg a year
    unit, other = make_org_unit(), make_org_unit()
    alice, bob = make_user(org_unit_id=unit.id), make_user(org_unit_id=other.id)
    make_asset(user=alice, item=item, acquired_on=date(2024, 3, 1))
    make_asset(user=alice, item=item, acquired_on=date(2024, 3, 1), retired_on=date(2025, 2, 1), status="recycled")
    make_asset(user=alice, item=item, acquired_on=date(2026, 3, 1))  # not yet in 2025
    make_asset(user=bob, item=None, category="smartphone", acquired_on=date(2023, 1, 1))
    factor_set = load_factor_set()
    result = trajectory.reference_emissions_by_unit(2025, factor_set)
    assert result[unit.id] == D("66.876")
    phone = figures.calculate(
        figures.EquipmentInputs("smartphone"), factor_set.electricity, factor_set.references["smartphone"]
    ).annualised.value
    assert result[other.id] == phone


def test_trajectory_writes_each_units_budget_on_its_lines(make_org_unit, make_line):
    unit = make_org_unit()
    make_line(org_unit=unit, fiscal_year=2027, amount_eur=D("3000"), label="Postes", carbon_budget_kgco2e=None)
    make_line(org_unit=unit, fiscal_year=2027, amount_eur=D("1000"), label="Écrans", carbon_budget_kgco2e=None)
    proposals = trajectory.propose({unit.id: D("1000")}, reference_year=2025, year=2027, yearly_cut=D("0.05"))
    assert [p.budget_kgco2e for p in proposals] == [D("902.5")]
    assert trajectory.apply(proposals, year=2027) == 2
    budgets = dict(db.session.execute(sa.select(BudgetLine.label, BudgetLine.carbon_budget_kgco2e)).all())
    assert budgets == {"Postes": D("676.875"), "Écrans": D("225.625")}


def test_reference_emissions_come_from_the_estates_frozen_year_when_there_is_one(make_org_unit):
    from portal.estate.models import IndicatorValue, Snapshot

    direction = make_org_unit()
    service = make_org_unit(parent_id=direction.id)
    snapshot = Snapshot(year=2025, month=12, version=1, ends_on=date(2025, 12, 31))
    db.session.add(snapshot)
    db.session.flush()
    # The estate freezes a unit with its sub-units: 1,000 kg for the direction, 300 of them in its service.
    for unit, kg in ((direction, "1000"), (service, "300")):
        db.session.add(IndicatorValue(snapshot_id=snapshot.id, code="total_kgco2e", convention="amortised",
                                      scope="unit", scope_key=str(unit.id), value=D(kg), unit="kgCO2e"))
    db.session.flush()
    result = trajectory.reference_emissions_by_unit(2025, load_factor_set())
    assert result == {direction.id: D("700"), service.id: D("300")}
