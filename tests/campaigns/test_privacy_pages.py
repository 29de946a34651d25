"""Every figure a campaign publishes, read where people read it (pages, CSV export, message placeholders), for
the worst cases: no sum or difference of them gives what fewer than 5 people freed.

Each scenario has two ranked-size teams (Alpha: 6 counted, Bêta: 5), a few people in the other teams, some
who asked not to be counted in their team, maybe one who left, maybe a place used by two people and a late
import touching a few. Each figure read is first checked against the sum the test believes it is (so that
the test reads what the page means), then every subtraction of subsets of them is tried.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from portal.campaigns import services
from portal.messaging.context import ContextBuilder
from portal.models import db, utcnow
from tests.campaigns.conftest import GB, paris
from tests.campaigns.disclosure import small_groups
from tests.conftest import csrf_token

BEFORE, MID, LATE = paris(2026, 3, 1), paris(2026, 3, 15, 10), paris(2026, 3, 25, 10)
JOINED, LEFT = paris(2026, 3, 10), paris(2026, 3, 26)
DAY_MID, DAY_LATE = date(2026, 3, 15), date(2026, 3, 25)
PLACES = {"Boîte aux lettres": "mailbox", "Espace cloud": "drive", "Partage réseau": "share"}
MONTHS = {"mars": 3, "avril": 4}
BASE = {"mailbox": (50 * GB, 100_000), "drive": (80 * GB, 40_000), "share": (20 * GB, None)}


@dataclass
class Person:
    index: int
    user: Any
    team: str | None  # the unit's name
    hidden: bool = False
    left: bool = False
    freed: dict[tuple[str, date], tuple[int, int]] = field(default_factory=dict)  # (source, day) → bytes, items

    @property
    def counted(self) -> bool:
        return not self.hidden and not self.left


@dataclass
class Scenario:
    campaign: Any
    people: list[Person]

    def active(self) -> list[Person]:
        return [p for p in self.people if not p.left]

    def atoms(self, measure: str, who: list[Person], keep=lambda source, day: True) -> frozenset:
        position = 0 if measure == "bytes" else 1
        return frozenset(
            (p.index, source, day)
            for p in who
            for (source, day), values in p.freed.items()
            if values[position] and keep(source, day)
        )

    def value(self, measure: str, atoms: frozenset) -> int:
        position = 0 if measure == "bytes" else 1
        by_person = {p.index: p for p in self.people}
        return sum(by_person[i].freed[(s, d)][position] for i, s, d in atoms)


@dataclass(frozen=True)
class Figure:
    """A figure as read: where, which cell it claims to be, its value and how precisely it is written."""

    where: str
    cell: tuple
    measure: str  # bytes | items
    value: Decimal
    unit: Decimal  # bytes per unit of `value` (GB: 10⁹; items: 1)
    tolerance: Decimal  # half the last digit written
    per: int = 1  # divided by this many participants (averages)


def build(make_campaign, make_user, make_org_unit, import_rows, *, others, opted_out, leaver, places, late):
    """The scenario's people, their measures (imported through the real importer), joins, opt-outs and leave."""
    campaign = make_campaign(published_at=paris(2026, 2, 20), now=paris(2026, 3, 15), goal_gb=Decimal(40))
    units = {name: make_org_unit(name=name) for name in ("Service Alpha", "Service Bêta", "Service Gamma")}
    layout = [("Service Alpha", False)] * 6 + [("Service Alpha", True)] * opted_out + [("Service Bêta", False)] * 5
    layout += [("Service Gamma" if n != 1 else None, False) for n in range(others)]
    people = []
    for index, (team, hidden) in enumerate(layout + ([("Service Gamma", False)] if leaver else [])):
        person = Person(index, make_user(org_unit=units.get(team)), team, hidden, left=leaver and index == len(layout))
        person.freed[("mailbox", DAY_MID)] = (200_000_000 + index * 37_000_000, 20 + 3 * index)
        person.freed[("drive", DAY_MID)] = (150_000_000 + index * 53_000_000, 10 + 2 * index)
        if places and team == "Service Bêta" and index % 2:  # two people with a network share
            person.freed[("share", DAY_MID)] = (400_000_000 + index * 11_000_000, 0)
        if late and (team in (None, "Service Gamma") or index == 11):  # a later import touching a few people
            person.freed[("mailbox", DAY_LATE)] = (90_000_000 + index * 7_000_000, 5 + index)
        people.append(person)
    rows = []
    for person in people:
        for source in {source for source, _ in person.freed}:
            size, items = BASE[source]
            rows.append((person.user, source, size, items, BEFORE))
            for at, day in ((MID, DAY_MID), (LATE, DAY_LATE)):
                if (source, day) in person.freed:
                    size -= person.freed[(source, day)][0]
                    items = None if items is None else items - person.freed[(source, day)][1]
                    rows.append((person.user, source, size, items, at))
    import_rows(rows)
    for person in people:
        services.join(person.user, campaign, now=JOINED)
        if person.hidden:
            services.set_hidden_from_team(person.user, campaign, True)
    for person in people:
        if person.left:
            services.leave(person.user, campaign, now=LEFT)
    db.session.commit()
    return Scenario(campaign, people)


