"""The devices a person declared returned at a collection point."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.locator.models import DeviceReturn
from portal.models import db
from portal.personal_data import Tables


def returns(user: User) -> Tables:
    """Every return the person declared (kept: each one counts in the points' statistics)."""
    rows = db.session.scalars(
        sa.select(DeviceReturn).options(selectinload(DeviceReturn.point), selectinload(DeviceReturn.asset))
        .where(DeviceReturn.user_id == user.id).order_by(DeviceReturn.declared_at)
    )
    return {"returns": [{"collection_point": r.point.name, "item": r.item, "quantity": r.quantity,
                         "asset_tag": r.asset.asset_tag if r.asset else None, "declared_at": r.declared_at,
                         "received_at": r.received_at} for r in rows]}
