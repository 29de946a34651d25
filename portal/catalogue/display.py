"""Words the catalogue pages show for codes (categories, labels, statuses), translated once per use.

Jinja macros that build a dictionary of translations on every call cost ~50 µs per gettext; a page of 20
items called them hundreds of times. These lookups translate only the word needed.
"""

from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l

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


def _lookup(table: dict[str, object], key: str) -> str:
    return str(table.get(key, key))


def register(bp: Blueprint) -> None:
    """Expose the lookups to every template."""
    bp.add_app_template_global(lambda key: _lookup(CATEGORY_NAMES, key), "category_name")
    bp.add_app_template_global(lambda key: _lookup(TYPICAL, key), "typical_device")
    bp.add_app_template_global(lambda key: _lookup(LABEL_WORDS, key), "label_words")
    bp.add_app_template_global(lambda key: _lookup(QUALITY_NAMES, key), "quality_name")
    bp.add_app_template_global(lambda key: _lookup(STATUS_NAMES, key), "status_word")
