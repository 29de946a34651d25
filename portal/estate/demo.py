"""Demo data of the estate: five years of history so that the year on year and the waterfall say something true.

The demo inventory (catalogue) gets the devices its current ones replaced since 2022, kept longer year after
year; some acquisitions become refurbished models, more each year; interventions and transfers are spread
over the years. The months are then frozen as the jobs process would have: 2022 to 2025 with the electricity
factor of the time (ADEME 2023, 0.0580) and compact diesel or petrol cars, 2026 with today's (0.0519) and an
electric car for the central team, so that the waterfall shows a factor change beside the real ones.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import User
from portal.catalogue.models import Asset, AssetStatus, CatalogueItem, Factor
from portal.catalogue.services import update_factor
from portal.estate import services
from portal.estate.models import Snapshot
from portal.itsm.models import AssetTransfer, Intervention
from portal.models import db
from portal.org.models import Site

SEED = 2022
FIRST_YEAR = 2022
#: Share of this year's acquisitions that are refurbished models.
REFURBISHED_SHARE = {2022: 0.0, 2023: 0.08, 2024: 0.15, 2025: 0.25, 2026: 0.35}
PAST_ELECTRICITY = Decimal("0.0580")  # ADEME, French mix 2023 alone (the value before the 2021–2024 average)
TEAMS = (("Support de proximité", "BXM-HQ"), ("Support Rive droite", "PT-RIVEDROITE"))


def _instant(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _history(rng: random.Random) -> int:
    """The devices the current ones replaced, retired on the day their successor arrived; refurbished buys."""
    items: dict[tuple[str, bool], list[CatalogueItem]] = {}
    for item in db.session.scalars(sa.select(CatalogueItem).order_by(CatalogueItem.id)):
        items.setdefault((item.category, item.refurbished), []).append(item)
    start = date(FIRST_YEAR, 1, 1)
    current = db.session.scalars(
        sa.select(Asset).where(Asset.acquired_on >= start, Asset.status == AssetStatus.IN_USE.value).order_by(Asset.id)
    ).all()
    created = 0
    for asset in current:
        year = asset.acquired_on.year
        refurbished = items.get((asset.category, True))
        if refurbished and rng.random() < REFURBISHED_SHARE.get(year, 0.35):
            asset.item = rng.choice(refurbished)
            asset.model_name = f"{asset.item.manufacturer} {asset.item.name}"
        if asset.item is not None:
            asset.cost_eur = asset.item.price_eur
        if rng.random() > 0.85:
            continue  # a new device, not a replacement: the estate grows a little
        # Kept 3.2 years when replaced in 2022, about 5.6 in 2026: lifetimes lengthen.
        kept_years = 3.2 + 0.6 * (year - FIRST_YEAR) + rng.uniform(-0.4, 0.4)
        older = items.get((asset.category, False))
        predecessor = rng.choice(older) if older else None
        created += 1
        db.session.add(
            Asset(
                asset_tag=f"HX{created:06d}",
                item=predecessor,
                category=asset.category,
                model_name=f"{predecessor.manufacturer} {predecessor.name}" if predecessor else asset.model_name,
                user_id=asset.user_id,
                acquired_on=asset.acquired_on - timedelta(days=int(kept_years * 365.25)),
                retired_on=asset.acquired_on,
                status=rng.choice((AssetStatus.RECYCLED.value, AssetStatus.RETURNED.value)),
                status_changed_at=_instant(asset.acquired_on),
                cost_eur=predecessor.price_eur if predecessor else None,
            )
        )
    db.session.flush()
    return created


def _trips(rng: random.Random, today: date) -> int:
    """Interventions (fewer each year: remote support grows) and transfers, some carried together."""
    sites = db.session.scalars(sa.select(Site).order_by(Site.code)).all()
    depots = {code: site for site in sites for _team, code in TEAMS if site.code == code}
    count = 0
    for year in range(FIRST_YEAR, today.year + 1):
        last = min(date(year, 12, 31), today - timedelta(days=1))
        days = (last - date(year, 1, 1)).days + 1
        for n in range(60 - 7 * (year - FIRST_YEAR)):
            day = date(year, 1, 1) + timedelta(days=rng.randrange(days))
            site = rng.choice(sites)
            team = TEAMS[0][0] if n % 3 else TEAMS[1][0]
            count += 1
            db.session.add(
                Intervention(
                    sys_id=f"estatedemo-i{count:06d}",
                    number=f"WOTD{count:06d}",
                    site_id=site.id,
                    lat=site.lat,
                    lon=site.lon,
                    location_name=site.name,
                    assignment_group=team,
                    state="closed_complete",
                    work_started_at=_instant(day),
                    short_description="Intervention sur poste",
                )
            )
        for _ in range(18):
            day = date(year, 1, 1) + timedelta(days=rng.randrange(days))
            origin, target = depots.get("BXM-HQ") or sites[0], rng.choice(sites)
            for _item in range(rng.choice((1, 1, 2, 3))):  # items carried together on the same trip
                count += 1
                db.session.add(
                    AssetTransfer(
                        sys_id=f"estatedemo-t{count:06d}",
                        number=f"TRLD{count:06d}",
                        quantity=1,
                        stage="received",
                        from_site_id=origin.id,
                        to_site_id=target.id,
                        from_location_name=origin.name,
                        to_location_name=target.name,
                        shipped_at=_instant(day, 8),
                        received_at=_instant(day, 15),
                    )
                )
    db.session.flush()
    return count


def _freeze(admin: User, today: date) -> int:
    """The months as the jobs process froze them, factor changes included."""
    sites = {site.code: site for site in db.session.scalars(sa.select(Site))}
    for team, code in TEAMS:
        if code in sites:
            services.set_depot(team, sites[code].id, "car_diesel_compact" if code == "BXM-HQ" else "car_petrol_compact")
    electricity = db.session.scalars(sa.select(Factor).where(Factor.key == "electricity_fr")).one()
    today_value = electricity.value
    update_factor(electricity, {"value": PAST_ELECTRICITY}, by=admin, comment="ADEME, French mix 2023")
    frozen = 0
    months = [(year, 12) for year in range(FIRST_YEAR, today.year)]
    if today.month > 1:  # the months this year's waterfall is compared with
        months.append((today.year - 1, today.month - 1))
    for year, month in sorted(months):
        as_of = min(date(year, month, 28) + timedelta(days=4), today)  # computed just after the month closed
        services.take_snapshot(year, month, reason=services.NIGHTLY, today=as_of)
        frozen += 1
    update_factor(electricity, {"value": today_value}, by=admin, comment="ADEME 2024: French mix 2021–2024")
    if "BXM-HQ" in sites:
        services.set_depot(TEAMS[0][0], sites["BXM-HQ"].id, "car_electric_compact")
    for month in range(1, today.month):
        services.take_snapshot(today.year, month, reason=services.NIGHTLY, today=today)
        frozen += 1
    frozen += len(services.nightly(today))
    return frozen


def load_demo() -> dict[str, int]:
    """Five years of history, frozen month by month; 2022 is the reference year (idempotent)."""
    if db.session.scalar(sa.select(Snapshot.id).limit(1)) is not None:
        return {"estate snapshots": 0}
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@demo.example"))
    if admin is None:
        return {"estate snapshots": 0}
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data  # nosec B311
    today = services.today_paris()
    services.seed_vehicle_factors()
    # The demo employees have worked here since before the first year counted.
    joined = datetime(FIRST_YEAR - 1, 9, 1, tzinfo=UTC)
    db.session.execute(sa.update(User).where(User.created_at > joined).values(created_at=joined))
    summary = {"estate past devices": _history(rng), "estate trips and transfers": _trips(rng, today)}
    summary["estate snapshots"] = _freeze(admin, today)
    services.set_reference_year(FIRST_YEAR, by=admin)
    settings = services.settings()
    settings.delivery_site_id = db.session.scalar(sa.select(Site.id).where(Site.code == "BXM-HQ"))
    db.session.flush()
    return summary
