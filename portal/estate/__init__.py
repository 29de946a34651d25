"""The IT estate's footprint year on year: equipment, maintenance trips and equipment transport, frozen monthly,
compared with the reference year, and why it moved."""

from flask import Blueprint

bp = Blueprint("estate", __name__)

AREAS = ()

from portal.estate import display  # noqa: E402

display.register(bp)
