"""IT budgets coloured by their footprint: budget lines, planned purchases and their sober variants, carbon
budgets, and what an order does to them."""

from flask import Blueprint

from portal.areas import Area
from portal.i18n import lazy_gettext as _l

bp = Blueprint("budgets", __name__)

AREAS = (
    Area(
        "budgets.overview",
        _l("IT budgets"),
        _l("Budgets coloured by their footprint: intensity, carbon budget used, sober variants."),
        role="manager",
        order=70,
    ),
)

from portal.budgets import admin_routes, display, routes  # noqa: E402,F401  (routes register themselves on bp)
from portal.budgets.figures import approval_impact  # noqa: E402

display.register(bp)
#: The approval card (catalogue) includes budgets/_approval_impact.html, which calls this: the catalogue, listed
#: before the budgets, cannot import them.
bp.add_app_template_global(approval_impact, "budget_impact")
