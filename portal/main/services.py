"""What the home page offers and what the health check probes."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from portal.accounts.models import User
from portal.areas import Area
from portal.domains import domain_packages
from portal.main.models import Heartbeat
from portal.models import db, utcnow


def all_areas() -> list[Area]:
    """Every domain's areas, in menu order."""
    areas = [area for package in domain_packages() for area in getattr(package, "AREAS", ())]
    return sorted(areas, key=lambda area: area.order)


def areas_for(user: User) -> list[Area]:
    """The areas this user may open."""
    return [area for area in all_areas() if user.has_role(area.role)]


def database_is_reachable() -> bool:
    """True if a trivial query succeeds."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return False
    return True


def record_heartbeat(name: str) -> None:
    """Note that the named background process is alive now."""
    beat = db.session.get(Heartbeat, name)
    if beat is None:
        db.session.add(Heartbeat(name=name, beat_at=utcnow()))
    else:
        beat.beat_at = utcnow()
    db.session.flush()


def jobs_status(interval_seconds: int) -> str:
    """`ok` if the jobs process beat within three intervals, `stale` if not, `unknown` if never."""
    beat = db.session.get(Heartbeat, "jobs")
    if beat is None:
        return "unknown"
    return "ok" if utcnow() - beat.beat_at <= timedelta(seconds=3 * interval_seconds) else "stale"
