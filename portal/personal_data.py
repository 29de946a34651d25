"""What each domain holds about a person, and how long: the shapes of the domains' `PERSONAL_DATA` and
`RETENTION` (declared in each domain's package, collected by the privacy domain, which comes last).

- `PERSONAL_DATA`: functions taking an account and giving named tables of plain rows (column → text, number,
  date or None): everything the domain holds about that person, for the download of one's data (GDPR
  article 15).
- `RETENTION`: :class:`RetentionRule` objects: a setting giving the period, and a service that removes or
  pseudonymises what is older than the cut-off; run nightly by the jobs process, in domain order (the
  accounts domain pseudonymises departed accounts first, the later rules then find them pseudonymised).

Standard library only: every domain imports it.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

#: A cell of a personal-data table.
Cell = str | int | float | bool | Decimal | date | datetime | None
#: Named tables of rows, e.g. {"devices": [{"asset_tag": "…", "model": "…"}, …]}.
Tables = Mapping[str, Sequence[Mapping[str, Cell]]]
PersonalData = Callable[[Any], Tables]


@dataclass(frozen=True)
class RetentionRule:
    """How long one kind of personal data is kept: `setting` names the period (in `unit`, "months" or "days"),
    `apply(now, cutoff)` removes or pseudonymises what is older than the cut-off and says how many rows."""

    key: str
    setting: str
    unit: str
    apply: Callable[[datetime, datetime], int]

    def cutoff(self, now: datetime, period: int) -> datetime:
        """The instant before which the data goes: `period` months or days before `now`."""
        return months_before(now, period) if self.unit == "months" else now - timedelta(days=period)


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st becomes the month's last day)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)
