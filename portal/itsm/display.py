"""The ITSM link in words: why a run stopped, why a record was refused, statuses and table names (translated).

One message table for the admin pages (the user's language) and the `flask itsm` commands (English).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext
from typing import Any

from flask import Blueprint
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.words import register_words

#: Why a run stopped or could not start (portal.itsm.client.ItsmError.code).
ERRORS = {
    "not_configured": _l(
        "The ITSM link is not configured: set SERVICENOW_INSTANCE_URL, and SERVICENOW_USERNAME with "
        "SERVICENOW_PASSWORD or SERVICENOW_TOKEN."
    ),
    "bad_instance_url": _l(
        "SERVICENOW_INSTANCE_URL is not the address of an instance (example: https://example.service-now.com)."
    ),
    "credentials_in_url": _l(
        "SERVICENOW_INSTANCE_URL must not hold credentials: put them in SERVICENOW_USERNAME and SERVICENOW_PASSWORD."
    ),
    "bad_setting": _l("The setting %(name)s is not valid (%(value)s)."),
    "auth_failed": _l(
        "ServiceNow refused the credentials (HTTP %(status)s: %(detail)s). Check SERVICENOW_USERNAME and "
        "SERVICENOW_PASSWORD, or SERVICENOW_TOKEN: the password may have changed, or the account may be locked."
    ),
    "forbidden": _l(
        "The integration account may not read the table %(table)s (HTTP 403). Give it a role that can read this "
        "table, then sync again."
    ),
    "table_unavailable": _l(
        "The instance has no table %(table)s it lets this account read, or refused the query "
        "(HTTP %(status)s: %(detail)s)."
    ),
    "redirected": _l("The instance answered with a redirection to %(location)s: set SERVICENOW_INSTANCE_URL to it."),
    "unexpected_status": _l("The instance answered HTTP %(status)s on %(table)s, an answer the link does not expect."),
    "bad_response": _l("The instance's answer on %(table)s is not a page of the Table API (%(reason)s)."),
    "rate_limited": _l(
        "Interrupted: the instance kept limiting the requests (HTTP 429) on %(table)s after %(attempts)s attempts. "
        "The next sync resumes where this one stopped."
    ),
    "unavailable": _l(
        "Interrupted: the instance was unavailable (HTTP 503, maintenance?) on %(table)s after %(attempts)s "
        "attempts. The next sync resumes where this one stopped."
    ),
    "server_error": _l(
        "Interrupted: the instance answered HTTP %(status)s on %(table)s, %(attempts)s times. The next sync "
        "resumes where this one stopped."
    ),
    "timeout": _l(
        "Interrupted: the instance did not answer in time on %(table)s (%(attempts)s attempts). The next sync "
        "resumes where this one stopped."
    ),
    "unreachable": _l(
        "Interrupted: the instance cannot be reached (%(reason)s, %(attempts)s attempts). Check "
        "SERVICENOW_INSTANCE_URL and the network; the next sync resumes where this one stopped."
    ),
    "busy": _l("Another sync has been running since %(since)s (%(holder)s): one at a time. Try again when it ends."),
    "abandoned": _l("This sync stopped without finishing (its process ended). The next sync resumes where it stopped."),
    "internal": _l("This sync stopped on an unexpected error (%(error)s). The next sync resumes where it stopped."),
    "file_not_json": _l("The file is not a Table API answer: JSON with a “result” list (problem near line %(line)s)."),
    "unknown_table": _l("Unknown table %(table)s: choose among %(known)s."),
}


class _Quoted(dict[str, Any]):
    """The values a message quotes; one that is missing shows as a dash rather than failing."""

    def __missing__(self, key: str) -> str:
        return "–"


def error_message(code: str, params: Mapping[str, Any], locale: str | None = None) -> str:
    """The message of an error code with its values, in the current language or in `locale`."""
    with force_locale(locale) if locale else nullcontext():
        template = ERRORS.get(code)
        if template is None:
            return code
        quoted = _Quoted({key: value for key, value in params.items() if value not in ("", None)})
        return str(template) % quoted

#: Why a record was refused (portal.itsm.mapping.Refused.code), with the values the message quotes.
REASONS = {
    "missing_sys_id": _l("sys_id missing"),
    "bad_sys_id": _l("sys_id is not a ServiceNow identifier (letters and digits, 32 at most)"),
    "bad_datetime": _l("not a date and time in the form YYYY-MM-DD HH:MM:SS (UTC): export the raw values"),
    "bad_date": _l("not a date in the form YYYY-MM-DD"),
    "bad_number": _l("not a number"),
    "coordinates_incomplete": _l("latitude or longitude missing"),
    "coordinates_out_of_range": _l("latitude or longitude out of range"),
    "missing_value": _l("value missing"),
    "too_long": _l("longer than %(limit)s characters"),
    "unknown_status": _l("unknown install status (codes known: %(known)s; set PORTAL_ITSM_STATUS_CODES)"),
    "missing_purchase_date": _l("no purchase date, and no installation date"),
    "bad_cost": _l("cost below zero or too large"),
    "ends_before_start": _l("the work ends before it starts"),
    "bad_quantity": _l("quantity outside 1 to 100,000"),
    "duplicate_sys_id": _l("the same record is already earlier in the page"),
    "duplicate_asset_tag": _l("asset tag already on another record (%(other)s): not merged, correct it in the ITSM"),
    "unknown_category": _l("model %(model)s not mapped, and its ITSM category names no portal category: map it"),
}

#: The tables, as a person names them.
TABLE_NAMES = {
    "cmn_location": _l("Locations"),
    "alm_hardware": _l("Hardware assets"),
    "wm_task": _l("Field interventions"),
    "alm_transfer_order_line": _l("Asset transfers"),
}

#: A run's status, its trigger, how a model found its footprint.
RUN_STATUSES = {
    "requested": _l("waiting for the jobs process"),
    "running": _l("running"),
    "completed": _l("completed"),
    "interrupted": _l("interrupted"),
    "failed": _l("failed"),
}
TRIGGERS = {
    "schedule": _l("scheduled"),
    "manual": _l("sync now"),
    "cli": _l("command"),
    "import": _l("file import"),
    "demo": _l("demo data"),
}
MATCHES = {
    "exact": _l("same name"),
    "similar": _l("similar name"),
    "admin": _l("mapped by an administrator"),
    "category": _l("estimate: its category's default"),
    "none": _l("waiting: no category"),
}
AUTH_KINDS = {"basic": _l("Basic (integration account)"), "bearer": _l("OAuth token"), "none": _l("none")}


def register(bp: Blueprint) -> None:
    """The ITSM words for every template: `itsm_run_status`, `itsm_trigger`, `itsm_match`, `itsm_table`,
    `itsm_auth`, and `itsm_error(code, params)`."""
    register_words(
        bp,
        {
            "itsm_run_status": RUN_STATUSES,
            "itsm_trigger": TRIGGERS,
            "itsm_match": MATCHES,
            "itsm_table": TABLE_NAMES,
            "itsm_auth": AUTH_KINDS,
        },
    )
    bp.add_app_template_global(error_message, "itsm_error")
