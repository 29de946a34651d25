"""Where people work: communes of the metropolis, sites (buildings) and the org chart."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import reference_cache
from portal.models import Model


class Commune(Model):
    """One of the 28 communes of Bordeaux Métropole."""

    __tablename__ = "commune"

    insee: Mapped[str] = mapped_column(sa.String(5), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    postcodes: Mapped[str] = mapped_column(sa.String(80))  # space-separated, as published by La Poste
    lat: Mapped[Decimal] = mapped_column(sa.Numeric(8, 5))
    lon: Mapped[Decimal] = mapped_column(sa.Numeric(8, 5))

    @property
    def postcode_list(self) -> list[str]:
        return self.postcodes.split()

    def __repr__(self) -> str:
        return f"<Commune {self.insee} {self.name}>"


class Site(Model):
    """A building where employees work."""

    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    address: Mapped[str] = mapped_column(sa.String(200))
    commune_insee: Mapped[str] = mapped_column(sa.ForeignKey("commune.insee"), index=True)
    lat: Mapped[Decimal] = mapped_column(sa.Numeric(8, 5))
    lon: Mapped[Decimal] = mapped_column(sa.Numeric(8, 5))

    commune: Mapped[Commune] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Site {self.code}>"


class OrgUnit(Model):
    """A direction or a service; services belong to a direction (any depth allowed)."""

    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    kind: Mapped[str] = mapped_column(sa.String(20), default="service")  # direction | service
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[OrgUnit]] = relationship(back_populates="parent")

    def __repr__(self) -> str:
        return f"<OrgUnit {self.code}>"


# The locator keeps the communes per web worker: any change of them drops them everywhere.
reference_cache.track(Commune)
