"""Accounts: login, logout, roles, password change and the directory import."""

from flask import Blueprint

from portal.areas import Area
from portal.i18n import lazy_gettext as _l

bp = Blueprint("accounts", __name__)

AREAS = (
    Area("accounts.password_form", _l("My account"), _l("Change my password and my language."), order=80),
    Area(
        "accounts.admin_users",
        _l("Employees"),
        _l("Find an employee, see their roles, deactivate an account."),
        role="admin",
        order=90,
    ),
)

from portal.accounts import routes  # noqa: E402,F401  (routes register themselves on bp)
