"""Writing one page of records of each table: upserts by sys_id, in bulk, with what a run resolves once.

Built for the whole estate (60,000 assets a first sync): per page of up to 10,000 records, existing rows,
employees and assets are read with one query each, and rows are written with Core INSERT / UPDATE
executemany statements rather than one ORM object each. Nothing a page reads is kept after it, except the
small tables resolved once per run (catalogue items, models, sites, locations, communes), so memory does
not grow with the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import QueryableAttribute

from portal import csvio
from portal.accounts.models import User
from portal.catalogue.models import Asset, CatalogueItem
from portal.database import affected_rows
from portal.itsm import mapping
from portal.itsm.mapping import Refused, key_of
from portal.itsm.model_matching import CatalogueIndex, category_for, fold
from portal.itsm.models import (
    AssetTransfer,
    Intervention,
    ItsmAsset,
    ItsmLocation,
    ItsmModel,
    ModelMatch,
)
from portal.models import db, utcnow
from portal.org.models import Commune, Site

#: Records of one page: (place in the read or line of the file, the record as the instance sent it).
Records = Sequence[tuple[int, dict[str, Any]]]
#: Distinct unknown e-mails a table report keeps to show (all are counted).
EMAIL_SAMPLES_KEPT = 20


@dataclass
class TableReport:
    """What one run did with one table so far (the counts in constant memory: keys are not kept)."""

    table: str
    report: csvio.ImportReport = field(default_factory=csvio.ImportReport.counting)
    read: int = 0
    total: int | None = None
    requests: int = 0
    sites_created: int = 0
    unknown_models: set[int] = field(default_factory=set)
    unknown_emails: int = 0
    unknown_email_samples: set[str] = field(default_factory=set)
    problems_saved: int = 0

    def refuse(self, ordinal: int, key: str, refused: Refused) -> None:
        """Count a refused record (its key, place, reason, field and value are kept for the report)."""
        self.report.reject(ordinal, refused.code, refused.field, refused.value, record=key, **refused.params)

    def unknown_email(self, email: str) -> None:
        self.unknown_emails += 1
        if len(self.unknown_email_samples) < EMAIL_SAMPLES_KEPT:
            self.unknown_email_samples.add(email)


@dataclass(frozen=True)
class Place:
    """Where a record's location name leads: the ITSM location, the site, the coordinates."""

    location_id: int | None
    site_id: int | None
    lat: Decimal | None
    lon: Decimal | None


@dataclass(frozen=True)
class ResolvedModel:
    """What an ITSM model counts as: its row, the catalogue item or category, how it was found."""

    id: int
    item_id: int | None
    category: str | None
    match: str

    @property
    def estimated(self) -> bool:
        return self.match == ModelMatch.CATEGORY.value


def catalogue_index() -> CatalogueIndex:
    """The catalogue's items an ITSM model can be: refurbished items share their model's name, and an ITSM model
    is the new one."""
    return CatalogueIndex(db.session.execute(
        sa.select(CatalogueItem.id, CatalogueItem.category, CatalogueItem.manufacturer, CatalogueItem.name)
        .where(CatalogueItem.refurbished.is_(False)).order_by(CatalogueItem.id)
    ))


