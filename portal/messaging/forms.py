"""Forms of the messaging pages (Flask-WTF: CSRF token and field parsing; template checks live in services)."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from portal.form_fields import LocaleDecimalField, MultiCheckboxField, choices
from portal.messaging.audience import LABELS, MAX_YEARS
from portal.messaging.display import CATEGORY_NAMES, CHANNEL_NAMES, LANGUAGE_NAMES, TIMING_ANCHORS
from portal.messaging.models import Category
from portal.messaging.services import CAMPAIGN_ANCHORS
from portal.messaging.template_checks import MAX_SOURCE_CHARS, MAX_SUBJECT_SOURCE_CHARS


class MessageForm(FlaskForm):
    """The content of a message: category, channels, subject and body in French and English."""

    category = SelectField(
        _l("Category"), choices=choices(CATEGORY_NAMES.items()), default=Category.NEWS.value
    )
    channels = RadioField(
        _l("Send by"), choices=choices(CHANNEL_NAMES.items()), default="both"
    )
    subject_fr = StringField(_l("Subject (French)"), validators=[Length(max=MAX_SUBJECT_SOURCE_CHARS)])
    body_fr = TextAreaField(_l("Message (French)"), validators=[Length(max=MAX_SOURCE_CHARS)])
    subject_en = StringField(_l("Subject (English, optional)"), validators=[Length(max=MAX_SUBJECT_SOURCE_CHARS)])
    body_en = TextAreaField(_l("Message (English, optional)"), validators=[Length(max=MAX_SOURCE_CHARS)])
    cta_url = StringField(
        _l("“Learn more” link (optional)"),
        description=_l("A page of the portal (/collection-points) or an https:// address. Without it, the link "
                       "opens the message in the portal."),
        validators=[Length(max=500)],
    )


class ConditionForm(FlaskForm):
    """"Show this paragraph only if…": the builder's fields in the compose form (names prefixed "cond-"; the
    compose form carries the CSRF token). Choices are set by the route, in the interface language."""

    class Meta:
        csrf = False

    placeholder = SelectField(_l("Placeholder"), choices=[])
    operator = SelectField(_l("Comparison"), choices=[])
    value = StringField(_l("Value"), validators=[Length(max=200)])
    text = TextAreaField(_l("Paragraph to show"), validators=[Length(max=MAX_SOURCE_CHARS)])
    field = SelectField(_l("Add it to"), choices=[])


class PreviewAsForm(FlaskForm):
    """Whom the composer's live preview shows the message as (names prefixed "preview-")."""

    class Meta:
        csrf = False

    query = StringField(_l("Preview as (name or e-mail)"), validators=[Length(max=100)])
    draw = IntegerField(validators=[Optional(), NumberRange(min=0, max=10**9)], widget=widgets.HiddenInput(),
                        default=0)


class AudienceForm(FlaskForm):
    """Audience criteria; choices of units, communes, sites and campaigns are set by the route."""

    roles = MultiCheckboxField(_l("Roles"), choices=[])
    org_units = MultiCheckboxField(_l("Departments (with their sub-units)"), coerce=int, choices=[])
    communes = MultiCheckboxField(_l("Communes of the work site"), choices=[])
    sites = MultiCheckboxField(_l("Work sites"), coerce=int, choices=[])
    languages = MultiCheckboxField(
        _l("Language"), choices=choices(LANGUAGE_NAMES.items())
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
                 SelectChoice("not_joined", _l("Not joined")),
                 SelectChoice("inactive", _l("Not joined, or joined and nothing ticked"))],
        default="",
    )
    open_order = RadioField(
        _l("Equipment request waiting"),
        choices=[SelectChoice("", _l("Any")), SelectChoice("yes", _l("Has one")), SelectChoice("no", _l("Has none"))],
        default="",
    )
    service_codes = StringField(
        _l("Uses the digital service"),
        validators=[Length(max=400)],
        description=_l("The service's code, as in the service review (several: separated by commas)."),
    )


class ScheduleForm(FlaskForm):
    """When to start sending, in Europe/Paris time."""

    send_at = DateTimeLocalField(
        _l("Date and time (Paris)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )


class ConfirmForm(FlaskForm):
    """The confirmation step: the audience size shown, the number typed when asked, and the time (scheduling)."""

    recipients = IntegerField(validators=[InputRequired()], widget=widgets.HiddenInput())
    typed = StringField(_l("Number of recipients"), validators=[Length(max=30)])
    send_at = DateTimeLocalField(format="%Y-%m-%dT%H:%M", validators=[Optional()], widget=widgets.HiddenInput())
    campaign_anchor = StringField(validators=[Optional(), AnyOf(CAMPAIGN_ANCHORS)], widget=widgets.HiddenInput())
    campaign_offset = IntegerField(validators=[Optional(), NumberRange(-90, 90)], widget=widgets.HiddenInput())
    campaign_time = TimeField(format="%H:%M", validators=[Optional()], widget=widgets.HiddenInput())


class CampaignTimingForm(FlaskForm):
    """When a message goes on its campaign's dates (read from the message page's form, a GET)."""

    class Meta:
        csrf = False

    campaign_anchor = SelectField(_l("From"), choices=choices(TIMING_ANCHORS.items()),
                                  default="start")
    campaign_offset = IntegerField(_l("Days after (negative: before)"), default=0,
                                   validators=[InputRequired(), NumberRange(-90, 90)])
    campaign_time = TimeField(_l("Time (Paris)"), format="%H:%M", default=time(9, 0), validators=[InputRequired()])


class TriggerForm(FlaskForm):
    """An automatic message's settings: the template it sends and, for devices, the age that triggers it."""

    template = SelectField(_l("Template sent"), coerce=int, choices=[], validators=[InputRequired()])
    years = LocaleDecimalField(
        _l("Age of the device (years)"),
        description=_l("Empty: half the device's expected lifetime (for example 2.5 years for a laptop of 5)."),
        places=1,
        validators=[Optional(), NumberRange(min=Decimal("0.5"), max=Decimal("20"))],
    )


class TemplateNameForm(FlaskForm):
    """Save a message as a template."""

    name = StringField(_l("Template name"), validators=[DataRequired(), Length(max=160)])


class PreferencesForm(FlaskForm):
    """The non-essential categories an employee receives by e-mail."""

    categories = MultiCheckboxField(_l("Send me by e-mail"), choices=[])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
