"""The privacy rule alone: which cells a campaign may show so that no figure of fewer than 5 people can be read
or worked out by subtraction (the pages applying it are tested in test_privacy_pages.py)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest

from portal.campaigns.privacy import NOTHING, Contributor, Publication, publication, published_days, safe
from tests.campaigns.disclosure import small_groups

SOURCES = ("mailbox", "drive", "share")
MAIL = frozenset({"mailbox"})
D15 = frozenset({date(2026, 3, 15)})
DAYS = [date(2026, 3, 9) + (date(2026, 3, 2) - date(2026, 3, 1)) * n for n in range(21)]


def people(team, n, *, hidden=False, sources=MAIL, days=D15):
    """n contributors of a team, each changing in every one of `sources` on every one of `days`."""
    changes = frozenset((source, day) for source in sources for day in days)
    return {Contributor(None if hidden else team, hidden, changes): n}


def decide(participants, *groups):
    contributors: Counter = Counter()
    for group in groups:
        contributors.update(group)
    return publication(participants, contributors, sources=SOURCES)


def test_safe_means_nobody_or_at_least_five():
    assert [safe(n) for n in range(7)] == [True, False, False, False, False, True, True]


def test_one_in_the_other_teams_and_one_hidden_no_longer_give_away_two_people():
    """Total − team shown was the two of them: the team joins the other teams, whose figures are withheld."""
    shown = decide({"alpha": 6, "gamma": 1}, people("alpha", 6), people("gamma", 1), people(None, 1, hidden=True))
    assert (shown.teams, shown.others, shown.total) == (frozenset(), False, True)


def test_after_the_last_one_of_the_other_teams_left_the_hidden_one_stays_hidden():
    """Total − team shown was the hidden participant's own progress."""
    shown = decide({"alpha": 6}, people("alpha", 6), people(None, 1, hidden=True))
    assert (shown.teams, shown.others, shown.total) == (frozenset(), False, True)


@pytest.mark.parametrize("others", [1, 2, 4])
def test_the_next_smallest_team_joins_a_small_remainder(others):
    """Total − teams shown = the other teams: the smallest team shown joins them, and their sum is then safe."""
    shown = decide(
        {"alpha": 7, "beta": 5, "gamma": others}, people("alpha", 7), people("beta", 5), people("gamma", others)
    )
    assert (shown.teams, shown.others, shown.total) == (frozenset({"alpha"}), True, True)


@pytest.mark.parametrize("hidden", [1, 2, 4])
def test_other_teams_are_withheld_when_the_hidden_ones_would_be_left_alone(hidden):
    shown = decide({"alpha": 7, "gamma": 5}, people("alpha", 7), people("gamma", 5), people(None, hidden, hidden=True))
    assert (shown.teams, shown.others, shown.total) == (frozenset({"alpha"}), False, True)


def test_everything_shown_when_every_group_is_large_enough():
    shown = decide(
        {"alpha": 7, "gamma": 3, "delta": 2},
        people("alpha", 7),
        people("gamma", 3),
        people("delta", 2),
        people(None, 5, hidden=True),
    )
    assert shown == Publication(frozenset({"alpha"}), True, True, frozenset(SOURCES))


def test_nothing_but_counts_below_five_people_who_changed():
    assert decide({"alpha": 9}, people("alpha", 4)) == NOTHING
    assert decide({"alpha": 9}, {}).total  # nobody changed yet: every sum is zero, and shown as such


def test_a_team_needs_five_counted_participants_and_a_safe_number_of_changes():
    four = decide({"alpha": 4, "beta": 9, "gamma": 1}, people("alpha", 4), people("beta", 5), people("gamma", 1))
    assert (four.teams, four.others) == (frozenset({"beta"}), True)
    # Five participants, but only two of them changed: their sum is two people's.
    two = decide({"alpha": 5, "beta": 9, "gamma": 3}, people("alpha", 2), people("beta", 5), people("gamma", 3))
    assert (two.teams, two.others) == (frozenset({"beta"}), True)


