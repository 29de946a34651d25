"""The catalogue's home panels: my footprint against the average, my devices to return, my open orders, the
requests waiting for my decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.accounts.services import user_counts
from portal.areas import Count, Suggestion
from portal.catalogue.footprints import load_factor_set
from portal.catalogue.models import Asset, AssetStatus, CatalogueItem, Order, OrderStatus
from portal.catalogue.my_footprint import CURRENT_STATUSES, organisation_average
from portal.catalogue.orders import pending_for
from portal.footprint import EquipmentInputs, Quality, calculate
from portal.models import db
from portal.reference_cache import cached

#: Orders still on their way: the home page lists them.
OPEN_STATUSES = (OrderStatus.SUBMITTED.value, OrderStatus.APPROVED.value)
SHOWN_ORDERS = 3


@dataclass(frozen=True)
class HomeDevice:
    """One of my current devices, as the home panel counts it: its name, whether to return it, and its
    footprint per year (the catalogue model's stored result, or its category's reference device)."""

    model_name: str
    to_return: bool
    annualised: Decimal
    quality: Quality


@dataclass(frozen=True)
class HomeFootprint:
    """My devices' footprint per year, the organisation's average per employee, the devices to return."""

    in_use: int
    total_annualised: Decimal
    quality: Quality
    organisation_average: Decimal | None
    to_return: tuple[str, ...]


def category_reference_figures() -> dict[str, tuple[Decimal, Quality]]:
    """Each category's reference device: its footprint per year and quality (for devices of unknown model). The
    same for everyone: kept by the portal's cache with the factor set (`Factor` and items are tracked)."""

    def load() -> dict[str, tuple[Decimal, Quality]]:
        factor_set = load_factor_set()
        figures = {}
        for key, reference in factor_set.references.items():
            annualised = calculate(EquipmentInputs(key), factor_set.electricity, reference).annualised
            figures[key] = (annualised.value, annualised.quality)
        return figures

    return cached("catalogue.category_reference_figures", None, load)


# Built once, like the other home statements: the home page runs them on every visit (a built statement keeps
# its cache key: no statement built and keyed per request).
_HOME_DEVICES = (
    sa.select(
        Asset.model_name, Asset.status, Asset.category, CatalogueItem.annualised_kgco2e, CatalogueItem.result_quality
    )
    .outerjoin(CatalogueItem, Asset.item_id == CatalogueItem.id)
    .where(Asset.user_id == sa.bindparam("user_id", type_=sa.Integer), Asset.status.in_(CURRENT_STATUSES))
    .order_by(Asset.acquired_on, Asset.id)
)


def _open_orders_of(user_id: Any) -> sa.ColumnElement[bool]:
    """A user's orders on their way (a bound parameter, or a column of a statement selecting users)."""
    return sa.and_(Order.requester_id == user_id, Order.status.in_(OPEN_STATUSES))


_OPEN_ORDERS = (
    sa.select(Order.id, Order.status, CatalogueItem.manufacturer, CatalogueItem.name)
    .join(CatalogueItem, Order.item_id == CatalogueItem.id)
    .where(_open_orders_of(sa.bindparam("user_id", type_=sa.Integer)))
    .order_by(Order.created_at.desc(), Order.id.desc())
    .limit(SHOWN_ORDERS + 1)
)


def home_devices(user: User) -> list[HomeDevice]:
    """My current devices (in use or to return), oldest first, from their columns and their model's stored
    result (one query, no row objects)."""
    rows = db.session.execute(_HOME_DEVICES, {"user_id": user.id}).all()
    references = category_reference_figures() if any(row.annualised_kgco2e is None for row in rows) else {}
    devices = []
    for name, status, category, annualised, quality in rows:
        if annualised is None:
            annualised, figure_quality = references[category]
        else:
            figure_quality = Quality(quality)
        devices.append(HomeDevice(name, status == AssetStatus.TO_RETURN.value, annualised, figure_quality))
    return devices


def home_footprint(user: User, now: datetime) -> dict[str, Any] | None:
    """My devices' footprint per year against the organisation's average per employee, and the devices I
    should return; None when no device is assigned to me."""
    devices = home_devices(user)
    if not devices:
        return None
    shown = HomeFootprint(
        in_use=sum(1 for device in devices if not device.to_return),
        total_annualised=sum((device.annualised for device in devices), Decimal(0)),
        quality=Quality.worst(*(device.quality for device in devices)),
        organisation_average=organisation_average(load_factor_set()),
        to_return=tuple(device.model_name for device in devices if device.to_return),
    )
    suggestion = None
    if shown.to_return:
        suggestion = Suggestion(
            20,
            str(_l("Return the devices you no longer use at a collection point.")),
            url_for("locator.index")
            if "locator.index" in current_app.view_functions
            else url_for("catalogue.my_footprint"),
        )
    elif shown.organisation_average is not None and shown.total_annualised > shown.organisation_average:
        suggestion = Suggestion(
            50, str(_l("See what keeping your devices longer saves.")), url_for("catalogue.my_footprint")
        )
    return {"footprint": shown, "suggestion": suggestion}


@dataclass(frozen=True)
class OpenOrder:
    """One of my orders on its way, as the home panel shows it."""

    id: int
    status: str
    manufacturer: str
    name: str


def open_order_count_column(user_id: sa.ColumnElement[int]) -> sa.ScalarSelect[int]:
    """How many orders of a user are on their way, as a column of a statement selecting users (the count
    `OPEN_ORDERS` read with the session user: the home page reads the orders only when there are some)."""
    return sa.select(sa.func.count(Order.id)).where(_open_orders_of(user_id)).scalar_subquery()


OPEN_ORDERS = Count("catalogue.open_orders", open_order_count_column)


def home_orders(user: User, now: datetime) -> dict[str, Any] | None:
    """My orders still on their way, and for a manager the requests waiting for a decision; None if neither."""
    open_orders = []
    if user_counts(user).get(OPEN_ORDERS.key):
        open_orders = [OpenOrder(*row) for row in db.session.execute(_OPEN_ORDERS, {"user_id": user.id})]
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
