"""Action plans measured over time from the estate's indicators, their yearly review, and the shared objectives
every employee can follow."""

from decimal import Decimal

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.areas import Area, HomePanel
from portal.main.services import NoticeKind
from portal.messaging.placeholders import Placeholder, PluggedPlaceholders, plug_in

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

# Messages cite the featured objective (the one on the home page): its placeholders, listed in the composer.
plug_in(
    PluggedPlaceholders(
        (
            Placeholder("objective_title", "str", "Allonger la durée de vie des ordinateurs à 6 ans",
                        "objectif commun", "shared objective",
                        "Titre de l’objectif commun mis en avant (celui de la page d’accueil)",
                        "Title of the shared objective put forward (the home page's)"),
            Placeholder("objective_value", "decimal", Decimal("4.8"), "valeur de l’objectif", "objective's value",
                        "Valeur actuelle de l’objectif commun (dernière mesure mensuelle)",
                        "Current value of the shared objective (latest monthly measure)"),
            Placeholder("objective_target", "decimal", Decimal("6"), "cible de l’objectif", "objective's target",
                        "Cible de l’objectif commun", "Target of the shared objective"),
            Placeholder("objective_progress", "int", 62, "avancement de l’objectif", "objective's progress",
                        "Avancement de l’objectif commun vers sa cible (%)",
                        "Progress of the shared objective towards its target (%)"),
        ),
        services.message_values,
    )
)  # fmt: skip
