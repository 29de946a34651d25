"""Forms of the catalogue administration: item, factor, CSV upload.

Fields are text: the rules live in `portal.catalogue.transfer` (shared with the CSV import), and each form's
`validate` attaches their translated messages to the fields at fault.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import get_decimal_symbol
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from portal.catalogue import item_values, items, transfer
from portal.catalogue.display import CATEGORY_NAMES, QUALITY_NAMES, factor_unit
from portal.catalogue.models import CatalogueItem, Factor
from portal.catalogue.services import CATALOGUE_CATEGORIES

DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}
YEAR = {"inputmode": "numeric", "autocomplete": "off"}
QUALITY_CHOICES = [SelectChoice("", _l("Choose…"))] + [
    SelectChoice(key, QUALITY_NAMES[key]) for key in item_values.QUALITIES
]


def _localised(number: str) -> str:
    """A number as the form shows it: `12,5` in French (the parser reads both separators)."""
    return number.replace(".", get_decimal_symbol(get_locale()))


def _attach(form: FlaskForm, problems: list[item_values.Problem], fallback: str) -> None:
    """Each problem's message on its field (or on `fallback` for a field the form does not show)."""
    for problem in problems:
        target = getattr(form, problem.field, None) or getattr(form, fallback)
        target.errors.append(item_values.problem_message(problem))


