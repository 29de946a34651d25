"""`flask collection-points import FILE` and `flask collection-points export [--format csv|geojson]`."""

from __future__ import annotations

import json
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from portal import csvio, uploads
from portal.locator import exchange
from portal.locator.display import POINT_ERRORS
from portal.locator.models import CollectionPoint
from portal.models import db


@click.group("collection-points")
def collection_points() -> None:
    """Collection points: import and export (CSV or GeoJSON)."""


@collection_points.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(file: Path) -> None:
    """Create or update points from a .csv or .geojson file, matched on their code (idempotent)."""
    suffix = file.suffix.lower()
    if suffix == ".csv":
        csvio.import_command(lambda: exchange.import_points(exchange.read_points_csv(file.read_bytes())), POINT_ERRORS)
    elif suffix in (".geojson", ".json"):
        csvio.import_command(
            lambda: exchange.import_points(exchange.read_points_geojson(uploads.read_text_file(file))), POINT_ERRORS
        )
    else:
        raise click.ClickException("the file must end in .csv, .geojson or .json")


@collection_points.command("export")
@click.option("--format", "file_format", type=click.Choice(["csv", "geojson"]), default="csv", show_default=True)
@click.argument("output", type=click.Path(dir_okay=False, allow_dash=True), default="-")
@with_appcontext
def export_command(file_format: str, output: str) -> None:
    """Write every point (inactive ones included) as CSV or GeoJSON, to OUTPUT or the standard output."""
    points = list(db.session.scalars(sa.select(CollectionPoint).order_by(CollectionPoint.code)))
    with csvio.export_output(output, bom=False) as stream:
        if file_format == "csv":
            stream.write(exchange.export_csv(points, bom=False))
        else:
            stream.write(json.dumps(exchange.points_geojson(points), ensure_ascii=False, indent=1) + "\n")


commands = [collection_points]
