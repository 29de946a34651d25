"""Campaign services: dates, life cycle, who may see and join, participation, checklists; message placeholders.

Dates are chosen as days in Europe/Paris and stored as UTC instants: a campaign runs from midnight (Paris)
of its first day to midnight after its last day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import url_for
from flask.signals import Namespace
from flask_babel import lazy_gettext as _l

from portal import reference_cache
from portal.accounts.models import Role, User
from portal.areas import Suggestion
from portal.campaigns import results, steps
from portal.campaigns.conventions import CONVENTIONS, gigabytes
from portal.campaigns.guides import ACTIONS
from portal.campaigns.models import (
    Campaign,
    CampaignState,
    ChecklistTick,
    GuideAction,
    GuideSection,
    Participation,
    TeamRule,
)
from portal.campaigns.scope import in_scope
from portal.database import conflict_insert
from portal.domain_error import DomainError
from portal.models import db
from portal.org.models import Commune, OrgUnit
from portal.timezone import PARIS

T = TypeVar("T")

CAMPAIGN_DAYS = 21  # three weeks
MAX_CAMPAIGN_DAYS = 92
DEFAULT_HORIZON_YEARS = 5


# --------------------------------------------------------------------------------------------- dates


def paris_midnight(day: date) -> datetime:
    """The UTC instant of midnight in Paris at the start of `day`."""
    return datetime.combine(day, time.min, tzinfo=PARIS).astimezone(UTC)


def first_day(campaign: Campaign) -> date:
    """The campaign's first day, in Paris."""
    return campaign.starts_at.astimezone(PARIS).date()


def last_day(campaign: Campaign) -> date:
    """The campaign's last day, in Paris (`ends_at` is midnight after it)."""
    return campaign.ends_at.astimezone(PARIS).date() - timedelta(days=1)


def paris_today(now: datetime) -> date:
    """Today's date in Paris at the instant `now`."""
    return now.astimezone(PARIS).date()


def third_saturday_of_march(year: int) -> date:
    """Digital Cleanup Day: the third Saturday of March (21 March 2026)."""
    first = date(year, 3, 1)
    return first + timedelta(days=(5 - first.weekday()) % 7 + 14)


def suggested_period(today: date) -> tuple[date, date]:
    """Three weeks around the next Digital Cleanup Day: from the Monday 12 days before it, for 21 days."""
    for year in (today.year, today.year + 1):
        start = third_saturday_of_march(year) - timedelta(days=12)
        if start > today:
            return start, start + timedelta(days=CAMPAIGN_DAYS - 1)
    raise AssertionError("unreachable")  # pragma: no cover


def days_left(campaign: Campaign, now: datetime) -> int:
    """Whole days (Paris) until the campaign starts (upcoming) or ends (active), today included when active."""
    today = paris_today(now)
    if now < campaign.starts_at:
        return (first_day(campaign) - today).days
    return max(0, (last_day(campaign) - today).days + 1)


# --------------------------------------------------------------------------------------- life cycle


def state_at(campaign: Campaign, now: datetime) -> CampaignState:
    """The state a campaign should be in at `now`: drafts stay drafts until published."""
    if campaign.published_at is None:
        return CampaignState.DRAFT
    if now < campaign.starts_at:
        return CampaignState.UPCOMING
    if now < campaign.ends_at:
        return CampaignState.ACTIVE
    return CampaignState.CLOSED


@dataclass(frozen=True)
class StateChange:
    """A campaign moved from one state to another."""

    campaign: Campaign
    before: str
    after: str


def advance_campaign_states(*, now: datetime) -> list[StateChange]:
    """Move every published, unclosed campaign to the state its dates give at `now` (the job's service)."""
    statement = sa.select(Campaign).where(
        Campaign.published_at.is_not(None), Campaign.state != CampaignState.CLOSED.value
    )
    changes = []
    for campaign in db.session.scalars(statement.order_by(Campaign.id)):
        after = state_at(campaign, now).value
        if after != campaign.state:
            changes.append(StateChange(campaign, campaign.state, after))
            campaign.state = after
    db.session.flush()
    return changes


