"""The estate's services: monthly snapshots (taken, recomputed as new versions), the indicator engine that
pages, budgets and action plans read, the reference year, the waterfall, and who may see which scope.

Pages read snapshots only: nothing is recomputed per request.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, render_template, request
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf

from portal import reference_cache
from portal.accounts.models import Role, User
from portal.campaigns.conventions import ADEME_STORAGE
from portal.catalogue.models import Factor
from portal.catalogue.services import store_published_factor
from portal.domain_error import DomainError
from portal.estate.compute import (
    STORAGE_FACTOR_KEY,
    STORAGE_G_PER_GB_YEAR,
    VEHICLE_PREFIX,
    Devices,
    Factors,
    Ledger,
    TripRow,
    compute_ledger,
    current_factors,
    device_rows,
    indicator_values,
    like_for_like_values,
)
from portal.estate.indicators import BY_CODE, INDICATORS, Indicator
from portal.estate.models import Depot, EstateSettings, IndicatorValue, Snapshot, TripFigure
from portal.footprint.estate import VEHICLE_FACTORS, Convention, Period, Waterfall, YearTotals, waterfall
from portal.footprint.model import Quality
from portal.models import db, utcnow
from portal.org.models import OrgUnit, Site
from portal.org.services import unit_and_descendant_ids
from portal.timezone import PARIS

#: The first year a snapshot may cover: the ITSM and inventory hold nothing reliable before.
FIRST_YEAR = 2000
NIGHTLY = "nightly"
ORG = ("org", "")
NO_UNIT = ("none", "")
#: The lines the waterfall puts in its "other lines" step (the estate's total but the equipment; the digital
#: services are outside the estate's total, shown beside it as the whole digital footprint).
OTHER_LINES = ("trips_kgco2e", "transport_kgco2e", "storage_kgco2e")
Scope = tuple[str, str]


class EstateError(DomainError):
    """A refusal of the estate (words in portal.estate.display.MESSAGES)."""

    domain = "estate"


def today_paris(now: datetime | None = None) -> date:
    """Today's date in Paris."""
    return (now or utcnow()).astimezone(PARIS).date()


def indicators() -> tuple[Indicator, ...]:
    """The catalogue of indicators: code, unit, direction (labels and definitions: display.INDICATOR_TEXTS)."""
    return INDICATORS


def parse_month(text: str) -> tuple[int, int]:
    """(year, month) of "YYYY-MM"; a DomainError otherwise."""
    try:
        year, month = (int(part) for part in text.split("-"))
        date(year, month, 1)
    except ValueError:
        raise EstateError("bad_month", value=text) from None
    if year < FIRST_YEAR:
        raise EstateError("bad_month", value=text)
    return year, month


# --- Snapshots -------------------------------------------------------------------------------------------


def snapshot_period(year: int, month: int, today: date) -> Period:
    """1 January to the month's end, or to yesterday while the month is open (today itself is not over)."""
    whole = Period.to_month_end(year, month)
    if whole.end <= today:
        return whole
    if today <= date(year, 1, 1):  # the first of January: nothing is over yet, count the day
        return Period(year, date(year, 1, 2))
    return Period(year, today)


def same_days_last_year(period: Period) -> Period:
    """The same days one year earlier (29 February ends on 1 March)."""
    end = period.end
    try:
        earlier = end.replace(year=end.year - 1)
    except ValueError:
        earlier = date(end.year - 1, 3, 1)
    return Period(period.year - 1, earlier)


def _next_version(year: int, month: int) -> int:
    latest = db.session.scalar(
        sa.select(sa.func.max(Snapshot.version)).where(Snapshot.year == year, Snapshot.month == month)
    )
    return (latest or 0) + 1


