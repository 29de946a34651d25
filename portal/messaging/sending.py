"""Start sending a message: freeze its audience, personalise it for each recipient, fill inbox and outbox.

This is the send decision, taken by the jobs process when the message's time comes. The message becomes
`starting` under a worker's lease; then, batch after batch (recipients streamed in id order, memory flat),
each recipient's inbox row (the portal delivery: the message rendered for them) and e-mail outbox row are
written together in one transaction; at the end the message becomes `sending` (or `sent` when there is no
e-mail to send).

Why batches and not one transaction for the whole audience: SQLite has a single writer, and 20,000 rendered
recipients take seconds to write; web requests that write (a login, an order) would wait that long, past
their busy timeout. Batches keep each write short. Nothing is lost or doubled on a crash: a `starting`
message whose lease ran out is taken again and resumes after the last recipient written, and the unique
constraints (one inbox row per message and employee, one outbox row per message, employee and channel)
forbid a second row whatever happens.

A start never stays `starting` for good: a recipient whose message cannot be rendered is recorded with the
reason (nothing is delivered to them) and the others get theirs; a template the checks refuse, or any other
error, makes the message `failed` (could not be started) with the reason, at once; and a start taken
MAX_START_ATTEMPTS times without finishing (its workers died) is given up the same way. A failed message is
corrected and sent again (the start goes on after the recipients already written) or cancelled.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from portal.database import affected_rows
from portal.messaging import audience
from portal.messaging.models import (
    ESSENTIAL_CATEGORIES,
    Channel,
    EmailOptOut,
    Message,
    MessageRecipient,
    MessageStatus,
    OutboxEntry,
    OutboxStatus,
)
from portal.messaging.rendering import RenderError
from portal.messaging.services import SOURCE_FIELDS, compiled_versions, context_builder, criteria_of, field_problems
from portal.messaging.settings import setting
from portal.messaging.template_checks import TemplateRejected
from portal.models import UTCDateTime, db
from portal.timezone import PARIS

log = logging.getLogger(__name__)
_MESSAGE = Message.__table__
_RECIPIENT = MessageRecipient.__table__
#: A start taken this many times without finishing (each time its worker died) is not taken again.
MAX_START_ATTEMPTS = 3


def worker_name() -> str:
    """host:pid:random — written on what a worker claims, so it only ever records results for its own claims."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Started:
    """What starting a message produced (in all, including a part written before a crash)."""

    message_id: int
    recipients: int
    not_personalised: int
    emails: int


def _startable(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(_MESSAGE.c.status == MessageStatus.SCHEDULED.value, _MESSAGE.c.scheduled_at <= now),
        sa.and_(_MESSAGE.c.status == MessageStatus.STARTING.value, _MESSAGE.c.start_lease_until < now),
    )


def due_message_ids(*, now: datetime) -> list[int]:
    """Scheduled messages whose time has come, and starts interrupted by a dead worker; oldest first."""
    return list(
        db.session.scalars(
            sa.select(_MESSAGE.c.id).where(_startable(now)).order_by(_MESSAGE.c.scheduled_at, _MESSAGE.c.id)
        )
    )


def _take(message_id: int, now: datetime, worker: str, lease: timedelta) -> bool:
    """Claim the start for this worker (a conditional UPDATE: one winner); commits."""
    result = db.session.execute(
        sa.update(_MESSAGE)
        .where(_MESSAGE.c.id == message_id, _startable(now))
        .values(
            status=MessageStatus.STARTING.value,
            started_at=sa.func.coalesce(_MESSAGE.c.started_at, sa.literal(now, UTCDateTime())),
            started_by=worker,
            start_lease_until=now + lease,
            start_attempts=_MESSAGE.c.start_attempts + 1,
        )
    )
    db.session.commit()
    return affected_rows(result) == 1


