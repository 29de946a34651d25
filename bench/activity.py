"""What employees leave behind: a clean-up campaign in progress, a year of messages, device returns.

Called by `bench.generate` once the employees, devices and orders exist. Sizes follow the metropolis'
headcount in the proportions of the full-scale one (20,000 employees: 10,000 campaign participants, 5,000
device returns), drawn from the generated employees only (the demo's keep the demo's own data). Rows are
bulk-inserted (COPY on PostgreSQL, multi-row INSERTs elsewhere, through `portal.campaigns.bulk`); derived
data (the campaign's progress steps) is computed by the portal's own services, as an import would.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import User
from portal.campaigns import services, steps
from portal.campaigns.bulk import insert_rows
from portal.campaigns.guides import ACTIONS
from portal.campaigns.models import ChecklistTick, Participation, StorageImport, StorageSnapshot
from portal.catalogue.models import Asset
from portal.locator.models import ITEM_KEYS, CollectionPoint, CollectionWeighing, DeviceReturn
from portal.messaging.models import Category, Message, MessageRecipient, MessageStatus, OutboxEntry, OutboxStatus
from portal.models import db, utcnow
from portal.org.models import OrgUnit, Site
from portal.timezone import PARIS

#: Name the load benchmark looks the campaign up by.
CAMPAIGN_NAME = "Grand nettoyage numérique de la métropole"
GB = 10**9
BATCH = 5000

#: Per employee of the metropolis: one in PARTICIPANT_EVERY joins the campaign, one in RETURN_EVERY returns a
#: device (one return in INVENTORY_RETURN_EVERY is an inventory device), the campaign's goal is GOAL_GB_EACH.
PARTICIPANT_EVERY = 2
RETURN_EVERY = 4
INVENTORY_RETURN_EVERY = 5
GOAL_GB_EACH = Decimal("2.5")

#: Audience shapes of a year of messages: (how many, kind). About 400,000 inbox rows in all.
MESSAGE_MIX = (
    (8, "everyone"),
    (40, "direction"),
    (80, "service"),
    (40, "commune"),
    (32, "site"),
)

_CONTENTS = (
    (
        Category.NEWS.value,
        "Le programme numérique responsable : ce qui change ce mois-ci",
        "Bonjour {first_name},\n\nLe catalogue propose désormais **{n} nouveaux modèles reconditionnés**. "
        "Chaque fiche indique l'empreinte à la fabrication et à l'usage.\n\n- Comparez jusqu'à trois modèles\n"
        "- Gardez votre appareil un an de plus : c'est l'économie la plus simple",
    ),
    (
        Category.FOOTPRINT.value,
        "{first_name}, l'empreinte de vos équipements",
        "Bonjour {first_name},\n\nVotre empreinte numérique est à jour sur le portail. Vos appareils les plus "
        "anciens sont ceux qui ont déjà le plus amorti leur fabrication : les garder plus longtemps est utile.",
    ),
    (
        Category.CAMPAIGN.value,
        "Nettoyage numérique : {n} jours pour alléger vos boîtes",
        "Bonjour {first_name},\n\nLe grand nettoyage numérique a commencé. Rejoignez-le, suivez les guides "
        "(messagerie, OneDrive, partages) et cochez vos actions : votre équipe compte sur vous.",
    ),
    (
        Category.PRACTICAL.value,
        "Point de collecte : horaires modifiés",
        "Bonjour {first_name},\n\nLe point de collecte de votre commune change d'horaires pendant {n} jours. "
        "Les appareils à rendre peuvent être déposés dans n'importe quel autre point de la métropole.",
    ),
)


def generate_activity(rng: random.Random, *, headcount: int) -> dict[str, float]:
    """The campaign, the messages and the returns, sized for `headcount` employees; returns each step's time (s)."""
    timings: dict[str, float] = {}
    employees = db.session.execute(
        sa.select(User.id, User.first_name, User.locale, User.org_unit_id, User.site_id, Site.commune_insee)
        .outerjoin(Site, User.site_id == Site.id)
        .where(User.active.is_(True))
        .order_by(User.id)
    ).all()
    step = time.perf_counter()
    _campaign(employees, rng, headcount=headcount)
    db.session.commit()
    timings["campaign"] = time.perf_counter() - step
    step = time.perf_counter()
    _messages(employees, rng)
    db.session.commit()
    timings["messages"] = time.perf_counter() - step
    step = time.perf_counter()
    _returns(employees, rng, headcount=headcount)
    db.session.commit()
    timings["returns"] = time.perf_counter() - step
    return timings


