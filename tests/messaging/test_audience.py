"""Audience criteria: each one alone, combined with AND, deactivated accounts never included; the live count."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from portal.campaigns.models import Campaign, Participation
from portal.catalogue.models import Order
from portal.messaging import audience
from portal.messaging.audience import Criteria
from portal.models import db, utcnow
from tests.conftest import csrf_token

TODAY = date(2026, 3, 21)


def emails(criteria: Criteria) -> set[str]:
    found = set()
    for batch in audience.batches(criteria, today=TODAY, size=2):  # small batches: the keyset paging is used
        found |= {row.email for row in batch}
    assert audience.count(criteria, today=TODAY) == len(found)
    return found


@pytest.fixture
def people(make_user, make_org_unit, make_site, make_item, make_asset):
    """A small organisation: two directions, sites in Bordeaux and Bègles, devices of different ages and labels."""
    direction = make_org_unit(code="DIR", kind="direction")
    service = make_org_unit(code="SERV", parent_id=direction.id)
    other = make_org_unit(code="OTHER", kind="direction")
    bordeaux = make_site(commune_insee="33063")
    begles = make_site(commune_insee="33039")
    light = make_item(fabrication_kgco2e=Decimal("60"), annual_kwh=Decimal("5"))
    heavy = make_item(fabrication_kgco2e=Decimal("900"), annual_kwh=Decimal("200"))
    users = {
        "ana": make_user(email="ana@test.example", roles=("manager",), org_unit_id=direction.id,
                         site_id=bordeaux.id, locale="fr"),
        "bob": make_user(email="bob@test.example", org_unit_id=service.id, site_id=begles.id, locale="en"),
        "chloe": make_user(email="chloe@test.example", roles=("comms",), org_unit_id=other.id,
                           site_id=bordeaux.id, locale="fr"),
        "dan": make_user(email="dan@test.example", org_unit_id=service.id, site_id=None, locale="fr"),
        "gone": make_user(email="gone@test.example", org_unit_id=service.id, site_id=begles.id, active=False),
    }
    make_asset(user=users["ana"], item=light, acquired_on=TODAY - timedelta(days=365 * 6))  # 6 years
    make_asset(user=users["ana"], item=light, acquired_on=TODAY - timedelta(days=100))
    make_asset(user=users["bob"], item=heavy, acquired_on=TODAY - timedelta(days=400))  # 1 year
    make_asset(user=users["bob"], item=heavy, acquired_on=TODAY - timedelta(days=365 * 8), status="recycled")
    make_asset(user=users["chloe"], item=None, category="laptop", acquired_on=date(2023, 3, 21))  # 3 years exactly
    make_asset(user=users["gone"], item=heavy, acquired_on=TODAY - timedelta(days=365 * 9))
    return {"users": users, "direction": direction, "service": service, "bordeaux": bordeaux, "begles": begles,
            "light": light, "heavy": heavy}


def test_everyone_means_every_active_employee(people):
    assert emails(Criteria()) == {"ana@test.example", "bob@test.example", "chloe@test.example", "dan@test.example"}


def test_roles(people):
    assert emails(Criteria(roles=("manager",))) == {"ana@test.example"}
    assert emails(Criteria(roles=("manager", "comms"))) == {"ana@test.example", "chloe@test.example"}


def test_org_units_include_their_sub_units(people):
    assert emails(Criteria(org_unit_ids=(people["direction"].id,))) == {
        "ana@test.example", "bob@test.example", "dan@test.example"
    }
    assert emails(Criteria(org_unit_ids=(people["service"].id,))) == {"bob@test.example", "dan@test.example"}


def test_communes_and_sites(people):
    assert emails(Criteria(commune_insees=("33039",))) == {"bob@test.example"}
    assert emails(Criteria(site_ids=(people["bordeaux"].id,))) == {"ana@test.example", "chloe@test.example"}


def test_language(people):
    assert emails(Criteria(languages=("en",))) == {"bob@test.example"}


def test_age_of_the_oldest_current_device_in_whole_years(people):
    assert emails(Criteria(oldest_device_min_years=3)) == {"ana@test.example", "chloe@test.example"}
    assert emails(Criteria(oldest_device_min_years=4)) == {"ana@test.example"}
    # Bob's 8-year-old device was recycled: his oldest current one is 1 year old.
    assert emails(Criteria(oldest_device_max_years=2)) == {"bob@test.example"}
    assert emails(Criteria(oldest_device_min_years=1, oldest_device_max_years=3)) == {
        "bob@test.example", "chloe@test.example"
    }


def test_label_of_my_devices_including_the_category_label_of_unknown_models(people):
    light, heavy = people["light"].label, people["heavy"].label
    assert light < heavy
    assert emails(Criteria(device_labels=(light,))) == {"ana@test.example"}
    assert emails(Criteria(device_labels=(heavy,))) == {"bob@test.example"}
    assert "chloe@test.example" in emails(Criteria(device_labels=(audience.category_labels()["laptop"],)))


def test_campaign_joined_or_not(people):
    now = utcnow()
    campaign = Campaign(name="Printemps", starts_at=now, ends_at=now + timedelta(days=21), horizon_year=2030)
    db.session.add(campaign)
    db.session.flush()
    users = people["users"]
    db.session.add(Participation(campaign_id=campaign.id, user_id=users["ana"].id, joined_at=now))
    db.session.add(Participation(campaign_id=campaign.id, user_id=users["bob"].id, joined_at=now, left_at=now))
    db.session.commit()
    assert emails(Criteria(campaign_id=campaign.id, campaign_participation="joined")) == {"ana@test.example"}
    assert emails(Criteria(campaign_id=campaign.id, campaign_participation="not_joined")) == {
        "bob@test.example", "chloe@test.example", "dan@test.example"
    }


def test_has_an_open_order(people):
    users = people["users"]
    item = people["light"]
    common = {"item_id": item.id, "justification": "x", "unit_price_eur": 1, "embodied_kgco2e": 1,
              "annual_use_kgco2e": 1, "annualised_kgco2e": 1, "lifetime_years": 5, "label": "A",
              "result_quality": "manufacturer"}
    db.session.add(Order(requester_id=users["ana"].id, status="submitted", **common))
    db.session.add(Order(requester_id=users["bob"].id, status="delivered", **common))
    db.session.commit()
    assert emails(Criteria(open_order=True)) == {"ana@test.example"}
    assert emails(Criteria(open_order=False)) == {"bob@test.example", "chloe@test.example", "dan@test.example"}


def test_criteria_combine_with_and_and_never_include_deactivated_accounts(people):
    criteria = Criteria(org_unit_ids=(people["direction"].id,), commune_insees=("33039",), languages=("en",))
    assert emails(criteria) == {"bob@test.example"}
    assert emails(Criteria(org_unit_ids=(people["direction"].id,), roles=("comms",))) == set()
    assert "gone@test.example" not in emails(Criteria(oldest_device_min_years=5))


def test_criteria_survive_a_round_trip_and_ignore_rubbish():
    criteria = Criteria(roles=("manager",), org_unit_ids=(3, 1), oldest_device_min_years=2, open_order=False,
                        campaign_id=4, campaign_participation="joined")
    assert Criteria.from_json(criteria.to_json()) == Criteria(
        roles=("manager",), org_unit_ids=(1, 3), oldest_device_min_years=2, open_order=False, campaign_id=4,
        campaign_participation="joined",
    )
    assert Criteria.from_json({"roles": ["root"], "oldest_device_min_years": "x", "open_order": "yes"}) == Criteria()


def test_the_audience_count_updates_live_and_the_audience_is_saved(client, login_as, make_message, people):
    author = login_as("comms", org_unit_id=people["service"].id, site_id=people["begles"].id)
    message = make_message(author=author)
    response = client.get(f"/comms/messages/{message.id}/audience/count?communes=33039&languages=en",
                          headers={"HX-Request": "true"})
    assert '<div id="audience-count"' in response.get_data(as_text=True)
    assert "1 destinataire" in response.get_data(as_text=True)
    page = client.get(f"/comms/messages/{message.id}/audience").get_data(as_text=True)
    assert "6 destinataires" not in page and "5 destinataires" in page  # four people and the author
    saved = client.post(
        f"/comms/messages/{message.id}/audience",
        data={"communes": ["33039"], "roles": [], "participation": "", "open_order": "", "campaign": "",
              "csrf_token": csrf_token(client)},
    )
    assert saved.status_code == 303
    db.session.refresh(message)
    assert message.audience == {"commune_insees": ["33039"]}
    detail = client.get(f"/comms/messages/{message.id}").get_data(as_text=True)
    assert "2 destinataires aujourd’hui" in detail and "Bègles" in detail


def test_places_and_departments_are_searchable_check_box_lists_with_full_names(client, login_as, make_message,
                                                                               people):
    message = make_message(author=login_as("comms"))
    page = client.get(f"/comms/messages/{message.id}/audience").get_data(as_text=True)
    assert "<select multiple" not in page and " multiple" not in page  # no Ctrl-click lists
    for name in ("org_units", "communes", "sites"):
        assert f'<div id="{name}" class="option-list">' in page
        assert f'data-filter-list="{name}"' in page  # the search box, shown by the page's script
    assert re.search(r'<label><input id="communes-\d+" name="communes" type="checkbox" value="33039"> Bègles</label>',
                     page)
    assert f'value="{people["direction"].id}"> {people["direction"].name}</label>' in page  # never cut
    assert '<div id="audience-count" class="audience-count">' in page  # the live count beside them
