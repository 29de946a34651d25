"""Who receives a message: criteria combined with AND, resolved in SQL and streamed in batches.

Within one criterion the values are alternatives (communes Bègles *or* Talence); criteria combine with AND
(managers *and* in Bègles or Talence). Deactivated accounts are never recipients. Device criteria look at
the devices an employee has now (in use or to return), as the "My footprint" page does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from portal.accounts.models import Role, User, UserRole
from portal.accounts.services import search_users_statement
from portal.campaigns.models import ChecklistTick, Participation
from portal.catalogue.footprints import label_for, load_factor_set
from portal.catalogue.models import Asset, CatalogueItem, Order
from portal.catalogue.my_footprint import CURRENT_STATUSES, category_annualised
from portal.catalogue.orders import OPEN_STATUSES
from portal.messaging.models import EmailOptOut
from portal.models import db
from portal.org.models import Site
from portal.org.services import unit_and_descendant_ids

#: Roles an audience can target ("employee" is everyone, hence no criterion).
TARGETABLE_ROLES = (Role.MANAGER.value, Role.COMMS.value, Role.ADMIN.value)
LANGUAGES = ("fr", "en")
LABELS = ("A", "B", "C", "D", "E")
PARTICIPATION = ("joined", "not_joined", "inactive")  # inactive: not joined, or joined and ticked nothing
MAX_YEARS = 30
MAX_SERVICE_CODES = 20
#: The digital services' subscriptions (portal.digital_services comes after messaging in the domain order, so
#: its tables are named here rather than imported): "uses service X" is "has a current subscription to X".
_SERVICE_SUBSCRIPTION = sa.table(
    "service_subscription", sa.column("service_id"), sa.column("user_id"), sa.column("ended_on")
)
_DIGITAL_SERVICE = sa.table("digital_service", sa.column("id"), sa.column("code"))


@dataclass(frozen=True)
class Criteria:
    """An audience: every non-empty criterion must hold (AND); the values of one criterion are alternatives."""

    roles: tuple[str, ...] = ()
    org_unit_ids: tuple[int, ...] = ()  # with their sub-units
    commune_insees: tuple[str, ...] = ()  # of the work site
    site_ids: tuple[int, ...] = ()
    languages: tuple[str, ...] = ()
    oldest_device_min_years: int | None = None  # the oldest current device is at least this old (whole years)
    oldest_device_max_years: int | None = None  # … and at most this old
    device_labels: tuple[str, ...] = ()  # has at least one current device with one of these labels
    campaign_id: int | None = None
    campaign_participation: str | None = None  # joined | not_joined | inactive (the campaign above)
    open_order: bool | None = None  # has (True) / has no (False) equipment request waiting
    service_codes: tuple[str, ...] = ()  # uses (has now) one of these digital services, by code

    @property
    def is_everyone(self) -> bool:
        return self == Criteria(campaign_id=self.campaign_id)

    def to_json(self) -> dict[str, Any]:
        """The criteria as stored on the message (lists, not tuples; empty ones left out)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items() if v not in ((), None)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Criteria:
        """Stored criteria back (anything unexpected is dropped, so old rows never break a page)."""
        data = data or {}

        def ints(key: str) -> tuple[int, ...]:
            return tuple(sorted({int(v) for v in data.get(key) or () if str(v).lstrip("-").isdigit()}))

        def strings(key: str, allowed: Sequence[str] | None = None) -> tuple[str, ...]:
            values = {str(v) for v in data.get(key) or ()}
            return tuple(sorted(v for v in values if allowed is None or v in allowed))

        def years(key: str) -> int | None:
            value = data.get(key)
            return int(value) if isinstance(value, int) and 0 <= value <= MAX_YEARS else None

        participation = data.get("campaign_participation")
        campaign_id = data.get("campaign_id")
        return cls(
            roles=strings("roles", TARGETABLE_ROLES),
            org_unit_ids=ints("org_unit_ids"),
            commune_insees=strings("commune_insees"),
            site_ids=ints("site_ids"),
            languages=strings("languages", LANGUAGES),
            oldest_device_min_years=years("oldest_device_min_years"),
            oldest_device_max_years=years("oldest_device_max_years"),
            device_labels=strings("device_labels", LABELS),
            campaign_id=campaign_id if isinstance(campaign_id, int) else None,
            campaign_participation=participation if participation in PARTICIPATION else None,
            open_order=data.get("open_order") if isinstance(data.get("open_order"), bool) else None,
            service_codes=tuple(sorted({str(v)[:40] for v in data.get("service_codes") or () if str(v).strip()}))[
                :MAX_SERVICE_CODES
            ],
        )


