"""Automatic messages: an event (a device reaches N years, a delivered order replaces a device, a return is
confirmed, a campaign starts or ends, a storage import shows a participant's progress) sends a template to the
employee concerned, in their language, if they are in the trigger's audience and the trigger is on.

Run by the jobs process (`messaging-triggers`), with the time given (`now`), so that tests drive the clock:

1. *record*: the events of each trigger that is on, seen in the last LOOKBACK days, are written once per
   (trigger, employee, event): a unique constraint, so a re-run or a second jobs process records nothing twice;
2. *deliver*: a queued event is taken by a conditional update (queued → sent: one winner) and its employee's
   slot by a conditional upsert (at most one automatic message per MIN_DAYS: one winner too, whatever the
   number of processes); an employee whose slot is taken keeps the event queued for a later run. The events
   taken become one message per trigger and campaign, its recipients written as any started message's
   (inbox rows, e-mail outbox), then sent by the dispatch job. One transaction per message: a crash leaves
   the events queued, never half sent;
3. *expire*: an event still queued LOOKBACK days after it happened is dropped (it would come too late).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute, contains_eager

from portal.accounts.models import User
from portal.campaigns.models import Campaign, Participation, StorageImport, StorageSnapshot
from portal.catalogue.footprints import load_factor_set
from portal.catalogue.models import Asset, Order, OrderStatus
from portal.catalogue.my_footprint import CURRENT_STATUSES, DAYS_PER_YEAR, asset_footprint
from portal.database import affected_rows, conflict_insert
from portal.locator.models import DeviceReturn
from portal.messaging import audience, services
from portal.messaging.audience import Criteria
from portal.messaging.models import (
    AutomaticEvent,
    AutomaticQuota,
    AutomaticStatus,
    Message,
    MessageStatus,
    MessageTemplate,
    MessageTrigger,
    TriggerKind,
)
from portal.messaging.sending import finish_start, worker_name, write_recipients
from portal.messaging.settings import setting
from portal.messaging.template_checks import TemplateRejected
from portal.models import db
from portal.timezone import PARIS

#: The ready template each trigger sends until the team chooses another (portal.messaging.ready keys).
DEFAULT_TEMPLATES = {
    TriggerKind.DEVICE_AGE.value: "device_age",
    TriggerKind.ORDER_DELIVERED.value: "order_return",
    TriggerKind.RETURN_CONFIRMED.value: "return_thanks",
    TriggerKind.CAMPAIGN_STARTED.value: "campaign_launch",
    TriggerKind.CAMPAIGN_ENDED.value: "campaign_results",
    TriggerKind.STORAGE_PROGRESS.value: "storage_progress",
}
TRIGGERS = tuple(kind.value for kind in TriggerKind)
_EVENTS = AutomaticEvent.__table__
_QUOTA = AutomaticQuota.__table__


@dataclass(frozen=True)
class Detected:
    """An event found for an employee: what it is (its key), when it happened, and what it adds to the
    recipient's values."""

    user_id: int
    event_key: str
    event_at: datetime
    campaign_id: int | None = None
    values: Mapping[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------------------------------ settings


def trigger(key: str) -> MessageTrigger:
    """The trigger's settings: its row, or (never saved yet) a new one, off, with its ready template."""
    found = db.session.scalar(sa.select(MessageTrigger).where(MessageTrigger.key == key))
    if found is not None:
        return found
    template = db.session.scalar(sa.select(MessageTemplate).where(MessageTemplate.key == DEFAULT_TEMPLATES[key]))
    return MessageTrigger(key=key, enabled=False, template=template, template_id=template.id if template else None,
                          audience={}, years=None)


def all_triggers() -> list[MessageTrigger]:
    """Every trigger, in the order of TriggerKind."""
    return [trigger(key) for key in TRIGGERS]


def _stored(found: MessageTrigger) -> MessageTrigger:
    """The trigger's row, locked for a change: created first if it was never saved, with ON CONFLICT so that a
    first save sent twice at once (a double click, two tabs) creates it once, the second one waiting."""
    if found.id is None:
        db.session.execute(
            conflict_insert(MessageTrigger.__table__)
            .values(key=found.key, enabled=found.enabled, template_id=found.template_id, audience=found.audience)
            .on_conflict_do_nothing(index_elements=["key"])
        )
    # Read committed: the row the other request created is seen once its transaction has ended.
    return db.session.execute(
        sa.select(MessageTrigger).where(MessageTrigger.key == found.key).with_for_update()
    ).scalar_one()


def save_trigger(found: MessageTrigger, *, template: MessageTemplate | None, years: Decimal | None,
                 criteria: Criteria | None = None) -> MessageTrigger:
    """Change the template, the age (device age) or the audience of a trigger; returns its stored row (the one to
    read afterwards: `found` may be the settings of a trigger never saved)."""
    found = _stored(found)
    if template is not None:
        found.template = template
    if found.key == TriggerKind.DEVICE_AGE.value:
        found.years = years
    if criteria is not None:
        found.audience = criteria.to_json()
    db.session.add(found)
    db.session.flush()
    return found


def switch(found: MessageTrigger, *, on: bool) -> MessageTrigger:
    """Turn the trigger on (it needs a template) or pause it (its queued events wait); returns its stored row."""
    if on and found.template is None:
        raise services.MessageError("trigger_without_template")
    found = _stored(found)
    found.enabled = on
    db.session.add(found)
    db.session.flush()
    return found


# ----------------------------------------------------------------------------------------- detection


def _paris_day(now: datetime) -> date:
    return now.astimezone(PARIS).date()


def _at_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=PARIS)


