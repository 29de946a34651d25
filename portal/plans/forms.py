"""Forms of the action plans' pages: a plan, an action (on an estate indicator or a declared one) with its
milestones and contributors, a check-in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from portal.plans import services

#: Empty milestone rows offered on the form to add new ones (no script: save, and more empty rows come back).
NEW_MILESTONE_ROWS = 2


class PlanForm(FlaskForm):
    """A strategy's title and description."""

    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the plan a title.")), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])


def _fits() -> NumberRange:
    """A value its column holds (see `services.MAX_VALUE`)."""
    limit = services.MAX_VALUE - Decimal("0.000001")
    return NumberRange(
        min=-limit, max=limit, message=_l("Enter a number with at most 12 digits before the decimal point.")
    )


class MilestoneForm(Form):
    """One intermediate target: its date and value; an empty row is ignored, a ticked one removed."""

    due_on = DateField(_l("Milestone date"), validators=[Optional()])
    value = DecimalField(_l("Milestone target"), validators=[Optional(), _fits()])
    remove = BooleanField(_l("Remove this milestone"))

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.remove.data:
            return True
        if (self.due_on.data is None) != (self.value.data is None):
            missing = self.value if self.value.data is None else self.due_on
            missing.errors = [*missing.errors, str(_l("A milestone needs both its date and its target."))]
            return False
        return True


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
        validators=[Optional(), _fits()],
        description=_l("Leave empty for an estate indicator: it is read from the start month's snapshot."),
    )
    baseline_source = SelectField(
        _l("Baseline of an estate indicator"),
        choices=[],
        default="start",
        validate_choice=True,
        description=_l("Read once, when the month is frozen, and kept with its snapshot."),
    )
    target = DecimalField(_l("Target"), validators=[DataRequired(_l("Give the target.")), _fits()])
    public = BooleanField(_l("Shown to every employee in the shared objectives"))
    contributor_emails = TextAreaField(
        _l("Contributors' e-mail addresses"),
        validators=[Optional(), Length(max=4000)],
        description=_l("One per line: they appear on the action's page and may add check-ins."),
    )
    milestones = FieldList(FormField(MilestoneForm), min_entries=0)

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own checks, then those between fields, said on the field concerned."""
        valid = super().validate(extra_validators)
        start, deadline = self.start_on.data, self.deadline.data
        if start is not None and deadline is not None and deadline <= start:
            self.deadline.errors = [*self.deadline.errors, str(_l("The deadline must come after the start."))]
            valid = False
        baseline, target = self.baseline.data, self.target.data
        if baseline is not None and target is not None and baseline == target:
            self.target.errors = [*self.target.errors, str(_l("The target must differ from the baseline."))]
            valid = False
        for row in self.milestones:
            day = row.form.due_on.data
            if row.form.remove.data or day is None or start is None or deadline is None:
                continue
            if not start < day < deadline:
                row.form.due_on.errors = [
                    *row.form.due_on.errors,
                    str(_l("A milestone falls between the start and the deadline.")),
                ]
                valid = False
        return valid

    def milestone_values(self) -> tuple[tuple[Any, Any], ...]:
        """The (date, value) pairs kept: filled rows not ticked for removal."""
        return tuple(
            (row.form.due_on.data, row.form.value.data)
            for row in self.milestones
            if not row.form.remove.data and row.form.due_on.data is not None and row.form.value.data is not None
        )

    def contributor_addresses(self) -> list[str]:
        """The contributors' addresses, one per line (commas and semicolons also separate)."""
        text = (self.contributor_emails.data or "").replace(",", "\n").replace(";", "\n")
        return [line.strip() for line in text.splitlines() if line.strip()]


class CheckInForm(FlaskForm):
    """A check-in's comment, date and optional link."""

    comment = TextAreaField(
        _l("What happened"), validators=[DataRequired(_l("Write what happened: a check-in needs a comment."))]
    )
    on = DateField(_l("Date"), validators=[DataRequired(_l("Give the date."))])
    link = StringField(_l("Link (optional)"), validators=[Optional(), Length(max=500)])
