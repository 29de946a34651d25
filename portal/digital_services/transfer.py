"""CSV import and export of services, hosts, components and subscriptions, and the usage import.

Each import is a mapping (its columns) and a validation (`_check_*`: the values to store, or why the line is
refused); rows are upserted by their key, a refused line changes nothing and the others are saved. The large
ones (subscriptions, usage: 300,000 lines) resolve services and employees once and write by batches with Core
statements, as the inventory import does. Exports write the same columns, so that a file reads back unchanged.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal import csvio
from portal.accounts.models import User
from portal.catalogue.inventory import parse_iso_date
from portal.digital_services.models import (
    CATEGORIES,
    CRITICALITIES,
    HOST_KINDS,
    HOSTINGS,
    Access,
    DigitalService,
    ServiceComponent,
    ServiceHost,
    ServiceSubscription,
    ServiceUsage,
)
from portal.footprint.digital_services import ARCHETYPES
from portal.formatting import parse_decimal
from portal.models import Model, db
from portal.org.models import OrgUnit

SERVICE_COLUMNS = (
    "code",
    "name",
    "category",
    "hosting",
    "criticality",
    "access",
    "owner_unit",
    "owner_email",
    "eligible_unit",
    "description_fr",
    "description_en",
    "per_user_estimate_kgco2e",
    "estimate_source",
    "network_gb_per_year",
    "end_date",
)
HOST_COLUMNS = (
    "name",
    "kind",
    "archetype",
    "model",
    "data_centre",
    "embodied_kgco2e",
    "lifetime_years",
    "annual_kwh",
    "capacity",
    "pue",
    "quality",
    "source",
)
COMPONENT_COLUMNS = ("service_code", "host", "allocated")
SUBSCRIPTION_COLUMNS = ("service_code", "user_email", "started_on", "ended_on")
USAGE_COLUMNS = ("service_code", "user_email", "last_active_on", "active_days")
QUALITIES = ("manufacturer", "generic", "estimated")
#: The largest file of one import (15 services each for 100,000 employees would be 1.5 million: split it).
MAX_IMPORT_LINES = 1_000_000
BATCH_SIZE = 5000
ACCESSES = tuple(a.value for a in Access)


@dataclass(frozen=True)
class Refused:
    """Why a line is refused: a code of display.IMPORT_REJECTIONS, the column, the value, the quoted values."""

    code: str
    field: str = ""
    value: str = ""
    params: tuple[tuple[str, str], ...] = ()


def _decimal(row: csvio.Row, name: str, *, required: bool = False, positive: bool = False) -> Decimal | None:
    raw = row.get(name)
    try:
        value = parse_decimal(raw)
    except ValueError:
        raise _Problem(Refused("not_a_number", name, raw)) from None
    if value is None:
        if required:
            raise _Problem(Refused("required", name))
        return None
    if value < 0 or (positive and value == 0) or value >= 10**9:
        raise _Problem(Refused("out_of_range", name, raw))
    return value


def _date(row: csvio.Row, name: str, *, required: bool = False) -> date | None:
    raw = row.get(name)
    if not raw:
        if required:
            raise _Problem(Refused("required", name))
        return None
    value = _iso_date(raw)
    if value is None:
        raise _Problem(Refused("bad_date", name, raw[:40]))
    return value


@functools.lru_cache(maxsize=4096)
def _iso_date(raw: str) -> date | None:
    """The date of an ISO text, None if it is not one; kept: a 300,000-line file has a few hundred days."""
    try:
        return parse_iso_date(raw)
    except ValueError:
        return None


def _choice(row: csvio.Row, name: str, known: tuple[str, ...], default: str = "") -> str:
    value = row.get(name).lower() or default
    if value not in known:
        raise _Problem(Refused("unknown_value", name, value[:40], (("known", ", ".join(known)),)))
    return value


def _text(row: csvio.Row, name: str, limit: int, *, required: bool = False) -> str:
    value = row.get(name)
    if required and not value:
        raise _Problem(Refused("required", name))
    if len(value) > limit:
        raise _Problem(Refused("too_long", name, value[:100], (("max", str(limit)),)))
    return value


class _Problem(Exception):
    def __init__(self, refused: Refused) -> None:
        super().__init__(refused.code)
        self.refused = refused


def _run(
    rows: Iterable[csvio.Row], report: csvio.ImportReport, check: Callable[[csvio.Row], Any]
) -> Iterator[tuple[int, Any]]:
    """Each readable row's checked values with its line; refused lines go to the report."""
    for row in csvio.readable_rows(rows, report):
        try:
            yield row.line, check(row)
        except _Problem as problem:
            r = problem.refused
            report.reject(row.line, r.code, r.field, r.value, **dict(r.params))


