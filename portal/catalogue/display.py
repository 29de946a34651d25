"""Words the catalogue pages show for codes (categories, labels, statuses), translated once per use.

Jinja macros that build a dictionary of translations on every call cost ~50 µs per gettext; a page of 20
items called them hundreds of times. These lookups translate only the word needed (Flask-Babel's `gettext`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import Blueprint, current_app
from flask_babel import gettext, lazy_gettext, ngettext
from markupsafe import Markup

from portal import formatting
from portal.catalogue.footprints import estimated_inputs
from portal.catalogue.models import CatalogueItem
from portal.catalogue.specs import CATEGORY_SPECS, is_demo
from portal.domains import domain_packages
from portal.footprint import everyday_equivalents
from portal.formatting import number, of_name
from portal.words import register_words, word


def _l(message: str) -> str:
    """Marks a word for extraction (pybabel's `_l` keyword); `portal.words.word` translates it for the request."""
    return message


#: Why an order action is refused (portal.catalogue.orders.OrderError.code).
ORDER_ERRORS = {
    "quantity": lazy_gettext("Choose a quantity from 1 to 10."),
    "replaced_asset": lazy_gettext("The device to replace must be one of your devices in use, of the same category."),
    "additional_reason": lazy_gettext(
        "You already have a device of this category: say which one it replaces, or why you need one more."
    ),
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


@dataclass(frozen=True)
class EquivalentLine:
    """An everyday equivalent as a page shows it: “≈ 870 km in a petrol car”, and its source."""

    text: str
    source: str
    url: str | None


def equivalent_lines(kgco2e: Decimal | None) -> list[EquivalentLine]:
    """At most two everyday equivalents of a figure, in the request's language, each with its source."""
    if kgco2e is None:
        return []
    lines = []
    for found in everyday_equivalents(Decimal(kgco2e)):
        if found.equivalent.key == "petrol_car_km":
            amount = number(found.amount, 1 if found.amount < 10 else 0)
            text = gettext("≈ %(amount)s km in a petrol car", amount=amount)
            source = gettext(
                "ADEME Impact CO2 (%(year)d): compact petrol car, %(factor)s kg CO₂e per km including its manufacture",
                year=found.equivalent.source.year,
                factor=number(found.equivalent.kgco2e_per_unit, 3),
            )
        else:  # whole e-mails
            amount = number(found.amount, 0)
            text = ngettext(
                "≈ %(amount)s e-mail of 1 MB", "≈ %(amount)s e-mails of 1 MB", int(found.amount), amount=amount
            )
            source = gettext(
                "ADEME Impact CO2 / NegaOctet (%(year)d): %(grams)s g CO₂e per e-mail of 1 MB sent to one person "
                "and stored 10 years",
                year=found.equivalent.source.year,
                grams=number(found.equivalent.kgco2e_per_unit * 1000, 2),
            )
        lines.append(EquivalentLine(text, source, found.equivalent.source.url))
    return lines


def decision_message(requester_name: str, *, approved: bool) -> str:
    """The confirmation of a manager's decision: “Demande d’Ana Agent acceptée.”"""
    of_requester = of_name(requester_name)
    if approved:
        return gettext("Request %(of_name)s approved.", of_name=of_requester)
    return gettext("Request %(of_name)s refused.", of_name=of_requester)
#: The units of the scalar factors, in words.
FACTOR_UNITS = {
    "kgCO2e/kWh": _l("kg CO₂e per kWh"),
    "kgCO2e/vehicle-km": _l("kg CO₂e per vehicle-km"),
    "kgCO2e/EUR": _l("kg CO₂e per euro spent"),
    "gCO2e/(GB*year)": _l("g CO₂e per GB stored per year"),
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


def _declared(attribute: str) -> dict[str, object]:
    """What every domain declares in `attribute` of its package (FACTOR_NAMES, FACTOR_TEXTS): the scalar factors
    the estate or budgets store in this library are named by them, as catalogue cannot import them."""
    declared: dict[str, object] = {}
    for package in domain_packages():
        declared.update(getattr(package, attribute, {}))
    return declared


def factor_name(key: str) -> str:
    """A factor's name in the reader's language: the category's, or the one its domain declares."""
    if key in CATEGORY_NAMES:
        return word(CATEGORY_NAMES, key).capitalize()
    return str(_declared("FACTOR_NAMES").get(key, key))


def factor_text(text: str) -> str:
    """A source or note the portal itself wrote, in the reader's language (an admin's own text as it is)."""
    if not text:
        return text
    if text in FACTOR_TEXTS:
        return word(FACTOR_TEXTS, text)
    return str(_declared("FACTOR_TEXTS").get(text, text))


def factor_unit(unit: str) -> str:
    """A scalar factor's unit in words (“kg CO₂e per kWh”); an unknown unit as stored."""
    return word(FACTOR_UNITS, unit)


SPEC_NAMES = {
    "screen_inches": _l("Screen"), "memory_gb": _l("Memory"), "storage_gb": _l("Storage"),
    "processor_class": _l("Processor"), "weight_kg": _l("Weight"),
}
PROCESSOR_CLASS_NAMES = {
    "entry": _l("entry-level"), "mainstream": _l("mid-range"), "performance": _l("high-performance"),
    "workstation": _l("workstation"),
}
SCREEN_BAND_NAMES = {
    "laptop-13": _l("under 14 inches"), "laptop-14": _l("14 to 14.9 inches"), "laptop-15": _l("15 inches and more"),
    "monitor-22": _l("under 23 inches"), "monitor-24": _l("23 to 25.9 inches"),
    "monitor-27": _l("26 to 29.9 inches"), "monitor-32": _l("30 inches and more"),
}


@dataclass(frozen=True)
class SpecShown:
    """One spec of an item as the pages show it: its name, its value in words, and whether it is a demo value."""

    name: str
    value: str
    demo: bool


def _spec_value(item: CatalogueItem, name: str) -> str | None:
    value = getattr(item, name)
    if value in (None, ""):
        return None
    if name == "screen_inches":
        return gettext("%(inches)s in", inches=formatting.number(value))
    if name in ("memory_gb", "storage_gb"):
        return gettext("%(gb)s GB", gb=formatting.number(value, 0))
    if name == "weight_kg":
        return gettext("%(kg)s kg", kg=formatting.number(value))
    return word(PROCESSOR_CLASS_NAMES, value)


def item_specs(item: CatalogueItem) -> list[SpecShown]:
    """The item's main specs for its category, in order (those it lacks are left out)."""
    shown = []
    for name in CATEGORY_SPECS.get(item.category, ()):
        value = _spec_value(item, name)
        if value is not None:
            shown.append(SpecShown(word(SPEC_NAMES, name), value, is_demo(item, name)))
    return shown


def compared_specs(items: list[CatalogueItem]) -> list[tuple[str, list[SpecShown | None]]]:
    """The specs of items compared side by side: one row per spec any of them has, None where one lacks it."""
    per_item = [{spec.name: spec for spec in item_specs(item)} for item in items]
    names = list(dict.fromkeys(name for specs in per_item for name in specs))
    return [(name, [specs.get(name) for specs in per_item]) for name in names]


#: Names of the catalogue's generic items (no manufacturer: the portal names them, in the reader's language),
#: by SKU. Manufacturers' model names are never translated.
GENERIC_NAMES = {
    "dock-usb-c-universal": _l("Universal USB-C docking station"),
    "dock-thunderbolt-4": _l("Thunderbolt 4 docking station"),
    "headset-usb-wired": _l("Wired USB headset"),
    "headset-bluetooth-anc": _l("Bluetooth headset with noise cancelling"),
    "keyboard-wired": _l("Wired keyboard"),
    "keyboard-wireless": _l("Wireless keyboard"),
    "mouse-wired": _l("Wired mouse"),
    "mouse-wireless": _l("Wireless mouse"),
}
GENERIC_MANUFACTURER = "Generic"


def item_name(item: CatalogueItem) -> str:
    """The model's name: a generic item's in the reader's language, a manufacturer's as it gives it."""
    generic = GENERIC_NAMES.get(item.sku) if item.manufacturer == GENERIC_MANUFACTURER else None
    return gettext(generic) if generic is not None else item.name


def item_title(item: CatalogueItem) -> str:
    """Manufacturer and model ("Dell Latitude 5430"); a generic item's name alone, with "generic" said."""
    if item.manufacturer == GENERIC_MANUFACTURER and item.sku in GENERIC_NAMES:
        return gettext("%(name)s (generic)", name=item_name(item))
    return f"{item.manufacturer} {item.name}"


INPUT_NAMES = {
    "fabrication": _l("fabrication"), "distribution": _l("distribution"), "end_of_life": _l("end of life"),
    "lifetime_years": _l("lifetime"), "annual_kwh": _l("electricity use"),
}


def quality_label(item: CatalogueItem) -> str:
    """What the item's quality badge says: "Manufacturer sheet", or which inputs were estimated and how."""
    missing = estimated_inputs(item)
    if len(missing) == len(INPUT_NAMES):
        return gettext("Estimate: every value is the category's")
    if missing and item.quality != "estimated":
        names = ", ".join(word(INPUT_NAMES, name) for name in missing)
        return gettext("Estimate – %(inputs)s: category value", inputs=names)
    return word(QUALITY_NAMES, item.result_quality)


def years_old(age_years: Decimal) -> str:
    """A device's age as people say it: "1 year old", "3.2 years old" (French: "1,5 an", "3,2 ans")."""
    return gettext("%(age)s old", age=formatting.years(age_years))


def register(bp: Blueprint) -> None:
    """Expose the lookups to every template."""
    register_words(
        bp,
        {
            "category_name": CATEGORY_NAMES,
            "typical_device": TYPICAL,
            "label_words": LABEL_WORDS,
            "quality_name": QUALITY_NAMES,
            "status_word": STATUS_NAMES,
            "screen_band_name": SCREEN_BAND_NAMES,
        },
    )
    bp.add_app_template_global(equivalent_lines, "everyday_equivalents")
    bp.add_app_template_global(years_old)
    bp.add_app_template_global(item_specs)
    bp.add_app_template_global(quality_label)
    bp.add_app_template_global(item_name)
    bp.add_app_template_global(item_title)
    bp.add_app_template_global(compared_specs)
    bp.add_app_template_global(factor_text)
    bp.add_app_template_global(factor_name)
    bp.add_app_template_global(factor_unit)


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
