"""Published results of campaigns: totals, teams, daily series, the year's returns (the stored progress steps are
in `steps`, the CSV export in `exports`).

Organisation-wide figures (totals, teams, the daily series) are kept by the portal's cache
(`portal.reference_cache`) for at most PORTAL_CAMPAIGN_RESULTS_CACHE_SECONDS, keyed by the campaign's
`results_version`: every change of the results (joining, leaving, hiding from one's team, recomputed progress,
a campaign edit) bumps it in the same transaction, so no worker serves them after such a change; the time limit
only bounds what the version does not see (employees imported or deactivated: the eligible counts). An
employee's own figures are never cached.

Privacy rules, applied here and nowhere else:
- an employee's own figures are only ever computed for that employee (`steps.my_progress`);
- a participant who hides their participation is left out of their team's figures (count and GB) but still
  counts, anonymously, in the campaign's totals;
- what pages, the CSV export and messages show goes through `totals`, `leaderboard` and `daily_series`, which
  withhold (None) every figure that `privacy` does not publish: no sum of what fewer than MIN_TEAM_SIZE people
  freed can be read, nor worked out by subtracting figures shown together. The decision is cached with the
  results it applies to. `measured_totals` and `measured_series` are the figures before it: never shown.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context

from portal import reference_cache
from portal.accounts.models import User
from portal.campaigns.conventions import CONVENTIONS, Convention, co2e_kg, gigabytes, remaining_years
from portal.campaigns.models import Campaign, CampaignProgress, Participation, StorageImport, StorageSnapshot
from portal.campaigns.privacy import MIN_GROUP_SIZE, Contributor, Publication, publication, published_days
from portal.campaigns.scope import eligible_count, scope_clause, team_column, team_key_of, with_team_join
from portal.locator.services import returns_between
from portal.models import db
from portal.org.models import Commune, OrgUnit
from portal.timezone import PARIS

MIN_TEAM_SIZE = MIN_GROUP_SIZE
SOURCES = ("mailbox", "drive", "share")
DEFAULT_CACHE_SECONDS = 60


# ---------------------------------------------------------------------------------- results cache


def results_changed(campaign: Campaign) -> None:
    """Record that the campaign's results change: an atomic increment, committed with the change itself (until
    then this transaction keeps nothing: a rollback returns to the version whose results are cached)."""
    campaign.results_version = Campaign.results_version + 1
    db.session.flush()
    reference_cache.hold_until_commit()


def cached(campaign: Campaign, part: str, compute: Callable[[], Any], *arguments: Any) -> Any:
    """`compute()`, or its value kept for the same campaign and results version (and `arguments`: a day; for a
    rendered fragment, the language…) less than PORTAL_CAMPAIGN_RESULTS_CACHE_SECONDS ago."""
    max_seconds = _cache_seconds()
    if max_seconds <= 0 or campaign.id is None:
        return compute()
    key = (campaign.id, campaign.results_version, *arguments)
    return reference_cache.cached(f"campaigns.{part}", key, compute, max_seconds=max_seconds)


def _cache_seconds() -> float:
    if not has_app_context():
        return 0
    return float(current_app.config.get("PORTAL_CAMPAIGN_RESULTS_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))


# ------------------------------------------------------------------------------------------ totals


@dataclass(frozen=True)
class Goals:
    """How far the campaign is towards its goals, each a share from 0 to 1 (None: no such goal, or the figure
    it needs is withheld; `gb_withheld`: the GB goal exists but what was freed is not shown)."""

    gb_share: Decimal | None
    gb_withheld: bool
    participation_share: Decimal | None


def goals(campaign: Campaign, published: Totals) -> Goals:
    """The campaign's progress towards its goals, from its published totals (capped at 100 %)."""
    gb_share = participation_share = None
    if campaign.goal_gb and published.freed_gb is not None:
        gb_share = min(max(published.freed_gb / Decimal(campaign.goal_gb), Decimal(0)), Decimal(1))
    if campaign.goal_participation and published.participation_rate is not None:
        participation_share = min(published.participation_rate / Decimal(campaign.goal_participation), Decimal(1))
    return Goals(gb_share, bool(campaign.goal_gb) and published.freed_gb is None, participation_share)


@dataclass(frozen=True)
class Co2e:
    """A CO₂e figure with the convention it comes from (never shown without it)."""

    kg: Decimal | None  # None: the figure it comes from is withheld
    convention: Convention
    years: int


