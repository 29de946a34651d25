"""What the home page offers and what the health check probes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import current_app, url_for
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from portal.accounts.models import Role, User
from portal.accounts.services import user_counts
from portal.areas import HUBS, MENU_TOP_ENTRIES, Area, Count, all_areas
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
    """An area as the menu and the hub pages show it: its URL and words already resolved."""

    endpoint: str
    url: str
    title: Markup
    description: Markup
    #: The areas whose pages this entry stands for: the menu marks it current there and adds up their counts.
    covers: frozenset[str] = frozenset()


class HubView(NamedTuple):
    """A hub as its page and the menu show it: its entry and the areas it lists."""

    key: str
    link: NavLink
    #: Its areas, in menu order.
    links: tuple[NavLink, ...]


@dataclass(frozen=True)
class Menu:
    """What the header shows a user: at most MENU_TOP_ENTRIES entries, and the hub pages behind them."""

    top: tuple[NavLink, ...]
    #: The back-office hubs: the last one's entry ends `top`, its page lists every one of them.
    back_office: tuple[HubView, ...]
    #: The person's own pages beyond the menu's room, linked from the header.
    me: HubView | None

    def hub(self, key: str) -> HubView | None:
        """The hub of that key this user may open, None if none."""
        for view in (*self.back_office, self.me):
            if view is not None and view.key == key:
                return view
        return None


def _markup(text: Any) -> Markup:
    # Markup, as before: Flask-Babel's lazy strings reach Jinja as markup (`__html__`), unescaped.
    return Markup(text)  # noqa: S704 - our own translated interface text  # nosec B704


def _group(areas: list[Area]) -> tuple[list[Area], dict[str, list[Area]]]:
    """The areas at the menu's top, and those of each hub: an employee's area beyond the menu's room goes to
    "me", a back-office one to its role's hub (or the hub it names)."""
    top: list[Area] = []
    hubs: dict[str, list[Area]] = {}
    for area in areas:
        key = area.hub_key
        if key is not None and key not in HUBS:
            key = "me"  # a hub nobody declared: the person's own pages still list it
        if key is None and len(top) < MENU_TOP_ENTRIES - 1:
            top.append(area)
        else:
            hubs.setdefault(key or "me", []).append(area)
    return top, hubs


def nav_menu(user: User) -> Menu:
    """The menu of `areas_for(user)`, URLs built and words translated: at most MENU_TOP_ENTRIES entries, the
    rest on hub pages. Nothing personal: the per-user counts come with the session user (`user_counts`)."""
    return _build_menu(areas_for(user))


def _link(area: Area) -> NavLink:
    return NavLink(
        area.endpoint,
        url_for(area.endpoint),
        _markup(area.title),
        _markup(area.description),
        frozenset((area.endpoint,)),
    )


def _build_menu(areas: list[Area]) -> Menu:
    top_areas, grouped = _group(areas)
    views = {}
    for key, hub in sorted(HUBS.items(), key=lambda item: item[1].order):
        if grouped.get(key):
            links = tuple(_link(area) for area in grouped[key])
            link = NavLink(
                "main.hub",
                url_for("main.hub", hub=key),
                _markup(hub.title),
                _markup(hub.description),
                frozenset(link.endpoint for link in links),
            )
            views[key] = HubView(key, link, links)
    me = views.pop("me", None)
    back_office = tuple(views.values())
    top = [_link(area) for area in top_areas]
    if back_office:
        entry = back_office[-1].link  # the highest role's hub: its page lists the others too
        covered = frozenset().union(*(view.link.covers for view in back_office))
        top.append(NavLink(entry.endpoint, entry.url, entry.title, entry.description, covered))
    return Menu(tuple(top), back_office, me)


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


def _unread_of(user_id: Any) -> sa.ColumnElement[bool]:
    """A user's unread notices (an id, a bound parameter or a column of a statement selecting users)."""
    return sa.and_(Notice.user_id == user_id, Notice.read_at.is_(None))


def _unread(user: User, *columns: Any) -> sa.Select[Any]:
    return sa.select(*columns).where(_unread_of(user.id)).order_by(Notice.created_at.desc(), Notice.id.desc())


def unread_notices(user: User, *, limit: int = 10) -> list[Notice]:
    """The user's unread notices, newest first."""
    return list(db.session.scalars(_unread(user, Notice).limit(limit)))


@dataclass(frozen=True)
class UnreadNotice:
    """An unread notice as the home page reads it (its columns, no row object)."""

    kind: str
    params: dict[str, Any]
    created_at: datetime


# Built once: the home page runs it on every visit (a built statement keeps its cache key).
_UNREAD_NOTICE_VALUES = (
    sa.select(Notice.kind, Notice.params, Notice.created_at)
    .where(_unread_of(sa.bindparam("user_id", type_=sa.Integer)))
    .order_by(Notice.created_at.desc(), Notice.id.desc())
    .limit(sa.bindparam("limit", type_=sa.Integer))
)


def unread_notice_count_column(user_id: sa.ColumnElement[int]) -> sa.ScalarSelect[int]:
    """How many unread notices a user has, as a column of a statement selecting users (the count `UNREAD_NOTICES`
    read with the session user: the home page reads the notices only when there are some)."""
    return sa.select(sa.func.count(Notice.id)).where(_unread_of(user_id)).scalar_subquery()


UNREAD_NOTICES = Count("main.unread_notices", unread_notice_count_column)


def unread_notice_values(user: User, *, limit: int = 10) -> list[UnreadNotice]:
    """The user's unread notices, newest first, as plain values (the home page); no query when the count read
    with the session user is 0."""
    if not user_counts(user).get(UNREAD_NOTICES.key):
        return []
    rows = db.session.execute(_UNREAD_NOTICE_VALUES, {"user_id": user.id, "limit": limit})
    return [UnreadNotice(*row) for row in rows]


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