@dataclass
class CampaignInput:
    """What an admin sets on a campaign."""

    name: str
    first_day: date
    last_day: date
    description: str = ""
    scope_all: bool = True
    commune_insees: list[str] = field(default_factory=list)
    org_unit_ids: list[int] = field(default_factory=list)
    goal_gb: Decimal | None = None
    goal_participation: Decimal | None = None  # ratio 0–1
    team_rule: str = TeamRule.ORG_UNIT.value
    co2e_convention: str = "ademe_storage"
    horizon_year: int | None = None


def _apply(campaign: Campaign, data: CampaignInput) -> bool:
    """Copy the input onto the campaign; True if its period changed."""
    if data.last_day < data.first_day:
        raise ValueError("the last day is before the first day")
    if data.team_rule not in {rule.value for rule in TeamRule}:
        raise ValueError(f"unknown team rule {data.team_rule!r}")
    if data.co2e_convention not in CONVENTIONS:
        raise ValueError(f"unknown CO2e convention {data.co2e_convention!r}")
    starts_at, ends_at = paris_midnight(data.first_day), paris_midnight(data.last_day + timedelta(days=1))
    period_changed = campaign.id is None or (campaign.starts_at, campaign.ends_at) != (starts_at, ends_at)
    campaign.name = data.name.strip()
    campaign.description = data.description.strip()
    campaign.starts_at, campaign.ends_at = starts_at, ends_at
    campaign.scope_all = data.scope_all
    campaign.communes = (
        []
        if data.scope_all or not data.commune_insees
        else list(db.session.scalars(sa.select(Commune).where(Commune.insee.in_(data.commune_insees))))
    )
    campaign.org_units = (
        []
        if data.scope_all or not data.org_unit_ids
        else list(db.session.scalars(sa.select(OrgUnit).where(OrgUnit.id.in_(data.org_unit_ids))))
    )
    campaign.goal_gb = data.goal_gb
    campaign.goal_participation = data.goal_participation
    campaign.team_rule = data.team_rule
    campaign.co2e_convention = data.co2e_convention
    campaign.horizon_year = data.horizon_year or data.last_day.year + DEFAULT_HORIZON_YEARS
    return period_changed


class CampaignError(DomainError):
    """A campaign change that is refused; the words are `display.CAMPAIGN_ERRORS`."""

    domain = "campaigns"
    table = "CAMPAIGN_ERRORS"


def create_campaign(data: CampaignInput, *, created_by: User | None = None) -> Campaign:
    """A new draft campaign; its results are computed from the snapshots already imported."""
    campaign = Campaign(state=CampaignState.DRAFT.value, created_by_id=created_by.id if created_by else None)
    _apply(campaign, data)
    db.session.add(campaign)
    db.session.flush()
    steps.refresh_progress(campaign)
    return campaign


def check_editable(campaign: Campaign) -> None:
    """CampaignError unless the campaign may still be changed (a closed campaign's results are final)."""
    if campaign.state == CampaignState.CLOSED.value:
        raise CampaignError("closed_campaign_unchanged")


#: Sent with the campaign when its dates change, for what is timed on them (the messages about it are re-timed
#: by the messaging domain, which comes after this one and listens).
dates_changed = Namespace().signal("campaign-dates-changed")


def update_campaign(campaign: Campaign, data: CampaignInput, *, now: datetime) -> Campaign:
    """Change a campaign that has not closed; a new period recomputes its results and its state."""
    check_editable(campaign)
    if _apply(campaign, data):
        db.session.flush()
        steps.refresh_progress(campaign)
        dates_changed.send(campaign, now=now)
    campaign.state = state_at(campaign, now).value
    results.results_changed(campaign)  # scope, teams or goals may have changed: no cached result survives
    db.session.flush()
    return campaign


def publish_campaign(campaign: Campaign, *, now: datetime) -> Campaign:
    """Publish a draft: it becomes upcoming (or already active), then the job moves it by the clock."""
    if campaign.published_at is None:
        campaign.published_at = now
    campaign.state = state_at(campaign, now).value
    db.session.flush()
    return campaign


# ------------------------------------------------------------------------------------ who sees what


