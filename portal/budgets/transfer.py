"""Budget lines in and out as CSV: the import creates or updates lines by year, unit, nature and label (the
rules of the admin form); the export of a year adds each line's figures, which the import ignores."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from portal import csvio
from portal.budgets import services
from portal.budgets.figures import YearBudget
from portal.budgets.models import BudgetLine
from portal.budgets.services import BudgetError
from portal.models import db
from portal.org.models import OrgUnit

LINE_COLUMNS = ("fiscal_year", "unit_code", "nature", "label", "amount_eur", "carbon_budget_kgco2e")
FIGURE_COLUMNS = (
    "forecast_eur",
    "forecast_kgco2e",
    "committed_eur",
    "committed_kgco2e",
    "spent_eur",
    "spent_kgco2e",
    "itsm_committed_eur",
    "itsm_committed_kgco2e",
    "itsm_spent_eur",
    "itsm_spent_kgco2e",
    "intensity_kgco2e_per_keur",
    "intensity_grade",
    "carbon_budget_used",
    "carbon_budget_state",
)
MAX_IMPORT_LINES = 50_000


def read_lines_csv(data: bytes | str) -> Iterator[csvio.Row]:
    """The rows of a budget CSV file; csvio.CsvFileError if unusable (the figures of an export are ignored)."""
    return csvio.read_rows(data, LINE_COLUMNS, max_lines=MAX_IMPORT_LINES)


def _parse(cells: Mapping[str, str], units: dict[str, OrgUnit]) -> dict[str, Any]:
    """A line's values; BudgetError (with `field` in its params) at the first problem."""
    checks = (
        ("fiscal_year", lambda t: services.parse_year(t)),
        ("unit_code", lambda t: units.get(t.strip()) or _unknown_unit(t)),
        ("nature", services.parse_nature),
        ("label", services.parse_label),
        ("amount_eur", lambda t: services.parse_amount(t, field="amount_eur", maximum=services.MAX_AMOUNT_EUR)),
        (
            "carbon_budget_kgco2e",
            lambda t: services.parse_amount(
                t, field="carbon_budget_kgco2e", maximum=services.MAX_CARBON_KG, optional=True
            ),
        ),
    )
    values: dict[str, Any] = {}
    for column, parse in checks:
        try:
            values[column] = parse(cells.get(column, ""))
        except BudgetError as error:
            error.params = {**error.params, "column": column}
            raise
    return values


def _unknown_unit(code: str) -> OrgUnit:
    raise BudgetError("unit", value=code)


def import_lines(rows: Iterable[csvio.Row]) -> csvio.ImportReport:
    """Create or update lines (idempotent); a refused line changes nothing, the others are saved."""
    report = csvio.ImportReport()
    units = {unit.code: unit for unit in db.session.scalars(sa.select(OrgUnit))}
    existing = {
        (line.fiscal_year, line.org_unit_id, line.nature, line.label): line
        for line in db.session.scalars(sa.select(BudgetLine))
    }
    seen: set[tuple[int, int, str, str]] = set()
    for row in csvio.readable_rows(rows, report):
        try:
            values = _parse(row.cells, units)
        except BudgetError as error:
            column = error.params.get("column", "")
            params = {k: v for k, v in error.params.items() if k not in ("column", "value", "field")}
            report.reject(row.line, error.code, column, row.cells.get(column, ""), **params)
            continue
        unit = values["unit_code"]
        key = (values["fiscal_year"], unit.id, values["nature"], values["label"])
        name = f"{values['fiscal_year']} {unit.code} {values['nature']} {values['label']}"
        if key in seen:
            report.reject(row.line, "repeated", "label", values["label"])
            continue
        seen.add(key)
        line = existing.get(key)
        amount, carbon = values["amount_eur"], values["carbon_budget_kgco2e"]
        if line is None:
            line = BudgetLine(
                fiscal_year=key[0],
                org_unit=unit,
                nature=key[2],
                label=key[3],
                amount_eur=amount,
                carbon_budget_kgco2e=carbon,
            )
            db.session.add(line)
            report.created.append(name)
        elif line.amount_eur == amount and line.carbon_budget_kgco2e == carbon:
            report.unchanged.append(name)
        else:
            line.amount_eur, line.carbon_budget_kgco2e = amount, carbon
            report.updated.append(name)
    db.session.flush()
    return report


def _plain(value: Decimal | None, places: str = "0.01") -> str:
    return "" if value is None else str(value.quantize(Decimal(places)))


def export_rows(budget: YearBudget) -> Iterator[list[str]]:
    """A row per line of the year: its columns, then its figures."""
    for unit in budget.units:
        for figures in unit.lines:
            line, reading = figures.line, figures.reading
            a = reading.amounts
            yield [
                str(line.fiscal_year),
                unit.unit.code,
                line.nature,
                line.label,
                _plain(line.amount_eur),
                _plain(line.carbon_budget_kgco2e, "0.0001"),
                _plain(a.forecast_eur),
                _plain(a.forecast_kgco2e, "0.1"),
                _plain(a.committed_eur),
                _plain(a.committed_kgco2e, "0.1"),
                _plain(a.spent_eur),
                _plain(a.spent_kgco2e, "0.1"),
                _plain(a.itsm_committed_eur),
                _plain(a.itsm_committed_kgco2e, "0.1"),
                _plain(a.itsm_spent_eur),
                _plain(a.itsm_spent_kgco2e, "0.1"),
                _plain(a.intensity, "0.1"),
                a.grade.value if a.grade else "",
                _plain(reading.used_share, "0.0001"),
                reading.use.value if reading.use else "",
            ]


def export_text(budget: YearBudget) -> str:
    """The year's lines as CSV text (byte-order mark, formulas neutralised)."""
    return csvio.to_text((*LINE_COLUMNS, *FIGURE_COLUMNS), export_rows(budget))
