"""Collection points: find the nearest one, declare the devices returned there, manage them (admins)."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.areas import Area

bp = Blueprint("locator", __name__)

AREAS = (
    Area(
        "locator.index",
        _l("Collection points"),
        _l("Find where to drop an old device near you, and declare what you returned."),
        order=40,
    ),
    Area(
        "locator.admin_points",
        _l("Collection points (admin)"),
        _l("Manage the points, confirm the returns, record the weight collected, import and export."),
        role="admin",
        order=92,
    ),
)

from portal.locator import personal_data, routes  # noqa: E402,F401  (routes register themselves on bp)

PERSONAL_DATA = (personal_data.returns,)
