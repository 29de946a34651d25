"""Opening hours of the collection points (stdlib only).

Weekly hours are a dict ``weekday → list of (start, end)`` with Monday = 0 … Sunday = 6, every weekday
present (an empty list means closed all day), the ranges sorted and neither overlapping nor touching.
They are written in a compact text form::

    mo-fr 08:30-12:00,13:30-17:00; sa 09:00-12:00

Groups are separated by ``;``; each group is a day list (``mo``, ``mo-fr``, ``mo,we,fr``, ``sa-mo``) and a
comma-separated list of ``HH:MM-HH:MM`` ranges. A day named in two groups gets the ranges of both. An
empty text means closed every day. Exceptional closure dates (public holidays…) are ISO dates separated by
``;``: ``2026-12-25;2027-01-01``.

:func:`status_at` tells whether a point is open at a given instant, until when, or when it next opens.
All wall-clock times are in Europe/Paris; this module returns datetimes, never translated text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from portal.timezone import PARIS

__all__ = [
    "DAY_CODES",
    "PARIS",
    "SEARCH_DAYS",
    "HoursFormatError",
    "OpeningStatus",
    "TimeRange",
    "WeeklyHours",
    "format_closures",
    "format_hours",
    "parse_closures",
    "parse_hours",
    "status_at",
]

#: Day codes in the compact form, index = ``date.weekday()``.
DAY_CODES = ("mo", "tu", "we", "th", "fr", "sa", "su")
#: How many days after today :func:`status_at` looks for the next opening.
SEARCH_DAYS = 14

TimeRange = tuple[time, time]
WeeklyHours = dict[int, list[TimeRange]]

_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class HoursFormatError(ValueError):
    """Malformed hours or closures; ``part`` is the offending piece of the text."""

    def __init__(self, message: str, part: str) -> None:
        super().__init__(message)
        self.part = part


# --- parsing -------------------------------------------------------------------------------------------


def _parse_day(code: str, group: str) -> int:
    try:
        return DAY_CODES.index(code)
    except ValueError:
        raise HoursFormatError(
            f"unknown day {code!r} in {group!r} (expected one of {', '.join(DAY_CODES)})", code
        ) from None


def _parse_days(spec: str, group: str) -> list[int]:
    days: list[int] = []
    for item in spec.split(","):
        item = item.strip()
        if not item:
            raise HoursFormatError(f"empty day in {group!r}", group)
        if "-" in item:
            first_code, _, last_code = item.partition("-")
            first, last = _parse_day(first_code.strip(), group), _parse_day(last_code.strip(), group)
            span = (last - first) % 7  # sa-mo wraps over the week-end
            days.extend((first + offset) % 7 for offset in range(span + 1))
        else:
            days.append(_parse_day(item, group))
    return days


def _parse_time(text: str, item: str) -> time:
    match = _TIME.match(text.strip())
    if not match:
        raise HoursFormatError(
            f"invalid time {text.strip()!r} in {item!r} (expected HH:MM, 00:00–23:59)", item
        )
    return time(int(match.group(1)), int(match.group(2)))


def _parse_range(item: str, group: str) -> TimeRange:
    item = item.strip()
    if item.count("-") != 1:
        raise HoursFormatError(f"invalid time range {item!r} in {group!r} (expected HH:MM-HH:MM)", item)
    start_text, end_text = item.split("-")
    start, end = _parse_time(start_text, item), _parse_time(end_text, item)
    if start >= end:
        raise HoursFormatError(f"time range {item!r} must start before it ends", item)
    return start, end


def parse_hours(text: str) -> WeeklyHours:
    """Parse the compact form into weekly hours; raise :class:`HoursFormatError` (a ValueError)
    naming the bad part when it is malformed, a range is empty or reversed, or two ranges overlap."""
    hours: WeeklyHours = {day: [] for day in range(7)}
    if not (text or "").strip():
        return hours
    for raw_group in text.split(";"):
        group = " ".join(raw_group.split()).lower()
        if not group:
            raise HoursFormatError(f"empty group in {text!r} (stray ';')", raw_group)
        first_digit = next((i for i, char in enumerate(group) if char.isdigit()), None)
        if first_digit is None:
            raise HoursFormatError(
                f"group {group!r} has no time ranges (expected e.g. 'mo-fr 09:00-12:00')", group
            )
        day_spec, range_spec = group[:first_digit].replace(" ", ""), group[first_digit:].replace(" ", "")
        if not day_spec:
            raise HoursFormatError(f"group {group!r} has no days (expected e.g. 'mo-fr 09:00-12:00')", group)
        days = _parse_days(day_spec, group)
        ranges = [_parse_range(item, group) for item in range_spec.split(",")]
        for day in days:
            hours[day].extend(ranges)
    for day, ranges in hours.items():
        ranges.sort()
        for (start1, end1), (start2, end2) in zip(ranges, ranges[1:], strict=False):
            if start2 <= end1:
                raise HoursFormatError(
                    f"overlapping ranges on {DAY_CODES[day]}: {_format_range((start1, end1))} and "
                    f"{_format_range((start2, end2))} (ranges must not overlap or touch)",
                    DAY_CODES[day],
                )
    return hours


def parse_closures(text: str) -> frozenset[date]:
    """Parse ``;``-separated ISO dates (``2026-12-25;2027-01-01``); empty text → no closure."""
    closures: set[date] = set()
    for item in (text or "").split(";"):
        item = item.strip()
        if not item:
            continue
        try:
            closures.add(date.fromisoformat(item))
        except ValueError:
            raise HoursFormatError(f"invalid closure date {item!r} (expected YYYY-MM-DD)", item) from None
    return frozenset(closures)


# --- formatting ----------------------------------------------------------------------------------------


def _format_range(time_range: TimeRange) -> str:
    return f"{time_range[0]:%H:%M}-{time_range[1]:%H:%M}"


def _format_days(days: Sequence[int]) -> str:
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(
        DAY_CODES[run[0]] if len(run) == 1 else f"{DAY_CODES[run[0]]}-{DAY_CODES[run[-1]]}" for run in runs
    )


def format_hours(hours: Mapping[int, Iterable[TimeRange]]) -> str:
    """The canonical compact form: days sharing the same ranges grouped (``mo-fr``, ``mo,we-fr``),
    groups in order of their first day. ``parse_hours(format_hours(h)) == h`` for valid hours."""
    groups: dict[tuple[TimeRange, ...], list[int]] = {}
    for day in range(7):
        ranges = tuple(sorted(hours.get(day, ())))
        if ranges:
            groups.setdefault(ranges, []).append(day)
    return "; ".join(
        f"{_format_days(days)} {','.join(_format_range(r) for r in ranges)}"
        for ranges, days in groups.items()
    )


def format_closures(closures: Iterable[date]) -> str:
    return ";".join(day.isoformat() for day in sorted(set(closures)))


# --- status --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpeningStatus:
    """Whether a point is open; ``closes_at`` is set when open, ``opens_at`` when closed (None when it
    does not open within :data:`SEARCH_DAYS` days). Datetimes are aware, in Europe/Paris."""

    is_open: bool
    closes_at: datetime | None = None
    opens_at: datetime | None = None


def _instant(day: date, at: time) -> datetime:
    """The UTC instant of a Paris wall-clock time (a time skipped by the spring change counts as if
    the clocks had not changed yet, e.g. 02:30 → 03:30 CEST)."""
    return datetime.combine(day, at, tzinfo=PARIS).astimezone(UTC)


def status_at(
    hours: Mapping[int, Sequence[TimeRange]], closures: Iterable[date], now: datetime
) -> OpeningStatus:
    """Opening status at the aware datetime ``now``, on Europe/Paris wall-clock hours, closure dates
    being closed all day."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime (with a time zone)")
    closed_days = set(closures)
    # Compare instants in UTC: aware datetimes sharing a tzinfo are compared on wall time by Python,
    # which is wrong around the autumn change.
    now_utc = now.astimezone(UTC)
    today = now_utc.astimezone(PARIS).date()
    for offset in range(SEARCH_DAYS + 1):
        day = today + timedelta(days=offset)
        if day in closed_days:
            continue
        for start, end in sorted(hours.get(day.weekday(), ())):
            start_utc, end_utc = _instant(day, start), _instant(day, end)
            if now_utc < start_utc:
                return OpeningStatus(is_open=False, opens_at=start_utc.astimezone(PARIS))
            if now_utc < end_utc:
                return OpeningStatus(is_open=True, closes_at=end_utc.astimezone(PARIS))
    return OpeningStatus(is_open=False)
