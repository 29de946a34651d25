"""What the home page offers and what the health check probes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

from portal.accounts.models import Role, User
from portal.main.models import Heartbeat
from portal.models import db, utcnow


@dataclass(frozen=True)
class Area:
    """One tile of the home page."""

    endpoint: str
    title: str
    description: str
    role: str = Role.EMPLOYEE.value


# The areas in the order they appear; a later domain adds its line here when it lands.
AREAS: tuple[Area, ...] = (
    Area("accounts.password_form", _l("My account"), _l("Change my password and my language.")),
    Area(
        "accounts.admin_users",
        _l("Employees"),
        _l("Find an employee, see their roles, deactivate an account."),
        Role.ADMIN.value,
    ),
    Area("main.help_page", _l("Help"), _l("How the portal works and where its figures come from.")),
)


def areas_for(user: User) -> list[Area]:
    """The areas this user may open, whose pages exist in this version."""
    return [area for area in AREAS if user.has_role(area.role) and _exists(area.endpoint)]


def _exists(endpoint: str) -> bool:
    try:
        url_for(endpoint)
    except Exception:  # noqa: BLE001 - a domain not installed in this app is simply not offered
        return False
    return True


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
