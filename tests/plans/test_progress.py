"""Progress and status against the trajectory, computed by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from portal.footprint.plans import Path, Status, Trend, expected_value, progress, status

# −15 % of 400 kg per employee: 400 → 340 from 1 January 2025 to 31 December 2028 (1,460 days).
DECREASE = Path(date(2025, 1, 1), D(400), date(2028, 12, 31), D(340), Trend.DECREASE)
# 20 % → 30 % refurbished from 1 January 2025 to 1 January 2027 (730 days).
INCREASE = Path(date(2025, 1, 1), D(20), date(2027, 1, 1), D(30), Trend.INCREASE)


def test_progress_of_a_decrease_and_of_an_increase():
    assert progress(D(400), D(370), D(340)) == D("0.5")  # (400 − 370) ÷ (400 − 340)
    assert progress(D(20), D(22.5), D(30)) == D("0.25")  # (22.5 − 20) ÷ (30 − 20)
    assert progress(D(400), D(420), D(340)) == D(20) / D(-60)  # worse than the baseline: −1/3
    assert progress(D(5), D(5), D(5)) is None


def test_the_straight_line_between_baseline_and_target():
    assert expected_value(DECREASE, date(2024, 6, 1)) == D(400)
    assert expected_value(DECREASE, date(2029, 6, 1)) == D(340)
    # 730 of 1,460 days: halfway, 370.
    assert expected_value(DECREASE, date(2027, 1, 1)) == D(370)  # 730 of 1,460 days
    assert expected_value(INCREASE, date(2026, 1, 1)) == D(25)  # 365 of 730 days


def test_on_track_at_risk_late_and_achieved_for_a_decrease():
    halfway = date(2027, 1, 1)  # 730 of 1,460 days: expected progress 0.5
    assert status(DECREASE, D(370), halfway) is Status.ON_TRACK  # progress 0.5
    assert status(DECREASE, D(376), halfway) is Status.ON_TRACK  # 0.4: behind by exactly the margin
    assert status(DECREASE, D(377), halfway) is Status.AT_RISK  # 23 ÷ 60 = 0.383…: behind by more than 0.10
    assert status(DECREASE, D(340), halfway) is Status.ACHIEVED
    assert status(DECREASE, D(335), halfway) is Status.ACHIEVED
    assert status(DECREASE, D(341), date(2029, 1, 1)) is Status.LATE
    assert status(DECREASE, D(340), date(2029, 1, 1)) is Status.ACHIEVED


def test_increase_statuses_by_hand():
    mid = date(2026, 1, 1)  # expected 25, progress 0.5
    assert status(INCREASE, D(24), mid) is Status.ON_TRACK  # 0.4
    assert status(INCREASE, D("23.9"), mid) is Status.AT_RISK  # 0.39
    assert status(INCREASE, D(30), mid) is Status.ACHIEVED
    assert status(INCREASE, D(29), date(2027, 2, 1)) is Status.LATE


def test_milestones_bend_the_trajectory():
    # Most of the effort first: 400 → 350 by 1 January 2027, then 340 by 31 December 2028.
    bent = Path(
        date(2025, 1, 1), D(400), date(2028, 12, 31), D(340), Trend.DECREASE, milestones=((date(2027, 1, 1), D(350)),)
    )
    assert expected_value(bent, date(2027, 1, 1)) == D(350)
    assert expected_value(bent, date(2028, 1, 1)) == D(345)  # 365 of 730 days between 350 and 340
    # 370 is about on the straight line but behind the milestone: progress 0.5 against 50 ÷ 60 = 0.833.
    assert status(bent, D(370), date(2027, 1, 1)) is Status.AT_RISK
    assert status(DECREASE, D(370), date(2027, 1, 1)) is Status.ON_TRACK
