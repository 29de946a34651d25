"""Demo data of the action plans: the strategy with six actions measured every month of the estate's demo years
(four on the estate's indicators, two declared), so that every status appears; an employee contributes to two
of them, and the data centre's action has a milestone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import User
from portal.estate import services as estate
from portal.models import db
from portal.plans import services
from portal.plans.models import Action, CheckIn, DeclaredValue, Milestone, Plan

START = date(2022, 1, 1)


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _actions(plan: Plan, manager: User | None, agent: User | None, admin: User) -> list[Action]:
    owner = manager or admin
    common = {"plan": plan, "start_on": START, "owner_id": owner.id, "public": True}
    returns = {**common, "owner_id": (agent or owner).id}  # an employee runs an action too
    return [
        Action(
            title="Porter à 6 ans la durée de vie des ordinateurs",
            description="Garder les postes plus longtemps\u202f: réparation, reconditionnement interne, renouvellement "
            "à la panne plutôt qu’à date fixe.",
            indicator_code="average_lifetime_retired_years",
            trend="increase",
            target=Decimal(6),
            deadline=date(2028, 12, 31),
            **common,
        ),
        Action(
            title="30 % de smartphones reconditionnés dans les achats",
            description="Proposer un modèle reconditionné par défaut dans le catalogue.",
            indicator_code="refurbished_share_count_pct",
            trend="increase",
            target=Decimal(30),
            deadline=date(2026, 12, 31),
            **common,
        ),
        Action(
            title="−15 % d’empreinte par agent d’ici 2028",
            description="Moins d’équipements par agent, gardés plus longtemps, moins de déplacements.",
            indicator_code="per_employee_kgco2e",
            trend="decrease",
            target=Decimal(0),  # set from the baseline
            deadline=date(2028, 12, 31),
            **common,
        ),
        Action(
            title="1 000 équipements rapportés par an",
            description="Rapporter les appareils remplacés aux points de collecte.",
            indicator_code="returned_at_collection",
            trend="increase",
            target=Decimal(1000),
            deadline=date(2025, 12, 31),
            **returns,
        ),
        Action(
            title="25 % de participation aux campagnes",
            description="Part des agents ayant participé à au moins une campagne dans l’année (bilan des campagnes).",
            declared_name="Participation aux campagnes",
            declared_unit="%",
            trend="increase",
            baseline=Decimal(8),
            target=Decimal(25),
            deadline=date(2027, 12, 31),
            **common,
        ),
        Action(
            title="PUE du centre de données à 1,5",
            description="Confinement des allées, free cooling, remplacement des onduleurs.",
            declared_name="PUE du centre de données",
            declared_unit="",
            trend="decrease",
            baseline=Decimal("1.9"),
            target=Decimal("1.5"),
            deadline=date(2027, 12, 31),
            plan=plan,
            start_on=START,
            owner_id=admin.id,
            public=False,
        ),
    ]


#: (action index, date, value, source): declared values of the two actions the portal cannot measure.
DECLARED = (
    (4, date(2022, 12, 31), Decimal(9), "Bilan des campagnes 2022"),
    (4, date(2023, 12, 31), Decimal(11), "Bilan des campagnes 2023"),
    (4, date(2024, 12, 31), Decimal(12), "Bilan des campagnes 2024"),
    (4, date(2025, 12, 31), Decimal(13), "Bilan des campagnes 2025"),
    (5, date(2022, 6, 30), Decimal("1.86"), "Relevé du gestionnaire du centre de données"),
    (5, date(2023, 6, 30), Decimal("1.78"), "Relevé du gestionnaire du centre de données"),
    (5, date(2024, 6, 30), Decimal("1.70"), "Relevé du gestionnaire du centre de données"),
    (5, date(2025, 6, 30), Decimal("1.62"), "Relevé du gestionnaire du centre de données"),
    (5, date(2026, 6, 30), Decimal("1.56"), "Relevé du gestionnaire du centre de données"),
)


def load_demo() -> dict[str, int]:
    """The strategy, its six actions and every month measured from the estate's frozen months (idempotent)."""
    admin = _user("admin@demo.example")
    if admin is None or db.session.scalar(sa.select(Plan.id).limit(1)) is not None:
        return {"plan actions": 0}
    plan = Plan(
        title="Stratégie numérique responsable 2022–2028",
        description="La stratégie adoptée par le conseil (loi REEN)\u202f: objectifs, indicateurs et plan "
        "d’actions, revus chaque année avant le débat d’orientation budgétaire.",
    )
    db.session.add(plan)
    actions = _actions(plan, _user("manager@demo.example"), _user("agent@demo.example"), admin)
    db.session.add_all(actions)
    agent = _user("agent@demo.example")
    if agent is not None:  # an employee takes part in two actions: named on them, adds check-ins
        actions[0].contributors = [agent]
        actions[2].contributors = [agent]
    actions[5].milestones = [Milestone(due_on=date(2024, 12, 31), value=Decimal("1.7"))]
    db.session.flush()
    for index, on, value, source in DECLARED:
        db.session.add(
            DeclaredValue(action_id=actions[index].id, on=on, value=value, source=source, entered_by_id=admin.id)
        )
    per_employee = actions[2]
    if services.measure_baseline(per_employee) and per_employee.baseline is not None:
        per_employee.target = (per_employee.baseline * Decimal("0.85")).quantize(Decimal("0.01"))
    today = estate.today_paris()
    measured = 0
    for year, month in sorted(estate.snapshot_months()):
        if (year, month) < (today.year, today.month):
            measured += services.measure_month(year, month, today=today).measured
    for action in actions:
        db.session.add(
            CheckIn(
                action_id=action.id,
                on=date(today.year, 1, 15),
                comment="Point annuel avant le débat budgétaire.",
                author_id=action.owner_id,
            )
        )
    if agent is not None:
        db.session.add(
            CheckIn(
                action_id=actions[0].id,
                on=date(today.year, 2, 2),
                comment="Atelier de réparation ouvert au service support.",
                author_id=agent.id,
            )
        )
    db.session.flush()
    return {"plan actions": len(actions), "plan measures": measured}
