"""Accounts: login (password or identity provider), logout, roles, password change, directory import and sync."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState
from flask_babel import lazy_gettext as _l

from portal.areas import Area
from portal.personal_data import RetentionRule

bp = Blueprint("accounts", __name__)

AREAS = (
    Area("accounts.password_form", _l("My account"), _l("Change my password and my language."), order=80,
         hub="me"),
    Area(
        "accounts.admin_users",
        _l("Employees"),
        _l("Find an employee, see their roles, deactivate an account."),
        role="admin",
        order=90,
    ),
    Area(
        "accounts.admin_directory",
        _l("Directory sync"),
        _l("Accounts that follow the directory: arrivals, changes, departures."),
        role="admin",
        order=91,
    ),
)



@bp.record_once
def _read_provider_settings(state: BlueprintSetupState) -> None:
    """The identity provider's and the directory's settings, read once when the app is built (a bad
    OIDC_ROLE_MAP or LDAP_ATTRIBUTES stops it there)."""
    from portal.accounts.directory import DirectorySettings
    from portal.accounts.oidc import OidcSettings

    state.app.extensions["portal_oidc"] = OidcSettings.from_config(state.app.config)
    state.app.extensions["portal_directory"] = DirectorySettings.from_config(state.app.config)


from portal.accounts import personal_data, routes  # noqa: E402,F401  (routes register themselves on bp)

PERSONAL_DATA = (personal_data.profile,)
RETENTION = (
    RetentionRule("deactivated_accounts", "PORTAL_RETENTION_DEACTIVATED_MONTHS", "months",
                  personal_data.pseudonymise_departed),
)
