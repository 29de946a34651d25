"""`flask catalogue import|export FILE.csv` and `flask inventory import FILE.csv`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from portal import csvio
from portal.catalogue import inventory as inventory_services
from portal.catalogue import transfer
from portal.catalogue.display import INVENTORY_REJECTIONS, ITEM_PROBLEMS
from portal.catalogue.services import seed_catalogue, seed_factors
from portal.models import db


@click.group()
def catalogue() -> None:
    """Catalogue items: CSV import and export (the same columns both ways)."""


@catalogue.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(file: Path) -> None:
    """Create or update catalogue items by SKU from a CSV file (idempotent); bad lines are reported and skipped."""
    report = csvio.import_command(
        lambda: transfer.import_items(transfer.read_items_csv(file.read_bytes())), ITEM_PROBLEMS
    )
    if report.recomputed:
        click.echo(f"labels recomputed (category yardstick moved): {report.recomputed}")


@catalogue.command("seed")
@with_appcontext
def seed_command() -> None:
    """Store the published factor library and load the packaged manufacturer models (idempotent)."""
    factors = seed_factors()
    items = seed_catalogue()
    db.session.commit()
    click.echo(f"factors created: {factors}")
    click.echo(f"items created: {items}")


@catalogue.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@with_appcontext
def export_command(file: str) -> None:
    """Write every catalogue item to a CSV file (`-` for the standard output); formulas are neutralised."""
    with csvio.export_output(file) as stream:
        count = transfer.export_items(stream)
    if file != "-":
        click.echo(f"exported: {count} items to {file}")


@click.group()
def inventory() -> None:
    """Asset inventory: the ITSM hardware export."""


@inventory.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def inventory_import_command(file: Path) -> None:
    """Create or update assets by asset tag from the ITSM CSV export (idempotent); bad lines are reported."""
    csvio.import_command(
        lambda: inventory_services.import_inventory(inventory_services.read_inventory_csv(file.read_bytes())),
        INVENTORY_REJECTIONS,
    )


commands = [catalogue, inventory]
