"""Demo budgets: last year's, this year's and next year's lines for every demo direction and service, with planned
purchases from the catalogue, and carbon budgets set so that lines within, close to and over their budget all
show; last year's lines take the demo ITSM devices bought that year (ITSM actuals) and give the overview its
year-on-year column."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import User
from portal.budgets.models import BudgetLine, Nature, PlannedPurchase
from portal.budgets.services import current_year, seed_monetary_factor
from portal.catalogue.models import CatalogueItem
from portal.models import db
from portal.org.models import OrgUnit

#: Carbon budget / forecast, in turn: within (67 %), close (91 %), over (125 %).
BUDGET_RATIOS = (Decimal("1.5"), Decimal("1.1"), Decimal("0.8"))
#: (category, label, devices per head, line) of the planned renewals.
PLANS = (
    ("laptop", "Renouvellement des portables", 5, "postes"),
    ("monitor", "Écrans", 8, "postes"),
    ("smartphone", "Smartphones", 10, "mobiles"),
)


def _item(category: str) -> CatalogueItem | None:
    """The category's first new item that has a refurbished variant (so every variant shows), else its first."""
    refurbished = sa.select(CatalogueItem.refurbished_of_id).where(CatalogueItem.refurbished_of_id.is_not(None))
    base = (
        sa.select(CatalogueItem)
        .where(CatalogueItem.category == category, CatalogueItem.active.is_(True), CatalogueItem.refurbished.is_(False))
        .order_by(CatalogueItem.id)
        .limit(1)
    )
    return db.session.scalar(base.where(CatalogueItem.id.in_(refurbished))) or db.session.scalar(base)


def load_demo() -> dict[str, int]:
    """Create the demo budgets once (nothing when there are budget lines already); store the monetary ratio in
    the factor library."""
    seed_monetary_factor()
    if db.session.scalar(sa.select(BudgetLine.id).limit(1)) is not None:
        return {"budget lines": 0}
    items = {category: _item(category) for category, *_ in PLANS}
    heads = dict(
        db.session.execute(
            sa.select(User.org_unit_id, sa.func.count()).where(User.org_unit_id.is_not(None)).group_by(User.org_unit_id)
        ).all()
    )
    units = db.session.scalars(sa.select(OrgUnit).order_by(OrgUnit.code)).all()
    year = current_year()
    created = 0
    for n, unit in enumerate(units):
        people = max(heads.get(unit.id, 0), 5)
        for offset, year_ in enumerate((year - 1, year, year + 1)):
            lines: dict[str, BudgetLine] = {}
            for key, label, nature, per_head in (
                ("postes", "Postes de travail", Nature.INVESTMENT, 900),
                ("mobiles", "Téléphonie mobile", Nature.INVESTMENT, 150),
                ("licences", "Licences et maintenance", Nature.OPERATING, 300),
            ):
                lines[key] = BudgetLine(
                    fiscal_year=year_,
                    org_unit=unit,
                    nature=nature.value,
                    label=label,
                    amount_eur=Decimal(people * per_head),
                )
                db.session.add(lines[key])
                created += 1
            for category, label, per, key in PLANS:
                item = items[category]
                if item is None:
                    continue
                quantity = max(1, people // per)
                db.session.add(
                    PlannedPurchase(
                        line=lines[key],
                        label=f"{label} ({quantity})",
                        item=item,
                        category=category,
                        quantity=quantity,
                        unit_price_eur=item.price_eur,
                    )
                )
            for index, key in enumerate(("postes", "mobiles")):
                line = lines[key]
                forecast = sum(
                    (p.item.embodied_kgco2e * p.quantity for p in line.purchases if p.item is not None), Decimal(0)
                )
                ratio = BUDGET_RATIOS[(n + index + offset) % len(BUDGET_RATIOS)]
                line.carbon_budget_kgco2e = (forecast * ratio).quantize(Decimal("1"))
    db.session.flush()
    return {"budget lines": created}
