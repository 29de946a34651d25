"""Reference data for the organisation: communes are loaded from the published list."""

from __future__ import annotations

import csv
from decimal import Decimal
from importlib import resources

import sqlalchemy as sa

from portal.models import db
from portal.org.models import Commune, OrgUnit


def load_communes() -> int:
    """Insert or update the 28 communes from the packaged CSV; returns how many were created."""
    created = 0
    existing = {c.insee: c for c in db.session.scalars(sa.select(Commune))}
    source = resources.files("portal.org").joinpath("data/communes.csv")
    with source.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            commune = existing.get(row["insee"])
            if commune is None:
                commune = Commune(insee=row["insee"])
                db.session.add(commune)
                created += 1
            commune.name = row["name"]
            commune.postcodes = row["postcodes"]
            commune.lat = Decimal(row["lat"])
            commune.lon = Decimal(row["lon"])
    db.session.flush()
    return created


def unit_and_descendant_ids(unit_id: int) -> list[int]:
    """Ids of an org unit and all its sub-units (recursive CTE: one query at any depth)."""
    tree = sa.select(OrgUnit.id).where(OrgUnit.id == unit_id).cte("tree", recursive=True)
    tree = tree.union_all(sa.select(OrgUnit.id).join(tree, OrgUnit.parent_id == tree.c.id))
    return list(db.session.scalars(sa.select(tree.c.id)))
