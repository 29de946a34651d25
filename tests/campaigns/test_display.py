"""The campaign pages' figures in words: storage in decimal GB, a growth said as such, a withheld figure."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from portal.campaigns.display import freed, gigabytes_text, withheld


@pytest.mark.parametrize(
    ("locale", "size", "digits", "expected"),
    [
        ("fr", 12_345_678_901, 2, "12,35 Go"),
        ("en", 12_345_678_901, 2, "12.35 GB"),
        ("fr", 1_234_500_000_000, 1, "1\u202f234,5 Go"),
        ("fr", 0, 1, "0 Go"),
    ],
)
def test_storage_in_decimal_gigabytes(app, locale, size, digits, expected):
    with app.test_request_context(), force_locale(locale):
        assert gigabytes_text(size, digits) == expected


def test_a_growth_is_said_as_such_and_a_withheld_figure_as_not_shown(app):
    with app.test_request_context(), force_locale("fr"):
        assert str(freed(-1_500_000_000)) == '<span class="grew">hausse de 1,5 Go</span>'
        assert str(freed(None)) == '<span class="withheld">non affiché</span>' == str(withheld())
        assert str(freed(2_000_000_000, 2)) == "2 Go"
        assert str(freed(None)) != str(freed(0))
