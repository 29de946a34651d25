"""What the estate's pages show, read from the frozen snapshots (nothing recomputed per request): a scope's
year, the three-year comparison, the waterfall and its chart, the breakdowns and the top contributors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from babel.numbers import format_decimal
from flask_babel import get_locale

from portal.accounts.models import User
from portal.catalogue.models import IN_ESTATE_SQL, Asset, AssetStatus, CatalogueItem
from portal.estate import services
from portal.estate.compute import OVERDUE_DAYS, UNIT_CATEGORY, UNIT_SITE
from portal.estate.indicators import LINES, ORG_LINES
from portal.estate.models import Snapshot, TripFigure
from portal.footprint.estate import Convention, Period, projected_to_year_end
from portal.itsm.models import Intervention
from portal.models import db, utcnow
from portal.org.models import OrgUnit, Site

CONVENTIONS = tuple(c.value for c in Convention)
#: The rows of the three-year comparison, in order.
COMPARED = (
    "overall_kgco2e",
    "total_kgco2e",
    *ORG_LINES,
    "per_employee_kgco2e",
    "employees",
    "devices_in_service",
    "devices_per_employee",
    "average_age_years",
    "average_lifetime_retired_years",
    "refurbished_share_count_pct",
    "refurbished_share_eur_pct",
    "returned_at_collection",
    "overdue_returns",
    "interventions",
    "kgco2e_per_intervention",
    "storage_gb_per_employee",
    "estimated_share_pct",
)
#: A unit's rows: the digital services are counted for the organisation only.
UNIT_COMPARED = tuple(code for code in COMPARED if not code.startswith("overall_") and code != "services_kgco2e")
#: The rows the page shows (the CSV has every row of COMPARED): a page stays light.
COMPARED_SHOWN = (
    "overall_kgco2e",
    "total_kgco2e",
    *ORG_LINES,
    "per_employee_kgco2e",
    "devices_in_service",
    "refurbished_share_count_pct",
)
UNIT_COMPARED_SHOWN = tuple(
    code for code in COMPARED_SHOWN if not code.startswith("overall_") and code != "services_kgco2e"
)
#: Codes that add up over days, so that a year to date can be projected to the year's end.
ADDITIVE = frozenset(
    {
        "total_kgco2e",
        *LINES,
        "per_employee_kgco2e",
        "interventions",
        "intervention_km",
        "acquired_devices",
        "retired_devices",
        "returned_at_collection",
        "transport_km",
        "storage_kgco2e",
        "services_kgco2e",
        "overall_kgco2e",
        "overall_per_employee_kgco2e",
    }
)
BREAKDOWN = ("total_kgco2e", *LINES, "per_employee_kgco2e", "employees", "devices_in_service", "estimated_share_pct")
#: The units page's columns (its CSV has every BREAKDOWN column): maintenance trips are not attributed to units
#: (always nothing there), storage is the smallest line, the headcount is behind the per-employee figure.
UNITS_SHOWN = tuple(code for code in BREAKDOWN if code not in ("storage_kgco2e", "trips_kgco2e", "employees"))
TOP = 5


@dataclass(frozen=True)
class View:
    """The year and convention asked for (query string), checked against the years with figures."""

    year: int | None
    convention: str

    @classmethod
    def from_args(cls, args: Any, years: list[int]) -> View:
        convention = args.get("convention", Convention.AMORTISED.value)
        if convention not in CONVENTIONS:
            convention = Convention.AMORTISED.value
        try:
            year = int(args.get("year", ""))
        except ValueError:
            year = None
        if year not in years:
            year = years[0] if years else None
        return cls(year, convention)

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query arguments keeping the view (for links and forms)."""
        return {"year": self.year, "convention": self.convention, **changes}


@dataclass(frozen=True)
class Column:
    """A column of the three-year comparison."""

    key: str  # current | projected | previous | reference
    year: int
    last_day: date
    values: dict[str, Decimal | None]


