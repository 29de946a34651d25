"""Digital services: the catalogue's list, each service's footprint when used, subscriptions and access requests.

Footprints are computed by `portal.footprint.digital_services` from the stored hosts and components, with the
catalogue's electricity factor. A host's divisor is the larger of its capacity and the sum of every service's
allocation on it (overcommitted hosts are never charged more than once).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal import reference_cache
from portal.accounts.models import User
from portal.campaigns.models import Campaign, CampaignState
from portal.campaigns.services import current_campaigns_for
from portal.catalogue.footprints import load_factor_set
from portal.database import affected_rows
from portal.decisions import record_decision
from portal.digital_services import display
from portal.digital_services.models import (
    CATEGORIES,
    HOSTINGS,
    Access,
    AccessRequest,
    DigitalService,
    RequestStatus,
    ReviewDecision,
    ServiceComponent,
    ServiceHost,
    ServiceSubscription,
    ServiceUsage,
)
from portal.domain_error import DomainError
from portal.footprint import Figure, Quality, Source
from portal.footprint.digital_services import (
    DEFAULT_PUE,
    ComponentInputs,
    HostInputs,
    ServiceFootprint,
    ServiceInputs,
    service_footprint,
)
from portal.main.services import notify
from portal.models import db
from portal.org.models import OrgUnit
from portal.org.services import unit_and_descendant_ids
from portal.timezone import PARIS

#: Activity counts when it happened within this many days (the usage report's window).
ACTIVE_DAYS = 90


class ServiceError(DomainError):
    """A service action that is not allowed; the words are `display.SERVICE_ERRORS`."""

    domain = "digital_services"
    table = "SERVICE_ERRORS"


#: The services list's orders: by name, or by footprint per active user per year (largest first).
SORTS = ("name", "footprint")


@dataclass(frozen=True)
class ServiceFilters:
    """What the employee asked the services list for (already validated)."""

    category: str = ""
    hosting: str = ""
    mine: bool = False
    sort: str = "name"

    @classmethod
    def from_args(cls, args: Any) -> ServiceFilters:
        """Read filters from a query string, ignoring what is not valid (a bookmark never breaks)."""
        category, hosting, sort = args.get("category", ""), args.get("hosting", ""), args.get("sort", "")
        return cls(
            category=category if category in CATEGORIES else "",
            hosting=hosting if hosting in HOSTINGS else "",
            mine=args.get("mine") == "yes",
            sort=sort if sort in SORTS else "name",
        )

    def query_args(self) -> dict[str, Any]:
        """The same filters as URL parameters (for pagination links)."""
        return {
            "category": self.category or None,
            "hosting": self.hosting or None,
            "mine": "yes" if self.mine else None,
            "sort": None if self.sort == "name" else self.sort,
        }


def in_service(today: date) -> sa.ColumnElement[bool]:
    """Services not discontinued on `today`."""
    return sa.or_(DigitalService.end_date.is_(None), DigitalService.end_date > today)


def _current(subscription: type[ServiceSubscription] = ServiceSubscription) -> sa.ColumnElement[bool]:
    return subscription.ended_on.is_(None)


def services_statement(filters: ServiceFilters, *, user: User, today: date) -> sa.Select[int, str, str, str]:
    """The services an employee sees in the catalogue, filtered, by name: plain rows (id, name, category,
    hosting), what the list shows, no ORM object."""
    statement = (
        sa.select(DigitalService.id, DigitalService.name, DigitalService.category, DigitalService.hosting)
        .where(in_service(today))
        .order_by(DigitalService.name, DigitalService.id)
    )
    if filters.category:
        statement = statement.where(DigitalService.category == filters.category)
    if filters.hosting:
        statement = statement.where(DigitalService.hosting == filters.hosting)
    if filters.mine:
        statement = statement.where(
            sa.exists().where(
                ServiceSubscription.service_id == DigitalService.id,
                ServiceSubscription.user_id == user.id,
                _current(),
            )
        )
    return statement


def by_footprint(rows: Sequence[Any], *, today: date) -> list[Any]:
    """Rows of `services_statement` (by name) ordered by footprint per user per year, largest first; those
    whose footprint is not known yet last, by name."""
    figures = figures_for(rows, today=today)
    known: list[tuple[Decimal, Any]] = []
    unknown = []
    for row in rows:
        value = per_user_kgco2e(figures[row.id])
        if value is None:
            unknown.append(row)
        else:
            known.append((value, row))
    known.sort(key=lambda pair: -pair[0])  # stable: equal footprints stay by name
    return [row for _value, row in known] + unknown


# ---------------------------------------------------------------------------------------------------------
# Footprints
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceFigures:
    """A service's footprint with what it rests on: subscribers, active users, frequency."""

    footprint: ServiceFootprint
    subscribers: int
    active_users: int
    active_days_average: Decimal | None  # mean days of activity in the window, among active users

    @property
    def active_share(self) -> Decimal | None:
        """Active ÷ subscribed (None without subscribers)."""
        return Decimal(self.active_users) / self.subscribers if self.subscribers else None

    @property
    def frequency(self) -> Decimal | None:
        """Share of the window's days an active user uses it (0 to 1)."""
        return self.active_days_average / ACTIVE_DAYS if self.active_days_average is not None else None

    @property
    def per_active_user(self) -> Figure | None:
        return self.footprint.per_active_user


