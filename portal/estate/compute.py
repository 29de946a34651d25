"""Read the inventory, interventions, transfers and deliveries of a period and compute every indicator for every
scope (the organisation, each org unit with its sub-units, each site, category and model).

The calculations are the pure core's (`portal.footprint.estate`); this module only gathers their inputs with a
few set-wise queries (no query per device) and adds the results up per scope.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from operator import itemgetter
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from portal.accounts.models import User
from portal.campaigns.conventions import ADEME_STORAGE
from portal.campaigns.models import StorageSnapshot
from portal.catalogue.footprints import load_factor_set
from portal.catalogue.models import Asset, AssetStatus, CatalogueItem, Factor, Order, OrderStatus
from portal.estate.models import Depot, EstateSettings
from portal.footprint.estate import (
    VEHICLE_FACTORS,
    Convention,
    Period,
    Shipment,
    great_circle_km,
    lifetime_days,
    shared_transport_kgco2e,
    trip_kgco2e,
    trip_km,
)
from portal.itsm.models import AssetTransfer, Intervention
from portal.locator.models import DeviceReturn
from portal.models import db
from portal.org.models import OrgUnit, Site
from portal.timezone import PARIS

#: Devices gone from the estate: their retirement is `retired_on`, else the day their status changed.
GONE = (AssetStatus.RETURNED.value, AssetStatus.RECYCLED.value, AssetStatus.RETIRED.value)
NOT_YET = (AssetStatus.ON_ORDER.value,)
#: Distance of a trip whose ends are unknown when no trip of the period has known ends (marked estimated).
FALLBACK_ONE_WAY_KM = Decimal(10)
#: Vehicle of a team with no depot set (marked estimated).
FALLBACK_VEHICLE = "car_diesel_compact"
OVERDUE_DAYS = 30
VEHICLE_PREFIX = "vehicle_"
#: The ADEME storage factor's key in the factor library (gCO₂e per GB stored for a year, hardware excluded).
STORAGE_FACTOR_KEY = "storage_gb_year"
STORAGE_G_PER_GB_YEAR = ADEME_STORAGE.grams_per_gb
BYTES_PER_GB = Decimal(10**9)
#: A device still in service: its retirement ordinal is after every period.
NEVER = date.max.toordinal()
Key = tuple[str, str]  # (scope, scope key)
ORG: Key = ("org", "")
#: Scopes of a unit (with its sub-units) at a site, and of a unit's devices of a category: key "unit id:site id",
#: "unit id:category". Only the figures the breakdown pages show are kept for them.
UNIT_SITE = "unit_site"
UNIT_CATEGORY = "unit_cat"
CROSS_CODES = frozenset(
    {
        "total_kgco2e",
        "embodied_kgco2e",
        "use_kgco2e",
        "transport_kgco2e",
        "storage_kgco2e",
        "per_employee_kgco2e",
        "employees",
        "devices_in_service",
        "average_age_years",
        "estimated_share_pct",
    }
)


@dataclass
class Factors:
    """The factor values a computation uses, and their versions (kept with the snapshot)."""

    electricity: Decimal
    vehicles: dict[str, Decimal]
    detour: Decimal
    delivery_vehicle: str
    delivery_site_id: int | None
    versions: dict[str, int]
    factor_set: object = None
    storage_g_per_gb_year: Decimal = STORAGE_G_PER_GB_YEAR


def current_factors() -> Factors:
    """The factor library as it is now (published vehicle values stand in for any not stored)."""
    factor_set = load_factor_set()
    stored = {f.key: f for f in db.session.scalars(sa.select(Factor))}
    vehicles = {key: v.kgco2e_per_km for key, v in VEHICLE_FACTORS.items()}
    versions = {key: f.version for key, f in stored.items()}
    for key, factor in stored.items():
        if key.startswith(VEHICLE_PREFIX) and factor.value is not None:
            vehicles[key.removeprefix(VEHICLE_PREFIX)] = factor.value
    settings = db.session.get(EstateSettings, 1)
    storage = stored.get(STORAGE_FACTOR_KEY)
    return Factors(
        electricity=factor_set.electricity.value,
        vehicles=vehicles,
        detour=settings.detour_factor if settings else Decimal("1.3"),
        delivery_vehicle=settings.delivery_vehicle if settings else "van",
        delivery_site_id=settings.delivery_site_id if settings else None,
        versions=versions,
        factor_set=factor_set,
        storage_g_per_gb_year=storage.value
        if storage is not None and storage.value is not None
        else STORAGE_G_PER_GB_YEAR,
    )


@dataclass
class Totals:
    """What is added up per scope before the indicators are derived."""

    embodied: dict[str, Decimal] = field(default_factory=lambda: {c.value: Decimal(0) for c in Convention})
    estimated: dict[str, Decimal] = field(default_factory=lambda: {c.value: Decimal(0) for c in Convention})
    use: Decimal = Decimal(0)
    device_years: Decimal = Decimal(0)
    in_service: int = 0
    age_days: int = 0
    retired: int = 0
    retired_life_days: int = 0
    acquired: int = 0
    acquired_refurbished: int = 0
    acquired_eur: Decimal = Decimal(0)
    acquired_refurbished_eur: Decimal = Decimal(0)
    trips: Decimal = Decimal(0)
    interventions: int = 0
    intervention_km: Decimal = Decimal(0)
    transport: Decimal = Decimal(0)
    transport_km: Decimal = Decimal(0)
    other_estimated: Decimal = Decimal(0)
    storage: Decimal = Decimal(0)
    storage_gb: Decimal = Decimal(0)
    services: Decimal = Decimal(0)
    services_estimated: Decimal = Decimal(0)
    employees: int = 0
    returned: int = 0
    overdue: int = 0


class Ledger(defaultdict[Key, Totals]):
    """Totals per scope."""

    def __init__(self) -> None:
        super().__init__(Totals)

    def each(self, keys: Iterable[Key]) -> Iterable[Totals]:
        return (self[key] for key in keys)


def _paris_day(instant: datetime | None) -> date | None:
    return None if instant is None else instant.astimezone(PARIS).date()


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=PARIS)


def unit_ancestors() -> dict[int, tuple[int, ...]]:
    """Each org unit with its ancestors (itself first): a unit's figures include its sub-units'."""
    parents: dict[int, int | None] = {i: p for i, p in db.session.execute(sa.select(OrgUnit.id, OrgUnit.parent_id))}
    chains: dict[int, tuple[int, ...]] = {}
    for unit in parents:
        chain: list[int] = []
        current: int | None = unit
        seen: set[int] = set()
        while current is not None and current not in seen:
            seen.add(current)
            chain.append(current)
            current = parents.get(current)
        chains[unit] = tuple(chain)
    return chains


def _unit_keys(chains: dict[int, tuple[int, ...]], unit_id: int | None) -> list[Key]:
    return [("unit", str(u)) for u in chains.get(unit_id, ())] if unit_id is not None else []


def _cross_keys(
    chains: dict[int, tuple[int, ...]], unit_id: int | None, site_id: int | None, category: str | None
) -> list[Key]:
    """A unit's (with its sub-units) sites and categories: what a manager's sites and categories pages read."""
    if unit_id is None:
        return []
    units = chains.get(unit_id, ())
    keys: list[Key] = []
    if site_id is not None:
        keys += [(UNIT_SITE, f"{u}:{site_id}") for u in units]
    if category:
        keys += [(UNIT_CATEGORY, f"{u}:{category}") for u in units]
    return keys


@dataclass(frozen=True, slots=True, eq=False)
class ModelInputs:
    """What the lines need of a device's model: shared by every device of that model (compared by identity)."""

    embodied_kgco2e: Decimal
    lifetime_years: Decimal
    lifetime_in_days: int
    annual_kwh: Decimal
    estimated: bool
    refurbished: bool