def _device_age(found: MessageTrigger, members: sa.Select, now: datetime, since: datetime) -> list[Detected]:
    """Devices in use whose N-year (or half-lifetime) anniversary fell in the window."""
    today, first = _paris_day(now), _paris_day(since)
    factor_set = load_factor_set()
    statement = (
        sa.select(Asset)
        .outerjoin(Asset.item)
        .options(contains_eager(Asset.item))
        .where(Asset.status.in_(CURRENT_STATUSES), Asset.user_id.in_(members))
    )
    if found.years is not None:  # one age for all: only the devices acquired in the window that many years ago
        days = int(found.years * DAYS_PER_YEAR)
        statement = statement.where(Asset.acquired_on.between(first - timedelta(days=days),
                                                              today - timedelta(days=days)))
    detected = []
    for asset in db.session.scalars(statement):
        years = found.years
        if years is None:
            lifetime = asset_footprint(asset, factor_set).lifetime_years.value
            years = (lifetime / 2).quantize(Decimal("0.1"))
        anniversary = asset.acquired_on + timedelta(days=int(years * DAYS_PER_YEAR))
        if not first <= anniversary <= today:
            continue
        item = asset.item
        name = f"{item.manufacturer} {item.name}" if item is not None else asset.model_name
        # Not NULL: the statement keeps the assets whose user_id is IN members.
        detected.append(Detected(asset.user_id, f"asset:{asset.id}:{years}", _at_midnight(anniversary),  # type: ignore[arg-type]
                                 values={"device_name": name, "device_age_years": str(years)}))
    return detected


def _order_delivered(members: sa.Select, now: datetime, since: datetime) -> list[Detected]:
    """Deliveries that replace a device: the old one is to be returned."""
    rows = db.session.execute(
        sa.select(Order.id, Order.requester_id, Order.delivered_at, Asset.model_name)
        .join(Asset, Order.replaces_asset_id == Asset.id)
        .where(Order.status == OrderStatus.DELIVERED.value, Order.delivered_at.between(since, now),
               Order.requester_id.in_(members))
    )
    # Not NULL: delivered_at is BETWEEN two instants.
    return [Detected(user_id, f"order:{order_id}", at, values={"device_name": name})  # type: ignore[arg-type]
            for order_id, user_id, at, name in rows]


def _return_confirmed(members: sa.Select, now: datetime, since: datetime) -> list[Detected]:
    """Returns the collection team confirmed."""
    rows = db.session.execute(
        sa.select(DeviceReturn.id, DeviceReturn.user_id, DeviceReturn.received_at, Asset.model_name)
        .outerjoin(Asset, DeviceReturn.asset_id == Asset.id)
        .where(DeviceReturn.received_at.between(since, now), DeviceReturn.user_id.in_(members))
    )
    # Not NULL: received_at is BETWEEN two instants.
    return [Detected(user_id, f"return:{return_id}", at, values={"device_name": name} if name else {})  # type: ignore[arg-type]
            for return_id, user_id, at, name in rows]


def _participants(campaign_ids: sa.Select, members: sa.Select) -> sa.Select:
    return sa.select(Participation.campaign_id, Participation.user_id).where(
        Participation.campaign_id.in_(campaign_ids), Participation.left_at.is_(None),
        Participation.user_id.in_(members))