class Resolver:
    """What a run looks up once and keeps for all its pages: small tables only."""

    def __init__(self, status_codes: dict[str, str] | Any) -> None:
        self.status_codes = status_codes
        self._index: CatalogueIndex | None = None
        self._models: dict[str, ResolvedModel] | None = None
        self._by_raw: dict[tuple[str, str, str], ResolvedModel] = {}
        self._places: tuple[dict[str, Place], dict[str, Place]] | None = None
        self._communes: tuple[dict[str, str], dict[str, str]] | None = None

    # --- models ---------------------------------------------------------------------------------------
    @property
    def index(self) -> CatalogueIndex:
        if self._index is None:
            self._index = catalogue_index()
        return self._index

    def model(self, manufacturer: str, name: str, itsm_category: str) -> ResolvedModel:
        """The model's row (created and matched the first time it is seen)."""
        if self._models is None:
            self._models = {
                row.key: ResolvedModel(row.id, row.item_id, row.category, row.match)
                for row in db.session.execute(
                    sa.select(ItsmModel.id, ItsmModel.key, ItsmModel.item_id, ItsmModel.category, ItsmModel.match))
            }
        raw = (manufacturer, name, itsm_category)
        seen = self._by_raw.get(raw)
        if seen is not None:  # most records repeat a few hundred models: normalise each name once
            return seen
        normalised = self.index.normalise(manufacturer, name)
        known = self._models.get(normalised.key)
        if known is not None:
            self._by_raw[raw] = known
            return known
        found = self.index.match(normalised)
        row = ItsmModel(key=normalised.key, manufacturer=manufacturer, name=name, itsm_category=itsm_category)
        if found is not None:
            row.item_id, row.category, row.match, row.similarity = found.item_id, found.category, found.how, \
                found.similarity
        else:
            row.category = category_for(itsm_category, name)
            row.match = (ModelMatch.CATEGORY if row.category else ModelMatch.NONE).value
        db.session.add(row)
        db.session.flush()
        resolved = self._models[normalised.key] = self._by_raw[raw] = ResolvedModel(
            row.id, row.item_id, row.category, row.match)
        return resolved

    def postpone(self, model: ResolvedModel, updated_on: datetime | None) -> None:
        """Remember the oldest change of a device refused for want of a category: mapping reads it again."""
        if updated_on is None:
            return
        db.session.execute(
            sa.update(ItsmModel).where(
                ItsmModel.id == model.id,
                sa.or_(ItsmModel.pending_since.is_(None), ItsmModel.pending_since > updated_on),
            ).values(pending_since=updated_on)
        )

    # --- places ---------------------------------------------------------------------------------------
    def places_by_name(self) -> tuple[dict[str, Place], dict[str, Place]]:
        """(portal sites, ITSM locations) by folded name, read once."""
        if self._places is None:
            sites: dict[str, Place] = {}
            for site in db.session.execute(sa.select(Site.id, Site.name, Site.lat, Site.lon).order_by(Site.id)):
                sites.setdefault(fold(site.name), Place(None, site.id, site.lat, site.lon))
            locations = {
                row.name_key: Place(row.id, row.site_id, row.lat, row.lon)
                for row in db.session.execute(
                    sa.select(ItsmLocation.id, ItsmLocation.name_key, ItsmLocation.site_id, ItsmLocation.lat,
                              ItsmLocation.lon).order_by(ItsmLocation.id)
                )
            }
            self._places = (sites, locations)
        return self._places

    def place(self, name: str) -> Place | None:
        """Where a record's location name leads: the ITSM location of that name (with its site), else the
        portal site of that name; case, accents and spacing ignored."""
        if not name:
            return None
        sites, locations = self.places_by_name()
        key = fold(name)
        location, site = locations.get(key), sites.get(key)
        if location is None:
            return site
        if location.site_id is None and site is not None:
            return Place(location.location_id, site.site_id, location.lat or site.lat, location.lon or site.lon)
        return location

    def site_named(self, name: str) -> int | None:
        """The portal site with this name, if any."""
        site = self.places_by_name()[0].get(fold(name))
        return site.site_id if site is not None else None

    def remember(self, location: ItsmLocation) -> None:
        """A location just stored, for the records of this run that name it."""
        sites, locations = self.places_by_name()
        locations[location.name_key] = Place(location.id, location.site_id, location.lat, location.lon)
        if location.site_id is not None:
            sites.setdefault(location.name_key, Place(None, location.site_id, location.lat, location.lon))

    def commune_of(self, zip_code: str, city: str) -> str | None:
        """The INSEE code of the commune of the metropolis with this postcode, else this name."""
        if self._communes is None:
            by_postcode: dict[str, str] = {}
            by_name: dict[str, str] = {}
            for commune in db.session.scalars(sa.select(Commune)):
                by_name[fold(commune.name)] = commune.insee
                for postcode in commune.postcode_list:
                    by_postcode.setdefault(postcode, commune.insee)
            self._communes = (by_postcode, by_name)
        by_postcode, by_name = self._communes
        return by_postcode.get(zip_code.strip()) or by_name.get(fold(city))