#: PostgreSQL subtracts dates in days: a date's ordinal (`date.toordinal`) is its days since EPOCH plus EPOCH's.
EPOCH = date(1970, 1, 1)
#: SQLite's Julian day of ordinal 0 (1 January of year 1, ordinal 1, is Julian day 1,721,425.5).
JULIAN_DAY_OF_ORDINAL_ZERO = 1721424.5
#: An id the database left empty, read as an integer column.
NO_ID = -1
#: A cost the database left empty (costs are read in cents: any real cost, negative or not, is far above it).
NO_COST = -(2**62)
Int64s = npt.NDArray[np.int64]
Leaf = tuple[int | None, int | None, str]  # (unit id, site id, category)


@dataclass(frozen=True, eq=False)
class Devices:
    """Every device a snapshot run counts, as columns sorted by acquisition (one entry per device).

    Dates are day ordinals (`date.toordinal`): acquired, retired (NEVER while in service; a retirement before
    the acquisition is read as the acquisition day), end of the amortised days (retirement or end of lifetime).
    `cost_cents`: the device's cost, else its catalogue item's price, else 0. Each device has one `leaves` entry
    (unit, site, category), one `model_names` entry and one `inputs` entry (what its model's lines need, as
    integers in `weights`): the periods add the devices' integers up per leaf with array operations (see
    `_add_devices`).
    """

    acquired: Int64s
    retired: Int64s
    amortised_end: Int64s
    cost_cents: Int64s
    leaf: Int64s
    model: Int64s
    model_inputs: Int64s
    leaves: list[Leaf]
    model_names: list[str]
    inputs: list[ModelInputs]
    weights: Weights  # the inputs as integers

    def __len__(self) -> int:
        return len(self.acquired)


def _day_ordinal(column: InstrumentedAttribute[date | None], dialect: str) -> sa.ColumnElement[int]:
    """`date.toordinal()` of a date column, computed by the database (no date object made per row)."""
    if dialect == "sqlite":
        return sa.cast(sa.func.julianday(column) - JULIAN_DAY_OF_ORDINAL_ZERO, sa.Integer)
    return sa.type_coerce(column - sa.cast(sa.literal(EPOCH.isoformat()), sa.Date), sa.Integer) + EPOCH.toordinal()


def _plain_rows(statement: sa.Select[*tuple[Any, ...]]) -> list[Sequence[object]]:
    """The rows of a statement of plain columns (integers, texts: no conversion needed) from the driver's cursor,
    in the session's transaction: SQLAlchemy's row objects cost a fifth of reading 500,000 devices. The
    statement's values are constants of the code, written into it."""
    connection = db.session.connection()
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    # A pooled connection always holds its driver's connection.
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled))
        return cursor.fetchall()
    finally:
        cursor.close()


def _positions(ids: Int64s, wanted: Int64s) -> Int64s:
    """Each wanted id's position in the sorted `ids`, or len(ids) when it is not there (NO_ID included)."""
    if not len(ids):
        return np.zeros(len(wanted), dtype=np.int64)
    found = np.searchsorted(ids, wanted)
    known = ids[np.minimum(found, len(ids) - 1)] == wanted
    return np.where(known, found, len(ids)).astype(np.int64)


def _column(rows: Sequence[Sequence[object]], index: int) -> Int64s:
    """One integer column of the rows (read value by value: no tuple per column for the collector to walk)."""
    return np.fromiter(map(itemgetter(index), rows), dtype=np.int64, count=len(rows))


def _codes(values: Iterable[Any], names: dict[str, int], count: int) -> Int64s:
    """Each text's index in `names` (extended with the new ones, in order of first appearance)."""
    return np.fromiter((names.setdefault(value, len(names)) for value in values), dtype=np.int64, count=count)


def _model_inputs(
    category: str,
    item: tuple[object, ...] | None,
    model_estimated: bool,
    references: dict,
    models: dict[tuple[object, ...], int],
    inputs: list[ModelInputs],
) -> int:
    """The index in `inputs` of what a device of `item` (None: no catalogue item) needs; devices whose values are
    the same share one entry (the category's published reference stands in for what the item lacks)."""
    embodied, lifetime, kwh, refurbished, quality = item[1:6] if item is not None else (None,) * 5
    estimated = bool(model_estimated or embodied is None or quality == "estimated")
    key = (category, embodied, lifetime, kwh, estimated, bool(refurbished))
    index = models.get(key)
    if index is None:
        reference = references.get(category)
        default_embodied = reference.embodied.value if reference else Decimal(0)
        default_lifetime = reference.lifetime_years.value if reference else Decimal(1)
        default_kwh = reference.annual_kwh.value if reference else Decimal(0)
        life = lifetime if lifetime else default_lifetime
        index = models[key] = len(inputs)
        inputs.append(
            ModelInputs(
                embodied if embodied is not None else default_embodied,  # type: ignore[arg-type]
                life,  # type: ignore[arg-type]
                lifetime_days(life),  # type: ignore[arg-type]
                kwh if kwh is not None else default_kwh,  # type: ignore[arg-type]
                estimated,
                bool(refurbished),
            )
        )
    return index