def _campaign_moment(column: QueryableAttribute[datetime], suffix: str, members: sa.Select, now: datetime,
                     since: datetime) -> list[Detected]:
    """The participants of the published campaigns that started (or ended) in the window."""
    moments = dict(db.session.execute(
        sa.select(Campaign.id, column).where(Campaign.published_at.is_not(None), column.between(since, now))).all())
    if not moments:
        return []
    rows = db.session.execute(_participants(sa.select(Campaign.id).where(Campaign.id.in_(moments)), members))
    return [Detected(user_id, f"campaign:{campaign_id}:{suffix}", moments[campaign_id], campaign_id)
            for campaign_id, user_id in rows]


def _storage_progress(members: sa.Select, now: datetime, since: datetime) -> list[Detected]:
    """Participants of a campaign under way whose storage an import just measured."""
    imports = db.session.execute(
        sa.select(StorageImport.id, StorageImport.imported_at, Campaign.id)
        .join(Campaign, sa.and_(Campaign.starts_at <= StorageImport.imported_at,
                                Campaign.ends_at > StorageImport.imported_at))
        .where(StorageImport.imported_at.between(since, now), Campaign.published_at.is_not(None))
    ).all()
    detected = []
    for import_id, imported_at, campaign_id in imports:
        measured = sa.select(StorageSnapshot.user_id).where(StorageSnapshot.import_id == import_id)
        rows = db.session.scalars(
            sa.select(Participation.user_id).where(
                Participation.campaign_id == campaign_id, Participation.left_at.is_(None),
                Participation.user_id.in_(members), Participation.user_id.in_(measured))
        )
        detected += [Detected(user_id, f"storage:{import_id}:{campaign_id}", imported_at, campaign_id)
                     for user_id in rows]
    return detected


def detect(found: MessageTrigger, *, now: datetime) -> list[Detected]:
    """The trigger's events of the last LOOKBACK days, for the active employees of its audience."""
    since = now - timedelta(days=setting("PORTAL_MESSAGING_TRIGGER_LOOKBACK_DAYS"))
    criteria = Criteria.from_json(found.audience)
    members = sa.select(User.id).where(*audience.conditions(criteria, today=_paris_day(now)))
    kind = found.key
    if kind == TriggerKind.DEVICE_AGE.value:
        return _device_age(found, members, now, since)
    if kind == TriggerKind.ORDER_DELIVERED.value:
        return _order_delivered(members, now, since)
    if kind == TriggerKind.RETURN_CONFIRMED.value:
        return _return_confirmed(members, now, since)
    if kind == TriggerKind.CAMPAIGN_STARTED.value:
        return _campaign_moment(Campaign.starts_at, "start", members, now, since)
    if kind == TriggerKind.CAMPAIGN_ENDED.value:
        return _campaign_moment(Campaign.ends_at, "end", members, now, since)
    return _storage_progress(members, now, since)


# -------------------------------------------------------------------------------------------- record


def record(key: str, detected: Iterable[Detected], *, now: datetime) -> int:
    """Write the events not recorded yet (a unique constraint keeps each once); returns how many are new."""
    rows = [
        {"trigger_key": key, "user_id": event.user_id, "event_key": event.event_key, "event_at": event.event_at,
         "campaign_id": event.campaign_id, "values": dict(event.values), "status": AutomaticStatus.QUEUED.value,
         "detected_at": now}
        for event in detected
    ]
    if not rows:
        return 0
    statement = conflict_insert(_EVENTS).on_conflict_do_nothing(index_elements=["trigger_key", "user_id", "event_key"])
    return len(db.session.execute(statement.returning(_EVENTS.c.id), rows).all())


# ------------------------------------------------------------------------------------------- deliver


def _take(event_id: int, now: datetime) -> bool:
    """The event, if still queued, becomes this run's to send (a conditional update: one winner)."""
    taken = db.session.execute(
        sa.update(_EVENTS).where(_EVENTS.c.id == event_id, _EVENTS.c.status == AutomaticStatus.QUEUED.value)
        .values(status=AutomaticStatus.SENT.value, sent_at=now)
    )
    return affected_rows(taken) == 1


def _give_back(event_id: int) -> None:
    db.session.execute(sa.update(_EVENTS).where(_EVENTS.c.id == event_id)
                       .values(status=AutomaticStatus.QUEUED.value, sent_at=None))


