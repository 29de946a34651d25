"""Personal data across the domains: everything held about one person (their download), and the nightly
retention rules. The domains declare both (`PERSONAL_DATA`, `RETENTION`, see `portal.personal_data`); this
domain, listed last, collects them without importing any of them."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from portal import csvio
from portal.domains import domain_packages
from portal.personal_data import Cell, RetentionRule


def personal_tables(user: Any) -> dict[str, list[dict[str, Cell]]]:
    """Every domain's tables about this person, in domain order."""
    tables: dict[str, list[dict[str, Cell]]] = {}
    for package in domain_packages():
        for collect in getattr(package, "PERSONAL_DATA", ()):
            for name, rows in collect(user).items():
                tables.setdefault(name, []).extend(dict(row) for row in rows)
    return tables


def _plain(value: Cell) -> str | int | float | bool | None:
    """A cell as JSON and CSV write it: dates and instants in ISO 8601 (instants in UTC), amounts as text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def personal_data_zip(user: Any, *, now: datetime) -> bytes:
    """A ZIP of everything the portal holds about this person: `personal-data.json` with every table, and one
    CSV file per table (UTF-8 with a byte-order mark, for spreadsheets)."""
    tables = personal_tables(user)
    plain = {name: [{column: _plain(value) for column, value in row.items()} for row in rows]
             for name, rows in tables.items()}
    document = {"exported_at": now.isoformat(), "tables": plain}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("personal-data.json", json.dumps(document, ensure_ascii=False, indent=1))
        for name, rows in plain.items():
            header = list(dict.fromkeys(column for row in rows for column in row)) or ["(empty)"]
            archive.writestr(f"{name}.csv", csvio.to_text(header, ([row.get(c) for c in header] for row in rows)))
    return buffer.getvalue()


def table_sizes(user: Any) -> dict[str, int]:
    """How many rows each table of the download holds for this person."""
    return {name: len(rows) for name, rows in personal_tables(user).items()}


# ---------------------------------------------------------------------------------------------- retention


def retention_rules() -> Iterator[RetentionRule]:
    """Every domain's retention rules, in domain order (the accounts' pseudonymisation first)."""
    for package in domain_packages():
        yield from getattr(package, "RETENTION", ())


@dataclass(frozen=True)
class RetentionOutcome:
    """One rule applied: its period, the cut-off it used, and how many rows it removed or pseudonymised."""

    key: str
    period: int
    unit: str
    cutoff: datetime
    affected: int


def apply_retention(config: Mapping[str, Any], *, now: datetime) -> list[RetentionOutcome]:
    """Apply every rule with the period configured for it (a period of 0 keeps that data: the rule is skipped)."""
    outcomes = []
    for rule in retention_rules():
        period = int(config[rule.setting])
        if period <= 0:
            continue
        cutoff = rule.cutoff(now, period)
        outcomes.append(RetentionOutcome(rule.key, period, rule.unit, cutoff, rule.apply(now, cutoff)))
    return outcomes