def co2e(campaign: Campaign, freed_bytes: int | None) -> Co2e:
    """CO₂e the campaign's convention attributes to `freed_bytes` (ADEME: over the years to its horizon)."""
    convention = CONVENTIONS[campaign.co2e_convention]
    years = remaining_years(campaign.horizon_year, campaign.ends_at.astimezone(PARIS).year)
    kg = None if freed_bytes is None else co2e_kg(freed_bytes, convention, years=years)
    return Co2e(kg, convention, years)


def _gb(freed_bytes: int | None) -> Decimal | None:
    return None if freed_bytes is None else gigabytes(freed_bytes)


@dataclass(frozen=True)
class SourceTotal:
    """What the participants freed in one place (None: withheld)."""

    source: str
    freed_bytes: int | None
    freed_items: int | None

    @property
    def freed_gb(self) -> Decimal | None:
        return _gb(self.freed_bytes)


@dataclass(frozen=True)
class Totals:
    """A campaign's results so far: participants and what they freed, with where the figures come from.

    Figures of what was freed are None where withheld (see `totals`); counts of people are always given.
    """

    participants: int
    measured_participants: int
    participants_who_grew: int | None
    eligible: int
    freed_bytes: int | None
    freed_items: int | None
    by_source: tuple[SourceTotal, ...]
    latest_measure_at: datetime | None
    latest_import: StorageImport | None

    @property
    def freed_gb(self) -> Decimal | None:
        return _gb(self.freed_bytes)

    @property
    def participation_rate(self) -> Decimal | None:
        return Decimal(self.participants) / self.eligible if self.eligible else None


def _active_participants(campaign: Campaign) -> sa.ColumnElement[bool]:
    return sa.and_(Participation.campaign_id == campaign.id, Participation.left_at.is_(None))


def _progress_of_participants(campaign: Campaign) -> sa.Select:
    """FROM campaign_progress joined to the campaign's current participants."""
    return (
        sa.select()
        .select_from(CampaignProgress)
        .join(
            Participation,
            sa.and_(
                Participation.campaign_id == CampaignProgress.campaign_id,
                Participation.user_id == CampaignProgress.user_id,
            ),
        )
        .where(CampaignProgress.campaign_id == campaign.id, Participation.left_at.is_(None))
    )


def participant_count(campaign: Campaign) -> int:
    """Employees taking part now (hidden ones included: the count is anonymous)."""
    return db.session.scalar(sa.select(sa.func.count(Participation.id)).where(_active_participants(campaign))) or 0


def measured_totals(campaign: Campaign) -> Totals:
    """Participants, eligible employees, GB and items freed per source, and the latest measure used (cached).

    Every figure, as measured: never shown as such (pages show `totals`).
    """
    figures = dict(cached(campaign, "totals", lambda: _totals_figures(campaign)))
    import_id = figures.pop("latest_import_id")
    figures["latest_import"] = db.session.get(StorageImport, import_id) if import_id is not None else None
    return Totals(**figures)


def totals(campaign: Campaign) -> Totals:
    """The campaign's totals as shown: the total, places and growth count withheld (None) where the rule says."""
    measured, shown = measured_totals(campaign), _disclosure(campaign).publication
    if shown.total:
        by_source = tuple(
            source if source.source in shown.sources else SourceTotal(source.source, None, None)
            for source in measured.by_source
        )
        return replace(measured, by_source=by_source)
    return replace(
        measured,
        participants_who_grew=None,
        freed_bytes=None,
        freed_items=None,
        by_source=tuple(SourceTotal(source.source, None, None) for source in measured.by_source),
    )


def _totals_figures(campaign: Campaign) -> dict[str, Any]:
    # One pass over the participants' steps: per employee and source, then summed (growth counted too).
    per_user = (
        _progress_of_participants(campaign)
        .add_columns(
            CampaignProgress.user_id,
            *(
                sa.func.sum(sa.case((CampaignProgress.source == source, column), else_=0)).label(f"{source}_{name}")
                for source in SOURCES
                for name, column in (("bytes", CampaignProgress.freed_bytes), ("items", CampaignProgress.freed_items))
            ),
            sa.func.sum(CampaignProgress.freed_bytes).label("total"),
        )
        .group_by(CampaignProgress.user_id)
        .subquery()
    )
    row = db.session.execute(
        sa.select(
            *(sa.func.sum(per_user.c[f"{source}_{name}"]) for source in SOURCES for name in ("bytes", "items")),
            sa.func.count(sa.case((per_user.c.total < 0, 1))),
        )
    ).one()
    sums = {source: (int(row[2 * n] or 0), int(row[2 * n + 1] or 0)) for n, source in enumerate(SOURCES)}
    grew = row[-1] or 0
    measured = sa.exists().where(
        StorageSnapshot.user_id == Participation.user_id, StorageSnapshot.measured_at <= campaign.ends_at
    )
    participants, measured_participants = db.session.execute(
        sa.select(sa.func.count(Participation.id), sa.func.count(sa.case((measured, 1)))).where(
            _active_participants(campaign)
        )
    ).one()
    # Ordered by time only, so that the index answers at once (a tie between imports is the same measure).
    latest = db.session.execute(
        sa.select(StorageSnapshot.measured_at, StorageSnapshot.import_id)
        .where(StorageSnapshot.measured_at > campaign.starts_at, StorageSnapshot.measured_at <= campaign.ends_at)
        .order_by(StorageSnapshot.measured_at.desc())
        .limit(1)
    ).first()
    return {
        "participants": participants or 0,
        "measured_participants": measured_participants or 0,
        "participants_who_grew": grew,
        "eligible": eligible_count(campaign),
        "freed_bytes": sum(freed for freed, _ in sums.values()),
        "freed_items": sum(items for _, items in sums.values()),
        "by_source": tuple(SourceTotal(source, *sums[source]) for source in SOURCES),
        "latest_measure_at": latest[0] if latest else None,
        "latest_import_id": latest[1] if latest else None,
    }