def _grouped(columns: list[Int64s]) -> tuple[Int64s, list[tuple[int, ...]]]:
    """Each row's group index over the given code columns (each code ≥ 0), and each group's codes."""
    sizes = [int(column.max()) + 1 if len(column) else 1 for column in columns]
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for column, size in zip(columns, sizes, strict=True):
        combined = combined * size + column
    unique, index = np.unique(combined, return_inverse=True)
    parts = []
    for size in reversed(sizes):
        unique, part = np.divmod(unique, size)
        parts.append(part.tolist())
    return index.astype(np.int64).reshape(-1), list(zip(*reversed(parts), strict=True))


def device_rows(factors: Factors, since: date | None = None) -> Devices:
    """Every device ever in the inventory (not on order), read once for all the periods of a snapshot; `since`:
    the first day of the earliest period, leaving out the devices retired before it (they count in none).

    The ~500,000 devices of a large estate come as plain integers and texts (day ordinals and cents computed by
    the database, no Decimal or date per row); the catalogue items and the employees are read once beside them.
    """
    references = factors.factor_set.references  # type: ignore[attr-defined]
    connection = db.session.connection()
    dialect = connection.dialect.name
    statement = sa.select(
        Asset.id,
        _day_ordinal(Asset.acquired_on, dialect),
        sa.func.coalesce(_day_ordinal(Asset.retired_on, dialect), NEVER),
        sa.func.coalesce(sa.cast(sa.func.round(Asset.cost_eur * 100), sa.BigInteger), NO_COST),
        sa.cast(Asset.model_estimated, sa.Integer),
        sa.func.coalesce(Asset.site_id, NO_ID),
        sa.func.coalesce(Asset.item_id, NO_ID),
        sa.func.coalesce(Asset.user_id, NO_ID),
        Asset.category,
        Asset.model_name,
    ).where(Asset.status.not_in(NOT_YET))
    if since is not None:  # a retired_on before acquired_on is read as acquired_on below: keep those arrived since
        statement = statement.where(
            sa.or_(Asset.retired_on.is_(None), Asset.retired_on >= since, Asset.acquired_on >= since)
        )
    undated = sa.and_(Asset.retired_on.is_(None), Asset.status.in_(GONE))
    rows = _plain_rows(statement.where(sa.not_(undated)))
    # Gone without a retirement date (few): retired the day their status changed.
    for row in connection.execute(statement.add_columns(Asset.status_changed_at).where(undated)):
        gone_on = _paris_day(row[-1])
        rows.append((*row[:2], NEVER if gone_on is None else gone_on.toordinal(), *row[3:-1]))
    count = len(rows)
    acquired = _column(rows, 1)
    retired = np.maximum(_column(rows, 2), acquired)  # retired before it arrived: read as retired that day

    items = db.session.execute(
        sa.select(
            CatalogueItem.id,
            CatalogueItem.embodied_kgco2e,
            CatalogueItem.lifetime_years,
            CatalogueItem.annual_kwh,
            CatalogueItem.refurbished,
            CatalogueItem.result_quality,
            CatalogueItem.price_eur,
            CatalogueItem.name,
        ).order_by(CatalogueItem.id)
    ).all()
    item = _positions(np.array([i[0] for i in items], dtype=np.int64), _column(rows, 6))
    price_cents = np.array([int(i[6].scaleb(2)) if i[6] is not None else 0 for i in items] + [0], dtype=np.int64)
    cost = _column(rows, 3)
    cost = np.where(cost == NO_COST, price_cents[item], cost)

    users = _plain_rows(
        sa.select(User.id, sa.func.coalesce(User.org_unit_id, NO_ID), sa.func.coalesce(User.site_id, NO_ID)).order_by(
            User.id
        )
    )
    user = _positions(_column(users, 0), _column(rows, 7))
    unit = np.append(_column(users, 1), NO_ID)[user]
    user_sites = _column(users, 2)
    site = _column(rows, 5)
    site = np.where(site != NO_ID, site, np.append(user_sites, NO_ID)[user])

    # Model inputs: one per (category, item, model estimated) met, the same values sharing an entry.
    category_names: dict[str, int] = {}
    category = _codes(map(itemgetter(8), rows), category_names, count)
    categories = list(category_names)
    estimated = _column(rows, 4)
    variant, variants = _grouped([category, item, estimated])
    models: dict[tuple[object, ...], int] = {}
    inputs: list[ModelInputs] = []
    variant_inputs = np.array(
        [
            _model_inputs(
                categories[c], tuple(items[i]) if i < len(items) else None, bool(e), references, models, inputs
            )
            for c, i, e in variants
        ],
        dtype=np.int64,
    )
    model_inputs = variant_inputs[variant]
    lifetimes = np.array([i.lifetime_in_days for i in inputs], dtype=np.int64)
    amortised_end = np.minimum(retired, acquired + lifetimes[model_inputs])

    # Model names: the catalogue item's name, else the device's own.
    names: dict[str, int] = {}
    item_names = np.array([names.setdefault(i[7], len(names)) if i[7] else NO_ID for i in items] + [NO_ID])
    model = item_names[item].astype(np.int64)
    unnamed = np.flatnonzero(model == NO_ID)
    if unnamed.size:
        model[unnamed] = _codes((rows[n][9] for n in unnamed.tolist()), names, unnamed.size)

    units, unit_code = np.unique(unit, return_inverse=True)
    sites, site_code = np.unique(site, return_inverse=True)
    unit_values: list[int] = units.tolist()
    site_values: list[int] = sites.tolist()
    leaf, leaf_codes = _grouped([unit_code.reshape(-1), site_code.reshape(-1), category])
    # By acquisition (a period stops at its first later device), then id.
    order = np.lexsort((_column(rows, 0), acquired))
    return Devices(
        acquired=acquired[order],
        retired=retired[order],
        amortised_end=amortised_end[order],
        cost_cents=cost[order],
        leaf=leaf[order],
        model=model[order],
        model_inputs=model_inputs[order],
        leaves=[
            (
                None if unit_values[u] == NO_ID else unit_values[u],
                None if site_values[s] == NO_ID else site_values[s],
                categories[c],
            )
            for u, s, c in leaf_codes
        ],
        model_names=list(names),
        inputs=inputs,
        weights=model_weights(inputs, count),
    )


