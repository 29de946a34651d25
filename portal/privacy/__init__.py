"""Personal data: the information notice, each employee's download of their data, the processing register and
the nightly retention rules. Listed last in portal/domains.py: it collects what every domain declares
(`PERSONAL_DATA`, `RETENTION`) without importing any domain but accounts (for roles)."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.areas import Area

bp = Blueprint("privacy", __name__)

AREAS = (
    Area("privacy.my_data", _l("My personal data"), _l("Everything the portal holds about you, to download."),
         order=81, hub="me"),
    Area(
        "privacy.admin_register",
        _l("Personal data register"),
        _l("The processing activities, their purpose, data, recipients and retention."),
        role="admin",
        order=93,
    ),
)

from portal.privacy import admin_routes, routes  # noqa: E402,F401  (routes register themselves on bp)
