"""Send the e-mails of the outbox: claim a batch, send it over one connection, record each result.

Crash safety, step by step:

1. *Claim*: a worker takes up to BATCH_SIZE due rows of one message by writing its name and a lease
   deadline on them, and commits. On PostgreSQL the rows are chosen with ``FOR UPDATE SKIP LOCKED``, so
   several workers share the outbox without waiting for each other; on SQLite one worker runs (the claim
   is a single UPDATE, serialised by the database). Rows whose lease has expired (their worker died) can
   be claimed again.
2. *Send*: each e-mail goes through :mod:`portal.mail` with a Message-ID made of the row's ids and its
   random ``email_uid`` (unique across portals and databases, the same on every attempt); the row is marked
   sent, and committed, only after the server accepted it, and nothing else happens between the server's
   "250" and that commit but the UPDATE. A worker killed in that window sends that one e-mail again after
   the lease (same Message-ID): that is the only duplicate possible (at least once, never lost).
3. *Failures*: a 4xx reply (or a lost connection) puts the row back with an exponential backoff, up to
   MAX_ATTEMPTS; a 5xx reply fails it at once with the server's reason. When more than PAUSE_FAILURE_SHARE
   of a batch fails, the message pauses, with the reason, until the communications team resumes it.

The service commits: the outbox is the record of what was sent, and each step above must be durable before
the next one starts.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from markupsafe import Markup
from werkzeug.routing import MapAdapter

from portal import mail
from portal.accounts.models import User
from portal.database import affected_rows
from portal.messaging import markup, services
from portal.messaging.models import (
    ESSENTIAL_CATEGORIES,
    Message,
    MessageRecipient,
    MessageStatus,
    OutboxEntry,
    OutboxStatus,
)
from portal.messaging.sending import due_message_ids, start_message, worker_name
from portal.messaging.settings import setting
from portal.models import db, utcnow

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
_OUTBOX = OutboxEntry.__table__  # per-e-mail updates go through Core: no ORM bulk-update machinery


# ------------------------------------------------------------------------------------------ e-mails


def portal_urls() -> MapAdapter:
    """Builds absolute portal URLs from PORTAL_BASE_URL (url_for needs a request; jobs have none)."""
    base = urlsplit(current_app.config["PORTAL_BASE_URL"])
    return current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "https"
    )


@dataclass(frozen=True)
class EmailContent:
    """What an e-mail of a message carries for one recipient."""

    to: str
    locale: str
    subject: str
    body_html: str
    body_text: str
    message_id: int
    category: str
    cta_url: str = ""


def build_email(content: EmailContent, *, urls: MapAdapter, message_id_key: str) -> mail.Email:
    """The e-mail: the personalised message in the recipient's language, its "learn more" link (the message's
    call to action, else the message in the portal), a link to read it in the portal when the call to action
    leads elsewhere and, for non-essential categories, a link to the e-mail preferences (also as
    List-Unsubscribe)."""
    message_url = urls.build("messaging.message", {"message_id": content.message_id}, force_external=True)
    preferences_url = None
    headers = {"Auto-Submitted": "auto-generated"}
    if content.category not in ESSENTIAL_CATEGORIES:
        preferences_url = urls.build("messaging.preferences", force_external=True)
        headers["List-Unsubscribe"] = f"<{preferences_url}>"
    env = current_app.jinja_env
    values = {
        "locale": content.locale,
        "subject": content.subject,
        "body_html": Markup(content.body_html),  # noqa: S704 - produced by the safe renderer at freeze time  # nosec B704
        "body_text": content.body_text,
        "message_url": message_url,
        "learn_more_url": services.absolute_link(content.cta_url) if content.cta_url else message_url,
        "preferences_url": preferences_url,
    }
    with force_locale(content.locale):
        html = env.get_template("messaging/email/message.html").render(values)
        text = env.get_template("messaging/email/message.txt").render(values)
    return mail.Email(
        to=content.to,
        subject=content.subject,
        text=text,
        html=html,
        message_id=mail.make_message_id(message_id_key),
        headers=headers,
    )


def send_test(message: Message, user: User, *, today: date, now: datetime, subject_prefix: str) -> None:
    """Send the message, personalised for `user`, to their own address now, over its own connection.

    The one e-mail sent outside the jobs process: its author waits for it and wants the server's answer.
    Nothing is queued. Raises MessageError (content rejected, or not personalised for `user`), or
    mail.DeliveryError when the server refuses it.
    """
    shown = services.previews(message, [user], today=today, now=now, viewer=user)
    if not shown:
        raise services.MessageError("test_content_rejected")
    preview = shown[0]
    if preview.rendered is None:
        raise services.MessageError("not_personalised", reason=preview.error)
    content = EmailContent(
        to=user.email,
        locale=preview.locale,
        subject=f"{subject_prefix} {preview.subject}",
        body_html=str(preview.rendered.html),
        body_text=preview.rendered.text,
        message_id=message.id,
        category=message.category,
        cta_url=message.cta_url,
    )
    mail.send(build_email(content, urls=portal_urls(), message_id_key=f"test.{uuid.uuid4().hex}"))


# ------------------------------------------------------------------------------------------- claims


def _next_message_id(now: datetime) -> int | None:
    """The sending message with due e-mails that started first."""
    due = sa.exists().where(
        OutboxEntry.message_id == Message.id,
        OutboxEntry.status == OutboxStatus.QUEUED.value,
        OutboxEntry.next_attempt_at <= now,
        sa.or_(OutboxEntry.lease_until.is_(None), OutboxEntry.lease_until < now),
    )
    return db.session.scalar(
        sa.select(Message.id)
        .where(Message.status == MessageStatus.SENDING.value, due)
        .order_by(Message.started_at, Message.id)
        .limit(1)
    )


def claim(message_id: int, *, now: datetime, worker: str, size: int, lease_seconds: int) -> list[int]:
    """Claim up to `size` due rows of the message for this worker until the lease ends; commits."""
    due = (
        sa.select(OutboxEntry.id)
        .where(
            OutboxEntry.message_id == message_id,
            OutboxEntry.status == OutboxStatus.QUEUED.value,
            OutboxEntry.next_attempt_at <= now,
            sa.or_(OutboxEntry.lease_until.is_(None), OutboxEntry.lease_until < now),
        )
        .order_by(OutboxEntry.id)
        .limit(size)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = db.session.scalars(
        sa.update(OutboxEntry)
        .where(OutboxEntry.id.in_(due.scalar_subquery()))
        .values(lease_until=now + timedelta(seconds=lease_seconds), claimed_by=worker)
        .returning(OutboxEntry.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted(ids)


def _message_id_key(message_id: int, entry_id: int, email_uid: str) -> str:
    """The Message-ID's left part for an outbox row: readable ids, and the row's random uid that makes it unique
    beyond this database (two portals sending through one relay have the same ids)."""
    return f"m{message_id}.e{entry_id}.{email_uid}"


def _contents(ids: Sequence[int], worker: str) -> list[tuple[int, str, EmailContent]]:
    """What to send for the claimed rows (row id, Message-ID key, content); rows of accounts deactivated since
    the start are dropped."""
    inactive = db.session.execute(
        sa.update(_OUTBOX)
        .where(
            _OUTBOX.c.id.in_(ids),
            _OUTBOX.c.claimed_by == worker,
            _OUTBOX.c.user_id.in_(sa.select(User.id).where(User.active.is_(False))),
        )
        .values(status=OutboxStatus.CANCELLED.value, last_error="account deactivated", lease_until=None)
    )
    db.session.commit()  # even with no row changed: the UPDATE took SQLite's write lock
    dropped = affected_rows(inactive)
    if dropped:
        log.info("%d e-mails dropped: accounts deactivated", dropped)
    rows = db.session.execute(
        sa.select(
            OutboxEntry.id,
            OutboxEntry.email_uid,
            User.email,
            MessageRecipient.locale,
            MessageRecipient.subject,
            MessageRecipient.body,
            Message.id,
            Message.category,
            Message.cta_url,
        )
        .join(MessageRecipient, OutboxEntry.recipient_id == MessageRecipient.id)
        .join(User, OutboxEntry.user_id == User.id)
        .join(Message, OutboxEntry.message_id == Message.id)
        .where(OutboxEntry.id.in_(ids), OutboxEntry.status == OutboxStatus.QUEUED.value)
        .order_by(OutboxEntry.id)
    )
    contents = []
    for entry_id, email_uid, to, locale, subject, body, message_id, category, cta_url in rows:
        html, text = markup.render(body)  # the safe renderer's markup stage, once for both parts
        key = _message_id_key(message_id, entry_id, email_uid)
        content = EmailContent(to, locale, subject, str(html), text, message_id, category, cta_url)
        contents.append((entry_id, key, content))
    return contents


# ------------------------------------------------------------------------------------------ results


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: base × 2^(attempts − 1)."""
    return timedelta(seconds=setting("PORTAL_MESSAGING_RETRY_BASE_SECONDS") * 2 ** max(0, attempts - 1))


