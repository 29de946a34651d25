"""`flask budgets import FILE.csv`, `flask budgets export YEAR FILE.csv` and `flask budgets seed-factor`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from portal import csvio
from portal.budgets import figures, services, transfer
from portal.budgets.display import BUDGET_ERRORS
from portal.catalogue.footprints import load_factor_set
from portal.models import db


@click.group()
def budgets() -> None:
    """IT budget lines: CSV import and export."""


@budgets.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(file: Path) -> None:
    """Create or update budget lines by year, unit code, nature and label (idempotent); bad lines are reported."""
    csvio.import_command(lambda: transfer.import_lines(transfer.read_lines_csv(file.read_bytes())), BUDGET_ERRORS)


@budgets.command("export")
@click.argument("year", type=click.IntRange(services.FIRST_YEAR, services.LAST_YEAR))
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@with_appcontext
def export_command(year: int, file: str) -> None:
    """Write a year's lines and their figures to a CSV file (`-` for the standard output)."""
    budget = figures.year_budget(year, load_factor_set())
    text = transfer.export_text(budget)
    with csvio.export_output(file, bom=False) as stream:
        stream.write(text)
    if file != "-":
        click.echo(f"exported: {len(budget.line_figures())} lines to {file}")


@budgets.command("seed-factor")
@with_appcontext
def seed_factor_command() -> None:
    """Store the monetary ratio of IT products (the intensity's yardstick) in the factor library (a stored one is
    kept)."""
    created = services.seed_monetary_factor()
    db.session.commit()
    click.echo(f"monetary ratio {'added' if created else 'already stored'}: {services.MONETARY_KEY}")


commands = [budgets]