_QUALITIES = {q.value: q for q in Quality}


def host_inputs(host: ServiceHost) -> HostInputs:
    """A stored host as the core reads it; an unknown PUE is the surveyed average (estimated)."""
    quality = _QUALITIES.get(host.quality, Quality.ESTIMATED)
    source = (Source(host.source, 0),)

    def fig(value: Decimal) -> Figure:
        return Figure(value, quality=quality, sources=source)

    pue = DEFAULT_PUE if host.pue is None else Figure(host.pue, quality=Quality.GENERIC, sources=source)
    return HostInputs(
        host.kind, fig(host.embodied_kgco2e), fig(host.lifetime_years), fig(host.annual_kwh), pue, host.capacity
    )


def _usage_counts(
    service_ids: Sequence[int], today: date, *, every: bool = False
) -> dict[int, tuple[int, int, Decimal | None]]:
    """service id → (subscribers, active users, mean active days), in two grouped queries (`every`: the ids
    are every service's, no need to filter)."""
    if not service_ids:
        return {}
    subscribed_in = () if every else (ServiceSubscription.service_id.in_(service_ids),)
    used_in = () if every else (ServiceUsage.service_id.in_(service_ids),)
    subscribers = dict(
        db.session.execute(
            sa.select(ServiceSubscription.service_id, sa.func.count())
            .where(*subscribed_in, _current())
            .group_by(ServiceSubscription.service_id)
        ).all()
    )
    since = today - timedelta(days=ACTIVE_DAYS)
    activity = {
        row[0]: (row[1], row[2])
        for row in db.session.execute(
            sa.select(ServiceUsage.service_id, sa.func.count(), sa.func.avg(ServiceUsage.active_days))
            .where(*used_in, ServiceUsage.last_active_on > since)
            .group_by(ServiceUsage.service_id)
        ).all()
    }
    result = {}
    for service_id in service_ids:
        active, mean = activity.get(service_id, (0, None))
        average = None if mean is None else Decimal(str(mean)).quantize(Decimal("0.01"))
        result[service_id] = (subscribers.get(service_id, 0), active, average)
    return result


def _host_allocations(host_ids: Iterable[int]) -> dict[int, Decimal]:
    ids = sorted(set(host_ids))
    if not ids:
        return {}
    return {
        host_id: Decimal(total)
        for host_id, total in db.session.execute(
            sa.select(ServiceComponent.host_id, sa.func.sum(ServiceComponent.allocated))
            .where(ServiceComponent.host_id.in_(ids))
            .group_by(ServiceComponent.host_id)
        ).all()
    }


def figures_for(services: Sequence[Any], *, today: date) -> dict[int, ServiceFigures]:
    """These services' footprint and usage: every service's, kept per web worker until a service, host,
    component, subscription, usage row or factor changes (plain values: the review places 1,600 at once)."""
    every = reference_cache.cached("digital_services.figures", today, lambda: _compute_figures(None, today))
    if all(s.id in every for s in services):
        return {s.id: every[s.id] for s in services}
    return _compute_figures([s.id for s in services], today)  # created in this transaction: not kept yet