class ItemForm(FlaskForm):
    """A catalogue item: what it is, its price, and the footprint inputs of its sheet with their source."""

    sku = StringField(_l("SKU"), description=_l("Unique reference: letters, digits, dots, dashes, underscores."),
                      render_kw={"autocomplete": "off", "spellcheck": "false"})
    category = SelectField(_l("Category"), validate_choice=False)
    manufacturer = StringField(_l("Manufacturer"))
    name = StringField(_l("Model name"))
    refurbished = BooleanField(_l("Refurbished"))
    refurbished_of_sku = StringField(
        _l("New model it comes from (SKU)"),
        description=_l("Optional, for a refurbished item: a new item of the same category."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    price_eur = StringField(_l("Price (€ incl. VAT)"), render_kw=DECIMAL)
    fabrication_kgco2e = StringField(
        _l("Manufacture (kg CO₂e)"),
        description=_l("Leave the three masses empty to use the category values (the result is then an estimate)."),
        render_kw=DECIMAL,
    )
    distribution_kgco2e = StringField(_l("Distribution (kg CO₂e)"), render_kw=DECIMAL)
    end_of_life_kgco2e = StringField(_l("End of life (kg CO₂e)"), render_kw=DECIMAL)
    lifetime_years = StringField(
        _l("Lifetime (years)"), description=_l("More than 0, at most 15. Empty: the category value."), render_kw=DECIMAL
    )
    annual_kwh = StringField(
        _l("Electricity use (kWh per year)"), description=_l("Empty: the category value."), render_kw=DECIMAL
    )
    error_ratio = StringField(
        _l("Uncertainty (share of the value)"),
        description=_l("For example 0.2: the embodied footprint may be a fifth lower or higher (at most 10)."),
        render_kw=DECIMAL,
    )
    quality = SelectField(_l("Quality of these figures"), choices=QUALITY_CHOICES, validate_choice=False)
    source = StringField(
        _l("Source"), description=_l("Who published these figures, for example the manufacturer's sheet.")
    )
    source_year = StringField(_l("Year of the source"), render_kw=YEAR)
    source_url = StringField(_l("Address of the source"), render_kw={"inputmode": "url", "autocomplete": "off"})

    def __init__(self, *args: Any, item: CatalogueItem | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        self.values: dict[str, Any] = {}
        self.category.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(key, str(CATEGORY_NAMES[key]).capitalize()) for key in CATALOGUE_CATEGORIES
        ]

    @classmethod
    def for_item(cls, item: CatalogueItem, skus: dict[int, str]) -> ItemForm:
        """The form filled with an item's values, written as in the CSV export."""
        data: dict[str, Any] = transfer.item_row(item, skus)
        for name in item_values.ITEM_DECIMALS:
            data[name] = _localised(data[name])
        data["refurbished"] = item.refurbished
        return cls(data=data, item=item)

    def raw_values(self) -> dict[str, str]:
        """The submitted text, in the CSV's terms."""
        raw = {name: (getattr(self, name).data or "") for name in item_values.ITEM_COLUMNS if hasattr(self, name)}
        raw["refurbished"] = "yes" if self.refurbished.data else "no"
        raw["active"] = "yes" if self.item is None or self.item.active else "no"
        return raw

    def validate(self, extra_validators: Any = None) -> bool:
        """The CSRF token, then the catalogue's rules (shared with the CSV import)."""
        if not super().validate(extra_validators):
            return False
        self.values, problems = item_values.parse_item(self.raw_values(), str(get_locale()))
        if not any(problem.field in {"sku", "category", "refurbished_of_sku"} for problem in problems):
            problems += items.check_item(self.values, item=self.item)
        _attach(self, problems, "sku")
        return not problems


#: What each factor field is called (form labels and version history).
FACTOR_FIELD_NAMES = {
    "fabrication_kgco2e": _l("Manufacture (kg CO₂e)"),
    "distribution_kgco2e": _l("Distribution (kg CO₂e)"),
    "end_of_life_kgco2e": _l("End of life (kg CO₂e)"),
    "lifetime_years": _l("Lifetime (years)"),
    "annual_kwh": _l("Electricity use (kWh per year)"),
    "value": _l("Value"),
    "low_ratio": _l("Uncertainty (share of the value)"),
    "quality": _l("Quality of these figures"),
    "source": _l("Source"),
    "source_year": _l("Year of the source"),
    "note": _l("Note"),
}
#: Factor fields edited for each kind of factor (FACTOR_FIELDS of the services, minus those of the other kind).
FACTOR_FORM_FIELDS = {
    "category": ("fabrication_kgco2e", "distribution_kgco2e", "end_of_life_kgco2e", "lifetime_years", "annual_kwh",
                 "low_ratio", "quality", "source", "source_year", "note"),
    "scalar": ("value", "low_ratio", "quality", "source", "source_year", "note"),
}
FACTOR_DECIMALS = {
    "fabrication_kgco2e": item_values.DecimalRule(required=True, places=4, maximum=item_values.MAX_MASS),
    "distribution_kgco2e": item_values.DecimalRule(required=True, places=4, maximum=item_values.MAX_MASS),
    "end_of_life_kgco2e": item_values.DecimalRule(required=True, places=4, maximum=item_values.MAX_MASS),
    "lifetime_years": item_values.DecimalRule(required=True, places=2, maximum=item_values.MAX_LIFETIME_YEARS,
                                           positive=True),
    "annual_kwh": item_values.DecimalRule(required=True, places=4, maximum=item_values.MAX_MASS),
    # Scalar factors (the electricity mix, kgCO₂e/kWh): the dirtiest grids stay near 1.
    "value": item_values.DecimalRule(required=True, places=6, maximum=Decimal(10), positive=True),
    "low_ratio": item_values.DecimalRule(required=False, places=4, maximum=item_values.MAX_RATIO),
}


class FactorForm(FlaskForm):
    """A factor's values, their quality and source, and why they change (recorded in the version)."""

    fabrication_kgco2e = StringField(FACTOR_FIELD_NAMES["fabrication_kgco2e"], render_kw=DECIMAL)
    distribution_kgco2e = StringField(FACTOR_FIELD_NAMES["distribution_kgco2e"], render_kw=DECIMAL)
    end_of_life_kgco2e = StringField(FACTOR_FIELD_NAMES["end_of_life_kgco2e"], render_kw=DECIMAL)
    lifetime_years = StringField(
        FACTOR_FIELD_NAMES["lifetime_years"], description=_l("More than 0, at most 15."), render_kw=DECIMAL
    )
    annual_kwh = StringField(FACTOR_FIELD_NAMES["annual_kwh"], render_kw=DECIMAL)
    value = StringField(FACTOR_FIELD_NAMES["value"], description=_l("kg CO₂e per kWh."), render_kw=DECIMAL)
    low_ratio = StringField(
        FACTOR_FIELD_NAMES["low_ratio"],
        description=_l(
            "The range shown goes from the value minus this share (not below 0) to the value plus it, at most 10. "
            "Empty: no range."
        ),
        render_kw=DECIMAL,
    )
    quality = SelectField(FACTOR_FIELD_NAMES["quality"], choices=QUALITY_CHOICES, validate_choice=False)
    source = StringField(FACTOR_FIELD_NAMES["source"])
    source_year = StringField(FACTOR_FIELD_NAMES["source_year"], render_kw=YEAR)
    note = TextAreaField(
        FACTOR_FIELD_NAMES["note"], description=_l("Optional: how the values were derived."), render_kw={"rows": 3}
    )
    comment = StringField(
        _l("Why this change?"),
        description=_l("Required: kept in the history with your name and the date."),
        validators=[DataRequired(message=_l("Say why you change this factor.")),
                    Length(max=300, message=_l("Enter at most %(max)d characters."))],
    )

    def __init__(self, *args: Any, factor: Factor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.factor = factor
        self.edited_fields = FACTOR_FORM_FIELDS[factor.kind]
        self.changes: dict[str, Any] = {}
        if factor.kind == "scalar" and factor.unit and factor.unit != "kgCO2e/kWh":
            # Other scalar factors (vehicles per km, the monetary ratio per euro) say their own unit.
            self.value.description = _l("In %(unit)s.", unit=factor_unit(factor.unit))

    @classmethod
    def for_factor(cls, factor: Factor) -> FactorForm:
        """The form filled with the factor's current values."""
        data: dict[str, Any] = {}
        for name in FACTOR_FORM_FIELDS[factor.kind]:
            value = getattr(factor, name)
            if value is None:
                data[name] = ""
            else:
                data[name] = _localised(item_values.plain(value)) if name in FACTOR_DECIMALS else str(value)
        return cls(data=data, factor=factor)

    def validate(self, extra_validators: Any = None) -> bool:
        """CSRF token and comment, then each value; `changes` holds the fields whose value differs."""
        valid = super().validate(extra_validators)
        problems: list[item_values.Problem] = []
        values: dict[str, Any] = {}
        for name in self.edited_fields:
            text = getattr(self, name).data or ""
            if name in FACTOR_DECIMALS:
                values[name] = FACTOR_DECIMALS[name].parse(name, text, problems, str(get_locale()))
            elif name == "quality":
                values[name] = item_values.parse_quality(name, text, problems)
            elif name == "source":
                values[name] = item_values.parse_text(name, text, problems, required=True, max_length=300)
            elif name == "source_year":
                values[name] = item_values.parse_year(name, text, problems)
            else:
                values[name] = item_values.parse_text(name, text, problems, required=False, max_length=500)
        masses = [values[name] for name in item_values.MASS_FIELDS if name in values]
        if masses and None not in masses and not any(masses) and not problems:
            problems.append(item_values.Problem("fabrication_kgco2e", "all_masses_zero_factor"))
        _attach(self, problems, "comment")
        # Compared as values (170 equals 170.0000): only real changes make a new version.
        self.changes = {name: value for name, value in values.items() if value != getattr(self.factor, name)}
        return valid and not problems


class ItemImportForm(FlaskForm):
    """A catalogue CSV file."""

    file = FileField(
        _l("CSV file"),
        description=_l("UTF-8, comma or semicolon separated, with the columns of the export on the first line."),
        validators=[FileRequired(message=_l("Choose a CSV file."))],
        render_kw={"accept": ".csv,text/csv"},
    )

