"""The catalogue's result and item pages kept per web worker (portal.reference_cache): a change made anywhere is shown
at the next request."""

from __future__ import annotations

from decimal import Decimal

from portal.models import db
from tests.catalogue.fixtures import make_item  # noqa: F401 - fixture
from tests.conftest import another_worker_commits_a_change, write_behind_the_portals_back


def test_results_and_item_pages_show_a_change_made_elsewhere_once_its_generation_arrives(
    client,
    login_as,
    make_item,  # noqa: F811
):
    item = make_item(name="Sobre 14", price_eur=Decimal("1000"))
    login_as("employee")
    assert "Sobre 14" in client.get("/catalogue?category=laptop").get_data(as_text=True)
    assert "1\u202f000 €" in client.get(f"/catalogue/{item.id}").get_data(as_text=True)
    write_behind_the_portals_back(
        "UPDATE catalogue_item SET price_eur = 850, name = 'Sobre 15' WHERE id = :id", id=item.id
    )
    assert "Sobre 14" in client.get("/catalogue?category=laptop").get_data(as_text=True)  # kept
    assert "1\u202f000 €" in client.get(f"/catalogue/{item.id}").get_data(as_text=True)  # kept
    another_worker_commits_a_change()
    html = client.get("/catalogue?category=laptop").get_data(as_text=True)
    assert "Sobre 15" in html and "Sobre 14" not in html
    assert "850 €" in client.get(f"/catalogue/{item.id}").get_data(as_text=True)


def test_an_admins_edit_shows_at_the_next_request(client, login_as, make_item):  # noqa: F811
    item = make_item(name="Sobre 14")
    login_as("admin")
    assert "Sobre 14" in client.get("/catalogue?category=laptop").get_data(as_text=True)
    item.name = "Sobre 16"  # what the admin's item form commits
    db.session.commit()
    html = client.get("/catalogue?category=laptop").get_data(as_text=True)
    assert "Sobre 16" in html and "Sobre 14" not in html


def test_zero_seconds_turns_the_cache_off(client, login_as, make_item, app, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "PORTAL_REFERENCE_CACHE_SECONDS", 0)
    item = make_item(name="Sobre 14")
    login_as("employee")
    assert "Sobre 14" in client.get("/catalogue?category=laptop").get_data(as_text=True)
    write_behind_the_portals_back("UPDATE catalogue_item SET name = 'Sobre 15' WHERE id = :id", id=item.id)
    assert "Sobre 15" in client.get("/catalogue?category=laptop").get_data(as_text=True)


def test_an_inactive_item_stays_hidden_from_employees_and_shown_to_admins(client, login_as, make_item):  # noqa: F811
    item = make_item()
    item.active = False
    db.session.commit()
    login_as("employee")
    assert client.get(f"/catalogue/{item.id}").status_code == 404
    login_as("admin")
    assert "Cet article n’est plus proposé." in client.get(f"/catalogue/{item.id}").get_data(as_text=True)