def can_see(user: User, campaign: Campaign) -> bool:
    """Admins see every campaign; employees see published campaigns meant for them."""
    if user.has_role(Role.ADMIN.value):
        return True
    return campaign.state != CampaignState.DRAFT.value and in_scope(user, campaign)


def visible_campaigns_statement(user: User) -> sa.Select[Campaign]:
    """Published campaigns for this employee (all of them for admins), the most recent first."""
    statement = sa.select(Campaign).where(Campaign.state != CampaignState.DRAFT.value)
    if not user.has_role(Role.ADMIN.value):
        statement = statement.where(
            sa.or_(
                Campaign.scope_all.is_(True),
                Campaign.id.in_(_campaign_ids_in_scope_of(user)),
            )
        )
    return statement.order_by(Campaign.starts_at.desc(), Campaign.id.desc())


def _campaign_ids_in_scope_of(user: User) -> list[int]:
    scoped = db.session.scalars(sa.select(Campaign).where(Campaign.scope_all.is_(False))).all()
    return [campaign.id for campaign in scoped if in_scope(user, campaign)]


# Built once: the home page runs them on every visit (building a statement cost as much as running it).
_CURRENT_CAMPAIGNS = (
    sa.select(Campaign)
    .where(Campaign.state.in_([CampaignState.UPCOMING.value, CampaignState.ACTIVE.value]))
    .order_by(Campaign.starts_at.desc(), Campaign.id.desc())
)
_PARTICIPATION = sa.select(Participation).where(
    Participation.campaign_id == sa.bindparam("campaign_id"), Participation.user_id == sa.bindparam("user_id")
)
# The campaign's page reads the campaign and my participation in one round trip.
_CAMPAIGN_AND_PARTICIPATION = (
    sa.select(
        Campaign,
        Participation,
        # The keys of the actions I ticked, in one text (keys are made of [a-z0-9-]): no query of their own.
        sa.select(sa.func.aggregate_strings(ChecklistTick.action, " "))
        .where(ChecklistTick.campaign_id == Campaign.id, ChecklistTick.user_id == sa.bindparam("user_id"))
        .scalar_subquery(),
    )
    .outerjoin(
        Participation,
        sa.and_(Participation.campaign_id == Campaign.id, Participation.user_id == sa.bindparam("user_id")),
    )
    .where(Campaign.id == sa.bindparam("campaign_id"))
)
HOME_CAMPAIGNS = 5


def current_campaigns_for(user: User) -> list[Campaign]:
    """The upcoming and active campaigns this employee may join (for the home page), at most five.

    The same campaigns as `visible_campaigns_statement` restricted to upcoming and active ones, without
    loading every scoped campaign first: there are few current campaigns, their scope is checked here.
    """
    return _first_in_scope(user, db.session.scalars(_CURRENT_CAMPAIGNS).all(), lambda campaign: campaign)


def _first_in_scope(user: User, rows: Sequence[T], campaign_of: Callable[[T], Campaign]) -> list[T]:
    """The first HOME_CAMPAIGNS rows whose campaign is meant for this employee (an admin sees every campaign:
    the first five, then their own scope)."""
    if user.has_role(Role.ADMIN.value):
        return [row for row in rows[:HOME_CAMPAIGNS] if in_scope(user, campaign_of(row))]
    return [row for row in rows if in_scope(user, campaign_of(row))][:HOME_CAMPAIGNS]


@dataclass(frozen=True)
class HomeCampaign:
    """A campaign as the home page shows it to an employee."""

    id: int
    name: str
    state: str
    days_left: int
    participant: bool
    #: What this participant freed so far in an active campaign (None: not measured yet, or not taking part).
    freed_bytes: int | None = None


def _home_campaigns_statement() -> sa.Select[Any]:
    """The current campaigns with the employee's participation and what they freed in each, in one query."""
    user_id: sa.BindParameter[int] = sa.bindparam("user_id", type_=sa.Integer)
    measured, freed = steps.freed_bytes_columns(user_id)
    return (
        _CURRENT_CAMPAIGNS.add_columns(Participation.id, Participation.left_at, measured, freed)
        .outerjoin(Participation, (Participation.campaign_id == Campaign.id) & (Participation.user_id == user_id))
    )