def _give_up(message_id: int, details: dict, *still: sa.ColumnElement[bool]) -> bool:
    """A `starting` message (matching `still`) could not be started: `failed`, with why; commits.

    A start that wrote no recipient leaves no trace of having begun (its start date is set by the next one).
    """
    result = db.session.execute(
        sa.update(_MESSAGE)
        .where(_MESSAGE.c.id == message_id, _MESSAGE.c.status == MessageStatus.STARTING.value, *still)
        .values(status=MessageStatus.FAILED.value, pause_details=details, start_lease_until=None)
    )
    if affected_rows(result) == 1:
        db.session.execute(
            sa.update(_MESSAGE)
            .where(_MESSAGE.c.id == message_id, ~sa.exists().where(_RECIPIENT.c.message_id == message_id))
            .values(started_at=None, started_by=None)
        )
    db.session.commit()
    return affected_rows(result) == 1


def _give_up_if_interrupted_too_often(message_id: int, now: datetime) -> bool:
    """A start whose lease ran out MAX_START_ATTEMPTS times is failed instead of being taken again."""
    given_up = _give_up(
        message_id,
        {"kind": "interrupted", "reason": f"the start was interrupted {MAX_START_ATTEMPTS} times"},
        _MESSAGE.c.start_lease_until < now,
        _MESSAGE.c.start_attempts >= MAX_START_ATTEMPTS,
    )
    if given_up:
        log.warning("message %d could not be started: interrupted %d times", message_id, MAX_START_ATTEMPTS)
    return given_up


def _still_mine(message_id: int, worker: str, until: datetime) -> bool:
    """Extend this worker's lease; False if another worker took the start over meanwhile."""
    result = db.session.execute(
        sa.update(_MESSAGE)
        .where(
            _MESSAGE.c.id == message_id,
            _MESSAGE.c.started_by == worker,
            _MESSAGE.c.status == MessageStatus.STARTING.value,
        )
        .values(start_lease_until=until)
    )
    return affected_rows(result) == 1


def start_message(message_id: int, *, now: datetime, worker: str | None = None) -> Started | None:
    """Freeze the audience and write inbox and outbox rows, batch by batch (each batch committed).

    Returns None if the message is not due, is being started by another worker, or could not be started: it
    is then `failed` with the reason (a template the checks refuse is never rendered).
    """
    worker = worker or worker_name()
    lease = timedelta(seconds=setting("PORTAL_MESSAGING_LEASE_SECONDS"))
    if _give_up_if_interrupted_too_often(message_id, now) or not _take(message_id, now, worker, lease):
        return None
    try:
        return _start(message_id, now, worker, lease)
    except Exception as error:  # the message must not stay `starting`, to be retried after every lease
        db.session.rollback()
        log.exception("message %d could not be started", message_id)
        reason = f"{type(error).__name__}: {error}"[:500]
        _give_up(message_id, {"kind": "error", "reason": reason}, _MESSAGE.c.started_by == worker)
        return None


def _start(message_id: int, now: datetime, worker: str, lease: timedelta) -> Started | None:
    """The start once taken by this worker: every batch, then the counts."""
    clock_start = time.monotonic()
    message = db.session.get(Message, message_id, populate_existing=True)
    if message is None or message.started_at is None:  # _take() has just set it: only a bug gets here
        raise RuntimeError(f"message {message_id} was taken for starting but cannot be read back")
    try:
        versions = compiled_versions(message)
    except TemplateRejected as rejected:
        problems = {name: [[p.line, p.code, p.detail] for p in field_problems(name, getattr(message, name))]
                    for name in SOURCE_FIELDS}
        details = {"kind": "template", "reason": str(rejected)[:500],
                   "problems": {name: found for name, found in problems.items() if found}}
        _give_up(message_id, details, _MESSAGE.c.started_by == worker)
        log.warning("message %d could not be started: %s", message_id, rejected)
        return None
    started_at = message.started_at
    today = started_at.astimezone(PARIS).date()
    builder = context_builder(message, today=today, now=now)
    resume_after = db.session.scalar(
        sa.select(sa.func.max(_RECIPIENT.c.user_id)).where(_RECIPIENT.c.message_id == message_id)
    )
    size = setting("PORTAL_MESSAGING_FREEZE_BATCH")
    for batch in audience.batches(criteria_of(message), today=today, size=size, after=resume_after or 0):
        write_recipients(message, batch, builder.contexts(batch), versions, started_at)
        elapsed = timedelta(seconds=time.monotonic() - clock_start)
        if not _still_mine(message_id, worker, now + elapsed + lease):
            db.session.rollback()
            log.warning("message %d: start taken over by another worker", message_id)
            return None
        db.session.commit()
    return finish_start(message, worker, now)


