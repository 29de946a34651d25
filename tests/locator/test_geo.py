"""Unit tests for portal.locator.geo (pure: no app, no database)."""

import csv
import re
from decimal import Decimal
from importlib import resources
from types import SimpleNamespace

import pytest

from portal.locator.geo import (
    EARTH_RADIUS_KM,
    METROPOLE_BBOX,
    BoundingBox,
    CoordinateError,
    haversine_km,
    in_metropole,
    nearest,
    parse_coordinates,
    validate_coordinates,
)
from portal.locator.hours import parse_closures, parse_hours
from portal.locator.matching import search_communes

from .test_matching import COMMUNES, RECORDS

# Commune centroids from the project's reference data (communes.csv, La Poste postcode base).
BORDEAUX = (44.8572, -0.5737)
MERIGNAC = (44.8323, -0.6817)


def test_radius_is_mean_earth_radius():
    assert EARTH_RADIUS_KM == 6371.0088


def test_distance_bordeaux_merignac_hand_checked():
    # Hand check with the flat-Earth (equirectangular) approximation, exact to < 1 m at this scale:
    # 1° of latitude = 6371.0088 × π/180 = 111.195 km.
    #   north–south: (44.8572 − 44.8323) = 0.0249° × 111.195            = 2.769 km
    #   east–west:   (0.6817 − 0.5737) = 0.1080° × 111.195 × cos(44.845°)
    #                = 0.108 × 111.195 × 0.70903                            = 8.515 km
    #   distance = √(2.769² + 8.515²) = √80.17 = 8.954 km
    assert haversine_km(*BORDEAUX, *MERIGNAC) == pytest.approx(8.95, abs=0.05)


def test_distance_is_symmetric_and_zero_for_same_point():
    assert haversine_km(*BORDEAUX, *MERIGNAC) == pytest.approx(haversine_km(*MERIGNAC, *BORDEAUX))
    assert haversine_km(*BORDEAUX, *BORDEAUX) == 0.0


def test_distance_one_degree_of_latitude():
    assert haversine_km(44.0, -0.5, 45.0, -0.5) == pytest.approx(111.195, abs=0.001)


def test_distance_antipodes_does_not_fail():
    assert haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(EARTH_RADIUS_KM * 3.141592653589793)


POINTS = [
    {"name": "Mérignac", "lat": 44.8387, "lon": -0.6455},
    {"name": "Bordeaux", "lat": 44.8378, "lon": -0.5792},
    {"name": "Ambès", "lat": 45.0118, "lon": -0.5335},
    {"name": "Bègles", "lat": 44.8078, "lon": -0.5480},
]


def test_nearest_orders_by_distance_and_limits():
    # From the Bordeaux Pey-Berland area.
    result = nearest(POINTS, 44.8400, -0.5800, limit=3)
    assert [point["name"] for point, _ in result] == ["Bordeaux", "Bègles", "Mérignac"]
    distances = [distance for _, distance in result]
    assert distances == sorted(distances)
    assert distances[0] < 0.3


def test_nearest_default_limit_none_and_zero():
    assert len(nearest(POINTS, 44.84, -0.58)) == 4
    assert len(nearest(POINTS, 44.84, -0.58, limit=None)) == 4
    assert nearest(POINTS, 44.84, -0.58, limit=0) == []
    assert nearest([], 44.84, -0.58) == []
    with pytest.raises(ValueError):
        nearest(POINTS, 44.84, -0.58, limit=-1)


def test_nearest_accepts_objects_with_decimal_attributes_and_custom_getter():
    rows = [
        SimpleNamespace(id=1, lat=Decimal("45.0118"), lon=Decimal("-0.5335")),
        SimpleNamespace(id=2, lat=Decimal("44.8078"), lon=Decimal("-0.5480")),
    ]
    assert [row.id for row, _ in nearest(rows, 44.80, -0.55, limit=1)] == [2]
    tuples = [("a", 45.0118, -0.5335), ("b", 44.8078, -0.5480)]
    result = nearest(tuples, 45.0, -0.53, limit=1, coords=lambda t: (t[1], t[2]))
    assert result[0][0][0] == "a"


def test_bbox_contains_every_commune_centroid():
    assert len(COMMUNES) == 28
    for commune in COMMUNES:
        assert in_metropole(commune["lat"], commune["lon"]), commune["name"]


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(48.8566, 2.3522), (44.6, -0.6), (45.2, -0.6), (44.85, -0.9), (44.85, -0.3), (-44.85, 0.58)],
)
def test_bbox_rejects_points_outside(lat, lon):
    assert not in_metropole(lat, lon)
    with pytest.raises(CoordinateError, match="outside Bordeaux Métropole") as excinfo:
        validate_coordinates(lat, lon)
    assert excinfo.value.code == "outside_area"


