"""The menu: each user's areas, with their URLs and words in the user's language."""

from __future__ import annotations

from flask import url_for
from flask_babel import force_locale

from portal.main import services
from tests.conftest import csrf_token


def _menu(html: str) -> str:
    return html.split('<nav class="main"', 1)[1].split("</nav>", 1)[0]


def test_the_menu_links_are_the_areas_of_the_user_translated(app, make_user):
    for roles in ((), ("manager",), ("comms",), ("admin",), ("manager", "comms")):
        user = make_user(roles=roles)
        for locale in ("fr", "en"):
            with app.test_request_context("/"), force_locale(locale):
                expected = {
                    (area.endpoint, url_for(area.endpoint), str(area.title), str(area.description))
                    for area in services.areas_for(user)
                }
                menu = services.nav_menu(user)
                hubs = [view for view in (*menu.back_office, menu.me) if view is not None]
                # Every area is reached from the menu: at its top, or on the hub page an entry of the menu opens.
                links = [link for link in menu.top if link.endpoint != "main.hub"]
                links += [link for view in hubs for link in view.links]
                assert {(link.endpoint, link.url, link.title, link.description) for link in links} == expected
                assert len(menu.top) <= services.MENU_TOP_ENTRIES


def test_the_menu_follows_the_language_and_the_roles(client, login_as):
    login_as("employee")
    menu = _menu(client.get("/").get_data(as_text=True))
    assert "Mes messages" in menu and "Messages aux agents" not in menu  # a comms area, not for an employee
    client.post("/language", data={"locale": "en", "csrf_token": csrf_token(client), "next": "/"})
    menu = _menu(client.get("/").get_data(as_text=True))
    assert "My messages" in menu and "Mes messages" not in menu
    login_as("comms")
    menu = _menu(client.get("/").get_data(as_text=True))
    assert "/pages/comms" in menu  # the communication hub, which lists the comms pages
    hub = client.get("/pages/comms").get_data(as_text=True)
    assert "Messages aux agents" in hub or "Messages to employees" in hub
