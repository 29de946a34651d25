"""Demo data of the digital services: 40 services on 12 hosts in three data centres, who has them, who uses them.

The services, hosts and components are packaged CSV files (`data/`) read by the services' own importers. Two
services are clearly wasteful: the old intranet kept "just in case" on a whole server, and a reporting tool
whose licences nobody uses. Ana Agent has fifteen services, three of which she no longer uses.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources

import sqlalchemy as sa

from portal import csvio
from portal.accounts.models import User
from portal.campaigns.models import Campaign, CampaignState
from portal.digital_services import services, transfer
from portal.digital_services.models import (
    AccessRequest,
    DigitalService,
    ReviewDecision,
    ServiceSubscription,
    ServiceUsage,
)
from portal.models import db

SEED = 4040
SAAS_SOURCE = (
    "Estimation du portail\u202f: ordre de grandeur d’un service en ligne (aucun chiffre public du fournisseur)"
)
#: The services the manager demo account owns (its unit's): they decide the requests for them.
MANAGER_UNIT = "DGNSI-INFRA"
#: The agent's services, and those she stopped using (no activity in the 90 days).
AGENT_SERVICES = (
    "MAIL",
    "PARTAGES",
    "VISIO",
    "CHAT",
    "INTRANET",
    "RH-CONGES",
    "TICKETS",
    "IMPRESSION",
    "SSO",
    "VPN",
    "SAUVEGARDE",
    "ANTIVIRUS",
    "INTRANET-OLD",
    "E-LEARNING",
    "PARC-AUTO",
)
AGENT_IDLE = ("INTRANET-OLD", "E-LEARNING", "PARC-AUTO")


def _rows(name: str) -> list[csvio.Row]:
    text = resources.files("portal.digital_services").joinpath("data", name).read_text(encoding="utf-8")
    return [csvio.Row(n, row) for n, row in enumerate(csv.DictReader(io.StringIO(text)), start=2)]


def load_demo() -> dict[str, int]:
    """Hosts, services, components, subscriptions and 90 days of activity (nothing if services exist)."""
    if db.session.scalar(sa.select(DigitalService.id).limit(1)) is not None:
        return {"digital services": 0}
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data  # nosec B311
    today = date.today()
    transfer.import_hosts(_rows("hosts.csv"))
    service_rows = [
        csvio.Row(
            row.line,
            {
                **row.cells,
                "owner_email": "manager@demo.example" if row["owner_unit"] == MANAGER_UNIT else "",
                "estimate_source": SAAS_SOURCE if row["per_user_estimate_kgco2e"] else "",
            },
        )
        for row in _rows("services.csv")
    ]
    transfer.import_services(service_rows)
    transfer.import_components(_rows("components.csv"))
    ids = dict(db.session.execute(sa.select(DigitalService.code, DigitalService.id)).all())
    users = db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.id)).all()
    agent = next((u for u in users if u.email == "agent@demo.example"), None)
    subscriptions, usage = [], []
    for row in service_rows:
        code, share, active_share = row["code"], float(row["subscribed_share"]), float(row["active_share"])
        days = int(row["active_days"])
        for user in users:
            if user is agent:
                if code not in AGENT_SERVICES:
                    continue
                active = code not in AGENT_IDLE
            elif rng.random() >= share:
                continue
            else:
                active = rng.random() < active_share
            keys = {"service_id": ids[code], "user_id": user.id}
            subscriptions.append(
                {**keys, "started_on": today - timedelta(days=rng.randint(100, 2000)), "ended_reason": ""}
            )
            if active:
                usage.append(
                    {
                        **keys,
                        "last_active_on": today - timedelta(days=rng.randint(0, 20)),
                        "active_days": max(1, min(90, round(rng.gauss(days, days / 3 + 1)))),
                    }
                )
            elif rng.random() < 0.3:  # used once, long ago: outside the 90 days
                usage.append(
                    {**keys, "last_active_on": today - timedelta(days=rng.randint(120, 400)), "active_days": 0}
                )
    db.session.execute(sa.insert(ServiceSubscription), subscriptions)
    db.session.execute(sa.insert(ServiceUsage), usage)
    if agent is not None:
        # Waiting for the owner of mobile telephony, the manager demo account.
        db.session.add(
            AccessRequest(
                service_id=ids["TEL-MOBILE"], requester=agent, justification="Astreintes d’exploitation le week-end."
            )
        )
    db.session.flush()
    _past_decision(ids["PARTAGES"], users, today)
    _given_up_in_campaign(ids["INTRANET-OLD"], agent, today)
    return {"digital services": len(ids), "service subscriptions": len(subscriptions)}


def _past_decision(service_id: int, users: Sequence[User], today: date) -> None:
    """Last year's review decided to slim the shared drives down: their footprint then was a quarter above
    today's, so the measured saving (this year's figures against it) shows beside the expected one."""
    service = db.session.get(DigitalService, service_id)
    manager = next((u for u in users if u.email == "manager@demo.example"), None)
    annual = services.figures_of(service, today=today).footprint.annual if service else None
    if service is None or annual is None:
        return
    baseline = (annual.value * Decimal("1.25")).quantize(Decimal("0.0001"))
    db.session.add(
        ReviewDecision(
            service=service,
            year=today.year - 1,
            decision="optimise",
            rationale="Quotas par service et suppression des dossiers des projets clos depuis plus de trois ans.",
            decided_on=date(today.year - 1, 11, 15),
            owner=manager,
            recorded_by=manager,
            expected_saving_kgco2e=(baseline * Decimal("0.15")).quantize(Decimal("0.01")),
            baseline_kgco2e=baseline,
        )
    )
    db.session.flush()


def _given_up_in_campaign(service_id: int, agent: User | None, today: date) -> None:
    """A few employees gave the old intranet up during the running clean-up campaign (the agent keeps theirs,
    to give it up in the demo): clean-up actions of that campaign."""
    campaign_id = db.session.scalar(
        sa.select(Campaign.id).where(Campaign.state == CampaignState.ACTIVE.value).order_by(Campaign.id.desc())
    )
    if campaign_id is None:
        return
    rows = db.session.scalars(
        sa.select(ServiceSubscription)
        .where(ServiceSubscription.service_id == service_id, ServiceSubscription.user_id != (agent.id if agent else 0))
        .order_by(ServiceSubscription.id)
        .limit(5)
    ).all()
    if not rows:
        return
    saving = services.per_user_kgco2e(services.figures_for([rows[0].service], today=today)[service_id])
    for row in rows:
        row.ended_on, row.ended_reason, row.campaign_id = today - timedelta(days=2), "no_longer_used", campaign_id
        row.saving_kgco2e = None if saving is None else saving.quantize(Decimal("0.0001"))
    db.session.flush()
