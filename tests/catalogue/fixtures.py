"""Catalogue fixtures: the seeded catalogue, items and assets on demand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from portal.catalogue.footprints import load_factor_set, refresh_item
from portal.catalogue.models import Asset, CatalogueItem
from portal.catalogue.services import seed_catalogue, seed_factors
from portal.models import db


@pytest.fixture
def catalogue() -> dict[str, CatalogueItem]:
    """The packaged catalogue (≈210 items), by sku."""
    seed_catalogue()
    db.session.commit()
    return {item.sku: item for item in db.session.scalars(sa.select(CatalogueItem))}


@pytest.fixture
def make_item() -> Callable[..., CatalogueItem]:
    """Create an item with explicit inputs and computed results: make_item(category="laptop", ...)."""
    counter = iter(range(1, 10_000))
    seed_factors()

    def make(**overrides: Any) -> CatalogueItem:
        n = next(counter)
        values: dict[str, Any] = {
            "sku": f"test-{n}",
            "category": "laptop",
            "manufacturer": "Maker",
            "name": f"Model {n}",
            "price_eur": Decimal("1000"),
            "fabrication_kgco2e": Decimal("150"),
            "distribution_kgco2e": Decimal("10"),
            "end_of_life_kgco2e": Decimal("2"),
            "lifetime_years": Decimal("5"),
            "annual_kwh": Decimal("20"),
            "quality": "manufacturer",
            "source": "Maker product sheet",
            "source_year": 2024,
        }
        values.update(overrides)
        item = CatalogueItem(**values)
        db.session.add(item)
        db.session.flush()
        refresh_item(item, load_factor_set())
        db.session.commit()
        return item

    return make


@pytest.fixture
def make_asset() -> Callable[..., Asset]:
    """Create an inventory device: make_asset(user=..., item=..., acquired_on=...)."""
    counter = iter(range(1, 100_000))

    def make(**overrides: Any) -> Asset:
        n = next(counter)
        item = overrides.get("item")
        values: dict[str, Any] = {
            "asset_tag": f"T{n:06d}",
            "category": item.category if item else "laptop",
            "model_name": f"{item.manufacturer} {item.name}" if item else "Unknown laptop",
            "acquired_on": date(2023, 1, 1),
            "status": "in_use",
        }
        values.update(overrides)
        asset = Asset(**values)
        db.session.add(asset)
        db.session.commit()
        return asset

    return make
