"""What the campaign codes stored in the database are called on screen, in the user's language."""

from __future__ import annotations

from portal.i18n import lazy_gettext as _l

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
