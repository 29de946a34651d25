"""Home page, help, health check."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.areas import Area
from portal.personal_data import RetentionRule

bp = Blueprint("main", __name__)

AREAS = (
    Area("main.help_page", _l("Help"), _l("How the portal works and where its figures come from."), order=99, hub="me"),
)

from portal.main import personal_data, routes  # noqa: E402,F401
from portal.main.services import UNREAD_NOTICES  # noqa: E402

COUNTS = (UNREAD_NOTICES,)

PERSONAL_DATA = (personal_data.notices,)
RETENTION = (RetentionRule("notices", "PORTAL_RETENTION_NOTICE_MONTHS", "months", personal_data.delete_old_notices),)
