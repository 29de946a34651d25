"""The campaigns' stored daily progress steps, computed from the storage snapshots, and an employee's own figures.

Steps are recomputed when snapshots arrive (`refresh_after_import`) or a campaign's period changes
(`refresh_progress`); every recomputation marks the campaign's published results as changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from portal.accounts.models import User
from portal.campaigns import bulk
from portal.campaigns.models import Campaign, CampaignProgress, StorageSnapshot
from portal.campaigns.progress import Measure, SourceProgress, source_progress, step_day
from portal.campaigns.results import SOURCES, results_changed
from portal.models import db

_USERS_PER_QUERY = 500
# Beyond this many employees, recomputing the whole campaign in one pass is cheaper than batch by batch.
_FULL_REFRESH_USERS = 2000


def _chunks(ids: list[int], size: int = _USERS_PER_QUERY) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def refresh_progress(campaign: Campaign, *, user_ids: Iterable[int] | None = None) -> int:
    """Recompute the campaign's daily progress steps (all measured employees, or only `user_ids`).

    One window query per batch of employees: each snapshot of the period is compared with the one before it
    (the last one before the start for the first), exactly as `progress.daily_steps` does in Python.
    """
    ids = None if user_ids is None else sorted(set(user_ids))
    if ids is None or len(ids) > _FULL_REFRESH_USERS:
        db.session.execute(sa.delete(CampaignProgress).where(CampaignProgress.campaign_id == campaign.id))
        written = _compute_steps(campaign, None)
    else:
        written = 0
        for chunk in _chunks(ids):
            db.session.execute(
                sa.delete(CampaignProgress).where(
                    CampaignProgress.campaign_id == campaign.id, CampaignProgress.user_id.in_(chunk)
                )
            )
            written += _compute_steps(campaign, chunk)
    results_changed(campaign)
    return written


def _compute_steps(campaign: Campaign, user_ids: list[int] | None) -> int:
    snapshot = StorageSnapshot
    window: dict[str, Any] = {"partition_by": (snapshot.user_id, snapshot.source), "order_by": snapshot.measured_at}
    lagged = sa.select(
        snapshot.user_id,
        snapshot.source,
        snapshot.measured_at,
        snapshot.size_bytes,
        snapshot.item_count,
        sa.func.lag(snapshot.size_bytes).over(**window).label("previous_bytes"),
        sa.func.lag(snapshot.item_count).over(**window).label("previous_items"),
    ).where(snapshot.measured_at <= campaign.ends_at)
    if user_ids is not None:
        lagged = lagged.where(snapshot.user_id.in_(user_ids))
    lag = lagged.subquery()
    items_step = sa.case(
        (
            sa.and_(lag.c.previous_items.is_not(None), lag.c.item_count.is_not(None)),
            lag.c.previous_items - lag.c.item_count,
        ),
        else_=0,
    )
    steps = sa.select(
        lag.c.user_id, lag.c.source, lag.c.measured_at, lag.c.previous_bytes - lag.c.size_bytes, items_step
    ).where(lag.c.measured_at > campaign.starts_at, lag.c.previous_bytes.is_not(None))
    per_day: dict[tuple[int, str, date], list[int]] = defaultdict(lambda: [0, 0])
    for user_id, source, measured_at, freed_bytes, freed_items in db.session.execute(steps):
        key = (user_id, source, step_day(measured_at))
        per_day[key][0] += int(freed_bytes)
        per_day[key][1] += int(freed_items or 0)
    rows = [
        {
            "campaign_id": campaign.id,
            "user_id": user_id,
            "source": source,
            "day": day,
            "freed_bytes": freed_bytes,
            "freed_items": freed_items,
        }
        for (user_id, source, day), (freed_bytes, freed_items) in per_day.items()
        if freed_bytes or freed_items
    ]
    bulk.insert_rows(CampaignProgress.__table__, rows)
    return len(rows)


def refresh_after_import(user_ids: set[int], earliest: datetime) -> list[Campaign]:
    """Recompute the campaigns new snapshots may change (those ending after the earliest new measure)."""
    if not user_ids:
        return []
    campaigns = list(db.session.scalars(sa.select(Campaign).where(Campaign.ends_at >= earliest)))
    for campaign in campaigns:
        refresh_progress(campaign, user_ids=user_ids)
    return campaigns


# ----------------------------------------------------------------------------------- my own figures


# Built once: the campaign's page runs it on every visit.
_MY_SNAPSHOTS = sa.select(
    StorageSnapshot.source, StorageSnapshot.size_bytes, StorageSnapshot.item_count, StorageSnapshot.measured_at
).where(StorageSnapshot.user_id == sa.bindparam("user_id"), StorageSnapshot.measured_at <= sa.bindparam("ends_at"))


def my_progress(user: User, campaign: Campaign) -> list[SourceProgress]:
    """The employee's baseline, latest measure and freed amounts per source (shown to them only)."""
    rows = db.session.execute(_MY_SNAPSHOTS, {"user_id": user.id, "ends_at": campaign.ends_at})
    measures: dict[str, list[Measure]] = defaultdict(list)
    for source, size_bytes, item_count, measured_at in rows:
        measures[source].append(Measure(size_bytes, item_count, measured_at))
    return [
        source_progress(source, measures[source], starts_at=campaign.starts_at, ends_at=campaign.ends_at)
        for source in SOURCES
    ]


def freed_bytes_columns(user_id: Any) -> tuple[sa.Exists, sa.ScalarSelect[Any]]:
    """Whether one employee was ever measured before the end of `Campaign` (the statement's row), and the
    bytes they freed in it: two correlated columns, for one or several campaigns in one query."""
    measured = sa.exists().where(StorageSnapshot.user_id == user_id, StorageSnapshot.measured_at <= Campaign.ends_at)
    freed = (
        sa.select(sa.func.sum(CampaignProgress.freed_bytes))
        .where(CampaignProgress.campaign_id == Campaign.id, CampaignProgress.user_id == user_id)
        .scalar_subquery()
    )
    return measured, freed


def freed_bytes_of(campaign: Campaign, user_id: int) -> int | None:
    """Bytes one employee freed during the campaign (None: never measured): `freed_bytes_by_user` for one
    employee, in one query."""
    measured, freed = freed_bytes_columns(user_id)
    row = db.session.execute(sa.select(measured, freed).where(Campaign.id == campaign.id)).one()
    return int(row[1] or 0) if row[0] else None


def freed_bytes_by_user(campaign: Campaign, user_ids: Iterable[int]) -> dict[int, int | None]:
    """Bytes each employee freed during the campaign (None: never measured), from the stored steps.

    Equal to the sum of `my_progress` for each of them, in two queries per 500 employees.
    """
    freed: dict[int, int | None] = {}
    for chunk in _chunks(sorted(set(user_ids))):
        measured = set(
            db.session.scalars(
                sa.select(StorageSnapshot.user_id)
                .where(StorageSnapshot.user_id.in_(chunk), StorageSnapshot.measured_at <= campaign.ends_at)
                .distinct()
            )
        )
        sums = dict(
            db.session.execute(
                sa.select(CampaignProgress.user_id, sa.func.sum(CampaignProgress.freed_bytes))
                .where(CampaignProgress.campaign_id == campaign.id, CampaignProgress.user_id.in_(chunk))
                .group_by(CampaignProgress.user_id)
            ).all()
        )
        freed.update({user_id: int(sums.get(user_id) or 0) if user_id in measured else None for user_id in chunk})
    return freed
