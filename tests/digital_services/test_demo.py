"""The demo's services: forty, on hosts, used by the demo employees, with a couple of clearly wasteful ones."""

from __future__ import annotations

import sqlalchemy as sa

from portal.demo.services import load_demo
from portal.digital_services import review
from portal.digital_services.models import DigitalService, ReviewDecision, ServiceSubscription
from portal.models import db
from tests.digital_services.fixtures import a_date


def test_demo_services_and_the_wasteful_ones_first(communes):
    load_demo()
    assert db.session.scalar(sa.select(sa.func.count(DigitalService.id))) == 40
    rows, _ = review.review_rows(review.ReviewFilters(), today=a_date(0))
    first = [r.service.name for r in rows[:3]]
    assert "Rapports décisionnels (licences)" in first and "Ancien intranet (archive)" in first
    # Last year's decision on the shared drives shows a measured saving; the old intranet was given up in the
    # running clean-up campaign.
    decision = db.session.scalar(sa.select(ReviewDecision))
    measured = review.measured_savings([decision], today=a_date(0))
    assert decision.year == a_date(0).year - 1 and measured[decision.id].kgco2e > 0
    given_up = db.session.scalars(sa.select(ServiceSubscription).where(ServiceSubscription.campaign_id.is_not(None)))
    assert len(given_up.all()) == 5
    assert load_demo()["digital services"] == 0  # run again: nothing added
