"""Locale-aware display of numbers, masses and dates (Babel via Flask-Babel): `1 234,5 kg CO₂e`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from babel.numbers import NumberPattern, parse_pattern
from flask import Flask
from flask_babel import format_date, format_percent, get_locale, get_timezone, to_user_timezone

NARROW_NBSP = "\u202f"


@cache
def _pattern(digits: int) -> NumberPattern:
    # Parsed once: a catalogue page formats about a hundred numbers.
    return parse_pattern("#,##0" + ("." + "#" * digits if digits else ""))


# Formatted texts, memoised: Babel takes about 10 µs a number and 30 µs a date, and a page shows up to 60 of
# them, mostly the same from one request to the next (catalogue figures, campaign totals, recent days). The
# text is a pure function of the key (language, time zone, digits, the value's exact type and text), so a
# memo is never stale; it holds no more than _MEMO_LIMIT texts and starts again when full.
_MEMO_LIMIT = 10_000
_memo: dict[tuple[Any, ...], str] = {}


def memoised(key: tuple[Any, ...], make: Callable[[], str]) -> str:
    """The text for `key` (which must hold everything the text depends on), made once by `make()`."""
    text = _memo.get(key)
    return text if text is not None else _remember(key, make())


def _remember(key: tuple[Any, ...], text: str) -> str:
    if len(_memo) >= _MEMO_LIMIT:
        _memo.clear()
    _memo[key] = text
    return text


def number(value: Decimal | float | int | None, digits: int = 1) -> str:
    """A number with the locale's separators and at most `digits` decimals."""
    if value is None:
        return "–"
    locale = get_locale()
    key = ("number", str(locale), digits, value.__class__, str(value))  # str: 1.0 and -0 are not 1 and 0
    text = _memo.get(key)
    if text is None:
        text = _remember(key, _pattern(digits).apply(Decimal(value) if isinstance(value, float) else value, locale))
    return text


def kgco2e(value: Decimal | float | int | None, digits: int = 1) -> str:
    """A mass of CO₂-equivalent in kilograms: `1 234,5 kg CO₂e`."""
    return f"{number(value, digits)}{NARROW_NBSP}kg{NARROW_NBSP}CO₂e" if value is not None else "–"


def percent(value: Decimal | float | None, signed: bool = False) -> str:
    """A ratio as a percentage (0.35 → `35 %`), optionally signed (`+12 %`, `−35 %`)."""
    if value is None:
        return "–"
    key = ("percent", str(get_locale()), signed, value.__class__, str(value))
    text = _memo.get(key)
    return text if text is not None else _remember(key, _percent(value, signed))


def _percent(value: Decimal | float, signed: bool) -> str:
    text = format_percent(abs(value) if signed else value)
    shown = round(Decimal(value) * 100)  # the sign follows the figure shown: +0.3 % reads 0 %, not +0 %
    if signed and shown:
        text = ("+" if shown > 0 else "−") + text
    return text


def long_date(value: date | datetime | None) -> str:
    """`21 mars 2026` / `21 March 2026`."""
    if not value:
        return "–"
    # Datetimes are shown in the user's time zone: equal instants give the same text (the key compares them).
    key = ("long_date", str(get_locale()), str(get_timezone()), value.__class__, value)
    text = _memo.get(key)
    if text is None:
        text = _remember(key, format_date(value, "long"))
    return text


def clock_time(hour: int, minute: int) -> str:
    """A time of day as each language writes it: `17 h`, `17 h 30` (French administrations), `17:00`, `17:30`."""
    if str(get_locale()).startswith("fr"):
        return f"{hour}{NARROW_NBSP}h" + (f"{NARROW_NBSP}{minute:02d}" if minute else "")
    return f"{hour}:{minute:02d}"


def short_datetime(value: datetime | None) -> str:
    """Date and time in the user's time zone, one style everywhere: `2 décembre 2026 à 15 h 59`,
    `2 December 2026 at 15:59`."""
    if not value:
        return "–"
    local = to_user_timezone(value)
    day = long_date(local.date())
    at = clock_time(local.hour, local.minute)
    if str(get_locale()).startswith("fr"):
        return f"{day} à {at}"
    return f"{day} at {at}"


def init_app(app: Flask) -> None:
    """Register the formatters as Jinja filters."""
    app.add_template_filter(number)
    app.add_template_filter(kgco2e)
    app.add_template_filter(percent)
    app.add_template_filter(long_date)
    app.add_template_filter(short_datetime)
