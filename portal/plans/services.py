"""Action plans' services: plans and actions built on the estate's indicators, the monthly measure (kept, never
rewritten), declared values, check-ins, who may see what, and the yearly review.

Values come from the estate's frozen snapshots through its plain service functions; nothing here recomputes an
estate figure. Year-to-date sums (kg, devices returned, km…) are annualised (× days of the year ÷ days covered)
so that a month's measure compares with a yearly target; ratios and averages are taken as they are.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from portal import reference_cache
from portal.accounts.models import Role, User, UserRole
from portal.domain_error import DomainError
from portal.estate import services as estate
from portal.estate.indicators import BY_CODE
from portal.estate.models import Snapshot
from portal.footprint.estate import Convention
from portal.footprint.plans import Path, Status, Trend, expected_value, progress, status
from portal.formatting import parse_decimal
from portal.main.services import mark_notices_read, notify
from portal.models import db
from portal.org.models import OrgUnit
from portal.pagination import paginate
from portal.plans import display
from portal.plans.models import Action, CheckIn, DeclaredValue, Measure, Milestone, Plan

#: Indicators summed from 1 January: a month's value is annualised before it is compared with a yearly target.
YEAR_TO_DATE = frozenset(
    {
        "total_kgco2e",
        "embodied_kgco2e",
        "use_kgco2e",
        "trips_kgco2e",
        "transport_kgco2e",
        "per_employee_kgco2e",
        "acquired_devices",
        "retired_devices",
        "returned_at_collection",
        "interventions",
        "intervention_km",
        "transport_km",
    }
)


class PlanError(DomainError):
    """A refusal of the action plans (words in portal.plans.display.MESSAGES)."""

    domain = "plans"


# --- Reading an action's indicator --------------------------------------------------------------------------


def scope_of(action: Action) -> estate.Scope:
    """The estate scope an action is measured on: the organisation, or its unit with the sub-units."""
    return ("unit", str(action.unit_id)) if action.unit_id is not None else estate.ORG


def unit_of(action: Action) -> str:
    """The indicator's unit (kgCO2e, %, years…), or the declared one."""
    if action.declared:
        return action.declared_unit
    return BY_CODE[action.indicator_code].unit


def path_of(action: Action) -> Path | None:
    """The trajectory from the baseline to the target (None while the baseline is unknown)."""
    if action.baseline is None:
        return None
    return Path(
        action.start_on,
        action.baseline,
        action.deadline,
        action.target,
        Trend(action.trend),
        tuple((m.due_on, m.value) for m in action.milestones),
    )


def annualised(code: str, value: Decimal, ends_on: date) -> Decimal:
    """A year-to-date sum brought to a whole year (ratios and averages unchanged)."""
    if code not in YEAR_TO_DATE:
        return value
    covered = (ends_on - date(ends_on.year, 1, 1)).days + 1
    days = 366 if calendar.isleap(ends_on.year) else 365
    return value * days / covered


@dataclass(frozen=True)
class Reading:
    """An indicator's value for a month, and where it comes from."""

    value: Decimal
    on: date
    snapshot_id: int | None = None
    declared_value_id: int | None = None


def month_end(year: int, month: int) -> date:
    """The month's last day."""
    return date(year, month, calendar.monthrange(year, month)[1])


def read_from_snapshot(action: Action, snapshot: Snapshot) -> Reading | None:
    """The action's indicator for its scope in a snapshot (None when the snapshot does not hold it)."""
    value = estate.values_of(snapshot, scope_of(action), Convention.AMORTISED.value).get(action.indicator_code)
    if value is None:
        return None
    return Reading(
        annualised(action.indicator_code, value, snapshot.ends_on), snapshot.ends_on, snapshot_id=snapshot.id
    )