def _compute_figures(service_ids: Sequence[int] | None, today: date) -> dict[int, ServiceFigures]:
    """The figures of these services (None: of every service), in a fixed number of queries."""
    statement = sa.select(
        DigitalService.id,
        DigitalService.per_user_estimate_kgco2e,
        DigitalService.estimate_source,
        DigitalService.network_gb_per_year,
    )
    if service_ids is not None:
        statement = statement.where(DigitalService.id.in_(service_ids))
    services = db.session.execute(statement).all()
    if not services:
        return {}
    ids = [s.id for s in services]
    component_filter = () if service_ids is None else (ServiceComponent.service_id.in_(ids),)
    components = db.session.scalars(
        sa.select(ServiceComponent)
        .where(*component_filter)
        .options(selectinload(ServiceComponent.host))
        .order_by(ServiceComponent.id)
    ).all()
    by_service: dict[int, list[ServiceComponent]] = {}
    for component in components:
        by_service.setdefault(component.service_id, []).append(component)
    allocations = _host_allocations(c.host_id for c in components)
    counts = _usage_counts(ids, today, every=service_ids is None)
    electricity = load_factor_set().electricity
    hosts: dict[int, HostInputs] = {}
    result = {}
    for service in services:
        subscribers, active, average = counts[service.id]
        parts = []
        for component in by_service.get(service.id, ()):
            host = hosts.get(component.host_id)
            if host is None:
                host = hosts[component.host_id] = host_inputs(component.host)
            parts.append(
                ComponentInputs(component.host.name, host, component.allocated, allocations.get(component.host_id))
            )
        estimate = None
        if service.per_user_estimate_kgco2e is not None:
            estimate = Figure(
                service.per_user_estimate_kgco2e,
                quality=Quality.ESTIMATED,
                sources=(Source(service.estimate_source or "—", 0),),
            )
        network = None
        if service.network_gb_per_year is not None:
            network = Figure(service.network_gb_per_year, quality=Quality.MANUFACTURER)  # measured
        footprint = service_footprint(
            ServiceInputs(
                tuple(parts),
                network,
                estimate,
                subscribers=subscribers,
                active_users=active,
                electricity_factor=electricity,
            )
        )
        result[service.id] = ServiceFigures(footprint, subscribers, active, average)
    return result


def result_entries(rows: Sequence[Any], *, today: date, language: str) -> dict[int, display.ResultEntry]:
    """The rendered entries of a page of the services list (rows of `services_statement`), in `language`; kept
    by the portal's cache until a service, its figures or the factors change."""
    rows = tuple(rows)

    def load() -> dict[int, display.ResultEntry]:
        figures = figures_for(rows, today=today)
        return display.result_entries(
            rows,
            {row.id: per_user_kgco2e(figures[row.id]) for row in rows},
            {row.id: figures[row.id].footprint.quality.value for row in rows},
        )

    key = (today, language, tuple((row.id, row.name, row.category, row.hosting) for row in rows))
    return reference_cache.cached("digital_services.entries", key, load)


def figures_of(service: DigitalService, *, today: date) -> ServiceFigures:
    """One service's footprint and usage."""
    return figures_for([service], today=today)[service.id]


def per_user_kgco2e(figures: ServiceFigures) -> Decimal | None:
    """What one employee's use weighs per year: per active user, else per subscriber."""
    if figures.footprint.per_active_user is not None:
        return figures.footprint.per_active_user.value
    if figures.footprint.annual is not None and figures.subscribers:
        return figures.footprint.annual.value / figures.subscribers
    return None


def annual_footprint_by_service(year: int, *, today: date | None = None) -> dict[int, Decimal]:
    """kgCO₂e of each service in service during `year` (the estate's "services and data centres" line).

    The components and users known today stand for the whole year: the inventory keeps no history. A service
    discontinued during the year counts in proportion of the days it ran.
    """
    first, last = date(year, 1, 1), date(year, 12, 31)
    services = db.session.scalars(
        sa.select(DigitalService).where(sa.or_(DigitalService.end_date.is_(None), DigitalService.end_date > first))
    ).all()
    figures = figures_for(services, today=today or last)
    days_in_year = (last - first).days + 1
    result = {}
    for service in services:
        annual = figures[service.id].footprint.annual
        if annual is None:
            continue
        value = annual.value
        if service.end_date is not None and service.end_date <= last:
            value = value * (service.end_date - first).days / days_in_year
        result[service.id] = value
    return result