# ------------------------------------------------------------------------------------------- reading


def number(text: str) -> Decimal:
    """A number as written in French: narrow no-break spaces between thousands, a decimal comma."""
    return Decimal(re.sub(r"[\s\u202f\u00a0]", "", text).replace(",", "."))


GB_TEXT = re.compile(r"^([\d\s\u202f\u00a0]+(?:,(\d+))?)\s*Go$")


def read_gb(where: str, cell: tuple, text: str, per: int = 1) -> list[Figure]:
    """A GB figure, or nothing if the page says it is not shown (anything else fails the test)."""
    text = re.sub(r"<[^>]+>", "", text).strip()
    match = GB_TEXT.match(text)
    if not match:
        assert "non affiché" in text.lower(), f"{where}: neither a figure nor withheld: {text!r}"
        return []
    digits = len(match.group(2) or "")
    return [Figure(where, cell, "bytes", number(match.group(1)), Decimal(GB), Decimal(5) / 10 ** (digits + 1), per)]


def read_items(where: str, cell: tuple, text: str) -> list[Figure]:
    text = re.sub(r"<[^>]+>", "", text).strip()
    if not re.fullmatch(r"[\d\s\u202f\u00a0]+", text):
        assert "non affiché" in text.lower(), f"{where}: neither a figure nor withheld: {text!r}"
        return []
    return [Figure(where, cell, "items", number(text), Decimal(1), Decimal(0))]


def main_of(html: str) -> str:
    return re.search(r"<main.*</main>", html, re.DOTALL).group(0)


def definition(html: str, term: str) -> str:
    return re.search(rf"<dt>{re.escape(term)}</dt><dd>(.*?)</dd>", html, re.DOTALL).group(1)


def places_table(where: str, html: str) -> list[Figure]:
    figures = []
    for label, gb, items in re.findall(
        r'<tr><th scope="row">([^<]+)</th><td class="num">(.*?)</td>'
        r'<td class="num">(.*?)</td></tr>',
        html,
    ):
        if label in PLACES or label == "Total":
            cell = ("total",) if label == "Total" else ("place", PLACES[label])
            figures += read_gb(f"{where}, {label}", cell, gb) + read_items(f"{where}, {label}", cell, items)
    return figures


def campaign_page(html: str) -> list[Figure]:
    totals = re.search(r'<section id="campaign-totals".*?</section>', html, re.DOTALL).group(0)
    figures = read_gb("campaign page", ("total",), definition(totals, "Stockage libéré par les participants"))
    figures += read_items("campaign page", ("total",), definition(totals, "Éléments supprimés"))
    goal = re.search(r'<progress id="goal-gb" max="100" value="(\d+)"', totals)
    if goal:  # the share of the 40 GB goal, as a percentage: the total, roughly
        figures.append(
            Figure(
                "campaign page, goal",
                ("total",),
                "bytes",
                Decimal(goal.group(1)) * 40 / 100,
                Decimal(GB),
                Decimal("0.2"),
            )
        )
    return figures


def leaderboard_page(html: str) -> tuple[list[Figure], set[str]]:
    table = re.search(r'<section id="leaderboard".*?</section>', html, re.DOTALL).group(0)
    figures, ranked = [], set()
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL):
        head = re.search(r'<th scope="row">(.*?)</th>', row, re.DOTALL)
        if not head:
            continue
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
        participants = int(number(cells[1]))
        if head.group(1).startswith("Autres équipes"):
            cell, name = ("others",), "other teams"
        else:
            name = head.group(1).strip()
            cell = ("team", name)
            ranked.add(name)
        where = f"leaderboard, {name}"
        if len(cells) == 5:  # rank, participants, rate, GB per participant, GB
            figures += read_gb(where, cell, cells[3], per=participants) + read_gb(where, cell, cells[4])
        else:
            assert "non affiché" in cells[-1].lower(), where
    return figures, ranked


