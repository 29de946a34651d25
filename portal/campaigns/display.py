"""What the campaigns domain shows in words: the codes stored in the database, why an action is refused, and
the template filters of its pages (registered on the blueprint by `init_blueprint`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Blueprint
from flask_babel import format_date, gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from portal.campaigns.conventions import gigabytes
from portal.formatting import number
from portal.timezone import PARIS

#: Why a storage export is refused as a whole (portal.campaigns.parsers.StorageParseError.code).
FILE_ERRORS = {
    "empty": _l("The file is empty: there is no header line."),
    "unknown_format": _l("The columns of this file match no known export. Expected columns: %(expected)s."),
    "missing_columns": _l("This file lacks the columns of the %(format)s export: %(missing)s."),
}

#: Why a campaign change is refused (portal.campaigns.services.CampaignError.code).
CAMPAIGN_ERRORS = {
    "not_in_scope": _l("This campaign is not meant for your commune or your unit."),
    "cannot_join": _l("This campaign can no longer be joined."),
    "closed": _l("This campaign is closed: its results are final."),
    "not_participant": _l("Only participants can do this: join the campaign first."),
    "closed_campaign_unchanged": _l("A closed campaign cannot be changed: its results are final."),
    "content_both_languages": _l("Write it in French and in English: each employee reads their language."),
}

STATES = {
    "draft": _l("draft"),
    "upcoming": _l("upcoming"),
    "active": _l("in progress"),
    "closed": _l("closed"),
}

TEAM_RULES = {
    "org_unit": _l("By org unit (direction or service)"),
    "commune": _l("By commune of the work site"),
}

SOURCES = {
    "mailbox": _l("Mailbox"),
    "drive": _l("Cloud drive"),
    "share": _l("Network share"),
}

CONVENTIONS = {
    "ademe_storage": _l("ADEME storage factor"),
    "cleanup_day": _l("Digital Cleanup Day convention"),
}

FORMATS = {
    "auto": _l("Detect from the columns"),
    "m365-mailbox": _l("Microsoft 365 – Mailbox usage detail"),
    "m365-onedrive": _l("Microsoft 365 – OneDrive usage account detail"),
    "exchange": _l("Exchange – Get-MailboxStatistics"),
    "csv": _l("Generic CSV (email, source, bytes, items, measured_at)"),
}

#: Reasons of the lines an import did not use: the parser's codes (invalid) and the importer's (unmatched).
REASONS = {
    "missing_identity": _l("no e-mail address or name"),
    "bad_email": _l("not an e-mail address"),
    "missing_size": _l("size missing"),
    "not_a_number": _l("size or count is not a whole number"),
    "rounded_number": _l("number rounded by a spreadsheet (scientific notation): export the file again"),
    "negative_size": _l("negative size"),
    "negative_count": _l("negative item count"),
    "too_large": _l("size or count too large to be a measure"),
    "bad_date": _l("unknown or missing measure date"),
    "unknown_source": _l("unknown source (expected mailbox, drive or share)"),
    "malformed_line": _l("malformed line (unbalanced quote)"),
    "cell_too_long": _l("a cell of this line is too long to be an export's"),
    "duplicate_conflict": _l("same employee, source and date as an earlier line, with other values"),
    "concealed": _l("concealed name (hashed by the tenant): never guessed"),
    "no_email": _l("the export gives a name but no e-mail address"),
    "unknown_employee": _l("no employee with this e-mail address"),
}

PROBLEM_KINDS = {"invalid": _l("Invalid lines"), "unmatched": _l("Unmatched employees")}


def last_day(ends_at: datetime) -> date:
    """The last day (Paris) of a period ending at `ends_at` (midnight after it)."""
    return ends_at.astimezone(PARIS).date() - timedelta(days=1)


def day_month(day: date) -> str:
    """A short day label for chart axes: `21 mars` / `21 Mar`."""
    return format_date(day, "d MMM")


def gigabytes_text(size_bytes: int, digits: int = 1) -> str:
    """A storage size in decimal GB, `12,35 GB` (functions, not macros: a table of them is one call each)."""
    return gettext("%(value)s GB", value=number(gigabytes(size_bytes), digits))


def withheld() -> Markup:
    """A figure the privacy rule withholds (portal/campaigns/privacy.py)."""
    return Markup('<span class="withheld">{}</span>').format(gettext("not shown"))


def freed(size_bytes: int | None, digits: int = 1) -> Markup:
    """Storage freed in GB; a growth said as such; withheld (None) said so."""
    if size_bytes is None:
        return withheld()
    if size_bytes < 0:
        growth = gettext("growth of %(value)s GB", value=number(gigabytes(-size_bytes), digits))
        return Markup('<span class="grew">{}</span>').format(growth)
    return Markup.escape(gigabytes_text(size_bytes, digits))


def init_blueprint(bp: Blueprint) -> None:
    """Register the campaign pages' template filters."""
    bp.add_app_template_filter(gigabytes_text, "campaign_gb")
    bp.add_app_template_filter(freed, "campaign_freed")
    bp.add_app_template_global(withheld, "campaign_withheld")
    bp.add_app_template_filter(last_day, "campaign_last_day")
    bp.add_app_template_filter(day_month, "campaign_day_month")
