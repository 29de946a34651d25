"""Collection-point services: find the nearest points, declare and confirm returns, weigh, count.

Pure parts (distance, hours, name matching) live in `geo`, `hours` and `matching`; this module adds the
database. Services flush; the route, command or job commits.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from portal import reference_cache
from portal.accounts.models import User
from portal.catalogue.models import Asset, AssetStatus
from portal.domain_error import DomainError
from portal.locator import display
from portal.locator.geo import METROPOLE_BBOX, haversine_km, nearest, parse_coordinates
from portal.locator.hours import OpeningStatus, WeeklyHours, parse_closures, parse_hours, status_at
from portal.locator.matching import search_communes, suggestions
from portal.locator.models import ITEM_KEYS, CollectionPoint, CollectionWeighing, DeviceReturn
from portal.models import db, utcnow
from portal.org.models import Commune, Site
from portal.pagination import paginate_list
from portal.timezone import PARIS

#: Inventory categories that the points take, and under which accepted item they count. Desktops,
#: monitors and printers are not small devices: the IT department collects them.
ASSET_CATEGORY_ITEMS: dict[str, str] = {
    "smartphone": "smartphone",
    "laptop": "laptop",
    "tablet": "tablet",
    "thin_client": "small_digital",
}
MAX_PERSONAL_QUANTITY = 20

# ---------------------------------------------------------------------------
# Finding points
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """Where distances are measured from: a work site, a commune (its point) or the browser's position."""

    lat: float
    lon: float
    kind: str  # site | commune | position
    name: str = ""


@dataclass(frozen=True, slots=True)
class CommuneRecord:
    """A commune as the searches read it: plain values, kept by the portal's cache."""

    insee: str
    name: str
    postcodes: tuple[str, ...]
    lat: Decimal
    lon: Decimal


@dataclass(frozen=True, slots=True)
class PointValues:
    """The values of a collection point's columns, but its accepted items (a validated point keeps them as
    stored text, a kept point as a tuple)."""

    code: str
    commune_insee: str
    name: str
    address: str
    postcode: str
    lat: Decimal
    lon: Decimal
    hours: str
    closures: str
    access_notes: str
    contact: str
    active: bool


@dataclass(frozen=True, slots=True)
class PointRecord(PointValues):
    """An active collection point as the lists, the map and the messages read it: plain values, kept by the
    portal's cache (pages that change a point load the row itself)."""

    id: int
    commune: CommuneRecord
    accepted_items: tuple[str, ...]

    def accepts(self, item: str) -> bool:
        return item in self.accepted_items


#: A point as stored or as kept: what reading its hours, items and position needs.
AnyPoint = CollectionPoint | PointRecord


@dataclass(frozen=True)
class PlaceSearch:
    """What a typed place matched: the origin chosen, the other communes it could mean, or suggestions."""

    origin: Origin | None
    communes: list[CommuneRecord]
    suggestions: list[str]


@dataclass(frozen=True)
class PointResult:
    """A point as listed: its distance from the origin (None without origin) and its opening status."""

    point: PointRecord
    distance_km: float | None
    status: OpeningStatus


# Statements the locator runs when its cached values are renewed, built once.
_ACTIVE_POINTS = sa.select(CollectionPoint).where(CollectionPoint.active).order_by(CollectionPoint.name)
_ALL_COMMUNES = sa.select(Commune.insee, Commune.name, Commune.postcodes, Commune.lat, Commune.lon).order_by(
    Commune.name
)


@dataclass(frozen=True)
class PointFilters:
    """What the employee asked the list of points for: a place typed, a position, an accepted item, open now.

    Read from the query string by `from_args`, which never fails: an unknown item is dropped and remembered in
    `unknown_item`, so that the page can say so."""

    query: str = ""
    lat: str = ""
    lon: str = ""
    item: str = ""
    open_now: bool = False
    unknown_item: bool = False

    @classmethod
    def from_args(cls, args: Any) -> PointFilters:
        """The filters of a request's query string (lengths capped, the item checked)."""
        item = (args.get("item") or "").strip()
        known = not item or item in ITEM_KEYS
        return cls(
            query=(args.get("q") or "").strip()[:100],
            lat=(args.get("lat") or "").strip()[:30],
            lon=(args.get("lon") or "").strip()[:30],
            item=item if known else "",
            open_now=args.get("open") in {"1", "on", "true"},
            unknown_item=not known,
        )

    def query_args(self) -> dict[str, str | None]:
        """The same filters as URL parameters (pagination links, the map's data): a typed place wins over a
        position."""
        return {
            "q": self.query or None,
            "lat": None if self.query else self.lat or None,
            "lon": None if self.query else self.lon or None,
            "item": self.item or None,
            "open": "1" if self.open_now else None,
        }


