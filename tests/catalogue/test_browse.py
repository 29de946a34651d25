"""Browsing the catalogue: filters, sorting, htmx fragments, detail, comparison, method page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest


def _names(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/catalogue/\d+">([^<]+)</a>', html)


def test_catalogue_requires_login(client):
    assert client.get("/catalogue").status_code == 302


def test_filters_by_category_label_condition_and_price_and_sorts(client, login_as, make_item):
    login_as("employee")
    make_item(name="Cheap A", fabrication_kgco2e=Decimal("40"), price_eur=Decimal("500"))
    make_item(name="Dear C", price_eur=Decimal("1500"))
    make_item(name="Refurb", refurbished=True, price_eur=Decimal("400"))
    make_item(name="Screen", category="monitor", price_eur=Decimal("200"))

    page = client.get("/catalogue?category=laptop").get_data(as_text=True)
    assert set(_names(page)) == {"Maker Cheap A", "Maker Dear C", "Maker Refurb"}
    assert "3 articles" in page

    by_price = _names(client.get("/catalogue?category=laptop&sort=price").get_data(as_text=True))
    assert by_price == ["Maker Refurb", "Maker Cheap A", "Maker Dear C"]

    label_a = _names(client.get("/catalogue?label=A").get_data(as_text=True))
    assert "Maker Dear C" not in label_a and "Maker Cheap A" in label_a

    new_only = _names(client.get("/catalogue?refurbished=no&category=laptop").get_data(as_text=True))
    assert "Maker Refurb" not in new_only

    priced = _names(client.get("/catalogue?price_min=450&price_max=1000").get_data(as_text=True))
    assert priced == ["Maker Cheap A"]


def test_prices_are_read_as_the_reader_writes_them(client, login_as, make_item):
    make_item(name="Cheap A", price_eur=Decimal("500"))
    make_item(name="Dear C", price_eur=Decimal("1500"))
    login_as("employee", locale="en")
    assert _names(client.get("/catalogue?price_max=1,000").get_data(as_text=True)) == ["Maker Cheap A"]
    login_as("employee")  # French: 1 000 with any space, the comma being the decimal one
    assert _names(client.get("/catalogue?price_max=1%C2%A0000").get_data(as_text=True)) == ["Maker Cheap A"]
    assert _names(client.get("/catalogue?price_min=1499,5").get_data(as_text=True)) == ["Maker Dear C"]


def test_each_item_shows_label_in_words_footprints_and_quality(client, login_as, make_item):
    login_as("employee")
    make_item(name="Shown")
    page = client.get("/catalogue").get_data(as_text=True)
    assert "empreinte habituelle" in page  # label C in words, not colour alone
    assert "À l’achat : 162\u202fkg\u202fCO₂e" in page
    assert "À l’usage : 1\u202fkg\u202fCO₂e par an" in page or "À l’usage : 1\u202fkg" in page
    assert "−13\u00a0% par rapport à un ordinateur portable type" in page
    assert "Fiche constructeur" in page


def test_bad_filter_values_are_ignored_not_errors(client, login_as, make_item):
    login_as("employee")
    make_item()
    response = client.get("/catalogue?category=<script>&label=Z&sort=evil&price_min=abc&page=-3")
    assert response.status_code == 200
    assert "1 article" in response.get_data(as_text=True)


def test_htmx_gets_only_the_results_fragment(client, login_as, make_item):
    login_as("employee")
    make_item()
    response = client.get("/catalogue?category=laptop", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="catalogue-results"')
    assert "HX-Request" in response.headers["Vary"]


def test_long_results_are_paginated(client, login_as, make_item):
    login_as("employee")
    for n in range(25):
        make_item(name=f"Item {n:02d}", price_eur=Decimal(100 + n))
    first = client.get("/catalogue?sort=price").get_data(as_text=True)
    assert len(_names(first)) == 20 and "Page 1 sur 2" in first
    second = client.get("/catalogue?sort=price&page=2").get_data(as_text=True)
    assert _names(second) == [f"Maker Item {n:02d}" for n in range(20, 25)]


def test_detail_shows_breakdown_sources_and_lower_impact_alternatives(client, login_as, make_item):
    login_as("employee")
    item = make_item(name="Heavy", fabrication_kgco2e=Decimal("300"), source_url="https://maker.example/sheet.pdf")
    make_item(name="Light", fabrication_kgco2e=Decimal("60"))
    make_item(name="Refurbished heavy", fabrication_kgco2e=Decimal("300"), refurbished=True, refurbished_of_id=item.id)
    page = client.get(f"/catalogue/{item.id}").get_data(as_text=True)
    for words in (
        "Fabrication",
        "Distribution",
        "Fin de vie",
        "Maker product sheet",
        "https://maker.example/sheet.pdf",
        "ADEME",
    ):
        assert words in page
    alternatives = page.split("Alternatives à moindre impact")[1]
    assert alternatives.index("Refurbished heavy") < alternatives.index("Light")  # the refurbished variant first


def test_unknown_or_withdrawn_item_is_404_for_employees(client, login_as, make_item):
    login_as("employee")
    withdrawn = make_item(active=False)
    assert client.get(f"/catalogue/{withdrawn.id}").status_code == 404
    assert client.get("/catalogue/999999").status_code == 404
    assert client.get(f"/catalogue/{withdrawn.id}/order").status_code == 404


def test_compare_shows_up_to_three_items(client, login_as, make_item):
    login_as("employee")
    items = [make_item(name=f"Cmp {n}") for n in range(4)]
    ids = ",".join(str(i.id) for i in items)
    page = client.get(f"/catalogue/compare?ids={ids}").get_data(as_text=True)
    assert "Cmp 0" in page and "Cmp 2" in page and "Cmp 3" not in page
    assert "jusqu’à 3 articles" in page
    checkboxes = client.get(f"/catalogue/compare?id={items[0].id}&id={items[1].id}").get_data(as_text=True)
    assert "2 articles comparés" in checkboxes


@pytest.mark.parametrize("locale, words", [("fr", "Comment sont calculées"), ("en", "How footprints and labels")])
def test_method_page_explains_thresholds_and_sources_in_both_languages(client, login_as, make_item, locale, words):
    login_as("employee", locale=locale)
    make_item()
    page = client.get("/catalogue/method").get_data(as_text=True)
    assert words in page
    assert "Base Empreinte" in page and "Boavizta" in page
    assert "0,85" in page or "0.85" in page  # the B threshold
