"""Plans fixtures: the estate's small estate, and a plan factory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from portal.models import db
from portal.plans.models import Action, Plan
from tests.estate.conftest import estate  # noqa: F401  (the same small estate)


@pytest.fixture
def make_plan() -> Callable[..., Plan]:
    """make_plan(title="…") → a plan."""

    def make(**overrides: Any) -> Plan:
        plan = Plan(**{"title": "Stratégie numérique responsable 2025–2030", **overrides})
        db.session.add(plan)
        db.session.commit()
        return plan

    return make


@pytest.fixture
def make_action(make_plan) -> Callable[..., Action]:
    """make_action(plan=None, **fields) → an action (by default on the organisation's embodied footprint)."""

    def make(plan: Plan | None = None, **overrides: Any) -> Action:
        values: dict[str, Any] = {
            "title": "Allonger la durée de vie des ordinateurs",
            "start_on": date(2025, 1, 1),
            "deadline": date(2026, 12, 31),
            "indicator_code": "embodied_kgco2e",
            "trend": "decrease",
            "target": Decimal(40),
        }
        values.update(overrides)
        action = Action(plan=plan or make_plan(), **values)
        db.session.add(action)
        db.session.commit()
        return action

    return make
