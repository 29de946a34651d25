"""Locator fixtures: the 28 packaged points, inventory devices, a fixed clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from portal.accounts.models import User
from portal.catalogue.models import Asset, AssetStatus
from portal.locator import exchange
from portal.locator.models import CollectionPoint
from portal.models import db
from portal.timezone import PARIS


@pytest.fixture
def points(communes) -> dict[str, CollectionPoint]:
    """The 28 demo points, keyed by code (the INSEE code): "33039" is the town hall of Bègles."""
    report = exchange.import_points(exchange.packaged_rows())
    assert len(report.created) == 28, report.rejected
    db.session.commit()
    return {p.code: p for p in db.session.scalars(sa.select(CollectionPoint))}


@pytest.fixture
def make_asset() -> Callable[..., Asset]:
    """Create an inventory device: make_asset(user, category="laptop", status="to_return")."""
    counter = iter(range(1, 100_000))

    def make(user: User | None, **overrides: Any) -> Asset:
        n = next(counter)
        values: dict[str, Any] = {
            "asset_tag": f"BXM-{n:05d}",
            "serial": f"SN{n:08d}",
            "category": "laptop",
            "model_name": f"Portable modèle {n}",
            "user_id": user.id if user else None,
            "acquired_on": date(2021, 3, 1),
            "status": AssetStatus.TO_RETURN.value,
        }
        values.update(overrides)
        asset = Asset(**values)
        db.session.add(asset)
        db.session.commit()
        return asset

    return make


@pytest.fixture
def clock(monkeypatch) -> Callable[..., datetime]:
    """Fix the locator pages' clock: clock(2026, 12, 2, 10, 0) is Wednesday 2 December, 10:00 in Paris."""

    def set_clock(*args: int) -> datetime:
        now = datetime(*args, tzinfo=PARIS)
        monkeypatch.setattr("portal.locator.routes._now", lambda: now)
        return now

    return set_clock