def _years_before(today: date, years: int) -> date:
    """The same day `years` earlier (28 February for a 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def _current_device(*conditions: sa.ColumnElement[bool]) -> sa.Exists:
    return sa.exists().where(Asset.user_id == User.id, Asset.status.in_(CURRENT_STATUSES), *conditions)


def category_labels() -> dict[str, str]:
    """The label of each category's reference device: the label of a device whose model is unknown."""
    factor_set = load_factor_set()
    return {
        category: label_for(annualised, category, factor_set).value
        for category, annualised in category_annualised(factor_set).items()
    }


def conditions(criteria: Criteria, *, today: date) -> list[sa.ColumnElement[bool]]:
    """The SQL conditions on `user` that select the audience (one list, reused for every batch)."""
    where: list[sa.ColumnElement[bool]] = [User.active.is_(True)]
    if criteria.roles:
        where.append(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role.in_(criteria.roles))))
    if criteria.org_unit_ids:
        unit_ids = sorted({i for unit_id in criteria.org_unit_ids for i in unit_and_descendant_ids(unit_id)})
        where.append(User.org_unit_id.in_(unit_ids))
    if criteria.commune_insees:
        where.append(User.site_id.in_(sa.select(Site.id).where(Site.commune_insee.in_(criteria.commune_insees))))
    if criteria.site_ids:
        where.append(User.site_id.in_(criteria.site_ids))
    if criteria.languages:
        where.append(User.locale.in_(criteria.languages))
    # Whole years, as the oldest_device_years placeholder: "at least N" ⟺ acquired N years ago or earlier.
    if criteria.oldest_device_min_years is not None:
        cutoff = _years_before(today, criteria.oldest_device_min_years)
        where.append(_current_device(Asset.acquired_on <= cutoff))
    if criteria.oldest_device_max_years is not None:
        cutoff = _years_before(today, criteria.oldest_device_max_years + 1)
        where.append(_current_device())
        where.append(~_current_device(Asset.acquired_on <= cutoff))
    if criteria.device_labels:
        by_category = category_labels()
        label = sa.func.coalesce(
            CatalogueItem.label,
            sa.case(*((Asset.category == key, value) for key, value in by_category.items()), else_=None),
        )
        labelled = (
            sa.select(Asset.user_id)
            .outerjoin(CatalogueItem, Asset.item_id == CatalogueItem.id)
            .where(Asset.status.in_(CURRENT_STATUSES), label.in_(criteria.device_labels))
        )
        where.append(User.id.in_(labelled))
    if criteria.campaign_id is not None and criteria.campaign_participation:
        joined = sa.exists().where(
            Participation.user_id == User.id,
            Participation.campaign_id == criteria.campaign_id,
            Participation.left_at.is_(None),
        )
        if criteria.campaign_participation == "inactive":  # the reminder's audience: nothing done yet
            ticked = sa.exists().where(ChecklistTick.user_id == User.id,
                                       ChecklistTick.campaign_id == criteria.campaign_id)
            where.append(~sa.and_(joined, ticked))
        else:
            where.append(joined if criteria.campaign_participation == "joined" else ~joined)
    if criteria.open_order is not None:
        waiting = sa.exists().where(Order.requester_id == User.id, Order.status.in_(OPEN_STATUSES))
        where.append(waiting if criteria.open_order else ~waiting)
    if criteria.service_codes:
        users_of = (
            sa.select(_SERVICE_SUBSCRIPTION.c.user_id)
            .join(_DIGITAL_SERVICE, _DIGITAL_SERVICE.c.id == _SERVICE_SUBSCRIPTION.c.service_id)
            .where(_DIGITAL_SERVICE.c.code.in_(criteria.service_codes), _SERVICE_SUBSCRIPTION.c.ended_on.is_(None))
        )
        where.append(User.id.in_(users_of))
    return where


