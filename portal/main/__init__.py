"""Home page, help, health check."""

from flask import Blueprint

from portal.areas import Area
from portal.i18n import lazy_gettext as _l

bp = Blueprint("main", __name__)

AREAS = (Area("main.help_page", _l("Help"), _l("How the portal works and where its figures come from."), order=99),)

from portal.main import routes  # noqa: E402,F401