def read_month(action: Action, year: int, month: int) -> Reading | None:
    """The action's value for a month: the month's frozen snapshot, or the latest declared value by its end."""
    if action.declared:
        declared = db.session.scalar(
            sa.select(DeclaredValue)
            .where(DeclaredValue.action_id == action.id, DeclaredValue.on <= month_end(year, month))
            .order_by(DeclaredValue.on.desc(), DeclaredValue.id.desc())
            .limit(1)
        )
        if declared is None:
            return None
        return Reading(declared.value, month_end(year, month), declared_value_id=declared.id)
    snapshot = estate.latest_version(year, month)
    return read_from_snapshot(action, snapshot) if snapshot is not None else None


def read_months(actions: list[Action], year: int, month: int) -> dict[int, Reading]:
    """read_month for many actions at once: the month's snapshot looked up once, one query per scope kind for
    the estate indicators and one for the declared values (not two queries per action)."""
    end = month_end(year, month)
    result: dict[int, Reading] = {}
    declared = [action.id for action in actions if action.declared]
    if declared:
        rows = db.session.scalars(
            sa.select(DeclaredValue)
            .where(DeclaredValue.action_id.in_(declared), DeclaredValue.on <= end)
            .order_by(DeclaredValue.on, DeclaredValue.id)
        )
        for row in rows:  # the latest by the month's end wins
            result[row.action_id] = Reading(row.value, end, declared_value_id=row.id)
    measured = [action for action in actions if not action.declared]
    snapshot = estate.latest_version(year, month) if measured else None
    if snapshot is None:
        return result
    convention = Convention.AMORTISED.value
    codes = tuple({action.indicator_code for action in measured})
    org = estate.values_of(snapshot, estate.ORG, convention)
    unit_keys = sorted({str(action.unit_id) for action in measured if action.unit_id is not None})
    units = estate.scope_values(snapshot, "unit", codes, convention, unit_keys) if unit_keys else {}
    for action in measured:
        values = org if action.unit_id is None else units.get(str(action.unit_id), {})
        value = values.get(action.indicator_code)
        if value is not None:
            result[action.id] = Reading(
                annualised(action.indicator_code, value, snapshot.ends_on), snapshot.ends_on, snapshot_id=snapshot.id
            )
    return result


def measure_baseline(action: Action) -> bool:
    """Read the baseline at the start month's snapshot, else the reference year's; False when neither exists."""
    if action.baseline is not None or action.declared:
        return action.baseline is not None
    reference = estate.settings().reference_year
    snapshot = None
    if action.baseline_source != "reference_year":
        snapshot = estate.latest_version(action.start_on.year, action.start_on.month)
    if snapshot is None and reference is not None:
        snapshot = estate.latest_of_year(reference)
    reading = read_from_snapshot(action, snapshot) if snapshot is not None else None
    if reading is None:
        return False
    action.baseline = reading.value
    action.baseline_snapshot_id = reading.snapshot_id
    return True


# --- The monthly measure -------------------------------------------------------------------------------------


@dataclass
class MeasureRun:
    """What a measuring run did."""

    year: int
    month: int
    measured: int = 0
    kept: int = 0  # already measured: history is never rewritten
    unmeasured: int = 0  # no snapshot, no declared value or no baseline yet
    changes: list[tuple[int, str, str]] = field(default_factory=list)  # (action id, old status, new status)


def last_closed_month(today: date) -> tuple[int, int]:
    """The month before today's."""
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


STATUS_NOTICE_PREFIX = "plan_action_"
NOTICE_KINDS = {status: f"{STATUS_NOTICE_PREFIX}{status.value}" for status in Status}


