""""Show this paragraph only if…": the condition a writer builds from a placeholder, an operator in words and a
value, written as the template text they would otherwise type (which stays editable)."""

from __future__ import annotations

from dataclasses import dataclass

from portal.formatting import parse_decimal
from portal.messaging.placeholders import PLACEHOLDERS
from portal.messaging.services import MessageError

#: The operators, in the order the builder offers them (their words are display.CONDITION_OPERATORS).
OPERATORS = ("gt", "gte", "lt", "lte", "eq", "ne", "empty", "not_empty")
_ORDERINGS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_EQUALITIES = {"eq": "==", "ne": "!="}
#: The body fields a condition can be added to.
TARGET_FIELDS = ("body_fr", "body_en")
_FORBIDDEN_IN_VALUES = frozenset("{}%\n\r\"\\")


@dataclass(frozen=True)
class ConditionRequest:
    """What the builder's fields say: show `text` in `field` only if `placeholder` `operator` `value`."""

    placeholder: str
    operator: str
    value: str
    text: str
    field: str = "body_fr"
    locale: str | None = None  # how the writer writes numbers (see `parse_decimal`)


def _number(value: str, locale: str | None) -> str:
    """A number as the template writes it ("2,5" → "2.5"); MessageError if it is not one."""
    try:
        number = parse_decimal(value, locale=locale)
    except ValueError as error:
        raise MessageError("condition_not_a_number", value=value.strip()) from error
    if number is None or abs(number) >= 10**15:
        raise MessageError("condition_not_a_number", value=value.strip())
    return format(number.normalize(), "f") if number != number.to_integral_value() else str(int(number))


def condition_test(request: ConditionRequest) -> str:
    """The test of the condition, as template text: `device_count > 2`, `org_unit == "DSI"`…"""
    placeholder = PLACEHOLDERS.get(request.placeholder)
    if placeholder is None:
        raise MessageError("condition_placeholder")
    if request.operator not in OPERATORS:
        raise MessageError("condition_operator")
    name, numeric = placeholder.name, placeholder.kind != "str"
    if request.operator == "empty":
        return f"{name} is none" if numeric else f"not {name}"
    if request.operator == "not_empty":
        return f"{name} is not none" if numeric else name
    if not request.value.strip():
        raise MessageError("condition_value_missing")
    if request.operator in _ORDERINGS:
        if not numeric:
            raise MessageError("condition_ordering_text")
        # A number may have no value for someone: compared as it is, it would stop their message.
        return f"{name} is not none and {name} {_ORDERINGS[request.operator]} {_number(request.value, request.locale)}"
    sign = _EQUALITIES[request.operator]
    if numeric:
        return f"{name} {sign} {_number(request.value, request.locale)}"
    if _FORBIDDEN_IN_VALUES & set(request.value):
        raise MessageError("condition_value_characters")
    return f'{name} {sign} "{request.value.strip()}"'


def condition_snippet(request: ConditionRequest) -> str:
    """The paragraph wrapped in its condition, on lines of their own (they leave no blank line behind)."""
    if request.field not in TARGET_FIELDS:
        raise MessageError("condition_field")
    text = request.text.replace("\r\n", "\n").strip("\n")
    if not text.strip():
        raise MessageError("condition_text_missing")
    return f"{{% if {condition_test(request)} %}}\n{text}\n{{% endif %}}\n"


def append_snippet(body: str, snippet: str) -> str:
    """The body with the snippet added at its end, as its own paragraph (where it goes without the script that
    inserts it at the cursor)."""
    body = body.rstrip("\n")
    return f"{body}\n\n{snippet}" if body else snippet
