"""A manager's team: its devices, what is to be returned, its orders of the year, its footprint per employee."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.catalogue.footprints import FactorSet
from portal.catalogue.models import Asset, AssetStatus, Order
from portal.catalogue.my_footprint import CURRENT_STATUSES, age_in_years, asset_footprint
from portal.models import db
from portal.timezone import PARIS


@dataclass(frozen=True)
class MemberDevices:
    """One member of the team and the devices that weigh on their footprint."""

    member: User
    devices: int
    oldest_years: Decimal | None
    annualised_kgco2e: Decimal
    to_return: int
    overdue: int


@dataclass(frozen=True)
class DeviceToReturn:
    """A device of the team marked to be returned, and since when."""

    asset: Asset
    days_waiting: int
    overdue: bool


@dataclass(frozen=True)
class TeamOverview:
    """What the team page shows; figures in kg CO₂e per year of life (annualised)."""

    members: list[MemberDevices]
    devices: int
    average_age_years: Decimal | None
    annualised_kgco2e: Decimal
    to_return: list[DeviceToReturn]
    orders: list[Order]
    year: int
    organisation_average: Decimal | None

    @property
    def per_employee_kgco2e(self) -> Decimal | None:
        """The team's devices per member; None for a team without members."""
        return (self.annualised_kgco2e / len(self.members)).quantize(Decimal("0.01")) if self.members else None

    @property
    def overdue(self) -> int:
        return sum(1 for device in self.to_return if device.overdue)


def team_members(manager: User) -> list[User]:
    """The active employees whose manager is `manager` (direct reports only)."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.manager_id == manager.id, User.active.is_(True))
            .order_by(User.last_name, User.first_name, User.id)
        )
    )


def team_overview(
    manager: User,
    factor_set: FactorSet,
    *,
    now: datetime,
    return_days: int,
    organisation_average: Decimal | None,
) -> TeamOverview:
    """The team's current devices (in use or to return) with their footprint, ages and returns waiting more than
    `return_days` days (overdue), and the team's orders of the calendar year (Europe/Paris), in three queries."""
    members = team_members(manager)
    ids = [member.id for member in members]
    assets = (
        db.session.scalars(
            sa.select(Asset)
            .where(Asset.user_id.in_(ids), Asset.status.in_(CURRENT_STATUSES))
            .options(joinedload(Asset.item))
            .order_by(Asset.acquired_on, Asset.id)
        ).all()
        if ids
        else []
    )
    today = now.astimezone(PARIS).date()
    by_member: dict[int, list[Asset]] = defaultdict(list)
    for asset in assets:
        by_member[asset.user_id].append(asset)  # type: ignore[index]
    annualised = {asset.id: asset_footprint(asset, factor_set).annualised.value for asset in assets}
    to_return = [_waiting(asset, now, return_days) for asset in assets if asset.status == AssetStatus.TO_RETURN.value]
    ages = [age_in_years(asset.acquired_on, today) for asset in assets]
    return TeamOverview(
        members=[_member_devices(member, by_member[member.id], annualised, to_return, today) for member in members],
        devices=len(assets),
        average_age_years=(sum(ages, Decimal(0)) / len(ages)).quantize(Decimal("0.1")) if ages else None,
        annualised_kgco2e=sum(annualised.values(), Decimal(0)),
        to_return=to_return,
        orders=_orders_of_year(ids, today.year),
        year=today.year,
        organisation_average=organisation_average,
    )


def _waiting(asset: Asset, now: datetime, return_days: int) -> DeviceToReturn:
    days = max((now - asset.status_changed_at).days, 0)
    return DeviceToReturn(asset, days, days > return_days)


def _member_devices(
    member: User, assets: list[Asset], annualised: dict[int, Decimal], to_return: list[DeviceToReturn], today: date
) -> MemberDevices:
    returns = [device for device in to_return if device.asset.user_id == member.id]
    return MemberDevices(
        member=member,
        devices=len(assets),
        oldest_years=max((age_in_years(asset.acquired_on, today) for asset in assets), default=None),
        annualised_kgco2e=sum((annualised[asset.id] for asset in assets), Decimal(0)),
        to_return=len(returns),
        overdue=sum(1 for device in returns if device.overdue),
    )


def _orders_of_year(member_ids: list[int], year: int) -> list[Order]:
    if not member_ids:
        return []
    start = datetime(year, 1, 1, tzinfo=PARIS)
    end = datetime(year + 1, 1, 1, tzinfo=PARIS)
    return list(
        db.session.scalars(
            sa.select(Order)
            .where(Order.requester_id.in_(member_ids), Order.created_at >= start, Order.created_at < end)
            .options(joinedload(Order.item), joinedload(Order.requester))
            .order_by(Order.created_at.desc(), Order.id.desc())
        )
    )
