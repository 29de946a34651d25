"""The monthly measure: from the estate's snapshots for the action's scope, declared values, kept history, status
changes notified; the CLI and the nightly job with an injected clock."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from jobs import plans as plans_jobs
from jobs.schedule import jobs
from portal.estate import services as estate_services
from portal.main.models import Notice
from portal.main.services import notify, unread_notices
from portal.models import db
from portal.plans import services
from portal.plans.models import DeclaredValue, Measure

TODAY = date(2026, 1, 15)


def rounded(value):
    return value.quantize(Decimal("0.01"))


def test_an_action_is_measured_on_its_units_snapshot_with_the_baseline_kept(estate, make_action):
    # The laptop: 200 kg amortised over 4 years = 50 kg a year, in the service (under the direction).
    snapshot = estate_services.take_snapshot(2025, 1, today=TODAY)
    in_unit = make_action(unit_id=estate.direction.id)
    elsewhere = make_action(unit_id=estate.other.id, target=Decimal(0))
    run = services.measure_month(2025, 1, today=TODAY)
    db.session.commit()
    assert (run.measured, run.unmeasured) == (2, 0)
    # January holds 31 days of 50 kg a year; annualised, 50 kg: the baseline read from that snapshot.
    assert rounded(in_unit.baseline) == Decimal("50.00")
    assert in_unit.baseline_snapshot_id == snapshot.id
    measure = db.session.scalar(sa.select(Measure).where(Measure.action_id == in_unit.id))
    assert (measure.snapshot_id, measure.measured_on, rounded(measure.value)) == (snapshot.id, date(2025, 1, 31), 50)
    # 0 progress after 30 of 729 days, expected 0.04: within the margin.
    assert (rounded(measure.progress), measure.status) == (0, "on_track")
    assert (elsewhere.baseline, elsewhere.status) == (0, "achieved")  # the other unit holds no device


def test_history_is_kept_when_the_snapshot_is_recomputed(estate, make_action):
    estate_services.take_snapshot(2025, 1, today=TODAY)
    action = make_action()
    services.measure_month(2025, 1, today=TODAY)
    first = db.session.scalar(sa.select(Measure))
    first_value, first_snapshot = first.value, first.snapshot_id
    estate.laptop.lifetime_years = Decimal(8)  # a corrected sheet: 25 kg a year from now on
    estate_services.take_snapshot(2025, 1, today=TODAY, reason="sheet corrected")
    again = services.measure_month(2025, 1, today=TODAY)
    db.session.commit()
    assert (again.measured, again.kept) == (0, 1)
    kept = db.session.scalars(sa.select(Measure)).all()
    assert [(m.value, m.snapshot_id) for m in kept] == [(first_value, first_snapshot)]
    assert action.status == "on_track"


def test_declared_values_and_a_status_change_notify_the_owner_and_the_admins(make_action, make_user, login_as):
    admin = login_as("admin")
    owner = make_user()
    # PUE 1.8 → 1.4 over 2025: expected 1.6 at the end of June (about halfway).
    action = make_action(
        indicator_code="",
        declared_name="PUE du centre de données",
        declared_unit="",
        owner_id=owner.id,
        baseline=Decimal("1.8"),
        target=Decimal("1.4"),
        deadline=date(2025, 12, 31),
    )
    db.session.add(DeclaredValue(action_id=action.id, on=date(2025, 3, 10), value=Decimal("1.7"), source="EDF"))
    db.session.commit()
    assert services.measure_month(2025, 2, today=TODAY).unmeasured == 1  # nothing declared by the end of February
    services.measure_month(2025, 3, today=TODAY)  # 1.7: progress 0.25, expected 0.16
    assert action.status == "on_track"
    services.measure_month(2025, 6, today=TODAY)  # still 1.7: 0.25 against 0.50 → at risk
    run = services.measure_month(2025, 12, today=TODAY)  # still 1.7 on 31 December: deadline day, at risk
    db.session.add(DeclaredValue(action_id=action.id, on=date(2025, 12, 31), value=Decimal("1.4"), source="EDF"))
    db.session.flush()
    db.session.commit()
    assert action.status == "at_risk"
    assert run.changes == []
    notices = db.session.scalars(sa.select(Notice).order_by(Notice.user_id)).all()
    assert sorted((n.user_id, n.kind) for n in notices) == sorted(
        [(admin.id, "plan_action_at_risk"), (owner.id, "plan_action_at_risk")]
    )
    assert notices[0].params == {"action": action.title, "action_id": action.id}


def _late_then_achieved(make_action):
    """A declared PUE action due mid-2024: on track in January 2024, late from its deadline, achieved in
    February 2025 (its declared values)."""
    action = make_action(
        indicator_code="",
        declared_name="PUE",
        baseline=Decimal("1.8"),
        target=Decimal("1.4"),
        start_on=date(2024, 1, 1),
        deadline=date(2024, 6, 30),
    )
    for day, value in ((date(2024, 1, 5), "1.5"), (date(2025, 1, 5), "1.45"), (date(2025, 2, 5), "1.39")):
        db.session.add(DeclaredValue(action_id=action.id, on=day, value=Decimal(value), source="EDF"))
    return action


def test_late_then_achieved_by_declared_values_across_years(make_action):
    action = _late_then_achieved(make_action)
    db.session.commit()
    for year, month in ((2024, 12), (2025, 1)):
        services.measure_month(year, month, today=TODAY)
    assert action.status == "late"
    services.measure_month(2025, 2, today=TODAY)
    assert action.status == "achieved"
    # A month measured late (catching up) keeps the status of the latest month.
    services.measure_month(2024, 11, today=TODAY)
    assert action.status == "achieved"
    assert [m.status for m in services.measures(action)] == ["late", "late", "late", "achieved"]


def test_a_month_not_over_is_refused():
    with pytest.raises(services.PlanError) as raised:
        services.measure_month(2026, 1, today=TODAY)
    assert raised.value.message("en") == "2026-01 is not over yet: a month is measured once it has ended."


def test_the_cli_measures_the_month_given_and_refuses_in_words(app, estate, make_action):
    estate_services.take_snapshot(2025, 1, today=TODAY)
    make_action()
    result = app.test_cli_runner().invoke(args=["plans", "measure", "--month", "2025-01"])
    assert result.exit_code == 0, result.output
    assert result.output == "2025-01: 1 measured, 0 already measured, 0 without figures, 0 status changes\n"
    bad = app.test_cli_runner().invoke(args=["plans", "measure", "--month", "2025-13"])
    assert bad.exit_code == 1 and "is not a month" in bad.output and "Traceback" not in bad.output


def test_the_nightly_job_measures_the_month_just_over(app, estate, make_action, caplog, monkeypatch):
    monkeypatch.setattr(logging.getLogger("jobs.plans"), "disabled", False)
    job = next(j for j in jobs(app.config) if j.name == "plans-measure")
    assert (job.func, job.trigger, job.options["minute"]) == (plans_jobs.measure, "cron", 55)
    for month in (1, 12):  # the start month (the baseline) and the month just over
        estate_services.take_snapshot(2025, month, today=date(2026, 1, 1))
    make_action()
    with caplog.at_level(logging.INFO, logger="jobs.plans"):
        plans_jobs.measure(app, today=date(2026, 1, 1))
        plans_jobs.measure(app, today=date(2026, 1, 2))
    db.session.rollback()
    assert [(m.year, m.month) for m in db.session.scalars(sa.select(Measure))] == [(2025, 12)]
    assert "plans 2025-12: 1 measured, 0 kept" in caplog.text
    assert "plans 2025-12: 0 measured, 1 kept" in caplog.text


def test_the_breakdown_shows_the_scopes_sub_units_from_the_same_snapshots(estate, make_action, client, login_as):
    estate_services.take_snapshot(2025, 1, today=TODAY)
    action = make_action(unit_id=estate.direction.id, public=True)
    services.measure_month(2025, 1, today=TODAY)
    db.session.commit()
    moves = services.breakdown(action, services.measures(action)[-1])
    assert [(m.unit.name, rounded(m.baseline), rounded(m.latest)) for m in moves] == [("Service support", 50, 50)]
    login_as()
    page = client.get(f"/plans/actions/{action.id}").get_data(as_text=True)
    assert "Service support" in page


def test_the_batched_readings_equal_one_reading_per_action(estate, make_action):
    estate_services.take_snapshot(2025, 1, today=TODAY)
    actions = [
        make_action(),
        make_action(unit_id=estate.direction.id),
        make_action(unit_id=estate.service.id, indicator_code="per_employee_kgco2e"),
        make_action(unit_id=estate.other.id),
        make_action(indicator_code="", declared_name="PUE", baseline=Decimal("1.8"), target=Decimal("1.4")),
        make_action(indicator_code="", declared_name="PUE", baseline=Decimal("1.8"), target=Decimal("1.4")),
    ]
    db.session.add_all(
        [
            DeclaredValue(action_id=actions[4].id, on=date(2024, 12, 1), value=Decimal("1.7"), source="a"),
            DeclaredValue(action_id=actions[4].id, on=date(2025, 1, 20), value=Decimal("1.6"), source="b"),
            DeclaredValue(action_id=actions[4].id, on=date(2025, 2, 1), value=Decimal("1.5"), source="later"),
        ]
    )
    db.session.commit()
    one_by_one = {a.id: services.read_month(a, 2025, 1) for a in actions}
    assert services.read_months(actions, 2025, 1) == {k: v for k, v in one_by_one.items() if v is not None}
    assert one_by_one[actions[4].id].value == Decimal("1.6") and one_by_one[actions[5].id] is None
    assert services.read_months(actions, 2024, 6) == {}  # no snapshot, no declared value by then


def test_a_new_status_supersedes_the_unread_notice_of_the_same_action(make_action, make_user, login_as, client):
    admin = login_as("admin")
    action = _late_then_achieved(make_action)
    other = make_action(indicator_code="", declared_name="PUE bis", baseline=Decimal("1.8"), target=Decimal("1.4"))
    db.session.commit()
    services.measure_month(2024, 1, today=TODAY)  # the first status: no notice
    services.measure_month(2024, 12, today=TODAY)  # on track → late: a notice
    notify(admin, "plan_action_at_risk", {"action": other.title, "action_id": other.id})  # another action's
    services.measure_month(2025, 2, today=TODAY)  # late → achieved: supersedes the "late" one
    db.session.commit()
    unread = [(n.kind, n.params["action_id"]) for n in unread_notices(admin)]
    assert sorted(unread) == sorted([("plan_action_achieved", action.id), ("plan_action_at_risk", other.id)])
    html = client.get("/").get_data(as_text=True).replace("\u202f", " ")
    assert "2 nouvelles notifications" in html
    assert f"L’action « {action.title} » a atteint sa cible." in html
    assert "a dépassé son échéance" not in html