def write_recipients(message: Message, batch: Sequence[sa.Row], contexts: dict, versions: dict,
                 delivered_at: datetime) -> None:
    """The batch's inbox rows and e-mail outbox rows (the caller commits them together)."""
    rows = []
    for user in batch:
        locale = message.content_locale(user.locale)
        row = {
            "message_id": message.id,
            "user_id": user.id,
            "locale": locale,
            "in_inbox": message.via_portal,
            "delivered_at": delivered_at,
            "read_at": None,
        }
        try:
            subject_template, body_template = versions[locale]
            context = contexts[user.id]
            subject = subject_template.render(context, locale)
            body = body_template.render_markup(context, locale)
        except Exception as error:  # this recipient's failure, with its reason: the others still get theirs
            reason = error.message("en") if isinstance(error, RenderError) else f"{type(error).__name__}: {error}"
            row.update(subject="", body="", error=reason[:500])
        else:
            row.update(subject=subject[:2000], body=body, error="")
        rows.append(row)
    # RETURNING makes SQLAlchemy batch the rows into multi-row INSERTs ("insertmanyvalues"); a plain
    # executemany would send them one by one on PostgreSQL.
    db.session.execute(sa.insert(_RECIPIENT).returning(_RECIPIENT.c.id), rows).all()
    if message.via_email:
        _queue_emails(message, [user.id for user in batch], delivered_at)


def _queue_emails(message: Message, user_ids: list[int], now: datetime) -> None:
    """One outbox row per personalised recipient of the batch who accepts this category by e-mail."""
    recipient = _RECIPIENT.c
    selection = sa.select(
        recipient.message_id,
        recipient.id,
        recipient.user_id,
        sa.literal(Channel.EMAIL.value),
        sa.literal(OutboxStatus.QUEUED.value),
        sa.literal(0),
        sa.literal(now, UTCDateTime()),
        sa.literal(""),
        sa.literal(now, UTCDateTime()),
    ).where(recipient.message_id == message.id, recipient.user_id.in_(user_ids), recipient.error == "")
    if message.category not in ESSENTIAL_CATEGORIES:
        selection = selection.where(
            ~sa.exists().where(EmailOptOut.user_id == recipient.user_id, EmailOptOut.category == message.category)
        )
    db.session.execute(
        sa.insert(OutboxEntry.__table__).from_select(
            ["message_id", "recipient_id", "user_id", "channel", "status", "attempts", "next_attempt_at",
             "last_error", "created_at"],
            selection,
        )
    )


def finish_start(message: Message, worker: str, now: datetime) -> Started | None:
    """Counts, then `sending` (or `sent` without any e-mail): dispatch may begin."""
    recipients, errors = db.session.execute(
        sa.select(sa.func.count(_RECIPIENT.c.id), sa.func.count(_RECIPIENT.c.id).filter(_RECIPIENT.c.error != ""))
        .where(_RECIPIENT.c.message_id == message.id)
    ).one()
    emails = db.session.scalar(
        sa.select(sa.func.count(OutboxEntry.id)).where(OutboxEntry.message_id == message.id)
    ) or 0
    result = db.session.execute(
        sa.update(_MESSAGE)
        .where(_MESSAGE.c.id == message.id, _MESSAGE.c.started_by == worker,
               _MESSAGE.c.status == MessageStatus.STARTING.value)
        .values(
            status=MessageStatus.SENDING.value if emails else MessageStatus.SENT.value,
            finished_at=None if emails else now,
            recipient_count=recipients,
            start_lease_until=None,
        )
    )
    if affected_rows(result) != 1:
        db.session.rollback()
        return None
    db.session.commit()
    log.info("message %d started: %d recipients, %d not personalised, %d e-mails queued",
             message.id, recipients, errors, emails)
    return Started(message.id, recipients, errors, emails)
