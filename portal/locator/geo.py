"""Distances and coordinates for the collection-point locator (stdlib only).

Coordinates are WGS84 decimal degrees, latitude first. Points given to :func:`nearest` may be objects with
``lat``/``lon`` attributes (an ORM row, a dataclass) or mappings with ``"lat"``/``"lon"`` keys (a CSV row);
the values may be floats, Decimals or numeric strings.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from portal.domain_error import DomainError

__all__ = [
    "EARTH_RADIUS_KM",
    "METROPOLE_BBOX",
    "BoundingBox",
    "CoordinateError",
    "haversine_km",
    "in_metropole",
    "nearest",
    "parse_coordinates",
    "validate_coordinates",
]

#: Mean Earth radius (IUGG), in km.
EARTH_RADIUS_KM = 6371.0088

P = TypeVar("P")


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """A latitude/longitude rectangle (bounds included)."""

    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon

    def describe(self) -> str:
        return f"lat {self.min_lat:.2f} to {self.max_lat:.2f}, lon {self.min_lon:.2f} to {self.max_lon:.2f}"


#: Generous box around the 28 communes of Bordeaux Métropole (their centroids span lat 44.77–45.01,
#: lon −0.80 – −0.48); anything outside it is a typo or a point in another département.
METROPOLE_BBOX = BoundingBox(min_lat=44.70, max_lat=45.10, min_lon=-0.85, max_lon=-0.35)


class CoordinateError(DomainError):
    """Invalid coordinates. ``code`` is one of: ``empty``, ``not_a_number``, ``out_of_range``,
    ``outside_area``; the words are `display.COORDINATE_ERRORS`."""

    domain = "locator"
    table = "COORDINATE_ERRORS"


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points (haversine formula)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def in_metropole(lat: float, lon: float, bbox: BoundingBox = METROPOLE_BBOX) -> bool:
    """True when the point lies inside the box (by default: around Bordeaux Métropole)."""
    return bbox.contains(lat, lon)


def validate_coordinates(lat: float, lon: float, bbox: BoundingBox | None = METROPOLE_BBOX) -> None:
    """Raise :class:`CoordinateError` unless the numbers are valid coordinates inside ``bbox``
    (``bbox=None``: anywhere on Earth)."""
    for label, value, limit in (("latitude", lat, 90.0), ("longitude", lon, 180.0)):
        if not math.isfinite(value):
            raise CoordinateError("not_a_number", detail=f"{label} must be a finite number, got {value!r}")
        if not -limit <= value <= limit:
            raise CoordinateError(
                "out_of_range", detail=f"{label} {value} is out of range (must be between {-limit:g} and {limit:g})"
            )
    if bbox is not None and not bbox.contains(lat, lon):
        raise CoordinateError(
            "outside_area", detail=f"coordinates ({lat}, {lon}) are outside Bordeaux Métropole ({bbox.describe()})"
        )


def _parse_number(label: str, text: object) -> float:
    if text is None or not str(text).strip():
        raise CoordinateError("empty", detail=f"{label} is missing")
    cleaned = str(text).strip().replace("\u2212", "-").replace(",", ".")  # −0,57 (French input) → -0.57
    try:
        value = float(cleaned)
    except ValueError:
        raise CoordinateError("not_a_number", detail=f"{label} is not a number: {text!r}") from None
    if not math.isfinite(value):
        raise CoordinateError("not_a_number", detail=f"{label} must be a finite number, got {text!r}")
    return value


def parse_coordinates(lat: str, lon: str, bbox: BoundingBox | None = METROPOLE_BBOX) -> tuple[float, float]:
    """Parse latitude and longitude typed or sent as text ("44.8378", "-0,5792") and validate them.

    Raises :class:`CoordinateError` (a ValueError) naming the bad value.
    """
    lat_value = _parse_number("latitude", lat)
    lon_value = _parse_number("longitude", lon)
    validate_coordinates(lat_value, lon_value, bbox)
    return lat_value, lon_value


def _default_coords(point: Any) -> tuple[float, float]:
    if isinstance(point, Mapping):
        return float(point["lat"]), float(point["lon"])
    return float(point.lat), float(point.lon)


def nearest(
    points: Iterable[P],
    lat: float,
    lon: float,
    limit: int | None = 5,
    *,
    coords: Callable[[P], tuple[float, float]] | None = None,
) -> list[tuple[P, float]]:
    """The ``limit`` points closest to (lat, lon), as ``(point, distance_km)`` sorted by distance
    (ties keep the input order). ``limit=None`` returns all of them. ``coords`` extracts (lat, lon)
    from a point when it has neither ``lat``/``lon`` attributes nor keys."""
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be positive or None, got {limit}")
    get = coords or _default_coords
    ranked = sorted(
        ((point, haversine_km(lat, lon, *get(point))) for point in points), key=lambda pair: pair[1]
    )
    return ranked if limit is None else ranked[:limit]
