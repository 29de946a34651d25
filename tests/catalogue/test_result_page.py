"""A page of catalogue results is rendered once per filters, page and language, and never shown stale."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal import reference_cache
from portal.catalogue import services
from portal.models import db


@pytest.fixture
def renders(client, monkeypatch):
    """The entries rendered so far (each call of `catalogue/_result_item.html`)."""
    seen: list[dict] = []
    template = client.application.jinja_env.get_template("catalogue/_result_item.html")
    original = template.render
    monkeypatch.setattr(template, "render", lambda **context: seen.append(context) or original(**context))
    reference_cache.clear()
    return seen


def test_a_page_is_reused_until_what_it_shows_changes(client, login_as, make_item, renders):
    login_as("employee")
    item = make_item(name="Reused", price_eur=Decimal("1000"))

    first = client.get("/catalogue?category=laptop").get_data(as_text=True)
    again = client.get("/catalogue?category=laptop").get_data(as_text=True)
    assert "1\u202f000 €" in first and again == first
    assert len(renders) == 1  # the second request reused the page
    client.get("/catalogue?category=laptop&sort=price")
    assert len(renders) == 2  # other filters: another page

    item.price_eur, item.name = Decimal("850"), "Renamed"
    db.session.commit()
    changed = client.get("/catalogue?category=laptop").get_data(as_text=True)
    assert "850 €" in changed and "Maker Renamed" in changed and "Reused" not in changed
    assert len(renders) == 3


def test_each_language_has_its_own_pages(client, login_as, make_item, renders):
    make_item(name="Bilingual", refurbished=True)
    login_as("employee")
    assert "Reconditionné" in client.get("/catalogue").get_data(as_text=True)
    client.post("/logout")
    login_as("employee", locale="en")
    page = client.get("/catalogue").get_data(as_text=True)
    assert "Refurbished" in page and "Reconditionné" not in page


def test_a_change_rolled_back_is_never_kept(app, client, login_as, make_item, renders):
    item = make_item(name="Committed")
    login_as("employee")
    assert "Committed" in client.get("/catalogue?category=laptop").get_data(as_text=True)
    item.name = "Never committed"
    db.session.flush()
    with app.test_request_context("/catalogue?category=laptop"):
        filters = services.CatalogueFilters(category="laptop")
        pending = services.result_page(filters, number=1, size=20, language="fr")
    assert "Never committed" in str(pending.items[0])  # the session sees its own change…
    db.session.rollback()
    # …and keeps nothing while it is pending: the next request does not show what was rolled back.
    html = client.get("/catalogue?category=laptop").get_data(as_text=True)
    assert "Committed" in html and "Never committed" not in html


def test_an_items_page_is_kept_in_each_language_apart(client, login_as, make_item):
    item = make_item(name="Bilingual", refurbished=True)
    login_as("employee")
    assert "Reconditionné" in client.get(f"/catalogue/{item.id}").get_data(as_text=True)
    client.post("/logout")
    login_as("employee", locale="en")
    page = client.get(f"/catalogue/{item.id}").get_data(as_text=True)
    assert "Refurbished" in page and "Reconditionné" not in page