def _fast_commit(results: sa.Connection) -> None:
    """PostgreSQL: this transaction's commit does not wait for the WAL flush (it costs more than the e-mail).

    Called when an e-mail's transaction begins, before it is sent: after the server's "250" only the UPDATE
    and the COMMIT remain (the transaction holds no lock and no snapshot while the e-mail is sent).

    A killed worker loses nothing (the database server has the commit); only a crash of the database server
    itself could forget the last fraction of a second of "sent" marks, and those e-mails would go again with
    the same Message-ID. SQLite already runs with synchronous=NORMAL in WAL mode: the same trade-off.
    """
    if results.dialect.name == "postgresql":
        results.execute(sa.text("SET LOCAL synchronous_commit = off"))


def _mine(entry_id: int, worker: str) -> sa.Update:
    return sa.update(_OUTBOX).where(_OUTBOX.c.id == entry_id, _OUTBOX.c.claimed_by == worker)


def _record_sent(results: sa.Connection, entry_id: int, worker: str, now: datetime) -> None:
    results.execute(
        _mine(entry_id, worker).values(
            status=OutboxStatus.SENT.value,
            sent_at=now,
            attempts=_OUTBOX.c.attempts + 1,
            last_error="",
            lease_until=None,
        )
    )


def _record_failure(
    results: sa.Connection, entry_id: int, worker: str, now: datetime, error: mail.DeliveryError
) -> bool:
    """A permanent failure, or a temporary one to retry later (failed after the last attempt); True if failed."""
    attempts = results.scalar(sa.select(_OUTBOX.c.attempts).where(_OUTBOX.c.id == entry_id)) or 0
    attempts += 1
    reason = str(error)[:500]
    if error.permanent or attempts >= setting("PORTAL_MESSAGING_MAX_ATTEMPTS"):
        results.execute(
            _mine(entry_id, worker).values(
                status=OutboxStatus.FAILED.value, attempts=attempts, last_error=reason, lease_until=None
            )
        )
        return True
    results.execute(
        _mine(entry_id, worker).values(
            attempts=attempts, last_error=reason, next_attempt_at=now + backoff(attempts), lease_until=None
        )
    )
    return False


