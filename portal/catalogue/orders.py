"""Equipment orders: request with sober alternatives, manager approval, delivery into the inventory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.catalogue.footprints import ELECTRICITY_KEY, FactorSet, FactorValues, item_footprint
from portal.catalogue.models import Asset, AssetStatus, CatalogueItem, FactorVersion, Order, OrderStatus
from portal.catalogue.my_footprint import replaceable_assets
from portal.decisions import lock, record_decision
from portal.domain_error import DomainError
from portal.main.services import notify
from portal.models import db, utcnow
from portal.timezone import PARIS

OPEN_STATUSES = (OrderStatus.SUBMITTED.value, OrderStatus.APPROVED.value)
#: Orders counted in a team's yearly footprint: what was, or will be, bought.
COUNTED_STATUSES = (OrderStatus.APPROVED.value, OrderStatus.DELIVERED.value)


class OrderError(DomainError):
    """An order action that is not allowed in the order's state; the words are `display.ORDER_ERRORS`."""

    domain = "catalogue"
    table = "ORDER_ERRORS"


def _current_version(factor: FactorValues) -> FactorVersion | None:
    return db.session.scalar(
        sa.select(FactorVersion).where(FactorVersion.factor_id == factor.id, FactorVersion.version == factor.version)
    )


def place_order(
    *,
    requester: User,
    item: CatalogueItem,
    quantity: int,
    justification: str,
    replaces: Asset | None,
    factor_set: FactorSet,
    additional_reason: str = "",
) -> Order:
    """Record a request, freezing the item's footprint, factor versions and price as they are now.

    A requester who already has a device of the item's category in use says which one it replaces (it will be
    returned on delivery) or why she needs one more: the portal aims at fewer devices, not more.
    """
    if not 1 <= quantity <= 10:
        raise OrderError("quantity")
    if replaces is not None and (
        replaces.user_id != requester.id
        or replaces.status != AssetStatus.IN_USE.value
        or replaces.category != item.category
    ):
        raise OrderError("replaced_asset")
    additional_reason = "" if replaces is not None else additional_reason.strip()
    if replaces is None and not additional_reason and replaceable_assets(requester, category=item.category):
        raise OrderError("additional_reason")
    footprint = item_footprint(item, factor_set)
    order = Order(
        requester=requester,
        approver=requester.manager,
        item=item,
        quantity=quantity,
        justification=justification.strip(),
        replaces_asset=replaces,
        additional_reason=additional_reason,
        status=OrderStatus.SUBMITTED.value,
        unit_price_eur=item.price_eur,
        embodied_kgco2e=footprint.net_embodied.value.quantize(Decimal("0.0001")),
        annual_use_kgco2e=footprint.annual_use.value.quantize(Decimal("0.0001")),
        annualised_kgco2e=footprint.annualised.value.quantize(Decimal("0.0001")),
        lifetime_years=footprint.lifetime_years.value,
        label=item.label,
        result_quality=footprint.quality.value,
        factor_version=_current_version(factor_set.factors[item.category]),
        electricity_version=_current_version(factor_set.factors[ELECTRICITY_KEY]),
    )
    db.session.add(order)
    db.session.flush()
    return order


def can_see(order: Order, user: User) -> bool:
    """Only the requester, the approving manager and admins see an order."""
    return user.id in (order.requester_id, order.approver_id) or user.has_role("admin")


def can_decide(order: Order, user: User) -> bool:
    """The requester's manager (at the time of the request) decides; admins decide when there is none."""
    if order.approver_id is not None:
        return user.id == order.approver_id
    return user.has_role("admin")


def visible_order(order_id: int, user: User) -> Order | None:
    """The order if this user may see it, else None (the route answers 404: no hint that it exists)."""
    order = db.session.get(Order, order_id, options=[joinedload(Order.item), joinedload(Order.requester)])
    return order if order is not None and can_see(order, user) else None


def decide(order: Order, *, approver: User, approve: bool, comment: str) -> None:
    """Approve or refuse a submitted request; the requester gets a notice."""
    allowed = can_decide(order, approver)
    record_decision(order, approver, approve, comment, allowed=allowed, error=OrderError, not_allowed="not_approver")
    notify(
        order.requester,
        "order_approved" if approve else "order_refused",
        {"item": order.item.name, "order_id": order.id},
    )
    db.session.flush()


