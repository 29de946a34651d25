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
from portal.catalogue.footprints import FactorSet, item_footprint, load_factor_set
from portal.catalogue.models import Asset, AssetStatus, CatalogueItem
from portal.footprint import (
    EquipmentInputs,
    Figure,
    Footprint,
    calculate,
    keep_longer_saving,
    past_half_life,
    unused_embodied,
)
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

    @property
    def past_half_life(self) -> bool:
        """Past half its expected lifetime: "keep it 12 more months"; younger: "keep it to its lifetime"."""
        return past_half_life(self.footprint, self.age_years)

    @property
    def unused_embodied(self) -> Figure:
        """The share of its manufacture that replacing it now would throw away."""
        return unused_embodied(self.footprint, self.age_years)


@dataclass(frozen=True)
class MyFootprint:
    """My devices and the totals the page shows."""

    devices: list[DeviceFootprint]
    total_annualised: Figure | None
    annual_embodied: Decimal
    annual_use: Decimal
    organisation_average: Decimal | None

    @property
    def in_use(self) -> list[DeviceFootprint]:
        """The devices I use."""
        return [d for d in self.devices if d.asset.status != AssetStatus.TO_RETURN.value]

    @property
    def to_return(self) -> list[DeviceFootprint]:
        """The devices I must return: they count until they are returned."""
        return [d for d in self.devices if d.asset.status == AssetStatus.TO_RETURN.value]

    @property
    def embodied_share(self) -> Decimal | None:
        total = self.annual_embodied + self.annual_use
        return self.annual_embodied / total if total else None


def asset_footprint(asset: Asset, factor_set: FactorSet) -> Footprint:
    """The device's footprint: its catalogue model's, or its category's (estimated) when the model is unknown."""
    if asset.item is not None:
        return item_footprint(asset.item, factor_set)
    return calculate(EquipmentInputs(asset.category), factor_set.electricity, factor_set.references[asset.category])


def shared_asset_footprint(asset: Asset, factor_set: FactorSet) -> Footprint:
    """`asset_footprint` with the library's factor set, kept by the portal's cache per catalogue item (per
    category for a device of unknown model): every device of a model has the same, until the catalogue or the
    factors change. An item with unsaved changes is computed afresh."""
    item = asset.item
    if item is not None and (item.id is None or sa.inspect(item).modified):
        return asset_footprint(asset, factor_set)
    key = ("item", item.id) if item is not None else ("category", asset.category)
    return reference_cache.cached("catalogue.device_footprint", key, lambda: asset_footprint(asset, factor_set))


def today_in_paris() -> date:
    """Today's date in Europe/Paris (the server may run in UTC)."""
    return datetime.now(PARIS).date()


def age_in_years(acquired_on: date, today: date) -> Decimal:
    """Age of a device in years (two decimals)."""
    return (Decimal((today - acquired_on).days) / DAYS_PER_YEAR).quantize(Decimal("0.01"))


# Built once: my footprint runs it on every visit (a built statement keeps its cache key).
_MY_DEVICES = (
    sa.select(Asset)
    .where(Asset.user_id == sa.bindparam("user_id", type_=sa.Integer), Asset.status.in_(CURRENT_STATUSES))
    .options(joinedload(Asset.item))
    .order_by(Asset.acquired_on, Asset.id)
)


def my_footprint(user: User, factor_set: FactorSet, *, today: date) -> MyFootprint:
    """My current devices with their footprint, the total, the embodied/use split and the organisation average."""
    assets = db.session.scalars(_MY_DEVICES, {"user_id": user.id}).all()
    devices = device_footprints(list(assets), factor_set, today=today)
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
    """My devices marked to be returned at a collection point, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Asset)
            .where(Asset.user_id == user.id, Asset.status == AssetStatus.TO_RETURN.value)
            .order_by(Asset.acquired_on, Asset.id)
        )
    )


def replaceable_assets(user: User, *, category: str | None = None) -> list[Asset]:
    """My devices in use that a new order could replace (of one category if given), oldest first."""
    statement = (
        sa.select(Asset)
        .where(Asset.user_id == user.id, Asset.status == AssetStatus.IN_USE.value)
        .options(joinedload(Asset.item))
        .order_by(Asset.acquired_on, Asset.id)
    )
    if category is not None:
        statement = statement.where(Asset.category == category)
    return list(db.session.scalars(statement))


def device_footprints(assets: list[Asset], factor_set: FactorSet, *, today: date) -> list[DeviceFootprint]:
    """Each device with its age, footprint and what keeping it 12 more months saves."""
    devices = []
    footprint_of = shared_asset_footprint if factor_set is load_factor_set() else asset_footprint
    for asset in assets:
        footprint = footprint_of(asset, factor_set)
        age = age_in_years(asset.acquired_on, today)
        devices.append(DeviceFootprint(asset, age, footprint, keep_longer_saving(footprint, age, 12)))
    return devices


def current_devices_of_requesters(
    pairs: set[tuple[int, str]], factor_set: FactorSet, *, today: date
) -> dict[tuple[int, str], list[DeviceFootprint]]:
    """For each (employee id, category), the employee's current devices of that category (in use or to return),
    in one query: what a manager sees next to a request."""
    if not pairs:
        return {}
    assets = db.session.scalars(
        sa.select(Asset)
        .where(
            Asset.user_id.in_({user_id for user_id, _ in pairs}),
            Asset.category.in_({category for _, category in pairs}),
            Asset.status.in_(CURRENT_STATUSES),
        )
        .options(joinedload(Asset.item))
        .order_by(Asset.acquired_on, Asset.id)
    ).all()
    found: dict[tuple[int, str], list[DeviceFootprint]] = {pair: [] for pair in pairs}
    for device in device_footprints(list(assets), factor_set, today=today):
        key = (device.asset.user_id, device.asset.category)
        if key in found:
            found[key].append(device)
    return found