def test_a_place_used_by_two_people_is_withheld_with_the_next_smallest():
    shown = decide({"alpha": 9}, people("alpha", 7, sources={"mailbox", "drive"}), people("alpha", 2, sources=SOURCES))
    assert shown.sources == frozenset({"mailbox"})  # total − mailbox: drive and share together, nine people


def test_a_day_on_which_few_people_changed_is_merged_with_the_next_ones():
    late = frozenset({date(2026, 3, 15), date(2026, 3, 25)})
    contributors = {**people("alpha", 6), **people("beta", 5, days=late)}
    shown = decide({"alpha": 6, "beta": 5}, contributors)
    days = published_days(shown, contributors, DAYS)
    # Day 15 − origin = everyone, but day 15 to the total is Beta's last change: Beta is shown, so it is safe.
    assert date(2026, 3, 15) in days and date(2026, 3, 25) in days
    one_late = {**people("alpha", 6), **people("beta", 4), **people("beta", 1, days=late)}
    shown = decide({"alpha": 6, "beta": 5}, one_late)
    days = published_days(shown, one_late, DAYS)
    # From the 15th, the total minus the day would be the one late change: those days join the 25th.
    assert sorted(days) == DAYS[:6] + DAYS[16:]
    assert DAYS[6] == date(2026, 3, 15) and DAYS[16] == date(2026, 3, 25)


def test_a_day_is_not_shown_when_a_team_shown_would_leave_a_few_people():
    """Day 10 holds Alpha (shown) and one hidden participant: day 10 − Alpha would be that person."""
    d10 = frozenset({date(2026, 3, 10)})
    contributors = {
        **people("alpha", 6, days=d10),
        **people(None, 1, hidden=True, days=d10),
        **people("beta", 6),
        **people("gamma", 4),
    }
    shown = decide({"alpha": 6, "beta": 6, "gamma": 4}, contributors)
    assert shown.teams == frozenset({"alpha", "beta"}) and not shown.others
    days = published_days(shown, contributors, DAYS)
    assert date(2026, 3, 9) in days and date(2026, 3, 10) not in days and date(2026, 3, 15) in days


def _random_campaign(rng: random.Random):
    """People with their changes: (person, place, day) atoms, team, hidden; some participants never change."""
    teams = ["alpha", "beta", "gamma", None]
    days = [date(2026, 3, 10), date(2026, 3, 15), date(2026, 3, 25)]
    everyone = []
    for person in range(rng.randrange(4, 22)):
        team = rng.choices(teams, weights=[5, 4, 2, 1])[0]
        hidden = rng.random() < 0.15
        atoms = set()
        if rng.random() < 0.85:
            for day in rng.sample(days, rng.choice([1, 1, 2])):
                for source in rng.sample(SOURCES, rng.choice([1, 2, 2, 3])):
                    atoms.add((person, source, day))
        everyone.append((person, team, hidden, frozenset(atoms)))
    return everyone


@pytest.mark.parametrize("seed", range(40))
def test_no_subtraction_of_the_cells_shown_gives_fewer_than_five_people(seed):
    everyone = _random_campaign(random.Random(seed))
    participants = Counter(team for _, team, hidden, _ in everyone if not hidden)
    contributors = Counter(
        Contributor(None if hidden else team, hidden, frozenset((s, d) for _, s, d in atoms))
        for _, team, hidden, atoms in everyone
        if atoms
    )
    shown = publication(participants, contributors, sources=SOURCES)
    days = published_days(shown, contributors, DAYS)
    counted = [(team, atoms) for _, team, hidden, atoms in everyone if not hidden]
    every_atom = frozenset(atom for *_, atoms in everyone for atom in atoms)
    cells = {f"team {team}": frozenset().union(*(a for t, a in counted if t == team)) for team in shown.teams}
    if shown.others:
        cells["other teams"] = frozenset().union(*(a for t, a in counted if t not in shown.teams))
    if shown.total:
        cells["total"] = every_atom
    cells |= {f"place {place}": frozenset(a for a in every_atom if a[1] == place) for place in shown.sources}
    cells |= {f"until {day}": frozenset(a for a in every_atom if a[2] <= day) for day in days}
    assert small_groups(cells) == []