ZERO = Decimal(0)
#: What is added up per leaf (unit, site, category) as integers, in this order; then, for each lifetime, the
#: embodied units × amortised days of its devices, and of its estimated devices (see `Weights`).
SUMS = (
    "service_days",
    "in_service",
    "age_days",
    "retired",
    "retired_life_days",
    "acquired",
    "acquired_refurbished",
    "acquired_cents",
    "acquired_refurbished_cents",
    "acquired_embodied_units",
    "acquired_embodied_units_estimated",
    "use_units",
    "use_units_estimated",
)
COLUMN = {name: n for n, name in enumerate(SUMS)}
#: A model's integers, in this order; then the embodied units × amortised days of each lifetime.
MODEL_SUMS = ("acquired_embodied_units", "use_units", "in_service", "service_days")
MODEL_COLUMN = {name: n for n, name in enumerate(MODEL_SUMS)}
#: The most days a device counts in a period (a period lies within one year).
MOST_DAYS = 366
#: Sums that could reach this are added as Python integers rather than int64.
INT64_SAFE = 2**62


@dataclass(frozen=True, eq=False)
class Weights:
    """The models' values as integers, so that a scope's lines are exact sums of integers.

    `embodied`: kgCO₂e × 10^`embodied_scale`; `kwh`: annual kWh × 10^`kwh_scale` (the fewest decimals that keep
    every value whole); `lifetime`: each model's index in `lifetimes`. A scope's amortised embodied line is then,
    per lifetime, Σ embodied units × amortised days ÷ (lifetime × days in the year × 10^scale), its use line
    Σ kWh units × days in service × electricity factor ÷ (days in the year × 10^scale): one division per
    lifetime and scope, whatever the number of devices. `dtype`: int64, or Python integers when the sums of a
    very large estate could exceed it.
    """

    embodied: npt.NDArray[Any]
    kwh: npt.NDArray[Any]
    lifetime: Int64s
    lifetimes: list[Decimal]
    estimated: npt.NDArray[np.bool_]
    refurbished: npt.NDArray[np.bool_]
    embodied_scale: int
    kwh_scale: int
    dtype: type


def _scale(values: list[Decimal]) -> int:
    """The fewest decimal places that make every value whole."""
    return max((max(0, -int(v.as_tuple().exponent)) for v in values), default=0)


def model_weights(inputs: list[ModelInputs], devices: int) -> Weights:
    """The integers of `inputs` (models of `devices` devices)."""
    embodied_scale = _scale([i.embodied_kgco2e for i in inputs])
    kwh_scale = _scale([i.annual_kwh for i in inputs])
    embodied = [int(i.embodied_kgco2e.scaleb(embodied_scale)) for i in inputs]
    kwh = [int(i.annual_kwh.scaleb(kwh_scale)) for i in inputs]
    largest = max((abs(v) for v in embodied + kwh), default=0)
    dtype: type = np.int64 if largest * MOST_DAYS * max(devices, 1) < INT64_SAFE else object
    lifetimes: dict[Decimal, int] = {}
    return Weights(
        embodied=np.array(embodied, dtype=dtype),
        kwh=np.array(kwh, dtype=dtype),
        lifetime=np.array([lifetimes.setdefault(i.lifetime_years, len(lifetimes)) for i in inputs], dtype=np.int64),
        lifetimes=list(lifetimes),
        estimated=np.array([i.estimated for i in inputs], dtype=bool),
        refurbished=np.array([i.refurbished for i in inputs], dtype=bool),
        embodied_scale=embodied_scale,
        kwh_scale=kwh_scale,
        dtype=dtype,
    )


def _add_into(target: npt.NDArray[Any], index: Int64s, values: Any, mask: npt.NDArray[np.bool_] | None = None) -> None:
    """Add `values` (an array, or one value for each entry) into `target` (a column: a view) at `index`."""
    if mask is None:
        np.add.at(target, index, values)
    else:
        np.add.at(target, index[mask], values[mask] if isinstance(values, np.ndarray) else values)


def _per_lifetime(index: Int64s, size: int, weights: Weights, lifetime: Int64s, values: Any) -> npt.NDArray[Any]:
    """Per entry of `index` (0..size) and lifetime: the sum of `values`, as a (size, lifetimes) matrix."""
    count = len(weights.lifetimes)
    sums: npt.NDArray[Any] = np.zeros(size * count, dtype=weights.dtype)
    np.add.at(sums, index * count + lifetime, values)
    return sums.reshape(size, count)


@dataclass(frozen=True)
class _Lines:
    """How a scope's integers become kilograms: the period's denominators and the electricity factor."""

    amortised: list[Decimal]  # per lifetime: lifetime × days in the year × 10^embodied scale
    use: Decimal  # days in the year × 10^kWh scale
    electricity: Decimal
    embodied_scale: int

    def embodied(self, units: list[int]) -> Decimal:
        total = ZERO
        for value, denominator in zip(units, self.amortised, strict=True):
            if value:
                total += Decimal(value) / denominator
        return total

    def use_kg(self, units: int) -> Decimal:
        return Decimal(units) * self.electricity / self.use if units else ZERO

    def acquired(self, units: int) -> Decimal:
        return Decimal(units).scaleb(-self.embodied_scale) if units else ZERO


def _euros(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2) if cents else ZERO