@dataclass(frozen=True)
class WaterfallBar:
    """One bar of the waterfall chart: where it starts and how wide it is, in % of the chart's width (the chart
    is drawn at the page's width, its words at their own size: readable on a phone), and its row's top in px."""

    key: str  # start | a step's key | end
    value: Decimal
    x_percent: Decimal
    width_percent: Decimal
    y: int
    kind: str  # total | up | down


@dataclass(frozen=True)
class WaterfallChart:
    height: int
    bars: list[WaterfallBar]


#: A bar's row, in px: its label and its value on two lines above the bar (on one line, a long step and its
#: value were wider than a 320 px phone).
WATERFALL_ROW = 56
HUNDRED = Decimal(100)
PERCENT_PLACES = Decimal("0.01")


@dataclass
class Overview:
    """A scope's year as /estate shows it."""

    scope: tuple[str, str]
    view: View
    snapshot: Snapshot
    period: Period
    values: dict[str, Decimal]
    columns: list[Column]
    movement: services.Movement
    chart: WaterfallChart
    top: dict[str, list[tuple[str, Decimal]]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.period.days == self.period.year_days

    @property
    def last_day(self) -> date:
        return self.period.end - timedelta(days=1)


def _projected(values: dict[str, Decimal], period: Period) -> dict[str, Decimal | None]:
    return {
        code: projected_to_year_end(values[code], period) if code in ADDITIVE and code in values else None
        for code in COMPARED
    }


def comparison(
    current: services.YearFigures, scope: tuple[str, str], convention: str, reference_year: int | None
) -> list[Column]:
    """This year to date (and projected when the year is not over), last year, the reference year."""
    columns = [Column("current", current.year, current.snapshot.ends_on, {c: current.values.get(c) for c in COMPARED})]
    if current.period.days < current.period.year_days:
        columns.append(
            Column("projected", current.year, date(current.year, 12, 31), _projected(current.values, current.period))
        )
    for key, year in (("previous", current.year - 1), ("reference", reference_year)):
        if year is None or year == current.year:
            continue
        figures = services.year_figures(year, scope, convention)
        if figures is not None:
            columns.append(Column(key, year, figures.snapshot.ends_on, {c: figures.values.get(c) for c in COMPARED}))
    return columns


def waterfall_chart(movement: services.Movement) -> WaterfallChart:
    """Horizontal bars: last year, each step from where the previous one ended, this year."""
    steps = movement.steps
    running = steps.start_kgco2e
    points = [Decimal(0), running]
    rows: list[tuple[str, Decimal, Decimal, Decimal]] = [("start", running, Decimal(0), running)]
    for key, value in steps.steps:
        rows.append((key, value, running, running + value))
        running += value
        points.append(running)
    rows.append(("end", steps.end_kgco2e, Decimal(0), steps.end_kgco2e))
    low, high = min(points), max(points)
    span = (high - low) or Decimal(1)
    bars = []
    for index, (key, value, start, end) in enumerate(rows):
        x0, x1 = sorted((start, end))
        kind = "total" if key in ("start", "end") else ("up" if value > 0 else "down")
        x = ((x0 - low) / span * HUNDRED).quantize(PERCENT_PLACES)
        width = max(((x1 - x0) / span * HUNDRED).quantize(PERCENT_PLACES), Decimal("0.3"))
        bars.append(WaterfallBar(key, value, x, min(width, HUNDRED - x), index * WATERFALL_ROW, kind))
    return WaterfallChart(len(rows) * WATERFALL_ROW, bars)


def overview(scope: tuple[str, str], view: View, visibility: services.Visibility) -> Overview | None:
    """A scope's year (None when nothing is frozen for it)."""
    if view.year is None:
        return None
    current = services.year_figures(view.year, scope, view.convention)
    if current is None:
        return None
    reference = services.settings().reference_year
    movement = services.movement(services.movement_basis(current, scope, view.convention), scope, view.convention)
    result = Overview(
        scope,
        view,
        current.snapshot,
        current.period,
        current.values,
        comparison(current, scope, view.convention, reference),
        movement,
        waterfall_chart(movement),
    )
    result.top["unit"] = top_units(current.snapshot, scope, view.convention, visibility)
    if visibility.everything and scope == services.ORG:
        for kind in ("site", "category", "model"):
            result.top[kind] = services.top_scopes(current.snapshot, kind, view.convention, limit=TOP)
    return result


def _children(unit_id: int | None) -> list[int]:
    parent = OrgUnit.parent_id.is_(None) if unit_id is None else OrgUnit.parent_id == unit_id
    return list(db.session.scalars(sa.select(OrgUnit.id).where(parent)))


def top_units(
    snapshot: Snapshot, scope: tuple[str, str], convention: str, visibility: services.Visibility
) -> list[tuple[str, Decimal]]:
    """The biggest units just below the scope (its sub-units, or the directions for the organisation)."""
    below = _children(int(scope[1]) if scope[0] == "unit" else None)
    keys = [str(u) for u in below if visibility.allows_unit(u)]
    return services.top_scopes(snapshot, "unit", convention, limit=TOP, keys=keys)


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    name: str
    values: dict[str, Decimal]
    depth: int = 0


SORTS = ("name", "total", "per_employee")


def _sorted(rows: list[BreakdownRow], sort: str) -> list[BreakdownRow]:
    if sort == "total":
        return sorted(rows, key=lambda r: -(r.values.get("total_kgco2e") or 0))
    if sort == "per_employee":
        return sorted(rows, key=lambda r: -(r.values.get("per_employee_kgco2e") or 0))
    return rows


def unit_rows(
    snapshot: Snapshot, convention: str, visibility: services.Visibility, root: int | None, sort: str
) -> list[BreakdownRow]:
    """The org tree (or a unit's sub-tree) with each unit's figures (sub-units included), in tree order."""
    units = services.units_by_id()
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in sorted(units.values(), key=lambda u: u.name):
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[tuple[OrgUnit, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit in children.get(parent, []):
            ordered.append((unit, depth))
            walk(unit.id, depth + 1)

    if root is None:
        walk(None, 0)
    else:
        ordered.append((units[root], 0))
        walk(root, 1)
    shown = [(u, d) for u, d in ordered if visibility.allows_unit(u.id)]
    values = services.scope_values(snapshot, "unit", BREAKDOWN, convention, [str(u.id) for u, _ in shown])
    rows = [BreakdownRow(str(u.id), u.name, values.get(str(u.id), {}), d) for u, d in shown]
    return _sorted(rows, sort)


#: What a manager's sites and categories pages show: their units' devices, transport and storage there (trips
#: are not attributed to units, nor are the digital services).
UNIT_SITE_CODES = (
    "total_kgco2e",
    "embodied_kgco2e",
    "use_kgco2e",
    "transport_kgco2e",
    "storage_kgco2e",
    "employees",
    "devices_in_service",
    "estimated_share_pct",
)
UNIT_CATEGORY_CODES = (
    "total_kgco2e",
    "embodied_kgco2e",
    "use_kgco2e",
    "transport_kgco2e",
    "devices_in_service",
    "devices_per_employee",
    "average_age_years",
    "estimated_share_pct",
)


def _home_unit(visibility: services.Visibility) -> int | None:
    return int(visibility.home[1]) if visibility.home[0] == "unit" else None


def site_rows(
    snapshot: Snapshot, convention: str, sort: str, visibility: services.Visibility | None = None
) -> list[BreakdownRow]:
    """Every site with figures, with its trips and transport; a manager's: their units' figures at each site."""
    names = {site_id: name for site_id, name in db.session.execute(sa.select(Site.id, Site.name))}
    if visibility is not None and not visibility.everything:
        unit = _home_unit(visibility)
        if unit is None:
            return []
        values = services.unit_cross_values(snapshot, UNIT_SITE, unit, UNIT_SITE_CODES, convention)
    else:
        values = services.scope_values(
            snapshot, "site", (*BREAKDOWN, "interventions", "intervention_km", "transport_km"), convention
        )
    rows = [BreakdownRow(key, names.get(int(key), key), v) for key, v in values.items()]
    return _sorted(sorted(rows, key=lambda r: r.name), sort)


def sites_geojson(rows: list[BreakdownRow]) -> dict[str, Any]:
    """The rows' sites that have coordinates, with their name and total kgCO₂e (a FeatureCollection)."""
    coordinates = {
        str(site_id): (lat, lon)
        for site_id, lat, lon in db.session.execute(sa.select(Site.id, Site.lat, Site.lon))
        if lat is not None and lon is not None
    }
    features = []
    for row in rows:
        if row.key not in coordinates:
            continue
        lat, lon = coordinates[row.key]
        total = row.values.get("total_kgco2e")
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
                "properties": {
                    "name": row.name,
                    "kgco2e": None if total is None else float(round(total, 1)),
                    "label": "–" if total is None else format_decimal(round(total), locale=get_locale()) + " kg CO₂e",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def category_rows(
    snapshot: Snapshot, convention: str, sort: str, visibility: services.Visibility | None = None
) -> list[BreakdownRow]:
    """Every category with figures (devices per employee: the category's devices ÷ all employees); a manager's:
    their units' devices of each category ÷ their units' employees."""
    if visibility is not None and not visibility.everything:
        unit = _home_unit(visibility)
        if unit is None:
            return []
        values = services.unit_cross_values(snapshot, UNIT_CATEGORY, unit, UNIT_CATEGORY_CODES, convention)
        employees = services.values_of(snapshot, ("unit", str(unit)), convention).get("employees")
    else:
        values = services.scope_values(snapshot, "category", (*BREAKDOWN, "average_age_years"), convention)
        employees = services.values_of(snapshot, services.ORG, convention).get("employees")
    rows = []
    for key, v in values.items():
        v = dict(v)
        if employees:
            v["devices_per_employee"] = Decimal(v.get("devices_in_service", 0)) / employees
        rows.append(BreakdownRow(key, key, v))
    return _sorted(sorted(rows, key=lambda r: r.key), sort)


# --- The fleet --------------------------------------------------------------------------------------------------

DEVICE_FILTERS = ("all", "oldest", "past_lifetime", "overdue", "unmapped")


@dataclass(frozen=True)
class DeviceFilter:
    """Which devices of the fleet /estate/devices lists."""

    show: str = "all"

    @classmethod
    def from_args(cls, args: Any) -> DeviceFilter:
        show = args.get("show", "all")
        return cls(show if show in DEVICE_FILTERS else "all")


def devices_statement(
    device_filter: DeviceFilter, visibility: services.Visibility, *, count: bool = False
) -> sa.Select[Any]:
    """The devices in service (or to return) that the filter keeps, oldest first (walked along the index on
    acquisition, a page at a time); `count`: their number, joining only what the filter needs."""
    today = services.today_paris()
    needs_item = device_filter.show == "past_lifetime"
    statement: Any
    if count:
        statement = sa.select(sa.func.count(Asset.id)).select_from(Asset)
        if needs_item:
            statement = statement.outerjoin(CatalogueItem, Asset.item_id == CatalogueItem.id)
        if not visibility.everything:
            statement = statement.join(User, Asset.user_id == User.id)
    else:
        statement = (
            sa.select(Asset, CatalogueItem.lifetime_years, User.org_unit_id)
            .outerjoin(CatalogueItem, Asset.item_id == CatalogueItem.id)
            .outerjoin(User, Asset.user_id == User.id)
            .order_by(Asset.acquired_on, Asset.id)
        )
    # Written as the partial index on the devices still in the estate is, so the database walks it.
    statement = statement.where(sa.text(f"asset.{IN_ESTATE_SQL}"))
    if not visibility.everything:
        statement = statement.where(User.org_unit_id.in_(visibility.unit_ids))
    if device_filter.show == "past_lifetime":
        # Acquired more than its model's lifetime ago (the category's 5 years for an unknown model): one date
        # bound per lifetime in the catalogue, compared with the column as it is stored.
        lifetime = sa.func.coalesce(CatalogueItem.lifetime_years, 5)
        statement = statement.where(
            sa.or_(
                *(
                    sa.and_(lifetime == years, Asset.acquired_on < today - timedelta(days=int(years * DAYS_PER_YEAR)))
                    for years in _lifetimes()
                )
            )
        )
    elif device_filter.show == "overdue":
        cutoff = utcnow() - timedelta(days=OVERDUE_DAYS)
        statement = statement.where(Asset.status == AssetStatus.TO_RETURN.value, Asset.status_changed_at < cutoff)
    elif device_filter.show == "unmapped":
        statement = statement.where(sa.or_(Asset.model_estimated.is_(True), Asset.item_id.is_(None)))
    return statement


DAYS_PER_YEAR = Decimal("365.25")


def _lifetimes() -> list[Decimal]:
    """The lifetimes of the catalogue's items, and the default 5 years."""
    found = set(db.session.scalars(sa.select(CatalogueItem.lifetime_years).distinct()))
    return sorted({Decimal(5), *(Decimal(y) for y in found if y is not None)})


# --- Trips, as frozen ---------------------------------------------------------------------------------------


def _trip_scope(statement: Any, visibility: services.Visibility, *, transport: bool) -> Any:
    """A manager's trips: the transport of their units' devices, the interventions at their people's sites."""
    if visibility.everything:
        return statement
    if transport:
        return statement.where(TripFigure.unit_id.in_(visibility.unit_ids))
    sites = sa.select(User.site_id).where(User.org_unit_id.in_(visibility.unit_ids), User.site_id.is_not(None))
    return statement.where(TripFigure.site_id.in_(sites))


def trips_statement(snapshot: Snapshot | None, visibility: services.Visibility, *, transport: bool) -> Any:
    """The snapshot's interventions (with their ITSM number) or shipments, as rows (trip, number)."""
    kinds = ("transfer", "order") if transport else ("intervention",)
    number = sa.literal(None) if transport else Intervention.number
    statement = sa.select(TripFigure, number).where(
        TripFigure.snapshot_id == (snapshot.id if snapshot is not None else -1), TripFigure.kind.in_(kinds)
    )
    if not transport:
        statement = statement.outerjoin(Intervention, Intervention.id == TripFigure.ref_id)
    statement = statement.order_by(TripFigure.kind, TripFigure.ref_id)
    return _trip_scope(statement, visibility, transport=transport)


@dataclass(frozen=True)
class TripTotals:
    """The trips' and shipments' totals shown above the tables, and how much of them is estimated."""

    interventions: int
    interventions_kgco2e: Decimal
    interventions_estimated_kgco2e: Decimal
    shipments: int
    shipments_kgco2e: Decimal
    shipments_estimated_kgco2e: Decimal

    def estimated_pct(self) -> Decimal | None:
        total = self.interventions_kgco2e + self.shipments_kgco2e
        estimated = self.interventions_estimated_kgco2e + self.shipments_estimated_kgco2e
        return 100 * estimated / total if total else None


def trip_totals(snapshot: Snapshot | None, visibility: services.Visibility) -> TripTotals:
    """Counts and kgCO₂e of the snapshot's trips (in the visible scope), estimated part included."""
    figures = {}
    for transport in (False, True):
        kinds = ("transfer", "order") if transport else ("intervention",)
        statement = sa.select(
            sa.func.count(TripFigure.id),
            sa.func.coalesce(sa.func.sum(TripFigure.kgco2e), 0),
            sa.func.coalesce(sa.func.sum(sa.case((TripFigure.estimated, TripFigure.kgco2e), else_=0)), 0),
        ).where(TripFigure.snapshot_id == (snapshot.id if snapshot is not None else -1), TripFigure.kind.in_(kinds))
        count, kg, estimated = db.session.execute(_trip_scope(statement, visibility, transport=transport)).one()
        figures[transport] = (int(count), Decimal(kg), Decimal(estimated))
    return TripTotals(*figures[False], *figures[True])
