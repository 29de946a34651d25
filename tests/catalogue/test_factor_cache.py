"""The category references derived from the factors follow every edit of a factor."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from portal.catalogue.footprints import load_factor_set, reference_from_factor
from portal.catalogue.models import Factor
from portal.catalogue.services import update_factor
from portal.models import db


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
