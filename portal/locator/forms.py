"""Collection-point forms (Flask-WTF: CSRF token and validation in one place)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.form_fields import LocaleDecimalField, MultiCheckboxField, choices
from portal.locator.display import ITEM_LABELS
from portal.locator.services import MAX_PERSONAL_QUANTITY

PERSONAL = "personal"


class ReturnForm(FlaskForm):
    """What I dropped at a point: one of my devices marked "to return", or personal devices."""

    device = RadioField(_l("What did you return?"), validators=[InputRequired(_l("Choose what you returned."))])
    item = SelectField(_l("Kind of personal device"), validators=[Optional()])
    quantity = IntegerField(
        _l("How many?"),
        default=1,
        validators=[Optional(), NumberRange(min=1, max=MAX_PERSONAL_QUANTITY)],
        description=_l("From 1 to %(n)d.", n=MAX_PERSONAL_QUANTITY),
    )

    def validate(self, extra_validators: Any = None) -> bool:
        """A personal device needs its kind and a count."""
        valid = super().validate(extra_validators)
        if self.device.data == PERSONAL:
            if not self.item.data:
                self.item.errors = [*self.item.errors, _l("Choose the kind of device you returned.")]
                valid = False
            if self.quantity.data is None and not self.quantity.errors:
                self.quantity.errors = [*self.quantity.errors, _l("Give a number of devices from 1 to 20.")]
                valid = False
        return valid


class PointForm(FlaskForm):
    """A collection point, as an admin edits it (checked again by `exchange.validate_point`)."""

    code = StringField(
        _l("Code"),
        validators=[Optional(), Length(max=40)],
        description=_l("Stable key of imports and exports. Left empty: the commune's INSEE code."),
    )
    insee = SelectField(_l("Commune"), validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[DataRequired(), Length(min=5, max=5)])
    lat = StringField(_l("Latitude"), validators=[DataRequired()], description=_l("Decimal degrees, e.g. 44.8378"))
    lon = StringField(_l("Longitude"), validators=[DataRequired()], description=_l("Decimal degrees, e.g. -0.5792"))
    hours = StringField(
        _l("Opening hours (Paris time)"),
        validators=[DataRequired(), Length(max=400)],
        description=_l("Days mo tu we th fr sa su, then time ranges: mo-fr 08:30-12:00,13:30-17:00; sa 09:00-12:00"),
    )
    closures = TextAreaField(
        _l("Exceptional closures"),
        validators=[Optional(), Length(max=4000)],
        description=_l("Dates as YYYY-MM-DD, separated by ; (e.g. 2026-12-25;2027-01-01)"),
    )
    accepted = MultiCheckboxField(
        _l("Accepted items"),
        choices=choices(ITEM_LABELS.items()),
        validators=[DataRequired(_l("Tick at least one kind of device."))],
    )
    access_notes = TextAreaField(
        _l("Access notes"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Wheelchair access, parking, public transport."),
    )
    contact = StringField(_l("Contact"), validators=[Optional(), Length(max=80)])
    active = BooleanField(_l("Active: shown to employees"), default=True)


class WeighingForm(FlaskForm):
    """The weight collected at a point on a day."""

    collected_on = DateField(_l("Collection date"), validators=[DataRequired()])
    weight_kg = LocaleDecimalField(
        _l("Weight collected (kg)"),
        places=2,
        validators=[DataRequired(), NumberRange(min=Decimal("0.01"), max=Decimal("100000"))],
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class ImportForm(FlaskForm):
    """A CSV or GeoJSON list of points."""

    file = FileField(
        _l("File (.csv or .geojson)"),
        validators=[FileRequired(_l("Choose a file."))],
        description=_l("Points are matched on their code: new codes are created, known ones updated."),
    )