def _add_devices(
    ledger: Ledger, period: Period, factors: Factors, chains: dict[int, tuple[int, ...]], devices: Devices
) -> None:
    """The devices' lines of the period, added up per unit, site and category first, then rolled up to scopes.

    Every line is linear in the days counted, so each leaf (unit, site, category) adds integers only: days,
    counts, cents, and its models' integer values (`Weights`) × days, over the columns at once. A scope's
    integers are its leaves' sums; they become Decimals once per scope (and lifetime): exact to 28 digits,
    whatever the number of devices.
    """
    start, end = period.start, period.end
    year_days = period.year_days
    # Day ordinals: the same arithmetic as `days_counted`, over every device at once.
    first, stop = start.toordinal(), end.toordinal()
    arrived_before_end = int(np.searchsorted(devices.acquired, stop, side="left"))  # sorted by acquisition
    live = devices.retired[:arrived_before_end] >= first

    def counted(column: Int64s) -> Int64s:
        return column[:arrived_before_end][live]

    acquired, retired, amortised_end = (
        counted(devices.acquired),
        counted(devices.retired),
        counted(devices.amortised_end),
    )
    cost, leaf, model, inputs = (
        counted(devices.cost_cents),
        counted(devices.leaf),
        counted(devices.model),
        counted(devices.model_inputs),
    )
    weights = devices.weights
    low = np.maximum(acquired, first)
    service = np.minimum(retired, stop) - low
    amortised = np.maximum(np.minimum(amortised_end, stop) - low, 0)
    arrived = acquired >= first
    staying = retired >= stop  # in service at the period's end
    gone = ~staying  # retired during the period
    estimated, refurbished = weights.estimated[inputs], weights.refurbished[inputs]
    lifetime = weights.lifetime[inputs]
    embodied = weights.embodied[inputs]
    amortised_units = embodied * amortised.astype(weights.dtype)
    use_units = weights.kwh[inputs] * service.astype(weights.dtype)

    size = len(devices.leaves)
    leaf_sums: npt.NDArray[Any] = np.zeros((size, len(SUMS)), dtype=weights.dtype)
    for name, values, mask in (
        ("service_days", service, None),
        ("in_service", 1, staying),
        ("age_days", stop - 1 - acquired, staying),
        ("retired", 1, gone),
        ("retired_life_days", retired - acquired, gone),
        ("acquired", 1, arrived),
        ("acquired_refurbished", 1, arrived & refurbished),
        ("acquired_cents", cost, arrived),
        ("acquired_refurbished_cents", cost, arrived & refurbished),
        ("acquired_embodied_units", embodied, arrived),
        ("acquired_embodied_units_estimated", embodied, arrived & estimated),
        ("use_units", use_units, None),
        ("use_units_estimated", use_units, estimated),
    ):
        _add_into(leaf_sums[:, COLUMN[name]], leaf, values, mask)
    leaf_sums = np.hstack(
        [
            leaf_sums,
            _per_lifetime(leaf, size, weights, lifetime, amortised_units),
            _per_lifetime(leaf[estimated], size, weights, lifetime[estimated], amortised_units[estimated]),
        ]
    )
    met = np.flatnonzero(np.bincount(leaf, minlength=size))  # the leaves with a device in the period
    lines = _Lines(
        amortised=[(life * year_days).scaleb(weights.embodied_scale) for life in weights.lifetimes],
        use=Decimal(year_days).scaleb(weights.kwh_scale),
        electricity=factors.electricity,
        embodied_scale=weights.embodied_scale,
    )
    for scope, row in _scope_sums([devices.leaves[n] for n in met.tolist()], leaf_sums[met], chains).items():
        _add_scope(ledger[scope], row.tolist(), lines, year_days)

    model_size = len(devices.model_names)
    model_sums: npt.NDArray[Any] = np.zeros((model_size, len(MODEL_SUMS)), dtype=weights.dtype)
    for name, values, mask in (
        ("acquired_embodied_units", embodied, arrived),
        ("use_units", use_units, None),
        ("in_service", 1, staying),
        ("service_days", service, None),
    ):
        _add_into(model_sums[:, MODEL_COLUMN[name]], model, values, mask)
    model_sums = np.hstack([model_sums, _per_lifetime(model, model_size, weights, lifetime, amortised_units)])
    amortised_key, acquisition_key = Convention.AMORTISED.value, Convention.ACQUISITION.value
    for m in np.flatnonzero(np.bincount(model, minlength=model_size)).tolist():
        row = model_sums[m].tolist()
        totals = ledger[("model", devices.model_names[m])]
        totals.embodied[amortised_key] = lines.embodied(row[len(MODEL_SUMS) :])
        totals.embodied[acquisition_key] = lines.acquired(row[MODEL_COLUMN["acquired_embodied_units"]])
        totals.use = lines.use_kg(row[MODEL_COLUMN["use_units"]])
        totals.in_service = row[MODEL_COLUMN["in_service"]]
        totals.device_years = Decimal(row[MODEL_COLUMN["service_days"]]) / year_days


def _keyed(keys: list[Key | None]) -> tuple[list[int], list[int], list[Key]]:
    """(rows with a key, each one's key index, the keys in order of first appearance)."""
    found: dict[Key, int] = {}
    rows: list[int] = []
    index: list[int] = []
    for row, key in enumerate(keys):
        if key is not None:
            rows.append(row)
            index.append(found.setdefault(key, len(found)))
    return rows, index, list(found)


def _scope_sums(
    keys: list[Leaf], rows: npt.NDArray[Any], chains: dict[int, tuple[int, ...]]
) -> dict[Key, npt.NDArray[Any]]:
    """Each scope's sums of the leaves' integer `rows`: per dimension first (array sums over the leaves), then each
    unit's sums to its ancestors' scopes (the scopes are far fewer than leaves × scopes)."""
    sums: dict[Key, npt.NDArray[Any]] = {}
    dimensions: list[list[Key | None]] = [
        [ORG for _leaf in keys],
        [("category", category) for _unit, _site, category in keys],
        [None if site is None else ("site", str(site)) for _unit, site, _category in keys],
        [None if unit is None else ("_unit", str(unit)) for unit, _site, _category in keys],
        [None if unit is None or site is None else ("_unit_site", f"{unit}:{site}") for unit, site, _c in keys],
        [None if unit is None else ("_unit_cat", f"{unit}:{category}") for unit, _site, category in keys],
    ]
    for dimension in dimensions:
        found, index, scopes = _keyed(dimension)
        rolled = np.zeros((len(scopes), rows.shape[1]), dtype=rows.dtype)
        np.add.at(rolled, np.array(index, dtype=np.int64), rows[found])
        for scope, vector in zip(scopes, rolled, strict=True):
            if not scope[0].startswith("_"):
                sums[scope] = vector
                continue
            unit_text, _sep, rest = scope[1].partition(":")
            ancestors = chains.get(int(unit_text), ())
            if scope[0] == "_unit":
                targets = [("unit", str(u)) for u in ancestors]
            else:
                kind = UNIT_SITE if scope[0] == "_unit_site" else UNIT_CATEGORY
                targets = [(kind, f"{u}:{rest}") for u in ancestors]
            for target in targets:
                acc = sums.get(target)
                sums[target] = vector.copy() if acc is None else acc + vector
    return sums