# ------------------------------------------------------------------------------------------- teams


@dataclass
class TeamRow:
    """A team's counted participants and what they freed (None: withheld); `rank` is by GB freed per participant."""

    key: int | str | None
    name: str
    participants: int
    eligible: int
    freed_bytes: int | None
    freed_items: int | None
    teams: int = 1  # how many teams the row stands for ("other teams")
    rank: int | None = None
    rate_rank: int | None = None

    @property
    def shown(self) -> bool:
        """True when the row's figures of what was freed may be shown (see `privacy`)."""
        return self.freed_bytes is not None

    @property
    def freed_gb(self) -> Decimal | None:
        return _gb(self.freed_bytes)

    @property
    def gb_per_participant(self) -> Decimal | None:
        if self.freed_bytes is None or not self.participants:
            return None
        return gigabytes(self.freed_bytes) / self.participants

    @property
    def participation_rate(self) -> Decimal | None:
        denominator = max(self.eligible, self.participants)
        return Decimal(self.participants) / denominator if denominator else None


@dataclass(frozen=True)
class Leaderboard:
    """Ranked teams (those `privacy` shows: at least MIN_TEAM_SIZE counted participants) and "other teams"."""

    teams: list[TeamRow]
    others: TeamRow | None
    sort: str


def _team_counts(campaign: Campaign) -> dict[Any, list[int]]:
    """team → [eligible, counted participants, freed bytes, freed items]."""
    team = team_column(campaign)
    counts: dict[Any, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    eligible = with_team_join(sa.select(team, sa.func.count(User.id)).select_from(User), campaign)
    for key, count in db.session.execute(eligible.where(User.active.is_(True), scope_clause(campaign)).group_by(team)):
        counts[key][0] = count
    counted = sa.and_(_active_participants(campaign), Participation.hidden_from_team.is_(False))
    participants = with_team_join(
        sa.select(team, sa.func.count(Participation.id)).select_from(Participation).join(User), campaign
    )
    for key, count in db.session.execute(participants.where(counted).group_by(team)):
        counts[key][1] = count
    freed = with_team_join(
        _progress_of_participants(campaign)
        .add_columns(team, sa.func.sum(CampaignProgress.freed_bytes), sa.func.sum(CampaignProgress.freed_items))
        .join(User, User.id == CampaignProgress.user_id),
        campaign,
    )
    for key, freed_bytes, freed_items in db.session.execute(
        freed.where(Participation.hidden_from_team.is_(False)).group_by(team)
    ):
        counts[key][2], counts[key][3] = int(freed_bytes or 0), int(freed_items or 0)
    return counts


def _team_names(campaign: Campaign, keys: Iterable[Any]) -> dict[Any, str]:
    wanted = [key for key in keys if key is not None]
    if not wanted:
        return {}
    if campaign.team_rule == "commune":
        return dict(db.session.execute(sa.select(Commune.insee, Commune.name).where(Commune.insee.in_(wanted))).all())
    return dict(db.session.execute(sa.select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(wanted))).all())


def _competition_ranks(rows: list[TeamRow], value: Any) -> list[int]:
    """1, 2, 2, 4…: equal values share a rank."""
    values = [value(row) for row in rows]
    return [1 + sum(1 for other in values if other > mine) for mine in values]