def active_points() -> tuple[PointRecord, ...]:
    """Every open-for-business point, by name, as plain values kept by the portal's cache (any change of a point
    or a commune renews the reference generation, so the next request reads them again)."""
    return reference_cache.cached("locator.points", None, _load_active_points)


def _load_active_points() -> tuple[PointRecord, ...]:
    communes = {commune.insee: commune for commune in all_communes()}
    return tuple(
        PointRecord(
            id=point.id,
            code=point.code,
            commune_insee=point.commune_insee,
            commune=communes[point.commune_insee],
            name=point.name,
            address=point.address,
            postcode=point.postcode,
            lat=point.lat,
            lon=point.lon,
            hours=point.hours,
            closures=point.closures,
            accepted_items=tuple(point.accepted_items),
            access_notes=point.access_notes,
            contact=point.contact,
            active=point.active,
        )
        for point in db.session.scalars(_ACTIVE_POINTS)
    )


def all_communes() -> tuple[CommuneRecord, ...]:
    """The communes of the metropolis, by name, as plain values kept by the portal's cache."""
    return reference_cache.cached("locator.communes", None, _load_communes)


def _load_communes() -> tuple[CommuneRecord, ...]:
    return tuple(
        CommuneRecord(insee, name, tuple(postcodes.split()), lat, lon)
        for insee, name, postcodes, lat, lon in db.session.execute(_ALL_COMMUNES)
    )


def origin_from_site(site: Site | None) -> Origin | None:
    """The employee's work site as the starting point, if they have one."""
    if site is None:
        return None
    return Origin(float(site.lat), float(site.lon), "site", site.name)


def origin_from_position(lat: str | None, lon: str | None) -> Origin:
    """The browser's position, sent as text; raises CoordinateError (reason: empty, not_a_number,
    out_of_range, outside_area)."""
    lat_value, lon_value = parse_coordinates(lat or "", lon or "", METROPOLE_BBOX)
    return Origin(lat_value, lon_value, "position")


def locate_place(query: str, communes: Sequence[CommuneRecord], points: Sequence[AnyPoint]) -> PlaceSearch:
    """The commune meant by a name or postcode; its point (else its centre) becomes the origin."""
    matches = search_communes(query, communes, limit=None)
    if not matches:
        return PlaceSearch(None, [], suggestions(query, [c.name for c in communes]))
    best: CommuneRecord = matches[0].commune
    own = next((p for p in points if p.commune_insee == best.insee), None)
    if own is not None:
        origin = Origin(float(own.lat), float(own.lon), "commune", best.name)
    else:
        origin = Origin(float(best.lat), float(best.lon), "commune", best.name)
    return PlaceSearch(origin, [m.commune for m in matches], [])


@lru_cache(maxsize=512)
def _parsed(hours: str, closures: str) -> tuple[WeeklyHours, frozenset[date]]:
    # Hours are validated on the way in; the cache spares re-parsing 28 texts on every search.
    return parse_hours(hours), parse_closures(closures)


def opening_status(point: AnyPoint, now: datetime) -> OpeningStatus:
    """Open now (until when), or when it next opens, in Europe/Paris."""
    hours, closures = _parsed(point.hours, point.closures)
    return status_at(hours, closures, now)


def weekly_hours(point: AnyPoint) -> WeeklyHours:
    """The point's hours, weekday → ranges (Monday = 0)."""
    return _parsed(point.hours, point.closures)[0]


def upcoming_closures(point: AnyPoint, today: date, limit: int = 5) -> list[date]:
    """The next exceptional closure dates, from today."""
    return sorted(day for day in _parsed(point.hours, point.closures)[1] if day >= today)[:limit]


