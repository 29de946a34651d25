"""Budget lines of the IT budget, per fiscal year and org unit, and the purchases planned inside them."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import reference_cache
from portal.catalogue.models import KG, CatalogueItem
from portal.models import Model, TimestampMixin
from portal.org.models import OrgUnit

EUR = sa.Numeric(12, 2)


class Nature(StrEnum):
    """Investment (equipment bought and kept) or operating (licences, services, maintenance)."""

    INVESTMENT = "investment"
    OPERATING = "operating"


class BudgetLine(TimestampMixin, Model):
    """A line of a unit's IT budget for a calendar year: planned euros, and optionally a carbon budget."""

    __tablename__ = "budget_line"
    __table_args__ = (
        sa.UniqueConstraint("fiscal_year", "org_unit_id", "nature", "label"),
        sa.CheckConstraint("amount_eur >= 0", name="amount_positive"),
        sa.CheckConstraint("carbon_budget_kgco2e IS NULL OR carbon_budget_kgco2e >= 0", name="carbon_positive"),
        sa.CheckConstraint("nature IN ('investment', 'operating')", name="nature_known"),
        sa.Index("ix_budget_line_year_unit", "fiscal_year", "org_unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column()
    org_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    nature: Mapped[str] = mapped_column(sa.String(20))
    label: Mapped[str] = mapped_column(sa.String(200))
    amount_eur: Mapped[Decimal] = mapped_column(EUR)
    carbon_budget_kgco2e: Mapped[Decimal | None] = mapped_column(KG)

    org_unit: Mapped[OrgUnit] = relationship()
    purchases: Mapped[list[PlannedPurchase]] = relationship(
        back_populates="line", cascade="all, delete-orphan", order_by="PlannedPurchase.id"
    )


class PlannedPurchase(TimestampMixin, Model):
    """Devices a line plans to buy: a catalogue item (or a category's typical device) × quantity × unit price."""

    __tablename__ = "planned_purchase"
    __table_args__ = (
        sa.CheckConstraint("quantity >= 1", name="quantity_positive"),
        sa.CheckConstraint("unit_price_eur >= 0", name="price_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_line.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(sa.String(200))
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("catalogue_item.id", ondelete="SET NULL"), index=True)
    category: Mapped[str] = mapped_column(sa.String(20))
    quantity: Mapped[int] = mapped_column()
    unit_price_eur: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))

    line: Mapped[BudgetLine] = relationship(back_populates="purchases")
    item: Mapped[CatalogueItem | None] = relationship()


# The budget pages are kept per web worker (portal.budgets.figures.overview_body, unit_body): editing a line or a
# planned purchase drops them everywhere; orders and ITSM devices are in the keys (figures.actuals_stamp).
reference_cache.track(BudgetLine, PlannedPurchase)
