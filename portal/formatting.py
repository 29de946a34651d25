"""Locale-aware display of numbers, masses and dates (Babel via Flask-Babel): `1 234,5 kg CO₂e`; and the one
reader of numbers as people type or export them (`parse_decimal`)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache

from babel.dates import format_date as babel_format_date
from babel.numbers import NumberPattern, parse_pattern
from babel.units import format_unit
from flask import Flask
from flask_babel import format_percent, get_locale, gettext, to_user_timezone

from portal.timezone import PARIS
from portal.wording import with_preposition

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"


#: What people and spreadsheets put between thousands: spaces (no-break, narrow, thin) and apostrophes.
_GROUPING = str.maketrans("", "", " \u00a0\u202f\u2009'\u2019")
#: Commas between thousands as English writes them: 90,000 or 1,250,000 (not 12,5 nor 0,500).
_ENGLISH_THOUSANDS = re.compile(r"[-+]?[1-9]\d{0,2}(?:,\d{3})+")


def parse_decimal(text: str, *, locale: str | None = None) -> Decimal | None:
    """A number as a reader writes it: `12,5` and `12.5`, `1 234,5` (any space between thousands), `1,234.5` and
    `1.234,5` (both marks: the last one is the decimal one), `−3` (minus sign). A comma alone is the decimal
    comma (French, and files), except for an English reader (`locale` "en…") when it separates thousands:
    `90,000` is ninety thousand to them, `12,5` still twelve and a half. Empty → None; ValueError for anything
    that is not a finite number."""
    cleaned = text.strip().translate(_GROUPING).replace("\u2212", "-")
    if not cleaned:
        return None
    if "," in cleaned and "." in cleaned:
        grouping = "," if cleaned.rindex(",") < cleaned.rindex(".") else "."
        cleaned = cleaned.replace(grouping, "")
    elif locale and locale.startswith("en") and _ENGLISH_THOUSANDS.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    try:
        value = Decimal(cleaned.replace(",", "."))
    except ArithmeticError:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value


def _pattern_text(digits: int) -> str:
    return "#,##0" + ("." + "#" * digits if digits else "")


@cache
def number_pattern(digits: int) -> NumberPattern:
    """The pattern of `number` (grouped thousands, up to `digits` decimals), parsed once: a catalogue page
    formats about a hundred numbers, a plan's list over a thousand."""
    return parse_pattern(_pattern_text(digits))


def number(value: Decimal | float | int | None, digits: int = 1) -> str:
    """A number with the locale's separators and at most `digits` decimals."""
    if value is None:
        return "–"
    return number_pattern(digits).apply(Decimal(value) if isinstance(value, float) else value, get_locale())


def kgco2e(value: Decimal | float | int | None, digits: int = 1) -> str:
    """A mass of CO₂-equivalent in kilograms: `1 234,5 kg CO₂e`."""
    return f"{number(value, digits)}{NARROW_NBSP}kg{NARROW_NBSP}CO₂e" if value is not None else "–"


def years(value: Decimal | float | int | None, digits: int = 1) -> str:
    """A duration in years with the language's plural, never split from its figure: `1,5 an`, `3 ans` (French
    counts under 2 in the singular), `1.5 years`, `1 year`. The plural is the figure shown's (1.96 reads 2)."""
    if value is None:
        return "–"
    shown = Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN).normalize()
    text = format_unit(shown, "duration-year", length="long", format=_pattern_text(digits), locale=get_locale())
    return text.replace(" ", NBSP)


def percent(value: Decimal | float | None, signed: bool = False) -> str:
    """A ratio as a percentage (0.35 → `35 %`), optionally signed (`+12 %`, `−35 %`)."""
    if value is None:
        return "–"
    text = format_percent(abs(value) if signed else value)
    shown = round(Decimal(value) * 100)  # the sign follows the figure shown: +0.3 % reads 0 %, not +0 %
    if signed and shown:
        text = ("+" if shown > 0 else "−") + text
    return text


def long_date(value: date | datetime | None) -> str:
    """`21 mars 2026` / `21 March 2026`; an instant's date in Paris (the portal's one time zone)."""
    if not value:
        return "–"
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(PARIS).date()
    # Babel itself: Flask-Babel's format_date asks for the request's locale, formats and time zone again for
    # each date, a third of a list of messages' time.
    return babel_format_date(value, "long", locale=get_locale())


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


def french_de(name: str) -> str:
    """French “de” before a name (portal.wording): d’Ana Agent, d’Eysines, du Bouscat, de Marc Martin."""
    return with_preposition("de", name)


def of_name(name: str) -> str:
    """“of <name>” in the request's language, for a message quoting a person or a place."""
    if get_locale().language == "fr":
        return french_de(name)
    return gettext("of %(name)s", name=name)


def colon() -> str:
    """A colon after a name or a figure, as each language writes it: French puts a narrow no-break space before it
    (`Portable : livré`), English none (`Laptop: delivered`)."""
    return f"{NARROW_NBSP}:" if get_locale().language == "fr" else ":"


def semicolon() -> str:
    """A semicolon between items, as each language writes it (French: a narrow no-break space before it)."""
    return f"{NARROW_NBSP};" if get_locale().language == "fr" else ";"


def init_app(app: Flask) -> None:
    """Register the formatters as Jinja filters (and `colon()`, `semicolon()` as globals)."""
    app.add_template_global(colon)
    app.add_template_global(semicolon)
    app.add_template_filter(number)
    app.add_template_filter(kgco2e)
    app.add_template_filter(percent)
    app.add_template_filter(years)
    app.add_template_filter(long_date)
    app.add_template_filter(short_datetime)
