"""A tile of the home page and an entry of the main menu, declared by each domain in its `AREAS`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Area:
    """An area of the portal: where it is, what it is called, who may open it."""

    endpoint: str
    title: str
    description: str
    role: str = "employee"
    order: int = 50
    #: Optional count shown next to the menu entry (e.g. unread messages): called with the current user.
    counter: Callable[[Any], int] | None = None
