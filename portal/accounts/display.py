"""What the accounts domain says in words: why an account change or a directory line is refused (translated)."""

from __future__ import annotations

from portal.i18n import lazy_gettext as _l

#: Why an account change is refused (portal.accounts.services.AccountError.code).
ACCOUNT_ERRORS = {
    "wrong_password": _l("This is not your current password."),
    "too_short": _l("Choose a password of at least %(min)d characters."),
    "own_account": _l("You cannot deactivate your own account."),
}

#: Why a line of the directory file is refused.
DIRECTORY_MESSAGES = {
    "invalid_email": _l("invalid e-mail address"),
    "duplicate_email": _l("e-mail address already on an earlier line"),
    "missing_name": _l("first or last name missing"),
    "unknown_org_unit": _l("unknown org unit code"),
    "unknown_site": _l("unknown site code"),
    "unknown_commune": _l("unknown INSEE code"),
    "site_not_in_commune": _l("site is not in that commune"),
    "own_manager": _l("an employee cannot be their own manager"),
    "unknown_manager": _l("manager not found (neither in the file nor in the portal)"),
    "unknown_role": _l("unknown role (employee, manager, comms, admin)"),
}