def _add_scope(totals: Totals, row: list[int], lines: _Lines, year_days: int) -> None:
    """A scope's integers (`SUMS`, then per lifetime the amortised units of all and of the estimated devices)."""
    amortised_key, acquisition_key = Convention.AMORTISED.value, Convention.ACQUISITION.value
    count = len(lines.amortised)
    amortised = lines.embodied(row[len(SUMS) : len(SUMS) + count])
    amortised_estimated = lines.embodied(row[len(SUMS) + count :])
    use = lines.use_kg(row[COLUMN["use_units"]])
    use_estimated = lines.use_kg(row[COLUMN["use_units_estimated"]])
    totals.embodied[amortised_key] += amortised
    totals.embodied[acquisition_key] += lines.acquired(row[COLUMN["acquired_embodied_units"]])
    totals.use += use
    totals.estimated[amortised_key] += amortised_estimated + use_estimated
    totals.estimated[acquisition_key] += (
        lines.acquired(row[COLUMN["acquired_embodied_units_estimated"]]) + use_estimated
    )
    totals.device_years += Decimal(row[COLUMN["service_days"]]) / year_days
    totals.in_service += row[COLUMN["in_service"]]
    totals.age_days += row[COLUMN["age_days"]]
    totals.retired += row[COLUMN["retired"]]
    totals.retired_life_days += row[COLUMN["retired_life_days"]]
    totals.acquired += row[COLUMN["acquired"]]
    totals.acquired_refurbished += row[COLUMN["acquired_refurbished"]]
    totals.acquired_eur += _euros(row[COLUMN["acquired_cents"]])
    totals.acquired_refurbished_eur += _euros(row[COLUMN["acquired_refurbished_cents"]])


def _site_coordinates() -> dict[int, tuple[Decimal, Decimal]]:
    return {i: (lat, lon) for i, lat, lon in db.session.execute(sa.select(Site.id, Site.lat, Site.lon))}


def _median(values: list[Decimal]) -> Decimal:
    if not values:
        return FALLBACK_ONE_WAY_KM
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


@dataclass(frozen=True)
class Trip:
    """An intervention's round trip as counted: from which depot, how far, by which vehicle, how much."""

    intervention_id: int
    one_way_km: Decimal
    km: Decimal
    vehicle: str
    kgco2e: Decimal
    estimated: bool


def intervention_trips(period: Period, factors: Factors, *, ids: Iterable[int] | None = None) -> list[tuple]:
    """(intervention id, site id, Trip) of the period's interventions (or of the given ones)."""
    sites = _site_coordinates()
    depots = {d.assignment_group: (d.site_id, d.vehicle) for d in db.session.scalars(sa.select(Depot))}
    moment = sa.func.coalesce(Intervention.work_started_at, Intervention.travel_started_at)
    statement = sa.select(
        Intervention.id, Intervention.site_id, Intervention.lat, Intervention.lon, Intervention.assignment_group
    )
    if ids is not None:
        statement = statement.where(Intervention.id.in_(list(ids)))
    else:
        statement = statement.where(moment >= _instant(period.start), moment < _instant(period.end))
    rows = db.session.execute(statement).all()
    known: list[tuple[int, int | None, Decimal | None, str, bool]] = []
    for intervention_id, site_id, lat, lon, group in rows:
        depot = depots.get(group)
        if (lat is None or lon is None) and site_id in sites:
            lat, lon = sites[site_id]
        vehicle = depot[1] if depot else FALLBACK_VEHICLE
        distance = None
        if depot and lat is not None and lon is not None and depot[0] in sites:
            distance = great_circle_km(*sites[depot[0]], lat, lon)
        known.append((intervention_id, site_id, distance, vehicle, depot is None or distance is None))
    median = _median([k[2] for k in known if k[2] is not None])
    trips = []
    for intervention_id, site_id, distance, vehicle, estimated in known:
        one_way = median if distance is None else distance
        factor = factors.vehicles.get(vehicle, factors.vehicles[FALLBACK_VEHICLE])
        trips.append(
            (
                intervention_id,
                site_id,
                Trip(
                    intervention_id,
                    one_way,
                    trip_km(one_way, factors.detour),
                    vehicle,
                    trip_kgco2e(one_way, factor, factors.detour),
                    estimated,
                ),
            )
        )
    return trips


def _add_trips(ledger: Ledger, period: Period, factors: Factors, rows: list[TripRow] | None) -> None:
    for intervention_id, site_id, trip in intervention_trips(period, factors):
        if rows is not None:
            rows.append(
                TripRow(
                    "intervention",
                    intervention_id,
                    None,
                    1,
                    site_id,
                    None,
                    trip.one_way_km,
                    trip.km,
                    trip.vehicle,
                    trip.kgco2e,
                    trip.estimated,
                )
            )
        keys = [ORG] + ([("site", str(site_id))] if site_id is not None else [])
        for totals in ledger.each(keys):
            totals.trips += trip.kgco2e
            totals.interventions += 1
            totals.intervention_km += trip.km
            if trip.estimated:
                totals.other_estimated += trip.kgco2e


@dataclass(frozen=True, slots=True)
class TripRow:
    """One trip as frozen with a snapshot (an intervention, a transfer line or a delivery) for /estate/trips."""

    kind: str  # intervention | transfer | order
    ref_id: int
    day: date | None  # the shipment's day (interventions: None, the intervention keeps its own dates)
    quantity: int
    site_id: int | None  # the intervention's site, or the shipment's destination
    unit_id: int | None  # the unit of the device's holder (shipments)
    one_way_km: Decimal
    vehicle_km: Decimal  # the whole round trip, or the shipment's share of it
    vehicle: str
    kgco2e: Decimal
    estimated: bool


@dataclass(frozen=True)
class Carried:
    """A transfer line or a delivery: what the transport line needs to share trips and attribute them."""

    key: tuple[str, int]
    day: date
    from_site: int | None
    to_site: int | None
    quantity: int
    unit_id: int | None
    category: str | None


def shipments(period: Period, factors: Factors) -> list[Carried]:
    """The period's transfer lines and order deliveries."""
    carried: list[Carried] = []
    transfers = db.session.execute(
        sa.select(
            AssetTransfer.id,
            AssetTransfer.shipped_at,
            AssetTransfer.received_at,
            AssetTransfer.from_site_id,
            AssetTransfer.to_site_id,
            AssetTransfer.quantity,
            User.org_unit_id,
            Asset.category,
        )
        .outerjoin(Asset, AssetTransfer.asset_id == Asset.id)
        .outerjoin(User, Asset.user_id == User.id)
        .where(
            sa.func.coalesce(AssetTransfer.shipped_at, AssetTransfer.received_at) >= _instant(period.start),
            sa.func.coalesce(AssetTransfer.shipped_at, AssetTransfer.received_at) < _instant(period.end),
        )
    )
    for transfer_id, shipped, received, from_site, to_site, quantity, unit_id, category in transfers:
        day = _paris_day(shipped or received)
        if day is None:  # the period filter on coalesce(shipped_at, received_at) leaves out lines with neither
            continue
        carried.append(
            Carried(
                ("transfer", transfer_id),
                day,
                from_site,
                to_site,
                max(quantity, 1),
                unit_id,
                category,
            )
        )
    deliveries = db.session.execute(
        sa.select(Order.id, Order.delivered_at, Order.quantity, User.site_id, User.org_unit_id, CatalogueItem.category)
        .join(User, Order.requester_id == User.id)
        .join(CatalogueItem, Order.item_id == CatalogueItem.id)
        .where(
            Order.status == OrderStatus.DELIVERED.value,
            Order.delivered_at >= _instant(period.start),
            Order.delivered_at < _instant(period.end),
        )
    )
    for order_id, delivered, quantity, site_id, unit_id, category in deliveries:
        day = _paris_day(delivered)
        if day is None:  # the period filter on delivered_at leaves out orders never delivered
            continue
        carried.append(
            Carried(
                ("order", order_id),
                day,
                factors.delivery_site_id,
                site_id,
                quantity,
                unit_id,
                category,
            )
        )
    return carried


