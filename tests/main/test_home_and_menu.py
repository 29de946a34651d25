"""The home page is the employee's own (figures, what waits for them, one suggested action); the menu keeps at
most six entries for any role, the other pages are listed on hub pages."""

from __future__ import annotations

from datetime import date

from portal.areas import MENU_TOP_ENTRIES, Area
from portal.catalogue.footprints import load_factor_set
from portal.catalogue.orders import place_order
from portal.main import services
from portal.models import db
from tests.catalogue.test_queries import count_queries


def _menu(html: str) -> str:
    return html.split('<nav class="main"', 1)[1].split("</nav>", 1)[0]


def test_no_role_sees_more_than_six_menu_entries(client, login_as):
    for roles in ((), ("manager",), ("comms",), ("admin",), ("manager", "comms")):
        login_as(*roles) if roles else login_as("employee")
        menu = _menu(client.get("/").get_data(as_text=True))
        assert 0 < menu.count("<li>") <= MENU_TOP_ENTRIES, roles


def test_the_back_office_entry_lists_every_hub_of_the_user(client, login_as):
    login_as("admin")
    html = client.get("/").get_data(as_text=True)
    assert "Administration" in _menu(html) and "Synchronisation de l’annuaire" not in _menu(html)
    hub = client.get("/pages/admin").get_data(as_text=True)
    for words in (
        "Synchronisation de l’annuaire",
        "Lien avec l’ITSM",
        "Communication",
        "Messages aux agents",
        "Équipe",
        "Validations",
    ):
        assert words in hub, words
    assert "Mon espace" in html  # the header's link to my orders, account and data
    assert "Mes commandes" in client.get("/pages/me").get_data(as_text=True)


def test_a_hub_the_user_has_no_page_in_is_not_found(client, login_as):
    login_as("employee")
    assert client.get("/pages/admin").status_code == 404
    assert client.get("/pages/nowhere").status_code == 404
    login_as("manager")
    assert "Validations" in client.get("/pages/team").get_data(as_text=True)
    assert client.get("/pages/comms").status_code == 404


def test_a_new_domains_area_lands_in_its_roles_hub():
    areas = [Area(f"x.top{n}", "t", "d", order=n) for n in range(7)]
    areas += [
        Area("estate.admin", "t", "d", role="admin"),
        Area("budgets.team", "t", "d", role="manager"),
        Area("services.mine", "t", "d", hub="me"),
        Area("odd.page", "t", "d", hub="unknown"),
    ]
    top, hubs = services._group(areas)
    assert [area.endpoint for area in top] == [f"x.top{n}" for n in range(MENU_TOP_ENTRIES - 1)]
    assert [area.endpoint for area in hubs["admin"]] == ["estate.admin"]
    assert [area.endpoint for area in hubs["team"]] == ["budgets.team"]
    assert [area.endpoint for area in hubs["me"]] == ["x.top5", "x.top6", "services.mine", "odd.page"]


def test_the_home_page_shows_my_figures_and_one_suggested_action(client, login_as, make_user, make_item, make_asset):
    manager = login_as("manager")
    agent = make_user(first_name="Ana", manager_id=manager.id)
    item = make_item(name="Book 14")
    make_asset(user=manager, item=item, acquired_on=date(2022, 1, 1))
    make_asset(user=manager, item=item, status="to_return", model_name="Old Book 13")
    place_order(
        requester=agent, item=item, quantity=1, justification="Batterie HS", replaces=None, factor_set=load_factor_set()
    )
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "Mes 1 équipements" not in html and "Mon équipement, par an" in html
    assert "Moyenne par agent, par an" in html
    assert "1 équipement à rendre\u202f:" in html and "Old Book 13" in html
    # The most urgent action only: a decision the team waits for comes before the device to return.
    assert html.count('class="suggestion"') == 1
    suggestion = html.split('class="suggestion"', 1)[1].split("</p>", 1)[0]
    assert "Décidez des demandes d’équipement de votre équipe." in suggestion
    assert "1 demande attend votre décision" in html
    assert 'class="cards"' not in html  # the menu is not repeated as cards


def test_an_employee_with_nothing_waiting_gets_a_calm_home(client, login_as):
    login_as("employee")
    html = client.get("/").get_data(as_text=True)
    assert "Rien ne vous attend." in html and 'class="suggestion"' not in html
    assert "2,5\u202f%" in html  # the national figure stays, small, its % never on a line of its own


def test_the_home_page_reads_notices_and_orders_only_when_the_session_user_has_some(client, login_as, make_item):
    me = login_as("employee")
    with count_queries() as statements:
        html = client.get("/").get_data(as_text=True)
    assert "Rien ne vous attend." in html
    # The counts came with the session user: neither list is read for an employee who has none.
    assert not [s for s in statements if s.lstrip().startswith(("SELECT notice.", "SELECT equipment_order."))]

    order = place_order(
        requester=me,
        item=make_item(name="Book 14"),
        quantity=1,
        justification="Batterie HS",
        replaces=None,
        factor_set=load_factor_set(),
    )
    services.notify(me, "order_approved", {"item": "Book 14", "order_id": order.id})
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "1 nouvelle notification" in html and "Votre demande de Book 14 a été acceptée." in html
    assert f'href="/orders/{order.id}"' in html


def test_the_counts_read_with_the_session_user_are_read_again_after_a_write(app, make_user):
    from portal.accounts.services import load_session_user, user_counts

    me = make_user()
    db.session.commit()
    assert load_session_user(f"{me.id}:{me.session_version}") is not None
    assert user_counts(me)["main.unread_notices"] == 0
    services.notify(me, "order_approved", {"item": "Book 14", "order_id": 1})
    db.session.flush()
    assert user_counts(me)["main.unread_notices"] == 1
    assert user_counts(me)["catalogue.open_orders"] == 0
