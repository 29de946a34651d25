"""The estate in words: indicators' names and definitions, lines, waterfall steps, scopes, conventions, vehicles
and refusals (translated), and the template helpers that show them."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from portal.estate.indicators import BY_CODE
from portal.words import register_words

MESSAGES = {
    "bad_month": _l("“%(value)s” is not a month: write it as YYYY-MM, for example 2026-03."),
    "future_month": _l("%(value)s has not started yet: a snapshot covers a month that has begun."),
    "reason_required": _l("Say why the period is recomputed: the reason is kept with the new version."),
    "no_snapshot_year": _l("%(year)s has no snapshot yet: compute one of its months first."),
    "unknown_indicator": _l("There is no indicator %(indicator)s."),
    "group_required": _l("Name the assignment group of the team."),
    "unknown_vehicle": _l("%(vehicle)s is not a vehicle of the factor library."),
    "bad_year": _l("“%(value)s” is not a year with figures."),
}

#: code → (name, definition).
INDICATOR_TEXTS: dict[str, tuple[Any, Any]] = {
    "total_kgco2e": (
        _l("Total footprint"),
        _l("Equipment (embodied and use), maintenance trips, equipment transport and data storage over the period."),
    ),
    "embodied_kgco2e": (
        _l("Equipment, embodied"),
        _l(
            "Manufacture, distribution and end of life of the devices in service: amortised over their "
            "lifetime pro rata of days in service, or counted whole in the year of acquisition."
        ),
    ),
    "use_kgco2e": (
        _l("Equipment, use"),
        _l("Annual electricity (kWh) × the electricity factor, pro rata of days in service."),
    ),
    "trips_kgco2e": (
        _l("Maintenance trips"),
        _l(
            "Each field intervention: a round trip from the team's depot, straight-line distance × the detour "
            "factor × the vehicle factor."
        ),
    ),
    "transport_kgco2e": (
        _l("Equipment transport"),
        _l(
            "Each transfer and delivery: a round trip between the two sites by the delivery vehicle, shared "
            "among the items carried together the same day on the same route."
        ),
    ),
    "storage_kgco2e": (
        _l("Data storage"),
        _l(
            "Measured GB (each employee's latest measure of each source in the period, from the clean-up "
            "campaigns' storage imports, held for the whole period) × the ADEME storage factor, 0.235 gCO₂e per "
            "GB and per year. Convention: ADEME storage factor, storage hardware excluded: a floor, about a "
            "thousand times lower than the clean-up day convention."
        ),
    ),
    "services_kgco2e": (
        _l("Digital services and data centres"),
        _l(
            "The digital services' annual footprint (hosts' embodied and use share, network, declared estimates) "
            "from the digital services inventory, pro rata of the period's days; the organisation only, not "
            "split among units, sites or categories, and outside the estate's total (added in the whole digital "
            "footprint). The inventory keeps no history: today's components stand for the whole year."
        ),
    ),
    "per_employee_kgco2e": (
        _l("Footprint per employee"),
        _l("Total footprint ÷ employees active at some point in the period."),
    ),
    "estimated_share_pct": (
        _l("Share estimated"),
        _l(
            "Part of the total computed from category defaults (model not mapped to a manufacturer sheet) or "
            "from estimated distances (no depot or no coordinates)."
        ),
    ),
    "employees": (_l("Employees"), _l("Accounts active at some point in the period.")),
    "device_years": (
        _l("Device-years"),
        _l("Sum over devices of the share of the year each was in service: the activity of the waterfall."),
    ),
    "devices_in_service": (_l("Devices in service"), _l("Devices in service on the last day of the period.")),
    "devices_per_employee": (
        _l("Devices per employee"),
        _l("Devices in service at the end of the period ÷ employees (per category on the categories page)."),
    ),
    "average_age_years": (
        _l("Average age"),
        _l("Average age of the devices in service on the last day of the period."),
    ),
    "average_lifetime_retired_years": (
        _l("Average lifetime of retired devices"),
        _l("From acquisition to retirement, for the devices retired during the period."),
    ),
    "acquired_devices": (_l("Devices acquired"), _l("Devices that arrived during the period.")),
    "retired_devices": (_l("Devices retired"), _l("Devices that left the estate during the period.")),
    "refurbished_share_count_pct": (
        _l("Refurbished share (count)"),
        _l("Refurbished devices among those acquired during the period."),
    ),
    "refurbished_share_eur_pct": (
        _l("Refurbished share (€)"),
        _l("Cost of the refurbished devices among the cost of all devices acquired during the period."),
    ),
    "returned_at_collection": (
        _l("Returned at collection points"),
        _l("Devices declared returned at a collection point during the period."),
    ),
    "overdue_returns": (
        _l("Returns overdue"),
        _l("Devices “to return” for more than 30 days at the end of the period."),
    ),
    "interventions": (_l("Interventions"), _l("Field interventions during the period.")),
    "intervention_km": (_l("Intervention km"), _l("Vehicle-km of the interventions' round trips, detour included.")),
    "kgco2e_per_intervention": (_l("Footprint per intervention"), _l("Maintenance trips ÷ interventions.")),
    "transport_km": (_l("Transport km"), _l("Vehicle-km of the transport trips, shared pro rata of the items.")),
    "overall_kgco2e": (
        _l("Whole digital footprint"),
        _l(
            "The estate's total footprint plus the digital services and data centres: the organisation's whole "
            "digital footprint in one figure (the organisation only)."
        ),
    ),
    "overall_per_employee_kgco2e": (
        _l("Whole digital footprint per employee"),
        _l("The whole digital footprint ÷ employees active at some point in the period."),
    ),
    "overall_estimated_share_pct": (
        _l("Share of the whole footprint estimated"),
        _l(
            "Part of the whole digital footprint that is estimated: the estate's estimated part and the digital "
            "services whose footprint is an estimate."
        ),
    ),
    "storage_gb": (_l("Data stored"), _l("GB measured in the period (latest measure of each employee and source).")),
    "storage_gb_per_employee": (
        _l("Data stored per employee"),
        _l("GB measured ÷ employees active at some point in the period."),
    ),
}

#: Where each line's figures come from and how far they can be trusted (quality levels of the whole portal).
LINE_QUALITY = {
    "embodied_kgco2e": _l("Manufacturer sheet, or ADEME generic value (an estimate for unmapped models)"),
    "use_kgco2e": _l("Manufacturer sheet or generic kWh × ADEME electricity mix"),
    "trips_kgco2e": _l("ADEME generic vehicle factor; distances known or estimated"),
    "transport_kgco2e": _l("ADEME generic vehicle factor; distances known or estimated"),
    "storage_kgco2e": _l("Measured GB × ADEME generic storage factor"),
    "services_kgco2e": _l("Each service's own quality: sheet, generic value or declared estimate"),
}

UNITS = {
    "kgCO2e": _l("kg CO₂e"),
    "%": _l("%"),
    "people": _l("people"),
    "device-years": _l("device-years"),
    "devices": _l("devices"),
    "years": _l("years"),
    "trips": _l("trips"),
    "km": _l("km"),
    "GB": _l("GB"),
}

DIRECTIONS = {"lower": _l("lower is better"), "higher": _l("higher is better"), "none": _l("context")}

CONVENTIONS = {
    "amortised": _l("amortised"),
    "acquisition": _l("acquisition year"),
}

STEPS = {
    "factors": _l("Factor changes"),
    "activity": _l("More or fewer devices"),
    "per_device": _l("Footprint per device"),
    "other_lines": _l("Trips, transport and storage"),
}

STEP_MEANINGS = {
    "factors": _l(
        "Last year recomputed with this year's factors, minus last year as frozen: not a change of the estate."
    ),
    "activity": _l("More or fewer device-years, at last year's footprint per device (like for like)."),
    "per_device": _l("What each device weighs: the mix of models, longer lifetimes, the refurbished share."),
    "other_lines": _l("Maintenance trips, equipment transport and data storage, like for like."),
}

TOP_CAPTIONS = {
    "unit": _l("units"),
    "site": _l("sites"),
    "category": _l("categories"),
    "model": _l("models"),
}

DEVICE_FILTERS = {
    "all": _l("all devices in service"),
    "oldest": _l("oldest first"),
    "past_lifetime": _l("past their lifetime"),
    "overdue": _l("to return, overdue (more than 30 days)"),
    "unmapped": _l("model not mapped (estimated)"),
}

SCOPES = {
    "org": _l("Organisation"),
    "unit": _l("Unit"),
    "site": _l("Site"),
    "category": _l("Category"),
    "model": _l("Model"),
}

VEHICLES = {
    "car_petrol_compact": _l("Compact petrol car"),
    "car_diesel_compact": _l("Compact diesel car"),
    "car_electric_compact": _l("Compact electric car"),
    "car_electric_small": _l("Small electric car"),
    "van": _l("Van"),
}


def indicator_name(code: str) -> str:
    """The indicator's name in the current language."""
    texts = INDICATOR_TEXTS.get(code)
    return str(texts[0]) if texts else code


