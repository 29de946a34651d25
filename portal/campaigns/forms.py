"""Campaign forms: the admin's campaign editor and the storage import upload."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional, ValidationError

from portal.campaigns import display
from portal.campaigns.content import ActionInput, SectionInput
from portal.campaigns.parsers import FORMATS
from portal.campaigns.services import MAX_CAMPAIGN_DAYS, CampaignInput
from portal.form_fields import LocaleDecimalField


class CampaignForm(FlaskForm):
    """Name, period, scope, goals, teams and CO₂e convention of a campaign."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=4000)],
        description=_l("Shown to employees on the campaign page."),
    )
    first_day = DateField(_l("First day"), validators=[DataRequired()])
    last_day = DateField(
        _l("Last day"),
        validators=[DataRequired()],
        description=_l("Three weeks around the third Saturday of March (Digital Cleanup Day) are suggested."),
    )
    scope_all = BooleanField(_l("Every employee"), default=True)
    communes = SelectMultipleField(_l("Communes of the work site"), choices=[], validate_choice=True)
    org_units = SelectMultipleField(
        _l("Org units (with their sub-units)"), choices=[], coerce=int, validate_choice=True
    )
    goal_gb = LocaleDecimalField(
        _l("Goal: GB freed"), places=1, validators=[Optional(), NumberRange(min=Decimal("0.1"), max=Decimal("1e9"))]
    )
    goal_participation_percent = IntegerField(
        _l("Goal: participation rate (%)"), validators=[Optional(), NumberRange(min=1, max=100)]
    )
    team_rule = RadioField(
        _l("Teams"), choices=[SelectChoice(key, label) for key, label in display.TEAM_RULES.items()], default="org_unit"
    )
    co2e_convention = RadioField(
        _l("CO₂e convention shown next to the results"),
        choices=[SelectChoice(key, label) for key, label in display.CONVENTIONS.items()],
        default="ademe_storage",
    )
    horizon_year = IntegerField(
        _l("Horizon year (ADEME convention)"),
        validators=[Optional(), NumberRange(min=2000, max=2100)],
        description=_l("Data freed is counted as no longer stored from the campaign's end until this year."),
    )

    def validate_last_day(self, field: DateField) -> None:
        if self.first_day.data and field.data:
            if field.data < self.first_day.data:
                raise ValidationError(_l("The last day must be on or after the first day."))
            if (field.data - self.first_day.data).days + 1 > MAX_CAMPAIGN_DAYS:
                raise ValidationError(_l("A campaign lasts at most %(days)d days.", days=MAX_CAMPAIGN_DAYS))

    def validate_scope_all(self, field: BooleanField) -> None:
        if not field.data and not self.communes.data and not self.org_units.data:
            raise ValidationError(_l("Choose everyone, or at least one commune or org unit."))

    def validate_horizon_year(self, field: IntegerField) -> None:
        if field.data and self.last_day.data and field.data < self.last_day.data.year:
            raise ValidationError(_l("The horizon cannot be before the campaign's end."))

    def to_input(self) -> CampaignInput:
        """The validated values, as the service takes them."""
        percent = self.goal_participation_percent.data
        return CampaignInput(
            name=self.name.data or "",
            description=self.description.data or "",
            first_day=self.first_day.data,
            last_day=self.last_day.data,
            scope_all=bool(self.scope_all.data),
            commune_insees=list(self.communes.data or []),
            org_unit_ids=list(self.org_units.data or []),
            goal_gb=self.goal_gb.data,
            goal_participation=Decimal(percent) / 100 if percent else None,
            team_rule=self.team_rule.data,
            co2e_convention=self.co2e_convention.data,
            horizon_year=self.horizon_year.data,
        )


class StorageImportForm(FlaskForm):
    """An export file, its format (detected by default) and, for Exchange exports, the measure date."""

    file = FileField(
        _l("Export file (CSV)"),
        validators=[FileRequired(_l("Choose a file to import."))],
        description=_l("Microsoft 365 mailbox or OneDrive usage report, Exchange statistics, or the generic CSV."),
    )
    format = SelectField(
        _l("Format"), choices=[SelectChoice(key, display.FORMATS[key]) for key in ("auto", *FORMATS)], default="auto"
    )
    measured_on = DateField(
        _l("Measured on"),
        validators=[Optional()],
        description=_l(
            "Only for exports without a date (Exchange): the day the statistics were taken. Today if empty."
        ),
    )


class SectionForm(FlaskForm):
    """A section of a campaign's guides, in French and English."""

    title_fr = StringField(_l("Title (French)"), validators=[DataRequired(), Length(max=160)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=160)])
    advice_fr = TextAreaField(_l("Advice (French)"), validators=[Length(max=2000)])
    advice_en = TextAreaField(_l("Advice (English)"), validators=[Length(max=2000)])

    def to_input(self) -> SectionInput:
        """The section's words."""
        return SectionInput(self.title_fr.data or "", self.title_en.data or "", self.advice_fr.data or "",
                            self.advice_en.data or "")


class GuideActionForm(FlaskForm):
    """An action of the checklist, with its help, in French and English."""

    label_fr = StringField(_l("Action (French)"), validators=[DataRequired(), Length(max=300)])
    label_en = StringField(_l("Action (English)"), validators=[DataRequired(), Length(max=300)])
    help_fr = TextAreaField(_l("Help (French)"), validators=[Length(max=2000)])
    help_en = TextAreaField(_l("Help (English)"), validators=[Length(max=2000)])

    def to_input(self) -> ActionInput:
        """The action's words."""
        return ActionInput(self.label_fr.data or "", self.label_en.data or "", self.help_fr.data or "",
                           self.help_en.data or "")


class MoveForm(FlaskForm):
    """Move a section or an action one place up (-1) or down (+1)."""

    offset = IntegerField(validators=[AnyOf([-1, 1])])
