"""What the home page offers and what the health check probes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, url_for
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from portal.accounts.models import Role, User
from portal.areas import Area, all_areas
from portal.domains import domain_packages
from portal.main.models import Heartbeat, Notice
from portal.models import db, utcnow


def areas_for(user: User) -> list[Area]:
    """The areas this user may open (a domain's area shows once its page is registered)."""
    views = current_app.view_functions
    roles = user.roles  # once, not once per area (same rule as User.has_role: admins hold every role)
    everything = Role.ADMIN.value in roles
    return [area for area in all_areas() if (everything or area.role in roles) and area.endpoint in views]


@dataclass(frozen=True)
class NavLink:
    """An area as the menu and the home page show it: its URL and words already resolved."""

    endpoint: str
    url: str
    title: Markup
    description: Markup


def nav_links(user: User) -> tuple[NavLink, ...]:
    """`areas_for(user)` with each URL built and each title translated (the menu and the home page)."""
    links = []
    for area in areas_for(user):
        # Markup, as before: Flask-Babel's lazy strings reach Jinja as markup (`__html__`), unescaped.
        title = Markup(area.title)  # noqa: S704 - our own translated interface text  # nosec B704
        description = Markup(area.description)  # noqa: S704 - our own interface text  # nosec B704
        links.append(NavLink(area.endpoint, url_for(area.endpoint), title, description))
    return tuple(links)


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


@dataclass(frozen=True)
class NoticeKind:
    """How a domain's notice reads and where it leads: `text` is filled with the notice's params."""

    text: str
    endpoint: str
    url_params: tuple[tuple[str, str], ...] = ()  # (URL argument, params key)


def notice_kinds() -> dict[str, NoticeKind]:
    """Every domain's NOTICES."""
    return {kind: spec for package in domain_packages() for kind, spec in getattr(package, "NOTICES", {}).items()}


def notify(user: User, kind: str, params: dict[str, Any]) -> Notice:
    """Leave a notice for a user (shown on the home page until read)."""
    notice = Notice(user_id=user.id, kind=kind, params=params)
    db.session.add(notice)
    return notice


def unread_notices(user: User, *, limit: int = 10) -> list[Notice]:
    """The user's unread notices, newest first."""
    return list(
        db.session.scalars(
            sa.select(Notice)
            .where(Notice.user_id == user.id, Notice.read_at.is_(None))
            .order_by(Notice.created_at.desc(), Notice.id.desc())
            .limit(limit)
        )
    )


def mark_notices_read(user: User, *, kind_prefix: str | None = None, key: str | None = None, value: Any = None) -> int:
    """Mark notices read (all, or those of a kind family about one object)."""
    notices = [
        n
        for n in unread_notices(user, limit=1000)
        if (kind_prefix is None or n.kind.startswith(kind_prefix)) and (key is None or n.params.get(key) == value)
    ]
    for notice in notices:
        notice.read_at = utcnow()
    db.session.flush()
    return len(notices)