def _team_table(campaign: Campaign) -> dict[Any, tuple[str, list[int]]]:
    """team → (name, [eligible, counted participants, freed bytes, freed items]), cached."""

    def compute() -> dict[Any, tuple[str, list[int]]]:
        counts = _team_counts(campaign)
        names = _team_names(campaign, counts)
        return {key: (names.get(key, ""), list(values)) for key, values in counts.items()}

    return cached(campaign, "teams", compute)


@dataclass(frozen=True)
class Disclosure:
    """Who changed, as far as the published cells can tell them apart, and the cells `privacy` publishes."""

    contributors: dict[Contributor, int]
    publication: Publication


def _disclosure(campaign: Campaign) -> Disclosure:
    """The privacy rule's decision for the campaign's current results (cached with them)."""

    def compute() -> Disclosure:
        contributors = _contributors(campaign)
        participants = {key: values[1] for key, (_name, values) in _team_table(campaign).items()}
        return Disclosure(contributors, publication(participants, contributors, sources=SOURCES))

    return cached(campaign, "disclosure", compute)


def _contributors(campaign: Campaign) -> dict[Contributor, int]:
    """Participants whose storage changed, counted by team (or hidden) and by the places and days of their
    changes. Thousands of participants share a few patterns: the database groups them, one row per pattern."""
    places = sum(
        (
            sa.func.max(sa.case((CampaignProgress.source == source, 1 << bit), else_=0))
            for bit, source in enumerate(SOURCES)
        ),
        sa.literal(0),
    )
    team = team_column(campaign)
    by_day = (
        with_team_join(
            _progress_of_participants(campaign)
            .add_columns(
                CampaignProgress.user_id,
                team.label("team"),
                Participation.hidden_from_team.label("hidden"),
                (sa.cast(CampaignProgress.day, sa.String) + ":" + sa.cast(places, sa.String)).label("change"),
            )
            .join(User, User.id == CampaignProgress.user_id),
            campaign,
        )
        .group_by(CampaignProgress.user_id, team, Participation.hidden_from_team, CampaignProgress.day)
        .subquery()
    )
    by_person = (
        sa.select(by_day.c.team, by_day.c.hidden, sa.func.aggregate_strings(by_day.c.change, " ").label("pattern"))
        .group_by(by_day.c.user_id, by_day.c.team, by_day.c.hidden)
        .subquery()
    )
    patterns = sa.select(by_person.c.team, by_person.c.hidden, by_person.c.pattern, sa.func.count()).group_by(
        by_person.c.team, by_person.c.hidden, by_person.c.pattern
    )
    counted: Counter[Contributor] = Counter()
    for key, hidden, pattern, people in db.session.execute(patterns):
        changes: set[tuple[str, date]] = set()
        for change in pattern.split():  # "day:places" in any order: the same changes make the same Contributor
            day, bits = change.split(":")
            changes.update(
                (source, date.fromisoformat(day)) for bit, source in enumerate(SOURCES) if int(bits) >> bit & 1
            )
        counted[Contributor(None if hidden else key, bool(hidden), frozenset(changes))] += people
    return dict(counted)


def leaderboard(campaign: Campaign, *, sort: str = "gb") -> Leaderboard:
    """Teams ranked by GB freed per participant (`sort="gb"`) or by participation rate (`sort="rate"`).

    Only the teams the privacy rule shows are ranked; the others are grouped, with their figures withheld
    (None) unless the rule shows them too.
    """
    shown = _disclosure(campaign).publication
    ranked: list[TeamRow] = []
    grouped = [0, 0, 0, 0, 0]  # teams, eligible, participants, freed bytes, freed items
    for key, (name, (eligible, participants, freed_bytes, freed_items)) in _team_table(campaign).items():
        if key in shown.teams:
            ranked.append(TeamRow(key, name, participants, eligible, freed_bytes, freed_items))
        else:
            for index, value in enumerate((1, eligible, participants, freed_bytes, freed_items)):
                grouped[index] += value
    teams, eligible, participants, freed_bytes, freed_items = grouped
    others = TeamRow(
        None,
        "",
        participants,
        eligible,
        freed_bytes if shown.others else None,
        freed_items if shown.others else None,
        teams=teams,
    )
    for row, rank in zip(ranked, _competition_ranks(ranked, lambda r: r.gb_per_participant), strict=True):
        row.rank = rank
    for row, rank in zip(ranked, _competition_ranks(ranked, lambda r: r.participation_rate), strict=True):
        row.rate_rank = rank
    key = (lambda r: (r.rate_rank, r.rank, r.name)) if sort == "rate" else (lambda r: (r.rank, r.rate_rank, r.name))
    ranked.sort(key=key)
    return Leaderboard(ranked, others if others.teams else None, "rate" if sort == "rate" else "gb")