def indicator_definition(code: str) -> str:
    """The indicator's definition in the current language."""
    texts = INDICATOR_TEXTS.get(code)
    return str(texts[1]) if texts else ""


def day_month(day: date) -> str:
    """A day without its year in the current language ("30 novembre", "30 November")."""
    return format_date(day, "d MMMM")


def indicator_direction(code: str) -> str:
    """lower | higher | none."""
    return BY_CODE[code].direction.value if code in BY_CODE else "none"


def register(bp: Blueprint) -> None:
    """The estate's words for every template."""
    bp.add_app_template_global(day_month, "day_month")
    bp.add_app_template_global(indicator_direction, "indicator_direction")
    bp.add_app_template_global(indicator_name, "estate_indicator")
    bp.add_app_template_global(indicator_definition, "estate_definition")
    register_words(
        bp,
        {
            "device_filter_name": DEVICE_FILTERS,
            "step_meaning": STEP_MEANINGS,
            "top_caption": TOP_CAPTIONS,
            "estate_unit": UNITS,
            "estate_direction": DIRECTIONS,
            "estate_convention": CONVENTIONS,
            "estate_step": STEPS,
            "estate_scope": SCOPES,
            "estate_vehicle": VEHICLES,
            "estate_line_quality": LINE_QUALITY,
        },
    )