def _release(results: sa.Connection, ids: Sequence[int], worker: str) -> None:
    """Give back claimed rows not attempted (no attempt counted): any worker may take them at once."""
    if ids:
        results.execute(
            sa.update(_OUTBOX)
            .where(_OUTBOX.c.id.in_(ids), _OUTBOX.c.claimed_by == worker, _OUTBOX.c.status == "queued")
            .values(lease_until=None)
        )
        results.commit()


@dataclass
class BatchReport:
    """What one batch did."""

    message_id: int
    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    released: int = 0
    paused: bool = False
    finished: bool = False
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def attempted(self) -> int:
        return self.sent + self.deferred + self.failed


def _still_sending(message_id: int) -> bool:
    db.session.commit()
    return db.session.scalar(sa.select(Message.status).where(Message.id == message_id)) == MessageStatus.SENDING.value


def dispatch_batch(*, worker: str, clock: Clock = utcnow, stop_at: float | None = None) -> BatchReport | None:
    """Claim one batch of due e-mails and send it over one connection; None when nothing is due.

    `stop_at` (a time.monotonic() value) is the caller's time budget: no e-mail is begun after it, the rest of
    the batch is given back at once. A slow or stalling server thus delays the run by one e-mail at most.
    """
    now = clock()
    message_id = _next_message_id(now)
    if message_id is None:
        db.session.commit()
        return None
    lease_seconds = setting("PORTAL_MESSAGING_LEASE_SECONDS")
    ids = claim(message_id, now=now, worker=worker, size=setting("PORTAL_MESSAGING_BATCH_SIZE"),
                lease_seconds=lease_seconds)
    report = BatchReport(message_id, claimed=len(ids))
    if not ids:
        return report
    # Stop sending well before the lease ends: after it, another worker may take the rows.
    margin = min(lease_seconds / 2, float(current_app.config.get("MAIL_TIMEOUT", 30)))
    deadline = time.monotonic() + lease_seconds - margin
    if stop_at is not None:
        deadline = min(deadline, stop_at)
    urls = portal_urls()
    contents = _contents(ids, worker)
    lost_in_a_row = 0
    checked = time.monotonic()
    # Results go through one connection held for the batch: a commit per e-mail, without a pool checkout each.
    with db.engine.connect() as results, mail.connection() as transport:
        for position, (entry_id, message_id_key, content) in enumerate(contents):
            remaining = [entry for entry, _, _ in contents[position:]]
            if time.monotonic() > deadline:
                _release(results, remaining, worker)
                report.released += len(remaining)
                break
            if time.monotonic() - checked > 1:  # paused or cancelled by the team meanwhile?
                checked = time.monotonic()
                if not _still_sending(message_id):
                    _release(results, remaining, worker)
                    report.released += len(remaining)
                    break
            email = build_email(content, urls=urls, message_id_key=message_id_key)
            _fast_commit(results)  # this e-mail's transaction begins before it is sent, not after the 250
            try:
                transport.send(email)
            except mail.ConnectionLost as error:
                lost_in_a_row += 1
                _count_failure(report, _record_failure(results, entry_id, worker, clock(), error), error)
                if lost_in_a_row >= 2:  # the server is unreachable: the rest of the batch waits too
                    for other in remaining[1:]:
                        _count_failure(report, _record_failure(results, other, worker, clock(), error), error)
                    results.commit()
                    break
            except mail.DeliveryError as error:
                lost_in_a_row = 0
                _count_failure(report, _record_failure(results, entry_id, worker, clock(), error), error)
            else:
                # From the server's 250 to the commit below, a crash re-sends this e-mail after the lease: no
                # database work runs in that window but this UPDATE (the transaction began before the send).
                _record_sent(results, entry_id, worker, clock())
                lost_in_a_row = 0
                report.sent += 1
            results.commit()  # durable before the next e-mail: a crash re-sends at most the one in flight
    db.session.commit()  # end the session's read transaction: it must see the results just written
    _after_batch(report, clock())
    db.session.commit()
    return report