def nearest_points(
    points: Sequence[PointRecord],
    origin: Origin | None,
    *,
    now: datetime,
    item: str | None = None,
    open_now: bool = False,
) -> list[PointResult]:
    """Points accepting `item` (and open now, if asked), nearest first; by name without an origin."""
    kept = [p for p in points if item is None or p.accepts(item)]
    with_status = [(p, opening_status(p, now)) for p in kept]
    if open_now:
        with_status = [(p, s) for p, s in with_status if s.is_open]
    if origin is None:
        return [PointResult(p, None, s) for p, s in with_status]
    ranked = nearest(
        with_status, origin.lat, origin.lon, limit=None, coords=lambda ps: (float(ps[0].lat), float(ps[0].lon))
    )
    return [PointResult(p, distance, s) for (p, s), distance in ranked]


def results_fragment(
    filters: PointFilters,
    *,
    origin: Origin | None,
    place: PlaceSearch | None,
    error: str | None,
    now: datetime,
    number: int,
    size: int,
    language: str,
) -> Markup:
    """One page of the points nearest to `origin`, rendered in `language` (the request's): the same for everyone
    who asks the same thing in the same minute (opening hours change on the minute), so kept by the portal's
    cache until a point or a commune changes. `place` follows from `filters.query`; an `error` is shown as is."""
    minute = now.replace(second=0, microsecond=0)

    def load() -> Markup:
        results = (
            []
            if error or origin is None and filters.query
            else nearest_points(
                active_points(), origin, now=minute, item=filters.item or None, open_now=filters.open_now
            )
        )
        return display.results_body(
            page=paginate_list(results, number=number, size=size),
            query=filters.query,
            origin=origin,
            place=place,
            error=error,
            filters=filters.query_args(),
            now=minute,
        )

    if error:
        return load()
    key = (filters, origin, number, size, language, minute)
    return reference_cache.cached("locator.results", key, load)


def distance_km(origin: Origin, point: AnyPoint) -> float:
    """Great-circle distance from the origin to the point."""
    return haversine_km(origin.lat, origin.lon, float(point.lat), float(point.lon))


# ---------------------------------------------------------------------------
# Returns
# ---------------------------------------------------------------------------


class ReturnError(DomainError):
    """A return that cannot be recorded; the words are `display.RETURN_ERRORS`."""

    domain = "locator"
    table = "RETURN_ERRORS"


def item_for_asset(asset: Asset) -> str | None:
    """The accepted item an inventory device counts as, or None if the points do not take it."""
    return ASSET_CATEGORY_ITEMS.get(asset.category)


def declare_return(
    point: CollectionPoint,
    *,
    user: User,
    asset: Asset | None = None,
    item: str | None = None,
    quantity: int = 1,
    now: datetime | None = None,
) -> DeviceReturn:
    """Record that the employee dropped one of their assets, or `quantity` personal devices of one type,
    at the point. The asset becomes "returned". Raises ReturnError."""
    now = now or utcnow()
    if not point.active:
        raise ReturnError("inactive_point")
    if asset is not None:
        if asset.user_id != user.id:
            raise ReturnError("not_yours")
        if asset.status != AssetStatus.TO_RETURN.value:
            raise ReturnError("not_to_return")
        item = item_for_asset(asset)
        if item is None:
            raise ReturnError("not_collected_here")
        quantity = 1
    else:
        if item not in ITEM_KEYS:
            raise ReturnError("unknown_item")
        if not 1 <= quantity <= MAX_PERSONAL_QUANTITY:
            raise ReturnError("bad_quantity")
    if not point.accepts(item):
        raise ReturnError("not_accepted")
    device_return = DeviceReturn(point=point, user=user, asset=asset, item=item, quantity=quantity, declared_at=now)
    db.session.add(device_return)
    if asset is not None:
        asset.status = AssetStatus.RETURNED.value
        asset.status_changed_at = now
    db.session.flush()
    return device_return


def my_returns(user: User) -> list[DeviceReturn]:
    """The employee's declared returns, latest first."""
    return list(
        db.session.scalars(
            sa.select(DeviceReturn)
            .where(DeviceReturn.user_id == user.id)
            .options(selectinload(DeviceReturn.point), selectinload(DeviceReturn.asset))
            .order_by(DeviceReturn.declared_at.desc(), DeviceReturn.id.desc())
        )
    )


