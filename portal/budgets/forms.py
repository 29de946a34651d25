"""Forms of the budget administration: a line, a planned purchase, a CSV file, a trajectory.

Fields are text: the rules live in `portal.budgets.services` (shared with the CSV import), and `validate`
puts their translated messages on the field at fault.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from portal.budgets import services
from portal.budgets.display import NATURE_WORDS
from portal.budgets.services import BudgetError

DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}
NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}


def _check(field: Field, parse: Callable[[str], Any]) -> Any:
    """`parse(field.data)`, or None with the refusal's words on the field."""
    try:
        return parse(field.data or "")
    except BudgetError as error:
        field.errors = [*field.errors, error.message()]
        return None


class LineForm(FlaskForm):
    """A budget line."""

    fiscal_year = StringField(_l("Fiscal year"), render_kw=NUMERIC)
    org_unit = SelectField(_l("Organisational unit"), coerce=int)
    nature = SelectField(_l("Nature"), choices=[SelectChoice(key, word) for key, word in NATURE_WORDS.items()])
    label = StringField(_l("Label"), description=_l("For example: workstation renewal."), render_kw={"maxlength": 200})
    amount_eur = StringField(_l("Amount (€)"), description=_l("Planned, excluding VAT."), render_kw=DECIMAL)
    carbon_budget_kgco2e = StringField(
        _l("Carbon budget (kg CO₂e, optional)"),
        description=_l("Emissions of the year's purchases allowed for this line, counted in their acquisition year."),
        render_kw=DECIMAL,
    )

    def values(self) -> dict[str, Any] | None:
        """The line's values, or None when a field is refused (its message is on it)."""
        if not self.validate():
            return None
        values = {
            "year": _check(self.fiscal_year, services.parse_year),
            "nature": _check(self.nature, services.parse_nature),
            "label": _check(self.label, services.parse_label),
            "amount_eur": _check(
                self.amount_eur,
                lambda t: services.parse_amount(
                    t, field="amount_eur", maximum=services.MAX_AMOUNT_EUR, locale=_locale()
                ),
            ),
            "carbon_budget_kgco2e": _check(
                self.carbon_budget_kgco2e,
                lambda t: services.parse_amount(
                    t, field="carbon_budget_kgco2e", maximum=services.MAX_CARBON_KG, optional=True, locale=_locale()
                ),
            ),
        }
        if any(f.errors for f in self):
            return None
        return values


class PurchaseForm(FlaskForm):
    """Devices planned in a line: a catalogue item, or a category's typical device."""

    label = StringField(_l("What is planned"), description=_l("For example: renew 600 laptops."))
    sku = StringField(
        _l("Catalogue reference (SKU)"),
        description=_l("As listed in the catalogue administration; empty: a category's typical device."),
        render_kw={"autocomplete": "off", "maxlength": 80},
    )
    category = SelectField(_l("Category (when no item is chosen)"))
    quantity = StringField(_l("Quantity"), render_kw=NUMERIC)
    unit_price_eur = StringField(
        _l("Unit price (€, optional with an item)"), description=_l("Empty: the item's price."), render_kw=DECIMAL
    )

    def values(self) -> dict[str, Any] | None:
        """The purchase's values, or None when a field is refused."""
        if not self.validate():
            return None
        quantity = _check(self.quantity, _quantity)
        values = {
            "label": _check(self.label, services.parse_label),
            "quantity": quantity,
            "unit_price_eur": _check(
                self.unit_price_eur,
                lambda t: services.parse_amount(
                    t, field="unit_price_eur", maximum=Decimal("99999999.99"), optional=True, locale=_locale()
                ),
            ),
        }
        if any(f.errors for f in self):
            return None
        return values


def _quantity(text: str) -> int:
    try:
        quantity = int(text.strip())
    except ValueError:
        raise BudgetError("quantity", value=text) from None
    if not 1 <= quantity <= services.MAX_QUANTITY:
        raise BudgetError("quantity", value=text)
    return quantity


class ImportForm(FlaskForm):
    """A CSV file of budget lines."""

    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(_l("Choose a file."))],
        description=_l("Columns: fiscal_year, unit_code, nature, label, amount_eur, carbon_budget_kgco2e."),
        render_kw={"accept": ".csv,text/csv"},
    )


class TrajectoryForm(FlaskForm):
    """Carbon budgets from a trajectory."""

    reference_year = StringField(_l("Reference year"), render_kw=NUMERIC)
    yearly_cut = StringField(_l("Yearly cut (%)"), description=_l("For example 5 for −5 % a year."), render_kw=DECIMAL)
    fiscal_year = StringField(_l("Budget year"), render_kw=NUMERIC)

    def values(self) -> dict[str, Any] | None:
        """Reference year, cut (0.05 for 5 %) and budget year, or None when refused."""
        if not self.validate():
            return None
        reference = _check(self.reference_year, services.parse_year)
        year = _check(self.fiscal_year, services.parse_year)
        cut = _check(self.yearly_cut, _cut)
        if reference is not None and year is not None and reference >= year:
            self.reference_year.errors = [*self.reference_year.errors, BudgetError("reference_year").message()]
        if any(f.errors for f in self):
            return None
        return {"reference_year": reference, "year": year, "yearly_cut": cut}


def _locale() -> str:
    """The reader's language: how they write numbers."""
    return str(get_locale())


def _cut(text: str) -> Decimal:
    try:
        percent = services.parse_amount(text, field="yearly_cut", maximum=Decimal("99"), locale=_locale())
    except BudgetError:
        raise BudgetError("cut") from None
    if percent is None:  # an empty cut is refused before: parse_amount gives None only for no text
        raise BudgetError("cut")
    return percent / 100
