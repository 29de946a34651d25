"""The factor set is kept per worker as plain values, and follows every edit of a factor at once."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.catalogue.footprints import FactorValues, load_factor_set, reference_from_factor
from portal.catalogue.models import Factor
from portal.catalogue.services import seed_factors, update_factor
from portal.models import db
from tests.catalogue.test_admin_factors import factor_form


def test_an_edited_factor_gets_a_new_reference_at_once(make_item, make_user):
    admin = make_user(roles=("admin",))
    make_item()
    before = load_factor_set().references["laptop"]
    laptop = db.session.scalar(sa.select(Factor).where(Factor.key == "laptop"))
    update_factor(laptop, {"annual_kwh": Decimal("40"), "note": "Measured"}, by=admin, comment="New measurement")
    db.session.commit()

    after = load_factor_set().references["laptop"]
    assert after.annual_kwh.value == Decimal("40") and after.note == "Measured"
    assert before.annual_kwh.value != Decimal("40")
    assert after == reference_from_factor(laptop)


def test_the_factor_set_is_kept_as_plain_values_between_requests():
    seed_factors()
    db.session.commit()
    first = load_factor_set()
    db.session.commit()  # a new transaction, as the next request: the same generation, the same values
    assert load_factor_set() is first
    assert all(isinstance(values, FactorValues) for values in first.factors.values())
    with pytest.raises(TypeError):
        first.factors["laptop"] = first.factors["laptop"]  # type: ignore[index]


def test_an_admin_edit_of_a_factor_shows_at_the_next_request(client, login_as):
    seed_factors()
    db.session.commit()
    login_as("admin", locale="en")
    assert "× 0.0519 kg CO₂e/kWh" in client.get("/catalogue/method").get_data(as_text=True)

    data = factor_form(client, "electricity_fr", value="0.1038", comment="Doubled mix")
    assert client.post("/admin/factors/electricity_fr/edit", data=data).status_code == 303

    page = client.get("/catalogue/method").get_data(as_text=True)
    assert "× 0.1038 kg CO₂e/kWh" in page and "× 0.0519 kg CO₂e/kWh" not in page
    assert client.get("/admin/factors").get_data(as_text=True).count("0.1038") >= 1
