"""Campaign fixtures: campaigns with their dates in Paris, and storage snapshots imported as a generic CSV."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

import pytest

from portal.accounts.models import User
from portal.campaigns import imports, services
from portal.campaigns.models import Campaign, StorageImport
from portal.models import db
from portal.timezone import PARIS

# The 2026 campaign of these tests: Monday 9 to Sunday 29 March 2026 (Digital Cleanup Day: 21 March).
FIRST_DAY = date(2026, 3, 9)
LAST_DAY = date(2026, 3, 29)
GB = 10**9


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware Paris time."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def make_campaign() -> Callable[..., Campaign]:
    """Create a campaign: make_campaign(published_at=…, now=…, first_day=…, scope_all=False, commune_insees=[…])."""

    def make(**overrides: Any) -> Campaign:
        published_at = overrides.pop("published_at", None)
        now = overrides.pop("now", published_at)
        values: dict[str, Any] = {"name": "Grand nettoyage 2026", "first_day": FIRST_DAY, "last_day": LAST_DAY}
        values.update(overrides)
        campaign = services.create_campaign(services.CampaignInput(**values))
        if published_at is not None:
            services.publish_campaign(campaign, now=published_at)
            if now is not None:
                services.advance_campaign_states(now=now)
        db.session.commit()
        return campaign

    return make


@pytest.fixture
def active_campaign(make_campaign: Callable[..., Campaign]) -> Campaign:
    """The March 2026 campaign, published in February and active (as on 15 March 2026)."""
    return make_campaign(published_at=paris(2026, 2, 20), now=paris(2026, 3, 15))


def generic_csv(rows: Iterable[tuple[Any, ...]]) -> bytes:
    """A generic export: (email, source, bytes, items, measured_at) per row."""
    lines = ["email,source,bytes,items,measured_at"]
    for email, source, size, items, measured_at in rows:
        when = measured_at.isoformat() if isinstance(measured_at, date | datetime) else measured_at
        lines.append(f"{email},{source},{size},{'' if items is None else items},{when}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def import_rows() -> Callable[..., StorageImport]:
    """Import snapshots through the real importer: import_rows([(user_or_email, source, bytes, items, at), …])."""

    def do(rows: Iterable[tuple[Any, ...]], filename: str = "test.csv") -> StorageImport:
        prepared = [(r[0].email if isinstance(r[0], User) else r[0], *r[1:]) for r in rows]
        batch = imports.import_storage_file(io.BytesIO(generic_csv(prepared)), filename=filename)
        db.session.commit()
        return batch

    return do


@pytest.fixture
def measure(import_rows: Callable[..., StorageImport]) -> Callable[..., StorageImport]:
    """One employee's mailbox at one time: measure(user, gigabytes, at, source="mailbox", items=None)."""

    def do(user: User, gigabytes: float, at: datetime, source: str = "mailbox", items: int | None = None):
        return import_rows([(user, source, round(gigabytes * GB), items, at)])

    return do
