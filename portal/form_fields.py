"""Form fields every domain shares."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import suppress
from typing import Any

from flask_babel import get_locale
from wtforms import DecimalField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from portal.formatting import number, parse_decimal


class LocaleDecimalField(DecimalField):
    """A decimal shown and typed as the reader writes numbers: « 1 500 », « 12,5 » in French, "1,500" and "12.5"
    in English (a goal of 1500 is not shown "1500.0"). A text input with a decimal keypad on phones: a number
    input would refuse the locale's separators."""

    widget = TextInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(*args, render_kw=render_kw, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return number(self.data, self.places if self.places is not None else 2)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and isinstance(valuelist[0], str):
            with suppress(ValueError):  # not a number: left as typed, the field says so
                value = parse_decimal(valuelist[0], locale=str(get_locale()))
                if value is not None:
                    valuelist = [str(value)]
        super().process_formdata(valuelist)


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of check boxes, one label each (in a fieldset with a legend)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(pairs: Iterable[Sequence[Any]]) -> list[SelectChoice]:
    """Options of a select, radio or check-box field from (value, label) pairs (WTForms 3.3 deprecates tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]