def annual_footprint_total(year: int, *, today: date | None = None) -> Decimal:
    """kgCO₂e of every service during `year` (see `annual_footprint_by_service`)."""
    return sum(annual_footprint_by_service(year, today=today).values(), Decimal(0))


# ---------------------------------------------------------------------------------------------------------
# Employees: have, request, give up
# ---------------------------------------------------------------------------------------------------------


def get_service(service_id: int) -> DigitalService | None:
    """A service by id (with its owner and components), or None."""
    return db.session.get(
        DigitalService,
        service_id,
        options=[selectinload(DigitalService.components).selectinload(ServiceComponent.host)],
    )


def subscription_of(service: DigitalService, user: User) -> ServiceSubscription | None:
    """My subscription row for the service (current or ended), or None."""
    return db.session.scalar(
        sa.select(ServiceSubscription).where(
            ServiceSubscription.service_id == service.id, ServiceSubscription.user_id == user.id
        )
    )


def my_service_ids(user: User, service_ids: Sequence[int]) -> set[int]:
    """Which of these services I have now."""
    if not service_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(ServiceSubscription.service_id).where(
                ServiceSubscription.user_id == user.id, ServiceSubscription.service_id.in_(service_ids), _current()
            )
        )
    )


def may_request(service: DigitalService, user: User) -> bool:
    """Members of the eligible unit (and its sub-units) may ask; every employee when no unit is set."""
    if service.eligible_unit_id is None:
        return True
    return user.org_unit_id is not None and user.org_unit_id in unit_and_descendant_ids(service.eligible_unit_id)


def pending_request(service: DigitalService, user: User) -> AccessRequest | None:
    """My request for this service waiting for a decision, or None."""
    return db.session.scalar(
        sa.select(AccessRequest).where(
            AccessRequest.service_id == service.id,
            AccessRequest.requester_id == user.id,
            AccessRequest.status == RequestStatus.SUBMITTED.value,
        )
    )


def _subscribe(service: DigitalService, user: User, today: date) -> ServiceSubscription:
    subscription = subscription_of(service, user)
    if subscription is None:
        subscription = ServiceSubscription(service=service, user=user, started_on=today)
        db.session.add(subscription)
    elif subscription.ended_on is not None:
        subscription.started_on, subscription.ended_on = today, None
        subscription.ended_reason, subscription.saving_kgco2e = "", None
    db.session.flush()
    return subscription


def ask_for(service: DigitalService, *, user: User, justification: str, today: date) -> AccessRequest | None:
    """Get a service: at once when granted to all, else a request its owner decides (None when granted)."""
    if service.end_date is not None and service.end_date <= today:
        raise ServiceError("discontinued")
    current = subscription_of(service, user)
    if current is not None and current.ended_on is None:
        raise ServiceError("already_subscribed")
    if not may_request(service, user):
        raise ServiceError("not_eligible")
    if service.access == Access.GRANTED_TO_ALL.value:
        _subscribe(service, user, today)
        return None
    if pending_request(service, user) is not None:
        raise ServiceError("already_requested")
    if not justification.strip():
        raise ServiceError("justification_required")
    request = AccessRequest(service=service, requester=user, justification=justification.strip()[:2000])
    db.session.add(request)
    db.session.flush()
    return request


def can_edit(service: DigitalService, user: User) -> bool:
    """Owners edit their services; admins edit every service; employees read."""
    return user.has_role("admin") or (service.owner_id is not None and service.owner_id == user.id)


