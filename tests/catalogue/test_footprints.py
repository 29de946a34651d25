"""Stored results of catalogue items follow the footprint core and the (versioned) factor library."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from portal.catalogue.footprints import load_factor_set
from portal.catalogue.models import CatalogueItem, Factor
from portal.catalogue.orders import place_order
from portal.catalogue.services import update_factor, version_changes
from portal.models import db


def test_item_results_are_computed_from_its_inputs(make_item):
    item = make_item()
    # embodied 150 + 10 + 2 = 162; 162 / 5 years = 32.4; use 20 kWh × 0.0519 = 1.038; total 33.438
    assert item.embodied_kgco2e == Decimal("162.0000")
    assert item.annual_use_kgco2e == Decimal("1.0380")
    assert item.annualised_kgco2e == Decimal("33.4380")
    # laptop reference: 185.09 / 5 + 29 × 0.0519 = 38.5231; 33.438 / 38.5231 = 0.868 → C (0.85 < r ≤ 1.10)
    assert item.label == "C"
    assert item.result_quality == "manufacturer"


def test_missing_lifetime_uses_the_category_value_and_is_an_estimate(make_item):
    item = make_item(lifetime_years=None)
    # laptop lifetime 5 years: same numbers, but an estimate
    assert item.annualised_kgco2e == Decimal("33.4380")
    assert item.result_quality == "estimated"


def test_refurbished_item_counts_only_the_unavoided_share(make_item):
    new = make_item()
    refurbished = make_item(refurbished=True, refurbished_of_id=new.id)
    # laptop avoided share 0.73: 162 × 0.27 = 43.74 embodied; 43.74 / 5 + 1.038 = 9.786
    assert refurbished.embodied_kgco2e == Decimal("43.7400")
    assert refurbished.annualised_kgco2e == Decimal("9.7860")
    assert refurbished.label == "A"


def test_catalogue_yardstick_is_the_median_of_manufacturer_sheets(catalogue):
    laptop = db.session.scalar(sa.select(Factor).where(Factor.key == "laptop"))
    values = sorted(
        i.annualised_kgco2e for i in catalogue.values() if i.category == "laptop" and not i.refurbished and i.source_url
    )
    middle = len(values) // 2
    median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    assert laptop.reference_source == f"catalogue_median:{len(values)}"
    assert laptop.reference_annualised_kgco2e == median.quantize(Decimal("0.0001"))
    labels = {i.label for i in catalogue.values() if i.category == "laptop"}
    assert {"A", "C", "E"} <= labels  # the label spreads real products


def test_editing_a_factor_versions_it_recomputes_items_and_orders_keep_their_version(make_item, make_user):
    admin = make_user(roles=("admin",))
    employee = make_user()
    item = make_item(annual_kwh=None)  # uses the category's kWh: 29 kWh/year
    order = place_order(
        requester=employee,
        item=item,
        quantity=1,
        justification="Needed for field work",
        replaces=None,
        factor_set=load_factor_set(),
    )
    db.session.commit()
    laptop = db.session.scalar(sa.select(Factor).where(Factor.key == "laptop"))
    changes = update_factor(laptop, {"annual_kwh": Decimal("40")}, by=admin, comment="New measurement")
    db.session.commit()

    assert [(c.field, c.old, c.new) for c in changes] == [("annual_kwh", "29", "40")]
    assert laptop.version == 2
    history = version_changes(laptop.versions)
    assert history[0][0].changed_by_id == admin.id and history[0][0].comment == "New measurement"
    db.session.refresh(item)
    # 162 / 5 + 40 × 0.0519 = 32.4 + 2.076 = 34.476
    assert item.annualised_kgco2e == Decimal("34.4760")
    db.session.refresh(order)
    assert order.annualised_kgco2e == Decimal("33.9051")  # 32.4 + 29 × 0.0519, frozen
    assert order.factor_version.version == 1


def test_editing_the_electricity_factor_recomputes_every_category(make_item, make_user):
    admin = make_user(roles=("admin",))
    laptop = make_item()
    monitor = make_item(category="monitor", annual_kwh=Decimal("70"))
    electricity = db.session.scalar(sa.select(Factor).where(Factor.key == "electricity_fr"))
    update_factor(electricity, {"value": Decimal("0.1")}, by=admin, comment="test")
    db.session.commit()
    db.session.refresh(laptop)
    db.session.refresh(monitor)
    assert laptop.annual_use_kgco2e == Decimal("2.0000")  # 20 kWh × 0.1
    assert monitor.annual_use_kgco2e == Decimal("7.0000")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CatalogueItem)) == 2
