"""Words the catalogue pages show for codes (categories, labels, statuses), translated once per use.

Jinja macros that build a dictionary of translations on every call cost ~50 µs per gettext; a page of 20
items called them hundreds of times. These lookups translate only the word needed, with the request's
translations looked up once (`portal.i18n.translate`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from flask import Blueprint, current_app
from markupsafe import Markup

from portal.catalogue.models import CatalogueItem
from portal.i18n import lazy_gettext, translate


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


#: What the portal itself wrote in the factor library (source descriptions, notes), in the reader's language;
#: a source's proper name (Boavizta, ADEME Base Empreinte…) is shown as it is.
FACTOR_TEXTS = {
    "ADEME Base Empreinte / NegaOctet via Impact CO2 (publicodes-acv-numerique 2.1.0, 2022 study)": _l(
        "ADEME Base Empreinte / NegaOctet via Impact CO2 (publicodes-acv-numerique 2.1.0, 2022 study)"),
    "ADEME model via Impact CO2 (values predate Base Empreinte v2; low confidence)": _l(
        "ADEME model via Impact CO2 (values predate Base Empreinte v2; low confidence)"),
    "ADEME model (data-centre server) via Impact CO2": _l("ADEME model (data-centre server) via Impact CO2"),
    "Logitech carbon labels (whole life, 2 years of use), via Tom's Hardware": _l(
        "Logitech carbon labels (whole life, 2 years of use), via Tom's Hardware"),
    "Portal estimate, reasoning in the category note (no public figure found)": _l(
        "Portal estimate, reasoning in the category note (no public figure found)"),
    "Manufacturer monitor sheets (Boavizta median ≈ 357 kg embodied) are far above this value.": _l(
        "Manufacturer monitor sheets (Boavizta median ≈ 357 kg embodied) are far above this value."),
    "Low confidence: values predate Base Empreinte v2 and end of life exceeds fabrication.": _l(
        "Low confidence: values predate Base Empreinte v2 and end of life exceeds fabrication."),
    "No ADEME figure: median of 16 Dell Wyse manufacturer sheets (Boavizta), one manufacturer only.": _l(
        "No ADEME figure: median of 16 Dell Wyse manufacturer sheets (Boavizta), one manufacturer only."),
    "No public figure: about half an internet box (ADEME 63 kg), plugged in all year at ~2 W.": _l(
        "No public figure: about half an internet box (ADEME 63 kg), plugged in all year at ~2 W."),
    "No public figure: between the Logitech mouse and keyboard labels, whole life over 2 years.": _l(
        "No public figure: between the Logitech mouse and keyboard labels, whole life over 2 years."),
    "Gaming keyboard label: an office keyboard is likely lower.": _l(
        "Gaming keyboard label: an office keyboard is likely lower."),
    "Whole-life label over 2 years; Logitech mice range 5.5-8.8 kg.": _l(
        "Whole-life label over 2 years; Logitech mice range 5.5-8.8 kg."),
    "Boavizta gives 3660 kg for a generic server: large uncertainty.": _l(
        "Boavizta gives 3660 kg for a generic server: large uncertainty."),
}


def _lookup(table: dict[str, str], key: str) -> str:
    word = table.get(key)
    return translate(word) if word is not None else key


def register(bp: Blueprint) -> None:
    """Expose the lookups to every template."""
    bp.add_app_template_global(lambda key: _lookup(CATEGORY_NAMES, key), "category_name")
    bp.add_app_template_global(lambda key: _lookup(TYPICAL, key), "typical_device")
    bp.add_app_template_global(lambda key: _lookup(LABEL_WORDS, key), "label_words")
    bp.add_app_template_global(lambda key: _lookup(QUALITY_NAMES, key), "quality_name")
    bp.add_app_template_global(lambda key: _lookup(STATUS_NAMES, key), "status_word")
    bp.add_app_template_global(lambda text: _lookup(FACTOR_TEXTS, text) if text else text, "factor_text")


# Rendered entries of the results list, keyed by everything they show: a changed item (name, price, factors,
# label…) or another language has another key, so an entry is never stale; at most this many are kept.
_RESULT_ROWS_KEPT = 4000
_result_rows: dict[tuple[object, ...], Markup] = {}


def _row_key(item: CatalogueItem, difference: Decimal, locale: str) -> tuple[object, ...]:
    return (
        locale, item.id, item.manufacturer, item.name, item.refurbished, item.category, item.label, difference,
        item.result_quality, item.embodied_kgco2e, item.annual_use_kgco2e, item.annualised_kgco2e,
        item.lifetime_years, item.price_eur,
    )


def result_rows(items: Iterable[CatalogueItem], differences: Mapping[int, Decimal], locale: str) -> dict[int, Markup]:
    """Each item's entry of the catalogue results (`catalogue/_result_item.html`), rendered once per content
    and language in this process: the entries are the same for every employee, and were most of a page's time."""
    rows = {}
    template = current_app.jinja_env.get_template("catalogue/_result_item.html")
    for item in items:
        key = _row_key(item, differences[item.id], locale)
        row = _result_rows.get(key)
        if row is None:
            # The template alone, without the context processors (menu, unread count): the entry needs none of them.
            html = template.render(item=item, difference_value=differences[item.id])
            row = Markup(html)  # noqa: S704 - the output of an autoescaped template  # nosec B704
            if len(_result_rows) >= _RESULT_ROWS_KEPT:
                _result_rows.clear()
            _result_rows[key] = row
        rows[item.id] = row
    return rows
