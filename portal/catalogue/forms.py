"""Forms of the employee side of the catalogue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class OrderForm(FlaskForm):
    """Request an item."""

    quantity = IntegerField(
        _l("Quantity"),
        default=1,
        validators=[DataRequired(), NumberRange(min=1, max=10)],
        description=_l("From 1 to 10."),
    )
    justification = TextAreaField(
        _l("Why do you need it?"),
        validators=[DataRequired(), Length(min=10, max=2000)],
        description=_l("Your manager reads this to decide (10 characters at least)."),
    )
    replaces = SelectField(
        _l("Device it replaces"),
        coerce=int,
        validators=[Optional()],
        description=_l("The replaced device is to be returned at a collection point."),
    )


class DecisionForm(FlaskForm):
    """A manager's decision."""

    comment = TextAreaField(
        _l("Comment"),
        validators=[Length(max=2000)],
        description=_l("Required when you refuse: the requester reads it."),
    )
