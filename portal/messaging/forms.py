"""Forms of the messaging pages (Flask-WTF: CSRF token and field parsing; template checks live in services)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.i18n import lazy_gettext as _l
from portal.messaging.audience import LABELS, MAX_YEARS
from portal.messaging.display import CATEGORY_NAMES, CHANNEL_NAMES, LANGUAGE_NAMES
from portal.messaging.models import Category
from portal.messaging.template_checks import MAX_SOURCE_CHARS, MAX_SUBJECT_SOURCE_CHARS


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of check boxes (in a fieldset with a legend)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class MessageForm(FlaskForm):
    """The content of a message: category, channels, subject and body in French and English."""

    category = SelectField(
        _l("Category"), choices=[SelectChoice(k, v) for k, v in CATEGORY_NAMES.items()], default=Category.NEWS.value
    )
    channels = RadioField(
        _l("Send by"), choices=[SelectChoice(k, v) for k, v in CHANNEL_NAMES.items()], default="both"
    )
    subject_fr = StringField(_l("Subject (French)"), validators=[Length(max=MAX_SUBJECT_SOURCE_CHARS)])
    body_fr = TextAreaField(_l("Message (French)"), validators=[Length(max=MAX_SOURCE_CHARS)])
    subject_en = StringField(_l("Subject (English, optional)"), validators=[Length(max=MAX_SUBJECT_SOURCE_CHARS)])
    body_en = TextAreaField(_l("Message (English, optional)"), validators=[Length(max=MAX_SOURCE_CHARS)])


class AudienceForm(FlaskForm):
    """Audience criteria; choices of units, communes, sites and campaigns are set by the route."""

    roles = MultiCheckboxField(_l("Roles"), choices=[])
    org_units = SelectMultipleField(_l("Departments (with their sub-units)"), coerce=int, choices=[])
    communes = SelectMultipleField(_l("Communes of the work site"), choices=[])
    sites = SelectMultipleField(_l("Work sites"), coerce=int, choices=[])
    languages = MultiCheckboxField(
        _l("Language"), choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()]
    )
    oldest_min = IntegerField(
        _l("Oldest device: at least (years)"), validators=[Optional(), NumberRange(min=0, max=MAX_YEARS)]
    )
    oldest_max = IntegerField(
        _l("Oldest device: at most (years)"), validators=[Optional(), NumberRange(min=0, max=MAX_YEARS)]
    )
    labels = MultiCheckboxField(_l("Has a device labelled"), choices=[SelectChoice(label, label) for label in LABELS])
    campaign = SelectField(_l("Campaign"), choices=[], default="")
    participation = RadioField(
        _l("Campaign participation"),
        choices=[SelectChoice("", _l("Any")), SelectChoice("joined", _l("Joined")),
                 SelectChoice("not_joined", _l("Not joined"))],
        default="",
    )
    open_order = RadioField(
        _l("Equipment request waiting"),
        choices=[SelectChoice("", _l("Any")), SelectChoice("yes", _l("Has one")), SelectChoice("no", _l("Has none"))],
        default="",
    )


class ScheduleForm(FlaskForm):
    """When to start sending, in Europe/Paris time."""

    send_at = DateTimeLocalField(
        _l("Date and time (Paris)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )


class TemplateNameForm(FlaskForm):
    """Save a message as a template."""

    name = StringField(_l("Template name"), validators=[DataRequired(), Length(max=160)])


class PreferencesForm(FlaskForm):
    """The non-essential categories an employee receives by e-mail."""

    categories = MultiCheckboxField(_l("Send me by e-mail"), choices=[])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
