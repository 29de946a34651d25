"""Demo data of the catalogue: the seeded catalogue, 1–4 devices per employee, a few orders."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa

from portal.accounts.models import User
from portal.catalogue.footprints import load_factor_set
from portal.catalogue.models import Asset, AssetStatus, CatalogueItem
from portal.catalogue.my_footprint import replaceable_assets
from portal.catalogue.orders import decide, deliver, place_order
from portal.catalogue.services import seed_catalogue
from portal.models import db, utcnow

SEED = 2026
#: What an employee typically has: (category, probability).
KIT = (("laptop", 0.85), ("smartphone", 0.6), ("monitor", 0.5), ("desktop", 0.15), ("tablet", 0.1))
#: Devices of the inventory whose model the catalogue does not know (their footprint is the category's): the
#: ITSM's model names, proper names that read the same in both languages.
UNKNOWN_MODELS = {
    "laptop": "Lenovo ThinkPad T14 Gen 1",
    "monitor": "Iiyama ProLite E2483HS",
    "smartphone": "Samsung Galaxy A52",
}


def load_demo() -> dict[str, int]:
    """Seed the catalogue, equip every demo employee, place a few orders (idempotent)."""
    summary = {"catalogue items": seed_catalogue()}
    if db.session.scalar(sa.select(sa.func.count(Asset.id))):
        summary["assets"] = 0
        return summary
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data  # nosec B311
    today = date.today()
    items: dict[str, list[CatalogueItem]] = {}
    for new_item in db.session.scalars(
        sa.select(CatalogueItem).where(CatalogueItem.refurbished.is_(False)).order_by(CatalogueItem.id)
    ):
        items.setdefault(new_item.category, []).append(new_item)
    users = db.session.scalars(sa.select(User).order_by(User.id)).all()
    count = 0
    item: CatalogueItem | None
    for user in users:
        kit = [category for category, p in KIT if rng.random() < p] or ["laptop"]
        if user.email == "agent@demo.example":
            kit = ["laptop", "smartphone", "monitor"]
        for category in kit[:4]:
            age_days = rng.randint(60, 7 * 365)
            if rng.random() < 0.15 and category in UNKNOWN_MODELS:
                item, model_name = None, UNKNOWN_MODELS[category]
            else:
                item = rng.choice(items[category])
                model_name = f"{item.manufacturer} {item.name}"
            count += 1
            db.session.add(
                Asset(
                    asset_tag=f"BM{count:06d}",
                    serial=f"SN{rng.randrange(10**9):09d}",
                    item=item,
                    category=category,
                    model_name=model_name,
                    user=user,
                    acquired_on=today - timedelta(days=age_days),
                    status=AssetStatus.IN_USE.value,
                )
            )
    db.session.flush()
    summary["assets"] = count
    summary["orders"] = _demo_orders(items)
    return summary


def _demo_orders(items: dict[str, list[CatalogueItem]]) -> int:
    """The agent's past orders (a laptop that replaced her old one, now to return; a second screen, added with a
    reason), and requests waiting for the demo manager (each replacing the colleague's oldest laptop)."""
    factor_set = load_factor_set()
    by_email = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.like("%@demo.example")))}
    agent, manager = by_email["agent@demo.example"], by_email["manager@demo.example"]
    team = db.session.scalars(
        sa.select(User).where(User.manager_id == manager.id, User.id != agent.id).order_by(User.id).limit(3)
    ).all()
    laptops = sorted(items["laptop"], key=lambda i: i.annualised_kgco2e)
    screen = sorted(items["monitor"], key=lambda i: i.annualised_kgco2e)[0]
    placed = []
    old_laptop = replaceable_assets(agent, category="laptop")[0]
    replacement = place_order(
        requester=agent,
        item=laptops[0],
        quantity=1,
        factor_set=factor_set,
        replaces=old_laptop,
        justification="Mon portable ne tient plus la charge et l’écran se détache.",
    )
    second_screen = place_order(
        requester=agent,
        item=screen,
        quantity=1,
        factor_set=factor_set,
        replaces=None,
        justification="Second écran pour le télétravail, demandé par la médecine du travail.",
        additional_reason="Prescription de la médecine du travail\u202f: deux écrans pour limiter les torsions du cou.",
    )
    for past in (replacement, second_screen):
        decide(past, approver=manager, approve=True, comment="D’accord.")
        deliver(past)
        placed.append(past)
    for n, colleague in enumerate(team):
        current = replaceable_assets(colleague, category="laptop")
        placed.append(
            place_order(
                requester=colleague,
                item=laptops[-1 - n * 3],
                quantity=1,
                factor_set=factor_set,
                replaces=current[0] if current else None,
                justification="Mon portable actuel est lent pour les logiciels de cartographie.",
            )
        )
    _demo_returns(team)
    db.session.flush()
    return len(placed)


def _demo_returns(team: Sequence[User]) -> None:
    """Devices the demo manager's team has to return: one overdue for weeks, one marked this week."""
    for colleague, days in zip(team[:2], (45, 3), strict=False):
        oldest = db.session.scalar(
            sa.select(Asset).where(Asset.user_id == colleague.id).order_by(Asset.acquired_on, Asset.id).limit(1)
        )
        if oldest is not None:
            oldest.status = AssetStatus.TO_RETURN.value
            oldest.status_changed_at = utcnow() - timedelta(days=days)
