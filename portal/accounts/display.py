"""What the accounts domain says in words: why an account change or a directory line is refused (translated)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: Why an account change is refused (portal.accounts.services.AccountError.code).
ACCOUNT_ERRORS = {
    "wrong_password": _l("This is not your current password."),
    "too_short": _l("Choose a password of at least %(min)d characters."),
    "own_account": _l("You cannot deactivate your own account."),
    "local_login_admins": _l("Password login is kept for administrators. Sign in with %(provider)s."),
    "local_login_off": _l("Password login is closed. Sign in with %(provider)s."),
}

#: Why a line of the directory file is refused.
DIRECTORY_MESSAGES = {
    "invalid_email": _l("invalid e-mail address"),
    "duplicate_email": _l("e-mail address already on an earlier line"),
    "missing_name": _l("first or last name missing"),
    "name_too_long": _l("first or last name longer than 80 characters"),
    "unknown_org_unit": _l("unknown org unit code"),
    "unknown_site": _l("unknown site code"),
    "unknown_commune": _l("unknown INSEE code"),
    "site_not_in_commune": _l("site is not in that commune"),
    "own_manager": _l("an employee cannot be their own manager"),
    "unknown_manager": _l("manager not found (neither in the file nor in the portal)"),
    "unknown_role": _l("unknown role (employee, manager, comms, admin)"),
    "missing_id": _l("the directory entry has no identifier (see LDAP_ATTRIBUTES)"),
}

#: Why the directory sync cannot run (portal.accounts.directory.DirectoryError.code); nothing is changed.
DIRECTORY_ERRORS = {
    "not_configured": _l("No directory is configured (LDAP_URL)."),
    "unreachable": _l("The directory %(url)s cannot be reached."),
    "bind_refused": _l("The directory refused the portal's account %(dn)s (LDAP_BIND_DN, LDAP_BIND_PASSWORD)."),
    "search_refused": _l("The directory refused the search under %(base)s: %(reason)s"),
    "too_many_departures": _l(
        "%(count)s of the %(linked)s accounts linked to the directory would be deactivated, more than "
        "%(share)s %%: nothing was changed. Check LDAP_BASE_DN and LDAP_USER_FILTER, or raise "
        "LDAP_MAX_DEPARTURE_SHARE for a real wave of departures."
    ),
}

#: Why a sign-in through the identity provider opens no session (portal.accounts.oidc.SignInRefused.code).
SIGN_IN_REFUSALS = {
    "state_mismatch": _l(
        "This sign-in was not started from this browser, or was started too long ago. Please sign in again."
    ),
    "nonce_mismatch": _l("The identity provider's answer does not belong to this sign-in. Please sign in again."),
    "provider_error": _l("The identity provider did not sign you in (%(error)s). Please sign in again."),
    "code_refused": _l("The identity provider's answer has expired or was already used. Please sign in again."),
    "provider_unreachable": _l("The identity provider cannot be reached at the moment. Try again in a few minutes."),
    "invalid_token": _l(
        "The identity provider's answer could not be verified. Please sign in again; if this happens again, "
        "contact the IT support desk."
    ),
    "no_email": _l(
        "The identity provider gave no e-mail address for your account, so the portal cannot find you. "
        "Contact the IT support desk."
    ),
    "email_not_verified": _l(
        "The identity provider has not verified your e-mail address %(email)s, so the portal cannot link it "
        "to your account. Contact the IT support desk."
    ),
    "unknown_email": _l(
        "No employee of the portal has the address %(email)s. If you have just arrived, your account will be "
        "created by the next directory update; otherwise contact the IT support desk."
    ),
    "linked_elsewhere": _l(
        "The portal account of %(email)s is already linked to another identity. Contact the IT support desk."
    ),
    "deactivated": _l(
        "Your portal account is deactivated. Contact the IT support desk if you think this is a mistake."
    ),
}