def results_page(html: str) -> tuple[list[Figure], int]:
    figures, shown_days = [], 0
    for day, month, gb in re.findall(
        r'<tr><th scope="row">(\d+) (\w+) 2026</th><td class="num">(.*?)</td><td class="num">\d+</td></tr>', html
    ):
        read = read_gb(f"results, {day} {month}", ("until", date(2026, MONTHS[month], int(day))), gb)
        figures += read
        shown_days += bool(read)
    chart = re.search(r'<svg[^>]*>\s*<title id="freed-chart-title">.*?</svg>', html, re.DOTALL).group(0)
    points = re.search(r'<polyline points="([^"]*)"', chart)
    assert (len(points.group(1).split()) if points else 0) == shown_days  # the line only joins days shown
    desc = re.search(r'<desc id="freed-chart-desc">(.*?)</desc>', html).group(1)
    last = re.search(r"; ([\d\s\u202f\u00a0]+,\d)[\s\u00a0]Go libérés au total", desc)
    # The chart's description repeats the last figure shown: one of the table's.
    assert any(f.value == number(last.group(1)) for f in figures) if last else not figures, desc
    return figures + places_table("results", html), shown_days


def summary_page(html: str, scenario: Scenario) -> list[Figure]:
    figures = read_gb("summary", ("total",), definition(html, "Stockage libéré"))
    figures += read_items("summary", ("total",), definition(html, "Éléments supprimés"))
    share = re.search(r"40 Go libérés\u202f?\s?: non atteint \((\d+)", html)
    if share:
        figures.append(
            Figure(
                "summary, goal", ("total",), "bytes", Decimal(share.group(1)) * 40 / 100, Decimal(GB), Decimal("0.2")
            )
        )
    counted = {team: sum(1 for p in scenario.active() if p.counted and p.team == team) for team in TEAMS}
    for name, value in re.findall(r"<li>([^<:]+?)\s?: ([\d,\s\u202f\u00a0]+) Go par participant", html):
        figures += read_gb(f"summary, {name}", ("team", name), f"{value} Go", per=counted[name])
    return figures + places_table("summary", html)


def csv_export(text: str) -> list[Figure]:
    figures = []
    for line in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))):
        cell = {"team": ("team", line["team"]), "other_teams": ("others",), "campaign": ("total",)}[line["row"]]
        where = f"CSV, {line['team']}"
        for column, per in (("freed_gb", 1), ("freed_gb_per_participant", int(line["participants"]))):
            if line[column]:
                figures.append(Figure(where, cell, "bytes", Decimal(line[column]), Decimal(GB), Decimal("0.0005"), per))
        if line["freed_items"]:
            figures.append(Figure(where, cell, "items", Decimal(line["freed_items"]), Decimal(1), Decimal(0)))
    return figures


TEAMS = ("Service Alpha", "Service Bêta", "Service Gamma")


def meaning(scenario: Scenario, figure: Figure, ranked: set[str]) -> frozenset:
    """The atoms the figure sums, as the test understands its label."""
    kind, *arg = figure.cell
    active = scenario.active()
    if kind == "team":
        return scenario.atoms(figure.measure, [p for p in active if p.counted and p.team == arg[0]])
    if kind == "others":
        return scenario.atoms(figure.measure, [p for p in active if p.counted and p.team not in ranked])
    if kind == "total":
        return scenario.atoms(figure.measure, active)
    if kind == "place":
        return scenario.atoms(figure.measure, active, lambda source, day: source == arg[0])
    return scenario.atoms(figure.measure, active, lambda source, day: day <= arg[0])


