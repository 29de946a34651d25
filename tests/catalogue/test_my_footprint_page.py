"""My footprint: equivalents with their source, the bar chart and its table, one next step chosen from my devices."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from portal.catalogue.advice import next_step
from portal.catalogue.charts import device_bars
from portal.catalogue.footprints import load_factor_set
from portal.catalogue.my_footprint import my_footprint
from portal.footprint import everyday_equivalents
from portal.footprint.equivalents import two_significant_digits


def test_two_significant_digits():
    assert two_significant_digits(Decimal("870.59")) == Decimal("870")
    assert two_significant_digits(Decimal("58.82")) == Decimal("59")
    assert two_significant_digits(Decimal("2.941")) == Decimal("2.9")
    assert str(two_significant_digits(Decimal("60121.9"))) == "60000"
    assert two_significant_digits(Decimal(0)) == 0


def test_everyday_equivalents_of_a_figure():
    # 147.9 kg ÷ 0.170 kg/km = 870 km; 147.9 kg ÷ 2.46 g = 60,122 e-mails → 60,000
    found = everyday_equivalents(Decimal("147.9"))
    assert [(f.equivalent.key, f.amount) for f in found] == [
        ("petrol_car_km", Decimal("870")),
        ("email_1mb", Decimal("60000")),
    ]
    assert found[0].equivalent.source.year == 2025 and "ADEME" in found[0].equivalent.source.label
    assert everyday_equivalents(Decimal(0)) == [] and everyday_equivalents(Decimal("-3")) == []


def test_device_bars_scale_to_the_longest_of_total_and_average():
    chart = device_bars([("A", Decimal("30")), ("B", Decimal("70"))], "Total", Decimal("200"))
    # scale = 200 × 1.05 = 210: 30 → 14.3 %, 70 → 33.3 %, total 100 → 47.6 %, average → 95.2 %
    assert [(bar.label, bar.percent) for bar in chart.bars] == [
        ("A", Decimal("14.3")),
        ("B", Decimal("33.3")),
        ("Total", Decimal("47.6")),
    ]
    assert chart.bars[-1].total and chart.average_percent == Decimal("95.2")
    assert chart.height == 28 + 3 * 44
    no_average = device_bars([("A", Decimal("10"))], "Total", None)
    assert no_average.average_percent is None and no_average.bars[-1].percent == Decimal("95.2")


def _mine(user, today=date(2026, 6, 1)):
    return my_footprint(user, load_factor_set(), today=today)


def test_next_step_return_comes_first(make_user, make_item, make_asset):
    user = make_user()
    make_asset(user=user, item=make_item(), acquired_on=date(2025, 1, 1))
    make_asset(user=user, item=make_item(), acquired_on=date(2018, 1, 1), status="to_return")
    step = next_step(_mine(user).devices)
    assert step.kind == "return" and step.count == 1


def test_next_step_refurbished_for_a_device_past_its_lifetime(make_user, make_item, make_asset):
    user = make_user()
    make_asset(user=user, item=make_item(), acquired_on=date(2025, 1, 1))
    old = make_asset(user=user, item=make_item(), acquired_on=date(2020, 1, 1))  # 6.4 years, lifetime 5
    step = next_step(_mine(user).devices)
    assert step.kind == "refurbished" and step.device.asset.id == old.id


def test_next_step_keep_otherwise(make_user, make_item, make_asset):
    user = make_user()
    make_asset(user=user, item=make_item(fabrication_kgco2e=Decimal("60")), acquired_on=date(2025, 1, 1))
    heavy = make_asset(user=user, item=make_item(fabrication_kgco2e=Decimal("400")), acquired_on=date(2024, 1, 1))
    step = next_step(_mine(user).devices)
    assert step.kind == "keep" and step.device.asset.id == heavy.id
    assert next_step([]) is None


def test_my_footprint_page_shows_equivalents_chart_and_one_next_step(client, login_as, make_item, make_asset):
    user = login_as("employee")
    today = date.today()
    make_asset(
        user=user, item=make_item(name="Book 14", annual_kwh=Decimal("0")), acquired_on=today - timedelta(days=400)
    )
    page = client.get("/me/footprint").get_data(as_text=True)
    # 162 kg over 5 years = 32.4 kg per year → 190 km (32.4 ÷ 0.170 = 190.6), 13,000 e-mails (13,171)
    assert "≈ 190 km en voiture essence" in page
    assert "≈ 13\u202f000 courriels de 1 Mo" in page or "≈ 13 000 courriels de 1 Mo" in page
    assert "ADEME Impact CO2 (2025)" in page
    assert '<svg role="img" aria-labelledby="devices-chart-title devices-chart-desc"' in page
    assert "Maker Book 14</text>" in page and "32,4\u202fkg\u202fCO₂e</text>" in page
    assert page.count('class="next-step') == 1 and "Gardez votre Maker Book 14" in page
    assert "Tous mes équipements" in page  # the table's total row, as in the chart


def test_my_footprint_page_asks_to_return_first(client, login_as, make_item, make_asset):
    user = login_as("employee")
    make_asset(user=user, item=make_item(), status="to_return")
    page = client.get("/me/footprint").get_data(as_text=True)
    assert "Vous avez 1 équipement à rendre" in page


def test_item_page_gives_the_purchase_footprint_in_everyday_equivalents(client, login_as, make_item):
    login_as("employee")
    item = make_item(name="Book 14")  # 150 + 10 + 2 = 162 kg when purchased → 950 km (952.9), 66,000 e-mails
    page = client.get(f"/catalogue/{item.id}").get_data(as_text=True)
    assert "À l’achat, autant de CO₂e que" in page
    assert "≈ 950 km en voiture essence" in page and "courriels de 1 Mo" in page


def test_equivalents_in_english(client, login_as, make_item):
    login_as("employee", locale="en")
    item = make_item(name="Book 14")
    page = client.get(f"/catalogue/{item.id}").get_data(as_text=True)
    assert "≈ 950 km in a petrol car" in page and "≈ 66,000 e-mails of 1 MB" in page
    assert "compact petrol car, 0.17 kg CO₂e per km including its manufacture" in page