# Built once: the home page runs it on every visit.
_HOME_CAMPAIGNS = _home_campaigns_statement()


def home_campaigns(user: User, now: datetime) -> dict[str, Any] | None:
    """The home page's campaign panel: upcoming and active campaigns with days left, whether the employee
    takes part and what they freed; None when there is none."""
    rows = _first_in_scope(user, db.session.execute(_HOME_CAMPAIGNS, {"user_id": user.id}).all(), lambda row: row[0])
    if not rows:
        return None
    shown = []
    for campaign, participation_id, left_at, measured, freed in rows:
        taking_part = participation_id is not None and left_at is None
        freed_bytes = int(freed or 0) if taking_part and campaign.state == "active" and measured else None
        shown.append(
            HomeCampaign(campaign.id, campaign.name, campaign.state, days_left(campaign, now), taking_part, freed_bytes)
        )
    to_join = next((item for item in shown if not item.participant and item.state == "active"), None)
    suggestion = None
    if to_join is not None:
        suggestion = Suggestion(
            40,
            str(_l("Join the clean-up campaign %(name)s.", name=to_join.name)),
            url_for("campaigns.show", campaign_id=to_join.id),
        )
    return {"campaigns": shown, "suggestion": suggestion}


def all_campaigns_statement() -> sa.Select[Campaign]:
    """Every campaign, drafts included, the most recent first (admin list)."""
    return sa.select(Campaign).order_by(Campaign.starts_at.desc(), Campaign.id.desc())


# ----------------------------------------------------------------------------------- participation


def is_open(campaign: Campaign) -> bool:
    """Employees may join, leave and tick while the campaign is upcoming or active."""
    return campaign.state in (CampaignState.UPCOMING.value, CampaignState.ACTIVE.value)


def participation_of(user: User, campaign: Campaign) -> Participation | None:
    """The employee's participation row (joined now or earlier), if any."""
    return db.session.scalar(_PARTICIPATION, {"campaign_id": campaign.id, "user_id": user.id})


def campaign_and_participation(
    campaign_id: int, user: User
) -> tuple[Campaign | None, Participation | None, set[str]]:
    """A campaign (None: no such campaign), the employee's participation row in it and the keys of the actions
    they ticked (`ticked_actions`), read together."""
    row = db.session.execute(_CAMPAIGN_AND_PARTICIPATION, {"campaign_id": campaign_id, "user_id": user.id}).first()
    return (None, None, set()) if row is None else (row[0], row[1], set((row[2] or "").split()))


def is_participant(user: User, campaign: Campaign) -> bool:
    """True if the employee takes part now."""
    participation = participation_of(user, campaign)
    return participation is not None and participation.active


def can_join(user: User, campaign: Campaign) -> bool:
    """Open campaign, meant for this employee."""
    return is_open(campaign) and in_scope(user, campaign)


def join(user: User, campaign: Campaign, *, now: datetime) -> Participation:
    """Take part (again): the results count this employee from the campaign's baseline, whenever they join."""
    if not is_open(campaign):
        raise CampaignError("cannot_join")
    if not in_scope(user, campaign):
        raise CampaignError("not_in_scope")
    participation = participation_of(user, campaign)
    if participation is None:
        # A request joining in the same instant (a double click, two tabs) meets the other one's row and leaves
        # it as it is, instead of failing on the unique constraint.
        db.session.execute(
            conflict_insert(Participation.__table__)
            .values(campaign_id=campaign.id, user_id=user.id, joined_at=now)
            .on_conflict_do_nothing(index_elements=["campaign_id", "user_id"])
        )
        participation = db.session.scalars(_PARTICIPATION, {"campaign_id": campaign.id, "user_id": user.id}).one()
    if participation.left_at is not None:
        participation.joined_at, participation.left_at = now, None
    results.results_changed(campaign)
    return participation


def leave(user: User, campaign: Campaign, *, now: datetime) -> None:
    """Stop taking part: this employee's figures leave the results; their ticks are kept for a return."""
    if not is_open(campaign):
        raise CampaignError("closed")
    participation = participation_of(user, campaign)
    if participation is not None and participation.left_at is None:
        participation.left_at = now
        results.results_changed(campaign)