def measure_month(year: int, month: int, *, today: date) -> MeasureRun:
    """Measure every action started by the month's end, once per month; notify a status change."""
    if (year, month) >= (today.year, today.month):
        raise PlanError("month_not_over", value=f"{year}-{month:02d}")
    run = MeasureRun(year, month)
    end = month_end(year, month)
    actions = db.session.scalars(
        sa.select(Action).where(Action.start_on <= end).options(selectinload(Action.milestones)).order_by(Action.id)
    ).all()
    done = set(db.session.scalars(sa.select(Measure.action_id).where(Measure.year == year, Measure.month == month)))
    latest: dict[int, int] = {
        action_id: last
        for action_id, last in db.session.execute(
            sa.select(Measure.action_id, sa.func.max(Measure.year * 100 + Measure.month)).group_by(Measure.action_id)
        )
    }
    to_measure = [action for action in actions if action.id not in done]
    run.kept = len(actions) - len(to_measure)
    for action in to_measure:
        measure_baseline(action)
    readings = read_months(to_measure, year, month)
    admins: list[User] | None = None
    for action in to_measure:
        reading = readings.get(action.id)
        path = path_of(action)
        if reading is None or path is None:
            run.unmeasured += 1
            continue
        new_status = status(path, reading.value, reading.on)
        db.session.add(
            Measure(
                action_id=action.id,
                year=year,
                month=month,
                measured_on=reading.on,
                value=reading.value,
                progress=progress(path.baseline, reading.value, path.target),
                status=new_status.value,
                snapshot_id=reading.snapshot_id,
                declared_value_id=reading.declared_value_id,
            )
        )
        run.measured += 1
        # A month measured late (catching up) does not overwrite the status of a later month.
        if latest.get(action.id, 0) < year * 100 + month and action.status != new_status.value:
            if action.status:
                run.changes.append((action.id, action.status, new_status.value))
                admins = plan_admins() if admins is None else admins
                _notify_change(action, new_status, admins)
            action.status = new_status.value
    db.session.flush()
    return run


def _notify_change(action: Action, new_status: Status, admins: list[User]) -> None:
    """Tell the admins and the owner the action's new status; a status notice about the same action they have not
    read yet is superseded (marked read): the home page shows each action's latest status once, not its history."""
    params = {"action": action.title, "action_id": action.id}
    for user in {*admins, *([action.owner] if action.owner and action.owner.active else [])}:
        mark_notices_read(user, kind_prefix=STATUS_NOTICE_PREFIX, key="action_id", value=action.id)
        notify(user, NOTICE_KINDS[new_status], params)


def plan_admins() -> list[User]:
    """The portal's admins, who run the plans."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.ADMIN.value, User.active.is_(True))
        )
    )


def measures(action: Action) -> list[Measure]:
    """An action's monthly history, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Measure).where(Measure.action_id == action.id).order_by(Measure.year, Measure.month)
        )
    )


def latest_measures(action_ids: list[int]) -> dict[int, Measure]:
    """Each action's latest measure."""
    if not action_ids:
        return {}
    ranked = (
        sa.select(
            Measure.id,
            sa.func.row_number()
            .over(partition_by=Measure.action_id, order_by=(Measure.year.desc(), Measure.month.desc()))
            .label("rank"),
        )
        .where(Measure.action_id.in_(action_ids))
        .subquery()
    )
    rows = db.session.scalars(sa.select(Measure).join(ranked, ranked.c.id == Measure.id).where(ranked.c.rank == 1))
    return {measure.action_id: measure for measure in rows}


# --- Who sees what -------------------------------------------------------------------------------------------


def is_admin(user: User) -> bool:
    """Admins build and edit every plan."""
    return user.has_role(Role.ADMIN.value)


def visible_plans(user: User) -> list[Plan]:
    """Every plan for an admin; for an owner, the plans holding one of their actions."""
    statement = sa.select(Plan).order_by(Plan.id)
    if not is_admin(user):
        statement = statement.where(Plan.id.in_(sa.select(Action.plan_id).where(Action.owner_id == user.id)))
    return list(db.session.scalars(statement))


def plan_for(plan_id: int, user: User) -> Plan | None:
    """A plan the user may open (None: not found, or not theirs)."""
    plan = db.session.get(Plan, plan_id)
    if plan is None or not (is_admin(user) or any(a.owner_id == user.id for a in plan.actions)):
        return None
    return plan


def action_for(action_id: int, user: User) -> Action | None:
    """An action the user may open: admins, its owner and contributors, and every employee when it is public."""
    action = db.session.get(Action, action_id)
    if action is None:
        return None
    if not (action.public or is_admin(user) or action.owner_id == user.id or is_contributor(action, user)):
        return None
    return action


