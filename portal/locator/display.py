"""What the locator shows in words: item names, opening status, distances, error messages (translated).

Registered as template filters, prefixed so that no other domain's filter collides: `locator_status`,
`locator_km`, `locator_item`, `locator_ranges`, `locator_weekday`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from babel.numbers import parse_pattern
from flask import Blueprint, current_app
from flask_babel import format_date, get_locale, gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from portal.formatting import clock_time
from portal.locator.hours import OpeningStatus, TimeRange
from portal.timezone import PARIS

ITEM_LABELS = {
    "smartphone": _l("Smartphones"),
    "laptop": _l("Laptops"),
    "tablet": _l("Tablets"),
    "charger_cable": _l("Chargers and cables"),
    "small_digital": _l("Small digital devices (e-readers, cameras, GPS, game consoles…)"),
    "small_electrical": _l("Other small electrical equipment"),
}

#: Why a typed position is refused (portal.locator.geo.CoordinateError.code).
COORDINATE_ERRORS = {
    "empty": _l("Both the latitude and the longitude are needed."),
    "not_a_number": _l("The position sent is not made of numbers."),
    "out_of_range": _l("The position sent is not on Earth: latitude −90 to 90, longitude −180 to 180."),
    "outside_area": _l("Your position is outside Bordeaux Métropole: search by commune or postcode instead."),
}

#: Why a return is refused (portal.locator.services.ReturnError.code).
RETURN_ERRORS = {
    "inactive_point": _l("This collection point is closed for good: choose another one."),
    "not_yours": _l("This device is not assigned to you."),
    "not_to_return": _l("This device is not marked “to return”."),
    "not_collected_here": _l("Collection points do not take this kind of device: the IT support desk collects it."),
    "unknown_item": _l("Choose the kind of device you returned."),
    "bad_quantity": _l("Give a number of devices from 1 to 20."),
    "not_accepted": _l("This point does not accept this kind of device: choose another point."),
    "already_received": _l("This return has already been confirmed by the collection team."),
}

#: Why an imported row or a form is refused (portal.locator.exchange.PointDataError.code).
POINT_ERRORS = {
    "missing": _l("missing value"),
    "too_long": _l("too long"),
    "unknown_commune": _l("unknown INSEE code (not one of the 28 communes)"),
    "invalid_code": _l("invalid code (letters, digits, - _ . only; 40 characters at most)"),
    "invalid_postcode": _l("invalid postcode (5 digits)"),
    "postcode_not_in_commune": _l("this postcode is not the commune's"),
    "coordinates_empty": _l("latitude or longitude missing"),
    "coordinates_not_a_number": _l("latitude or longitude is not a number"),
    "coordinates_out_of_range": _l("latitude or longitude out of range"),
    "coordinates_outside_area": _l("coordinates outside Bordeaux Métropole (latitude first, then longitude)"),
    "invalid_hours": _l("opening hours not understood (example: mo-fr 08:30-12:00,13:30-17:00; sa 09:00-12:00)"),
    "no_hours": _l("no opening hours: the point must open at least once a week"),
    "invalid_closures": _l("closure date not understood (YYYY-MM-DD, separated by ;)"),
    "unknown_item": _l("unknown accepted item"),
    "not_boolean": _l("active must be 1 or 0"),
    "duplicate_code": _l("code already used on an earlier row"),
}

#: Why an uploaded GeoJSON file is refused as a whole (portal.locator.exchange.PointsFormatError.code).
FILE_ERRORS = {
    "not_geojson": _l("This file is not a GeoJSON FeatureCollection (problem near: %(detail)s)."),
    "too_many_rows": _l("This file has more than %(detail)s points: split it."),
    "empty": _l("This file is empty."),
    "unknown_format": _l("Send a .csv or a .geojson file."),
}


def item_label(key: str) -> str:
    """The name of an accepted item."""
    label = ITEM_LABELS.get(key)
    return str(label) if label is not None else key


_KM_PATTERN = parse_pattern("#,##0.0")


def km(value: float | None) -> str:
    """A distance in km with one decimal, in the user's locale: `1,2 km`."""
    if value is None:
        return "–"
    # Flask-Babel's format_decimal with the pattern parsed once (it parsed it again for each distance).
    return f"{_KM_PATTERN.apply(value, get_locale())}\u202fkm"


def clock(at: datetime | time) -> str:
    """A wall-clock time in Paris, `9 h`, `17 h 30` (`9:00`, `17:30` in English)."""
    if isinstance(at, datetime):
        at = at.astimezone(PARIS).time()
    return clock_time(at.hour, at.minute)


def opening_status(status: OpeningStatus, now: datetime) -> str:
    """The status in words: "Open until 17:00", "Closed – opens Monday at 9:00" (Europe/Paris)."""
    if status.is_open and status.closes_at is not None:
        return gettext("Open until %(time)s", time=clock(status.closes_at))
    if status.opens_at is None:
        return gettext("Closed for the next two weeks")
    today = now.astimezone(PARIS).date()
    day = status.opens_at.astimezone(PARIS).date()
    at = clock(status.opens_at)
    if day == today:
        return gettext("Closed – opens today at %(time)s", time=at)
    if day == today + timedelta(days=1):
        return gettext("Closed – opens tomorrow at %(time)s", time=at)
    if day < today + timedelta(days=7):
        return gettext("Closed – opens %(day)s at %(time)s", day=format_date(day, "EEEE"), time=at)
    return gettext("Closed – opens on %(date)s at %(time)s", date=format_date(day, "d MMMM"), time=at)


def day_ranges(ranges: list[TimeRange]) -> str:
    """A day's opening ranges, `8:30–12:00, 13:30–17:30`, or "Closed"."""
    if not ranges:
        return gettext("Closed")
    return ", ".join(f"{clock(start)}–{clock(end)}" for start, end in ranges)


def weekday_name(weekday: int) -> str:
    """Monday … Sunday in the user's language (weekday 0 = Monday)."""
    return format_date(date(2026, 11, 30) + timedelta(days=weekday), "EEEE")  # 30 Nov 2026 is a Monday


def results_body(**context: object) -> Markup:
    """The list of points (`locator/_results.html`) without the menu: the template alone, as the catalogue's
    results (it reads no context processor)."""
    html = current_app.jinja_env.get_template("locator/_results.html").render(**context)
    return Markup(html)  # noqa: S704 - the output of an autoescaped template  # nosec B704


def init_blueprint(bp: Blueprint) -> None:
    """Make the filters available to every template (the admin pages use them too)."""
    bp.add_app_template_filter(opening_status, "locator_status")
    bp.add_app_template_filter(km, "locator_km")
    bp.add_app_template_filter(item_label, "locator_item")
    bp.add_app_template_filter(day_ranges, "locator_ranges")
    bp.add_app_template_filter(weekday_name, "locator_weekday")
