"""A person's part in the clean-up campaigns (participation, actions ticked, storage measured, storage freed),
and how long the storage measurements are kept."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from portal.accounts.models import User
from portal.campaigns.models import (
    Campaign,
    CampaignProgress,
    CampaignState,
    ChecklistTick,
    Participation,
    StorageSnapshot,
)
from portal.database import affected_rows
from portal.models import db
from portal.personal_data import Tables

#: A campaign's baseline is the last measure before its start: measures this close to the start of a campaign
#: that has not closed are kept whatever their age, or its progress, recomputed, would change.
BASELINE_MARGIN = timedelta(days=90)


def campaign_data(user: User) -> Tables:
    """The person's participations, ticked actions, storage measures and daily storage freed."""
    names = dict(db.session.execute(sa.select(Campaign.id, Campaign.name)).all())
    participations = db.session.scalars(
        sa.select(Participation).where(Participation.user_id == user.id).order_by(Participation.joined_at))
    ticks = db.session.scalars(
        sa.select(ChecklistTick).where(ChecklistTick.user_id == user.id).order_by(ChecklistTick.ticked_at))
    snapshots = db.session.scalars(
        sa.select(StorageSnapshot).where(StorageSnapshot.user_id == user.id).order_by(StorageSnapshot.measured_at))
    progress = db.session.scalars(
        sa.select(CampaignProgress).where(CampaignProgress.user_id == user.id)
        .order_by(CampaignProgress.campaign_id, CampaignProgress.day, CampaignProgress.source))
    return {
        "campaign_participation": [{"campaign": names.get(p.campaign_id), "joined_at": p.joined_at,
                                    "left_at": p.left_at, "hidden_from_team": p.hidden_from_team}
                                   for p in participations],
        "campaign_actions": [{"campaign": names.get(t.campaign_id), "action": t.action, "ticked_at": t.ticked_at}
                             for t in ticks],
        "storage_measured": [{"source": s.source, "size_bytes": s.size_bytes, "item_count": s.item_count,
                              "measured_at": s.measured_at} for s in snapshots],
        "storage_freed": [{"campaign": names.get(p.campaign_id), "source": p.source, "day": p.day,
                           "freed_bytes": p.freed_bytes, "freed_items": p.freed_items} for p in progress],
    }


def delete_old_snapshots(now: datetime, cutoff: datetime) -> int:
    """Storage measures older than the cut-off are deleted, except those a campaign that has not closed may
    still need as its baseline. A closed campaign's figures are kept as computed (CampaignProgress), so
    deleting the measures they came from changes none of its totals."""
    open_start = db.session.scalar(
        sa.select(sa.func.min(Campaign.starts_at)).where(Campaign.state != CampaignState.CLOSED.value)
    )
    if open_start is not None:
        cutoff = min(cutoff, open_start - BASELINE_MARGIN)
    result = db.session.execute(sa.delete(StorageSnapshot).where(StorageSnapshot.measured_at < cutoff))
    return affected_rows(result)
