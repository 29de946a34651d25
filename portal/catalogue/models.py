"""Catalogue, factor library, asset inventory and equipment orders."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import reference_cache
from portal.accounts.models import User
from portal.models import Model, TimestampMixin, UTCDateTime, utcnow
from portal.org.models import Site

KG = sa.Numeric(12, 4)  # kgCO₂e and kWh: four decimals keep grams exact


class Factor(Model):
    """A category's reference values (or a scalar factor such as the electricity mix), editable by admins.

    Every change creates a new FactorVersion; the row holds the current values and version number.
    """

    __tablename__ = "factor"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40), unique=True)  # category key, or e.g. "electricity_fr"
    kind: Mapped[str] = mapped_column(sa.String(20))  # category | scalar
    fabrication_kgco2e: Mapped[Decimal | None] = mapped_column(KG)
    distribution_kgco2e: Mapped[Decimal | None] = mapped_column(KG)
    end_of_life_kgco2e: Mapped[Decimal | None] = mapped_column(KG)
    lifetime_years: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    annual_kwh: Mapped[Decimal | None] = mapped_column(KG)
    value: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 6))  # scalar factors
    unit: Mapped[str] = mapped_column(sa.String(40), default="")
    low_ratio: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 4))  # range: value × (1 − r) .. × (1 + r)
    quality: Mapped[str] = mapped_column(sa.String(20))
    source: Mapped[str] = mapped_column(sa.String(300))
    source_year: Mapped[int] = mapped_column()
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    # The yardstick of the A–E label in this category (kgCO₂e/year) and where it comes from.
    reference_annualised_kgco2e: Mapped[Decimal | None] = mapped_column(KG)
    reference_source: Mapped[str] = mapped_column(sa.String(300), default="")
    version: Mapped[int] = mapped_column(default=1)

    versions: Mapped[list[FactorVersion]] = relationship(
        back_populates="factor", order_by="FactorVersion.version.desc()", cascade="all, delete-orphan"
    )


class FactorVersion(Model):
    """A snapshot of a factor after a change: who, when, and every value (orders keep the one they used)."""

    __tablename__ = "factor_version"
    __table_args__ = (sa.UniqueConstraint("factor_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    factor_id: Mapped[int] = mapped_column(sa.ForeignKey("factor.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column()
    values: Mapped[dict[str, str | None]] = mapped_column(sa.JSON)  # field → value as text (Decimal-safe)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    comment: Mapped[str] = mapped_column(sa.String(300), default="")

    factor: Mapped[Factor] = relationship(back_populates="versions")
    changed_by: Mapped[User | None] = relationship()


class CatalogueItem(TimestampMixin, Model):
    """An orderable equipment model, with its footprint inputs and the results computed from them."""

    __tablename__ = "catalogue_item"
    __table_args__ = (
        sa.CheckConstraint("price_eur >= 0", name="price_positive"),
        sa.CheckConstraint("lifetime_years IS NULL OR lifetime_years > 0", name="lifetime_positive"),
        sa.Index("ix_catalogue_item_category_annualised", "category", "annualised_kgco2e"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(sa.String(80), unique=True)
    category: Mapped[str] = mapped_column(sa.String(20), index=True)
    manufacturer: Mapped[str] = mapped_column(sa.String(80))
    name: Mapped[str] = mapped_column(sa.String(200))
    refurbished: Mapped[bool] = mapped_column(default=False, index=True)
    refurbished_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("catalogue_item.id"), index=True)
    price_eur: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    active: Mapped[bool] = mapped_column(default=True)

    # Inputs (None: the category value is used and the result is marked estimated).
    fabrication_kgco2e: Mapped[Decimal | None] = mapped_column(KG)
    distribution_kgco2e: Mapped[Decimal | None] = mapped_column(KG)
    end_of_life_kgco2e: Mapped[Decimal | None] = mapped_column(KG)
    lifetime_years: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    annual_kwh: Mapped[Decimal | None] = mapped_column(KG)
    error_ratio: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 4))  # ± share on embodied
    quality: Mapped[str] = mapped_column(sa.String(20))  # of the inputs given: manufacturer | generic | estimated
    source: Mapped[str] = mapped_column(sa.String(300))
    source_year: Mapped[int | None] = mapped_column()
    source_url: Mapped[str | None] = mapped_column(sa.String(500))

    # Main specs (which ones depend on the category: portal.catalogue.specs); the names of those that are demo
    # values rather than the manufacturer's, space-separated.
    screen_inches: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 1), index=True)
    memory_gb: Mapped[int | None] = mapped_column()
    storage_gb: Mapped[int | None] = mapped_column()
    processor_class: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    weight_kg: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    spec_demo_fields: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")

    # Results, recomputed whenever the item or its category's factors change (filter and sort in SQL).
    embodied_kgco2e: Mapped[Decimal] = mapped_column(KG, default=Decimal(0))
    annual_use_kgco2e: Mapped[Decimal] = mapped_column(KG, default=Decimal(0))
    annualised_kgco2e: Mapped[Decimal] = mapped_column(KG, default=Decimal(0), index=True)
    label: Mapped[str] = mapped_column(sa.String(1), default="C", index=True)
    result_quality: Mapped[str] = mapped_column(sa.String(20), default="estimated")

    refurbished_of: Mapped[CatalogueItem | None] = relationship(remote_side=[id])


class AssetStatus(StrEnum):
    """Where a device is in its life (the ITSM link maps the ITSM's install statuses onto these)."""

    IN_USE = "in_use"
    TO_RETURN = "to_return"
    RETURNED = "returned"
    RECYCLED = "recycled"
    IN_STOCK = "in_stock"
    ON_ORDER = "on_order"
    IN_TRANSIT = "in_transit"
    IN_MAINTENANCE = "in_maintenance"
    MISSING = "missing"
    RETIRED = "retired"  # retired in the ITSM without saying how it left (recycled or returned)


#: Devices still in the estate (not returned, recycled, retired, nor on order), in SQL as written by the partial
#: index below: a query repeating these words exactly (portal.estate.pages) can walk that index.
IN_ESTATE_SQL = "status NOT IN ('returned', 'recycled', 'retired', 'on_order')"


class Asset(TimestampMixin, Model):
    """A device of the inventory, assigned to an employee (imported from the ITSM or created by a delivery)."""

    __tablename__ = "asset"
    # The estate's fleet page lists the devices still in the estate oldest first, a page at a time: walked in
    # this order, past none of the (older) devices already gone, and not sorted.
    __table_args__ = (
        sa.Index(
            "ix_asset_in_service_acquired",
            "acquired_on",
            "id",
            sqlite_where=sa.text(IN_ESTATE_SQL),
            postgresql_where=sa.text(IN_ESTATE_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_tag: Mapped[str] = mapped_column(sa.String(40), unique=True)
    serial: Mapped[str] = mapped_column(sa.String(80), default="")
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("catalogue_item.id"), index=True)
    category: Mapped[str] = mapped_column(sa.String(20))
    model_name: Mapped[str] = mapped_column(sa.String(200))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    acquired_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(20), default=AssetStatus.IN_USE.value, index=True)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Read from the ITSM when the device comes from its Table API (portal.itsm); empty otherwise.
    sys_id: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    substatus: Mapped[str] = mapped_column(sa.String(40), default="")
    cost_eur: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("site.id"), index=True)
    installed_on: Mapped[date | None] = mapped_column(sa.Date)
    retired_on: Mapped[date | None] = mapped_column(sa.Date)
    # The ITSM's model is not mapped to a catalogue item or a category yet: the footprint is the default of a
    # category guessed from the ITSM's model category, shown as an estimate.
    model_estimated: Mapped[bool] = mapped_column(default=False)

    item: Mapped[CatalogueItem | None] = relationship()
    user: Mapped[User | None] = relationship()
    site: Mapped[Site | None] = relationship()


class OrderStatus(StrEnum):
    """submitted → approved | refused → delivered; cancelled by the requester before a decision."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    REFUSED = "refused"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class Order(TimestampMixin, Model):
    """An equipment request, with the item's footprint, factors and price frozen when it was made."""

    __tablename__ = "equipment_order"
    __table_args__ = (sa.CheckConstraint("quantity BETWEEN 1 AND 10", name="quantity_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    approver_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)  # manager at request
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("catalogue_item.id"), index=True)
    replaces_asset_id: Mapped[int | None] = mapped_column(sa.ForeignKey("asset.id"))
    # Why a device is added rather than replacing one of the same category the requester already has.
    additional_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    quantity: Mapped[int] = mapped_column(default=1)
    justification: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), default=OrderStatus.SUBMITTED.value, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_comment: Mapped[str] = mapped_column(sa.Text, default="")
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Frozen at request time, per unit.
    unit_price_eur: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    embodied_kgco2e: Mapped[Decimal] = mapped_column(KG)
    annual_use_kgco2e: Mapped[Decimal] = mapped_column(KG)
    annualised_kgco2e: Mapped[Decimal] = mapped_column(KG)
    lifetime_years: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    label: Mapped[str] = mapped_column(sa.String(1))
    result_quality: Mapped[str] = mapped_column(sa.String(20))
    factor_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("factor_version.id"))
    electricity_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("factor_version.id"))

    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    approver: Mapped[User | None] = relationship(foreign_keys=[approver_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    item: Mapped[CatalogueItem] = relationship()
    replaces_asset: Mapped[Asset | None] = relationship()
    factor_version: Mapped[FactorVersion | None] = relationship(foreign_keys=[factor_version_id])
    electricity_version: Mapped[FactorVersion | None] = relationship(foreign_keys=[electricity_version_id])

    @property
    def total_embodied_kgco2e(self) -> Decimal:
        return self.embodied_kgco2e * self.quantity

    @property
    def total_annualised_kgco2e(self) -> Decimal:
        return self.annualised_kgco2e * self.quantity


# The catalogue's pages keep the factors and the items per web worker: any change of these rows drops them everywhere.
reference_cache.track(Factor, CatalogueItem)
