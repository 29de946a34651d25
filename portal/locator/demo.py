"""Demo data of the locator: the 28 packaged collection points, a few returns by demo employees, weighings."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import User
from portal.locator import exchange
from portal.locator.models import CollectionPoint, CollectionWeighing, DeviceReturn
from portal.models import db, utcnow
from portal.timezone import PARIS

# (employee e-mail, point code = INSEE, item, quantity, days ago, received by the admin)
DEMO_RETURNS: tuple[tuple[str, str, str, int, int, bool], ...] = (
    ("agent@demo.example", "33063", "smartphone", 1, 40, True),
    ("agent@demo.example", "33063", "charger_cable", 3, 40, True),
    ("manager@demo.example", "33318", "laptop", 1, 25, True),
    ("comms@demo.example", "33039", "tablet", 1, 12, False),
    ("comms@demo.example", "33039", "small_digital", 2, 12, False),
    ("admin@demo.example", "33281", "small_electrical", 1, 5, False),
)
# (point code, kilograms, days ago): the collection team empties the bins now and then.
DEMO_WEIGHINGS: tuple[tuple[str, str, int], ...] = (
    ("33063", "18.40", 30),
    ("33318", "9.75", 20),
    ("33039", "6.20", 3),
)


def load_demo() -> dict[str, int]:
    """Create whatever part of the locator's demo data is missing; returns what was created."""
    report = exchange.import_points(exchange.packaged_rows(), create_only=True)
    summary = {"collection points": len(report.created)}
    summary["device returns"], summary["weighings"] = _returns_and_weighings()
    return summary


def _returns_and_weighings() -> tuple[int, int]:
    """A few returns and weighings, once (only if the demo has none yet), dated relative to today."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(DeviceReturn)):
        return 0, 0
    points = {p.code: p for p in db.session.scalars(sa.select(CollectionPoint))}
    users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.like("%@demo.example")))}
    admin = users.get("admin@demo.example")
    now = utcnow()
    returns = 0
    for email, code, item, quantity, days_ago, received in DEMO_RETURNS:
        if email not in users or code not in points:
            continue
        declared = now - timedelta(days=days_ago)
        db.session.add(
            DeviceReturn(
                point=points[code],
                user=users[email],
                item=item,
                quantity=quantity,
                declared_at=declared,
                received_at=declared + timedelta(days=2) if received and admin else None,
                received_by=admin if received else None,
            )
        )
        returns += 1
    weighings = 0
    for code, kg, days_ago in DEMO_WEIGHINGS:
        if code in points:
            db.session.add(
                CollectionWeighing(
                    point=points[code],
                    weight_kg=Decimal(kg),
                    collected_on=(now - timedelta(days=days_ago)).astimezone(PARIS).date(),
                    recorded_by=admin,
                    note="Démo",
                )
            )
            weighings += 1
    db.session.flush()
    return returns, weighings
