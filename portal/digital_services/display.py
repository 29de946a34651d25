"""Words the services pages show for codes (categories, hosting, decisions…) and the errors' messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import Blueprint, current_app
from flask_babel import lazy_gettext
from markupsafe import Markup

from portal.words import register_words


def _l(message: str) -> str:
    """Marks a word for extraction (pybabel's `_l` keyword); `portal.words.word` translates it for the request."""
    return message


#: Why a service action is refused (portal.digital_services.services.ServiceError.code).
SERVICE_ERRORS = {
    "discontinued": lazy_gettext("This service has been discontinued."),
    "already_subscribed": lazy_gettext("You already have this service."),
    "already_requested": lazy_gettext("Your request for this service is already waiting for a decision."),
    "not_eligible": lazy_gettext("This service is reserved for another unit: ask your manager."),
    "justification_required": lazy_gettext("Say what you need it for: its owner will read it."),
    "not_owner": lazy_gettext("Only the service's owner or an administrator can decide."),
    "not_submitted": lazy_gettext("This request has already been decided or cancelled."),
    "comment_required": lazy_gettext("Say why you refuse: the requester will read it."),
    "not_subscribed": lazy_gettext("You do not have this service."),
    "bad_decision": lazy_gettext("Choose keep, optimise, merge or discontinue."),
    "bad_year": lazy_gettext("Enter a year from %(min)s to %(max)s."),
    "rationale_required": lazy_gettext("Explain the decision: the owners and the users will read it."),
    "bad_saving": lazy_gettext("Enter a saving in kg CO₂e, 0 or more, for example 120.5."),
    "end_date_required": lazy_gettext("Give the date the service ends."),
    "not_editor": lazy_gettext("Only the service's owner or an administrator can change it."),
}

CATEGORY_NAMES = {
    "business": _l("business application"),
    "collaboration": _l("collaboration"),
    "messaging": _l("messaging"),
    "storage": _l("storage"),
    "telephony": _l("telephony"),
    "printing": _l("printing"),
    "access": _l("access"),
    "other": _l("other"),
}
HOSTING_NAMES = {"on_premises": _l("on premises"), "public_cloud": _l("public cloud"), "saas": _l("SaaS")}
CRITICALITY_NAMES = {"low": _l("low"), "medium": _l("medium"), "high": _l("high")}
DECISION_NAMES = {
    "keep": _l("keep"),
    "optimise": _l("optimise"),
    "merge": _l("merge"),
    "discontinue": _l("discontinue"),
}
REQUEST_STATUS_NAMES = {
    "submitted": _l("waiting for the owner"),
    "approved": _l("approved"),
    "refused": _l("refused"),
    "cancelled": _l("cancelled"),
}
INPUT_NAMES = {
    "embodied": _l("manufacture and lifetime"),
    "kwh": _l("electricity (kWh)"),
    "pue": _l("data centre PUE"),
    "network": _l("network transfer"),
    "estimate": _l("estimate per user"),
}
QUADRANT_NAMES = {
    "high_footprint_low_use": _l("high footprint, low use"),
    "high_footprint_high_use": _l("high footprint, high use"),
    "low_footprint_low_use": _l("low footprint, low use"),
    "low_footprint_high_use": _l("low footprint, high use"),
    "unknown": _l("footprint not known"),
}
FILE_KINDS = {
    "services": lazy_gettext("Services"),
    "hosts": lazy_gettext("Servers and storage arrays"),
    "components": lazy_gettext("Components (what each service takes of each host)"),
    "subscriptions": lazy_gettext("Subscriptions (who has which service)"),
    "usage": lazy_gettext("Usage of the last 90 days (access logs, licence report)"),
}
HOST_KIND_NAMES = {"server": _l("server"), "storage": _l("storage array")}


def register(bp: Blueprint) -> None:
    """Expose the lookups to every template."""
    register_words(
        bp,
        {
            "service_category_name": CATEGORY_NAMES,
            "hosting_name": HOSTING_NAMES,
            "criticality_name": CRITICALITY_NAMES,
            "decision_name": DECISION_NAMES,
            "service_request_status": REQUEST_STATUS_NAMES,
            "host_kind_name": HOST_KIND_NAMES,
            "service_input_name": INPUT_NAMES,
            "quadrant_name": QUADRANT_NAMES,
        },
    )
    bp.add_app_template_global(lambda key: str(FILE_KINDS[key]), "file_kind_name")


#: Why a line of a services CSV file is refused (portal.digital_services.transfer.Refused.code).
IMPORT_REJECTIONS = {
    "required": lazy_gettext("This column is required."),
    "not_a_number": lazy_gettext("Enter a number, for example 12.5."),
    "out_of_range": lazy_gettext("Enter a number of 0 or more (more than 0 for a lifetime or a capacity)."),
    "bad_date": lazy_gettext("Write the date as YYYY-MM-DD."),
    "future_date": lazy_gettext("This date is in the future."),
    "unknown_value": lazy_gettext("Choose one of: %(known)s."),
    "too_long": lazy_gettext("Enter at most %(max)s characters."),
    "repeated_key": lazy_gettext("This key is already on an earlier line of the file."),
    "unknown_unit": lazy_gettext("No org unit has this code."),
    "unknown_user": lazy_gettext("No employee has this e-mail address."),
    "unknown_service": lazy_gettext("No service has this code."),
    "unknown_host": lazy_gettext("No server or storage array has this name."),
    "pue_below_one": lazy_gettext("A PUE is 1 or more."),
    "ends_before_start": lazy_gettext("The end is before the start."),
    "bad_active_days": lazy_gettext("Enter a number of days from 0 to 90."),
    # Servers read from the ITSM (servers.sync_servers): the line is the record's number in the read.
    "missing_sys_id": lazy_gettext("The record has no sys_id."),
    "bad_sys_id": lazy_gettext("This sys_id is not one ServiceNow gives."),
    "unknown_status": lazy_gettext(
        "Unknown install status: known codes are %(known)s (set others with PORTAL_ITSM_STATUS_CODES)."
    ),
    "virtual_server": lazy_gettext("A virtual server, not a physical host: skipped."),
    "name_taken": lazy_gettext("Another server of the ITSM already has this name."),
    "retired_not_imported": lazy_gettext("Retired or missing, and not stored yet: not created."),
}


@dataclass(frozen=True)
class ResultEntry:
    """A service's entry of the services list, rendered: the heading's link and the line under it."""

    head: Markup
    body: Markup


def result_entries(
    rows: Sequence[Any], per_user: dict[int, Decimal | None], quality: dict[int, str]
) -> dict[int, ResultEntry]:
    """The entries of these services (`id`, `name`, `category`, `hosting`), the template alone, without the
    context processors (menu, unread count) it does not need: the same for every employee, so kept."""
    template = current_app.jinja_env.get_template("digital_services/_result_entry.html")
    entries = {}
    for row in rows:
        context = {"service": row, "per_user": per_user[row.id], "quality": quality[row.id]}
        entries[row.id] = ResultEntry(
            Markup(template.render(part="head", **context)),  # noqa: S704 - autoescaped template  # nosec B704
            Markup(template.render(part="body", **context)),  # noqa: S704 - autoescaped template  # nosec B704
        )
    return entries
