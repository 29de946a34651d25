"""Collection points in and out: validation, CSV and GeoJSON import and export, the packaged demo list.

One validation (`validate_point`) serves the admin form, both import formats and the demo data, so a point
is never stored with hours the status cannot read or coordinates outside the metropolis.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

import sqlalchemy as sa

from portal import csvio
from portal.domain_error import DomainError
from portal.locator.geo import METROPOLE_BBOX, CoordinateError, parse_coordinates
from portal.locator.hours import HoursFormatError, format_closures, format_hours, parse_closures, parse_hours
from portal.locator.models import ITEM_KEYS, CollectionPoint
from portal.locator.services import AnyPoint, PointValues
from portal.models import db
from portal.org.models import Commune

#: Columns of the CSV export, and of the import (`code` may be absent: the INSEE code is used).
CSV_COLUMNS: tuple[str, ...] = (
    "code",
    "insee",
    "name",
    "address",
    "postcode",
    "commune",
    "lat",
    "lon",
    "hours",
    "closures",
    "accepted",
    "access_notes",
    "contact",
    "active",
)
REQUIRED_COLUMNS = ("insee", "name", "address", "postcode", "lat", "lon", "hours", "accepted")
#: The most points one file may hold (the metropolis has 28).
MAX_IMPORT_ROWS = 1000
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
_POSTCODE = re.compile(r"^\d{5}$")


class PointsFormatError(DomainError):
    """The file is not a GeoJSON list of points: `code` is not_geojson, too_many_rows, empty (or
    unknown_format, from the callers); `detail` names what is wrong. A CSV file is checked by `portal.csvio`,
    a file that is not text at all by `portal.uploads`. The words are `display.FILE_ERRORS`."""

    domain = "locator"
    table = "FILE_ERRORS"

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code, detail=detail)


class PointDataError(DomainError):
    """An invalid point: `code` is a stable reason, `field` the column, `value` the offending part; the words
    are `display.POINT_ERRORS`."""

    domain = "locator"
    table = "POINT_ERRORS"

    def __init__(self, code: str, field_name: str, value: str = "") -> None:
        super().__init__(code, field=field_name, value=value)
        self.field = field_name
        self.value = value


@dataclass(frozen=True)
class PointData(PointValues):
    """A validated point, in the canonical forms stored."""

    accepted: str

    def apply_to(self, point: CollectionPoint) -> bool:
        """Copy the values onto a point; True if anything changed."""
        changed = False
        for name in PointData.__dataclass_fields__:
            value = getattr(self, name)
            if getattr(point, name) != value:
                setattr(point, name, value)
                changed = True
        return changed


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(str(v).strip() for v in value)
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value).strip()


def _required(raw: Mapping[str, Any], key: str, max_length: int) -> str:
    value = _text(raw, key)
    if not value:
        raise PointDataError("missing", key)
    if len(value) > max_length:
        raise PointDataError("too_long", key, value[:40])
    return value


def _accepted(text: str) -> str:
    keys = [k.strip().lower() for k in text.replace(",", ";").split(";") if k.strip()]
    if not keys:
        raise PointDataError("missing", "accepted")
    unknown = [k for k in keys if k not in ITEM_KEYS]
    if unknown:
        raise PointDataError("unknown_item", "accepted", unknown[0])
    return ";".join(k for k in ITEM_KEYS if k in keys)


def _active(text: str) -> bool:
    try:
        return csvio.parse_yes_no(text, default=True)  # a point is active unless the file says otherwise
    except ValueError:
        raise PointDataError("not_boolean", "active", text) from None


def _decimal_coordinate(value: float) -> Decimal:
    return Decimal(str(round(value, 5)))


def validate_point(raw: Mapping[str, Any], communes: Mapping[str, Commune]) -> PointData:
    """Check and normalise one point given as text (a CSV row, GeoJSON properties, a form); raises
    PointDataError naming the first problem."""
    insee = _required(raw, "insee", 5)
    commune = communes.get(insee)
    if commune is None:
        raise PointDataError("unknown_commune", "insee", insee)
    code = _text(raw, "code") or insee
    if not _CODE.match(code):
        raise PointDataError("invalid_code", "code", code)
    name = _required(raw, "name", 160)
    address = _required(raw, "address", 200)
    postcode = _required(raw, "postcode", 5)
    if not _POSTCODE.match(postcode):
        raise PointDataError("invalid_postcode", "postcode", postcode)
    if postcode not in commune.postcode_list:
        raise PointDataError("postcode_not_in_commune", "postcode", postcode)
    try:
        lat, lon = parse_coordinates(_text(raw, "lat"), _text(raw, "lon"), METROPOLE_BBOX)
    except CoordinateError as error:
        given = f"{_text(raw, 'lat')}, {_text(raw, 'lon')}"
        raise PointDataError(f"coordinates_{error.code}", "lat", given) from None
    try:
        weekly = parse_hours(_text(raw, "hours"))
    except HoursFormatError as error:
        raise PointDataError("invalid_hours", "hours", error.part) from None
    if not any(weekly.values()):
        raise PointDataError("no_hours", "hours")
    try:
        closures = format_closures(parse_closures(_text(raw, "closures")))
    except HoursFormatError as error:
        raise PointDataError("invalid_closures", "closures", error.part) from None
    access_notes = _text(raw, "access_notes")
    if len(access_notes) > 1000:
        raise PointDataError("too_long", "access_notes", access_notes[:40])
    contact = _text(raw, "contact")
    if len(contact) > 80:
        raise PointDataError("too_long", "contact", contact[:40])
    return PointData(
        code=code,
        commune_insee=insee,
        name=name,
        address=address,
        postcode=postcode,
        lat=_decimal_coordinate(lat),
        lon=_decimal_coordinate(lon),
        hours=format_hours(weekly),
        closures=closures,
        accepted=_accepted(_text(raw, "accepted")),
        access_notes=access_notes,
        contact=contact,
        active=_active(_text(raw, "active")),
    )


def communes_by_insee() -> dict[str, Commune]:
    """The communes, keyed by INSEE code."""
    return {c.insee: c for c in db.session.scalars(sa.select(Commune))}


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------


def import_points(rows: Iterable[csvio.Row], *, create_only: bool = False) -> csvio.ImportReport:
    """Create or update points from rows (CSV lines or GeoJSON features), matched on `code`; a rejected row
    changes nothing, the valid ones are imported. Points absent from the file are left as they are.
    `create_only` keeps existing points untouched (the demo loader)."""
    report = csvio.ImportReport()
    communes = communes_by_insee()
    existing = {p.code: p for p in db.session.scalars(sa.select(CollectionPoint))}
    seen: set[str] = set()
    for row in csvio.readable_rows(rows, report):
        try:
            data = validate_point(row.cells, communes)
        except PointDataError as error:
            report.reject(row.line, error.code, error.field, error.value)
            continue
        if data.code in seen:
            report.reject(row.line, "duplicate_code", "code", data.code)
            continue
        seen.add(data.code)
        point = existing.get(data.code)
        if point is None:
            point = existing[data.code] = CollectionPoint(code=data.code)
            data.apply_to(point)
            db.session.add(point)
            report.created.append(data.code)
        elif create_only:
            report.unchanged.append(data.code)
        elif data.apply_to(point):
            report.updated.append(data.code)
        else:
            report.unchanged.append(data.code)
    db.session.flush()
    return report


def read_points_csv(data: bytes | str) -> Iterator[csvio.Row]:
    """The rows of a collection-point CSV (`,` or `;` separated); csvio.CsvFileError if the file is empty,
    lacks a required column or holds more than MAX_IMPORT_ROWS points."""
    return csvio.read_rows(data, CSV_COLUMNS, required=REQUIRED_COLUMNS, max_lines=MAX_IMPORT_ROWS)


def read_points_geojson(text: str) -> Iterator[csvio.Row]:
    """(feature number, properties with lat/lon) pairs of a GeoJSON FeatureCollection of Points
    (RFC 7946: longitude first). A feature without a Point geometry is passed on with no coordinates, so
    that it is rejected with its number."""
    if not text.strip():
        raise PointsFormatError("empty")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise PointsFormatError("not_geojson", f"line {error.lineno}") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise PointsFormatError("not_geojson", "type")
    features = document.get("features")
    if not isinstance(features, list):
        raise PointsFormatError("not_geojson", "features")
    if len(features) > MAX_IMPORT_ROWS:
        raise PointsFormatError("too_many_rows", str(MAX_IMPORT_ROWS))
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            yield csvio.Row(number, {})
            continue
        properties = feature.get("properties")
        row: dict[str, Any] = dict(properties) if isinstance(properties, dict) else {}
        row.pop("lat", None)
        row.pop("lon", None)
        geometry = feature.get("geometry")
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if (
            isinstance(geometry, dict)
            and geometry.get("type") == "Point"
            and isinstance(coordinates, list)
            and len(coordinates) in (2, 3)
            and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates)
        ):
            row["lon"], row["lat"] = str(coordinates[0]), str(coordinates[1])
        if "code" not in row and isinstance(feature.get("id"), str | int):
            row["code"] = str(feature["id"])
        yield csvio.Row(number, row)


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def point_values(point: AnyPoint) -> dict[str, Any]:
    """A point's values under the CSV column names, as stored: the export writes them as text, the admin form
    starts from them."""
    return {
        "code": point.code,
        "insee": point.commune_insee,
        "name": point.name,
        "address": point.address,
        "postcode": point.postcode,
        "commune": point.commune.name if point.commune else "",
        "lat": point.lat,
        "lon": point.lon,
        "hours": point.hours,
        "closures": point.closures,
        "accepted": point.accepted_items,
        "access_notes": point.access_notes,
        "contact": point.contact,
        "active": point.active,
    }


def _row(point: AnyPoint) -> dict[str, str]:
    return {
        **point_values(point),
        "lat": f"{point.lat:.5f}",
        "lon": f"{point.lon:.5f}",
        "accepted": ";".join(point.accepted_items),
        "active": "1" if point.active else "0",
    }


def export_csv(points: Iterable[CollectionPoint], *, bom: bool = True) -> str:
    """The points as CSV (UTF-8, `,`-separated, header first), safe to open in a spreadsheet."""
    rows = ([_row(point)[key] for key in CSV_COLUMNS] for point in points)
    return csvio.to_text(CSV_COLUMNS, rows, bom=bom)


def points_geojson(
    points: Iterable[AnyPoint], *, url_for_point: Callable[[AnyPoint], str] | None = None
) -> dict[str, Any]:
    """The points as an RFC 7946 FeatureCollection: WGS84, [longitude, latitude], no `crs` member.

    With `url_for_point`, each feature also carries the address of the point's page (`url`)."""
    features = []
    for point in points:
        properties: dict[str, Any] = {
            key: value for key, value in _row(point).items() if key not in ("lat", "lon", "active", "code")
        }
        properties["accepted"] = point.accepted_items
        properties["active"] = point.active
        if url_for_point is not None:
            properties["url"] = url_for_point(point)
        features.append(
            {
                "type": "Feature",
                "id": point.code,
                "geometry": {"type": "Point", "coordinates": [float(point.lon), float(point.lat)]},
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


# ---------------------------------------------------------------------------
# The packaged list (demo data)
# ---------------------------------------------------------------------------


def packaged_rows() -> list[csvio.Row]:
    """The 28 demo points of `data/collection_points.csv` (code = INSEE code)."""
    source = resources.files("portal.locator").joinpath("data/collection_points.csv")
    return list(read_points_csv(source.read_bytes()))
