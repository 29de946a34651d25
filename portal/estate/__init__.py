"""The IT estate's footprint year on year: equipment, maintenance trips and equipment transport, frozen monthly,
compared with the reference year, and why it moved."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.areas import Area

bp = Blueprint("estate", __name__)

AREAS = (
    Area(
        "estate.index",
        _l("IT estate footprint"),
        _l("Equipment, maintenance trips and transport, year on year, and why it moved."),
        role="manager",
        order=80,
    ),
)

from portal.estate import admin_routes, compute, display, routes  # noqa: E402,F401  (routes register themselves on bp)

display.register(bp)
#: The factors this domain stores in the factor library, named on its list (see catalogue.display.factor_name).
FACTOR_NAMES = {
    **{f"{compute.VEHICLE_PREFIX}{key}": name for key, name in display.VEHICLES.items()},
    compute.STORAGE_FACTOR_KEY: _l("Data storage"),
}
FACTOR_TEXTS = {
    "ADEME Impact CO2 (transport model: fuel + vehicle construction)": _l(
        "ADEME Impact CO2 (transport model: fuel + vehicle construction)"),
    "ADEME, Impact CO2: storage hardware excluded, a floor": _l(
        "ADEME, Impact CO2: storage hardware excluded, a floor"),
}
