"""Baseline and progress rules, pure (no database): what a participant freed, growth included."""

from __future__ import annotations

import random
from datetime import date, timedelta

from portal.campaigns.progress import Measure, daily_steps, source_progress, step_day
from tests.campaigns.conftest import GB, paris

START = paris(2026, 3, 9)
END = paris(2026, 3, 30)  # midnight after Sunday 29 March


def progress(*measures: Measure):
    return source_progress("mailbox", measures, starts_at=START, ends_at=END)


def test_baseline_is_the_last_measure_before_the_start_and_progress_the_latest_during_it():
    result = progress(
        Measure(9 * GB, 900, paris(2026, 2, 1)),
        Measure(8 * GB, 800, paris(2026, 3, 1)),  # baseline
        Measure(7 * GB, 700, paris(2026, 3, 12)),
        Measure(5 * GB, 500, paris(2026, 3, 20)),  # latest
        Measure(1 * GB, 100, paris(2026, 4, 2)),  # after the end: ignored
    )
    assert result.baseline.measured_at == paris(2026, 3, 1)
    assert result.latest.measured_at == paris(2026, 3, 20)
    assert (result.freed_bytes, result.freed_items) == (3 * GB, 300)
    assert not result.grew


def test_a_measure_at_the_exact_start_is_the_baseline_and_one_at_the_exact_end_counts():
    result = progress(Measure(8 * GB, None, START), Measure(6 * GB, None, END))
    assert result.baseline.measured_at == START
    assert result.latest.measured_at == END
    assert result.freed_bytes == 2 * GB
    assert result.freed_items is None  # never counted: not zero


def test_without_a_measure_before_the_start_the_first_one_during_it_is_the_baseline():
    result = progress(Measure(8 * GB, 80, paris(2026, 3, 10)), Measure(7 * GB, 60, paris(2026, 3, 16)))
    assert result.baseline.measured_at == paris(2026, 3, 10)
    assert (result.freed_bytes, result.freed_items) == (GB, 20)


def test_a_single_measure_is_a_baseline_with_nothing_freed_yet():
    result = progress(Measure(8 * GB, 80, paris(2026, 3, 1)))
    assert result.measured and result.latest == result.baseline
    assert (result.freed_bytes, result.freed_items) == (0, 0)


def test_growth_is_shown_as_a_negative_amount_not_hidden():
    result = progress(Measure(5 * GB, 50, paris(2026, 3, 1)), Measure(7 * GB, 90, paris(2026, 3, 20)))
    assert result.freed_bytes == -2 * GB
    assert result.freed_items == -40
    assert result.grew


def test_no_measure_means_not_measured():
    result = progress(Measure(5 * GB, 50, paris(2026, 4, 2)))
    assert not result.measured
    assert result.freed_bytes == 0


def test_a_measure_at_midnight_closes_the_day_before():
    assert step_day(paris(2026, 3, 10)) == date(2026, 3, 9)
    assert step_day(paris(2026, 3, 10, 9)) == date(2026, 3, 10)
    assert step_day(END) == date(2026, 3, 29)  # the last day of the campaign


def test_daily_steps_add_up_to_baseline_minus_latest():
    measures = [
        Measure(8 * GB, 800, paris(2026, 3, 1)),
        Measure(7 * GB, 750, paris(2026, 3, 12, 10)),
        Measure(7_500_000_000, 760, paris(2026, 3, 12, 18)),  # same day: steps add up
        Measure(5 * GB, 500, paris(2026, 3, 20, 9)),
    ]
    steps = daily_steps(measures, starts_at=START, ends_at=END)
    assert steps == {date(2026, 3, 12): (500_000_000, 40), date(2026, 3, 20): (2_500_000_000, 260)}
    result = progress(*measures)
    assert sum(b for b, _ in steps.values()) == result.freed_bytes
    assert sum(i for _, i in steps.values()) == result.freed_items


def test_daily_steps_agree_with_progress_on_random_histories():
    rng = random.Random(5)
    for _ in range(200):
        measures = [
            Measure(
                rng.randrange(0, 50 * GB),
                rng.randrange(0, 10_000),
                paris(2026, 2, 1) + timedelta(hours=rng.randrange(0, 80 * 24)),
            )
            for _ in range(rng.randrange(1, 8))
        ]
        steps = daily_steps(measures, starts_at=START, ends_at=END)
        result = progress(*measures)
        assert sum(b for b, _ in steps.values()) == result.freed_bytes
        assert sum(i for _, i in steps.values()) == (result.freed_items or 0)
        assert all(date(2026, 3, 9) <= day <= date(2026, 3, 29) for day in steps)