def is_contributor(action: Action, user: User) -> bool:
    """Is the user named among the action's contributors?"""
    return any(contributor.id == user.id for contributor in action.contributors)


def may_edit(action: Action, user: User) -> bool:
    """Admins and the action's owner add check-ins and declared values, and edit the check-ins."""
    return is_admin(user) or action.owner_id == user.id


def may_check_in(action: Action, user: User) -> bool:
    """Admins, the owner and the contributors add check-ins."""
    return may_edit(action, user) or is_contributor(action, user)


def may_edit_check_in(check_in: CheckIn, action: Action, user: User) -> bool:
    """Admins and the owner edit every check-in of the action; a contributor edits their own."""
    return may_edit(action, user) or (check_in.author_id == user.id and is_contributor(action, user))


@dataclass(frozen=True)
class UnitContribution:
    """A manager's unit on a public action: the indicator for their unit (with its sub-units) and for the whole
    organisation, read from the snapshot of the action's latest measure."""

    unit: OrgUnit
    value: Decimal | None
    organisation: Decimal | None


def unit_contributions(user: User, rows: Sequence[display.ActionRow]) -> dict[int, UnitContribution]:
    """action id → the manager's unit's contribution (empty for an employee, or a manager of no unit), for the
    objectives' rows (each with its latest measure's snapshot). Declared indicators have no breakdown by unit.
    One query per snapshot read, not per action."""
    if Role.MANAGER.value not in user.roles or user.org_unit_id is None:
        return {}
    unit = db.session.get(OrgUnit, user.org_unit_id)
    if unit is None:
        return {}
    by_snapshot: dict[int, list[display.ActionRow]] = {}
    for row in rows:
        if not row.declared and row.snapshot_id is not None:
            by_snapshot.setdefault(row.snapshot_id, []).append(row)
    result = {}
    convention = Convention.AMORTISED.value
    for snapshot_id, reading in by_snapshot.items():
        snapshot = db.session.get(Snapshot, snapshot_id)
        if snapshot is None:
            continue
        codes = tuple({action.indicator_code for action in reading})
        mine = estate.scope_values(snapshot, "unit", codes, convention, [str(unit.id)]).get(str(unit.id), {})
        everyone = estate.scope_values(snapshot, estate.ORG[0], codes, convention, [estate.ORG[1]]).get("", {})
        for action in reading:
            code = action.indicator_code
            result[action.id] = UnitContribution(
                unit,
                annualised(code, mine[code], snapshot.ends_on) if code in mine else None,
                annualised(code, everyone[code], snapshot.ends_on) if code in everyone else None,
            )
    return result


# --- The lists kept rendered --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectiveCard:
    """A shared objective as every employee sees it: its row, and its card rendered (without the manager's
    unit contribution, added per user)."""

    row: display.ActionRow
    unit: str
    html: Markup


def objective_cards(*, language: str) -> tuple[ObjectiveCard, ...]:
    """The public actions with their latest measures, rendered in `language` (the request's): the same for
    every employee, kept by the portal's cache until a plan, an action or a measure changes (a unit renamed
    shows within PORTAL_REFERENCE_CACHE_SECONDS)."""

    def load() -> tuple[ObjectiveCard, ...]:
        actions = list(
            db.session.scalars(
                sa.select(Action).where(Action.public.is_(True)).options(selectinload(Action.unit)).order_by(Action.id)
            )
        )
        latest = latest_measures([a.id for a in actions])
        rows = display.action_rows(actions, latest, unit_of)
        return tuple(
            ObjectiveCard(row, unit_of(action), display.rendered("plans/_objective.html", a=row))
            for action, row in zip(actions, rows, strict=True)
        )

    return reference_cache.cached("plans.objectives", (language,), load)


def unit_contribution_lines(user: User, cards: Sequence[ObjectiveCard], *, language: str) -> dict[int, Markup]:
    """action id → the sentence of a manager's unit contribution (empty for anyone else), in `language`. Per unit,
    not per page: kept by the portal's cache for the unit beside the objectives' cards, renewed with them."""
    if Role.MANAGER.value not in user.roles or user.org_unit_id is None:
        return {}

    def load() -> tuple[tuple[int, Markup], ...]:
        contributions = unit_contributions(user, [card.row for card in cards])
        return tuple(display.contribution_lines({card.row.id: card.unit for card in cards}, contributions).items())

    return dict(reference_cache.cached("plans.unit_contributions", (user.org_unit_id, language), load))


