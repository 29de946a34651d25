"""Forms of the action plans' admin pages: a new plan, a new action on an estate indicator or a declared one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional


class PlanForm(FlaskForm):
    """A strategy's title and description."""

    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the plan a title.")), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])


class ActionForm(FlaskForm):
    """An action: its indicator (from the estate, or declared), scope, dates, baseline and target."""

    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the action a title.")), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    owner_email = StringField(
        _l("Owner's e-mail address"),
        validators=[DataRequired(_l("Name the action's owner.")), Email(), Length(max=254)],
    )
    indicator = SelectField(
        _l("Indicator"),
        choices=[],
        validate_choice=True,
        description=_l("An estate indicator is measured every month; a declared one is entered by hand."),
    )
    declared_name = StringField(_l("Declared indicator's name"), validators=[Optional(), Length(max=120)])
    declared_unit = StringField(_l("Declared indicator's unit"), validators=[Optional(), Length(max=20)])
    unit_id = SelectField(_l("Scope"), coerce=int, choices=[], validate_choice=True)
    trend = SelectField(_l("Direction"), choices=[], validate_choice=True)
    start_on = DateField(_l("Start"), validators=[DataRequired(_l("Give the start date."))])
    deadline = DateField(_l("Deadline"), validators=[DataRequired(_l("Give the deadline."))])
    baseline = DecimalField(
        _l("Baseline"),
        validators=[Optional()],
        description=_l("Leave empty for an estate indicator: it is read from the start month's snapshot."),
    )
    target = DecimalField(_l("Target"), validators=[DataRequired(_l("Give the target."))])
    public = BooleanField(_l("Shown to every employee in the shared objectives"))