def everything_published(scenario: Scenario, client, login, make_user) -> tuple[list[Figure], set[str], dict]:
    """Read every figure of the campaign as an employee of Alpha and as the communications team reads it."""
    campaign = scenario.campaign
    login(scenario.people[0].user)
    base = f"/campaigns/{campaign.id}"
    figures = campaign_page(client.get(base).get_data(as_text=True))
    board, ranked = leaderboard_page(client.get(f"{base}/leaderboard").get_data(as_text=True))
    by_day, shown_days = results_page(main_of(client.get(f"{base}/results").get_data(as_text=True)))
    figures += board + by_day + summary_page(main_of(client.get(f"{base}/summary").get_data(as_text=True)), scenario)
    home = main_of(client.get("/").get_data(as_text=True))
    mine_only = home.split("Libéré depuis le début", 1)[0]  # the person's own figure, shown to them alone
    assert campaign.name in home and " Go" not in mine_only  # the banner: days left, no published figure
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(make_user(roles=("comms",)))
    figures += csv_export(client.get(f"{base}/summary.csv").get_data(as_text=True))
    builder = ContextBuilder(today=date(2026, 3, 28), now=utcnow(), portal_url="http://x", campaign_id=campaign.id)
    contexts = builder.contexts([p.user for p in scenario.people])
    totals_gb = {c["campaign_total_gb"] for c in contexts.values()}
    assert len(totals_gb) == 1  # the same for every recipient
    if (total_gb := totals_gb.pop()) is not None:
        figures.append(
            Figure("placeholder campaign_total_gb", ("total",), "bytes", total_gb, Decimal(GB), Decimal("0.05"))
        )
    return figures, ranked, {"contexts": contexts, "shown_days": shown_days, "chart": by_day}


A, B = "Service Alpha", "Service Bêta"
SCENARIOS = {
    # name: (in the other teams, opted out of Alpha, one more of the other teams left, two people with a network
    # share, a late import touching a few) → (teams ranked, other teams' figures shown)
    "1 other": ((1, 0, False, False, False), ({A}, True)),  # Bêta joins the others: 6 people
    "1 other, 1 opted out (the reported case)": ((1, 1, False, False, False), ({A}, False)),
    "2 others": ((2, 0, False, False, False), ({A}, True)),
    "2 others, 2 opted out": ((2, 2, False, False, False), ({A}, False)),
    "4 others": ((4, 0, False, False, False), ({A}, True)),
    "4 others, 1 opted out": ((4, 1, False, False, False), ({A, B}, False)),  # already safe: nothing lost
    "1 other, 4 opted out": ((1, 4, False, False, False), ({A, B}, False)),  # already safe: nothing lost
    "the other left, 1 opted out (the reported case)": ((0, 1, True, False, False), ({A}, False)),
    "1 other, 1 opted out, 1 left": ((1, 1, True, False, False), ({A}, False)),
    "2 others, 1 opted out, places and a late import": ((2, 1, False, True, True), ({A}, False)),
    "4 others, places and a late import": ((4, 0, False, True, True), ({A}, True)),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_no_subtraction_of_published_figures_gives_fewer_than_five_people(
    name, make_campaign, make_user, make_org_unit, import_rows, client, login
):
    (others, opted_out, leaver, places, late), (expected_ranked, others_shown) = SCENARIOS[name]
    scenario = build(
        make_campaign,
        make_user,
        make_org_unit,
        import_rows,
        others=others,
        opted_out=opted_out,
        leaver=leaver,
        places=places,
        late=late,
    )
    figures, ranked, seen = everything_published(scenario, client, login, make_user)

    cells: dict[str, dict[str, frozenset]] = {"bytes": {}, "items": {}}
    for figure in figures:
        atoms = meaning(scenario, figure, ranked)
        exact = Decimal(scenario.value(figure.measure, atoms)) / figure.unit / figure.per
        assert abs(figure.value - exact) <= figure.tolerance + Decimal("1e-9"), (figure, exact)
        cells[figure.measure][f"{figure.where}: {figure.cell}"] = atoms
    leaks = {measure: small_groups(found) for measure, found in cells.items()}
    assert leaks == {"bytes": [], "items": []}

    # What stays shown: the headline (far more than 5 people freed something), and as many teams as possible.
    assert any(f.cell == ("total",) and f.where == "campaign page" for f in figures)
    assert (ranked, any(f.cell == ("others",) for f in figures)) == (expected_ranked, others_shown)
    if places:  # two people with a share: the share, and the next place where fewest changed, are withheld
        assert {f.cell for f in figures if f.cell[0] == "place"} == {("place", "mailbox")}
    if late:  # from the 15th, the total minus the day would be the few late changes: those days are merged
        assert seen["shown_days"] == 6 + 5
    # A team's rank goes to its members only when the team is ranked on the leaderboard.
    for person in scenario.people:
        rank = seen["contexts"][person.user.id]["team_rank"]
        assert (rank is not None) == (person.team in ranked), (person, rank)