def transport_shares(carried: list[Carried], factors: Factors) -> dict[tuple[str, int], tuple[Decimal, Decimal, bool]]:
    """Each shipment's (kgCO₂e share, one-way km, estimated)."""
    sites = _site_coordinates()
    distances: dict[tuple[str, int], Decimal | None] = {}
    for c in carried:
        start = None if c.from_site is None else sites.get(c.from_site)
        end = None if c.to_site is None else sites.get(c.to_site)
        distances[c.key] = None if start is None or end is None else great_circle_km(*start, *end)
    median = _median([d for d in distances.values() if d is not None])
    one_way = {key: median if distance is None else distance for key, distance in distances.items()}
    vehicle = factors.vehicles.get(factors.delivery_vehicle, factors.vehicles["van"])
    shares = shared_transport_kgco2e(
        [
            Shipment(
                c.key,
                c.day,
                c.from_site,
                c.to_site,
                c.quantity,
                one_way[c.key],
            )
            for c in carried
        ],
        vehicle,
        factors.detour,
    )
    return {c.key: (shares[c.key], one_way[c.key], distances[c.key] is None) for c in carried}


def _add_transport(
    ledger: Ledger,
    period: Period,
    factors: Factors,
    chains: dict[int, tuple[int, ...]],
    rows: list[TripRow] | None,
) -> None:
    carried = shipments(period, factors)
    shares = transport_shares(carried, factors)
    vehicle = factors.vehicles.get(factors.delivery_vehicle, factors.vehicles["van"])
    for c in carried:
        kg, one_way, estimated = shares[c.key]
        if rows is not None:
            rows.append(
                TripRow(
                    c.key[0],
                    c.key[1],
                    c.day,
                    c.quantity,
                    c.to_site,
                    c.unit_id,
                    one_way,
                    kg / vehicle,
                    factors.delivery_vehicle,
                    kg,
                    estimated,
                )
            )
        keys = [ORG, *_unit_keys(chains, c.unit_id), *_cross_keys(chains, c.unit_id, c.to_site, c.category)]
        if c.to_site is not None:
            keys.append(("site", str(c.to_site)))
        if c.category:
            keys.append(("category", c.category))
        for totals in ledger.each(keys):
            totals.transport += kg
            totals.transport_km += kg / vehicle  # the vehicle-km of the shared trips, pro rata
            if estimated:
                totals.other_estimated += kg


def _add_people(ledger: Ledger, period: Period, chains: dict[int, tuple[int, ...]], today: date) -> None:
    start, end = _instant(period.start), _instant(period.end)
    people = db.session.execute(
        sa.select(User.org_unit_id, User.site_id).where(
            User.created_at < end, sa.or_(User.deactivated_at.is_(None), User.deactivated_at >= start)
        )
    )
    for unit_id, site_id in people:
        keys = [ORG, *_unit_keys(chains, unit_id), *_cross_keys(chains, unit_id, site_id, None)]
        if site_id is not None:
            keys.append(("site", str(site_id)))
        for totals in ledger.each(keys):
            totals.employees += 1
    returns = db.session.execute(
        sa.select(User.org_unit_id, DeviceReturn.quantity)
        .join(User, DeviceReturn.user_id == User.id)
        .where(DeviceReturn.declared_at >= start, DeviceReturn.declared_at < end)
    )
    for unit_id, quantity in returns:
        for totals in ledger.each([ORG, *_unit_keys(chains, unit_id)]):
            totals.returned += quantity
    # Overdue at the period's end, or today for the current month.
    cutoff = _instant(min(period.end, today + timedelta(days=1)) - timedelta(days=OVERDUE_DAYS))
    overdue = db.session.execute(
        sa.select(User.org_unit_id, Asset.category, sa.func.coalesce(Asset.site_id, User.site_id))
        .outerjoin(User, Asset.user_id == User.id)
        .where(Asset.status == AssetStatus.TO_RETURN.value, Asset.status_changed_at < cutoff)
    )
    for unit_id, category, site_id in overdue:
        keys = [
            ORG,
            *_unit_keys(chains, unit_id),
            ("category", category),
            *_cross_keys(chains, unit_id, site_id, category),
        ]
        if site_id is not None:
            keys.append(("site", str(site_id)))
        for totals in ledger.each(keys):
            totals.overdue += 1


def _add_storage(ledger: Ledger, period: Period, factors: Factors, chains: dict[int, tuple[int, ...]]) -> None:
    """The storage line: each employee's latest measure of each source in the period, held for the whole period,
    × the ADEME storage factor (gCO₂e per GB and per year, storage hardware excluded: a floor)."""
    start, end = _instant(period.start), _instant(period.end)
    latest = (
        sa.select(
            StorageSnapshot.user_id,
            StorageSnapshot.source,
            sa.func.max(StorageSnapshot.measured_at).label("measured_at"),
        )
        .where(StorageSnapshot.measured_at >= start, StorageSnapshot.measured_at < end)
        .group_by(StorageSnapshot.user_id, StorageSnapshot.source)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(User.org_unit_id, User.site_id, sa.func.sum(StorageSnapshot.size_bytes))
        .join(
            latest,
            sa.and_(
                StorageSnapshot.user_id == latest.c.user_id,
                StorageSnapshot.source == latest.c.source,
                StorageSnapshot.measured_at == latest.c.measured_at,
            ),
        )
        .join(User, StorageSnapshot.user_id == User.id)
        .group_by(User.org_unit_id, User.site_id)
    )
    share = Decimal(period.days) / Decimal(period.year_days)
    for unit_id, site_id, size in rows:
        gb = Decimal(int(size or 0)) / BYTES_PER_GB
        kg = storage_kgco2e(gb, factors.storage_g_per_gb_year, share)
        keys = [ORG, *_unit_keys(chains, unit_id), *_cross_keys(chains, unit_id, site_id, None)]
        if site_id is not None:
            keys.append(("site", str(site_id)))
        for totals in ledger.each(keys):
            totals.storage += kg
            totals.storage_gb += gb


