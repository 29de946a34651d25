"""The intensity's yardstick as a versioned factor of the library, ITSM asset costs among the actuals, and the
cached pages following orders and edits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from portal.accounts.models import User
from portal.budgets import figures, services
from portal.catalogue.footprints import load_factor_set
from portal.catalogue.models import Factor
from portal.catalogue.services import update_factor
from portal.footprint import BudgetUse, EcoLabel, Quality
from portal.models import db
from tests.conftest import csrf_token


def _reading(line):
    lines = db.session.scalars(services.lines_statement(line.fiscal_year, [line.org_unit_id])).all()
    budget = figures.year_budget(line.fiscal_year, load_factor_set(), lines=lines)
    return budget.units[0].lines[0].reading


def test_the_monetary_ratio_is_a_versioned_factor_an_admin_edits(make_line, plan, make_item, make_user):
    reference = services.monetary_reference(load_factor_set())
    assert (reference.value, reference.version, reference.quality) == (D("500"), 0, Quality.ESTIMATED)
    assert services.seed_monetary_factor() is True
    assert services.seed_monetary_factor() is False  # a stored factor is kept
    db.session.commit()
    factor = db.session.scalar(db.select(Factor).where(Factor.key == services.MONETARY_KEY))
    assert (factor.value, factor.unit, factor.version, factor.quality) == (D("0.5"), "kgCO2e/EUR", 1, "estimated")
    assert "NACE C26" in factor.source and factor.source_year == 2023 and "Estimate" in factor.note
    reference = services.monetary_reference(load_factor_set())
    assert (reference.value, reference.figure.low, reference.figure.high) == (D("500"), D("300"), D("700"))

    line = make_line()
    plan(line, item=make_item(), quantity=3)  # 3,000 € / 486 kg: 162 kg/k€
    reading = _reading(line)
    assert reading.amounts.intensity == D("162")
    assert reading.amounts.grade is EcoLabel.B  # 162 / 500 = 0.324

    admin = make_user()
    update_factor(factor, {"value": D("0.2")}, by=admin, comment="Base Empreinte row read")
    db.session.commit()
    assert factor.version == 2
    reading = _reading(line)
    assert reading.amounts.grade is EcoLabel.D  # 162 / 200 = 0.81


def test_itsm_asset_costs_count_apart_as_committed_and_spent(make_line, plan, make_item, make_user, make_asset):
    item = make_item()  # 1,000 €, 162 kg embodied
    line = make_line(carbon_budget_kgco2e=D("1000"))
    plan(line, item=item, quantity=3)  # forecast 3,000 € / 486 kg
    alice: User = make_user(org_unit_id=line.org_unit_id)
    year = line.fiscal_year
    this_year = date(year, 3, 1)
    make_asset(user=alice, item=item, sys_id="a1", cost_eur=D("800"), acquired_on=this_year)  # spent
    make_asset(user=alice, item=item, sys_id="a2", cost_eur=D("900"), acquired_on=this_year, status="in_stock")
    make_asset(user=alice, item=None, category="monitor", sys_id="a3", cost_eur=D("200"), acquired_on=this_year,
               status="on_order")  # committed, the typical monitor
    make_asset(user=alice, item=item, sys_id="a4", cost_eur=D("700"), acquired_on=date(year - 1, 12, 31))  # last year
    make_asset(user=alice, item=item, cost_eur=D("600"), acquired_on=this_year)  # the CSV inventory: no sys_id
    make_asset(user=alice, item=item, sys_id="a5", acquired_on=this_year)  # no cost
    make_asset(user=alice, item=item, sys_id="a6", cost_eur=D("999"), acquired_on=this_year,
               asset_tag="CMD000001-1")  # delivered for an order: counted with the order

    a = _reading(line).amounts
    monitor = D("64.6") + D("1.29") + D("3.95")  # the typical monitor's fabrication, transport, end of life
    assert (a.itsm_spent_eur, a.itsm_spent_kgco2e) == (D("1700"), D("324"))
    assert (a.itsm_committed_eur, a.itsm_committed_kgco2e) == (D("200"), monitor)
    assert (a.committed_eur, a.spent_eur) == (D("0"), D("0"))  # orders apart
    assert (a.all_committed_eur, a.all_spent_eur) == (D("200"), D("1700"))
    # 486 + 324 + 69.84 = 879.84 kg of 1,000: 87.984 %, close; for 4.9 k€.
    reading = _reading(line)
    assert reading.used_share == (D("486") + D("324") + monitor) / D("1000")
    assert reading.use is BudgetUse.CLOSE
    assert a.total_eur == D("4900")


def test_the_unit_page_shows_itsm_devices_and_follows_orders(
    client, login_as, make_line, plan, make_item, make_user, make_asset, make_order
):
    item = make_item()
    line = make_line(carbon_budget_kgco2e=D("10000"))
    plan(line, item=item, quantity=1)
    requester = make_user(org_unit_id=line.org_unit_id)
    make_asset(user=requester, item=item, sys_id="b1", cost_eur=D("1234"), acquired_on=date(line.fiscal_year, 2, 1))
    login_as("admin")
    page = client.get(f"/budgets/{line.org_unit_id}").get_data(as_text=True)
    assert "1\u202f234\u00a0€" in page or "1\u202f234 €" in page
    assert "Appareils de l’ITSM" in page
    assert "Pourquoi une estimation" in page
    before = client.get("/budgets").get_data(as_text=True)
    make_order(requester, item, quantity=2, status="approved")  # committed 2,000 €: the kept pages follow
    after_unit = client.get(f"/budgets/{line.org_unit_id}").get_data(as_text=True)
    assert after_unit != page and "2\u202f000" in after_unit
    assert client.get("/budgets").get_data(as_text=True) != before


def test_an_admin_edits_the_ratio_in_the_factor_library_and_the_pages_follow(client, login_as, make_line):
    services.seed_monetary_factor()
    db.session.commit()
    line = make_line()
    login_as("admin")
    form = client.get(f"/admin/factors/{services.MONETARY_KEY}/edit").get_data(as_text=True)
    assert "En kg CO₂e par euro dépensé." in form and "NACE C26" in form
    page = client.get(f"/budgets/{line.org_unit_id}").get_data(as_text=True)
    assert "500\u202fkg CO₂e par k€" in page or "500 kg CO₂e par k€" in page
    response = client.post(
        f"/admin/factors/{services.MONETARY_KEY}/edit",
        data={
            "value": "0,45",
            "low_ratio": "0,4",
            "quality": "generic",
            "source": "ADEME Base Empreinte, ratio monétaire C26",
            "source_year": "2025",
            "note": "",
            "comment": "Ligne de la Base Empreinte relue",
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    page = client.get(f"/budgets/{line.org_unit_id}").get_data(as_text=True)
    assert "450" in page and "version 2" in page and "Pourquoi une estimation" not in page


def test_the_approval_card_counts_the_itsm_devices_in_what_remains(make_line, make_item, make_user, make_order,
                                                                   make_asset):
    item = make_item()  # 1,000 €, 162 kg
    line = make_line(amount_eur=D("10000"), carbon_budget_kgco2e=D("1000"))
    requester = make_user(org_unit_id=line.org_unit_id)
    make_order(requester, item, quantity=2, status="delivered")  # spent 324 kg, 2,000 €
    make_asset(user=requester, item=item, sys_id="c1", cost_eur=D("1500"), acquired_on=date(line.fiscal_year, 1, 5))
    order = make_order(requester, item, quantity=1, status="submitted")
    impact = figures.order_impact(order, load_factor_set(), year=line.fiscal_year)
    # Remaining: 1,000 − 324 − 162 = 514 kg and 10,000 − 2,000 − 1,500 = 6,500 €; the order: 162 kg, 1,000 €.
    assert impact.remaining_kgco2e == D("514")
    assert impact.carbon_share == D("162") / D("514")
    assert impact.remaining_eur == D("6500")
    assert impact.use_after is BudgetUse.WITHIN  # (324 + 162 + 162) / 1,000 = 64.8 %