@dataclass
class SnapshotRun:
    """What the snapshots computed together share: today's factors, the devices (read once), the services'
    footprint per year, and each period's totals already computed (a month's like-for-like last year is the
    month computed twelve snapshots earlier in the same run, with the same factors)."""

    today: date
    factors: Factors = field(default_factory=current_factors)
    devices: Devices | None = None
    services: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)
    ledgers: dict[Period, Ledger] = field(default_factory=dict)
    #: The first day of the earliest period computed: devices retired before it are not read.
    since: date | None = None

    def device_rows(self) -> Devices:
        if self.devices is None:
            self.devices = device_rows(self.factors, self.since)
        return self.devices

    def services_of(self, year: int) -> tuple[Decimal, Decimal]:
        """(kgCO₂e, of which estimated) of the digital services over `year` (whole year)."""
        if year not in self.services:
            self.services[year] = services_footprint(year)
        return self.services[year]

    def ledger(self, period: Period, trip_rows: list[TripRow] | None = None) -> Ledger:
        if trip_rows is None and period in self.ledgers:
            return self.ledgers[period]
        if self.since is not None and period.start < self.since:  # earlier than announced: read every device
            self.since, self.devices = None, None
        services_kg, services_estimated = self.services_of(period.year)
        ledger = compute_ledger(
            period,
            self.factors,
            today=self.today,
            devices=self.device_rows(),
            services_kgco2e=services_kg,
            services_estimated_kgco2e=services_estimated,
            trip_rows=trip_rows,
        )
        self.ledgers[period] = ledger
        return ledger


def services_footprint(year: int) -> tuple[Decimal, Decimal]:
    """The "services and data centres" line of a year: (kgCO₂e, of which estimated), from the digital services.

    Always as of the year's last day, whenever it is computed: a month frozen in December and the same year
    recomputed like for like a year later read the same inventory window, so only factor changes move it.
    """
    from portal.digital_services import services as digital_services  # read only: that domain owns the figures

    today = date(year, 12, 31)
    by_service = digital_services.annual_footprint_by_service(year, today=today)
    if not by_service:
        return Decimal(0), Decimal(0)
    figures = digital_services.figures_for([_Id(i) for i in by_service], today=today)
    estimated = Decimal(0)
    for service_id, value in by_service.items():
        annual = figures[service_id].footprint.annual if service_id in figures else None
        if annual is None or annual.quality is Quality.ESTIMATED:
            estimated += value
    return sum(by_service.values(), Decimal(0)), estimated


@dataclass(frozen=True)
class _Id:
    id: int