@dataclass(frozen=True)
class PlanTable:
    """One page of a plan's actions, rendered as table rows, and the years its measures cover."""

    rows: Markup
    number: int
    size: int
    total: int
    years: tuple[int, ...]


def plan_table(plan_id: int, *, number: int, size: int, language: str) -> PlanTable:
    """One page of the plan's actions with their latest measures, rendered in `language`; the same for every
    reader of the plan, kept by the portal's cache until a plan, an action or a measure changes."""

    def load() -> PlanTable:
        page = paginate(
            sa.select(Action).where(Action.plan_id == plan_id).options(selectinload(Action.unit)).order_by(Action.id),
            number=number,
            size=size,
        )
        latest = latest_measures([a.id for a in page.items])
        rows = display.action_rows(page.items, latest, unit_of)
        years = db.session.scalars(
            sa.select(Measure.year)
            .distinct()
            .join(Action, Action.id == Measure.action_id)
            .where(Action.plan_id == plan_id)
            .order_by(Measure.year.desc())
        )
        html = display.rendered("plans/_action_rows.html", rows=rows)
        return PlanTable(html, page.number, page.size, page.total, tuple(years))

    return reference_cache.cached("plans.plan_table", (plan_id, number, size, language), load)


def action_series(action: Action, *, language: str) -> Markup:
    """An action's monthly series against its trajectory (SVG and table) and its scope's breakdown, rendered in
    `language`: the same for every reader of the action, kept by the portal's cache until a plan, an action, a
    milestone or a measure changes (a unit renamed shows within PORTAL_REFERENCE_CACHE_SECONDS)."""

    def load() -> Markup:
        history = measures(action)
        path = path_of(action)
        unit = unit_of(action)
        months = display.month_rows(
            (
                (m.measured_on, m.value, expected_on(path, m.measured_on), m.progress, m.status)
                for m in reversed(history)
            ),
            unit,
        )
        moves = display.move_rows(
            (
                (move.unit.name, move.baseline, move.latest)
                for move in breakdown(action, history[-1] if history else None)
            ),
            unit,
        )
        chart = display.chart(path, [(m.measured_on, m.value) for m in history])
        return display.rendered("plans/_action_series.html", chart=chart, months=months, moves=moves)

    return reference_cache.cached("plans.action_series", (action.id, language), load)


# --- Check-ins and declared values ---------------------------------------------------------------------------


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PlanError("bad_date", value=text) from None


def add_check_in(action: Action, *, by: User, comment: str, on: str, link: str = "") -> CheckIn:
    """The owner's word on an action (a comment, a date, optionally a link)."""
    if not comment.strip():
        raise PlanError("comment_required")
    link = link.strip()
    if link and not link.startswith(("https://", "http://")):
        raise PlanError("bad_link")
    check_in = CheckIn(action_id=action.id, on=_parse_date(on), comment=comment.strip(), link=link, author_id=by.id)
    db.session.add(check_in)
    db.session.flush()
    return check_in


def add_declared_value(
    action: Action, *, by: User, value: str, on: str, source: str, locale: str | None = None
) -> DeclaredValue:
    """A value the portal cannot measure, with its date, its source and who entered it (`value` as the reader
    writes numbers in `locale`: see `parse_decimal`)."""
    if not action.declared:
        raise PlanError("not_declared")
    try:
        number = parse_decimal(value, locale=locale)
    except ValueError:
        raise PlanError("bad_value", value=value) from None
    if number is None:
        raise PlanError("bad_value", value=value)
    check_value_size(number)
    if not source.strip():
        raise PlanError("source_required")
    declared = DeclaredValue(
        action_id=action.id, on=_parse_date(on), value=number, source=source.strip(), entered_by_id=by.id
    )
    db.session.add(declared)
    db.session.flush()
    return declared