def cancel(order: Order, *, requester: User) -> None:
    """The requester withdraws a request before it is decided."""
    if order.requester_id != requester.id:
        raise OrderError("not_requester")
    lock(order)
    if order.status != OrderStatus.SUBMITTED.value:
        raise OrderError("not_submitted")
    order.status = OrderStatus.CANCELLED.value
    db.session.flush()


def deliver(order: Order, *, today: date | None = None) -> list[Asset]:
    """Hand over an approved order: new assets for the requester; the replaced device is to be returned."""
    lock(order)
    if order.status != OrderStatus.APPROVED.value:
        raise OrderError("not_approved")
    today = today or datetime.now(PARIS).date()
    assets = []
    for n in range(1, order.quantity + 1):
        asset = Asset(
            asset_tag=f"CMD{order.id:06d}-{n}",
            item=order.item,
            category=order.item.category,
            model_name=f"{order.item.manufacturer} {order.item.name}",
            user=order.requester,
            acquired_on=today,
            status=AssetStatus.IN_USE.value,
        )
        db.session.add(asset)
        assets.append(asset)
    replaced = order.replaces_asset
    if replaced is not None and replaced.status == AssetStatus.IN_USE.value:
        replaced.status = AssetStatus.TO_RETURN.value
        replaced.status_changed_at = utcnow()
        notify(
            order.requester,
            "order_delivered_return",
            {"item": order.item.name, "order_id": order.id, "replaced": replaced.model_name},
        )
    else:
        notify(order.requester, "order_delivered", {"item": order.item.name, "order_id": order.id})
    order.status = OrderStatus.DELIVERED.value
    order.delivered_at = utcnow()
    db.session.flush()
    return assets


def orders_of(user: User) -> sa.Select[Order]:
    """My requests, newest first."""
    return (
        sa.select(Order)
        .where(Order.requester_id == user.id)
        .options(joinedload(Order.item))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )


def pending_for(approver: User) -> sa.Select[Order]:
    """Requests waiting for this manager's decision (admins also see those without a manager)."""
    condition = Order.approver_id == approver.id
    if approver.has_role("admin"):
        condition = sa.or_(condition, Order.approver_id.is_(None))
    return (
        sa.select(Order)
        .where(condition, Order.status == OrderStatus.SUBMITTED.value)
        .options(joinedload(Order.item), joinedload(Order.requester), joinedload(Order.replaces_asset))
        .order_by(Order.created_at, Order.id)
    )


def decided_by_me(approver: User, *, limit: int = 20) -> list[Order]:
    """My latest decisions."""
    return list(
        db.session.scalars(
            sa.select(Order)
            .where(Order.decided_by_id == approver.id)
            .options(joinedload(Order.item), joinedload(Order.requester))
            .order_by(Order.decided_at.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class TeamYear:
    """What a manager's team has ordered this year (approved or delivered)."""

    year: int
    orders: int
    embodied_kgco2e: Decimal
    annualised_kgco2e: Decimal
    price_eur: Decimal


def team_year(approver: User, *, year: int | None = None) -> TeamYear:
    """The team's approved/delivered orders of the calendar year (Europe/Paris), in one query."""
    year = year or datetime.now(PARIS).year
    start = datetime(year, 1, 1, tzinfo=PARIS)
    end = datetime(year + 1, 1, 1, tzinfo=PARIS)
    row = db.session.execute(
        sa.select(
            sa.func.count(Order.id),
            sa.func.coalesce(sa.func.sum(Order.embodied_kgco2e * Order.quantity), 0),
            sa.func.coalesce(sa.func.sum(Order.annualised_kgco2e * Order.quantity), 0),
            sa.func.coalesce(sa.func.sum(Order.unit_price_eur * Order.quantity), 0),
        ).where(
            Order.approver_id == approver.id,
            Order.status.in_(COUNTED_STATUSES),
            Order.created_at >= start,
            Order.created_at < end,
        )
    ).one()
    return TeamYear(year, row[0], Decimal(row[1]), Decimal(row[2]), Decimal(row[3]))


def to_deliver() -> sa.Select[Order]:
    """Approved orders waiting for delivery (admin)."""
    return (
        sa.select(Order)
        .where(Order.status == OrderStatus.APPROVED.value)
        .options(joinedload(Order.item), joinedload(Order.requester))
        .order_by(Order.decided_at, Order.id)
    )
