"""The estate in NumEcoEval's input format (the French government's open-source IT footprint calculator), so that
the portal's figures can be cross-checked with it: the physical equipment file and the entity file.

Columns as NumEcoEval documents them (`;`-separated, optional ones included and left empty when unknown).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from pathlib import Path

import sqlalchemy as sa

from portal import csvio
from portal.accounts.models import User
from portal.catalogue.footprints import load_factor_set
from portal.catalogue.models import Asset, CatalogueItem
from portal.estate.compute import GONE, NOT_YET
from portal.models import db
from portal.org.models import OrgUnit
from portal.timezone import PARIS

PHYSICAL_COLUMNS = (
    "nomEquipementPhysique",
    "modele",
    "quantite",
    "nomCourtDatacenter",
    "dateAchat",
    "dateRetrait",
    "dureeUsageInterne",
    "dureeUsageAmont",
    "dureeUsageAval",
    "type",
    "statut",
    "paysDUtilisation",
    "consoElecAnnuelle",
    "utilisateur",
    "nomSourceDonnee",
    "nomEntite",
    "nbCoeur",
    "modeUtilisation",
    "tauxUtilisation",
    "qualite",
)
#: Columns NumEcoEval requires a value in (the others are optional, in brackets in its documentation).
PHYSICAL_REQUIRED = ("nomEquipementPhysique", "modele", "quantite", "type", "statut", "paysDUtilisation")
ENTITY_COLUMNS = ("nomEntite", "nbCollaborateurs", "responsableEntite", "responsableNumeriqueResponsable")
ENTITY_REQUIRED = ("nomEntite", "nbCollaborateurs")
PHYSICAL_FILE = "equipementPhysique.csv"
ENTITY_FILE = "entite.csv"
#: The portal's categories as NumEcoEval's equipment types name them.
TYPES = {
    "laptop": "Ordinateur portable",
    "desktop": "Ordinateur fixe",
    "monitor": "Ecran",
    "smartphone": "Smartphone",
    "tablet": "Tablette",
    "printer": "Imprimante",
    "server": "Serveur",
    "phone": "Telephone fixe",
}
QUALITY = {"manufacturer": "HAUTE", "generic": "MOYENNE", "estimated": "BASSE"}
SOURCE = "portail-numerique-responsable"


def _paris(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=PARIS)


def physical_rows(year: int) -> Iterator[list[object]]:
    """One line per device in service at some point of the year."""
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    references = load_factor_set().references
    units = {u.id: u.code for u in db.session.scalars(sa.select(OrgUnit))}
    rows = db.session.execute(
        sa.select(
            Asset.asset_tag,
            Asset.model_name,
            Asset.category,
            Asset.acquired_on,
            Asset.retired_on,
            Asset.status,
            Asset.status_changed_at,
            Asset.model_estimated,
            CatalogueItem.lifetime_years,
            CatalogueItem.annual_kwh,
            CatalogueItem.result_quality,
            User.org_unit_id,
        )
        .outerjoin(CatalogueItem, Asset.item_id == CatalogueItem.id)
        .outerjoin(User, Asset.user_id == User.id)
        .where(Asset.acquired_on < end, Asset.status.not_in(NOT_YET))
        .order_by(Asset.asset_tag)
    )
    for tag, model, category, acquired, retired, status, changed_at, estimated, lifetime, kwh, quality, unit_id in rows:
        if retired is None and status in GONE:
            retired = changed_at.astimezone(PARIS).date()
        if retired is not None and retired < start:
            continue
        reference = references.get(category)
        lifetime = lifetime or (reference.lifetime_years.value if reference else None)
        kwh = kwh if kwh is not None else (reference.annual_kwh.value if reference else None)
        in_use = retired is None or retired >= end
        unit = units.get(unit_id, "")
        yield [
            tag,
            model,
            1,
            "",
            acquired.isoformat(),
            retired.isoformat() if retired else "",
            lifetime,
            "",
            "",
            TYPES.get(category, category),
            "In use" if in_use else "Retired",
            "France",
            kwh,
            unit,
            SOURCE,
            unit,
            "",
            "",
            "",
            "BASSE" if estimated or quality is None else QUALITY.get(quality, "BASSE"),
        ]


def entity_rows(year: int) -> Iterator[list[object]]:
    """One line per org unit: its employees active in the year (the unit itself, not its sub-units)."""
    start, end = _paris(date(year, 1, 1)), _paris(date(year + 1, 1, 1))
    counts = Counter(
        db.session.scalars(
            sa.select(User.org_unit_id).where(
                User.created_at < end, sa.or_(User.deactivated_at.is_(None), User.deactivated_at >= start)
            )
        )
    )
    for unit in db.session.scalars(sa.select(OrgUnit).order_by(OrgUnit.code)):
        yield [unit.code, counts.get(unit.id, 0), "", ""]


def problems(
    header: Sequence[str], rows: list[list[object]], columns: Sequence[str], required: Sequence[str]
) -> list[str]:
    """What makes a file not NumEcoEval's: its header, a line of the wrong width, a required value missing."""
    found = []
    if tuple(header) != tuple(columns):
        found.append(f"header differs from NumEcoEval's: {';'.join(header)}")
    for number, row in enumerate(rows, start=2):
        if len(row) != len(columns):
            found.append(f"line {number}: {len(row)} values, {len(columns)} expected")
            continue
        for name in required:
            if row[columns.index(name)] in (None, ""):
                found.append(f"line {number}: {name} is empty")
    return found


def export(directory: Path, year: int) -> dict[str, int]:
    """Write both files into `directory` (created if needed), checked first; returns the lines written per file."""
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, columns, required, rows in (
        (PHYSICAL_FILE, PHYSICAL_COLUMNS, PHYSICAL_REQUIRED, list(physical_rows(year))),
        (ENTITY_FILE, ENTITY_COLUMNS, ENTITY_REQUIRED, list(entity_rows(year))),
    ):
        found = problems(columns, rows, columns, required)
        if found:
            raise ValueError(f"{name}: " + "; ".join(found[:5]))
        with (directory / name).open("w", encoding="utf-8", newline="") as stream:
            written[name] = csvio.write_rows(stream, columns, rows, delimiter=";")
    return written
