"""Numbers, percentages, dates and distances read exactly as Babel writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale, format_date, format_decimal, format_percent

from portal import formatting
from portal.formatting import long_date, number, percent, years
from portal.locator.display import km

VALUES = [
    0,
    -0.0,
    0.0,
    Decimal("-0"),
    Decimal("0.00"),
    1,
    1.0,
    Decimal("1.0"),
    Decimal("1.05"),
    1.05,
    1.25,
    1.35,
    Decimal("1234.5"),
    1234.55,
    -1234.5,
    Decimal("1E+3"),
    999999.96,
    0.04,
    Decimal("0.05"),
    12345678,
]


def test_numbers_match_babel_in_each_language(app):
    with app.test_request_context("/"):
        for locale in ("fr", "en", "fr"):
            with force_locale(locale):
                for value in VALUES:
                    babel_value = Decimal(value) if isinstance(value, float) else value
                    for digits in (0, 1, 2):
                        pattern = "#,##0" + ("." + "#" * digits if digits else "")
                        assert number(value, digits) == format_decimal(babel_value, pattern), (value, digits)
                    assert km(value) == f"{format_decimal(value, '#,##0.0')}\u202fkm", value


def test_signed_and_plain_percentages(app):
    with app.test_request_context("/"):
        for locale in ("fr", "en"):
            with force_locale(locale):
                for _ in range(2):
                    assert percent(Decimal("0.35")) == format_percent(Decimal("0.35"))
                    assert percent(0.003, signed=True) == format_percent(0.003)  # reads 0 %: no sign
                    assert percent(Decimal("-0.35"), signed=True) == "−" + format_percent(Decimal("0.35"))
                    assert percent(Decimal("0.12"), signed=True) == "+" + format_percent(Decimal("0.12"))


def test_years_take_each_languages_plural_and_keep_their_figure(app):
    with app.test_request_context("/"):
        with force_locale("fr"):  # French counts under 2 in the singular
            assert [years(v) for v in (0, Decimal("0.5"), 1, Decimal("1.5"), Decimal("1.96"), 2, Decimal("6.8"))] == [
                "0\u00a0an",
                "0,5\u00a0an",
                "1\u00a0an",
                "1,5\u00a0an",
                "2\u00a0ans",
                "2\u00a0ans",
                "6,8\u00a0ans",
            ]
            assert years(Decimal("3.183"), 2) == "3,18\u00a0ans" and years(1234) == "1\u202f234\u00a0ans"
        with force_locale("en"):
            assert [years(v) for v in (0, 1, Decimal("0.96"), Decimal("1.04"), Decimal("1.5"), 6.8)] == [
                "0\u00a0years",
                "1\u00a0year",
                "1\u00a0year",
                "1\u00a0year",
                "1.5\u00a0years",
                "6.8\u00a0years",
            ]
        assert years(None) == "–"


def test_dates_are_the_users_day_in_each_language(app):
    late = datetime(2026, 3, 21, 23, 30, tzinfo=UTC)  # already 22 March in Paris
    with app.test_request_context("/"):
        for locale in ("fr", "en"):
            with force_locale(locale):
                for _ in range(2):
                    for value in (late, late.replace(tzinfo=None), date(2026, 3, 21), datetime(2026, 3, 21, 12)):
                        assert long_date(value) == format_date(value, "long"), value
                assert long_date(None) == "–"
            with force_locale("fr"):
                assert long_date(late) == "22 mars 2026"
            with force_locale("en"):
                assert long_date(late) == "March 22, 2026"


def test_a_colon_after_a_name_is_spaced_the_french_way(app, client, login_as, make_item):
    from portal.catalogue.footprints import load_factor_set
    from portal.catalogue.orders import place_order
    from portal.models import db

    with app.test_request_context("/"):
        with force_locale("fr"):
            assert app.jinja_env.from_string("{{ 'Portable' }}{{ colon() }} livré").render() == "Portable\u202f: livré"
        with force_locale("en"):
            assert app.jinja_env.from_string("{{ 'Laptop' }}{{ colon() }} delivered").render() == "Laptop: delivered"
    user = login_as()
    item = make_item(name="Latitude 5440")
    place_order(
        requester=user, item=item, quantity=1, justification="Écran cassé", replaces=None, factor_set=load_factor_set()
    )
    db.session.commit()
    assert "Latitude 5440</a>\u202f:" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("12,5", "12.5"),
        ("12.5", "12.5"),
        (" 1 234,5 ", "1234.5"),
        ("1\u00a0234,5", "1234.5"),  # a French spreadsheet's no-break space
        ("1\u202f234,5", "1234.5"),  # the narrow one the portal writes
        ("1,234.5", "1234.5"),  # English thousands
        ("1.234,5", "1234.5"),  # German thousands
        ("1'234.5", "1234.5"),
        ("\u22120,57", "-0.57"),  # a minus sign
        ("-3", "-3"),
        ("0", "0"),
    ],
)
def test_parse_decimal_reads_numbers_as_people_write_them(typed: str, value: str) -> None:
    assert formatting.parse_decimal(typed) == Decimal(value)


@pytest.mark.parametrize("typed", ["", "  ", "\u00a0"])
def test_parse_decimal_reads_nothing_as_none(typed: str) -> None:
    assert formatting.parse_decimal(typed) is None


@pytest.mark.parametrize("typed", ["douze", "12,5,3", "1.2.3", "NaN", "Infinity", "12 kg", "--1"])
def test_parse_decimal_refuses_what_is_not_a_finite_number(typed: str) -> None:
    with pytest.raises(ValueError, match="."):
        formatting.parse_decimal(typed)


@pytest.mark.parametrize(
    ("typed", "locale", "value"),
    [
        ("90,000", "en", "90000"),  # ninety thousand to an English reader
        ("1,250,000.5", "en", "1250000.5"),
        ("12,5", "en", "12.5"),  # not thousands: the decimal comma of a French habit
        ("0,500", "en", "0.5"),
        ("90,000", "fr", "90.000"),  # the decimal comma
        ("90,000", None, "90.000"),  # files: the decimal comma
    ],
)
def test_parse_decimal_reads_an_english_readers_thousands(typed: str, locale: str | None, value: str) -> None:
    assert formatting.parse_decimal(typed, locale=locale) == Decimal(value)
