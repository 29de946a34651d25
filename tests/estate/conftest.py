"""Estate fixtures: a small estate on two sites of two units (a direction and its service)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from portal.accounts.models import User
from portal.catalogue.models import Asset, CatalogueItem
from portal.itsm.models import AssetTransfer, Intervention
from portal.models import db
from portal.org.models import OrgUnit, Site


@dataclass
class Estate:
    direction: OrgUnit
    service: OrgUnit
    other: OrgUnit
    depot: Site
    school: Site
    employee: User
    outsider: User
    laptop: CatalogueItem
    asset: Asset


@pytest.fixture
def estate(make_org_unit, make_site, make_user, make_item, make_asset) -> Estate:
    """One laptop (200 kg embodied over 4 years, 30 kWh a year) from 1 January 2025, in the service."""
    direction = make_org_unit(kind="direction", name="Direction du numérique")
    service = make_org_unit(parent_id=direction.id, name="Service support")
    other = make_org_unit(kind="direction", name="Direction des finances")
    depot = make_site(name="Dépôt informatique", commune_insee="33063")
    school = make_site(name="École Jean Jaurès", commune_insee="33281")  # Mérignac
    joined = datetime(2024, 6, 1, tzinfo=UTC)
    employee = make_user(org_unit_id=service.id, site_id=school.id, created_at=joined)
    outsider = make_user(org_unit_id=other.id, site_id=depot.id, created_at=joined)
    laptop = make_item(
        fabrication_kgco2e=Decimal(200),
        distribution_kgco2e=Decimal(0),
        end_of_life_kgco2e=Decimal(0),
        lifetime_years=Decimal(4),
        annual_kwh=Decimal(30),
    )
    asset = make_asset(item=laptop, user_id=employee.id, acquired_on=date(2025, 1, 1), cost_eur=Decimal(1000))
    return Estate(direction, service, other, depot, school, employee, outsider, laptop, asset)


@pytest.fixture
def make_intervention() -> Callable[..., Intervention]:
    """An intervention: make_intervention(site=..., group="Support Bordeaux", day=date(2025, 3, 2))."""
    counter = iter(range(1, 100_000))

    def make(site: Site, day: date, group: str = "Support Bordeaux", **overrides: Any) -> Intervention:
        n = next(counter)
        values: dict[str, Any] = {
            "sys_id": f"wm{n:030d}",
            "number": f"WOT{n:07d}",
            "site_id": site.id,
            "assignment_group": group,
            "work_started_at": datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
        }
        values.update(overrides)
        intervention = Intervention(**values)
        db.session.add(intervention)
        db.session.commit()
        return intervention

    return make


@pytest.fixture
def make_transfer() -> Callable[..., AssetTransfer]:
    """A transfer line: make_transfer(from_site, to_site, day, asset=None, quantity=1)."""
    counter = iter(range(1, 100_000))

    def make(from_site: Site, to_site: Site, day: date, asset: Asset | None = None, quantity: int = 1) -> AssetTransfer:
        n = next(counter)
        transfer = AssetTransfer(
            sys_id=f"tr{n:030d}",
            number=f"TRL{n:07d}",
            asset_id=asset.id if asset else None,
            quantity=quantity,
            from_site_id=from_site.id,
            to_site_id=to_site.id,
            shipped_at=datetime(day.year, day.month, day.day, 8, tzinfo=UTC),
        )
        db.session.add(transfer)
        db.session.commit()
        return transfer

    return make