def read_csv(data: bytes | str, columns: tuple[str, ...], required: tuple[str, ...]) -> Iterator[csvio.Row]:
    """The rows of one of these files; csvio.CsvFileError if empty, too long or lacking columns."""
    return csvio.read_rows(data, columns, required=required, max_lines=MAX_IMPORT_LINES)


# ---------------------------------------------------------------------------------------------------------
# Services, hosts, components: a few thousand rows, through the ORM
# ---------------------------------------------------------------------------------------------------------


def _units() -> dict[str, int]:
    return {code.lower(): unit_id for code, unit_id in db.session.execute(sa.select(OrgUnit.code, OrgUnit.id))}


def _user_ids() -> dict[str, int]:
    return dict(db.session.execute(sa.select(User.email, User.id)).all())


def import_services(rows: Iterable[csvio.Row]) -> csvio.ImportReport:
    """Create or update services by code (idempotent)."""
    report = csvio.ImportReport()
    units, users = _units(), _user_ids()
    existing = {s.code: s for s in db.session.scalars(sa.select(DigitalService))}
    seen: set[str] = set()

    def unit(row: csvio.Row, name: str) -> int | None:
        code = row.get(name).lower()
        if not code:
            return None
        if code not in units:
            raise _Problem(Refused("unknown_unit", name, code[:40]))
        return units[code]

    def check(row: csvio.Row) -> dict[str, Any]:
        code = _text(row, "code", 40, required=True)
        if code in seen:
            raise _Problem(Refused("repeated_key", "code", code))
        email = row.get("owner_email").lower()
        if email and email not in users:
            raise _Problem(Refused("unknown_user", "owner_email", email[:100]))
        values = {
            "code": code,
            "name": _text(row, "name", 160, required=True),
            "category": _choice(row, "category", CATEGORIES),
            "hosting": _choice(row, "hosting", HOSTINGS),
            "criticality": _choice(row, "criticality", CRITICALITIES, "medium"),
            "access": _choice(row, "access", ACCESSES, Access.ON_REQUEST.value),
            "owner_unit_id": unit(row, "owner_unit"),
            "owner_id": users[email] if email else None,
            "eligible_unit_id": unit(row, "eligible_unit"),
            "description_fr": _text(row, "description_fr", 4000),
            "description_en": _text(row, "description_en", 4000),
            "per_user_estimate_kgco2e": _decimal(row, "per_user_estimate_kgco2e"),
            "estimate_source": _text(row, "estimate_source", 300),
            "network_gb_per_year": _decimal(row, "network_gb_per_year"),
            "end_date": _date(row, "end_date"),
        }
        seen.add(code)
        return values

    for _line, values in _run(rows, report, check):
        _upsert(existing.get(values["code"]), DigitalService, values, values["code"], report)
    db.session.flush()
    report.sort()
    return report


