"""Forms of the employee side of the catalogue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, IntegerField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

#: The answer "it is an additional device" to "which device does it replace?".
ADDITIONAL = "additional"
#: An additional device needs a reason at least this long (the justification's own minimum).
MIN_REASON_LENGTH = 10


class OrderForm(FlaskForm):
    """Request an item; when I already have a device of its category, say which one it replaces or why I need
    one more (the question is asked only then: `offer_replacements`)."""

    quantity = IntegerField(
        _l("Quantity"),
        default=1,
        validators=[DataRequired(), NumberRange(min=1, max=10)],
        description=_l("From 1 to 10."),
    )
    justification = TextAreaField(
        _l("Why do you need it?"),
        validators=[DataRequired(), Length(min=MIN_REASON_LENGTH, max=2000)],
        description=_l("Your manager reads this to decide (10 characters at least)."),
    )
    replaces = RadioField(
        _l("Which device does it replace?"),
        choices=[],
        default="",
        validate_choice=False,
        description=_l("The replaced device is to be returned at a collection point once the new one is delivered."),
    )
    additional_reason = TextAreaField(
        _l("Why an additional device rather than a replacement?"),
        validators=[Length(max=2000)],
        description=_l("Only if you keep all your devices: your manager reads it (10 characters at least)."),
    )

    def offer_replacements(self, choices: list[tuple[str, str]], additional_label: str) -> None:
        """The devices the order may replace (value, label); with none, the question is not asked."""
        self.replaces.choices = [*choices, (ADDITIONAL, additional_label)] if choices else []

    @property
    def asks_replacement(self) -> bool:
        return bool(self.replaces.choices)

    @property
    def replaced_asset_id(self) -> int | None:
        """The id of the device chosen as replaced, None for an additional device or no question."""
        data = self.replaces.data or ""
        return int(data) if data.isdigit() else None

    def validate_replaces(self, field: Field) -> None:
        known = {value for value, _label in field.choices}
        data = field.data or ""
        if not known:
            if data not in ("", "0", "None"):
                raise ValidationError(_l("The device to replace must be one of your devices in use."))
            return
        if data not in known:
            raise ValidationError(_l("Say which device it replaces, or that it is an additional device."))

    def validate_additional_reason(self, field: Field) -> None:
        additional = self.asks_replacement and self.replaces.data == ADDITIONAL
        if additional and len((field.data or "").strip()) < MIN_REASON_LENGTH:
            raise ValidationError(_l("Say why you need an additional device (10 characters at least)."))


class DecisionForm(FlaskForm):
    """A manager's decision."""

    comment = TextAreaField(
        _l("Comment"),
        validators=[Length(max=2000)],
        description=_l("Required when you refuse: the requester reads it."),
    )
