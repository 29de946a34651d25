"""Which campaign figures may be shown: no combination of them gives the figures of fewer than 5 people.

Pure (stdlib only): the results module counts, this module decides; `results` applies the decision inside
what it caches, so every page, the CSV export and the message placeholders show the same figures.

The published figures are sums of what participants freed (bytes and items, and what derives from a single one
of them: GB, averages, CO₂e, the share of a goal), cut three ways:
- by team: one figure per team shown (its counted participants), "other teams" (the counted participants of
  the teams not shown, and those with no team), and the campaign's total (every participant, including those
  who asked not to be counted in their team);
- by place: one figure per source (mailbox, drive, share);
- by day: the cumulative total at the end of each day, so that two days give the stretch between them.

Whoever reads them can add and subtract them. Every published figure is a sum of *fine cells*: what the
participants of one team class (a team shown, the other teams when shown, or the remainder: everyone else)
changed in one place class (a place shown, or the places not shown together) over one stretch of days (between
two days shown, or from the last one to the total). Any combination of published figures therefore counts a
whole fine cell or none of it, and the rule is: every fine cell holds nobody, or at least MIN_GROUP_SIZE
participants whose storage changed there. Then no sum or difference, with any coefficients, gives what fewer
people freed. Someone unchanged, or never measured, adds nothing to a sum and hides nobody: they do not count.

When a cell would hold 1 to 4 people, figures are withheld, the least useful first:
1. nothing but counts of people while fewer than MIN_GROUP_SIZE participants changed at all;
2. teams: the other teams' figures are withheld if that makes the remainder large enough; otherwise the smallest
   team shown joins the other teams, and so on (complementary suppression);
3. places: the place where fewest changed is withheld (merged with the others not shown), until every cell is safe;
4. days: a day's cumulative figure is shown only if the stretch since the previous day shown, and the stretch
   from the last day shown to the total, are safe; otherwise those days are merged.

Counts of people (participants, eligible employees, rates) are not sums of what someone freed and are shown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

MIN_GROUP_SIZE = 5


def safe(people: int) -> bool:
    """A sum over `people` people may be known: nobody (it is zero), or at least MIN_GROUP_SIZE."""
    return people == 0 or people >= MIN_GROUP_SIZE


@dataclass(frozen=True)
class Contributor:
    """Participants whose storage changed, told apart only by what the published figures cut them by."""

    team: Hashable  # their team (None: no team); None as well when hidden
    hidden: bool  # not counted in their team's figures (only in the campaign's total)
    changes: frozenset[tuple[str, date]]  # (source, day) of each change

    @property
    def sources(self) -> frozenset[str]:
        return frozenset(source for source, _ in self.changes)


@dataclass(frozen=True)
class Publication:
    """The figures that may be shown (every other sum is withheld)."""

    teams: frozenset[Hashable]  # teams shown on their own
    others: bool  # the "other teams" figures
    total: bool  # the campaign's total, and everything derived from it alone
    sources: frozenset[str]  # places shown on their own


NOTHING = Publication(frozenset(), False, False, frozenset())
_OTHERS, _REMAINDER = ("other teams",), ("remainder",)  # team classes besides the teams shown
_NOT_SHOWN = ("places not shown",)  # the place class of the places withheld


def _team_class(contributor: Contributor, publication: Publication) -> Hashable:
    if contributor.hidden:
        return _REMAINDER
    if contributor.team in publication.teams:
        return contributor.team
    return _OTHERS if publication.others else _REMAINDER


def _cells_safe(
    publication: Publication,
    contributors: Mapping[Contributor, int],
    after: date | None = None,
    until: date | None = None,
) -> bool:
    """Every fine cell of the changes from `after` (excluded) to `until` (None: no bound) holds nobody or enough
    people."""
    cells: Counter[tuple[Hashable, Hashable]] = Counter()
    for contributor, people in contributors.items():
        places = {
            source if source in publication.sources else _NOT_SHOWN
            for source, day in contributor.changes
            if (after is None or day > after) and (until is None or day <= until)
        }
        for place in places:
            cells[_team_class(contributor, publication), place] += people
    return all(safe(people) for people in cells.values())


def publication(
    participants_by_team: Mapping[Hashable, int], contributors: Mapping[Contributor, int], *, sources: Iterable[str]
) -> Publication:
    """Teams, other teams, total and places that may be shown, from the counted participants of each team (key
    None: no team) and the participants whose storage changed (rules 1 to 3)."""
    changed: Counter[Hashable] = Counter()
    hidden = 0
    for contributor, people in contributors.items():
        if contributor.hidden:
            hidden += people
        else:
            changed[contributor.team] += people
    if not safe(hidden + sum(changed.values())):
        return NOTHING
    shown = {
        team
        for team, participants in participants_by_team.items()
        if team is not None and participants >= MIN_GROUP_SIZE and safe(changed[team])
    }
    while True:
        others_participants = sum(n for team, n in participants_by_team.items() if team not in shown)
        others_changed = sum(n for team, n in changed.items() if team not in shown)
        others_safe = safe(others_changed) and (others_participants == 0 or others_participants >= MIN_GROUP_SIZE)
        if others_safe and safe(hidden):  # the remainder: those hidden from their team
            others = True
            break
        # Without the other teams' figures the remainder is them and the hidden ones; with no team shown, everyone.
        if safe(hidden + others_changed) or not shown:
            others = False
            break
        shown.remove(min(shown, key=lambda team: (changed[team], participants_by_team[team], str(team))))
    decided = Publication(frozenset(shown), others, True, frozenset(sources))
    while decided.sources and not _cells_safe(decided, contributors):

        def changed_in(place: str) -> int:
            return sum(people for contributor, people in contributors.items() if place in contributor.sources)

        fewest = min(decided.sources, key=lambda place: (changed_in(place), place))
        decided = Publication(decided.teams, others, True, decided.sources - {fewest})
    return decided


def published_days(
    publication: Publication, contributors: Mapping[Contributor, int], days: Sequence[date]
) -> frozenset[date]:
    """The days (of `days`, in order) whose cumulative figure may be shown (rule 4)."""
    if not days:
        return frozenset()
    changes = sorted({day for contributor in contributors for _, day in contributor.changes})
    cuts: list[date | None] = [None]  # before the first change: zero, always shown
    for day in changes:
        # The stretch since the previous day shown, and the stretch from this one to the total (the last
        # cumulative figure, which does not depend on the other days chosen), must both be safe.
        if (
            day <= days[-1]
            and _cells_safe(publication, contributors, day, None)
            and _cells_safe(publication, contributors, cuts[-1], day)
        ):
            cuts.append(day)
    shown = set(cuts)

    def cut_of(day: date) -> date | None:
        """The last change up to `day`: the day shows that cut's cumulative figure."""
        earlier = [change for change in changes if change <= day]
        return earlier[-1] if earlier else None

    return frozenset(day for day in days if cut_of(day) in shown)
