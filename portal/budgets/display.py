"""The budgets in words: refusals, grades, budget states, natures and variants (translated), and the template
helpers the approval card uses."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from portal.words import register_words

#: Why a budget value or action is refused (portal.budgets.services.BudgetError.code), in a form or a CSV line.
BUDGET_ERRORS = {
    "year": _l("Enter a year from 2000 to 2100."),
    "required": _l("This field is required."),
    "not_a_number": _l("Enter a number, for example 12500 or 12 500,50."),
    "out_of_range": _l("Enter 0 or more, within the field's limit."),
    "nature": _l("Enter investment or operating."),
    "label_too_long": _l("A label has at most 200 characters."),
    "unit": _l("No organisational unit has this code."),
    "duplicate": _l("This unit already has a line %(label)s of this nature for this year."),
    "category": _l("Choose a device category or a catalogue item."),
    "quantity": _l("Enter a quantity from 1 to 100,000."),
    "item": _l("No catalogue item has this reference."),
    "repeated": _l("This line appears twice in the file (same year, unit, nature and label)."),
    "cut": _l("Enter a yearly cut from 0 to 99 %%."),
    "reference_year": _l("The reference year must be before the budget year."),
}

#: What a line's intensity grade says.
GRADE_WORDS = {
    "A": _l("very low intensity"),
    "B": _l("low intensity"),
    "C": _l("moderate intensity"),
    "D": _l("high intensity"),
    "E": _l("above the reference"),
}

#: Carbon budget used: within, close, over.
USE_WORDS = {
    "within": _l("within"),
    "close": _l("close"),
    "over": _l("over"),
}

NATURE_WORDS = {
    "investment": _l("investment"),
    "operating": _l("operating"),
}

VARIANT_WORDS = {
    "planned": _l("As planned"),
    "refurbished_25": _l("25% refurbished"),
    "refurbished_50": _l("50% refurbished"),
    "longer_1": _l("Kept 1 year longer"),
    "longer_2": _l("Kept 2 years longer"),
    "better_model": _l("Better-labelled model"),
}


def register(bp: Blueprint) -> None:
    """Expose the words to every template."""
    register_words(
        bp,
        {"grade_words": GRADE_WORDS, "use_words": USE_WORDS, "nature_word": NATURE_WORDS,
         "variant_word": VARIANT_WORDS},
        default="",
    )


def body(template_name: str, **context: object) -> Markup:
    """A page's body rendered from its template alone, without the context processors (menu, unread count) it
    does not need: the same for everyone who may see it, so the budget services keep it per worker."""
    html = current_app.jinja_env.get_template(template_name).render(**context)
    return Markup(html)  # noqa: S704 - the output of an autoescaped template  # nosec B704