def test_bbox_bounds_are_inclusive_and_custom_box():
    assert METROPOLE_BBOX.contains(44.70, -0.85)
    assert METROPOLE_BBOX.contains(45.10, -0.35)
    box = BoundingBox(0, 1, 0, 1)
    assert in_metropole(0.5, 0.5, box)
    validate_coordinates(48.8566, 2.3522, bbox=None)  # anywhere on Earth


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        ("44.8378", "-0.5792", (44.8378, -0.5792)),
        (" 44.8378 ", "\t-0.5792", (44.8378, -0.5792)),
        ("44,8378", "-0,5792", (44.8378, -0.5792)),
        ("44.8378", "\u22120.5792", (44.8378, -0.5792)),
        ("45", "-0.5", (45.0, -0.5)),
    ],
)
def test_parse_coordinates_valid(lat, lon, expected):
    assert parse_coordinates(lat, lon) == expected


@pytest.mark.parametrize(
    ("lat", "lon", "reason", "message"),
    [
        ("", "-0.57", "empty", "latitude is missing"),
        ("44.84", "   ", "empty", "longitude is missing"),
        (None, "-0.57", "empty", "latitude is missing"),
        ("abc", "-0.57", "not_a_number", "latitude is not a number: 'abc'"),
        ("44.84", "0.5.7", "not_a_number", "longitude is not a number"),
        ("44°50'", "-0.57", "not_a_number", "latitude is not a number"),
        ("nan", "-0.57", "not_a_number", "latitude must be a finite number"),
        ("44.84", "inf", "not_a_number", "longitude must be a finite number"),
        ("91", "-0.57", "out_of_range", "latitude 91.0 is out of range"),
        ("44.84", "-180.5", "out_of_range", "longitude -180.5 is out of range"),
        ("48.8566", "2.3522", "outside_area", "outside Bordeaux Métropole"),
        ("-0.57", "44.84", "outside_area", "outside Bordeaux Métropole"),  # swapped
    ],
)
def test_parse_coordinates_errors(lat, lon, reason, message):
    with pytest.raises(ValueError, match=message) as excinfo:
        parse_coordinates(lat, lon)
    assert isinstance(excinfo.value, CoordinateError)
    assert excinfo.value.code == reason


def test_parse_coordinates_without_box():
    assert parse_coordinates("48.8566", "2.3522", bbox=None) == (48.8566, 2.3522)


# --- the packaged demo data ----------------------------------------------------------------------------

ACCEPTED_KEYS = {"smartphone", "laptop", "tablet", "charger_cable", "small_digital", "small_electrical"}
COLUMNS = [
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
]


def _collection_points():
    source = resources.files("portal.locator").joinpath("data/collection_points.csv")
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, list(reader)


def test_collection_points_csv_one_valid_point_per_commune():
    fieldnames, rows = _collection_points()
    assert fieldnames == COLUMNS
    assert len(rows) == 28
    by_insee = {c["insee"]: c for c in COMMUNES}
    assert sorted(row["insee"] for row in rows) == sorted(by_insee)  # one per INSEE code, no duplicate
    open_saturday = 0
    for row in rows:
        commune = by_insee[row["insee"]]
        assert row["commune"] == commune["name"]
        assert row["postcode"] in commune["postcodes"]
        assert [m.commune.insee for m in search_communes(row["postcode"], RECORDS)].count(row["insee"]) == 1
        for column in ("name", "address", "access_notes", "hours"):
            assert row[column].strip(), (row["insee"], column)
        lat, lon = parse_coordinates(row["lat"], row["lon"])  # inside the box, else CoordinateError
        # Near the town centre, which may be a few km from the centroid (Saint-Médard: 5.4 km).
        assert haversine_km(lat, lon, commune["lat"], commune["lon"]) < 6, row["insee"]
        assert (lat, lon) != (commune["lat"], commune["lon"])  # town hall, not the centroid
        hours = parse_hours(row["hours"])
        assert any(hours.values()), row["insee"]
        open_saturday += bool(hours[5])
        parse_closures(row["closures"])
        accepted = row["accepted"].split(";")
        assert accepted and set(accepted) <= ACCEPTED_KEYS, row["insee"]
        assert len(set(accepted)) == len(accepted)
        assert re.fullmatch(r"05 5[67]( \d\d){3}", row["contact"]), row["contact"]
    assert 0 < open_saturday < 28  # the hours vary


def test_collection_points_closures_include_public_holidays():
    _, rows = _collection_points()
    with_holidays = [row for row in rows if {"2026-12-25", "2027-01-01"} <= set(row["closures"].split(";"))]
    assert len(with_holidays) >= 10
