"""Forms of the services pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.form_fields import LocaleDecimalField


class AccessRequestForm(FlaskForm):
    """Ask for a service that needs a request."""

    justification = TextAreaField(
        _l("What do you need it for?"),
        validators=[Length(max=2000)],
        description=_l("The service's owner reads this to decide."),
    )


class RequestDecisionForm(FlaskForm):
    """An owner's decision on a request."""

    comment = TextAreaField(
        _l("Comment"),
        validators=[Length(max=2000)],
        description=_l("Required when you refuse: the requester reads it."),
    )


class ReviewDecisionForm(FlaskForm):
    """The review's decision on a service for a year."""

    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])
    decision = SelectField(_l("Decision"), validators=[DataRequired()])
    rationale = TextAreaField(_l("Rationale"), validators=[DataRequired(), Length(max=4000)])
    expected_saving_kgco2e = LocaleDecimalField(
        _l("Expected saving (kg CO₂e per year)"), places=None, validators=[Optional(), NumberRange(min=0)]
    )
    measured_saving_kgco2e = LocaleDecimalField(
        _l("Measured saving (kg CO₂e per year)"),
        places=None,
        validators=[Optional(), NumberRange(min=0)],
        description=_l("From the next year's figures, once known."),
    )
    end_date = DateField(
        _l("End date"),
        validators=[Optional()],
        description=_l("Required to discontinue: the service leaves the catalogue on this day."),
    )


class ServiceForm(FlaskForm):
    """What an owner keeps up to date about their service."""

    description_fr = TextAreaField(_l("Description in French"), validators=[Length(max=4000)])
    description_en = TextAreaField(_l("Description in English"), validators=[Length(max=4000)])
    criticality = SelectField(_l("Business criticality"), validators=[DataRequired()])
    access = SelectField(_l("Access"), validators=[DataRequired()])
    per_user_estimate_kgco2e = LocaleDecimalField(
        _l("Estimate per user (kg CO₂e per year)"),
        places=None,
        validators=[Optional(), NumberRange(min=0, max=10000)],
        description=_l("Only for an online service without servers of its own: shown as an estimate."),
    )
    estimate_source = TextAreaField(_l("Source of the estimate"), validators=[Length(max=300)])


class ImportForm(FlaskForm):
    """A CSV file of one kind: services, hosts, components, subscriptions or usage."""

    kind = SelectField(_l("What the file holds"), validators=[DataRequired()])
    file = FileField(
        _l("File (.csv)"),
        validators=[FileRequired(_l("Choose a file."))],
        description=_l("Rows are matched on their key: new ones are created, known ones updated."),
    )
