"""The demo's services: forty, on hosts, used by the demo employees, with a couple of clearly wasteful ones."""

from __future__ import annotations

import sqlalchemy as sa

from portal.demo.services import load_demo
from portal.digital_services import review
from portal.digital_services.models import DigitalService
from portal.models import db
from tests.digital_services.fixtures import a_date


def test_demo_services_and_the_wasteful_ones_first(communes):
    load_demo()
    assert db.session.scalar(sa.select(sa.func.count(DigitalService.id))) == 40
    rows, _ = review.review_rows(review.ReviewFilters(), today=a_date(0))
    first = [r.service.name for r in rows[:3]]
    assert "Rapports décisionnels (licences)" in first and "Ancien intranet (archive)" in first
    assert load_demo()["digital services"] == 0  # run again: nothing added