def _take_slot(user_id: int, now: datetime) -> bool:
    """The employee's automatic-message slot, if their last one is at least MIN_DAYS old (an upsert whose
    update applies only then: whatever runs at the same time, one of them gets it)."""
    cutoff = now - timedelta(days=setting("PORTAL_MESSAGING_AUTOMATIC_MIN_DAYS"))
    statement = (
        conflict_insert(_QUOTA)
        .values(user_id=user_id, last_sent_at=now)
        .on_conflict_do_update(index_elements=["user_id"], set_={"last_sent_at": now},
                               where=_QUOTA.c.last_sent_at <= cutoff)
        .returning(_QUOTA.c.user_id)
    )
    return db.session.execute(statement).first() is not None


def _message_for(found: MessageTrigger, campaign_id: int | None, *, now: datetime, worker: str) -> Message:
    """The message that carries the trigger's template to the employees of this run (and campaign)."""
    template = found.template
    lease = timedelta(seconds=setting("PORTAL_MESSAGING_LEASE_SECONDS"))
    # run() delivers only the triggers that have a template
    message = services.message_from(template, trigger_key=found.key, campaign_id=campaign_id)  # type: ignore[arg-type]
    message.status = MessageStatus.STARTING.value
    message.scheduled_at = message.started_at = now
    message.started_by, message.start_lease_until = worker, now + lease
    db.session.add(message)
    db.session.flush()
    return message


def _deliver_group(found: MessageTrigger, campaign_id: int | None, events: list[AutomaticEvent], *,
                   now: datetime, worker: str) -> int:
    """Take what can be sent now of these events and send it as one message; one transaction."""
    taken: list[AutomaticEvent] = []
    for event in events:
        if not _take(event.id, now):
            continue  # sent by another run meanwhile
        if _take_slot(event.user_id, now):
            taken.append(event)
        else:
            _give_back(event.id)  # this employee had an automatic message lately: it waits its turn
    if not taken:
        db.session.commit()
        return 0
    message = _message_for(found, campaign_id, now=now, worker=worker)
    versions = services.compiled_versions(message)
    users = db.session.execute(
        sa.select(*audience.RECIPIENT_COLUMNS).where(User.id.in_([e.user_id for e in taken])).order_by(User.id)
    ).all()
    contexts = services.context_builder(message, today=_paris_day(now), now=now).contexts(users)
    for event in taken:  # what the event says about itself (the device, its age) joins the person's values
        values = dict(event.values)
        if "device_age_years" in values:
            values["device_age_years"] = Decimal(values["device_age_years"])
        contexts[event.user_id].update(values)
    write_recipients(message, users, contexts, versions, now)
    db.session.execute(sa.update(_EVENTS).where(_EVENTS.c.id.in_([e.id for e in taken]))
                       .values(message_id=message.id))
    finish_start(message, worker, now)  # commits
    return len(taken)


def deliver(found: MessageTrigger, *, now: datetime, worker: str) -> int:
    """Send the trigger's queued events that may go now; returns how many employees got a message."""
    queued = db.session.scalars(
        sa.select(AutomaticEvent)
        .where(AutomaticEvent.trigger_key == found.key, AutomaticEvent.status == AutomaticStatus.QUEUED.value)
        .order_by(AutomaticEvent.event_at, AutomaticEvent.id)
        .limit(setting("PORTAL_MESSAGING_FREEZE_BATCH"))
    ).all()
    by_campaign: dict[int | None, list[AutomaticEvent]] = defaultdict(list)
    seen: set[int] = set()
    for event in queued:
        if event.user_id in seen:
            continue  # one automatic message at a time: the next event of this employee waits
        seen.add(event.user_id)
        by_campaign[event.campaign_id].append(event)
    sent = 0
    for campaign_id, events in by_campaign.items():
        try:
            sent += _deliver_group(found, campaign_id, events, now=now, worker=worker)
        except TemplateRejected:
            db.session.rollback()  # a template that the checks refuse is never rendered: the events wait
    return sent


def expire(*, now: datetime) -> int:
    """Queued events that happened more than LOOKBACK days ago are dropped; returns how many."""
    cutoff = now - timedelta(days=setting("PORTAL_MESSAGING_TRIGGER_LOOKBACK_DAYS"))
    result = db.session.execute(
        sa.update(_EVENTS).where(_EVENTS.c.status == AutomaticStatus.QUEUED.value, _EVENTS.c.event_at < cutoff)
        .values(status=AutomaticStatus.EXPIRED.value)
    )
    return affected_rows(result)