def update_service(
    service: DigitalService,
    *,
    description_fr: str,
    description_en: str,
    criticality: str,
    access: str,
    per_user_estimate_kgco2e: Decimal | None,
    estimate_source: str,
) -> None:
    """Save what an owner keeps up to date (the form has checked the values)."""
    service.description_fr, service.description_en = description_fr.strip(), description_en.strip()
    service.criticality, service.access = criticality, access
    service.per_user_estimate_kgco2e = per_user_estimate_kgco2e
    service.estimate_source = estimate_source.strip()[:300]
    db.session.flush()


def decisions_of(service: DigitalService) -> list[ReviewDecision]:
    """The review's decisions on the service, newest year first (its history)."""
    return list(
        db.session.scalars(
            sa.select(ReviewDecision)
            .where(ReviewDecision.service_id == service.id)
            .options(selectinload(ReviewDecision.owner), selectinload(ReviewDecision.recorded_by))
            .order_by(ReviewDecision.year.desc(), ReviewDecision.recorded_at.desc(), ReviewDecision.id.desc())
        )
    )


def owner_units() -> list[OrgUnit]:
    """The org units that own a service, by name (the review's filter)."""
    return list(
        db.session.scalars(
            sa.select(OrgUnit).where(OrgUnit.id.in_(sa.select(DigitalService.owner_unit_id))).order_by(OrgUnit.name)
        )
    )


def decides_requests(user: User) -> bool:
    """True for admins and the owners of a service (they decide its access requests)."""
    if user.has_role("admin"):
        return True
    return (
        db.session.scalar(sa.select(DigitalService.id).where(DigitalService.owner_id == user.id).limit(1)) is not None
    )


def can_decide(request: AccessRequest, user: User) -> bool:
    """The service's owner decides; admins decide for every service."""
    return user.has_role("admin") or request.service.owner_id == user.id


def decide(request: AccessRequest, *, approver: User, approve: bool, comment: str, today: date) -> None:
    """Approve (the requester gets the service) or refuse (with a reason); the requester gets a notice."""
    allowed = can_decide(request, approver)
    record_decision(request, approver, approve, comment, allowed=allowed, error=ServiceError, not_allowed="not_owner")
    if approve:
        _subscribe(request.service, request.requester, today)
    notify(
        request.requester,
        "service_request_approved" if approve else "service_request_refused",
        {"service": request.service.name, "service_id": request.service_id},
    )
    db.session.flush()


def requests_to_decide(user: User) -> sa.Select[AccessRequest]:
    """Requests waiting for this owner's decision (admins: every service's), oldest first."""
    statement = (
        sa.select(AccessRequest)
        .join(DigitalService, AccessRequest.service_id == DigitalService.id)
        .where(AccessRequest.status == RequestStatus.SUBMITTED.value)
        .options(selectinload(AccessRequest.service), selectinload(AccessRequest.requester))
        .order_by(AccessRequest.created_at, AccessRequest.id)
    )
    if not user.has_role("admin"):
        statement = statement.where(DigitalService.owner_id == user.id)
    return statement


def give_up(service: DigitalService, *, user: User, today: date) -> ServiceSubscription:
    """ "I no longer use it": my subscription ends; my per-user share is kept as what it saves each year, and
    counts as a clean-up action of the Digital Clean-up Day campaign running for me, if one is."""
    subscription = subscription_of(service, user)
    if subscription is None or subscription.ended_on is not None:
        raise ServiceError("not_subscribed")
    figures = figures_of(service, today=today)
    saving = per_user_kgco2e(figures)
    subscription.ended_on, subscription.ended_reason = today, "no_longer_used"
    subscription.saving_kgco2e = None if saving is None else saving.quantize(Decimal("0.0001"))
    campaign = running_campaign_for(user)
    subscription.campaign_id = None if campaign is None else campaign.id
    db.session.flush()
    return subscription


def running_campaign_for(user: User) -> Campaign | None:
    """The active Digital Clean-up Day campaign meant for this employee (the latest to start), or None."""
    for campaign in current_campaigns_for(user):
        if campaign.state == CampaignState.ACTIVE.value:
            return campaign
    return None


@dataclass(frozen=True)
class CampaignSavings:
    """Services given up during a campaign: how many, and what they save per year (kgCO₂e)."""

    services: int
    kgco2e: Decimal