def edit_check_in(check_in: CheckIn, *, comment: str, on: str, link: str = "") -> CheckIn:
    """Change a check-in's comment, date or link (same rules as a new one)."""
    if not comment.strip():
        raise PlanError("comment_required")
    link = link.strip()
    if link and not link.startswith(("https://", "http://")):
        raise PlanError("bad_link")
    check_in.on, check_in.comment, check_in.link = _parse_date(on), comment.strip(), link
    db.session.flush()
    return check_in


def check_in_of(action: Action, check_in_id: int) -> CheckIn | None:
    """One of the action's check-ins (None: not found, or another action's)."""
    check_in = db.session.get(CheckIn, check_in_id)
    return check_in if check_in is not None and check_in.action_id == action.id else None


def check_ins(action: Action) -> list[CheckIn]:
    """An action's check-ins, newest first."""
    return list(
        db.session.scalars(
            sa.select(CheckIn)
            .where(CheckIn.action_id == action.id)
            .options(selectinload(CheckIn.author))
            .order_by(CheckIn.on.desc(), CheckIn.id.desc())
        )
    )


def declared_values(action: Action) -> list[DeclaredValue]:
    """An action's declared values, newest first."""
    return list(
        db.session.scalars(
            sa.select(DeclaredValue)
            .where(DeclaredValue.action_id == action.id)
            .options(selectinload(DeclaredValue.entered_by))
            .order_by(DeclaredValue.on.desc(), DeclaredValue.id.desc())
        )
    )


# --- The yearly review ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewLine:
    """One action in a year's review."""

    action: Action
    year_end: Measure | None  # the year's last measure
    last_check_in: CheckIn | None


def review(plan: Plan, year: int) -> list[ReviewLine]:
    """Each action's value at the year's end (its last measure of the year), progress, status, last check-in."""
    lines = []
    for action in plan.actions:
        year_end = db.session.scalar(
            sa.select(Measure)
            .where(Measure.action_id == action.id, Measure.year == year)
            .order_by(Measure.month.desc())
            .limit(1)
        )
        last = db.session.scalar(
            sa.select(CheckIn)
            .where(CheckIn.action_id == action.id, CheckIn.on <= date(year, 12, 31))
            .order_by(CheckIn.on.desc(), CheckIn.id.desc())
            .limit(1)
        )
        lines.append(ReviewLine(action, year_end, last))
    return lines


def expected_on(path: Path | None, on: date) -> Decimal | None:
    """The trajectory's value on a day (None without a baseline)."""
    return expected_value(path, on) if path is not None else None


def featured_objective() -> tuple[Action, Measure] | None:
    """The objective put forward (home page, messages): the first public action already measured, with its
    latest measure (None: none)."""
    row = db.session.execute(
        sa.select(Action, Measure)
        .join(Measure, Measure.action_id == Action.id)
        .where(Action.public.is_(True), Measure.progress.is_not(None))
        .order_by(Action.id, Measure.year.desc(), Measure.month.desc())
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])


@dataclass(frozen=True)
class HomeObjective:
    """The featured objective as the home panel shows it: its action's id and title, its latest measure."""

    id: int
    title: str
    value: Decimal | None
    progress: Decimal
    status: str
    unit: str


def home_objective(user: User, now: datetime) -> dict[str, Any] | None:
    """The home page's panel: the featured objective with its latest measure (None: none). The same for every
    employee: rendered once per language and kept by the portal's cache until a plan, an action or a measure
    changes (home is the page every employee opens)."""

    def load() -> Markup | None:
        featured = featured_objective()
        if featured is None:
            return None
        action, measure = featured
        objective = HomeObjective(
            action.id, action.title, measure.value, measure.progress or Decimal(0), measure.status, unit_of(action)
        )
        return display.rendered("plans/_home_objective.html", objective=objective)

    html = reference_cache.cached("plans.home_objective", str(get_locale()), load)
    return None if html is None else {"html": html}


TENTH = Decimal("0.1")


