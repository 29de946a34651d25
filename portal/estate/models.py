"""The estate's frozen figures and settings: monthly snapshots of the indicators (each recompute a new version),
the reference year, the detour factor and delivery vehicle, and the depot of each intervention team."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import reference_cache
from portal.accounts.models import User
from portal.catalogue.models import Asset
from portal.models import Model, UTCDateTime, utcnow
from portal.org.models import Site


class EstateSettings(Model):
    """The estate's one row of settings (id 1)."""

    __tablename__ = "estate_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The "initial stage used as a benchmark": every page compares with it.
    reference_year: Mapped[int | None] = mapped_column()
    detour_factor: Mapped[Decimal] = mapped_column(sa.Numeric(4, 2), default=Decimal("1.3"))
    # Deliveries of orders leave from this site (the IT stockroom) by this vehicle.
    delivery_site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("site.id"))
    delivery_vehicle: Mapped[str] = mapped_column(sa.String(40), default="van")
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    delivery_site: Mapped[Site | None] = relationship()


class Depot(Model):
    """Where an intervention team (an ITSM assignment group) leaves from, and in which vehicle."""

    __tablename__ = "estate_depot"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_group: Mapped[str] = mapped_column(sa.String(160), unique=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"), index=True)
    vehicle: Mapped[str] = mapped_column(sa.String(40))  # a vehicle factor key, e.g. car_diesel_compact

    site: Mapped[Site] = relationship()


class Snapshot(Model):
    """The indicators of a month (1 January to the month's end, or to yesterday while the month is open) as computed
    once; a recompute is a new version.

    The latest version of a month is the one shown; older ones stay, with who asked for the recompute and why.
    """

    __tablename__ = "estate_snapshot"
    __table_args__ = (sa.UniqueConstraint("year", "month", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column()
    month: Mapped[int] = mapped_column()
    version: Mapped[int] = mapped_column(default=1)
    # The last day counted: the month's last day, or the day before the computation for a month still open.
    ends_on: Mapped[date] = mapped_column(sa.Date)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    computed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    # Factor key → version of the factor library used (electricity, categories, vehicles).
    factor_versions: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    seconds: Mapped[Decimal] = mapped_column(sa.Numeric(10, 3), default=Decimal(0))

    computed_by: Mapped[User | None] = relationship()


class IndicatorValue(Model):
    """One indicator of a snapshot for one scope: the organisation, a unit (with sub-units), a site, a category."""

    __tablename__ = "estate_indicator_value"
    __table_args__ = (
        # Every page reads one snapshot's scopes (one key of a kind, or a whole kind) from this index.
        sa.Index("ix_estate_indicator_value_snapshot_scope", "snapshot_id", "scope", "scope_key", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(sa.ForeignKey("estate_snapshot.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(40))
    convention: Mapped[str] = mapped_column(sa.String(12), default="")  # "" when the convention plays no part
    scope: Mapped[str] = mapped_column(sa.String(10))  # org | unit | site | category | model
    scope_key: Mapped[str] = mapped_column(sa.String(200), default="")
    value: Mapped[Decimal] = mapped_column(sa.Numeric(18, 6))
    unit: Mapped[str] = mapped_column(sa.String(20))


class TripFigure(Model):
    """A trip as a snapshot counted it (an intervention, a transfer line or a delivery): /estate/trips reads these
    rows, so the page shows the frozen figures of the period and recomputes nothing."""

    __tablename__ = "estate_trip"
    __table_args__ = (sa.Index("ix_estate_trip_snapshot_kind", "snapshot_id", "kind", "ref_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(sa.ForeignKey("estate_snapshot.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(12))  # intervention | transfer | order
    ref_id: Mapped[int] = mapped_column()  # the intervention's, transfer line's or order's id
    day: Mapped[date | None] = mapped_column(sa.Date)  # a shipment's day
    quantity: Mapped[int] = mapped_column(default=1)
    site_id: Mapped[int | None] = mapped_column()  # the intervention's site or the destination (no FK: frozen)
    unit_id: Mapped[int | None] = mapped_column()  # the device holder's unit (shipments)
    one_way_km: Mapped[Decimal] = mapped_column(sa.Numeric(12, 3))
    vehicle_km: Mapped[Decimal] = mapped_column(sa.Numeric(14, 3))
    vehicle: Mapped[str] = mapped_column(sa.String(40))
    kgco2e: Mapped[Decimal] = mapped_column(sa.Numeric(14, 6))
    estimated: Mapped[bool] = mapped_column(default=False)


# /estate/devices keeps its pages per worker under the reference generation: every change of a device renews it;
# /estate/settings keeps its forms (the depots, the sites to choose from) the same way.
reference_cache.track(Asset, Depot, Site)
