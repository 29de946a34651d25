"""/me/footprint: my devices, their footprint per year, keep-longer savings, the organisation's average."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.catalogue.footprints import load_factor_set
from portal.catalogue.my_footprint import my_footprint
from portal.models import db


def test_my_devices_totals_and_savings_are_computed(make_item, make_asset, make_user):
    me = make_user()
    item = make_item()  # 162 kg embodied, 5 years, 1.038 kg/year of use: 33.438 kg/year
    make_asset(user=me, item=item, acquired_on=date(2024, 1, 1))
    make_asset(user=me, item=None, category="smartphone", model_name="Old phone", acquired_on=date(2022, 1, 1))
    make_asset(user=make_user(), item=item)  # a colleague's
    mine = my_footprint(me, load_factor_set(), today=date(2026, 1, 1))

    assert [d.asset.model_name for d in mine.devices] == ["Old phone", "Maker Model 1"]
    laptop = mine.devices[1]
    assert laptop.age_years == Decimal("2.00")
    # keeping 12 more months saves embodied × 12/12 / max(age, lifetime) = 162 / 5 = 32.4 kg
    assert laptop.keep_12_months_saving.value == Decimal("32.4")
    phone = mine.devices[0]
    # smartphone category: (77 + 2.27 + 0.246) / 2.5 + 4.93 × 0.0519 = 31.8064 + 0.255867 = 32.062267
    assert phone.footprint.annualised.value.quantize(Decimal("0.0001")) == Decimal("32.0623")
    assert phone.footprint.quality.value == "estimated"
    assert mine.total_annualised.value.quantize(Decimal("0.001")) == Decimal("65.500")
    # two employees with devices: (33.438 + 32.0623 + 33.438) / 2 employees
    assert mine.organisation_average == Decimal("49.47")
    assert Decimal("0.9") < mine.embodied_share < Decimal("1")


def test_page_lists_my_devices_only_and_explains_the_saving(client, login_as, make_item, make_asset, make_user):
    me = login_as("employee")
    make_asset(user=me, item=make_item(name="Mine"), acquired_on=date(2021, 5, 1))
    make_asset(user=make_user(), item=make_item(name="Theirs"))
    page = client.get("/me/footprint").get_data(as_text=True)
    assert "Maker Mine" in page and "Maker Theirs" not in page
    assert "Mes équipements pèsent" in page
    assert "La moyenne par agent de la métropole" in page


def test_empty_state_when_no_device(client, login_as):
    login_as("employee")
    page = client.get("/me/footprint").get_data(as_text=True)
    assert "Aucun équipement ne vous est attribué" in page


def test_an_items_new_figures_show_on_my_footprint_at_the_next_request(client, login_as, make_item, make_asset):
    me = login_as("employee")
    item = make_item(name="Kept")  # 162 kg embodied over 5 years: 33,4 kg per year
    make_asset(user=me, item=item, acquired_on=date(2024, 1, 1))
    db.session.commit()
    assert "pèsent 33,4\u202fkg\u202fCO₂e" in client.get("/me/footprint").get_data(as_text=True)
    assert "pèsent 33,4\u202fkg\u202fCO₂e" in client.get("/me/footprint").get_data(as_text=True)  # kept: the same
    item.lifetime_years = Decimal(10)  # 162 / 10 + 1.038: 17,2 kg per year
    db.session.commit()
    page = client.get("/me/footprint").get_data(as_text=True)
    assert "pèsent 17,2\u202fkg\u202fCO₂e" in page
    assert "pèsent 33,4" not in page


def test_an_item_changed_in_the_session_is_computed_afresh(make_item, make_asset, make_user):
    me = make_user()
    item = make_item()
    make_asset(user=me, item=item, acquired_on=date(2024, 1, 1))
    db.session.commit()
    factor_set = load_factor_set()
    assert my_footprint(me, factor_set, today=date(2026, 1, 1)).total_annualised.value == Decimal("33.438")
    item.lifetime_years = Decimal(10)  # not flushed yet
    assert my_footprint(me, load_factor_set(), today=date(2026, 1, 1)).total_annualised.value == Decimal("17.238")