def find_own_return(user: User, return_id: int) -> DeviceReturn | None:
    """The return with this id if it is the employee's (anyone else's is as good as missing)."""
    return db.session.scalar(
        sa.select(DeviceReturn).where(DeviceReturn.id == return_id, DeviceReturn.user_id == user.id)
    )


def cancel_return(device_return: DeviceReturn, *, now: datetime | None = None) -> None:
    """Withdraw a declaration not yet confirmed; its asset is "to return" again. Raises ReturnError."""
    if device_return.is_received:
        raise ReturnError("already_received")
    if device_return.asset is not None and device_return.asset.status == AssetStatus.RETURNED.value:
        device_return.asset.status = AssetStatus.TO_RETURN.value
        device_return.asset.status_changed_at = now or utcnow()
    db.session.delete(device_return)
    db.session.flush()


def confirm_receipt(device_return: DeviceReturn, *, admin: User, now: datetime | None = None) -> bool:
    """An admin confirms the devices reached the point; False if it was already confirmed."""
    if device_return.is_received:
        return False
    device_return.received_at = now or utcnow()
    device_return.received_by = admin
    db.session.flush()
    return True


def returns_statement(*, status: str = "pending", point_id: int | None = None) -> sa.Select[DeviceReturn]:
    """Returns for the admin list: pending (awaiting confirmation), received or all; latest first."""
    statement = (
        sa.select(DeviceReturn)
        .options(selectinload(DeviceReturn.point), selectinload(DeviceReturn.user), selectinload(DeviceReturn.asset))
        .order_by(DeviceReturn.declared_at.desc(), DeviceReturn.id.desc())
    )
    if status == "pending":
        statement = statement.where(DeviceReturn.received_at.is_(None))
    elif status == "received":
        statement = statement.where(DeviceReturn.received_at.is_not(None))
    if point_id is not None:
        statement = statement.where(DeviceReturn.point_id == point_id)
    return statement


def record_weighing(
    point: CollectionPoint, *, weight_kg: Decimal, collected_on: date, admin: User, note: str = ""
) -> CollectionWeighing:
    """Record the weight collected at a point on a day (kg, > 0)."""
    if weight_kg <= 0:
        raise ValueError("weight must be positive")
    weighing = CollectionWeighing(
        point=point, weight_kg=weight_kg, collected_on=collected_on, recorded_by=admin, note=note.strip()
    )
    db.session.add(weighing)
    db.session.flush()
    return weighing


def recent_weighings(point: CollectionPoint, limit: int = 5) -> list[CollectionWeighing]:
    """The latest weighings of a point."""
    return list(
        db.session.scalars(
            sa.select(CollectionWeighing)
            .where(CollectionWeighing.point_id == point.id)
            .order_by(CollectionWeighing.collected_on.desc(), CollectionWeighing.id.desc())
            .limit(limit)
        )
    )


# ---------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnTotals:
    """Devices declared returned by employees (quantities summed) and kilograms weighed at the points."""

    items: int
    kg: Decimal


def _paris_days(start: datetime, end: datetime) -> tuple[date, date]:
    """The Paris calendar days a [start, end) period touches: first day, last day (inclusive)."""
    first = start.astimezone(PARIS).date()
    end_paris = end.astimezone(PARIS)
    last = end_paris.date() if end_paris.time() != time(0) else end_paris.date() - timedelta(days=1)
    return first, last


# Built once (the campaign results and the locator's summary run them on every page).
_ITEMS_RETURNED = sa.select(sa.func.coalesce(sa.func.sum(DeviceReturn.quantity), 0)).where(
    DeviceReturn.declared_at >= sa.bindparam("start"), DeviceReturn.declared_at < sa.bindparam("end")
)
_KG_WEIGHED = sa.select(sa.func.coalesce(sa.func.sum(CollectionWeighing.weight_kg), 0)).where(
    CollectionWeighing.collected_on >= sa.bindparam("first"), CollectionWeighing.collected_on <= sa.bindparam("last")
)
# Only with communes are the points needed.
_POINTS_OF_COMMUNES = sa.select(CollectionPoint.id).where(
    CollectionPoint.commune_insee.in_(sa.bindparam("insees", expanding=True))
)
_ITEMS_RETURNED_IN = _ITEMS_RETURNED.where(DeviceReturn.point_id.in_(_POINTS_OF_COMMUNES))
_KG_WEIGHED_IN = _KG_WEIGHED.where(CollectionWeighing.point_id.in_(_POINTS_OF_COMMUNES))
# Both totals in one statement: one round trip to the database instead of two.
_TOTALS = sa.select(_ITEMS_RETURNED.scalar_subquery(), _KG_WEIGHED.scalar_subquery())
_TOTALS_IN = sa.select(_ITEMS_RETURNED_IN.scalar_subquery(), _KG_WEIGHED_IN.scalar_subquery())


