"""A tile of the home page and an entry of the main menu, declared by each domain in its `AREAS`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    """An area of the portal: where it is, what it is called, who may open it."""

    endpoint: str
    title: str
    description: str
    role: str = "employee"
    order: int = 50
