"""The employee side: the services list, a service's page, request access, "I no longer use it"."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from portal.digital_services.models import AccessRequest, ServiceSubscription
from portal.main.models import Notice
from portal.models import db
from tests.conftest import csrf_token


def test_list_shows_per_user_footprint_and_whether_i_have_it(
    client, login_as, make_user, make_host, make_service, subscribe
):
    me = login_as()
    other = make_user()
    host = make_host()
    mail = make_service(name="Messagerie", category="messaging", components=[(host, 16)])
    make_service(name="SIG", category="business", components=[(host, 48)])
    subscribe(mail, me, active_days_ago=3)
    subscribe(mail, other, active_days_ago=100)  # not active in the last 90 days
    page = client.get("/services").get_data(as_text=True)
    assert "Messagerie" in page and "SIG" in page
    assert "Je l’ai" in page or "I have it" in page
    only_messaging = client.get("/services?category=messaging").get_data(as_text=True)
    assert "Messagerie" in only_messaging and "SIG" not in only_messaging
    mine = client.get("/services?mine=yes").get_data(as_text=True)
    assert "Messagerie" in mine and "SIG" not in mine


def test_service_page_shows_share_and_car_equivalent(client, login_as, make_user, make_host, make_service, subscribe):
    me = login_as(locale="en")
    # 1200/4 + 2000 × 1.5 × 0.0519 = 455.7 kg/year; 16 of 64 vCPU: 113.925; one active user.
    service = make_service(name="GIS", components=[(make_host(), 16)])
    subscribe(service, me, active_days_ago=1)
    page = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert "113.92\u202fkg\u202fCO₂e per user per year" in page  # 113.925, rounded half to even
    assert "670 km by car" in page  # 113.925 / 0.170
    assert "I no longer use it" in page


def test_give_up_in_two_clicks_counts_a_saving(client, login_as, make_host, make_service, subscribe):
    me = login_as(locale="en")
    service = make_service(name="GIS", components=[(make_host(), 16)])
    subscribe(service, me, active_days_ago=1)
    response = client.post(
        f"/services/{service.id}/give-up", data={"csrf_token": csrf_token(client), "back": "footprint"}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/me/footprint")
    row = db.session.scalar(sa.select(ServiceSubscription))
    assert row.ended_on is not None and row.saving_kgco2e == Decimal("113.925")
    page = client.get("/me/footprint").get_data(as_text=True)
    assert "My digital services" in page
    assert "saves 113.92\u202fkg\u202fCO₂e per year" in page
    again = client.post(
        f"/services/{service.id}/give-up", data={"csrf_token": csrf_token(client)}, follow_redirects=True
    )
    assert "You do not have this service." in again.get_data(as_text=True)


def test_granted_to_all_is_immediate_and_on_request_goes_to_the_owner(client, login_as, make_user, make_service, login):
    owner = make_user(locale="en")
    open_service = make_service(name="Chat", access="granted_to_all")
    reserved = make_service(name="Finance", access="on_request", owner=owner)
    me = login_as(locale="en")
    token = csrf_token(client)
    client.post(f"/services/{open_service.id}/request", data={"csrf_token": token})
    assert db.session.scalar(sa.select(ServiceSubscription).where(ServiceSubscription.user_id == me.id)) is not None
    empty = client.post(f"/services/{reserved.id}/request", data={"csrf_token": token, "justification": " "})
    assert empty.status_code == 422 and "Say what you need it for" in empty.get_data(as_text=True)
    client.post(f"/services/{reserved.id}/request", data={"csrf_token": token, "justification": "Budget work"})
    request = db.session.scalar(sa.select(AccessRequest))
    assert request.status == "submitted"
    # I am not the owner: the decision page and the decision are refused.
    assert client.get("/services/requests").status_code == 403
    assert (
        client.post(f"/services/requests/{request.id}", data={"csrf_token": token, "decision": "approve"}).status_code
        == 404
    )
    login(owner)
    page = client.get("/services/requests").get_data(as_text=True)
    assert "Budget work" in page
    refused = client.post(
        f"/services/requests/{request.id}",
        data={"csrf_token": csrf_token(client), "decision": "refuse", "comment": ""},
        follow_redirects=True,
    )
    assert "Say why you refuse" in refused.get_data(as_text=True)
    client.post(f"/services/requests/{request.id}", data={"csrf_token": csrf_token(client), "decision": "approve"})
    db.session.refresh(request)
    assert request.status == "approved"
    assert (
        db.session.scalar(
            sa.select(ServiceSubscription).where(
                ServiceSubscription.user_id == me.id, ServiceSubscription.service_id == reserved.id
            )
        )
        is not None
    )
    assert db.session.scalar(sa.select(Notice.kind).where(Notice.user_id == me.id)) == "service_request_approved"


def test_owner_edits_their_service_others_get_404(client, login_as, make_user, make_service, login):
    owner = make_user(locale="en")
    service = make_service(owner=owner)
    login_as()
    assert client.get(f"/admin/services/{service.id}").status_code == 404
    assert client.get("/services/999999").status_code == 404
    login(owner)
    assert client.get(f"/admin/services/{service.id}").status_code == 200
    response = client.post(
        f"/admin/services/{service.id}",
        data={
            "csrf_token": csrf_token(client),
            "description_fr": "Nouveau",
            "description_en": "New",
            "criticality": "high",
            "access": "on_request",
            "per_user_estimate_kgco2e": "abc",
            "estimate_source": "",
        },
    )
    assert response.status_code == 422
    response = client.post(
        f"/admin/services/{service.id}",
        data={
            "csrf_token": csrf_token(client),
            "description_fr": "Nouveau",
            "description_en": "New",
            "criticality": "high",
            "access": "on_request",
            "per_user_estimate_kgco2e": "2.5",
            "estimate_source": "Vendor",
        },
    )
    assert response.status_code == 303
    db.session.refresh(service)
    assert service.criticality == "high" and service.per_user_estimate_kgco2e == Decimal("2.5")


def test_admin_edits_every_service(client, login_as, make_service):
    service = make_service()
    login_as("admin")
    assert client.get(f"/admin/services/{service.id}").status_code == 200


def test_my_data_holds_my_services_and_activity(client, login_as, make_service, subscribe):
    import io
    import json
    import zipfile

    me = login_as()
    subscribe(make_service(name="Messagerie"), me, active_days_ago=3, active_days=12)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/me/data.zip").data))
    data = json.loads(archive.read(next(n for n in archive.namelist() if n.endswith(".json"))))
    text = json.dumps(data, ensure_ascii=False)
    assert "service_subscriptions" in text and "Messagerie" in text and '"active_days_in_90": 12' in text


def test_a_departure_ends_the_persons_subscriptions(make_user, make_service, subscribe):
    from portal.accounts.services import set_active
    from portal.models import utcnow

    gone = make_user()
    subscribe(make_service(), gone)
    set_active(gone, False, by=None, now=utcnow())
    row = db.session.scalar(sa.select(ServiceSubscription))
    assert row.ended_on is not None and row.ended_reason == "departure"