def among(column: sa.ColumnElement[Any] | QueryableAttribute[Any], values: Iterable[Any]) -> sa.ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `column = ANY(array)`, one parameter whatever the page's size
    (psycopg parses a statement of a thousand placeholders anew each time: 20 ms a page)."""
    values = list(values)
    if db.session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


# ---------------------------------------------------------------------------
# Locations → sites
# ---------------------------------------------------------------------------

_LOCATION_FIELDS = ("name", "street", "city", "zip", "lat", "lon")


def write_locations(page: Records, report: TableReport, resolver: Resolver) -> None:
    """Store `cmn_location` records; each is linked to the portal site of the same name, else to a site
    created from it when it lies in a commune of the metropolis and has coordinates."""
    checked: list[tuple[int, str, mapping.LocationValues]] = []
    for ordinal, record in page:
        try:
            checked.append((ordinal, key_of("cmn_location", record), mapping.location(record)))
        except Refused as refused:
            report.refuse(ordinal, key_of("cmn_location", record), refused)
    existing = {
        location.sys_id: location
        for location in db.session.scalars(
            sa.select(ItsmLocation).where(among(ItsmLocation.sys_id, [values.sys_id for _, _, values in checked]))
        )
    }
    resolver.places_by_name()  # read before this page adds its locations
    for _, key, values in checked:
        location = existing.get(values.sys_id)
        created = location is None
        if location is None:
            location = existing[values.sys_id] = ItsmLocation(sys_id=values.sys_id)
            db.session.add(location)
        changed = False
        for name in _LOCATION_FIELDS:
            if getattr(location, name) != getattr(values, name):
                setattr(location, name, getattr(values, name))
                changed = True
        location.name_key = fold(values.name)[:160]
        if location.site_id is None:
            location.site_id = resolver.site_named(values.name) or _new_site(location, resolver, report)
            changed = changed or location.site_id is not None
        elif changed:
            _follow_site(location)
        db.session.flush()
        resolver.remember(location)
        (report.report.created if created else report.report.updated if changed else report.report.unchanged
         ).append(key)


def _site_code(location: ItsmLocation) -> str:
    return f"SN-{location.sys_id}"


def _new_site(location: ItsmLocation, resolver: Resolver, report: TableReport) -> int | None:
    """A portal site for a location of the metropolis with coordinates; None elsewhere."""
    insee = resolver.commune_of(location.zip, location.city)
    if insee is None or location.lat is None or location.lon is None:
        return None
    address = ", ".join(part for part in (location.street, f"{location.zip} {location.city}".strip()) if part)
    site = Site(code=_site_code(location), name=location.name[:160], address=(address or location.name)[:200],
                commune_insee=insee, lat=location.lat, lon=location.lon)
    db.session.add(site)
    db.session.flush()
    report.sites_created += 1
    return site.id


def _follow_site(location: ItsmLocation) -> None:
    """A site created from a location moves with it (a site the portal already had is left as it is)."""
    site = db.session.get(Site, location.site_id)
    if site is not None and site.code == _site_code(location) and location.lat is not None and location.lon is not None:
        site.name, site.lat, site.lon = location.name[:160], location.lat, location.lon


# ---------------------------------------------------------------------------
# Assets
# ---------------------------------------------------------------------------

#: Asset columns the ITSM sets; a record that changes none of them (nor its model or e-mail) is unchanged.
ASSET_COLUMNS = (
    "asset_tag", "sys_id", "serial", "item_id", "category", "model_name", "user_id", "acquired_on", "status",
    "substatus", "cost_eur", "site_id", "installed_on", "retired_on", "model_estimated",
)


def write_assets(page: Records, report: TableReport, resolver: Resolver) -> None:
    """Store `alm_hardware` records as inventory assets: matched by sys_id, or by asset tag the first time (the
    CSV inventory's devices are adopted); an asset tag that another record already has is refused, not merged."""
    checked: list[tuple[int, str, mapping.AssetValues, ResolvedModel]] = []
    tags: dict[str, str] = {}
    by_sys_id_seen: set[str] = set()
    for ordinal, record in page:
        key = key_of("alm_hardware", record)
        try:
            values = mapping.asset(record, resolver.status_codes)
            if values.sys_id in by_sys_id_seen:
                raise Refused("duplicate_sys_id", "sys_id", values.sys_id)
            if values.asset_tag in tags:
                raise Refused("duplicate_asset_tag", "asset_tag", values.asset_tag, other=tags[values.asset_tag])
            model = resolver.model(values.manufacturer, values.model_name, values.itsm_category)
            if model.match == ModelMatch.NONE.value:
                report.unknown_models.add(model.id)
                resolver.postpone(model, values.updated_on)
                raise Refused("unknown_category", "model_category.name", values.itsm_category,
                              model=values.model_name)
        except Refused as refused:
            report.refuse(ordinal, key, refused)
            continue
        if model.estimated:
            report.unknown_models.add(model.id)
        tags[values.asset_tag] = values.sys_id
        by_sys_id_seen.add(values.sys_id)
        checked.append((ordinal, key, values, model))
    if not checked:
        return
    columns = (Asset.id, *(getattr(Asset, name) for name in ASSET_COLUMNS), ItsmAsset.model_id,
               ItsmAsset.assigned_email)
    statement = sa.select(*columns).outerjoin(ItsmAsset, ItsmAsset.asset_id == Asset.id)
    by_sys_id = {row.sys_id: row for row in db.session.execute(
        statement.where(among(Asset.sys_id, [values.sys_id for _, _, values, _ in checked])))}
    by_tag = {row.asset_tag: row for row in db.session.execute(
        statement.where(among(Asset.asset_tag, tags)))}
    emails = {values.email for _, _, values, _ in checked if values.email}
    users = {email: user_id for email, user_id in db.session.execute(
        sa.select(User.email, User.id).where(among(User.email, emails)))} if emails else {}
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    itsm_rows: dict[str, dict[str, Any]] = {}  # by sys_id, for the assets inserted
    itsm_inserts: list[dict[str, Any]] = []
    itsm_updates: list[dict[str, Any]] = []
    for ordinal, key, values, model in checked:
        current = by_sys_id.get(values.sys_id)
        holder = by_tag.get(values.asset_tag)
        if holder is not None and (current is None or holder.id != current.id):
            if current is None and holder.sys_id is None:
                current = holder  # a device of the CSV inventory, adopted
            else:
                report.refuse(ordinal, key, Refused("duplicate_asset_tag", "asset_tag", values.asset_tag,
                                                    other=holder.sys_id or holder.asset_tag))
                continue
        user_id = users.get(values.email) if values.email else None
        if values.email and user_id is None:
            report.unknown_email(values.email)
        place = resolver.place(values.location_name)
        stored = {
            "asset_tag": values.asset_tag, "sys_id": values.sys_id, "serial": values.serial,
            "item_id": model.item_id, "category": model.category, "model_name": values.model_name,
            "user_id": user_id, "acquired_on": values.acquired_on, "status": values.status,
            "substatus": values.substatus, "cost_eur": values.cost_eur,
            "site_id": place.site_id if place is not None else None, "installed_on": values.installed_on,
            "retired_on": values.retired_on, "model_estimated": model.estimated,
        }
        side = {"model_id": model.id, "assigned_email": values.email}
        if current is None:
            inserts.append({**stored, "created_at": now, "status_changed_at": now})
            itsm_rows[values.sys_id] = side
            report.report.created.append(key)
            continue
        asset_changed = any(getattr(current, name) != stored[name] for name in ASSET_COLUMNS)
        side_changed = current.model_id != model.id or current.assigned_email != values.email
        if asset_changed:
            if current.status != values.status:
                stored["status_changed_at"] = now
            updates.append({"asset_row": current.id, **stored})
        if current.model_id is None:
            itsm_inserts.append({"asset_id": current.id, **side})
        elif side_changed:
            itsm_updates.append({"asset_row": current.id, **side})
        (report.report.updated if asset_changed or side_changed else report.report.unchanged).append(key)
    if inserts:
        db.session.execute(sa.insert(Asset.__table__), inserts)
        new_ids = db.session.execute(
            sa.select(Asset.sys_id, Asset.id).where(among(Asset.sys_id, itsm_rows)))
        # Not NULL: the IN above reads back only the sys_ids of itsm_rows.
        itsm_inserts.extend({"asset_id": asset_id, **itsm_rows[sys_id]}  # type: ignore[index]
                            for sys_id, asset_id in new_ids)
    _update_by_id(Asset.__table__, "asset_row", updates, split_on="status_changed_at")
    if itsm_inserts:
        db.session.execute(sa.insert(ItsmAsset.__table__), itsm_inserts)
    if itsm_updates:
        table = ItsmAsset.__table__
        db.session.execute(sa.update(table).where(table.c.asset_id == sa.bindparam("asset_row")), itsm_updates)


def _update_by_id(table: sa.Table, id_key: str, rows: list[dict[str, Any]], *, split_on: str = "") -> None:
    """UPDATE rows by id with executemany; rows with and without `split_on` go as two statements (the SET
    clause follows the keys of the rows)."""
    if not rows:
        return
    statement = sa.update(table).where(table.c.id == sa.bindparam(id_key))
    groups = [[row for row in rows if (split_on in row) is flag] for flag in (True, False)] if split_on else [rows]
    for group in groups:
        if group:
            db.session.execute(statement, group)


# ---------------------------------------------------------------------------
# Interventions and transfers
# ---------------------------------------------------------------------------


def _upsert(table: sa.Table, rows: Iterable[tuple[str, dict[str, Any]]], report: TableReport) -> None:
    """Insert or update rows by sys_id, counting them under their record keys."""
    rows = list(rows)
    if not rows:
        return
    compared = [name for name in rows[0][1] if name != "sys_id"]
    existing = {row.sys_id: row for row in db.session.execute(
        sa.select(table.c.id, table.c.sys_id, *(table.c[name] for name in compared))
        .where(among(table.c.sys_id, [values["sys_id"] for _, values in rows])))}
    inserts, updates = [], []
    for key, values in rows:
        current = existing.get(values["sys_id"])
        if current is None:
            inserts.append(values)
            report.report.created.append(key)
        elif any(getattr(current, name) != values[name] for name in compared):
            updates.append({"row_id": current.id, **values})
            report.report.updated.append(key)
        else:
            report.report.unchanged.append(key)
    if inserts:
        db.session.execute(sa.insert(table), inserts)
    _update_by_id(table, "row_id", updates)


def _distinct(table: str, page: Records, report: TableReport, parse: Any) -> list[tuple[int, str, Any]]:
    """The page's records parsed, each sys_id once; the others refused with their reason."""
    parsed, seen = [], set()
    for ordinal, record in page:
        key = key_of(table, record)
        try:
            values = parse(record)
            if values.sys_id in seen:
                raise Refused("duplicate_sys_id", "sys_id", values.sys_id)
        except Refused as refused:
            report.refuse(ordinal, key, refused)
            continue
        seen.add(values.sys_id)
        parsed.append((ordinal, key, values))
    return parsed


def write_interventions(page: Records, report: TableReport, resolver: Resolver) -> None:
    """Store `wm_task` records: where (the task's coordinates, else its location's) and when."""
    rows = []
    for _, key, values in _distinct("wm_task", page, report, mapping.intervention):
        place = resolver.place(values.location_name)
        lat, lon = (values.lat, values.lon) if values.lat is not None or place is None else (place.lat, place.lon)
        rows.append((key, {
            "sys_id": values.sys_id, "number": values.number, "location_name": values.location_name,
            "location_id": place.location_id if place else None, "site_id": place.site_id if place else None,
            "lat": lat, "lon": lon, "assignment_group": values.assignment_group, "state": values.state,
            "travel_started_at": values.travel_started_at, "work_started_at": values.work_started_at,
            "work_ended_at": values.work_ended_at, "short_description": values.short_description,
        }))
    _upsert(Intervention.__table__, rows, report)


def write_transfers(page: Records, report: TableReport, resolver: Resolver) -> None:
    """Store `alm_transfer_order_line` records: which asset went from which site to which, and when."""
    parsed = _distinct("alm_transfer_order_line", page, report, mapping.transfer)
    tags = {values.asset_tag for _, _, values in parsed if values.asset_tag}
    assets = {tag: asset_id for tag, asset_id in db.session.execute(
        sa.select(Asset.asset_tag, Asset.id).where(among(Asset.asset_tag, tags)))} if tags else {}
    rows = []
    for _, key, values in parsed:
        origin, destination = resolver.place(values.from_location_name), resolver.place(values.to_location_name)
        rows.append((key, {
            "sys_id": values.sys_id, "number": values.number, "asset_tag": values.asset_tag,
            "asset_id": assets.get(values.asset_tag), "quantity": values.quantity, "stage": values.stage,
            "from_location_name": values.from_location_name, "to_location_name": values.to_location_name,
            "from_location_id": origin.location_id if origin else None,
            "to_location_id": destination.location_id if destination else None,
            "from_site_id": origin.site_id if origin else None,
            "to_site_id": destination.site_id if destination else None,
            "shipped_at": values.shipped_at, "received_at": values.received_at,
        }))
    _upsert(AssetTransfer.__table__, rows, report)


#: How each table's page is stored.
WRITERS = {
    "cmn_location": write_locations,
    "alm_hardware": write_assets,
    "wm_task": write_interventions,
    "alm_transfer_order_line": write_transfers,
}


def link_known_emails() -> int:
    """Give their employee the devices whose ITSM e-mail was unknown and is now in the directory."""
    waiting = sa.select(ItsmAsset.asset_id).join(User, User.email == ItsmAsset.assigned_email)
    employee = (
        sa.select(User.id).join(ItsmAsset, ItsmAsset.assigned_email == User.email)
        .where(ItsmAsset.asset_id == Asset.id).scalar_subquery()
    )
    result = db.session.execute(
        sa.update(Asset).where(Asset.user_id.is_(None), Asset.id.in_(waiting)).values(user_id=employee)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(result)
