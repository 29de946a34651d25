"""The messaging audience criterion "uses service X": the current subscribers of a service."""

from __future__ import annotations

from portal.digital_services import services
from portal.messaging.audience import Criteria, count, is_recipient
from tests.digital_services.fixtures import a_date


def test_uses_service_selects_its_current_subscribers(make_user, make_service, subscribe):
    alice, bob, carol = make_user(), make_user(), make_user()
    mail = make_service(code="MAIL")
    gis = make_service(code="GIS")
    subscribe(mail, alice)
    subscribe(mail, bob)
    subscribe(gis, carol)
    services.give_up(mail, user=bob, today=a_date(0))  # no longer uses it: no longer told about it
    criteria = Criteria.from_json({"service_codes": ["MAIL", ""]})
    assert criteria.service_codes == ("MAIL",)
    assert Criteria.from_json(criteria.to_json()) == criteria
    assert count(criteria, today=a_date(0)) == 1
    assert is_recipient(criteria, alice.id, today=a_date(0))
    assert count(Criteria(service_codes=("MAIL", "GIS")), today=a_date(0)) == 2
    assert count(Criteria(service_codes=("NOPE",)), today=a_date(0)) == 0