def _upsert(current: Any, model: type, values: dict[str, Any], key: str, report: csvio.ImportReport) -> Any:
    if current is None:
        current = model(**values)
        db.session.add(current)
        report.created.append(key)
    elif any(getattr(current, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(current, name, value)
        report.updated.append(key)
    else:
        report.unchanged.append(key)
    return current


def import_hosts(rows: Iterable[csvio.Row]) -> csvio.ImportReport:
    """Create or update physical hosts by name; an `archetype` fills the figures left empty (its sheet)."""
    report = csvio.ImportReport()
    existing = {h.name: h for h in db.session.scalars(sa.select(ServiceHost))}
    seen: set[str] = set()

    def check(row: csvio.Row) -> dict[str, Any]:
        name = _text(row, "name", 80, required=True)
        if name in seen:
            raise _Problem(Refused("repeated_key", "name", name))
        archetype_key = row.get("archetype").lower()
        archetype = ARCHETYPES.get(archetype_key) if archetype_key else None
        if archetype_key and archetype is None:
            raise _Problem(
                Refused("unknown_value", "archetype", archetype_key[:40], (("known", ", ".join(ARCHETYPES)),))
            )
        needed = archetype is None
        kind = _choice(row, "kind", HOST_KINDS, archetype.kind if archetype else "")
        values = {
            "name": name,
            "kind": kind,
            "model": _text(row, "model", 160) or (archetype.model if archetype else ""),
            "data_centre": _text(row, "data_centre", 80),
            "embodied_kgco2e": _decimal(row, "embodied_kgco2e", required=needed),
            "lifetime_years": _decimal(row, "lifetime_years", required=needed, positive=True),
            "annual_kwh": _decimal(row, "annual_kwh", required=needed),
            "capacity": _decimal(row, "capacity", required=needed, positive=True),
            "pue": _decimal(row, "pue"),
            "quality": _choice(row, "quality", QUALITIES, "manufacturer" if archetype else "estimated"),
            "source": _text(row, "source", 300),
        }
        if archetype is not None:
            for field, default in (
                ("embodied_kgco2e", archetype.embodied_kgco2e),
                ("lifetime_years", archetype.lifetime_years),
                ("annual_kwh", archetype.annual_kwh),
                ("capacity", archetype.capacity),
            ):
                if values[field] is None:
                    values[field] = default
            values["source"] = values["source"] or f"Boavizta: {archetype.model}"
        pue = values["pue"]
        if isinstance(pue, Decimal) and pue < 1:
            raise _Problem(Refused("pue_below_one", "pue", row.get("pue")))
        seen.add(name)
        return values

    for _line, values in _run(rows, report, check):
        _upsert(existing.get(values["name"]), ServiceHost, values, values["name"], report)
    db.session.flush()
    report.sort()
    return report


def import_components(rows: Iterable[csvio.Row]) -> csvio.ImportReport:
    """Create or update what each service takes of each host, by (service code, host name)."""
    report = csvio.ImportReport()
    services = dict(db.session.execute(sa.select(DigitalService.code, DigitalService.id)).all())
    hosts = dict(db.session.execute(sa.select(ServiceHost.name, ServiceHost.id)).all())
    existing = {(c.service_id, c.host_id): c for c in db.session.scalars(sa.select(ServiceComponent))}
    seen: set[tuple[int, int]] = set()

    def check(row: csvio.Row) -> dict[str, Any]:
        code, host = row.get("service_code"), row.get("host")
        if code not in services:
            raise _Problem(Refused("unknown_service", "service_code", code[:40]))
        if host not in hosts:
            raise _Problem(Refused("unknown_host", "host", host[:80]))
        key = (services[code], hosts[host])
        if key in seen:
            raise _Problem(Refused("repeated_key", "host", host))
        seen.add(key)
        return {"service_id": key[0], "host_id": key[1], "allocated": _decimal(row, "allocated", required=True)}

    for _line, values in _run(rows, report, check):
        key = (values["service_id"], values["host_id"])
        _upsert(existing.get(key), ServiceComponent, values, f"{key[0]}:{key[1]}", report)
    db.session.flush()
    report.sort()
    return report


# ---------------------------------------------------------------------------------------------------------
# Subscriptions and usage: one row per (service, employee), hundreds of thousands, by batches
# ---------------------------------------------------------------------------------------------------------


def _bulk_import(
    rows: Iterable[csvio.Row],
    model: type[Model],
    stored: tuple[str, ...],
    values_of: Callable[[csvio.Row], dict[str, Any]],
) -> csvio.ImportReport:
    """Upsert rows keyed by (service_code, user_email) into `model`, `stored` being the other columns.

    The hot loop of a 300,000-line file: no ORM object, the existing rows read once as tuples, each line's
    values compared as one tuple, new and changed rows written by batches of one executemany each."""
    report = csvio.ImportReport.counting()
    services = dict(db.session.execute(sa.select(DigitalService.code, DigitalService.id)).all())
    users = _user_ids()
    seen: set[tuple[int, int]] = set()
    table = model.__table__
    existing = _existing_rows(table, stored)
    stored_of = _getter(stored)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for row in csvio.readable_rows(rows, report):
        code, email = row.get("service_code"), row.get("user_email").lower()
        try:
            service_id = services.get(code)
            if service_id is None:
                raise _Problem(Refused("unknown_service", "service_code", code[:40]))
            user_id = users.get(email)
            if user_id is None:
                raise _Problem(Refused("unknown_user", "user_email", email[:100]))
            key = (service_id, user_id)
            if key in seen:
                raise _Problem(Refused("repeated_key", "user_email", email[:100]))
            values = values_of(row)  # a refused line does not make a later one for the same key a repetition
        except _Problem as problem:
            r = problem.refused
            report.reject(row.line, r.code, r.field, r.value, **dict(r.params))
            continue
        seen.add(key)
        current = existing.get(key)
        if current is None:
            values["service_id"], values["user_id"] = key
            inserts.append(values)
            report.created.append("")
        elif current[1] != stored_of(values):
            values["row_id"] = current[0]
            updates.append(values)
            report.updated.append("")
        else:
            report.unchanged.append("")
        if len(inserts) >= BATCH_SIZE:
            _insert(table, inserts)
            inserts = []
        if len(updates) >= BATCH_SIZE:
            db.session.execute(sa.update(table).where(table.c.id == sa.bindparam("row_id")), updates)
            updates = []
    if inserts:
        _insert(table, inserts)
    if updates:
        db.session.execute(sa.update(table).where(table.c.id == sa.bindparam("row_id")), updates)
    db.session.expire_all()  # written with Core statements: reload any row already in the session
    report.sort()
    return report


def _insert(table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert a batch of new rows: on PostgreSQL with COPY (psycopg's executemany sends them one by one:
    300,000 new rows took 22 s); SQLite's executemany is fast as it is."""
    if db.engine.dialect.name != "postgresql":
        db.session.execute(sa.insert(table), rows)
        return
    names = list(rows[0])
    cursor = db.session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    columns = ", ".join(f'"{name}"' for name in names)
    with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[name] for name in names])


def _getter(names: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """The values of `names` as one tuple (`operator.itemgetter` gives a bare value for a single name)."""
    if len(names) == 1:
        return lambda values: (values[names[0]],)
    return operator.itemgetter(*names)


def _existing_rows(table: sa.Table, stored: tuple[str, ...]) -> dict[tuple[int, int], tuple[int, tuple[Any, ...]]]:
    """Every row of the table by (service, employee): its id and stored values. Read once (300,000 rows: about
    a second): looking rows up batch by batch would read most of the table again for each batch, which spans
    every employee."""
    columns = (table.c.id, table.c.service_id, table.c.user_id, *(table.c[name] for name in stored))
    # Plain tuples: a third of the memory of result rows.
    return {(row[1], row[2]): (row[0], tuple(row[3:])) for row in db.session.execute(sa.select(*columns))}


def import_subscriptions(rows: Iterable[csvio.Row], *, today: date) -> csvio.ImportReport:
    """Create or update who has which service (an `ended_on` ends the access), by (service, employee)."""

    def values_of(row: csvio.Row) -> dict[str, Any]:
        started = _date(row, "started_on") or today
        ended = _date(row, "ended_on")
        if ended is not None and ended < started:
            raise _Problem(Refused("ends_before_start", "ended_on", row.get("ended_on")))
        return {"started_on": started, "ended_on": ended, "ended_reason": "import" if ended else ""}

    return _bulk_import(rows, ServiceSubscription, ("started_on", "ended_on", "ended_reason"), values_of)


def import_usage(rows: Iterable[csvio.Row], *, today: date) -> csvio.ImportReport:
    """The access logs' or licence report's activity: last day active and days active in the 90 days."""

    def values_of(row: csvio.Row) -> dict[str, Any]:
        last = _date(row, "last_active_on", required=True)
        if last is None or last > today:
            raise _Problem(Refused("future_date", "last_active_on", row.get("last_active_on")))
        raw = row.get("active_days") or "1"
        if not raw.isdigit() or not 0 <= int(raw) <= 90:
            raise _Problem(Refused("bad_active_days", "active_days", raw[:20]))
        return {"last_active_on": last, "active_days": int(raw)}

    return _bulk_import(rows, ServiceUsage, ("last_active_on", "active_days"), values_of)


# ---------------------------------------------------------------------------------------------------------
# Exports: the same columns as the imports
# ---------------------------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def export_services(stream: IO[str]) -> int:
    """Every service, with the columns of the import."""
    services = db.session.scalars(
        sa.select(DigitalService)
        .options(
            selectinload(DigitalService.owner_unit),
            selectinload(DigitalService.eligible_unit),
            selectinload(DigitalService.owner),
        )
        .order_by(DigitalService.code)
    )
    rows = (
        (
            s.code,
            s.name,
            s.category,
            s.hosting,
            s.criticality,
            s.access,
            s.owner_unit.code if s.owner_unit else "",
            s.owner.email if s.owner else "",
            s.eligible_unit.code if s.eligible_unit else "",
            s.description_fr,
            s.description_en,
            s.per_user_estimate_kgco2e,
            s.estimate_source,
            s.network_gb_per_year,
            s.end_date,
        )
        for s in services
    )
    return csvio.write_rows(stream, SERVICE_COLUMNS, rows, cell=_cell)


def export_hosts(stream: IO[str]) -> int:
    """Every physical host (the figures written out: no archetype needed to read them back)."""
    hosts = db.session.scalars(sa.select(ServiceHost).order_by(ServiceHost.name))
    rows = (
        (
            h.name,
            h.kind,
            "",
            h.model,
            h.data_centre,
            h.embodied_kgco2e,
            h.lifetime_years,
            h.annual_kwh,
            h.capacity,
            h.pue,
            h.quality,
            h.source,
        )
        for h in hosts
    )
    return csvio.write_rows(stream, HOST_COLUMNS, rows, cell=_cell)


def export_components(stream: IO[str]) -> int:
    """Every component: service code, host name, allocated vCPU or GB."""
    rows = db.session.execute(
        sa.select(DigitalService.code, ServiceHost.name, ServiceComponent.allocated)
        .join(DigitalService, ServiceComponent.service_id == DigitalService.id)
        .join(ServiceHost, ServiceComponent.host_id == ServiceHost.id)
        .order_by(DigitalService.code, ServiceHost.name)
    )
    return csvio.write_rows(stream, COMPONENT_COLUMNS, rows, cell=_cell)


def export_subscriptions(stream: IO[str]) -> int:
    """Every subscription, current and ended, streamed (300,000 rows)."""
    rows = db.session.execute(
        sa.select(DigitalService.code, User.email, ServiceSubscription.started_on, ServiceSubscription.ended_on)
        .join(DigitalService, ServiceSubscription.service_id == DigitalService.id)
        .join(User, ServiceSubscription.user_id == User.id)
        .order_by(DigitalService.code, User.email)
        .execution_options(yield_per=5000)
    )
    return csvio.write_rows(stream, SUBSCRIPTION_COLUMNS, rows, cell=_cell)


#: What `flask services import|export KIND` reads and writes.
KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "services": (SERVICE_COLUMNS, ("code", "name", "category", "hosting")),
    "hosts": (HOST_COLUMNS, ("name",)),
    "components": (COMPONENT_COLUMNS, COMPONENT_COLUMNS),
    "subscriptions": (SUBSCRIPTION_COLUMNS, ("service_code", "user_email")),
    "usage": (USAGE_COLUMNS, ("service_code", "user_email", "last_active_on")),
}
EXPORTS: dict[str, Callable[[IO[str]], int]] = {
    "services": export_services,
    "hosts": export_hosts,
    "components": export_components,
    "subscriptions": export_subscriptions,
}


def import_kind(kind: str, data: bytes | str, *, today: date) -> csvio.ImportReport:
    """Import a file of one kind (services, hosts, components, subscriptions, usage)."""
    columns, required = KINDS[kind]
    rows = read_csv(data, columns, required)
    if kind == "services":
        return import_services(rows)
    if kind == "hosts":
        return import_hosts(rows)
    if kind == "components":
        return import_components(rows)
    if kind == "subscriptions":
        return import_subscriptions(rows, today=today)
    return import_usage(rows, today=today)
