"""Where a record's location name leads, when the ITSM location and a portal site share the name."""

from __future__ import annotations

from decimal import Decimal

from portal.itsm.models import ItsmLocation
from portal.itsm.store import Place, Resolver
from portal.models import db


def test_a_location_with_no_site_takes_the_portal_site_of_its_name(make_site):
    site = make_site(name="Hôtel de ville de Bègles", lat=Decimal("44.80837"), lon=Decimal("-0.54772"))
    location = ItsmLocation(sys_id="a" * 32, name="HOTEL DE VILLE DE BEGLES", name_key="hotel de ville de begles",
                            lat=None, lon=Decimal("-0.5"), site_id=None)
    db.session.add(location)
    db.session.flush()

    place = Resolver({}).place("Hôtel de Ville de Bègles")

    assert place == Place(location.id, site.id, Decimal("44.80837"), Decimal("-0.5"))
