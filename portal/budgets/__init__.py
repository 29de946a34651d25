"""IT budgets coloured by their footprint: budget lines, planned purchases and their sober variants, carbon
budgets, and what an order does to them."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.areas import Area, HomePanel

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
from portal.budgets.figures import approval_panel  # noqa: E402

display.register(bp)
#: What approving an order does to its unit's budget line, on the approval card: the catalogue, listed before the
#: budgets, cannot import them, so it shows every domain's APPROVAL_PANELS (see portal.areas.domain_panels).
APPROVAL_PANELS = (HomePanel("budgets/_approval_impact.html", approval_panel),)
#: The factor this domain stores in the factor library, named on its list (see catalogue.display.factor_name).
FACTOR_NAMES = {"monetary_it_products": _l("IT products bought: monetary ratio")}
FACTOR_TEXTS = {
    "ADEME Base Empreinte, ratios monétaires\u202f: produits informatiques, électroniques et optiques (NACE C26)": _l(
        "ADEME Base Empreinte, monetary ratios: computer, electronic and optical products (NACE C26)"),
}
