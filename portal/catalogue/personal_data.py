"""The devices and equipment requests of a person, and what is kept of them once the person is gone."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.catalogue.models import Asset, Order
from portal.database import affected_rows
from portal.models import db
from portal.personal_data import Tables


def devices_and_orders(user: User) -> Tables:
    """The devices assigned to the person and the equipment they requested."""
    assets = db.session.scalars(sa.select(Asset).where(Asset.user_id == user.id).order_by(Asset.acquired_on))
    orders = db.session.scalars(
        sa.select(Order).options(selectinload(Order.item), selectinload(Order.decided_by))
        .where(Order.requester_id == user.id).order_by(Order.id)
    )
    return {
        "devices": [{"asset_tag": a.asset_tag, "serial": a.serial, "category": a.category, "model": a.model_name,
                     "acquired_on": a.acquired_on, "status": a.status, "status_changed_at": a.status_changed_at}
                    for a in assets],
        "orders": [{"order": o.id, "item": o.item.name, "quantity": o.quantity, "justification": o.justification,
                    "status": o.status, "requested_at": o.created_at,
                    "decided_by": o.decided_by.full_name if o.decided_by else None, "decided_at": o.decided_at,
                    "decision_comment": o.decision_comment, "delivered_at": o.delivered_at,
                    "unit_price_eur": o.unit_price_eur, "annualised_kgco2e": o.annualised_kgco2e}
                   for o in orders],
    }


def clear_departed_order_texts(now: datetime, cutoff: datetime) -> int:
    """The free texts of a pseudonymised person's orders (their justification, the decision's comment) are
    emptied: they may name the person; the orders, their items, prices and footprints stay in the figures."""
    pseudonymised = sa.select(User.id).where(User.pseudonymised_at.is_not(None))
    result = db.session.execute(
        sa.update(Order)
        .where(Order.requester_id.in_(pseudonymised), sa.or_(Order.justification != "", Order.decision_comment != ""))
        .values(justification="", decision_comment="")
        .execution_options(synchronize_session=False)
    )
    return affected_rows(result)
