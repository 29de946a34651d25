"""The catalogue's items and factors kept per web worker (portal.reference_cache): a change made anywhere is
shown at the next request."""

from __future__ import annotations

from decimal import Decimal

from portal.models import db
from tests.catalogue.fixtures import make_item  # noqa: F401 - fixture
from tests.conftest import another_worker_commits_a_change, write_behind_the_portals_back


def test_catalogue_pages_show_a_price_change_made_elsewhere(client, login_as, make_item):  # noqa: F811
    item = make_item(name="Sobre 14", price_eur=Decimal("1000"))
    login_as("employee")
    assert "1\u202f000 €" in client.get(f"/catalogue/{item.id}").get_data(as_text=True)
    assert "Sobre 14" in client.get("/catalogue?category=laptop").get_data(as_text=True)
    write_behind_the_portals_back(
        "UPDATE catalogue_item SET price_eur = 850, name = 'Sobre 15' WHERE id = :id", id=item.id
    )
    assert "1\u202f000 €" in client.get(f"/catalogue/{item.id}").get_data(as_text=True)  # kept
    another_worker_commits_a_change()
    assert "850 €" in client.get(f"/catalogue/{item.id}").get_data(as_text=True)
    html = client.get("/catalogue?category=laptop").get_data(as_text=True)
    assert "Sobre 15" in html and "Sobre 14" not in html


def test_an_inactive_item_stays_hidden_from_employees_and_shown_to_admins(client, login_as, make_item):  # noqa: F811
    item = make_item()
    item.active = False
    db.session.commit()
    login_as("employee")
    assert client.get(f"/catalogue/{item.id}").status_code == 404
    login_as("admin")
    assert "Cet article n’est plus proposé." in client.get(f"/catalogue/{item.id}").get_data(as_text=True)
