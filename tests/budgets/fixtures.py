"""Budget fixtures: lines, planned purchases and orders in a given state."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from portal.accounts.models import User
from portal.budgets.models import BudgetLine, PlannedPurchase
from portal.budgets.services import current_year
from portal.catalogue import orders
from portal.catalogue.footprints import load_factor_set
from portal.catalogue.models import CatalogueItem, Order
from portal.models import db


@pytest.fixture
def make_line(make_org_unit: Callable[..., Any]) -> Callable[..., BudgetLine]:
    """Create a budget line: make_line(org_unit=unit, amount_eur=..., carbon_budget_kgco2e=...)."""

    def make(**overrides: Any) -> BudgetLine:
        values: dict[str, Any] = {
            "fiscal_year": current_year(),
            "nature": "investment",
            "label": "Renouvellement des postes",
            "amount_eur": Decimal("20000"),
            "carbon_budget_kgco2e": Decimal("1000"),
        }
        values.update(overrides)
        if "org_unit" not in values and "org_unit_id" not in values:
            values["org_unit"] = make_org_unit()
        line = BudgetLine(**values)
        db.session.add(line)
        db.session.commit()
        return line

    return make


@pytest.fixture
def plan() -> Callable[..., PlannedPurchase]:
    """Plan devices in a line: plan(line, item=..., quantity=3)."""

    def make(line: BudgetLine, *, item: CatalogueItem | None = None, quantity: int = 1, **overrides: Any) -> Any:
        values: dict[str, Any] = {
            "label": "Portables",
            "item": item,
            "category": item.category if item else "laptop",
            "quantity": quantity,
            "unit_price_eur": item.price_eur if item else Decimal("1000"),
        }
        values.update(overrides)
        purchase = PlannedPurchase(line=line, **values)
        db.session.add(purchase)
        db.session.commit()
        return purchase

    return make


@pytest.fixture
def make_order() -> Callable[..., Order]:
    """An order of `requester` in a state: make_order(requester, item, quantity=1, status="approved")."""

    def make(requester: User, item: CatalogueItem, *, quantity: int = 1, status: str = "approved") -> Order:
        order = orders.place_order(
            requester=requester,
            item=item,
            quantity=quantity,
            justification="Poste en panne depuis lundi.",
            replaces=None,
            factor_set=load_factor_set(),
            additional_reason="Un poste de plus pour le service.",
        )
        if status in ("approved", "delivered"):
            approver = requester.manager or requester
            order.approver_id = approver.id
            orders.decide(order, approver=approver, approve=True, comment="")
        if status == "delivered":
            orders.deliver(order)
        db.session.commit()
        return order

    return make
