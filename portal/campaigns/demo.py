"""Demo campaigns: the closed Digital Cleanup Day 2026 campaign and one in progress today, with measures.

Snapshots go through the real importer (generic CSV), so the demo also has import reports to read, one of
them with a concealed name and an invalid line.
"""

from __future__ import annotations

import io
import random
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import User
from portal.campaigns import content, imports, services
from portal.campaigns.guides import ACTIONS
from portal.campaigns.models import Campaign, ChecklistTick, Participation
from portal.models import db, utcnow
from portal.timezone import PARIS

SEED = 21032026  # Digital Cleanup Day 2026: any fixed seed keeps the demo reproducible
GB = 10**9
CLOSED_NAME = "Digital Cleanup Day 2026"
ACTIVE_NAME = "Grand nettoyage numérique (démonstration)"


def _paris(day: date, hour: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def load_demo() -> dict[str, int]:
    """Create the two demo campaigns with participants, ticks and two imports each (once)."""
    if db.session.scalar(sa.select(Campaign.id).where(Campaign.name == CLOSED_NAME)) is not None:
        return {"campaigns": 0, "campaign participants": 0, "storage snapshots": 0}
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not security  # nosec B311
    now = utcnow()
    today = services.paris_today(now)
    users = list(db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.id)))

    closed = services.create_campaign(
        services.CampaignInput(
            name=CLOSED_NAME,
            description="Trois semaines autour du Digital Cleanup Day du 21 mars 2026\u202f: boîtes aux lettres, "
            "OneDrive et partages réseau.",
            first_day=date(2026, 3, 9),
            last_day=date(2026, 3, 29),
            goal_gb=Decimal("2000"),
            goal_participation=Decimal("0.4"),
            co2e_convention="cleanup_day",
        )
    )
    services.publish_campaign(closed, now=_paris(date(2026, 2, 16), 9))
    first = today - timedelta(days=8)
    active = services.create_campaign(
        services.CampaignInput(
            name=ACTIVE_NAME,
            description="Campagne de démonstration en cours\u202f: rejoignez-la, suivez les guides et cochez vos "
            "actions.",
            first_day=first,
            last_day=first + timedelta(days=services.CAMPAIGN_DAYS - 1),
            goal_gb=Decimal("1000"),
            goal_participation=Decimal("0.35"),
            team_rule="org_unit",
            co2e_convention="ademe_storage",
        )
    )
    services.publish_campaign(active, now=_paris(first - timedelta(days=14), 9))
    content.own_content(active)  # its own guides, as the communications team would have edited them
    services.advance_campaign_states(now=now)

    participants = _participants(closed, users, rng, joined=_paris(date(2026, 3, 10), 9), share=0.5)
    participants += _participants(active, users, rng, joined=_paris(first, 9), share=0.45, spread_days=8)

    # Two exports per campaign: before its start, then during it (for the closed one, the day after its end).
    snapshots = 0
    for campaign, before, during in (
        (closed, _paris(date(2026, 3, 1)), _paris(date(2026, 3, 30))),
        (active, _paris(first - timedelta(days=1)), _paris(today)),
    ):
        taking_part = {p.user_id for p in participants if p.campaign_id == campaign.id}
        baseline = _measures(users, rng)
        snapshots += _import(baseline, before, f"demo-{before:%Y-%m-%d}.csv", with_problems=campaign is active)
        snapshots += _import(_after(baseline, taking_part, rng), during, f"demo-{during:%Y-%m-%d}.csv")
    return {"campaigns": 2, "campaign participants": len(participants), "storage snapshots": snapshots}


def _participants(
    campaign: Campaign, users: list[User], rng: random.Random, *, joined: datetime, share: float, spread_days: int = 14
) -> list[Participation]:
    """About `share` of the employees join (the demo agent does not: they can try it), with ticks."""
    created = []
    for user in users:
        if user.email == "agent@demo.example" or rng.random() > share:
            continue
        at = joined + timedelta(hours=rng.randrange(0, spread_days * 24))
        participation = Participation(
            campaign_id=campaign.id, user_id=user.id, joined_at=at, hidden_from_team=rng.random() < 0.03
        )
        db.session.add(participation)
        for action in rng.sample(sorted(ACTIONS), rng.randrange(0, 7)):
            db.session.add(ChecklistTick(campaign_id=campaign.id, user_id=user.id, action=action, ticked_at=at))
        created.append(participation)
    db.session.flush()
    return created


def _measures(users: list[User], rng: random.Random) -> dict[tuple[str, str], tuple[int, int]]:
    """(email, source) → (bytes, items): mailboxes of 0.3–15 GB, drives of 0.5–40 GB."""
    measures = {}
    for user in users:
        measures[(user.email, "mailbox")] = (int(rng.uniform(0.3, 15) * GB), rng.randrange(2_000, 60_000))
        measures[(user.email, "drive")] = (int(rng.uniform(0.5, 40) * GB), rng.randrange(300, 25_000))
    return measures


def _after(
    before: dict[tuple[str, str], tuple[int, int]], taking_part: set[int], rng: random.Random
) -> dict[tuple[str, str], tuple[int, int]]:
    """Participants mostly free 5–40 %, some grow; everyone else drifts a little."""
    ids = dict(db.session.execute(sa.select(User.email, User.id)).all())
    after = {}
    for (email, source), (size, items) in before.items():
        if ids.get(email) in taking_part:
            change = rng.uniform(-0.05, 0.0) if rng.random() < 0.1 else rng.uniform(0.05, 0.4)
        else:
            change = rng.uniform(-0.03, 0.02)
        after[(email, source)] = (max(0, int(size * (1 - change))), max(0, int(items * (1 - change))))
    return after


def _import(
    measures: dict[tuple[str, str], tuple[int, int]], at: datetime, filename: str, *, with_problems: bool = False
) -> int:
    lines = ["email,source,bytes,items,measured_at"]
    lines += [
        f"{email},{source},{size},{items},{at.isoformat()}" for (email, source), (size, items) in measures.items()
    ]
    if with_problems:
        lines.append(f"3F2504E04F8911D39A0C0305E82C3301,mailbox,402653184,3301,{at.isoformat()}")  # concealed
        lines.append(f"agent@demo.example,share,-12,1,{at.isoformat()}")  # invalid: negative size
    batch = imports.import_storage_file(io.BytesIO(("\n".join(lines) + "\n").encode()), filename=filename)
    return batch.created
