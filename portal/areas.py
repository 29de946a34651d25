"""A tile of the home page and an entry of the main menu, declared by each domain in its `AREAS`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa

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
    #: scalar subquery counting for that user. The accounts domain reads every counter with the session user,
    #: in the one query each request makes, without knowing the domains that declare them.
    counter: Callable[[sa.ColumnElement[int]], sa.ScalarSelect[int]] | None = None


@dataclass(frozen=True)
class HomePanel:
    """A part of the home page a domain offers (its `HOME_PANELS`): the fragment, and the service that gives
    what it shows for an employee at a moment (None: nothing to show, the panel is left out)."""

    template: str
    load: Callable[[Any, datetime], Mapping[str, Any] | None]


@dataclass(frozen=True)
class ShownPanel:
    """A panel with its data, as the home page includes it."""

    template: str
    data: Mapping[str, Any]


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


def counted_areas() -> tuple[Area, ...]:
    """The areas whose menu entry shows a count."""
    return tuple(area for area in all_areas() if area.counter is not None)