def message_values(today: date) -> dict[str, int | Decimal | str | None]:
    """The featured objective's figures for messages (portal.messaging placeholders), as of its latest measure;
    None when no public objective is measured yet."""
    featured = featured_objective()
    if featured is None:
        return dict.fromkeys(("objective_title", "objective_value", "objective_target", "objective_progress"))
    action, measure = featured
    return {
        "objective_title": action.title,
        "objective_value": measure.value.quantize(TENTH),
        "objective_target": action.target.quantize(TENTH),
        "objective_progress": int((measure.progress or Decimal(0)) * 100 + Decimal("0.5")),
    }


# --- Building plans ------------------------------------------------------------------------------------------


def create_plan(*, title: str, description: str = "") -> Plan:
    """A new, empty plan."""
    plan = Plan(title=title.strip(), description=description.strip())
    db.session.add(plan)
    db.session.flush()
    return plan


Milestones = tuple[tuple[date, Decimal], ...]


#: The values' columns (Numeric(18, 6)) hold at most 12 digits before the decimal point.
MAX_VALUE = Decimal(10) ** 12


def check_value_size(value: Decimal | None) -> None:
    """A baseline, target, milestone or declared value fits its column (PlanError `value_too_large`)."""
    if value is not None and abs(value) >= MAX_VALUE:
        raise PlanError("value_too_large", value=format(value, "f") if abs(value) < 10**30 else str(value))


def check_action(
    *,
    indicator_code: str,
    start_on: date,
    deadline: date,
    target: Decimal,
    baseline: Decimal | None,
    trend: str,
    declared_name: str = "",
    milestones: Milestones = (),
) -> None:
    """The rules of an action's fields; raises PlanError on the first one broken."""
    for value in (target, baseline, *(value for _day, value in milestones)):
        check_value_size(value)
    if deadline <= start_on:
        raise PlanError("deadline_before_start")
    if indicator_code and indicator_code not in BY_CODE:
        raise PlanError("unknown_indicator", indicator=indicator_code)
    if not indicator_code and (not declared_name.strip() or baseline is None):
        raise PlanError("declared_needs_name_and_baseline")
    if trend not in {t.value for t in Trend}:
        raise PlanError("unknown_trend", value=trend)
    _check_target(baseline, target, trend)
    days = [day for day, _value in milestones]
    for day in days:
        if not start_on < day < deadline:
            raise PlanError("milestone_outside", day=day.isoformat())
    if len(set(days)) != len(days):
        raise PlanError("milestone_twice")


def _check_target(baseline: Decimal | None, target: Decimal, trend: str) -> None:
    if baseline is None:
        return
    if target == baseline:
        raise PlanError("target_equals_baseline")
    if (trend == Trend.DECREASE.value) != (target < baseline):
        raise PlanError("target_against_trend")


@dataclass(frozen=True)
class ActionFields:
    """What an admin enters for an action, new or changed: the form's values, read by the services."""

    title: str
    owner: User
    indicator_code: str
    trend: str
    start_on: date
    deadline: date
    target: Decimal
    unit_id: int | None = None
    baseline: Decimal | None = None
    baseline_source: str = "start"
    declared_name: str = ""
    declared_unit: str = ""
    description: str = ""
    public: bool = False
    contributors: tuple[User, ...] = ()
    milestones: Milestones = ()

    def check(self, baseline: Decimal | None) -> None:
        """The rules of the fields (`check_action`), against this baseline."""
        check_action(indicator_code=self.indicator_code, start_on=self.start_on, deadline=self.deadline,
                     target=self.target, baseline=baseline, trend=self.trend, declared_name=self.declared_name,
                     milestones=self.milestones)

    def apply_to(self, action: Action) -> None:
        """Copy the fields onto the action (all but its baseline); a declared action's name and unit only."""
        declared = not self.indicator_code
        action.title, action.description = self.title.strip(), self.description.strip()
        action.owner_id = self.owner.id
        action.indicator_code, action.unit_id = self.indicator_code, self.unit_id
        action.start_on, action.deadline = self.start_on, self.deadline
        action.declared_name = self.declared_name.strip() if declared else ""
        action.declared_unit = self.declared_unit.strip() if declared else ""
        action.trend, action.target, action.public = Trend(self.trend).value, self.target, self.public
        action.baseline_source = self.baseline_source


