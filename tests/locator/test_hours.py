"""Unit tests for portal.locator.hours (pure: no app, no database)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.locator.hours import (
    PARIS,
    SEARCH_DAYS,
    HoursFormatError,
    OpeningStatus,
    format_closures,
    format_hours,
    parse_closures,
    parse_hours,
    status_at,
)

STANDARD = "mo-fr 08:30-12:00,13:30-17:00; sa 09:00-12:00"
MORNING = [(time(8, 30), time(12, 0)), (time(13, 30), time(17, 0))]


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


# --- parser --------------------------------------------------------------------------------------------


def test_parse_standard():
    hours = parse_hours(STANDARD)
    assert hours == {
        0: MORNING,
        1: MORNING,
        2: MORNING,
        3: MORNING,
        4: MORNING,
        5: [(time(9), time(12))],
        6: [],
    }


@pytest.mark.parametrize(
    ("text", "open_days"),
    [
        ("mo,we,fr 09:00-12:00", [0, 2, 4]),
        ("mo-we,fr 09:00-12:00", [0, 1, 2, 4]),
        ("sa-mo 09:00-12:00", [0, 5, 6]),  # wraps over the week-end
        ("su 09:00-12:00", [6]),
        ("MO-FR 09:00-12:00", [0, 1, 2, 3, 4]),
        ("  mo - fr   09:00 - 12:00  ", [0, 1, 2, 3, 4]),
        ("mo, we 09:00-12:00", [0, 2]),
    ],
)
def test_parse_day_lists(text, open_days):
    hours = parse_hours(text)
    assert [day for day in range(7) if hours[day]] == open_days
    assert all(hours[day] == [(time(9), time(12))] for day in open_days)


def test_parse_merges_groups_and_sorts_ranges():
    hours = parse_hours("mo 14:00-17:00; mo-tu 08:00-12:00")
    assert hours[0] == [(time(8), time(12)), (time(14), time(17))]
    assert hours[1] == [(time(8), time(12))]


@pytest.mark.parametrize("text", ["", "   ", None])
def test_parse_empty_means_always_closed(text):
    assert parse_hours(text) == {day: [] for day in range(7)}


@pytest.mark.parametrize(
    ("text", "part", "message"),
    [
        ("xx 09:00-12:00", "xx", "unknown day 'xx'"),
        ("mo-xx 09:00-12:00", "xx", "unknown day 'xx'"),
        ("lu-ve 09:00-12:00", "lu", "unknown day 'lu'"),
        ("mo 9:00-12:00", "9:00-12:00", "invalid time '9:00'"),
        ("mo 09:00-24:00", "09:00-24:00", "invalid time '24:00'"),
        ("mo 09:60-12:00", "09:60-12:00", "invalid time '09:60'"),
        ("mo 09h00-12h00", "09h00-12h00", "invalid time '09h00'"),
        ("mo 09:00", "09:00", "invalid time range '09:00'"),
        ("mo 09:00-10:00-11:00", "09:00-10:00-11:00", "invalid time range"),
        ("mo 09:00-12:00,", "", "invalid time range ''"),
        ("mo 12:00-09:00", "12:00-09:00", "must start before it ends"),
        ("mo 09:00-09:00", "09:00-09:00", "must start before it ends"),
        ("mo 09:00-12:00,11:00-14:00", "mo", "overlapping ranges on mo: 09:00-12:00 and 11:00-14:00"),
        ("mo 09:00-12:00,12:00-14:00", "mo", "must not overlap or touch"),
        ("mo-fr 09:00-12:00; we 10:00-11:00", "we", "overlapping ranges on we"),
        ("mo", "mo", "has no time ranges"),
        ("09:00-12:00", "09:00-12:00", "has no days"),
        ("mo 09:00-12:00;", "", "stray ';'"),
        ("mo 09:00-12:00;; sa 09:00-12:00", "", "stray ';'"),
        ("mo,,tu 09:00-12:00", "mo,,tu 09:00-12:00", "empty day"),
    ],
)
def test_parse_errors_name_the_bad_part(text, part, message):
    with pytest.raises(ValueError, match=message) as excinfo:
        parse_hours(text)
    assert isinstance(excinfo.value, HoursFormatError)
    assert excinfo.value.part == part


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        (STANDARD, STANDARD),
        ("mo,tu,we,th,fr 08:30-12:00, 13:30-17:00;SA 09:00-12:00", STANDARD),
        ("mo-tu,th-fr 08:30-17:00; we 08:30-12:00", "mo-tu,th-fr 08:30-17:00; we 08:30-12:00"),
        ("su 10:00-12:00; mo 09:00-12:00", "mo 09:00-12:00; su 10:00-12:00"),
        ("sa-mo 09:00-12:00", "mo,sa-su 09:00-12:00"),
        ("", ""),
    ],
)
def test_format_is_canonical_and_round_trips(text, canonical):
    hours = parse_hours(text)
    assert format_hours(hours) == canonical
    assert parse_hours(format_hours(hours)) == hours


def test_format_accepts_sparse_dict():
    assert format_hours({5: [(time(9), time(12))]}) == "sa 09:00-12:00"


def test_parse_and_format_closures():
    closures = parse_closures(" 2027-01-01 ; 2026-12-25;")
    assert closures == frozenset({date(2026, 12, 25), date(2027, 1, 1)})
    assert format_closures(closures) == "2026-12-25;2027-01-01"
    assert parse_closures("") == frozenset()
    assert parse_closures(None) == frozenset()


@pytest.mark.parametrize("text", ["2026-13-01", "25/12/2026", "2026-12-25;noel"])
def test_parse_closures_errors(text):
    with pytest.raises(HoursFormatError, match="invalid closure date"):
        parse_closures(text)


# --- status --------------------------------------------------------------------------------------------

HOURS = parse_hours(STANDARD)


def test_open_now_closes_at_noon():
    # Wednesday 2 December 2026, 10:00 in Paris.
    status = status_at(HOURS, set(), paris(2026, 12, 2, 10, 0))
    assert status == OpeningStatus(is_open=True, closes_at=paris(2026, 12, 2, 12, 0))
    assert status.opens_at is None
    assert status.closes_at.tzinfo == ZoneInfo("Europe/Paris")


def test_open_afternoon_closes_at_five():
    status = status_at(HOURS, (), paris(2026, 12, 2, 16, 59))
    assert status.is_open
    assert status.closes_at == paris(2026, 12, 2, 17, 0)


def test_closed_at_lunch_opens_same_day_at_1330():
    status = status_at(HOURS, set(), paris(2026, 12, 2, 12, 30))
    assert status == OpeningStatus(is_open=False, opens_at=paris(2026, 12, 2, 13, 30))
    assert status.closes_at is None


def test_boundaries_start_included_end_excluded():
    assert status_at(HOURS, (), paris(2026, 12, 2, 8, 30)).is_open
    at_noon = status_at(HOURS, (), paris(2026, 12, 2, 12, 0))
    assert not at_noon.is_open
    assert at_noon.opens_at == paris(2026, 12, 2, 13, 30)


def test_closed_early_morning_opens_same_day():
    status = status_at(HOURS, (), paris(2026, 12, 2, 6, 0))
    assert status.opens_at == paris(2026, 12, 2, 8, 30)


def test_saturday_morning_open_afternoon_closed_until_monday():
    assert status_at(HOURS, (), paris(2026, 11, 28, 11, 0)).closes_at == paris(2026, 11, 28, 12, 0)
    status = status_at(HOURS, (), paris(2026, 11, 28, 15, 0))  # Saturday afternoon
    assert status == OpeningStatus(is_open=False, opens_at=paris(2026, 11, 30, 8, 30))  # Monday
    assert status.opens_at.weekday() == 0


def test_closure_date_is_skipped():
    closures = parse_closures("2026-12-25;2027-01-01")  # both Fridays
    # Thursday 24 December after closing: Friday 25 is closed, next opening Saturday 26 at 9:00.
    assert status_at(HOURS, closures, paris(2026, 12, 24, 17, 30)).opens_at == paris(2026, 12, 26, 9, 0)
    # During the closure day itself, at a time it would normally be open.
    status = status_at(HOURS, closures, paris(2026, 12, 25, 10, 0))
    assert status == OpeningStatus(is_open=False, opens_at=paris(2026, 12, 26, 9, 0))


def test_closure_on_monday_after_weekend():
    # Easter Monday 2027 (29 March) closed: from Saturday afternoon, next opening is Tuesday 8:30.
    status = status_at(HOURS, {date(2027, 3, 29)}, paris(2027, 3, 27, 15, 0))
    assert status.opens_at == paris(2027, 3, 30, 8, 30)


def test_closures_on_consecutive_days():
    closures = {date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26)}
    status = status_at(HOURS, closures, paris(2026, 12, 23, 18, 0))
    assert status.opens_at == paris(2026, 12, 28, 8, 30)


# Summer time starts on Sunday 29 March 2026 at 02:00 CET (01:00 UTC): clocks jump to 03:00 CEST.
SUNDAY_HOURS = parse_hours("mo-fr 08:30-12:00,13:30-17:00; sa-su 09:00-12:00")


def test_range_on_the_day_of_the_spring_switch():
    # 07:30 UTC is 09:30 CEST (UTC+2) on the switch day: open until 12:00 CEST = 10:00 UTC.
    status = status_at(SUNDAY_HOURS, (), utc(2026, 3, 29, 7, 30))
    assert status.is_open
    assert status.closes_at == utc(2026, 3, 29, 10, 0)
    assert status.closes_at.utcoffset() == timedelta(hours=2)
    assert (status.closes_at.hour, status.closes_at.minute) == (12, 0)
    # 10:30 UTC is 12:30 CEST: closed (under a fixed UTC+1 it would wrongly be 11:30, open).
    closed = status_at(SUNDAY_HOURS, (), utc(2026, 3, 29, 10, 30))
    assert not closed.is_open
    assert closed.opens_at == paris(2026, 3, 30, 8, 30)
    # The evening before (Saturday, still CET): 10:30 UTC is 11:30 CET, open until 12:00 CET = 11:00 UTC.
    saturday = status_at(SUNDAY_HOURS, (), utc(2026, 3, 28, 10, 30))
    assert saturday.closes_at == utc(2026, 3, 28, 11, 0)


def test_opening_time_before_the_spring_switch_at_night():
    # 00:30 UTC on 29 March is 01:30 CET; the opening at 09:00 is already summer time (07:00 UTC).
    status = status_at(SUNDAY_HOURS, (), utc(2026, 3, 29, 0, 30))
    assert status.opens_at == utc(2026, 3, 29, 7, 0)
    assert status.opens_at.utcoffset() == timedelta(hours=2)


def test_range_across_the_switch_itself():
    # 01:00–04:00 on the switch night lasts only two real hours (00:00–02:00 UTC).
    night = parse_hours("su 01:00-04:00")
    status = status_at(night, (), utc(2026, 3, 29, 1, 30))  # 03:30 CEST
    assert status.is_open
    assert status.closes_at == utc(2026, 3, 29, 2, 0)
    assert not status_at(night, (), utc(2026, 3, 29, 2, 0)).is_open


def test_day_after_the_spring_switch():
    # Monday 30 March 2026: 06:15 UTC is 08:15 CEST → closed, opens 08:30 CEST = 06:30 UTC.
    status = status_at(SUNDAY_HOURS, (), utc(2026, 3, 30, 6, 15))
    assert status == OpeningStatus(is_open=False, opens_at=paris(2026, 3, 30, 8, 30))
    assert status.opens_at == utc(2026, 3, 30, 6, 30)
    # 06:45 UTC is 08:45 CEST → open (in winter it would be 07:45, closed) until 12:00 CEST = 10:00 UTC.
    status = status_at(SUNDAY_HOURS, (), utc(2026, 3, 30, 6, 45))
    assert status.is_open
    assert status.closes_at == utc(2026, 3, 30, 10, 0)


def test_autumn_switch_repeated_hour():
    # Winter time: Sunday 25 October 2026 at 03:00 CEST (01:00 UTC) clocks go back to 02:00 CET.
    night = parse_hours("su 01:00-04:00")  # lasts four real hours: 23:00 UTC (Sat) – 03:00 UTC
    first_pass = status_at(night, (), utc(2026, 10, 25, 0, 30))  # 02:30 CEST
    second_pass = status_at(night, (), utc(2026, 10, 25, 1, 30))  # 02:30 CET
    assert first_pass.is_open and second_pass.is_open
    assert first_pass.closes_at == second_pass.closes_at == utc(2026, 10, 25, 3, 0)
    monday = status_at(SUNDAY_HOURS, (), utc(2026, 10, 26, 7, 15))  # 08:15 CET
    assert monday.opens_at == utc(2026, 10, 26, 7, 30)


def test_sunday_night_in_winter():
    # Sunday 6 December 2026, 23:30 in Paris (22:30 UTC): closed, opens Monday 7 at 08:30 CET.
    status = status_at(HOURS, (), paris(2026, 12, 6, 23, 30))
    assert status == OpeningStatus(is_open=False, opens_at=paris(2026, 12, 7, 8, 30))
    assert status.opens_at == utc(2026, 12, 7, 7, 30)
    # 23:30 UTC on Sunday is already Monday 00:30 in Paris: still Monday 08:30, not Tuesday.
    assert status_at(HOURS, (), utc(2026, 12, 6, 23, 30)).opens_at == paris(2026, 12, 7, 8, 30)


def test_now_in_another_time_zone_is_converted():
    # 04:00 in New York (UTC−5) is 10:00 in Paris.
    now = datetime(2026, 12, 2, 4, 0, tzinfo=ZoneInfo("America/New_York"))
    status = status_at(HOURS, (), now)
    assert status.is_open
    assert status.closes_at == paris(2026, 12, 2, 12, 0)


def test_naive_datetime_is_rejected():
    with pytest.raises(ValueError, match="aware"):
        status_at(HOURS, (), datetime(2026, 12, 2, 10, 0))


def test_never_open_and_search_horizon():
    assert status_at(parse_hours(""), (), paris(2026, 12, 2, 10, 0)) == OpeningStatus(is_open=False)
    now = paris(2026, 12, 2, 18, 0)  # Wednesday evening
    closures = {now.date() + timedelta(days=offset) for offset in range(1, SEARCH_DAYS)}
    # Only the 14th day ahead is open: found.
    assert status_at(HOURS, closures, now).opens_at == paris(2026, 12, 16, 8, 30)
    # Closed for the 14 days ahead: no next opening known.
    closures.add(now.date() + timedelta(days=SEARCH_DAYS))
    assert status_at(HOURS, closures, now) == OpeningStatus(is_open=False)
