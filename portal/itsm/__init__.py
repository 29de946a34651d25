"""ITSM link: the hardware inventory, locations, field interventions and asset transfers from ServiceNow."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.areas import Area

bp = Blueprint("itsm", __name__)

AREAS = (
    Area(
        "itsm.admin_status",
        _l("ITSM link"),
        _l("Sync the inventory from ServiceNow, read the runs' reports, map the unknown models."),
        role="admin",
        order=87,
    ),
)

from portal.itsm import admin_routes, display  # noqa: E402,F401  (routes register themselves on bp)

display.register(bp)