# ----------------------------------------------------------------------------------------- campaign


def _campaign(employees: list[sa.Row], rng: random.Random, *, headcount: int) -> None:
    """A metropolis-wide campaign in its 11th day: one employee in two takes part, teams by commune; at full
    scale 10,000 participants and 60,000 snapshots.

    Each participant's mailbox, OneDrive and network share are measured the day before the start (the
    baseline) and again this morning; most free 5–40 %, one in ten grew.
    """
    now = utcnow()
    today = services.paris_today(now)
    first = today - timedelta(days=10)
    campaign = services.create_campaign(
        services.CampaignInput(
            name=CAMPAIGN_NAME,
            description="Trois semaines pour alléger boîtes aux lettres, OneDrive et partages réseau.",
            first_day=first,
            last_day=first + timedelta(days=services.CAMPAIGN_DAYS - 1),
            goal_gb=headcount * GOAL_GB_EACH,
            goal_participation=Decimal("0.5"),
            team_rule="commune",
            co2e_convention="ademe_storage",
        )
    )
    services.publish_campaign(campaign, now=services.paris_midnight(first - timedelta(days=14)))
    services.advance_campaign_states(now=now)
    generated = [e for e in employees if e.id > 300]  # the demo employees keep the demo's campaigns
    participants = rng.sample(generated, min(len(generated), headcount // PARTICIPANT_EVERY))
    starts_at = campaign.starts_at
    participation_rows, tick_rows = [], []
    actions = sorted(ACTIONS)
    for employee in participants:
        joined = starts_at + timedelta(minutes=rng.randrange(0, 10 * 24 * 60))
        participation_rows.append(
            {
                "campaign_id": campaign.id,
                "user_id": employee.id,
                "joined_at": joined,
                "left_at": joined + timedelta(days=1) if rng.random() < 0.02 else None,
                "hidden_from_team": rng.random() < 0.03,
            }
        )
        for action in rng.sample(actions, rng.randrange(0, 7)):
            tick_rows.append(
                {"campaign_id": campaign.id, "user_id": employee.id, "action": action, "ticked_at": joined}
            )
    _insert(Participation, participation_rows)
    _insert(ChecklistTick, tick_rows)

    before = services.paris_midnight(first - timedelta(days=1)) + timedelta(hours=6)
    during = services.paris_midnight(today)
    imports = {}
    for at, filename in ((before, f"storage-{before:%Y-%m-%d}.csv"), (during, f"storage-{during:%Y-%m-%d}.csv")):
        batch = StorageImport(
            filename=filename,
            format="csv",
            imported_at=at,
            rows_read=3 * len(participants),
            created=3 * len(participants),
            first_measured_at=at,
            last_measured_at=at,
            duration_ms=1500,
        )
        db.session.add(batch)
        imports[at] = batch
    db.session.flush()
    snapshots = []
    for employee in participants:
        grew = rng.random() < 0.1
        for source, low, high in (("mailbox", 0.3, 15), ("drive", 0.5, 40), ("share", 0.1, 8)):
            size, items = int(rng.uniform(low, high) * GB), rng.randrange(300, 60_000)
            change = rng.uniform(-0.05, 0.0) if grew else rng.uniform(0.05, 0.4)
            for at, size_bytes, count in (
                (before, size, items),
                (during, int(size * (1 - change)), int(items * (1 - change))),
            ):
                snapshots.append(
                    {
                        "user_id": employee.id,
                        "source": source,
                        "size_bytes": size_bytes,
                        "item_count": count,
                        "measured_at": at,
                        "import_id": imports[at].id,
                    }
                )
    insert_rows(StorageSnapshot.__table__, snapshots)
    # As an import does: recompute every campaign whose results the new measures may change.
    steps.refresh_after_import({e.id for e in participants}, before)


# ----------------------------------------------------------------------------------------- messages


def _messages(employees: list[sa.Row], rng: random.Random) -> None:
    """200 messages sent over the last year, to everyone, a direction, a service, a commune or a site."""
    author = db.session.scalar(sa.select(User.id).where(User.email == "comms@demo.example"))
    parent_of = dict(db.session.execute(sa.select(OrgUnit.id, OrgUnit.parent_id)).all())
    directions = sorted(unit for unit, parent in parent_of.items() if parent is None)
    services_ = sorted(unit for unit, parent in parent_of.items() if parent is not None)
    communes = sorted({e.commune_insee for e in employees if e.commune_insee})
    sites = sorted({e.site_id for e in employees if e.site_id})
    now = utcnow()
    plans = []
    for count, kind in MESSAGE_MIX:
        for _ in range(count):
            if kind == "everyone":
                audience, members = {}, employees
            elif kind == "direction":
                unit = rng.choice(directions)
                audience = {"org_unit_ids": [unit]}
                members = [e for e in employees if e.org_unit_id == unit or parent_of.get(e.org_unit_id) == unit]
            elif kind == "service":
                unit = rng.choice(services_)
                audience, members = {"org_unit_ids": [unit]}, [e for e in employees if e.org_unit_id == unit]
            elif kind == "commune":
                insee = rng.choice(communes)
                audience, members = {"commune_insees": [insee]}, [e for e in employees if e.commune_insee == insee]
            else:
                site = rng.choice(sites)
                audience, members = {"site_ids": [site]}, [e for e in employees if e.site_id == site]
            plans.append((audience, members, now - timedelta(minutes=rng.randrange(60, 365 * 24 * 60))))
    plans.sort(key=lambda plan: plan[2])
    message_rows = []
    for n, (audience, members, sent_at) in enumerate(plans):
        category, subject, body = _CONTENTS[n % len(_CONTENTS)]
        message_rows.append(
            {
                "subject_fr": subject.replace("{n}", str(n % 20 + 3)),
                "body_fr": body.replace("{n}", str(n % 20 + 3)),
                "subject_en": "",
                "body_en": "",
                "category": category,
                "via_portal": True,
                "via_email": n % 4 != 0,
                "audience": audience,
                "status": MessageStatus.SENT.value,
                "started_at": sent_at,
                "finished_at": sent_at + timedelta(minutes=5),
                "recipient_count": len(members),
                "created_by_id": author,
                "created_at": sent_at - timedelta(days=1),
                "updated_at": sent_at,
            }
        )
    ids = db.session.scalars(sa.insert(Message).returning(Message.id, sort_by_parameter_order=True), message_rows).all()
    messages = [
        (message_id, row["subject_fr"], row["body_fr"]) for message_id, row in zip(ids, message_rows, strict=True)
    ]
    rows: list[dict] = []
    for (message_id, subject, body), (_audience, members, sent_at) in zip(messages, plans, strict=True):
        old = now - sent_at > timedelta(days=7)
        for employee in members:
            read = rng.random() < (0.8 if old else 0.3)
            first_name = employee.first_name.replace("*", "")
            rows.append(
                {
                    "message_id": message_id,
                    "user_id": employee.id,
                    "locale": "fr",
                    "subject": subject.replace("{first_name}", first_name),
                    "body": body.replace("{first_name}", first_name),
                    "in_inbox": True,
                    "delivered_at": sent_at,
                    "read_at": sent_at + timedelta(hours=rng.randrange(1, 72)) if read else None,
                    "error": "",
                }
            )
        if len(rows) >= 50_000:
            insert_rows(MessageRecipient.__table__, rows)
            rows = []
    insert_rows(MessageRecipient.__table__, rows)
    # E-mails went out with the portal delivery: one sent outbox row per recipient of the e-mailed messages.
    recipient = MessageRecipient.__table__.c
    emailed = [message_id for message_id, row in zip(ids, message_rows, strict=True) if row["via_email"]]
    db.session.execute(
        sa.insert(OutboxEntry.__table__).from_select(
            [
                "message_id",
                "recipient_id",
                "user_id",
                "channel",
                "status",
                "attempts",
                "next_attempt_at",
                "last_error",
                "sent_at",
                "created_at",
            ],
            sa.select(
                recipient.message_id,
                recipient.id,
                recipient.user_id,
                sa.literal("email"),
                sa.literal(OutboxStatus.SENT.value),
                sa.literal(1),
                recipient.delivered_at,
                sa.literal(""),
                recipient.delivered_at,
                recipient.delivered_at,
            ).where(recipient.message_id.in_(emailed)),
        )
    )


# ------------------------------------------------------------------------------------------ returns


def _returns(employees: list[sa.Row], rng: random.Random, *, headcount: int) -> None:
    """Returns over the last year at the 28 points (5,000 at full scale, one in five an inventory device), and
    weighings."""
    returns = headcount // RETURN_EVERY
    points = list(db.session.scalars(sa.select(CollectionPoint.id).where(CollectionPoint.active.is_(True))))
    admin = db.session.scalar(sa.select(User.id).where(User.email == "admin@demo.example"))
    now = utcnow()
    returned_assets = db.session.execute(
        sa.select(Asset.id, Asset.user_id, Asset.category)
        .where(
            Asset.asset_tag.like("LD%"),
            Asset.status == "in_use",
            Asset.category.in_(("smartphone", "laptop", "tablet")),
        )
        .order_by(Asset.id)
        .limit(returns // INVENTORY_RETURN_EVERY)
    ).all()
    rows = []
    for asset in returned_assets:
        rows.append({"asset_id": asset.id, "user_id": asset.user_id, "item": asset.category, "quantity": 1})
    personal = [e for e in employees if e.id > 300]
    while personal and len(rows) < returns:
        rows.append(
            {
                "asset_id": None,
                "user_id": rng.choice(personal).id,
                "item": rng.choice(ITEM_KEYS),
                "quantity": rng.randint(1, 3),
            }
        )
    for row in rows:
        declared = now - timedelta(minutes=rng.randrange(60, 365 * 24 * 60))
        received = declared < now - timedelta(days=7) and rng.random() < 0.9
        row.update(
            point_id=rng.choice(points),
            declared_at=declared,
            received_at=declared + timedelta(days=rng.randint(1, 6)) if received else None,
            received_by_id=admin if received else None,
        )
    _insert(DeviceReturn, rows)
    db.session.execute(
        sa.update(Asset)
        .where(Asset.id.in_([a.id for a in returned_assets]))
        .values(status="returned", status_changed_at=now)
        .execution_options(synchronize_session=False)
    )
    weighings = []
    for point in points:
        for month in range(12):
            day = (now - timedelta(days=30 * month + rng.randrange(0, 20))).astimezone(PARIS).date()
            weighings.append(
                {
                    "point_id": point,
                    "collected_on": day,
                    "weight_kg": Decimal(rng.randrange(200, 4000)) / 100,
                    "note": "",
                    "recorded_by_id": admin,
                    "created_at": now,
                }
            )
    _insert(CollectionWeighing, weighings)


def _insert(model: type, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(model), rows[start : start + BATCH])


__all__ = ["CAMPAIGN_NAME", "generate_activity"]
