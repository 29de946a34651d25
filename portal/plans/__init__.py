"""Action plans measured over time from the estate's indicators, their yearly review, and the shared objectives
every employee can follow."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.areas import Area, HomePanel
from portal.main.services import NoticeKind

bp = Blueprint("plans", __name__)

AREAS = (
    Area(
        "plans.objectives",
        _l("Our shared objectives"),
        _l("What we committed to, where we stand, and what you can do about it."),
        order=82,
    ),
    Area(
        "plans.index",
        _l("Action plans"),
        _l("The strategy's actions measured every month against their targets, and the yearly review."),
        role="admin",
        order=84,
    ),
)

_ACTION = (("action_id", "action_id"),)
NOTICES = {
    "plan_action_on_track": NoticeKind(_l("The action “%(action)s” is back on track."), "plans.action", _ACTION),
    "plan_action_at_risk": NoticeKind(
        _l("The action “%(action)s” is at risk: it is behind its trajectory."), "plans.action", _ACTION
    ),
    "plan_action_late": NoticeKind(
        _l("The action “%(action)s” is late: its deadline has passed."), "plans.action", _ACTION
    ),
    "plan_action_achieved": NoticeKind(_l("The action “%(action)s” has reached its target."), "plans.action", _ACTION),
}

from portal.plans import admin_routes, display, routes, services  # noqa: E402,F401  (routes register themselves on bp)

display.register(bp)

HOME_PANELS = (HomePanel("plans/_home.html", services.home_objective),)
