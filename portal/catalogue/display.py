"""Words the catalogue pages show for codes (categories, labels, statuses), translated once per use.

Jinja macros that build a dictionary of translations on every call cost ~50 µs per gettext; a page of 20
items called them hundreds of times. These lookups translate only the word needed (Flask-Babel's `gettext`).
"""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, current_app
from flask_babel import gettext, lazy_gettext
from markupsafe import Markup

from portal.catalogue.models import CatalogueItem


def _l(message: str) -> str:
    """Marks a word for extraction (pybabel's `_l` keyword); `_lookup` translates it for the request."""
    return message


#: Why an order action is refused (portal.catalogue.orders.OrderError.code).
ORDER_ERRORS = {
    "quantity": lazy_gettext("Choose a quantity from 1 to 10."),
    "replaced_asset": lazy_gettext("The device to replace must be one of your devices in use."),
    "not_approver": lazy_gettext("Only the requester's manager can decide on this request."),
    "not_submitted": lazy_gettext("This request has already been decided or cancelled."),
    "comment_required": lazy_gettext("Say why you refuse: the requester will read it."),
    "not_requester": lazy_gettext("Only the requester can cancel this request."),
    "not_approved": lazy_gettext("Only an approved request can be delivered."),
}

#: Why an item's value is refused, in the admin form or a CSV line (portal.catalogue.item_values.Problem.code).
ITEM_PROBLEMS = {
    "required": lazy_gettext("This field is required."),
    "not_a_number": lazy_gettext("Enter a number, for example 12.5."),
    "negative": lazy_gettext("Enter 0 or more."),
    "not_positive": lazy_gettext("Enter a number greater than 0."),
    "too_large": lazy_gettext("Enter at most %(max)s."),
    "not_a_year": lazy_gettext("Enter a year, for example 2023."),
    "year_out_of_range": lazy_gettext("Enter a year from %(min)s to %(max)s."),
    "too_long": lazy_gettext("Enter at most %(max)s characters."),
    "not_a_boolean": lazy_gettext("Write yes or no."),
    "bad_url": lazy_gettext("Enter an address starting with https:// or http://."),
    "bad_sku": lazy_gettext(
        "Use letters, digits, dots, dashes and underscores only, starting with a letter or a digit."
    ),
    "sku_taken": lazy_gettext("Another item already has this SKU."),
    "sku_repeated": lazy_gettext("This SKU is already on an earlier line of the file."),
    "unknown_category": lazy_gettext("Choose one of the catalogue categories: %(known)s."),
    "unknown_quality": lazy_gettext("Choose manufacturer, generic or estimated."),
    "all_masses_zero": lazy_gettext(
        "At least one of fabrication, distribution and end of life must be greater than 0; "
        "leave all three empty to use the category values."
    ),
    "all_masses_zero_factor": lazy_gettext(
        "At least one of fabrication, distribution and end of life must be greater than 0."
    ),
    "original_unknown": lazy_gettext("No catalogue item has this SKU."),
    "original_self": lazy_gettext("An item cannot be the refurbished version of itself."),
    "original_needs_refurbished": lazy_gettext("Only a refurbished item can name the new model it comes from."),
    "original_other_category": lazy_gettext("The new model must be in the same category."),
    "original_refurbished": lazy_gettext("The original model must be a new item, not a refurbished one."),
    "has_variants": lazy_gettext(
        "Refurbished items come from this model: it must stay a new item of the same category."
    ),
}

