"""The catalogue's home panels: my footprint against the average, my devices to return, my open orders, the
requests waiting for my decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.areas import Suggestion
from portal.catalogue.footprints import load_factor_set
from portal.catalogue.models import CatalogueItem, Order, OrderStatus
from portal.catalogue.my_footprint import my_footprint
from portal.catalogue.orders import pending_for
from portal.models import db
from portal.timezone import PARIS

#: Orders still on their way: the home page lists them.
OPEN_STATUSES = (OrderStatus.SUBMITTED.value, OrderStatus.APPROVED.value)
SHOWN_ORDERS = 3


def home_footprint(user: User, now: datetime) -> dict[str, Any] | None:
    """My devices' footprint per year against the organisation's average per employee, and the devices I
    should return; None when no device is assigned to me."""
    mine = my_footprint(
        user,
        load_factor_set(),
        today=now.astimezone(PARIS).date(),
    )
    if not mine.devices:
        return None
    to_return = [device for device in mine.devices if device.asset.status == "to_return"]
    in_use = [device for device in mine.devices if device.asset.status != "to_return"]
    suggestion = None
    if to_return:
        suggestion = Suggestion(
            20,
            str(_l("Return the devices you no longer use at a collection point.")),
            url_for("locator.index")
            if "locator.index" in current_app.view_functions
            else url_for("catalogue.my_footprint"),
        )
    elif (
        mine.organisation_average is not None
        and mine.total_annualised is not None
        and mine.total_annualised.value > mine.organisation_average
    ):
        suggestion = Suggestion(
            50, str(_l("See what keeping your devices longer saves.")), url_for("catalogue.my_footprint")
        )
    return {"mine": mine, "in_use": in_use, "to_return": to_return, "suggestion": suggestion}


@dataclass(frozen=True)
class OpenOrder:
    """One of my orders on its way, as the home panel shows it."""

    id: int
    status: str
    manufacturer: str
    name: str


def home_orders(user: User, now: datetime) -> dict[str, Any] | None:
    """My orders still on their way, and for a manager the requests waiting for a decision; None if neither."""
    rows = db.session.execute(
        sa.select(Order.id, Order.status, CatalogueItem.manufacturer, CatalogueItem.name)
        .join(CatalogueItem, Order.item_id == CatalogueItem.id)
        .where(Order.requester_id == user.id, Order.status.in_(OPEN_STATUSES))
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(SHOWN_ORDERS + 1)
    )
    open_orders = [OpenOrder(*row) for row in rows]
    waiting = 0
    if user.has_role("manager"):
        waiting = (
            db.session.scalar(sa.select(sa.func.count()).select_from(pending_for(user).order_by(None).subquery())) or 0
        )
    if not open_orders and not waiting:
        return None
    suggestion = None
    if waiting:
        suggestion = Suggestion(
            10, str(_l("Decide on your team's equipment requests.")), url_for("catalogue.approvals")
        )
    return {
        "orders": open_orders[:SHOWN_ORDERS],
        "more": len(open_orders) > SHOWN_ORDERS,
        "waiting": waiting,
        "suggestion": suggestion,
    }
