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
    return translate(word) if word is not None else key


def register(bp: Blueprint) -> None:
    """Expose the lookups to every template."""
    bp.add_app_template_global(lambda key: _lookup(CATEGORY_NAMES, key), "category_name")
    bp.add_app_template_global(lambda key: _lookup(TYPICAL, key), "typical_device")
    bp.add_app_template_global(lambda key: _lookup(LABEL_WORDS, key), "label_words")
    bp.add_app_template_global(lambda key: _lookup(QUALITY_NAMES, key), "quality_name")
    bp.add_app_template_global(lambda key: _lookup(STATUS_NAMES, key), "status_word")


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