#: Why a line of the inventory file is refused.
INVENTORY_REJECTIONS = {
    "missing_asset_tag": lazy_gettext("asset tag missing"),
    "asset_tag_too_long": lazy_gettext("asset tag longer than 40 characters"),
    "duplicate_asset_tag": lazy_gettext("asset tag already on an earlier line"),
    "serial_too_long": lazy_gettext("serial number longer than 80 characters"),
    "unknown_sku": lazy_gettext("unknown SKU, and no category and model name to fall back on"),
    "missing_category": lazy_gettext("category missing (required without a known SKU)"),
    "unknown_category": lazy_gettext("unknown category (%(known)s)"),
    "missing_model_name": lazy_gettext("model name missing (required without a known SKU)"),
    "model_name_too_long": lazy_gettext("model name longer than 200 characters"),
    "unknown_user": lazy_gettext("no employee with this e-mail address"),
    "missing_acquired_on": lazy_gettext("acquisition date missing"),
    "bad_date": lazy_gettext("acquisition date is not a date in the form YYYY-MM-DD"),
    "future_date": lazy_gettext("acquisition date is in the future"),
    "too_old": lazy_gettext("acquisition date before 1990"),
    "unknown_status": lazy_gettext("unknown status (%(known)s)"),
}

CATEGORY_NAMES = {
    "laptop": _l("laptop"), "desktop": _l("desktop computer"), "thin_client": _l("thin client"),
    "monitor": _l("monitor"), "smartphone": _l("smartphone"), "tablet": _l("tablet"), "printer": _l("printer"),
    "dock": _l("docking station"), "headset": _l("headset"), "keyboard": _l("keyboard"), "mouse": _l("mouse"),
    "server": _l("server"), "network": _l("network box"),
}
TYPICAL = {
    "laptop": _l("a typical laptop"), "desktop": _l("a typical desktop computer"),
    "thin_client": _l("a typical thin client"), "monitor": _l("a typical monitor"),
    "smartphone": _l("a typical smartphone"), "tablet": _l("a typical tablet"), "printer": _l("a typical printer"),
    "dock": _l("a typical docking station"), "headset": _l("a typical headset"), "keyboard": _l("a typical keyboard"),
    "mouse": _l("a typical mouse"),
}
LABEL_WORDS = {
    "A": _l("very low footprint"), "B": _l("low footprint"), "C": _l("typical footprint"),
    "D": _l("high footprint"), "E": _l("very high footprint"),
}
QUALITY_NAMES = {
    "manufacturer": _l("Manufacturer sheet"), "generic": _l("Generic ADEME value"), "estimated": _l("Estimate"),
}
STATUS_NAMES = {
    "submitted": _l("waiting for approval"), "approved": _l("approved"), "refused": _l("refused"),
    "delivered": _l("delivered"), "cancelled": _l("cancelled"),
}


def _lookup(table: dict[str, str], key: str) -> str:
    word = table.get(key)
    return gettext(word) if word is not None else key


def register(bp: Blueprint) -> None:
    """Expose the lookups to every template."""
    bp.add_app_template_global(lambda key: _lookup(CATEGORY_NAMES, key), "category_name")
    bp.add_app_template_global(lambda key: _lookup(TYPICAL, key), "typical_device")
    bp.add_app_template_global(lambda key: _lookup(LABEL_WORDS, key), "label_words")
    bp.add_app_template_global(lambda key: _lookup(QUALITY_NAMES, key), "quality_name")
    bp.add_app_template_global(lambda key: _lookup(STATUS_NAMES, key), "status_word")


def result_entry(item: CatalogueItem, difference: Decimal) -> Markup:
    """An item's entry of the catalogue results (`catalogue/_result_item.html`), the same for every employee:
    the template alone, without the context processors (menu, unread count), which it does not need."""
    template = current_app.jinja_env.get_template("catalogue/_result_item.html")
    html = template.render(item=item, difference_value=difference)
    return Markup(html)  # noqa: S704 - the output of an autoescaped template  # nosec B704


def item_body(**context: object) -> Markup:
    """An item's page without the menu (`catalogue/_item_body.html`): the template alone, as `result_entry`."""
    html = current_app.jinja_env.get_template("catalogue/_item_body.html").render(**context)
    return Markup(html)  # noqa: S704 - the output of an autoescaped template  # nosec B704
