"""`flask collection-points import FILE` and `flask collection-points export [--format csv|geojson]`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from portal import uploads
from portal.locator import exchange
from portal.locator.models import CollectionPoint
from portal.models import db

REASONS = {
    "missing": "missing value",
    "too_long": "too long",
    "unknown_commune": "unknown INSEE code",
    "invalid_code": "invalid code",
    "invalid_postcode": "invalid postcode",
    "postcode_not_in_commune": "postcode not the commune's",
    "coordinates_empty": "latitude or longitude missing",
    "coordinates_not_a_number": "latitude or longitude not a number",
    "coordinates_out_of_range": "latitude or longitude out of range",
    "coordinates_outside_area": "coordinates outside Bordeaux Métropole",
    "invalid_hours": "opening hours not understood",
    "no_hours": "no opening hours",
    "invalid_closures": "closure date not understood",
    "unknown_item": "unknown accepted item",
    "not_boolean": "active must be 1 or 0",
    "duplicate_code": "code already on an earlier row",
}
FILE_REASONS = {
    "missing_columns": "columns missing from the header line",
    "not_geojson": "not a GeoJSON FeatureCollection",
    "too_many_rows": "too many points in one file",
    "empty": "the file is empty",
}


@click.group("collection-points")
def collection_points() -> None:
    """Collection points: import and export (CSV or GeoJSON)."""


@collection_points.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(file: Path) -> None:
    """Create or update points from a .csv or .geojson file, matched on their code (idempotent)."""
    try:
        if file.suffix.lower() == ".csv":
            report = exchange.import_points(exchange.read_points_csv(io.StringIO(uploads.read_text_file(file))))
        elif file.suffix.lower() in (".geojson", ".json"):
            report = exchange.import_points(exchange.read_points_geojson(uploads.read_text_file(file)))
        else:
            raise click.ClickException("the file must end in .csv, .geojson or .json")
    except uploads.NotTextError as error:
        raise click.ClickException(error.message("en")) from error
    except exchange.PointsFormatError as error:
        detail = f" ({error.detail})" if error.detail else ""
        raise click.ClickException(FILE_REASONS.get(error.reason, error.reason) + detail) from error
    db.session.commit()
    click.echo(f"created: {len(report.created)}")
    click.echo(f"updated: {len(report.updated)}")
    click.echo(f"unchanged: {len(report.unchanged)}")
    click.echo(f"rejected: {len(report.rejected)}")
    for rejected in report.rejected:
        reason = REASONS.get(rejected.reason, rejected.reason)
        click.echo(f"  {rejected.line}: {rejected.field}: {reason} ({rejected.value})")


@collection_points.command("export")
@click.option("--format", "file_format", type=click.Choice(["csv", "geojson"]), default="csv", show_default=True)
@click.argument("output", type=click.File("w", encoding="utf-8"), default="-")
@with_appcontext
def export_command(file_format: str, output: click.File) -> None:
    """Write every point (inactive ones included) as CSV or GeoJSON, to OUTPUT or the standard output."""
    points = list(db.session.scalars(sa.select(CollectionPoint).order_by(CollectionPoint.code)))
    if file_format == "csv":
        output.write(exchange.export_csv(points))
    else:
        output.write(json.dumps(exchange.points_geojson(points), ensure_ascii=False, indent=1) + "\n")


commands = [collection_points]
