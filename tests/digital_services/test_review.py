"""The service review: usefulness against footprint per active user, quadrant order, decisions and history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.digital_services import review
from portal.digital_services.models import DigitalService, ReviewDecision
from portal.digital_services.services import ServiceError, annual_footprint_by_service, annual_footprint_total
from portal.models import db
from tests.conftest import csrf_token
from tests.digital_services.fixtures import a_date


@pytest.fixture
def estate(make_user, make_host, make_service, subscribe):
    """Four services on one server (455.7 kg/year at 0.0519): two heavy, two light; used a lot or barely."""
    users = [make_user() for _ in range(4)]
    host = make_host(capacity=Decimal(100))
    heavy_idle = make_service(name="Heavy idle", criticality="low", components=[(host, 40)])
    heavy_busy = make_service(name="Heavy busy", criticality="high", components=[(host, 40)])
    light_idle = make_service(name="Light idle", criticality="low", components=[(host, 5)])
    light_busy = make_service(name="Light busy", criticality="high", components=[(host, 5)])
    for service, active in ((heavy_idle, 1), (heavy_busy, 4), (light_idle, 1), (light_busy, 4)):
        for n, user in enumerate(users):
            subscribe(service, user, active_days_ago=1 if n < active else None, active_days=80 if active == 4 else 2)
    return heavy_idle, heavy_busy, light_idle, light_busy


def test_usefulness_and_quadrant_order(estate):
    heavy_idle, heavy_busy, light_idle, light_busy = estate
    rows, median = review.review_rows(review.ReviewFilters(), today=a_date(0))
    assert [r.service.name for r in rows] == ["Heavy idle", "Heavy busy", "Light idle", "Light busy"]
    assert [r.quadrant for r in rows] == list(review.QUADRANTS[:4])
    # Heavy idle: 40 % of 455.7 = 182.28 kg/year, one active user; usefulness (1/4 + 2/90 + 0) / 3.
    assert rows[0].per_active_user_kgco2e == Decimal("182.28")
    assert rows[0].usefulness == Decimal("0.091")
    # Heavy busy: 182.28 / 4 = 45.57; (1 + 80/90 + 1) / 3 = 0.963. Light idle: 22.785 for its one user.
    assert rows[1].per_active_user_kgco2e == Decimal("45.57") and rows[1].usefulness == Decimal("0.963")
    assert median == (Decimal("45.57") + Decimal("22.785")) / 2


def test_filters_by_category_and_owner_unit(estate, make_org_unit):
    unit = make_org_unit(name="DSI")
    estate[0].owner_unit_id = unit.id
    estate[1].category = "storage"
    db.session.commit()
    rows, _ = review.review_rows(review.ReviewFilters(owner_unit_id=unit.id), today=a_date(0))
    assert [r.service.name for r in rows] == ["Heavy idle"]
    rows, _ = review.review_rows(review.ReviewFilters(category="storage"), today=a_date(0))
    assert [r.service.name for r in rows] == ["Heavy busy"]


def test_review_page_admin_only_with_chart_and_table(client, login_as, estate):
    login_as()
    assert client.get("/admin/services/review").status_code == 403
    login_as("admin", locale="en")
    page = client.get("/admin/services/review").get_data(as_text=True)
    assert page.index("Heavy idle") < page.index("Heavy busy") < page.index("Light busy")
    assert "<svg" in page and "high footprint, low use" in page
    assert "182.28" in page


def test_decisions_keep_their_history_and_discontinuing_sets_the_end_date(client, login_as, estate):
    heavy_idle = estate[0]
    admin = login_as("admin", locale="en")
    url = f"/admin/services/{heavy_idle.id}/decisions"
    bad = client.post(
        url, data={"csrf_token": csrf_token(client), "year": "2026", "decision": "discontinue", "rationale": "Unused"}
    )
    assert bad.status_code == 422 and "Give the date the service ends." in bad.get_data(as_text=True)
    assert (
        client.post(
            url,
            data={
                "csrf_token": csrf_token(client),
                "year": "2025",
                "decision": "optimise",
                "rationale": "Smaller VM",
                "expected_saving_kgco2e": "50",
            },
        ).status_code
        == 303
    )
    assert (
        client.post(
            url,
            data={
                "csrf_token": csrf_token(client),
                "year": "2026",
                "decision": "discontinue",
                "rationale": "Unused",
                "end_date": "2026-12-31",
                "measured_saving_kgco2e": "41.5",
            },
        ).status_code
        == 303
    )
    db.session.refresh(heavy_idle)
    assert heavy_idle.end_date == date(2026, 12, 31)
    history = client.get(f"/admin/services/{heavy_idle.id}").get_data(as_text=True)
    assert history.index("discontinue") < history.index("optimise")
    decisions = db.session.scalars(sa.select(ReviewDecision).order_by(ReviewDecision.id)).all()
    assert [(d.year, d.decision, d.recorded_by_id) for d in decisions] == [
        (2025, "optimise", admin.id),
        (2026, "discontinue", admin.id),
    ]
    assert decisions[1].measured_saving_kgco2e == Decimal("41.5")


def test_record_decision_refuses_bad_values(estate, make_user):
    admin = make_user(roles=("admin",))
    with pytest.raises(ServiceError):
        review.record_decision(
            estate[0],
            year=2026,
            decision="delete",
            rationale="x",
            decided_on=a_date(0),
            owner=None,
            recorded_by=admin,
            expected_saving_kgco2e=None,
            measured_saving_kgco2e=None,
            end_date=None,
        )
    with pytest.raises(ServiceError):
        review.record_decision(
            estate[0],
            year=2026,
            decision="keep",
            rationale=" ",
            decided_on=a_date(0),
            owner=None,
            recorded_by=admin,
            expected_saving_kgco2e=None,
            measured_saving_kgco2e=None,
            end_date=None,
        )


def test_annual_footprint_for_the_estate(estate):
    by_service = annual_footprint_by_service(2026, today=a_date(0))
    # The server's 455.7 kg/year shared by 90 of its 100 vCPU: 410.13 kg.
    assert sum(by_service.values()) == Decimal("410.13")
    estate[0].end_date = date(2026, 7, 2)  # ran 182 days of 365 in 2026
    db.session.commit()
    assert annual_footprint_by_service(2026, today=a_date(0))[estate[0].id] == Decimal("182.28") * 182 / 365
    assert estate[0].id not in annual_footprint_by_service(2027, today=a_date(0))
    assert annual_footprint_total(2027, today=a_date(0)) == Decimal("227.85")
    assert db.session.scalar(sa.select(sa.func.count(DigitalService.id))) == 4
