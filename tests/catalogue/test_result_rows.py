"""Catalogue entries are rendered once per content and language, and never shown stale."""

from __future__ import annotations

from decimal import Decimal

from portal.catalogue import display
from portal.models import db


def test_an_entry_is_reused_until_what_it_shows_changes(client, login_as, make_item, monkeypatch):
    login_as("employee")
    item = make_item(name="Reused", price_eur=Decimal("1000"))
    renders = []
    template = client.application.jinja_env.get_template("catalogue/_result_item.html")
    original = template.render
    monkeypatch.setattr(template, "render", lambda **context: renders.append(context) or original(**context))
    display._result_rows.clear()

    first = client.get("/catalogue?category=laptop").get_data(as_text=True)
    again = client.get("/catalogue?category=laptop&sort=price").get_data(as_text=True)
    assert "1\u202f000 €" in first and "1\u202f000 €" in again
    assert len(renders) == 1  # the second page reused the entry

    item.price_eur, item.name = Decimal("850"), "Renamed"
    db.session.commit()
    changed = client.get("/catalogue?category=laptop").get_data(as_text=True)
    assert "850 €" in changed and "Maker Renamed" in changed and "Reused" not in changed
    assert len(renders) == 2


def test_each_language_has_its_own_entries(client, login_as, make_item):
    make_item(name="Bilingual", refurbished=True)
    display._result_rows.clear()
    login_as("employee")
    assert "Reconditionné" in client.get("/catalogue").get_data(as_text=True)
    client.post("/logout")
    login_as("employee", locale="en")
    page = client.get("/catalogue").get_data(as_text=True)
    assert "Refurbished" in page and "Reconditionné" not in page