def _save_action(action: Action, fields: ActionFields) -> Action:
    """The action's milestones and contributors, then its baseline measured and its target checked against it."""
    set_milestones(action, fields.milestones)
    set_contributors(action, fields.contributors)
    db.session.flush()
    measure_baseline(action)
    _check_target(action.baseline, action.target, action.trend)
    return action


def create_action(plan: Plan, fields: ActionFields) -> Action:
    """An action on an estate indicator (baseline read from the start month's snapshot) or a declared one."""
    baseline = fields.baseline if not fields.indicator_code else None
    fields.check(baseline)
    action = Action(plan=plan, baseline=baseline)
    fields.apply_to(action)
    db.session.add(action)
    return _save_action(action, fields)


def update_action(action: Action, fields: ActionFields) -> Action:
    """Change an action. Once measured, what its history was read from (indicator, scope, start, baseline) is
    fixed: the kept measures would no longer mean the same thing. The target, deadline and milestones may move
    (the next measures' status follow them)."""
    indicator_code = fields.indicator_code
    baseline = fields.baseline if not indicator_code else None
    measured = db.session.scalar(sa.select(Measure.id).where(Measure.action_id == action.id).limit(1)) is not None
    reading_changed = (
        indicator_code != action.indicator_code
        or fields.unit_id != action.unit_id
        or fields.start_on != action.start_on
        or (not indicator_code and baseline != action.baseline)
        or (indicator_code and fields.baseline_source != action.baseline_source)
    )
    if measured and reading_changed:
        raise PlanError("measured_fields_fixed")
    fields.check(baseline if not indicator_code else (None if reading_changed else action.baseline))
    fields.apply_to(action)
    if reading_changed:
        action.baseline, action.baseline_snapshot_id = baseline, None
    return _save_action(action, fields)


def set_milestones(action: Action, milestones: Milestones) -> None:
    """The action's milestones become these (date, value) pairs, in date order."""
    action.milestones = [Milestone(due_on=day, value=value) for day, value in sorted(milestones)]


def set_contributors(action: Action, contributors: tuple[User, ...]) -> None:
    """The action's contributors become these employees (its owner is not repeated among them)."""
    seen: dict[int, User] = {}
    for user in contributors:
        if user.id != action.owner_id:
            seen.setdefault(user.id, user)
    action.contributors = list(seen.values())


@dataclass(frozen=True)
class UnitMove:
    """One sub-unit of an action's scope: its value at the baseline's snapshot and at the latest measure's."""

    unit: OrgUnit
    baseline: Decimal | None
    latest: Decimal | None


def breakdown(action: Action, latest: Measure | None) -> list[UnitMove]:
    """Which units move, which do not: the scope's direct sub-units, read from the same two snapshots."""
    if action.declared or latest is None or latest.snapshot_id is None:
        return []
    units = db.session.scalars(
        sa.select(OrgUnit)
        .where(OrgUnit.parent_id.is_(None) if action.unit_id is None else OrgUnit.parent_id == action.unit_id)
        .order_by(OrgUnit.name)
    ).all()
    if not units:
        return []
    keys = [str(unit.id) for unit in units]
    code, convention = action.indicator_code, Convention.AMORTISED.value

    def values(snapshot_id: int | None) -> dict[str, Decimal]:
        snapshot = db.session.get(Snapshot, snapshot_id) if snapshot_id is not None else None
        if snapshot is None:
            return {}
        read = estate.scope_values(snapshot, "unit", (code,), convention, keys)
        return {
            key: annualised(code, by_code[code], snapshot.ends_on) for key, by_code in read.items() if code in by_code
        }

    before, now = values(action.baseline_snapshot_id), values(latest.snapshot_id)
    return [UnitMove(unit, before.get(str(unit.id)), now.get(str(unit.id))) for unit in units]