def returns_between(start: datetime, end: datetime, *, commune_insees: Collection[str] | None = None) -> ReturnTotals:
    """What was returned in [start, end): devices declared in the period, and kilograms weighed on the
    Paris days it covers; optionally only at the points of these communes (INSEE codes).

    For the campaigns' results and the locator's summary. `start` and `end` are aware datetimes.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be aware datetimes")
    first, last = _paris_days(start, end)
    params: dict[str, object] = {
        "start": start.astimezone(UTC), "end": end.astimezone(UTC), "first": first, "last": last
    }
    if commune_insees is None:
        query = _TOTALS  # the whole metropolis: the returns are read from their covering index alone
    else:
        query = _TOTALS_IN
        params["insees"] = list(commune_insees)
    items, kg = db.session.execute(query, params).one()
    return ReturnTotals(items=int(items or 0), kg=Decimal(str(kg or 0)).quantize(Decimal("0.01")))


def returns_in_year(year: int) -> ReturnTotals:
    """What was returned in this calendar year (Paris), everywhere; kept by the portal's cache (every declaration,
    confirmation or weighing renews the reference generation)."""
    start, end = datetime(year, 1, 1, tzinfo=PARIS), datetime(year + 1, 1, 1, tzinfo=PARIS)
    return reference_cache.cached("locator.year", year, lambda: returns_between(start, end))


@dataclass(frozen=True)
class PointStatistics:
    """A point's counters: devices declared, declarations awaiting confirmation, kilograms weighed."""

    items: int = 0
    pending: int = 0
    kg: Decimal = Decimal(0)


def statistics_by_point() -> dict[int, PointStatistics]:
    """Counters of every point that has any (two grouped queries, whatever the number of points)."""
    returns = db.session.execute(
        sa.select(
            DeviceReturn.point_id,
            sa.func.sum(DeviceReturn.quantity),
            sa.func.sum(sa.case((DeviceReturn.received_at.is_(None), 1), else_=0)),
        ).group_by(DeviceReturn.point_id)
    ).all()
    weights = dict(
        db.session.execute(
            sa.select(CollectionWeighing.point_id, sa.func.sum(CollectionWeighing.weight_kg)).group_by(
                CollectionWeighing.point_id
            )
        ).all()
    )
    stats = {
        point_id: PointStatistics(int(items or 0), int(pending or 0), _kg(weights.get(point_id)))
        for point_id, items, pending in returns
    }
    for point_id, kg in weights.items():
        stats.setdefault(point_id, PointStatistics(kg=_kg(kg)))
    return stats


def point_statistics(point: CollectionPoint) -> PointStatistics:
    """One point's counters."""
    return statistics_by_point().get(point.id, PointStatistics())


@dataclass(frozen=True)
class CommuneStatistics:
    """A commune's points and their counters summed."""

    insee: str
    name: str
    points: int
    items: int
    pending: int
    kg: Decimal


def statistics_by_commune() -> list[CommuneStatistics]:
    """Counters summed per commune, for every commune that has a point, by commune name."""
    per_point = statistics_by_point()
    rows: dict[str, list[CollectionPoint]] = {}
    for point in db.session.scalars(sa.select(CollectionPoint)):
        rows.setdefault(point.commune_insee, []).append(point)
    names = dict(db.session.execute(sa.select(Commune.insee, Commune.name)).all())
    result = []
    for insee, points in rows.items():
        counters = [per_point.get(p.id, PointStatistics()) for p in points]
        result.append(
            CommuneStatistics(
                insee=insee,
                name=names.get(insee, insee),
                points=len(points),
                items=sum(c.items for c in counters),
                pending=sum(c.pending for c in counters),
                kg=sum((c.kg for c in counters), Decimal(0)),
            )
        )
    return sorted(result, key=lambda row: row.name)


def _kg(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))
