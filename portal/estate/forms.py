"""Forms of the estate's settings: the reference year, a team's depot, a recompute with its reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp


class ReferenceYearForm(FlaskForm):
    """The year every page compares with (choices: the years with figures, or none)."""

    year = SelectField(_l("Reference year"), choices=[], validate_choice=True)


class DepotForm(FlaskForm):
    """Where a team leaves from for its interventions, and in which vehicle."""

    assignment_group = StringField(
        _l("Assignment group"),
        validators=[DataRequired(_l("Name the assignment group of the team.")), Length(max=160)],
        description=_l("As the ITSM names the team (wm_task assignment group)."),
    )
    site_id = SelectField(_l("Depot"), coerce=int, choices=[], validate_choice=True)
    vehicle = SelectField(_l("Vehicle"), choices=[], validate_choice=True)


class RecomputeForm(FlaskForm):
    """A past month to compute again, and why."""

    month = StringField(
        _l("Month"),
        validators=[DataRequired(_l("Give the month.")), Regexp(r"^\d{4}-\d{2}$", message=_l("Write it as YYYY-MM."))],
        description=_l("YYYY-MM, for example 2025-12 for the whole of 2025."),
    )
    reason = StringField(
        _l("Why"),
        validators=[
            DataRequired(_l("Say why the period is recomputed: the reason is kept with the new version.")),
            Length(max=300),
        ],
    )