def team_ranks(campaign: Campaign) -> dict[Any, int]:
    """team key → rank by GB freed per participant, for ranked teams (compute once for a whole mailing)."""
    return {row.key: row.rank for row in leaderboard(campaign).teams if row.rank is not None}


def team_rank(user: User, campaign: Campaign) -> int | None:
    """Rank of the employee's team; None when it is grouped with the other teams or has no team."""
    return team_ranks(campaign).get(team_key_of(user, campaign))


@dataclass(frozen=True)
class MyTeam:
    """The employee's team in a campaign: its name, how many of its participants are counted, whether it is
    ranked on its own (else it is among the other teams)."""

    name: str
    counted_participants: int
    ranked: bool


def my_team(user: User, campaign: Campaign) -> MyTeam | None:
    """The employee's team (None: no unit or no site), counted in one query; the rank is on the leaderboard."""
    key = team_key_of(user, campaign)
    if key is None:
        return None
    known = _team_table(campaign).get(key)
    if known is not None:
        return MyTeam(known[0], known[1][1], key in _disclosure(campaign).publication.teams)
    return MyTeam(_team_names(campaign, [key]).get(key, ""), 0, False)  # no eligible employee nor participant yet


# ------------------------------------------------------------------------------------- daily series


@dataclass(frozen=True)
class SeriesDay:
    """One day of a campaign: GB freed so far (cumulative; None: withheld) and participants at the end of it."""

    day: date
    freed_bytes: int | None
    participants: int

    @property
    def freed_gb(self) -> Decimal | None:
        return _gb(self.freed_bytes)


def daily_series(campaign: Campaign, *, today: date) -> list[SeriesDay]:
    """Each day from the first to today (or the last day): cumulative GB freed and participants (cached).

    A day's GB are withheld (None) when the privacy rule merges it with the following days.
    """

    def compute() -> tuple[SeriesDay, ...]:
        measured = measured_series(campaign, today=today)
        disclosure = _disclosure(campaign)
        shown = published_days(disclosure.publication, disclosure.contributors, [day.day for day in measured])
        return tuple(day if day.day in shown else replace(day, freed_bytes=None) for day in measured)

    return list(cached(campaign, "series", compute, today))


def measured_series(campaign: Campaign, *, today: date) -> tuple[SeriesDay, ...]:
    """`daily_series` as measured, every day's figure given: never shown as such."""
    first = campaign.starts_at.astimezone(PARIS).date()
    last = min(today, campaign.ends_at.astimezone(PARIS).date() - timedelta(days=1))
    if last < first:
        return ()
    freed_by_day: dict[date, int] = dict(
        db.session.execute(
            _progress_of_participants(campaign)
            .add_columns(CampaignProgress.day, sa.func.sum(CampaignProgress.freed_bytes))
            .group_by(CampaignProgress.day)
        ).all()
    )
    stints = db.session.execute(
        sa.select(Participation.joined_at, Participation.left_at).where(Participation.campaign_id == campaign.id)
    ).all()
    # A stint counts at the end of a day if it began before and had not ended: leaving comes after joining,
    # so the count is (joined before) − (left before), two binary searches a day.
    joins = sorted(joined for joined, _ in stints)
    leaves = sorted(left for _, left in stints if left is not None)
    series = []
    cumulative = sum(int(v or 0) for d, v in freed_by_day.items() if d < first)
    day = first
    while day <= last:
        cumulative += int(freed_by_day.get(day) or 0)
        end_of_day = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=PARIS)
        participants = bisect.bisect_left(joins, end_of_day) - bisect.bisect_left(leaves, end_of_day)
        series.append(SeriesDay(day, cumulative, participants))
        day += timedelta(days=1)
    return tuple(series)


# ------------------------------------------------------------------------ devices returned (locator)


@dataclass(frozen=True)
class Returns:
    """Devices returned at collection points during the campaign (from the locator)."""

    items: int
    kg: Decimal
    commune_insees: tuple[str, ...] | None  # None: the whole metropolis


def collection_returns(campaign: Campaign) -> Returns | None:
    """Devices returned at collection points during the campaign (never cached: a return shows at once).

    Returns cannot be tied to org units: campaigns scoped by unit show none; campaigns scoped by communes
    count the returns in those communes.
    """
    if not campaign.scope_all and campaign.org_units:
        return None
    insees = None if campaign.scope_all else tuple(c.insee for c in campaign.communes)
    totals_ = returns_between(campaign.starts_at, campaign.ends_at, commune_insees=list(insees) if insees else None)
    return Returns(totals_.items, totals_.kg, insees)