def campaign_savings(campaign_id: int, *, user: User | None = None) -> CampaignSavings:
    """What giving services up counted in a campaign: everyone's, or one employee's."""
    statement = sa.select(sa.func.count(), sa.func.sum(ServiceSubscription.saving_kgco2e)).where(
        ServiceSubscription.campaign_id == campaign_id, ServiceSubscription.ended_reason == "no_longer_used"
    )
    if user is not None:
        statement = statement.where(ServiceSubscription.user_id == user.id)
    count, total = db.session.execute(statement).one()
    return CampaignSavings(count or 0, Decimal(total or 0))


def campaign_panel(campaign: Campaign, now: Any) -> dict[str, Any] | None:
    """The campaign results page's "services given up" section (CAMPAIGN_PANELS); nothing when no service was
    given up during the campaign. The saving is each giver's share of the service's footprint when given up:
    an allocation per active user, so an estimate."""
    saved = campaign_savings(campaign.id)
    if not saved.services:
        return None
    return {"saved": saved, "quality": Quality.ESTIMATED}


def end_subscriptions_of_departed(user: User, now: Any) -> int:
    """A departing employee's services end the day they leave (ON_DEACTIVATION): licences are freed."""
    result = db.session.execute(
        sa.update(ServiceSubscription)
        .where(ServiceSubscription.user_id == user.id, ServiceSubscription.ended_on.is_(None))
        .values(ended_on=now.astimezone(PARIS).date(), ended_reason="departure")
        .execution_options(synchronize_session="fetch")
    )
    return affected_rows(result)


# ---------------------------------------------------------------------------------------------------------
# "My footprint": my services
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyService:
    """One of my services and my share of its footprint per year."""

    service: DigitalService
    per_user_kgco2e: Decimal | None
    quality: Quality


@dataclass(frozen=True)
class MyServices:
    """My services, their total per year, and what giving some up saved."""

    services: list[MyService]
    total_kgco2e: Decimal
    quality: Quality
    given_up: list[ServiceSubscription]
    campaign_names: dict[int, str]  # the campaigns some were given up in, by id
    saved_kgco2e: Decimal


# Built once: "My footprint" runs it on every visit (a built statement keeps its cache key).
_MY_SUBSCRIPTIONS = (
    sa.select(ServiceSubscription)
    .where(ServiceSubscription.user_id == sa.bindparam("user_id", type_=sa.Integer))
    .options(selectinload(ServiceSubscription.service))
    .order_by(ServiceSubscription.id)
)


def my_services(user: User, *, today: date) -> MyServices:
    """My current services with my per-user share, and the ones I gave up with their yearly saving."""
    rows = db.session.scalars(_MY_SUBSCRIPTIONS, {"user_id": user.id}).all()
    current = [
        r.service for r in rows if r.ended_on is None and (r.service.end_date is None or r.service.end_date > today)
    ]
    figures = figures_for(current, today=today)
    mine = [MyService(s, per_user_kgco2e(figures[s.id]), figures[s.id].footprint.quality) for s in current]
    mine.sort(key=lambda m: (-(m.per_user_kgco2e or 0), m.service.name))
    given_up = [r for r in rows if r.ended_reason == "no_longer_used"]
    campaign_ids = {r.campaign_id for r in given_up if r.campaign_id is not None}
    campaigns = (
        dict(db.session.execute(sa.select(Campaign.id, Campaign.name).where(Campaign.id.in_(campaign_ids))).all())
        if campaign_ids
        else {}
    )
    return MyServices(
        services=mine,
        total_kgco2e=sum((m.per_user_kgco2e or Decimal(0) for m in mine), Decimal(0)),
        quality=Quality.worst(*(m.quality for m in mine)) if mine else Quality.ESTIMATED,
        given_up=given_up,
        campaign_names=campaigns,
        saved_kgco2e=sum((r.saving_kgco2e or Decimal(0) for r in given_up), Decimal(0)),
    )


def footprint_panel(user: User, now: Any) -> dict[str, Any] | None:
    """The "My services" section of "My footprint" (nothing when I have and gave up no service)."""
    mine = my_services(user, today=now.astimezone(PARIS).date())
    if not mine.services and not mine.given_up:
        return None
    return {"mine": mine}
