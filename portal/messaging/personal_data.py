"""The messages a person received, their e-mails and preferences; how long message contents and e-mail
delivery details are kept."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa

from portal.accounts.models import User
from portal.database import affected_rows
from portal.messaging.models import EmailOptOut, MessageRecipient, OutboxEntry, OutboxStatus
from portal.models import db
from portal.personal_data import Tables


def messages(user: User) -> Tables:
    """The messages received (as personalised for the person), the e-mails sent and the e-mail preferences."""
    received = db.session.scalars(
        sa.select(MessageRecipient).where(MessageRecipient.user_id == user.id).order_by(MessageRecipient.id))
    emails = db.session.scalars(sa.select(OutboxEntry).where(OutboxEntry.user_id == user.id).order_by(OutboxEntry.id))
    opt_outs = db.session.scalars(sa.select(EmailOptOut).where(EmailOptOut.user_id == user.id))
    return {
        "messages_received": [{"message": r.message_id, "subject": r.subject, "body": r.body_text,
                               "language": r.locale, "delivered_at": r.delivered_at, "read_at": r.read_at,
                               "in_inbox": r.in_inbox} for r in received],
        "emails": [{"message": e.message_id, "status": e.status, "attempts": e.attempts, "sent_at": e.sent_at,
                    "last_error": e.last_error} for e in emails],
        "email_preferences": [{"category_without_email": o.category, "since": o.created_at} for o in opt_outs],
    }


def empty_old_inbox(now: datetime, cutoff: datetime) -> int:
    """Messages delivered before the cut-off, and every message of a pseudonymised account, lose their
    personalised subject and body and leave the inbox; the row stays, so that each message's figures
    (recipients, read, e-mails sent) do not change. A pseudonymised account's e-mail preferences go."""
    pseudonymised = sa.select(User.id).where(User.pseudonymised_at.is_not(None))
    db.session.execute(sa.delete(EmailOptOut).where(EmailOptOut.user_id.in_(pseudonymised)))
    result = db.session.execute(
        sa.update(MessageRecipient)
        .where(sa.or_(MessageRecipient.delivered_at < cutoff, MessageRecipient.user_id.in_(pseudonymised)),
               sa.or_(MessageRecipient.subject != "", MessageRecipient.body != "", MessageRecipient.in_inbox))
        .values(subject="", body="", in_inbox=False)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(result)


def trim_delivered_outbox(now: datetime, cutoff: datetime) -> int:
    """E-mails done with (sent, failed or cancelled) before the cut-off keep only their state: the mail
    server's reply, which may quote the address, is cut to its status code, and the worker's claim is
    cleared. The rows stay as the message's delivery figures."""
    done = (OutboxStatus.SENT.value, OutboxStatus.FAILED.value, OutboxStatus.CANCELLED.value)
    rows = db.session.execute(
        sa.select(OutboxEntry.id, OutboxEntry.last_error).where(
            OutboxEntry.status.in_(done), OutboxEntry.created_at < cutoff,
            sa.or_(sa.func.length(OutboxEntry.last_error) > 3, OutboxEntry.claimed_by.is_not(None)))
    ).all()
    by_reply: dict[str, list[int]] = defaultdict(list)
    for entry_id, error in rows:
        by_reply[error[:3] if error[:3].isdigit() else ("error" if error else "")].append(entry_id)
    for reply, ids in by_reply.items():
        for start in range(0, len(ids), 500):
            db.session.execute(
                sa.update(OutboxEntry).where(OutboxEntry.id.in_(ids[start:start + 500]))
                .values(last_error=reply, claimed_by=None, lease_until=None)
                .execution_options(synchronize_session=False)
            )
    return len(rows)
