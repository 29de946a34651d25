"""Decimals in forms are typed and shown as the reader writes numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask_babel import force_locale
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from portal.form_fields import LocaleDecimalField


class GoalForm(FlaskForm):
    goal = LocaleDecimalField("Goal", places=1)


@pytest.mark.parametrize(
    ("locale", "typed", "read"),
    [("fr", "1 500,5", Decimal("1500.5")), ("fr", "1\u202f500", Decimal("1500")), ("fr", "12,5", Decimal("12.5")),
     ("en", "1,500.5", Decimal("1500.5")), ("en", "12.5", Decimal("12.5"))],
)
def test_a_decimal_is_read_as_typed_in_the_readers_language(app, locale, typed, read):
    with app.test_request_context(), force_locale(locale):
        form = GoalForm(MultiDict({"goal": typed}), meta={"csrf": False})
        assert form.validate()
        assert form.goal.data == read


@pytest.mark.parametrize(("locale", "shown"), [("fr", "1\u202f500"), ("en", "1,500")])
def test_a_stored_decimal_is_shown_without_a_useless_decimal(app, locale, shown):
    with app.test_request_context(), force_locale(locale):
        form = GoalForm(data={"goal": Decimal("1500.0")}, meta={"csrf": False})
        assert f'value="{shown}"' in form.goal()
        assert 'inputmode="decimal"' in form.goal()


def test_a_word_is_refused_not_guessed(app):
    with app.test_request_context(), force_locale("fr"):
        form = GoalForm(MultiDict({"goal": "beaucoup"}), meta={"csrf": False})
        assert not form.validate()
