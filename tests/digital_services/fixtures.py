"""Factories of the digital services (registered for every test in tests/conftest.py): hosts, services with
components, subscriptions and usage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from portal.catalogue.my_footprint import today_in_paris
from portal.digital_services.models import (
    DigitalService,
    ServiceComponent,
    ServiceHost,
    ServiceSubscription,
    ServiceUsage,
)
from portal.models import db


@pytest.fixture
def make_host() -> Callable[..., ServiceHost]:
    """A server of 1200 kg, 4 years, 2000 kWh, PUE 1.5, 64 vCPU (450 kg/year with electricity at 0.05)."""
    counter = iter(range(1, 10_000))

    def make(**overrides: Any) -> ServiceHost:
        values: dict[str, Any] = {
            "name": f"srv-{next(counter)}",
            "kind": "server",
            "model": "Test server",
            "data_centre": "DC1",
            "embodied_kgco2e": Decimal(1200),
            "lifetime_years": Decimal(4),
            "annual_kwh": Decimal(2000),
            "capacity": Decimal(64),
            "pue": Decimal("1.5"),
            "quality": "manufacturer",
            "source": "test sheet",
        }
        values.update(overrides)
        host = ServiceHost(**values)
        db.session.add(host)
        db.session.flush()
        return host

    return make


@pytest.fixture
def make_service() -> Callable[..., DigitalService]:
    """A service, with `components=[(host, allocated), ...]`."""
    counter = iter(range(1, 10_000))

    def make(**overrides: Any) -> DigitalService:
        n = next(counter)
        components = overrides.pop("components", ())
        values: dict[str, Any] = {
            "code": f"SVC-{n}",
            "name": f"Service {n}",
            "category": "business",
            "hosting": "on_premises",
            "description_fr": f"Service numéro {n}",
            "description_en": f"Service number {n}",
        }
        values.update(overrides)
        service = DigitalService(**values)
        db.session.add(service)
        for host, allocated in components:
            service.components.append(ServiceComponent(host=host, allocated=Decimal(allocated)))
        db.session.commit()
        return service

    return make


@pytest.fixture
def subscribe() -> Callable[..., ServiceSubscription]:
    """Give a user a service, optionally with activity `active_days_ago` days ago."""

    def do(service: DigitalService, user: Any, *, active_days_ago: int | None = None, active_days: int = 10):
        today = today_in_paris()
        subscription = ServiceSubscription(service=service, user=user, started_on=today - timedelta(days=400))
        db.session.add(subscription)
        if active_days_ago is not None:
            db.session.add(
                ServiceUsage(
                    service_id=service.id,
                    user_id=user.id,
                    active_days=active_days,
                    last_active_on=today - timedelta(days=active_days_ago),
                )
            )
        db.session.commit()
        return subscription

    return do


def a_date(days_ago: int) -> date:
    return today_in_paris() - timedelta(days=days_ago)
