"""The domains of the portal, in one list: what each one plugs in is found by convention.

A domain is a package `portal/<name>/` that may define:
- `bp` in `__init__.py`: its blueprint, registered by `create_app`;
- `AREAS` in `__init__.py`: the home-page tiles and menu entries it offers (see `portal.main.services.Area`);
- `models.py`: its tables (imported so the metadata and Alembic see them);
- `cli.py` with `commands`: its `flask` command groups;
- `demo.py` with `load_demo() -> dict[str, int]`: its part of the demo data, run in this order;
- `ON_DEACTIVATION` in `__init__.py`: functions (user, now) run when an account is deactivated (a departure);
- `PERSONAL_DATA` and `RETENTION` in `__init__.py`: what it holds about a person, and how long it keeps it
  (see `portal.personal_data`; collected by the privacy domain).
Adding a domain is adding its name here. Domains import downwards only: a domain may import the ones listed
before it, never one after (tests/main/test_layering.py), so that no import cycle can form.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator
from functools import cache
from types import ModuleType

DOMAINS: tuple[str, ...] = (
    "org",
    "accounts",
    "main",
    "catalogue",
    "locator",
    "campaigns",
    "messaging",
    "itsm",
    "digital_services",
    "estate",
    "budgets",
    "plans",
    "privacy",  # last: it collects every domain's PERSONAL_DATA and RETENTION
)


@cache
def _packages() -> tuple[ModuleType, ...]:
    # Looked up once per process: pages read the domains' areas on every request.
    return tuple(
        importlib.import_module(f"portal.{name}")
        for name in DOMAINS
        if importlib.util.find_spec(f"portal.{name}") is not None
    )


def domain_packages() -> Iterator[ModuleType]:
    """Each domain's package, in order."""
    yield from _packages()


def domain_modules(module: str) -> Iterator[ModuleType]:
    """Each domain's `module` (e.g. "models", "cli", "demo") where it exists, in order."""
    for package in domain_packages():
        if importlib.util.find_spec(f"{package.__name__}.{module}") is not None:
            yield importlib.import_module(f"{package.__name__}.{module}")
