"""Ordering with the sober alternatives first, approval by the manager, delivery into the inventory."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.accounts.models import User
from portal.catalogue import orders
from portal.catalogue.footprints import load_factor_set
from portal.catalogue.models import Asset, Factor, Order
from portal.catalogue.orders import OrderError, decide, place_order
from portal.catalogue.services import update_factor
from portal.main.models import Notice
from portal.models import db
from tests.concurrency import first_then_second, postgresql_only
from tests.conftest import csrf_token


def _order(client, item, **data):
    payload = {
        "quantity": "1",
        "justification": "Mon poste actuel ne démarre plus.",
        "replaces": "0",
        "csrf_token": csrf_token(client),
        **data,
    }
    return client.post(f"/catalogue/{item.id}/order", data=payload)


def test_order_form_shows_the_sober_alternatives_first(client, login_as, make_item, make_asset, make_user):
    user = login_as("employee")
    specs = {"screen_inches": Decimal("14"), "processor_class": "mainstream"}
    item = make_item(name="Heavy", fabrication_kgco2e=Decimal("400"), **specs)
    make_item(name="Heavy refurbished", fabrication_kgco2e=Decimal("400"), refurbished=True, refurbished_of_id=item.id)
    make_item(name="Light", fabrication_kgco2e=Decimal("60"), **specs)
    make_asset(user=user, model_name="Old laptop")
    page = client.get(f"/catalogue/{item.id}/order").get_data(as_text=True)
    sober = page.split("Avant de commander")[1].split("Votre demande")[0]
    assert "Heavy refurbished" in sober and "Light" in sober
    assert "Garder mon Old laptop" in sober
    assert page.index("Avant de commander") < page.index('name="justification"')


def test_an_order_freezes_footprint_price_and_factor_versions(client, login_as, make_item, make_user):
    manager = make_user(roles=("manager",))
    login_as("employee", manager_id=manager.id)
    item = make_item()
    response = _order(client, item, quantity="2")
    assert response.status_code == 303
    order = db.session.scalar(sa.select(Order))
    assert order.approver_id == manager.id and order.status == "submitted"
    assert (order.unit_price_eur, order.annualised_kgco2e, order.label) == (Decimal("1000"), Decimal("33.4380"), "C")
    assert order.total_embodied_kgco2e == Decimal("324.0000")
    assert order.factor_version.version == 1 and order.electricity_version is not None

    item.price_eur = Decimal("2000")
    update_factor(
        db.session.scalar(sa.select(Factor).where(Factor.key == "electricity_fr")),
        {"value": Decimal("0.5")},
        by=manager,
    )
    db.session.commit()
    db.session.refresh(order)
    assert (order.unit_price_eur, order.annualised_kgco2e) == (Decimal("1000"), Decimal("33.4380"))
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "en attente de validation" in page and "2\u202f000" in page  # 2 × 1 000 € frozen


def test_invalid_order_is_refused_with_clear_errors(client, login_as, make_item):
    login_as("employee")
    item = make_item()
    response = _order(client, item, quantity="11", justification="short")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "La demande n’a pas été envoyée" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_someone_elses_device_cannot_be_the_replaced_one(client, login_as, make_item, make_asset, make_user):
    other = make_user()
    foreign = make_asset(user=other)
    login_as("employee")
    response = _order(client, make_item(), replaces=str(foreign.id))
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_only_requester_manager_and_admins_see_an_order(app, client, login_as, make_item, make_user, login):
    manager = make_user(roles=("manager",))
    requester = make_user(manager_id=manager.id)
    login(requester)
    _order(client, make_item())
    order_id = db.session.scalar(sa.select(Order.id))
    for user, expected in [
        (requester, 200),
        (manager, 200),
        (make_user(roles=("admin",)), 200),
        (make_user(), 404),
        (make_user(roles=("manager",)), 404),
    ]:
        other_client = app.test_client()
        other_client.post(
            "/login",
            data={"email": user.email, "password": "correct horse battery", "csrf_token": csrf_token(other_client)},
        )
        assert other_client.get(f"/orders/{order_id}").status_code == expected, user.email


def test_manager_approves_and_the_requester_is_notified(app, client, make_item, make_user, login):
    manager = make_user(roles=("manager",), first_name="Marc")
    requester = make_user(manager_id=manager.id, first_name="Ana")
    login(requester)
    _order(client, make_item(name="Laptop Z"))
    order = db.session.scalar(sa.select(Order))

    boss = app.test_client()
    boss.post(
        "/login", data={"email": manager.email, "password": "correct horse battery", "csrf_token": csrf_token(boss)}
    )
    page = boss.get("/approvals").get_data(as_text=True)
    assert "1 demande attend votre décision" in page and "Laptop Z" in page
    assert "Votre équipe en" in page
    response = boss.post(
        f"/approvals/{order.id}", data={"decision": "approve", "comment": "", "csrf_token": csrf_token(boss)}
    )
    assert response.status_code == 303
    db.session.refresh(order)
    assert order.status == "approved" and order.decided_by_id == manager.id

    home = client.get("/").get_data(as_text=True)
    assert "Votre demande de Laptop Z a été acceptée." in home
    client.get(f"/orders/{order.id}")
    assert db.session.scalar(sa.select(Notice.read_at)) is not None


def test_refusal_needs_a_comment_and_decisions_happen_once(app, client, make_item, make_user, login):
    manager = make_user(roles=("manager",))
    requester = make_user(manager_id=manager.id)
    login(requester)
    _order(client, make_item())
    order = db.session.scalar(sa.select(Order))
    boss = app.test_client()
    boss.post(
        "/login", data={"email": manager.email, "password": "correct horse battery", "csrf_token": csrf_token(boss)}
    )
    refused = boss.post(
        f"/approvals/{order.id}",
        data={"decision": "refuse", "comment": " ", "csrf_token": csrf_token(boss)},
        follow_redirects=True,
    )
    assert "Dites pourquoi vous refusez" in refused.get_data(as_text=True)
    boss.post(
        f"/approvals/{order.id}",
        data={"decision": "refuse", "comment": "Budget épuisé", "csrf_token": csrf_token(boss)},
    )
    again = boss.post(
        f"/approvals/{order.id}", data={"decision": "approve", "csrf_token": csrf_token(boss)}, follow_redirects=True
    )
    assert "déjà été traitée" in again.get_data(as_text=True)
    db.session.refresh(order)
    assert order.status == "refused" and order.decision_comment == "Budget épuisé"


def test_another_managers_request_cannot_be_decided(client, login_as, make_item, make_user):
    manager = make_user(roles=("manager",))
    requester = make_user(manager_id=manager.id)
    order = place_order(
        requester=requester,
        item=make_item(),
        quantity=1,
        justification="Pour le travail",
        replaces=None,
        factor_set=load_factor_set(),
    )
    db.session.commit()
    login_as("manager")
    response = client.post(f"/approvals/{order.id}", data={"decision": "approve", "csrf_token": csrf_token(client)})
    assert response.status_code == 404
    db.session.refresh(order)
    assert order.status == "submitted"


def test_employees_cannot_open_approvals_or_deliveries(client, login_as):
    login_as("employee")
    assert client.get("/approvals").status_code == 403
    assert client.get("/admin/orders").status_code == 403


def test_requester_cancels_before_decision(client, login_as, make_item):
    login_as("employee")
    _order(client, make_item())
    order = db.session.scalar(sa.select(Order))
    response = client.post(f"/orders/{order.id}/cancel", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303
    db.session.refresh(order)
    assert order.status == "cancelled"


def test_delivery_assigns_new_devices_and_marks_the_replaced_one_to_return(
    app, client, make_item, make_user, make_asset, login
):
    manager = make_user(roles=("manager",))
    requester = make_user(manager_id=manager.id)
    old = make_asset(user=requester, model_name="Old laptop")
    login(requester)
    _order(client, make_item(name="New laptop"), replaces=str(old.id), quantity="1")
    order = db.session.scalar(sa.select(Order))
    order.status = "approved"
    db.session.commit()

    admin = app.test_client()
    admin_user = make_user(roles=("admin",))
    admin.post(
        "/login", data={"email": admin_user.email, "password": "correct horse battery", "csrf_token": csrf_token(admin)}
    )
    assert "New laptop" in admin.get("/admin/orders").get_data(as_text=True)
    response = admin.post(f"/admin/orders/{order.id}/deliver", data={"csrf_token": csrf_token(admin)})
    assert response.status_code == 303
    db.session.expire_all()
    assets = db.session.scalars(sa.select(Asset).where(Asset.user_id == requester.id).order_by(Asset.id)).all()
    assert [(a.model_name, a.status) for a in assets] == [("Old laptop", "to_return"), ("Maker New laptop", "in_use")]
    page = client.get("/me/footprint").get_data(as_text=True)
    assert "1 équipement à rendre" in page and re.search(r"Maker New laptop", page)
    returns = page.split('id="to-return-title"')[1].split("</section>")[0]
    assert "Old laptop (T000001)" in returns and "tant que vous ne l’avez pas rendu" in returns
    home = client.get("/").get_data(as_text=True)
    assert "1 équipement à rendre" in home and "Old laptop" in home
    assert "Rendez l’équipement qu’il remplace (Old laptop)" in home


def test_the_form_asks_which_device_of_the_category_it_replaces(client, login_as, make_item, make_asset):
    user = login_as("employee")
    make_asset(user=user, model_name="Old laptop", acquired_on=date(2020, 1, 1))
    make_asset(user=user, model_name="Spare laptop", acquired_on=date(2024, 1, 1))
    make_asset(user=user, model_name="Phone", category="smartphone")
    make_asset(user=user, model_name="Gone laptop", status="to_return")
    page = client.get(f"/catalogue/{make_item().id}/order").get_data(as_text=True)
    question = page.split("<legend>")[1].split("</fieldset>")[0]
    assert question.startswith("Quel équipement remplace-t-il\u202f?")
    assert "Vous avez déjà 2 équipements de cette catégorie (ordinateur portable) en service." in question
    assert re.search(r"Old laptop \(T000001\), \d+,\d\u00a0ans", question) and "Spare laptop (T000002)" in question
    assert "Phone" not in question and "Gone laptop" not in question
    assert "Aucun\u202f: c’est un équipement supplémentaire" in question
    assert "checked" not in question  # no answer chosen for her


def test_no_replacement_question_without_a_device_of_the_category(client, login_as, make_item, make_asset):
    user = login_as("employee")
    make_asset(user=user, model_name="Phone", category="smartphone")
    page = client.get(f"/catalogue/{make_item().id}/order").get_data(as_text=True)
    assert "Quel équipement remplace-t-il" not in page and 'name="additional_reason"' not in page
    assert _order(client, make_item()).status_code == 303


def test_an_unanswered_question_or_an_unjustified_additional_device_is_refused(client, login_as, make_item, make_asset):
    user = login_as("employee")
    make_asset(user=user, model_name="Old laptop")
    item = make_item()
    unanswered = _order(client, item, replaces="")
    assert unanswered.status_code == 422
    page = unanswered.get_data(as_text=True)
    summary = page.split('id="order-errors"')[1].split("</div>")[0]
    assert "Dites quel équipement il remplace, ou que c’est un équipement supplémentaire." in summary
    assert page.index('id="order-errors"') < page.index('name="quantity"')  # the summary opens the form
    assert 'autofocus id="order-errors"' in page
    no_reason = _order(client, item, replaces="additional", additional_reason=" ")
    assert no_reason.status_code == 422
    assert "Dites pourquoi il vous faut un équipement supplémentaire" in no_reason.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0

    added = _order(client, item, replaces="additional", additional_reason="Un second poste pour la salle de crise.")
    assert added.status_code == 303
    order = db.session.scalar(sa.select(Order))
    assert order.replaces_asset_id is None and order.additional_reason == "Un second poste pour la salle de crise."
    assert "Un second poste pour la salle de crise." in client.get(f"/orders/{order.id}").get_data(as_text=True)


def test_a_device_of_another_category_cannot_be_the_replaced_one(make_user, make_item, make_asset):
    requester = make_user()
    phone = make_asset(user=requester, category="smartphone", model_name="Phone")
    with pytest.raises(OrderError) as refused:
        place_order(
            requester=requester,
            item=make_item(),
            quantity=1,
            justification="Pour le travail",
            replaces=phone,
            factor_set=load_factor_set(),
        )
    assert refused.value.code == "replaced_asset"


def test_the_service_refuses_an_additional_device_without_a_reason(make_user, make_item, make_asset):
    requester = make_user()
    make_asset(user=requester, model_name="Old laptop")
    with pytest.raises(OrderError) as refused:
        place_order(
            requester=requester,
            item=make_item(),
            quantity=1,
            justification="Pour le travail",
            replaces=None,
            factor_set=load_factor_set(),
        )
    assert refused.value.code == "additional_reason"


def test_the_approval_card_shows_the_requesters_devices_of_the_category(
    client, login_as, make_user, make_item, make_asset
):
    manager = login_as("manager")
    requester = make_user(manager_id=manager.id, first_name="Ana", last_name="Agent")
    laptop = make_item(name="Laptop A")
    old = make_asset(user=requester, item=laptop, acquired_on=date.today() - timedelta(days=1461))
    make_asset(user=requester, category="smartphone", model_name="Phone X")
    place_order(
        requester=requester,
        item=make_item(name="Laptop B"),
        quantity=1,
        justification="Pour le travail",
        replaces=old,
        factor_set=load_factor_set(),
    )
    db.session.commit()
    page = client.get("/approvals").get_data(as_text=True)
    card = page.split('class="current-devices"')[1].split("</div>")[0]
    assert "Remplace\u202f:" in card and "Maker Laptop A (T000001)" in card
    assert "Ana Agent a 1 équipement de cette catégorie (ordinateur portable)\u202f:" in card
    # 4 years old; (150 + 10 + 2) / 5 + 20 kWh × 0.0519 = 33.438 kg per year
    assert "Maker Laptop A (T000001)\u202f: 4\u00a0ans, 33,4\u202fkg\u202fCO₂e par an" in card
    assert "Phone X" not in card


def test_only_devices_of_the_category_are_suggested_to_keep_each_with_its_own_figure(
    client, login_as, make_item, make_asset
):
    user = login_as("employee")
    laptop = make_item(name="Book")  # embodied 162 kg, lifetime 5 years
    make_asset(user=user, item=laptop, acquired_on=date.today() - timedelta(days=1461))  # 4 years: past half
    make_asset(user=user, item=laptop, acquired_on=date.today() - timedelta(days=365))  # 1 year
    make_asset(user=user, model_name="Phone", category="smartphone", acquired_on=date.today())
    page = client.get(f"/catalogue/{make_item(name='Heavy', fabrication_kgco2e=Decimal('400')).id}/order")
    sober = page.get_data(as_text=True).split("Avant de commander")[1].split("Votre demande")[0]
    assert "Phone" not in sober
    # 4 years old: 162 × 12 / (5 × 12) = 32.4 kg saved by 12 more months.
    assert "Garder mon Maker Book (4\u00a0ans)\u202f:</strong>" in sober
    assert "le garder 12 mois de plus évite 32,4\u202fkg\u202fCO₂e" in sober
    # 1 year old: keep it to its 5 years; replaced now, 162 × (5 − 1) / 5 = 129.6 → 130 kg unused.
    assert "Garder mon Maker Book (1\u00a0an) jusqu’à sa durée de vie attendue de 5\u00a0ans\u202f:" in sober
    assert "remplacé maintenant, 130\u202fkg\u202fCO₂e de sa fabrication seraient perdus." in sober
    assert sober.count("12 mois de plus") == 1


def test_a_lower_footprint_model_is_suggested_only_of_a_comparable_class(client, login_as, make_item):
    login_as("employee")
    ordered = make_item(
        name="Pro 14", fabrication_kgco2e=Decimal("400"), screen_inches=Decimal("14"), processor_class="performance"
    )
    make_item(
        name="Tiny 11", fabrication_kgco2e=Decimal("60"), screen_inches=Decimal("11.6"), processor_class="performance"
    )  # lowest, but a smaller screen
    make_item(name="Entry 14", fabrication_kgco2e=Decimal("70"), screen_inches=Decimal("14"), processor_class="entry")
    make_item(
        name="Pro 13",
        fabrication_kgco2e=Decimal("200"),
        screen_inches=Decimal("13.3"),
        processor_class="performance",
        memory_gb=16,
    )
    sober = client.get(f"/catalogue/{ordered.id}/order").get_data(as_text=True).split("Votre demande")[0]
    assert "Un modèle à l’empreinte plus faible, de classe comparable" in sober and "Maker Pro 13" in sober
    assert "Tiny 11" not in sober and "Entry 14" not in sober
    assert "Écran 13,3 pouces · Mémoire 16 Go" in sober  # its specs, to judge the match
    alone = make_item(name="Only one", screen_inches=Decimal("27"), processor_class="workstation")
    assert "classe comparable" not in client.get(f"/catalogue/{alone.id}/order").get_data(as_text=True)


@pytest.fixture
def submitted(make_item, make_user) -> int:
    manager = make_user(roles=("manager",))
    order = place_order(
        requester=make_user(manager_id=manager.id),
        item=make_item(),
        quantity=2,
        justification="Pour le travail",
        replaces=None,
        factor_set=load_factor_set(),
    )
    db.session.commit()
    return order.id


def _decide(order_id: int, approve: bool):
    order = db.session.get(Order, order_id)
    approver = db.session.get(User, order.requester.manager_id)
    return decide(order, approver=approver, approve=approve, comment="" if approve else "Budget épuisé")


def test_a_delivery_sent_twice_at_once_delivers_once(app, submitted):
    """A double click on "Delivered": the second request waits for the first one's row, then finds it
    delivered (before, both created the devices and the second failed on their tags)."""
    postgresql_only()
    _decide(submitted, approve=True)
    db.session.commit()

    def deliver():
        return [asset.asset_tag for asset in orders.deliver(db.session.get(Order, submitted), today=date(2026, 12, 2))]

    first, second = first_then_second(app, deliver, deliver)
    assert first == [f"CMD{submitted:06d}-1", f"CMD{submitted:06d}-2"]
    assert isinstance(second, OrderError) and second.code == "not_approved"
    assert db.session.scalar(sa.select(sa.func.count(Asset.id))) == 2


def _kinds() -> list[str]:
    kinds = db.session.scalars(sa.select(Notice.kind).order_by(Notice.id))
    return [kind for kind in kinds if kind.startswith("order_")]


@pytest.mark.parametrize("second_approves", [True, False])
def test_two_decisions_at_once_keep_the_first(app, submitted, second_approves):
    """Two tabs of the approvals page: the second decision finds the request decided (one notice, not two)."""
    postgresql_only()
    first, second = first_then_second(
        app, lambda: _decide(submitted, approve=True), lambda: _decide(submitted, approve=second_approves)
    )
    assert first is None and isinstance(second, OrderError) and second.code == "not_submitted"
    db.session.expire_all()
    assert db.session.get(Order, submitted).status == "approved" and _kinds() == ["order_approved"]


def test_an_approval_and_a_cancellation_at_once_keep_the_first(app, submitted):
    postgresql_only()

    def cancel():
        order = db.session.get(Order, submitted)
        orders.cancel(order, requester=order.requester)

    first, second = first_then_second(app, lambda: _decide(submitted, approve=True), cancel)
    assert first is None and isinstance(second, OrderError) and second.code == "not_submitted"
    db.session.expire_all()
    assert db.session.get(Order, submitted).status == "approved" and _kinds() == ["order_approved"]