def set_hidden_from_team(user: User, campaign: Campaign, hidden: bool) -> None:
    """Count me (or not) in my team's figures; the campaign's totals count every participant anonymously."""
    if not is_open(campaign):
        raise CampaignError("closed")
    participation = participation_of(user, campaign)
    if participation is None or participation.left_at is not None:
        raise CampaignError("not_participant")
    if participation.hidden_from_team != hidden:
        participation.hidden_from_team = hidden
        results.results_changed(campaign)


# Built once: the campaign's page runs it on every visit (building a statement costs about as much as running it).
_TICKED = sa.select(ChecklistTick.action).where(
    ChecklistTick.campaign_id == sa.bindparam("campaign_id"), ChecklistTick.user_id == sa.bindparam("user_id")
)


def ticked_actions(user: User, campaign: Campaign) -> set[str]:
    """Keys of the guide actions this employee has ticked."""
    return set(db.session.scalars(_TICKED, {"campaign_id": campaign.id, "user_id": user.id}))


def action_keys(campaign: Campaign) -> frozenset[str]:
    """The keys of the campaign's checklist actions: its own (portal.campaigns.content), or the default
    guides' while its content was never edited; kept by the portal's cache (any change of a section or an
    action renews the reference generation)."""
    return reference_cache.cached("campaigns.action_keys", campaign.id, lambda: _action_keys(campaign))


def _action_keys(campaign: Campaign) -> frozenset[str]:
    keys = frozenset(db.session.scalars(sa.select(GuideAction.key).where(GuideAction.campaign_id == campaign.id)))
    if keys or db.session.scalar(sa.select(GuideSection.id).where(GuideSection.campaign_id == campaign.id).limit(1)):
        return keys
    return frozenset(ACTIONS)


def set_ticks(user: User, campaign: Campaign, actions: Iterable[str], *, now: datetime) -> set[str]:
    """Make the employee's ticks exactly `actions` (unknown keys ignored); participants of open campaigns only."""
    if not is_open(campaign):
        raise CampaignError("closed")
    if not is_participant(user, campaign):
        raise CampaignError("not_participant")
    wanted = set(actions) & action_keys(campaign)
    have = ticked_actions(user, campaign)
    if have - wanted:
        db.session.execute(
            sa.delete(ChecklistTick).where(
                ChecklistTick.campaign_id == campaign.id,
                ChecklistTick.user_id == user.id,
                ChecklistTick.action.in_(sorted(have - wanted)),
            )
        )
    db.session.add_all(
        ChecklistTick(campaign_id=campaign.id, user_id=user.id, action=action, ticked_at=now)
        for action in sorted(wanted - have)
    )
    db.session.flush()
    return wanted


# ---------------------------------------------------------------------- placeholders for messages


def campaign_freed_gb(user: User, campaign: Campaign) -> Decimal | None:
    """GB this employee freed during the campaign (negative: grew); None if never measured. Theirs only."""
    progress = steps.my_progress(user, campaign)
    if not any(source.measured for source in progress):
        return None
    return gigabytes(sum(source.freed_bytes for source in progress))


def campaign_freed_gb_by_user(campaign: Campaign, user_ids: Iterable[int]) -> dict[int, Decimal | None]:
    """`campaign_freed_gb` for many employees in two queries (a mailing to thousands of recipients)."""
    return {
        user_id: None if freed is None else gigabytes(freed)
        for user_id, freed in steps.freed_bytes_by_user(campaign, user_ids).items()
    }


def team_rank(user: User, campaign: Campaign) -> int | None:
    """Rank of the employee's team by GB freed per participant; None if it is not ranked on its own (fewer than
    5 counted participants, or grouped with the other teams by the privacy rule)."""
    return results.team_rank(user, campaign)


def campaign_total_gb(campaign: Campaign) -> Decimal | None:
    """GB freed by all the campaign's participants together (net of growth); None while the privacy rule
    withholds it (the storage of fewer than 5 participants changed)."""
    return results.totals(campaign).freed_gb


def campaign_participants(campaign: Campaign) -> int:
    """How many employees take part in the campaign now."""
    return results.participant_count(campaign)
