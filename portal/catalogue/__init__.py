"""Eco-labelled equipment catalogue, factor library, asset inventory, orders and approvals."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.areas import Area, HomePanel
from portal.main.services import NoticeKind
from portal.personal_data import RetentionRule

bp = Blueprint("catalogue", __name__)

AREAS = (
    Area(
        "catalogue.index",
        _l("Equipment catalogue"),
        _l("Compare equipment by footprint and order the sober choice."),
        order=10,
    ),
    Area(
        "catalogue.my_footprint",
        _l("My footprint"),
        _l("Your devices, their footprint, and what keeping them longer saves."),
        order=11,
    ),
    Area("catalogue.my_orders", _l("My orders"), _l("Follow your equipment requests."), order=12, hub="me"),
    Area(
        "catalogue.approvals",
        _l("Approvals"),
        _l("Approve or refuse your team's equipment requests."),
        role="manager",
        order=13,
    ),
    Area(
        "catalogue.team",
        _l("My team"),
        _l("Your team's devices, returns and orders, and its footprint per employee."),
        role="manager",
        order=14,
    ),
    Area(
        "catalogue.admin_items",
        _l("Catalogue administration"),
        _l("Items, footprint factors, deliveries."),
        role="admin",
        order=85,
    ),
)

NOTICES = {
    "order_approved": NoticeKind(
        _l("Your request for %(item)s has been approved."), "catalogue.order_detail", (("order_id", "order_id"),)
    ),
    "order_refused": NoticeKind(
        _l("Your request for %(item)s has been refused."), "catalogue.order_detail", (("order_id", "order_id"),)
    ),
    "order_delivered": NoticeKind(
        _l("%(item)s has been delivered to you."), "catalogue.order_detail", (("order_id", "order_id"),)
    ),
    "order_delivered_return": NoticeKind(
        _l("%(item)s has been delivered to you. Return the device it replaces (%(replaced)s) at a collection point."),
        "catalogue.order_detail",
        (("order_id", "order_id"),),
    ),
}

from portal.catalogue import admin_routes, display, inventory, my_footprint, personal_data, routes  # noqa: E402,F401
from portal.catalogue.home import OPEN_ORDERS, home_footprint, home_orders  # noqa: E402

#: The names of the scalar factors this domain stores in the factor library (see display.factor_name).
FACTOR_NAMES = {"electricity_fr": _l("Electricity in France")}

HOME_PANELS = (HomePanel("catalogue/_home_footprint.html", home_footprint),
               HomePanel("catalogue/_home_orders.html", home_orders))
COUNTS = (OPEN_ORDERS,)

#: When an account is deactivated (a departure), its devices in use are flagged "to return".
ON_DEACTIVATION = (inventory.flag_devices_to_return,)
PERSONAL_DATA = (personal_data.devices_and_orders,)
RETENTION = (
    RetentionRule("order_texts", "PORTAL_RETENTION_DEACTIVATED_MONTHS", "months",
                  personal_data.clear_departed_order_texts),
)

display.register(bp)
