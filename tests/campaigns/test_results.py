"""Measured results: totals net of growth, teams with their privacy rules, the daily series, CSV, placeholders."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.campaigns import exports, results, services, steps
from portal.campaigns.models import CampaignProgress
from portal.campaigns.progress import Measure, daily_steps
from portal.locator import exchange
from portal.locator.models import CollectionPoint
from portal.locator.services import declare_return
from portal.models import db
from tests.campaigns.conftest import GB, paris

BEFORE = paris(2026, 3, 1)
MID = paris(2026, 3, 15, 10)
LATE = paris(2026, 3, 25, 10)


@pytest.fixture
def team(make_user, make_org_unit):
    """make a team of `n` employees: team(n, name=…) → (unit, [users])."""

    def make(n: int, **unit):
        unit = make_org_unit(**unit)
        return unit, [make_user(org_unit=unit) for _ in range(n)]

    return make


JOINED = paris(2026, 3, 10)


def join_all(campaign, users, at=JOINED):
    for user in users:
        services.join(user, campaign, now=at)
    db.session.commit()


def test_totals_count_participants_only_and_growth_is_netted_not_hidden(
    active_campaign, make_user, measure, import_rows
):
    cleaner, grower, bystander = make_user(), make_user(), make_user()
    for user, before, after in ((cleaner, 10, 4), (grower, 2, 3), (bystander, 50, 1)):
        import_rows([(user, "mailbox", before * GB, 100, BEFORE), (user, "mailbox", after * GB, 60, MID)])
    join_all(active_campaign, [cleaner, grower])
    totals = results.measured_totals(active_campaign)
    assert totals.participants == 2
    assert totals.freed_bytes == (10 - 4 + 2 - 3) * GB  # 5 GB net: the bystander does not count
    assert totals.freed_items == 80
    assert totals.participants_who_grew == 1
    assert totals.measured_participants == 2
    assert totals.latest_measure_at == MID
    assert totals.latest_import is not None
    assert {s.source: s.freed_bytes for s in totals.by_source} == {"mailbox": 5 * GB, "drive": 0, "share": 0}
    shown = results.totals(active_campaign)  # two people: only the counts are shown
    assert (shown.participants, shown.measured_participants) == (2, 2)
    assert (shown.freed_bytes, shown.freed_items, shown.participants_who_grew) == (None, None, None)
    assert {s.freed_bytes for s in shown.by_source} == {None}


def test_joining_late_still_counts_from_the_baseline_and_leaving_removes_my_figures(
    active_campaign, make_user, import_rows
):
    user = make_user()
    import_rows([(user, "drive", 9 * GB, None, BEFORE), (user, "drive", 6 * GB, None, MID)])
    join_all(active_campaign, [user], at=paris(2026, 3, 20))
    assert results.measured_totals(active_campaign).freed_bytes == 3 * GB
    services.leave(user, active_campaign, now=paris(2026, 3, 21))
    assert results.measured_totals(active_campaign).freed_bytes == 0


def test_materialised_steps_match_the_pure_calculation(active_campaign, make_user, import_rows):
    user = make_user()
    at = [BEFORE, paris(2026, 3, 10, 8), paris(2026, 3, 10, 18), MID, paris(2026, 3, 30), paris(2026, 4, 3)]
    sizes = [10, 9, 9.5, 7, 6, 1]
    import_rows([(user, "mailbox", round(s * GB), 100 - n, t) for n, (s, t) in enumerate(zip(sizes, at, strict=True))])
    stored = {
        row.day: (row.freed_bytes, row.freed_items)
        for row in db.session.scalars(sa.select(CampaignProgress).where(CampaignProgress.user_id == user.id))
    }
    measures = [Measure(round(s * GB), 100 - n, t) for n, (s, t) in enumerate(zip(sizes, at, strict=True))]
    expected = daily_steps(measures, starts_at=active_campaign.starts_at, ends_at=active_campaign.ends_at)
    assert stored == expected
    assert stored[date(2026, 3, 29)] == (GB, 1)  # the export dated the day after the end closes the last day
    mine = steps.my_progress(user, active_campaign)
    assert mine[0].freed_bytes == sum(b for b, _ in stored.values()) == 4 * GB


def test_a_new_campaign_is_computed_from_snapshots_already_imported(make_campaign, make_user, import_rows):
    user = make_user()
    import_rows([(user, "mailbox", 8 * GB, None, BEFORE), (user, "mailbox", 5 * GB, None, MID)])
    campaign = make_campaign(published_at=paris(2026, 2, 1), now=paris(2026, 3, 16))
    join_all(campaign, [user])
    assert results.measured_totals(campaign).freed_bytes == 3 * GB


def test_changing_the_dates_recomputes_the_results(active_campaign, make_user, import_rows):
    user = make_user()
    import_rows([(user, "mailbox", 8 * GB, None, BEFORE), (user, "mailbox", 5 * GB, None, MID)])
    join_all(active_campaign, [user])
    data = services.CampaignInput(name="x", first_day=date(2026, 3, 16), last_day=date(2026, 4, 5))
    services.update_campaign(active_campaign, data, now=paris(2026, 3, 17))
    assert results.measured_totals(active_campaign).freed_bytes == 0  # MID is now the baseline


def test_leaderboard_ranks_teams_of_five_and_groups_the_others(active_campaign, team, import_rows, make_user):
    _, big = team(8, name="Service Archives")
    mid_unit, mid = team(5, name="Service Budget")
    for _ in range(3):
        make_user(org_unit=mid_unit)  # not taking part: Budget's participation rate is 5/8
    _, small = team(3, name="Service Minuscule")
    rows = []
    for users, freed in ((big, 1), (mid, 2), (small, 10)):
        for user in users:
            rows += [(user, "mailbox", 20 * GB, None, BEFORE), (user, "mailbox", (20 - freed) * GB, None, MID)]
    import_rows(rows)
    join_all(active_campaign, big + mid + small)
    for user in big[:2]:  # total − teams shown = the three of Minuscule and these two: five people
        services.set_hidden_from_team(user, active_campaign, True)
    board = results.leaderboard(active_campaign)
    assert [(t.name, t.rank, t.participants) for t in board.teams] == [
        ("Service Budget", 1, 5),
        ("Service Archives", 2, 6),
    ]
    assert board.teams[0].gb_per_participant == Decimal(2)
    assert board.others.participants == 3 and board.others.teams == 1
    assert not board.others.shown  # 3 < 5: its figures are not shown
    assert results.totals(active_campaign).freed_bytes == (8 + 10 + 30) * GB
    by_rate = results.leaderboard(active_campaign, sort="rate")
    assert [(t.name, t.rate_rank, t.participation_rate) for t in by_rate.teams] == [
        ("Service Archives", 1, Decimal("0.75")),
        ("Service Budget", 2, Decimal("0.625")),
    ]


def test_hidden_participants_leave_their_teams_figures_but_not_the_total(active_campaign, team, import_rows):
    _, users = team(5, name="Service Discret")
    import_rows(
        [(u, "mailbox", 4 * GB, None, BEFORE) for u in users] + [(u, "mailbox", 3 * GB, None, MID) for u in users]
    )
    join_all(active_campaign, users)
    assert [t.participants for t in results.leaderboard(active_campaign).teams] == [5]
    services.set_hidden_from_team(users[0], active_campaign, True)
    board = results.leaderboard(active_campaign)
    assert board.teams == []  # 4 counted participants: grouped with the other teams
    assert board.others.participants == 4 and board.others.freed_bytes is None  # four people: not shown
    assert results.totals(active_campaign).participants == 5
    assert results.totals(active_campaign).freed_bytes == 5 * GB
    assert results.team_rank(users[1], active_campaign) is None
    team = results.my_team(users[1], active_campaign)
    assert (team.name, team.counted_participants, team.ranked) == ("Service Discret", 4, False)


def test_leaderboard_never_exposes_an_individual(active_campaign, team, import_rows):
    _, users = team(5)
    _, lonely = team(1)
    import_rows([(u, "mailbox", 4 * GB, None, BEFORE) for u in users + lonely])
    join_all(active_campaign, users + lonely)
    board = results.leaderboard(active_campaign)
    rows = [*board.teams, board.others]
    assert all(row.participants >= 5 or not row.shown for row in rows)
    text = exports.summary_csv(active_campaign, other_teams_label="Autres équipes", total_label="Campagne")
    lines = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    other = next(line for line in lines if line["row"] == "other_teams")
    assert other["participants"] == "1" and other["freed_gb"] == "" and other["freed_gb_per_participant"] == ""


def test_teams_by_commune(make_campaign, make_user, make_site, import_rows):
    campaign = make_campaign(team_rule="commune", published_at=paris(2026, 2, 1), now=paris(2026, 3, 16))
    site = make_site(commune_insee="33281")
    users = [make_user(site=site) for _ in range(5)]
    import_rows([(u, "drive", 2 * GB, None, BEFORE) for u in users] + [(u, "drive", GB, None, MID) for u in users])
    join_all(campaign, users)
    board = results.leaderboard(campaign)
    assert [(t.name, t.participants, t.freed_gb) for t in board.teams] == [("Mérignac", 5, 5)]
    assert results.team_rank(users[0], campaign) == 1


def test_daily_series_is_cumulative_with_participants_per_day(active_campaign, make_user, import_rows):
    first, second = make_user(), make_user()
    import_rows(
        [(u, "mailbox", 10 * GB, None, BEFORE) for u in (first, second)]
        + [
            (first, "mailbox", 8 * GB, None, paris(2026, 3, 10, 12)),
            (second, "mailbox", 7 * GB, None, paris(2026, 3, 12, 12)),
        ]
    )
    services.join(first, active_campaign, now=paris(2026, 3, 5))
    services.join(second, active_campaign, now=paris(2026, 3, 11, 9))
    db.session.commit()
    series = results.measured_series(active_campaign, today=date(2026, 3, 13))
    assert [(d.day.day, d.freed_bytes // GB, d.participants) for d in series] == [
        (9, 0, 1),
        (10, 2, 1),
        (11, 2, 2),
        (12, 5, 2),
        (13, 5, 2),
    ]
    assert results.daily_series(active_campaign, today=date(2026, 3, 1)) == []
    assert len(results.daily_series(active_campaign, today=date(2026, 5, 1))) == 21
    # As shown: each day's change is one person's, so only the day before any change has a figure.
    shown = results.daily_series(active_campaign, today=date(2026, 3, 13))
    assert [(d.day.day, d.freed_bytes, d.participants) for d in shown] == [
        (9, 0, 1),
        (10, None, 1),
        (11, None, 2),
        (12, None, 2),
        (13, None, 2),
    ]


def test_summary_csv_is_formula_safe(active_campaign, team, import_rows):
    _, users = team(5, name='=HYPERLINK("http://evil")')
    import_rows(
        [(u, "mailbox", 4 * GB, None, BEFORE) for u in users] + [(u, "mailbox", 3 * GB, None, MID) for u in users]
    )
    join_all(active_campaign, users)
    text = exports.summary_csv(active_campaign, other_teams_label="-autres", total_label="@total")
    lines = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert lines[0]["team"].startswith("'=")
    assert lines[0]["freed_gb"] == "5.000" and lines[0]["freed_gb_per_participant"] == "1.000"
    assert lines[-1]["row"] == "campaign" and lines[-1]["team"] == "'@total"
    assert "ADEME" in lines[-1]["co2e_convention"]
    assert text.startswith("\ufeffrow,team,")  # a byte-order mark: spreadsheets read it as UTF-8


def test_co2e_uses_the_campaigns_convention(make_campaign):
    ademe = make_campaign(horizon_year=2030)
    assert results.co2e(ademe, 10 * GB).kg == Decimal("0.0094") and results.co2e(ademe, 10 * GB).years == 4
    dcd = make_campaign(co2e_convention="cleanup_day")
    assert results.co2e(dcd, 10 * GB).kg == Decimal("2.5")


def test_placeholders_for_messages(active_campaign, team, import_rows, make_user):
    _, users = team(5)
    import_rows(
        [(u, "mailbox", 4 * GB, None, BEFORE) for u in users]
        + [(u, "mailbox", 1_500_000_000, None, MID) for u in users]
    )
    join_all(active_campaign, users)
    never_measured = make_user()
    assert services.campaign_freed_gb(users[0], active_campaign) == Decimal("2.5")
    assert services.campaign_freed_gb(never_measured, active_campaign) is None
    assert services.team_rank(users[0], active_campaign) == 1
    assert services.team_rank(never_measured, active_campaign) is None
    assert services.campaign_total_gb(active_campaign) == Decimal("12.5")
    assert services.campaign_participants(active_campaign) == 5
    bulk = services.campaign_freed_gb_by_user(active_campaign, [users[0].id, users[1].id, never_measured.id])
    assert bulk == {users[0].id: Decimal("2.5"), users[1].id: Decimal("2.5"), never_measured.id: None}


def test_collection_returns_come_from_the_locator(communes, active_campaign, make_campaign, make_org_unit, make_user):
    returns = results.collection_returns(active_campaign)
    assert (returns.items, returns.kg, returns.commune_insees) == (0, 0, None)
    assert len(exchange.import_points(exchange.packaged_rows()).created) == 28
    begles = db.session.scalar(sa.select(CollectionPoint).where(CollectionPoint.code == "33039"))
    declare_return(begles, user=make_user(), item="smartphone", quantity=2, now=paris(2026, 3, 16, 10, 0))
    declare_return(begles, user=make_user(), item="laptop", quantity=1, now=paris(2026, 2, 1, 10, 0))  # before
    db.session.flush()
    assert results.collection_returns(active_campaign).items == 2  # at once: returns are never cached
    in_begles = make_campaign(scope_all=False, commune_insees=["33039"], published_at=paris(2026, 2, 20))
    in_bordeaux = make_campaign(scope_all=False, commune_insees=["33063"], published_at=paris(2026, 2, 20))
    assert results.collection_returns(in_begles).items == 2
    assert results.collection_returns(in_bordeaux).items == 0
    by_unit = make_campaign(scope_all=False, org_unit_ids=[make_org_unit().id])
    assert results.collection_returns(by_unit) is None  # returns cannot be tied to org units


def test_goals_are_shares_of_the_published_totals_capped_at_the_whole(make_campaign):
    campaign = make_campaign(goal_gb=Decimal("10"), goal_participation=Decimal("0.5"))

    def published(freed_bytes: int | None, participants: int, eligible: int) -> results.Totals:
        return results.Totals(participants, participants, 0, eligible, freed_bytes, None, (), None, None)

    progress = results.goals(campaign, published(int(2.5 * GB), 3, 4))
    assert (progress.gb_share, progress.gb_withheld, progress.participation_share) == (Decimal("0.25"), False, 1)
    withheld = results.goals(campaign, published(None, 1, 4))
    assert withheld.gb_withheld and withheld.gb_share is None and withheld.participation_share == Decimal("0.5")