# ----------------------------------------------------------------------------------------------- run


@dataclass
class RunReport:
    """What one run of the triggers did."""

    recorded: int = 0
    sent: int = 0
    expired: int = 0

    def summary(self) -> dict[str, int]:
        return {"recorded": self.recorded, "sent": self.sent, "expired": self.expired}


def run(*, now: datetime, worker: str | None = None) -> RunReport:
    """Record, deliver and expire the events of every trigger that is on (commits as it goes)."""
    worker = worker or worker_name()
    report = RunReport()
    for found in all_triggers():
        if not found.enabled or found.id is None or found.template is None:
            continue
        report.recorded += record(found.key, detect(found, now=now), now=now)
        db.session.commit()
        report.sent += deliver(found, now=now, worker=worker)
    report.expired = expire(now=now)
    db.session.commit()
    return report


# ------------------------------------------------------------------------------------------ follow-up


@dataclass(frozen=True)
class NextSend:
    """An event the next runs would send (dry run): to whom, about what, and from when."""

    user: User
    event_key: str
    event_at: datetime
    not_before: datetime | None  # the weekly limit's end, or None: at the next run
    recorded: bool


def next_sends(found: MessageTrigger, *, now: datetime, limit: int = 20) -> list[NextSend]:
    """What the trigger would send next, without writing anything: its queued events and the events its next
    run would record, each with the time its employee's weekly limit allows it."""
    queued = db.session.execute(
        sa.select(AutomaticEvent.user_id, AutomaticEvent.event_key, AutomaticEvent.event_at)
        .where(AutomaticEvent.trigger_key == found.key, AutomaticEvent.status == AutomaticStatus.QUEUED.value)
        .order_by(AutomaticEvent.event_at).limit(limit)
    ).all()
    pending = [(user_id, key, at, True) for user_id, key, at in queued]
    if found.template is not None:
        known = set(db.session.execute(
            sa.select(AutomaticEvent.user_id, AutomaticEvent.event_key).where(AutomaticEvent.trigger_key == found.key)
        ).all())
        fresh = [e for e in detect(found, now=now) if (e.user_id, e.event_key) not in known]
        pending += [(e.user_id, e.event_key, e.event_at, False) for e in fresh[: max(0, limit - len(pending))]]
    user_ids = {user_id for user_id, *_ in pending}
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    days = setting("PORTAL_MESSAGING_AUTOMATIC_MIN_DAYS")
    last = dict(db.session.execute(
        sa.select(AutomaticQuota.user_id, AutomaticQuota.last_sent_at).where(AutomaticQuota.user_id.in_(user_ids))
    ).all()) if user_ids else {}
    result = []
    for user_id, key, at, recorded in pending:
        allowed = last[user_id] + timedelta(days=days) if user_id in last else None
        result.append(NextSend(users[user_id], key, at, allowed if allowed and allowed > now else None, recorded))
    return result


def sent_events(found: MessageTrigger, *, limit: int = 20) -> list[tuple[AutomaticEvent, User]]:
    """The trigger's last sent events, newest first, with their employee."""
    return list(db.session.execute(
        sa.select(AutomaticEvent, User).join(User, AutomaticEvent.user_id == User.id)
        .where(AutomaticEvent.trigger_key == found.key, AutomaticEvent.status == AutomaticStatus.SENT.value)
        .order_by(AutomaticEvent.sent_at.desc(), AutomaticEvent.id.desc()).limit(limit)
    ).all())


def counts(*, since: datetime) -> dict[str, tuple[int, int]]:
    """trigger key → (sent since `since`, queued now), for the list of triggers."""
    sent_since = sa.func.count(AutomaticEvent.id).filter(AutomaticEvent.status == AutomaticStatus.SENT.value,
                                                         AutomaticEvent.sent_at >= since)
    queued = sa.func.count(AutomaticEvent.id).filter(AutomaticEvent.status == AutomaticStatus.QUEUED.value)
    rows = db.session.execute(sa.select(AutomaticEvent.trigger_key, sent_since, queued)
                              .group_by(AutomaticEvent.trigger_key))
    return {key: (sent, waiting) for key, sent, waiting in rows}