def _count_failure(report: BatchReport, failed: bool, error: mail.DeliveryError) -> None:
    if failed:
        report.failed += 1
    else:
        report.deferred += 1
    report.reasons[str(error)[:200]] += 1


def _after_batch(report: BatchReport, now: datetime) -> None:
    """Pause the message if too much of the batch failed; mark it sent when no e-mail is left to send."""
    failures = report.failed + report.deferred
    share = setting("PORTAL_MESSAGING_PAUSE_FAILURE_SHARE")
    if report.attempted >= setting("PORTAL_MESSAGING_PAUSE_MIN_BATCH") and failures > share * report.attempted:
        reason, _count = report.reasons.most_common(1)[0]
        paused = db.session.execute(
            sa.update(Message)
            .where(Message.id == report.message_id, Message.status == MessageStatus.SENDING.value)
            .values(
                status=MessageStatus.PAUSED.value,
                pause_details={"kind": "failures", "failed": failures, "attempted": report.attempted,
                               "reason": reason},
            )
            .execution_options(synchronize_session=False)
        )
        report.paused = affected_rows(paused) == 1
        if report.paused:
            log.warning("message %d paused: %d of %d e-mails failed (%s)", report.message_id, failures,
                        report.attempted, reason)
        return
    report.finished = finish_if_done(report.message_id, now=now)


def finish_if_done(message_id: int, *, now: datetime) -> bool:
    """A sending message with no queued e-mail left is sent; True if it just became so."""
    left = db.session.scalar(
        sa.select(sa.func.count(OutboxEntry.id)).where(
            OutboxEntry.message_id == message_id, OutboxEntry.status == OutboxStatus.QUEUED.value
        )
    )
    if left:
        return False
    result = db.session.execute(
        sa.update(Message)
        .where(Message.id == message_id, Message.status == MessageStatus.SENDING.value)
        .values(status=MessageStatus.SENT.value, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(result) == 1


# ----------------------------------------------------------------------------------------- the run


@dataclass
class RunReport:
    """What one run of the dispatch job did."""

    started: list[int] = field(default_factory=list)
    batches: list[BatchReport] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return sum(b.sent for b in self.batches)

    @property
    def failed(self) -> int:
        return sum(b.failed for b in self.batches)

    @property
    def deferred(self) -> int:
        return sum(b.deferred for b in self.batches)

    @property
    def paused(self) -> bool:
        return any(b.paused for b in self.batches)

    def summary(self) -> dict[str, Any]:
        return {"started": len(self.started), "sent": self.sent, "deferred": self.deferred, "failed": self.failed}


def run(*, budget_seconds: float | None = None, worker: str | None = None, clock: Clock = utcnow) -> RunReport:
    """Start the messages that are due, then send due e-mails batch after batch until none is left or the
    time budget is spent. Each message start and each e-mail result is committed as it happens."""
    worker = worker or worker_name()
    report = RunReport()
    started_at = time.monotonic()
    for message_id in due_message_ids(now=clock()):
        try:
            if start_message(message_id, now=clock(), worker=worker) is not None:
                report.started.append(message_id)
        except Exception:
            db.session.rollback()  # resumed by the next run once the start's lease has run out
            log.exception("message %d could not be started", message_id)
    stop_at = None if budget_seconds is None else started_at + budget_seconds
    while stop_at is None or time.monotonic() < stop_at:
        batch = dispatch_batch(worker=worker, clock=clock, stop_at=stop_at)
        if batch is None:
            break
        report.batches.append(batch)
        if batch.claimed == 0:
            break
    return report
