"""The demo budgets: every unit, last year, this year and next, with lines within, close to and over their
carbon budget."""

from __future__ import annotations

import sqlalchemy as sa

from portal.budgets import figures, services
from portal.budgets.demo import load_demo
from portal.budgets.models import BudgetLine
from portal.catalogue.footprints import load_factor_set
from portal.footprint import BudgetUse
from portal.models import db


def test_demo_budgets_show_every_state_and_load_once(catalogue, make_org_unit, make_user):
    units = [make_org_unit() for _ in range(3)]
    for unit in units:
        make_user(org_unit_id=unit.id)
    year = services.current_year()
    assert load_demo() == {"budget lines": 27}  # 3 units × 3 years × 3 lines
    db.session.commit()
    assert load_demo() == {"budget lines": 0}
    for y in (year - 1, year, year + 1):
        lines = db.session.scalars(services.lines_statement(y)).all()
        budget = figures.year_budget(y, load_factor_set(), lines=lines)
        uses = {f.reading.use for f in budget.line_figures()}
        assert {BudgetUse.WITHIN, BudgetUse.CLOSE, BudgetUse.OVER} <= uses
        assert all(line.purchases for line in lines if line.nature == "investment")
    assert set(db.session.scalars(sa.select(BudgetLine.fiscal_year))) == {year - 1, year, year + 1}