def storage_kgco2e(gb: Decimal, grams_per_gb_year: Decimal, year_share: Decimal) -> Decimal:
    """kgCO₂e of `gb` stored for `year_share` of a year at `grams_per_gb_year`."""
    return gb * grams_per_gb_year * year_share / 1000


def compute_ledger(
    period: Period,
    factors: Factors,
    *,
    today: date,
    devices: Devices | None = None,
    services_kgco2e: Decimal | None = None,
    services_estimated_kgco2e: Decimal = Decimal(0),
    trip_rows: list[TripRow] | None = None,
) -> Ledger:
    """Every total of the period, per scope (`devices`: read once by the caller for several periods).

    `services_kgco2e`: the digital services' whole-year footprint (organisation only), counted pro rata of the
    period's days; `trip_rows` collects each trip as counted when given.
    """
    chains = unit_ancestors()
    ledger = Ledger()
    ledger[ORG]  # the organisation always has a row, even empty
    _add_devices(ledger, period, factors, chains, device_rows(factors) if devices is None else devices)
    _add_trips(ledger, period, factors, trip_rows)
    _add_transport(ledger, period, factors, chains, trip_rows)
    _add_storage(ledger, period, factors, chains)
    _add_people(ledger, period, chains, today)
    if services_kgco2e is not None:
        share = Decimal(period.days) / Decimal(period.year_days)
        ledger[ORG].services = services_kgco2e * share
        ledger[ORG].services_estimated = services_estimated_kgco2e * share
    return ledger


def _ratio(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    return Decimal(numerator) / Decimal(denominator) if denominator else None


def indicator_values(ledger: Ledger) -> dict[tuple[str, str, str, str], Decimal]:
    """(code, convention, scope, key) → value, for every scope of the ledger (None values left out; a unit's
    sites and categories keep only CROSS_CODES)."""
    values: dict[tuple[str, str, str, str], Decimal | None] = {}
    for (scope, key), t in ledger.items():
        if scope == "model":
            for convention in Convention:
                c = convention.value
                values[("total_kgco2e", c, scope, key)] = t.embodied[c] + t.use
            values[("devices_in_service", "", scope, key)] = Decimal(t.in_service)
            continue
        other = t.trips + t.transport + t.storage
        for convention in Convention:
            c = convention.value
            total = t.embodied[c] + t.use + other
            values[("total_kgco2e", c, scope, key)] = total
            values[("embodied_kgco2e", c, scope, key)] = t.embodied[c]
            values[("per_employee_kgco2e", c, scope, key)] = _ratio(total, t.employees)
            estimated = t.estimated[c] + t.other_estimated
            values[("estimated_share_pct", c, scope, key)] = _ratio(100 * estimated, total) if total else None
            if scope == "org":  # the whole digital footprint: the estate and the digital services
                overall = total + t.services
                values[("overall_kgco2e", c, scope, key)] = overall
                values[("overall_per_employee_kgco2e", c, scope, key)] = _ratio(overall, t.employees)
                overall_estimated = 100 * (estimated + t.services_estimated)
                values[("overall_estimated_share_pct", c, scope, key)] = (
                    _ratio(overall_estimated, overall) if overall else None
                )
        values[("use_kgco2e", "", scope, key)] = t.use
        values[("trips_kgco2e", "", scope, key)] = t.trips
        values[("transport_kgco2e", "", scope, key)] = t.transport
        values[("storage_kgco2e", "", scope, key)] = t.storage
        values[("storage_gb", "", scope, key)] = t.storage_gb
        values[("storage_gb_per_employee", "", scope, key)] = _ratio(t.storage_gb, t.employees)
        if scope == "org":
            values[("services_kgco2e", "", scope, key)] = t.services
        values[("employees", "", scope, key)] = Decimal(t.employees)
        values[("device_years", "", scope, key)] = t.device_years
        values[("devices_in_service", "", scope, key)] = Decimal(t.in_service)
        values[("devices_per_employee", "", scope, key)] = _ratio(t.in_service, t.employees)
        values[("average_age_years", "", scope, key)] = _ratio(t.age_days, Decimal("365.25") * t.in_service)
        values[("average_lifetime_retired_years", "", scope, key)] = _ratio(
            t.retired_life_days, Decimal("365.25") * t.retired
        )
        values[("acquired_devices", "", scope, key)] = Decimal(t.acquired)
        values[("retired_devices", "", scope, key)] = Decimal(t.retired)
        values[("refurbished_share_count_pct", "", scope, key)] = _ratio(100 * t.acquired_refurbished, t.acquired)
        values[("refurbished_share_eur_pct", "", scope, key)] = _ratio(100 * t.acquired_refurbished_eur, t.acquired_eur)
        values[("returned_at_collection", "", scope, key)] = Decimal(t.returned)
        values[("overdue_returns", "", scope, key)] = Decimal(t.overdue)
        values[("interventions", "", scope, key)] = Decimal(t.interventions)
        values[("intervention_km", "", scope, key)] = t.intervention_km
        values[("kgco2e_per_intervention", "", scope, key)] = _ratio(t.trips, t.interventions)
        values[("transport_km", "", scope, key)] = t.transport_km
    return {
        k: v
        for k, v in values.items()
        if v is not None and (k[2] not in (UNIT_SITE, UNIT_CATEGORY) or k[0] in CROSS_CODES)
    }


def like_for_like_values(ledger: Ledger) -> dict[tuple[str, str, str, str], Decimal]:
    """The waterfall's ingredients of a previous period recomputed with the current factors."""
    values: dict[tuple[str, str, str, str], Decimal] = {}
    for (scope, key), t in ledger.items():
        if scope in ("model", UNIT_SITE, UNIT_CATEGORY):
            continue
        for convention in Convention:
            c = convention.value
            values[("lfl_equipment_kgco2e", c, scope, key)] = t.embodied[c] + t.use
        values[("lfl_other_kgco2e", "", scope, key)] = t.trips + t.transport + t.storage
        values[("lfl_device_years", "", scope, key)] = t.device_years
    return values
