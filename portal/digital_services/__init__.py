"""Digital services: the catalogue's services with their footprint when used, subscriptions, usage, review."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.areas import Area, HomePanel
from portal.main.services import NoticeKind

bp = Blueprint("digital_services", __name__)

AREAS = (
    Area(
        "digital_services.index",
        _l("Digital services"),
        _l("The services you use, what they cost the climate per user, and giving up those you no longer use."),
        order=45,
    ),
    Area(
        "digital_services.review",
        _l("Service review"),
        _l("Place every digital service by usefulness and footprint, and record the review's decisions."),
        role="admin",
        order=86,
    ),
)

NOTICES = {
    "service_request_approved": NoticeKind(
        _l("Your request for %(service)s has been approved."),
        "digital_services.service",
        (("service_id", "service_id"),),
    ),
    "service_request_refused": NoticeKind(
        _l("Your request for %(service)s has been refused."),
        "digital_services.service",
        (("service_id", "service_id"),),
    ),
}

from portal.digital_services import admin_routes, display, personal_data, routes  # noqa: E402,F401  (routes register themselves on bp)
from portal.digital_services.services import (  # noqa: E402
    campaign_panel,
    end_subscriptions_of_departed,
    footprint_panel,
)

#: "My footprint" shows my services in a section of their own (portal.areas.domain_panels).
FOOTPRINT_PANELS = (HomePanel("digital_services/_my_services.html", footprint_panel),)
#: A campaign's results page shows the services given up during it (campaigns cannot import this domain).
CAMPAIGN_PANELS = (HomePanel("digital_services/_campaign_savings.html", campaign_panel),)
PERSONAL_DATA = (personal_data.services_and_activity,)
#: When an account is deactivated (a departure), its subscriptions end: the licences are freed.
ON_DEACTIVATION = (end_subscriptions_of_departed,)

display.register(bp)
