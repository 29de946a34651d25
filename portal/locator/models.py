"""Collection points, the devices employees return there, and the weight collected at each point."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import reference_cache
from portal.accounts.models import User
from portal.catalogue.models import Asset
from portal.models import Model, TimestampMixin, UTCDateTime, utcnow
from portal.org.models import Commune

#: What the points may accept, in display order (the `accepted` column holds a `;`-separated subset).
ITEM_KEYS: tuple[str, ...] = (
    "smartphone",
    "laptop",
    "tablet",
    "charger_cable",
    "small_digital",
    "small_electrical",
)


class CollectionPoint(TimestampMixin, Model):
    """A place where employees drop obsolete devices (typically a town hall), with its opening hours.

    `hours` and `closures` keep the compact text forms of `portal.locator.hours` (validated on the way in):
    the same text an admin types, imports and exports.
    """

    __tablename__ = "collection_point"
    __table_args__ = (
        sa.CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="coordinates_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable key of imports and exports (the demo uses the commune's INSEE code).
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    commune_insee: Mapped[str] = mapped_column(sa.ForeignKey("commune.insee"), index=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    address: Mapped[str] = mapped_column(sa.String(200))
    postcode: Mapped[str] = mapped_column(sa.String(5))
    lat: Mapped[Decimal] = mapped_column(sa.Numeric(8, 5))
    lon: Mapped[Decimal] = mapped_column(sa.Numeric(8, 5))
    hours: Mapped[str] = mapped_column(sa.String(400), default="")
    closures: Mapped[str] = mapped_column(sa.Text, default="")
    accepted: Mapped[str] = mapped_column(sa.String(200), default="")
    access_notes: Mapped[str] = mapped_column(sa.Text, default="")
    contact: Mapped[str] = mapped_column(sa.String(80), default="")
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    commune: Mapped[Commune] = relationship(lazy="joined")

    @property
    def accepted_items(self) -> list[str]:
        """The accepted item keys, in the canonical order of ITEM_KEYS."""
        given = set(self.accepted.split(";")) if self.accepted else set()
        return [key for key in ITEM_KEYS if key in given]

    def accepts(self, item: str) -> bool:
        return item in self.accepted_items

    def __repr__(self) -> str:
        return f"<CollectionPoint {self.code}>"


class DeviceReturn(Model):
    """An employee's declaration that they dropped devices at a point; an admin confirms the receipt.

    Either one inventory asset (`asset_id`, quantity 1) or personal devices of one type and a count.
    """

    __tablename__ = "device_return"
    __table_args__ = (
        sa.CheckConstraint("quantity BETWEEN 1 AND 20", name="quantity_range"),
        sa.CheckConstraint("asset_id IS NULL OR quantity = 1", name="one_asset"),
        # Covering: the devices returned over a period (every locator page) are summed from the index alone.
        sa.Index("ix_device_return_declared_at_quantity", "declared_at", "quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(sa.ForeignKey("collection_point.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # An asset is returned once: unique (NULLs, personal devices, do not collide).
    asset_id: Mapped[int | None] = mapped_column(sa.ForeignKey("asset.id"), unique=True)
    item: Mapped[str] = mapped_column(sa.String(20))
    quantity: Mapped[int] = mapped_column(default=1)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    point: Mapped[CollectionPoint] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    asset: Mapped[Asset | None] = relationship()
    received_by: Mapped[User | None] = relationship(foreign_keys=[received_by_id])

    @property
    def is_received(self) -> bool:
        return self.received_at is not None


class CollectionWeighing(TimestampMixin, Model):
    """The weight of what was collected at a point on a day, recorded by an admin."""

    __tablename__ = "collection_weighing"
    __table_args__ = (sa.CheckConstraint("weight_kg > 0", name="weight_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(sa.ForeignKey("collection_point.id"), index=True)
    collected_on: Mapped[date] = mapped_column(sa.Date, index=True)
    weight_kg: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    point: Mapped[CollectionPoint] = relationship()
    recorded_by: Mapped[User | None] = relationship()


# Pages keep the points and the year's totals per web worker: any change of these rows drops them everywhere.
reference_cache.track(CollectionPoint, DeviceReturn, CollectionWeighing)