def _insert_rows(model: type, rows: list[dict[str, Any]]) -> None:
    """Write a snapshot's frozen rows: with COPY on PostgreSQL (an executemany sends one statement per row:
    ~30,000 per snapshot), in the session's transaction; with executemany elsewhere."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        db.session.execute(sa.insert(model), rows)
        return
    from psycopg import sql  # PostgreSQL's driver, present when its dialect is

    columns = list(rows[0])
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model.__table__.name),  # type: ignore[attr-defined]
        sql.SQL(", ").join(map(sql.Identifier, columns)),
    )
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row([row[column] for column in columns])


def take_snapshot(
    year: int,
    month: int,
    *,
    by: User | None = None,
    reason: str = "",
    today: date | None = None,
    run: SnapshotRun | None = None,
) -> Snapshot:
    """Compute the indicators from 1 January to the month's end with today's factors, as a new version.

    The previous year's same period is computed too with today's factors (like for like, for the waterfall).
    `run`: shared by several snapshots computed together (see `take_snapshots`).
    """
    today = today or today_paris()
    if (year, month) > (today.year, today.month):
        raise EstateError("future_month", value=f"{year}-{month:02d}")
    started = time.perf_counter()
    run = run or SnapshotRun(today, since=date(year - 1, 1, 1))  # this year's and last year's periods
    factors = run.factors
    period = snapshot_period(year, month, today)
    trips: list[TripRow] = []
    values = indicator_values(run.ledger(period, trips))
    values.update(like_for_like_values(run.ledger(same_days_last_year(period))))
    snapshot = Snapshot(
        year=year,
        month=month,
        ends_on=period.end - timedelta(days=1),
        version=_next_version(year, month),
        computed_by_id=by.id if by else None,
        reason=reason[:300],
        factor_versions=factors.versions,
    )
    db.session.add(snapshot)
    db.session.flush()
    units = {code: indicator.unit for code, indicator in BY_CODE.items()}
    _insert_rows(
        IndicatorValue,
        [
            {
                "snapshot_id": snapshot.id,
                "code": code,
                "convention": convention,
                "scope": scope,
                "scope_key": key[:200],
                "value": value.quantize(Decimal("0.000001")),
                "unit": units.get(code, "kgCO2e" if "kgco2e" in code else "device-years"),
            }
            for (code, convention, scope, key), value in values.items()
        ],
    )
    if trips:
        _insert_rows(
            TripFigure,
            [
                {
                    "snapshot_id": snapshot.id,
                    "kind": t.kind,
                    "ref_id": t.ref_id,
                    "day": t.day,
                    "quantity": t.quantity,
                    "site_id": t.site_id,
                    "unit_id": t.unit_id,
                    "one_way_km": t.one_way_km.quantize(Decimal("0.001")),
                    "vehicle_km": t.vehicle_km.quantize(Decimal("0.001")),
                    "vehicle": t.vehicle,
                    "kgco2e": t.kgco2e.quantize(Decimal("0.000001")),
                    "estimated": t.estimated,
                }
                for t in trips
            ],
        )
    snapshot.seconds = Decimal(str(round(time.perf_counter() - started, 3)))
    db.session.flush()
    return snapshot


def take_snapshots(
    months: list[tuple[int, int]], *, reason: str, today: date | None = None, by: User | None = None
) -> list[Snapshot]:
    """Several months at once, oldest first, sharing one run (devices read once, last year's periods reused)."""
    today = today or today_paris()
    run = SnapshotRun(today, since=date(min(months)[0] - 1, 1, 1) if months else None)
    return [take_snapshot(y, m, by=by, reason=reason, today=today, run=run) for y, m in sorted(months)]


def recompute(year: int, month: int, *, by: User, reason: str, today: date | None = None) -> Snapshot:
    """An admin's explicit recompute of a past month: a new version, with who and why; the old ones stay."""
    if not reason.strip():
        raise EstateError("reason_required")
    return take_snapshot(year, month, by=by, reason=reason.strip(), today=today)


def nightly(today: date | None = None) -> list[Snapshot]:
    """The jobs process's nightly snapshot of the current month (and, on the 1st, the month just closed).

    A month still open has one automatic version, replaced each night; once closed it is frozen.
    """
    today = today or today_paris()
    months = [(today.year, today.month)]
    if today.day == 1:
        months.insert(0, (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1))
    taken = []
    for year, month in months:
        latest = latest_version(year, month)
        if latest is not None and latest.reason == NIGHTLY and latest.computed_by_id is None:
            db.session.delete(latest)
            db.session.flush()
        elif latest is not None:
            continue  # explicitly computed: the job leaves it
        taken.append(take_snapshot(year, month, reason=NIGHTLY, today=today))
    return taken


def latest_version(year: int, month: int) -> Snapshot | None:
    """The version shown of a month."""
    return db.session.scalar(
        sa.select(Snapshot)
        .where(Snapshot.year == year, Snapshot.month == month)
        .order_by(Snapshot.version.desc())
        .limit(1)
    )


def latest_of_year(year: int, month: int | None = None) -> Snapshot | None:
    """The latest version of the year's latest month snapshot (up to `month`)."""
    statement = sa.select(Snapshot).where(Snapshot.year == year)
    if month is not None:
        statement = statement.where(Snapshot.month <= month)
    return db.session.scalar(statement.order_by(Snapshot.month.desc(), Snapshot.version.desc()).limit(1))


def versions(year: int, month: int) -> list[Snapshot]:
    """Every version of a month, newest first."""
    return list(
        db.session.scalars(
            sa.select(Snapshot).where(Snapshot.year == year, Snapshot.month == month).order_by(Snapshot.version.desc())
        )
    )


def snapshot_months() -> list[tuple[int, int]]:
    """(year, month) of every month with a snapshot, newest first."""
    rows = db.session.execute(
        sa.select(Snapshot.year, Snapshot.month).distinct().order_by(Snapshot.year.desc(), Snapshot.month.desc())
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def snapshot_years() -> list[int]:
    """Years with a snapshot, newest first."""
    return sorted({year for year, _ in snapshot_months()}, reverse=True)


def values_of(snapshot: Snapshot, scope: Scope, convention: str) -> dict[str, Decimal]:
    """code → value of one scope in a snapshot, under `convention` for the codes that depend on it."""
    rows = db.session.execute(
        sa.select(IndicatorValue.code, IndicatorValue.convention, IndicatorValue.value).where(
            IndicatorValue.snapshot_id == snapshot.id,
            IndicatorValue.scope == scope[0],
            IndicatorValue.scope_key == scope[1],
            IndicatorValue.convention.in_(("", convention)),
        )
    )
    return {code: value for code, _convention, value in rows}


def scope_values(
    snapshot: Snapshot, scope_kind: str, codes: tuple[str, ...], convention: str, keys: list[str] | None = None
) -> dict[str, dict[str, Decimal]]:
    """scope key → {code → value} for every scope of a kind (or the given keys)."""
    statement = sa.select(IndicatorValue.scope_key, IndicatorValue.code, IndicatorValue.value).where(
        IndicatorValue.snapshot_id == snapshot.id,
        IndicatorValue.scope == scope_kind,
        IndicatorValue.code.in_(codes),
        IndicatorValue.convention.in_(("", convention)),
    )
    if keys is not None:
        statement = statement.where(IndicatorValue.scope_key.in_(keys))
    result: dict[str, dict[str, Decimal]] = {}
    for key, code, value in db.session.execute(statement):
        result.setdefault(key, {})[code] = value
    return result


def unit_cross_values(
    snapshot: Snapshot, scope_kind: str, unit_id: int, codes: tuple[str, ...], convention: str
) -> dict[str, dict[str, Decimal]]:
    """A unit's (with its sub-units) sites or categories: site id or category → {code → value}."""
    prefix = f"{unit_id}:"
    statement = sa.select(IndicatorValue.scope_key, IndicatorValue.code, IndicatorValue.value).where(
        IndicatorValue.snapshot_id == snapshot.id,
        IndicatorValue.scope == scope_kind,
        IndicatorValue.scope_key.startswith(prefix, autoescape=True),
        IndicatorValue.code.in_(codes),
        IndicatorValue.convention.in_(("", convention)),
    )
    result: dict[str, dict[str, Decimal]] = {}
    for key, code, value in db.session.execute(statement):
        result.setdefault(key.removeprefix(prefix), {})[code] = value
    return result


def top_scopes(
    snapshot: Snapshot, scope_kind: str, convention: str, *, limit: int, keys: list[str] | None = None
) -> list[tuple[str, Decimal]]:
    """The scopes of a kind with the largest total footprint, largest first (sorted and cut by the database)."""
    statement = (
        sa.select(IndicatorValue.scope_key, IndicatorValue.value)
        .where(
            IndicatorValue.snapshot_id == snapshot.id,
            IndicatorValue.scope == scope_kind,
            IndicatorValue.code == "total_kgco2e",
            IndicatorValue.convention == convention,
        )
        .order_by(IndicatorValue.value.desc(), IndicatorValue.scope_key)
        .limit(limit)
    )
    if keys is not None:
        statement = statement.where(IndicatorValue.scope_key.in_(keys))
    return [(key, value) for key, value in db.session.execute(statement)]


# --- The indicator engine ---------------------------------------------------------------------------------


def indicator_value(
    code: str,
    year: int,
    scope: Scope = ORG,
    *,
    convention: str = Convention.AMORTISED.value,
    month: int | None = None,
) -> Decimal | None:
    """An indicator's frozen value for a year (to its latest month snapshot, or to `month`); None if unknown."""
    if code not in BY_CODE:
        raise EstateError("unknown_indicator", indicator=code)
    snapshot = latest_of_year(year, month)
    if snapshot is None:
        return None
    return values_of(snapshot, scope, convention).get(code)


def indicator_series(
    code: str, years: list[int], scope: Scope = ORG, *, convention: str = Convention.AMORTISED.value
) -> list[tuple[int, Decimal | None]]:
    """(year, value) of an indicator over several years."""
    return [(year, indicator_value(code, year, scope, convention=convention)) for year in years]


# --- Settings -----------------------------------------------------------------------------------------------


def settings() -> EstateSettings:
    """The settings (the defaults, not stored, until an admin changes one: reading never writes)."""
    row = db.session.get(EstateSettings, 1)
    return row if row is not None else EstateSettings(id=1, detour_factor=Decimal("1.3"), delivery_vehicle="van")


def _stored_settings() -> EstateSettings:
    row = db.session.get(EstateSettings, 1)
    if row is None:
        row = EstateSettings(id=1, detour_factor=Decimal("1.3"), delivery_vehicle="van")
        db.session.add(row)
    return row


def set_reference_year(year: int | None, *, by: User) -> EstateSettings:
    """Choose the reference year (the benchmark every page compares with); it must have a snapshot."""
    if year is not None and year not in snapshot_years():
        raise EstateError("no_snapshot_year", year=year)
    row = _stored_settings()
    row.reference_year = year
    row.updated_by_id = by.id
    row.updated_at = utcnow()
    db.session.flush()
    return row


def set_depot(assignment_group: str, site_id: int, vehicle: str) -> Depot:
    """Where a team leaves from and in which vehicle (created or changed)."""
    group = assignment_group.strip()
    if not group:
        raise EstateError("group_required")
    if vehicle not in VEHICLE_FACTORS:
        raise EstateError("unknown_vehicle", vehicle=vehicle)
    depot = db.session.scalar(sa.select(Depot).where(Depot.assignment_group == group))
    if depot is None:
        depot = Depot(assignment_group=group, site_id=site_id, vehicle=vehicle)
        db.session.add(depot)
    depot.site_id, depot.vehicle = site_id, vehicle
    db.session.flush()
    return depot


# --- Who sees what ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Visibility:
    """The scopes a user may read: everything (admins), or a unit and its sub-units (managers)."""

    everything: bool
    unit_ids: frozenset[int]
    home: Scope

    def allows_unit(self, unit_id: int) -> bool:
        return self.everything or unit_id in self.unit_ids


def visibility(user: User) -> Visibility | None:
    """What `user` may see of the estate; None for employees (no access)."""
    if Role.ADMIN.value in user.roles:
        return Visibility(True, frozenset(), ORG)
    if Role.MANAGER.value in user.roles:
        if user.org_unit_id is None:  # a manager of no unit in the directory: nothing to show, said so
            return Visibility(False, frozenset(), NO_UNIT)
        return Visibility(False, frozenset(unit_and_descendant_ids(user.org_unit_id)), ("unit", str(user.org_unit_id)))
    return None


# --- Comparisons --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearFigures:
    """One year's frozen figures for a scope, as a page compares them."""

    year: int
    snapshot: Snapshot
    values: dict[str, Decimal]

    @property
    def months(self) -> int:
        return self.snapshot.month

    @property
    def period(self) -> Period:
        return Period(self.year, self.snapshot.ends_on + timedelta(days=1))

    @property
    def complete_month(self) -> bool:
        """True when the snapshot covers its whole month (not a month still open)."""
        return self.period == Period.to_month_end(self.year, self.snapshot.month)


def year_figures(year: int, scope: Scope, convention: str, month: int | None = None) -> YearFigures | None:
    """A year's latest (or to `month`) snapshot values for a scope."""
    snapshot = latest_of_year(year, month)
    if snapshot is None:
        return None
    return YearFigures(year, snapshot, values_of(snapshot, scope, convention))


def _totals(values: dict[str, Decimal], prefix: str = "") -> YearTotals:
    if prefix:
        return YearTotals(
            values.get("lfl_equipment_kgco2e", Decimal(0)),
            values.get("lfl_other_kgco2e", Decimal(0)),
            values.get("lfl_device_years", Decimal(0)),
        )
    return YearTotals(
        values.get("embodied_kgco2e", Decimal(0)) + values.get("use_kgco2e", Decimal(0)),
        sum((values.get(code, Decimal(0)) for code in OTHER_LINES), Decimal(0)),
        values.get("device_years", Decimal(0)),
    )


@dataclass(frozen=True)
class Movement:
    """The waterfall of a year against the same months of the year before, and whether last year was frozen."""

    year: int
    month: int
    steps: Waterfall
    previous_frozen: bool
    last_day: date

    @property
    def previous_last_day(self) -> date:
        return same_days_last_year(Period(self.year, self.last_day + timedelta(days=1))).end - timedelta(days=1)


def movement(current: YearFigures, scope: Scope, convention: str) -> Movement:
    """Why the figures moved since the same months of last year (frozen figures; like for like for factors)."""
    like_for_like = _totals(current.values, prefix="lfl")
    previous = latest_version(current.year - 1, current.months)
    same_days = same_days_last_year(current.period).end - timedelta(days=1)
    if previous is not None and previous.ends_on != same_days:
        previous = None  # last year's frozen month covers other days: not comparable
    # Nothing frozen for last year: the factor step cannot be told apart from the others.
    published = _totals(values_of(previous, scope, convention)) if previous is not None else like_for_like
    return Movement(
        current.year,
        current.months,
        waterfall(published, like_for_like, _totals(current.values)),
        previous is not None,
        current.snapshot.ends_on,
    )


def movement_basis(current: YearFigures, scope: Scope, convention: str) -> YearFigures:
    """The figures the waterfall explains: the year's last closed month while the current one is still open."""
    if current.complete_month or current.months == 1:
        return current
    return year_figures(current.year, scope, convention, current.months - 1) or current


def units_by_id(ids: list[int] | None = None) -> dict[int, OrgUnit]:
    """Org units by id (all, or those given)."""
    statement = sa.select(OrgUnit)
    if ids is not None:
        statement = statement.where(OrgUnit.id.in_(ids))
    return {unit.id: unit for unit in db.session.scalars(statement)}


def seed_vehicle_factors() -> int:
    """Store the published vehicle factors as versioned scalar factors `vehicle_<key>`, and the ADEME storage
    factor as `storage_gb_year` (stored ones kept)."""
    existing = set(db.session.scalars(sa.select(Factor.key).where(Factor.key.like(f"{VEHICLE_PREFIX}%"))))
    created = 0
    for key, vehicle in VEHICLE_FACTORS.items():
        if f"{VEHICLE_PREFIX}{key}" in existing:
            continue
        factor = Factor(
            key=f"{VEHICLE_PREFIX}{key}",
            kind="scalar",
            value=vehicle.kgco2e_per_km,
            unit="kgCO2e/vehicle-km",
            quality="generic",
            source=vehicle.source,
            source_year=vehicle.source_year,
            note="",
            version=1,
            reference_source="",
        )
        store_published_factor(factor)
        created += 1
    if STORAGE_FACTOR_KEY not in set(db.session.scalars(sa.select(Factor.key).where(Factor.key == STORAGE_FACTOR_KEY))):
        store_published_factor(
            Factor(
                key=STORAGE_FACTOR_KEY,
                kind="scalar",
                value=STORAGE_G_PER_GB_YEAR,
                unit="gCO2e/(GB*year)",
                quality="generic",
                source=f"{ADEME_STORAGE.source}: storage hardware excluded, a floor",
                source_year=ADEME_STORAGE.source_year,
                note="",
                version=1,
                reference_source="",
            )
        )
        created += 1
    db.session.flush()
    return created


# --- Pages rendered once --------------------------------------------------------------------------------------


_STAMP = "portal.estate.frozen_stamp"


def _setting(column: Any) -> Any:
    return sa.select(column).where(EstateSettings.id == 1).scalar_subquery()


def frozen_stamp() -> tuple[Any, ...]:
    """What every page read from the snapshots depends on, in one small read (once per request): the newest
    snapshot (a new month or a recompute is a new row) and their number, and the settings (reference year,
    detour, delivery)."""
    if has_request_context() and _STAMP in request.environ:
        return request.environ[_STAMP]
    columns = (
        EstateSettings.reference_year,
        EstateSettings.detour_factor,
        EstateSettings.delivery_site_id,
        EstateSettings.delivery_vehicle,
        EstateSettings.updated_at,
    )
    row = db.session.execute(
        sa.select(sa.func.max(Snapshot.id), sa.func.count(Snapshot.id), *(_setting(c) for c in columns))
    ).one()
    stamp = tuple(row)
    if has_request_context() and request.method == "GET":  # a form's answer may freeze a month before it renders
        request.environ[_STAMP] = stamp
    return stamp


def shown_years() -> list[int]:
    """snapshot_years(), read once per snapshot change (every page's year switch)."""
    return list(reference_cache.cached("estate.years", frozen_stamp(), lambda: tuple(snapshot_years())))


def render_blocks(template_name: str, context: dict[str, Any]) -> tuple[str, str]:
    """The title and content blocks of an estate page, rendered as text (the frame around them is not)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    template = app.jinja_env.get_template(template_name)
    context = dict(context)
    app.update_template_context(context)
    rendering = template.new_context(context)
    return "".join(template.blocks["title"](rendering)), "".join(template.blocks["content"](rendering))


def rendered_page(
    name: str,
    key: Hashable,
    template_name: str,
    context: Callable[[], dict[str, Any]],
    *,
    frozen: bool = True,
    load: Callable[[], tuple[str, str]] | None = None,
) -> tuple[str, str]:
    """(title, content) of a page, rendered once per worker for everyone who sees it the same way: `key` holds
    the scope, visibility, filters and page; the language is added. `frozen` pages (read from snapshots) are
    also keyed on `frozen_stamp()`, so a new snapshot or recompute shows at the next request; the fleet
    (`frozen=False`) follows the reference generation, which every change of a device renews."""
    stamp = frozen_stamp() if frozen else None
    return reference_cache.cached(
        f"estate.page.{name}",
        (stamp, key, str(get_locale())),
        load or (lambda: render_blocks(template_name, context())),
    )


def site_choices() -> tuple[tuple[int, str], ...]:
    """The sites a team may leave from, (id, name) by name: the depot form's choices, read once per worker until
    a site changes (sites are tracked by the reference generation)."""

    def load() -> tuple[tuple[int, str], ...]:
        return tuple(
            (row.id, row.name) for row in db.session.execute(sa.select(Site.id, Site.name).order_by(Site.name))
        )

    return reference_cache.cached("estate.site_choices", (), load)


#: Where a form's CSRF token goes in a page kept for everyone (each request fills in its own token).
CSRF_SLOT = "\ue000csrf_token\ue000"


def rendered_form_page(
    name: str, key: Hashable, template_name: str, context: Callable[[], dict[str, Any]]
) -> tuple[str, str]:
    """(title, content) of a page of forms, rendered once per worker like `rendered_page` (frozen): its choices
    and values follow the snapshots, the settings and the reference generation (depots and sites are tracked);
    the CSRF tokens, which belong to each session, are put back at every request."""

    def load() -> tuple[str, str]:
        token = generate_csrf()
        title, body = render_blocks(template_name, context())
        return title, body.replace(token, CSRF_SLOT)

    title, body = rendered_page(name, key, template_name, context, frozen=True, load=load)
    return title, body.replace(CSRF_SLOT, generate_csrf())


def versions_table() -> str:
    """The settings page's table of frozen months and their versions, rendered once per snapshot change."""

    def load() -> str:
        snapshots = list(
            db.session.scalars(
                sa.select(Snapshot)
                .order_by(Snapshot.year.desc(), Snapshot.month.desc(), Snapshot.version.desc())
                .limit(36)
            )
        )
        return render_template("estate/_versions.html", snapshots=snapshots)

    return reference_cache.cached("estate.versions", (frozen_stamp(), str(get_locale())), load)