def count(criteria: Criteria, *, today: date) -> int:
    """How many employees the criteria select now."""
    return db.session.scalar(sa.select(sa.func.count(User.id)).where(*conditions(criteria, today=today))) or 0


@dataclass(frozen=True)
class Figures:
    """The audience now: how many, how many read English, how many accept e-mails of a category."""

    recipients: int
    english: int
    accepting_emails: int


def figures(criteria: Criteria, *, today: date, category: str) -> Figures:
    """The audience's size, its English readers and those who did not opt out of the category's e-mails."""
    opted_out = sa.exists().where(EmailOptOut.user_id == User.id, EmailOptOut.category == category)
    counted = sa.func.count(User.id)
    row = db.session.execute(
        sa.select(counted, counted.filter(User.locale == "en"), counted.filter(~opted_out)).where(
            *conditions(criteria, today=today)
        )
    ).one()
    return Figures(*row)


#: What a batch row carries about a recipient (plain columns, no ORM object).
RECIPIENT_COLUMNS = (
    User.id,
    User.email,
    User.first_name,
    User.last_name,
    User.locale,
    User.org_unit_id,
    User.site_id,
)


def batches(
    criteria: Criteria, *, today: date, size: int, after: int = 0
) -> Iterator[Sequence[sa.Row[*tuple[Any, ...]]]]:
    """The audience, `size` recipients at a time in id order, from the id `after` (keyset pagination: memory
    stays flat, and a start interrupted by a crash resumes where it stopped)."""
    where = conditions(criteria, today=today)
    last_id = after
    while True:
        rows = db.session.execute(
            sa.select(*RECIPIENT_COLUMNS).where(*where, User.id > last_id).order_by(User.id).limit(size)
        ).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


def sample(criteria: Criteria, *, today: date, size: int = 5) -> list[User]:
    """A few recipients drawn at random, for previews."""
    return list(
        db.session.scalars(
            sa.select(User).where(*conditions(criteria, today=today)).order_by(sa.func.random()).limit(size)
        )
    )


def pick(criteria: Criteria, *, today: date, query: str = "", draw: int = 0) -> User | None:
    """One recipient to preview as: the first whose name or e-mail contains `query`, else the `draw`-th of the
    audience in a shuffled but stable order (the same draw shows the same person while the text is typed)."""
    if query.strip():
        found = search(criteria, query, today=today, limit=1)
        return found[0] if found else None
    size = count(criteria, today=today)
    if not size:
        return None
    position = (draw * 7919) % size  # a prime stride: consecutive draws land far apart in the list
    return db.session.scalar(
        sa.select(User).where(*conditions(criteria, today=today)).order_by(User.id).offset(position).limit(1)
    )


def search(criteria: Criteria, query: str, *, today: date, limit: int = 10) -> list[User]:
    """Recipients of the audience whose name or e-mail contains the query."""
    if not query.strip():
        return []
    statement = search_users_statement(query, active=True).where(*conditions(criteria, today=today))
    return list(db.session.scalars(statement.limit(limit)))


def is_recipient(criteria: Criteria, user_id: int, *, today: date) -> bool:
    """True if this employee is in the audience now."""
    return (
        db.session.scalar(sa.select(User.id).where(*conditions(criteria, today=today), User.id == user_id))
        is not None
    )
