"""The category references derived from the factors are computed once per factor content, and follow edits."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from portal.catalogue.footprints import cached_reference, load_factor_set, reference_from_factor
from portal.catalogue.models import Factor
from portal.catalogue.services import update_factor
from portal.models import db


def test_cached_references_equal_the_computed_ones(make_item):
    make_item()  # seeds the factor library
    factor_set = load_factor_set()
    for key, factor in factor_set.factors.items():
        if factor.kind == "category":
            assert factor_set.references[key] == reference_from_factor(factor)
            assert cached_reference(factor) is cached_reference(factor)


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
    # The same value written differently (40 vs 40.00) is not mistaken for it: a reference per exact value.
    laptop.annual_kwh = Decimal("40.00")
    assert cached_reference(laptop).annual_kwh.value.as_tuple() == Decimal("40.00").as_tuple()
