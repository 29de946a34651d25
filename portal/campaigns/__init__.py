"""Digital Clean-up Day campaigns: measured storage metrics, teams and results."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.areas import Area, HomePanel
from portal.personal_data import RetentionRule

bp = Blueprint("campaigns", __name__)

AREAS = (
    Area(
        "campaigns.index",
        _l("Clean-up campaigns"),
        _l("Join a Digital Clean-up Day campaign, clean up your mailbox and drives, and see what you freed."),
        order=30,
    ),
    Area(
        "campaigns.admin_imports",
        _l("Storage imports"),
        _l("Import mailbox and drive usage reports; run the clean-up campaigns."),
        role="admin",
        order=85,
    ),
)

from portal.campaigns import display, personal_data, routes  # noqa: E402,F401  (routes register themselves on bp)
from portal.campaigns.services import home_campaigns  # noqa: E402

HOME_PANELS = (HomePanel("campaigns/_home.html", home_campaigns),)
PERSONAL_DATA = (personal_data.campaign_data,)
RETENTION = (
    RetentionRule("storage_snapshots", "PORTAL_RETENTION_STORAGE_MONTHS", "months", personal_data.delete_old_snapshots),
)

display.init_blueprint(bp)
