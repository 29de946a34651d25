"""A tile of the home page and an entry of the main menu, declared by each domain in its `AREAS`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.domains import domain_packages


@dataclass(frozen=True)
class Area:
    """An area of the portal: where it is, what it is called, who may open it."""

    endpoint: str
    title: str
    description: str
    role: str = "employee"
    order: int = 50
    #: Optional count shown next to the menu entry (e.g. unread messages): given the column of a user's id, a
    #: scalar subquery counting for that user. Read with the session user like every `Count` (its key is the
    #: area's endpoint).
    counter: Callable[[sa.ColumnElement[int]], sa.ScalarSelect[int]] | None = None
    #: The hub page that lists it instead of the menu (a key of HUBS). None: the hub of its role for the back
    #: office (an admin's area goes to Administration, a manager's to Team), the menu's top for an employee's.
    hub: str | None = None

    @property
    def hub_key(self) -> str | None:
        """The hub that lists this area, None for a top entry of the menu."""
        return self.hub or ROLE_HUBS.get(self.role)


@dataclass(frozen=True)
class Count:
    """A count about the employee that a domain declares (its `COUNTS`, or an area's menu counter) so that a page
    knows it without a query of its own: the accounts domain reads every count with the session user, in the one
    query each request makes, without knowing the domains that declare them. A page skips a query when its count
    is 0 (most employees have no unread notice and no open order)."""

    key: str
    #: Given the column of a user's id, a scalar subquery counting for that user.
    column: Callable[[sa.ColumnElement[int]], sa.ScalarSelect[int]]


@dataclass(frozen=True)
class Hub:
    """A menu entry that opens a page listing several areas (the menu keeps at most MENU_TOP_ENTRIES)."""

    key: str
    title: Any
    description: Any
    order: int


#: The hubs, in the order their entries follow the employee's areas in the menu. "me" is the header's link to
#: the person's own pages; the back-office hubs show as one menu entry (the highest role's), whose page lists
#: each of them.
HUBS: dict[str, Hub] = {
    "me": Hub("me", _l("My space"), _l("My orders, my account, my personal data and the help."), order=0),
    "team": Hub("team", _l("Team"), _l("The pages of managers: their team's requests and devices."), order=1),
    "comms": Hub("comms", _l("Communication"), _l("The pages of the communications team."), order=2),
    "admin": Hub("admin", _l("Administration"), _l("The pages of administrators."), order=3),
}
#: Where a back-office area goes when it names no hub.
ROLE_HUBS: dict[str, str] = {"manager": "team", "comms": "comms", "admin": "admin"}
#: The menu's top entries at most, for any role: the employee's areas first (the later ones go to "me"), then
#: one back-office entry.
MENU_TOP_ENTRIES = 6


@dataclass(frozen=True)
class HomePanel:
    """A part of the home page a domain offers (its `HOME_PANELS`): the fragment, and the service that gives
    what it shows for an employee at a moment (None: nothing to show, the panel is left out)."""

    template: str
    load: Callable[[Any, datetime], Mapping[str, Any] | None]


@dataclass(frozen=True)
class Suggestion:
    """An action a home panel proposes (its data's "suggestion"): the home page puts the most urgent one of
    every panel first, alone."""

    priority: int  # lower is more urgent: 10 a decision others wait for, 20 a device to return, 50 advice
    text: str
    url: str


@dataclass(frozen=True)
class ShownPanel:
    """A panel with its data, as the home page includes it."""

    template: str
    data: Mapping[str, Any]


def suggested_action(panels: list[ShownPanel]) -> Suggestion | None:
    """The most urgent suggestion of the panels shown (the first panel's on a tie), None if none suggests."""
    suggestions = [panel.data["suggestion"] for panel in panels if panel.data.get("suggestion") is not None]
    return min(suggestions, key=lambda suggestion: suggestion.priority, default=None)


def home_panels(user: Any, now: datetime) -> list[ShownPanel]:
    """Every domain's home panels that have something to show this employee, in domain order."""
    return domain_panels("HOME_PANELS", user, now)


def domain_panels(attribute: str, user: Any, now: datetime) -> list[ShownPanel]:
    """Every domain's panels declared in `attribute` (HOME_PANELS, FOOTPRINT_PANELS: a section of "My
    footprint") that have something to show this employee, in domain order."""
    shown = []
    for package in domain_packages():
        for panel in getattr(package, attribute, ()):
            data = panel.load(user, now)
            if data is not None:
                shown.append(ShownPanel(panel.template, data))
    return shown


@cache
def all_areas() -> tuple[Area, ...]:
    """Every domain's areas, in menu order (fixed for the life of the process)."""
    areas = [area for package in domain_packages() for area in getattr(package, "AREAS", ())]
    return tuple(sorted(areas, key=lambda area: area.order))


@cache
def all_counts() -> tuple[Count, ...]:
    """Every count read with the session user: the menu's (keyed by their area's endpoint), then the domains'
    `COUNTS` (fixed for the life of the process)."""
    menu = [Count(area.endpoint, area.counter) for area in all_areas() if area.counter is not None]
    return (*menu, *(count for package in domain_packages() for count in getattr(package, "COUNTS", ())))
