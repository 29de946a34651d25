"""Demo data of messaging: the ready templates, and three messages already sent to the demo employees."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from portal.accounts.models import User
from portal.messaging import services
from portal.messaging.audience import Criteria
from portal.messaging.models import Message, MessageRecipient, MessageStatus, OutboxEntry, OutboxStatus
from portal.messaging.ready import DEVICE_ANNIVERSARY, FOOTPRINT, WELCOME, ReadyTemplate, seed_ready_templates
from portal.messaging.sending import start_message
from portal.models import db, utcnow

#: (template, audience, days ago); the most recent one stays unread for the demo agent.
DEMO_MESSAGES: tuple[tuple[ReadyTemplate, Criteria, int], ...] = (
    (WELCOME, Criteria(), 30),
    (FOOTPRINT, Criteria(), 9),
    (DEVICE_ANNIVERSARY, Criteria(oldest_device_min_years=3), 2),
)


def load_demo() -> dict[str, int]:
    """Seed the template library and send three demo messages (idempotent: once there is a message, nothing)."""
    summary = {"message templates": seed_ready_templates()}
    if db.session.scalar(sa.select(sa.func.count(Message.id))):
        summary["messages"] = 0
        return summary
    author = db.session.scalar(sa.select(User).where(User.email == "comms@demo.example"))
    if author is None:
        summary["messages"] = 0
        return summary
    now = utcnow()
    for ready, criteria, days_ago in DEMO_MESSAGES:
        sent_at = now - timedelta(days=days_ago)
        message = services.create_message(services.message_input(ready), author=author)
        services.save_audience(message, criteria)
        message.created_at = sent_at
        services.send_now(message, now=sent_at)
        start_message(message.id, now=sent_at)
        # The demo's e-mails went out long ago: record them as sent rather than mailing 300 addresses.
        db.session.execute(
            sa.update(OutboxEntry)
            .where(OutboxEntry.message_id == message.id)
            .values(status=OutboxStatus.SENT.value, attempts=1, sent_at=sent_at + timedelta(minutes=2))
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            sa.update(Message)
            .where(Message.id == message.id)
            .values(status=MessageStatus.SENT.value, finished_at=sent_at + timedelta(minutes=2))
            .execution_options(synchronize_session=False)
        )
        if days_ago > 5:  # the older ones have been read by most employees
            db.session.execute(
                sa.update(MessageRecipient)
                .where(MessageRecipient.message_id == message.id, MessageRecipient.user_id % 5 != 0)
                .values(read_at=sent_at + timedelta(hours=3))
                .execution_options(synchronize_session=False)
            )
    db.session.flush()
    summary["messages"] = len(DEMO_MESSAGES)
    return summary
