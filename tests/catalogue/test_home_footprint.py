"""The home page's footprint panel: my devices' total from their columns and stored results, the same as
/me/footprint's, and a factor edit shown at the next request."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.catalogue.footprints import load_factor_set
from portal.catalogue.home import home_devices, home_footprint
from portal.catalogue.models import Factor
from portal.catalogue.my_footprint import my_footprint
from portal.catalogue.services import seed_factors
from portal.models import db, utcnow


def test_the_panel_total_is_my_footprints_total(app, make_item, make_asset, make_user):
    me = make_user()
    make_asset(user=me, item=make_item(), acquired_on=date(2024, 1, 1))
    make_asset(user=me, item=None, category="smartphone", model_name="Old phone", status="to_return")
    make_asset(user=make_user(), item=make_item())  # a colleague's
    with app.test_request_context("/"):
        panel = home_footprint(me, utcnow())
    mine = my_footprint(me, load_factor_set(), today=date(2026, 1, 1))
    shown = panel["footprint"]
    assert shown.total_annualised.quantize(Decimal("0.001")) == mine.total_annualised.value.quantize(Decimal("0.001"))
    assert shown.quality == mine.total_annualised.quality
    assert (shown.in_use, shown.to_return) == (1, ("Old phone",))
    assert panel["suggestion"].priority == 20  # a device to return comes first


def test_a_category_factor_edit_shows_at_the_next_request(client, login_as, make_asset):
    seed_factors()
    db.session.commit()
    me = login_as("employee")
    make_asset(user=me, item=None, category="smartphone", model_name="Old phone")
    before = home_devices(me)[0].annualised
    factor = db.session.scalar(sa.select(Factor).where(Factor.key == "smartphone"))
    factor.fabrication_kgco2e += Decimal("25")  # what the admin's factor form commits
    db.session.commit()
    assert home_devices(me)[0].annualised == before + Decimal("25") / factor.lifetime_years
    assert client.get("/").status_code == 200


def test_no_panel_without_a_device(app, make_user):
    with app.test_request_context("/"):
        assert home_footprint(make_user(), utcnow()) is None
