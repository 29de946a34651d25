"""An employee's devices and their footprint, compared with the organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from portal import reference_cache
from portal.accounts.models import User
from portal.catalogue.footprints import FactorSet, item_footprint
from portal.catalogue.models import Asset, AssetStatus, CatalogueItem
from portal.footprint import EquipmentInputs, Figure, Footprint, calculate, keep_longer_saving
from portal.models import db
from portal.timezone import PARIS

DAYS_PER_YEAR = Decimal("365.25")
#: Devices that still weigh on the employee's footprint.
CURRENT_STATUSES = (AssetStatus.IN_USE.value, AssetStatus.TO_RETURN.value)


@dataclass(frozen=True)
class DeviceFootprint:
    """One of my devices, its age and what keeping it longer saves."""

    asset: Asset
    age_years: Decimal
    footprint: Footprint
    keep_12_months_saving: Figure


@dataclass(frozen=True)
class MyFootprint:
    """My devices and the totals the page shows."""

    devices: list[DeviceFootprint]
    total_annualised: Figure | None
    annual_embodied: Decimal
    annual_use: Decimal
    organisation_average: Decimal | None

    @property
    def embodied_share(self) -> Decimal | None:
        total = self.annual_embodied + self.annual_use
        return self.annual_embodied / total if total else None


def asset_footprint(asset: Asset, factor_set: FactorSet) -> Footprint:
    """The device's footprint: its catalogue model's, or its category's (estimated) when the model is unknown."""
    if asset.item is not None:
        return item_footprint(asset.item, factor_set)
    return calculate(EquipmentInputs(asset.category), factor_set.electricity, factor_set.references[asset.category])


def today_in_paris() -> date:
    """Today's date in Europe/Paris (the server may run in UTC)."""
    return datetime.now(PARIS).date()


def age_in_years(acquired_on: date, today: date) -> Decimal:
    """Age of a device in years (two decimals)."""
    return (Decimal((today - acquired_on).days) / DAYS_PER_YEAR).quantize(Decimal("0.01"))


def my_footprint(user: User, factor_set: FactorSet, *, today: date) -> MyFootprint:
    """My current devices with their footprint, the total, the embodied/use split and the organisation average."""
    assets = db.session.scalars(
        sa.select(Asset)
        .where(Asset.user_id == user.id, Asset.status.in_(CURRENT_STATUSES))
        .options(joinedload(Asset.item))
        .order_by(Asset.acquired_on, Asset.id)
    ).all()
    devices = []
    for asset in assets:
        footprint = asset_footprint(asset, factor_set)
        age = age_in_years(asset.acquired_on, today)
        devices.append(DeviceFootprint(asset, age, footprint, keep_longer_saving(footprint, age, 12)))
    total = None
    for device in devices:
        total = device.footprint.annualised if total is None else total + device.footprint.annualised
    return MyFootprint(
        devices=devices,
        total_annualised=total,
        annual_embodied=sum((d.footprint.annual_embodied.value for d in devices), Decimal(0)),
        annual_use=sum((d.footprint.annual_use.value for d in devices), Decimal(0)),
        organisation_average=organisation_average(factor_set),
    )


def category_annualised(factor_set: FactorSet) -> dict[str, Decimal]:
    """Annualised footprint of each category's reference device (for devices of unknown model)."""
    return {
        key: calculate(EquipmentInputs(key), factor_set.electricity, ref).annualised.value
        for key, ref in factor_set.references.items()
    }


def organisation_average(factor_set: FactorSet) -> Decimal | None:
    """Average annualised footprint of the devices per active employee, kept by the portal's cache.

    It scans every device (60,000 at full scale, ~50 ms) and moves slowly: a change of the factors or items
    renews the generation, and PORTAL_AVERAGE_CACHE_SECONDS bounds how long devices and employees added or
    removed since go unseen.
    """
    max_seconds = float(current_app.config.get("PORTAL_AVERAGE_CACHE_SECONDS", 300))
    return reference_cache.cached(
        "catalogue.organisation_average", None, lambda: _organisation_average(factor_set), max_seconds=max_seconds
    )


def _organisation_average(factor_set: FactorSet) -> Decimal | None:
    by_category = category_annualised(factor_set)
    per_device = sa.func.coalesce(
        CatalogueItem.annualised_kgco2e,
        sa.case(*((Asset.category == key, value) for key, value in by_category.items()), else_=0),
    )
    total = db.session.scalar(
        sa.select(sa.func.sum(per_device))
        .select_from(Asset)
        .outerjoin(CatalogueItem, Asset.item_id == CatalogueItem.id)
        .join(User, Asset.user_id == User.id)
        .where(Asset.status.in_(CURRENT_STATUSES), User.active.is_(True))
    )
    employees = db.session.scalar(sa.select(sa.func.count(User.id)).where(User.active.is_(True)))
    if not employees or total is None:
        return None
    return (Decimal(total) / employees).quantize(Decimal("0.01"))


def assets_to_return(user: User) -> list[Asset]:
    """My devices marked to be returned at a collection point."""
    return list(
        db.session.scalars(
            sa.select(Asset).where(Asset.user_id == user.id, Asset.status == AssetStatus.TO_RETURN.value)
        )
    )


def replaceable_assets(user: User) -> list[Asset]:
    """My devices in use that a new order could replace."""
    return list(
        db.session.scalars(
            sa.select(Asset)
            .where(Asset.user_id == user.id, Asset.status == AssetStatus.IN_USE.value)
            .options(joinedload(Asset.item))
            .order_by(Asset.acquired_on)
        )
    )
