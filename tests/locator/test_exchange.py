"""Validation, CSV and GeoJSON reading and writing of collection points."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

from portal.csvio import CsvFileError, Row
from portal.locator import exchange
from portal.locator.exchange import PointDataError, PointsFormatError

ROW = {
    "insee": "33039",
    "name": "Mairie de Bègles",
    "address": "77 rue Calixte Camelle",
    "postcode": "33130",
    "lat": "44.8078",
    "lon": "-0.5480",
    "hours": "MO-FR 08:30-12:30, 13:30-17:30;sa 09:00-12:00",
    "closures": "2027-01-01;2026-12-25",
    "accepted": "laptop; smartphone",
}


@pytest.fixture
def by_insee(communes):
    return exchange.communes_by_insee()


def test_a_valid_point_is_normalised(by_insee):
    data = exchange.validate_point(ROW, by_insee)
    assert data.code == "33039"  # the INSEE code when no code is given
    assert (data.lat, data.lon) == (Decimal("44.8078"), Decimal("-0.548"))
    assert data.hours == "mo-fr 08:30-12:30,13:30-17:30; sa 09:00-12:00"
    assert data.closures == "2026-12-25;2027-01-01"
    assert data.accepted == "smartphone;laptop"
    assert data.active is True


@pytest.mark.parametrize(
    ("change", "reason", "field"),
    [
        ({"insee": ""}, "missing", "insee"),
        ({"insee": "75056"}, "unknown_commune", "insee"),
        ({"code": "with space"}, "invalid_code", "code"),
        ({"name": " "}, "missing", "name"),
        ({"name": "x" * 161}, "too_long", "name"),
        ({"postcode": "3313"}, "invalid_postcode", "postcode"),
        ({"postcode": "33000"}, "postcode_not_in_commune", "postcode"),
        ({"lat": ""}, "coordinates_empty", "lat"),
        ({"lon": "west"}, "coordinates_not_a_number", "lat"),
        ({"lat": "144.8"}, "coordinates_out_of_range", "lat"),
        ({"lat": "-0.548", "lon": "44.8078"}, "coordinates_outside_area", "lat"),
        ({"hours": "mo 9-12"}, "invalid_hours", "hours"),
        ({"hours": ""}, "no_hours", "hours"),
        ({"closures": "Noël"}, "invalid_closures", "closures"),
        ({"accepted": ""}, "missing", "accepted"),
        ({"accepted": "smartphone;fridge"}, "unknown_item", "accepted"),
        ({"active": "maybe"}, "not_boolean", "active"),
        ({"contact": "0" * 81}, "too_long", "contact"),
    ],
)
def test_invalid_points_name_the_field_and_the_reason(by_insee, change, reason, field):
    with pytest.raises(PointDataError) as problem:
        exchange.validate_point({**ROW, **change}, by_insee)
    assert (problem.value.code, problem.value.field) == (reason, field)


@pytest.mark.parametrize(("text", "active"), [("1", True), ("oui", True), ("", True), ("0", False), ("Non", False)])
def test_active_flags(by_insee, text, active):
    assert exchange.validate_point({**ROW, "active": text}, by_insee).active is active


def test_csv_rows_carry_their_line_numbers_and_skip_blank_lines():
    text = (
        "insee,name,address,postcode,lat,lon,hours,accepted\n"
        "\n"
        "33039,B,A,33130,1,2,h,a\n"
        ",,,,,,,\n"
        '33063,C,"multi\nline",33000,1,2,h,a\n'
    )
    rows = list(exchange.read_points_csv(text))
    assert [(row.line, row["insee"]) for row in rows] == [(3, "33039"), (5, "33063")]  # where the row starts
    assert rows[1]["address"] == "multi\nline"


def test_csv_header_is_case_and_space_insensitive_and_missing_columns_are_named():
    header = " INSEE ;Name;address;postcode;lat;lon;hours;accepted\n"
    rows = list(exchange.read_points_csv(header + "33039;B;A;33130;1;2;h;a\n"))
    assert rows[0]["insee"] == "33039"
    with pytest.raises(CsvFileError) as problem:
        exchange.read_points_csv("insee,name\n")
    assert problem.value.code == "header"
    assert problem.value.params["missing"] == "address, postcode, lat, lon, hours, accepted"


@pytest.mark.parametrize("text", ["", "  \n"])
def test_empty_files_are_refused_as_empty(text):
    # Files that are not text at all are refused before, by portal.uploads (tests/test_uploads.py).
    with pytest.raises(CsvFileError) as csv_problem:
        exchange.read_points_csv(text)
    with pytest.raises(PointsFormatError) as geojson_problem:
        list(exchange.read_points_geojson(text))
    assert csv_problem.value.code == geojson_problem.value.code == "empty"


def test_geojson_features_become_rows_longitude_first():
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": 7,
                "geometry": {"type": "Point", "coordinates": [-0.548, 44.8078, 12]},
                "properties": {"name": "B", "lat": "ignored"},
            },
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "properties": {}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [True, 44.8]}, "properties": None},
            "not a feature",
        ],
    }
    rows = list(exchange.read_points_geojson(json.dumps(document)))
    assert rows[0] == Row(1, {"name": "B", "lon": "-0.548", "lat": "44.8078", "code": "7"})
    assert rows[1:] == [Row(2, {}), Row(3, {}), Row(4, {})]


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        '{"type": "Feature"}',
        '{"type": "FeatureCollection"}',
        '{"type": "FeatureCollection", "features": {}}',
        "{oops",
    ],
)
def test_not_a_feature_collection(text):
    with pytest.raises(PointsFormatError) as problem:
        list(exchange.read_points_geojson(text))
    assert problem.value.code == "not_geojson"


def test_a_file_with_too_many_points_is_refused_before_any_is_read(communes):
    header = ",".join(exchange.CSV_COLUMNS) + "\n"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([ROW.get(column, "") for column in exchange.CSV_COLUMNS])
    row = buffer.getvalue()
    assert len(exchange.import_points(exchange.read_points_csv(header + row * exchange.MAX_IMPORT_ROWS)).created) == 1
    with pytest.raises(CsvFileError) as problem:
        exchange.read_points_csv(header + row * (exchange.MAX_IMPORT_ROWS + 1))
    assert problem.value.code == "too_many_lines"
    document = {"type": "FeatureCollection", "features": [{"type": "Feature"}] * (exchange.MAX_IMPORT_ROWS + 1)}
    with pytest.raises(PointsFormatError, match="too_many_rows"):
        list(exchange.read_points_geojson(json.dumps(document)))


def test_packaged_points_are_all_valid(communes):
    rows = exchange.packaged_rows()
    assert len(rows) == 28
    by_insee = exchange.communes_by_insee()
    for row in rows:
        exchange.validate_point(row.cells, by_insee)
