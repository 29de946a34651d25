"""Personalised messages: the message, its frozen recipients (the portal inbox), the e-mail outbox, the
template library and the employees' e-mail preferences."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.messaging import markup
from portal.models import Model, RandomHex, TimestampMixin, UTCDateTime, utcnow


class Category(StrEnum):
    """What a message is about; every category but `practical` is non-essential (employees may opt out)."""

    NEWS = "news"
    FOOTPRINT = "footprint"
    CAMPAIGN = "campaign"
    PRACTICAL = "practical"


#: Categories sent by e-mail whatever the employee's preferences (portal messages are always delivered).
ESSENTIAL_CATEGORIES = frozenset({Category.PRACTICAL.value})
NON_ESSENTIAL_CATEGORIES = tuple(c.value for c in Category if c.value not in ESSENTIAL_CATEGORIES)


class MessageStatus(StrEnum):
    """draft → scheduled → starting (audience being frozen) → sending → sent; sending ⇄ paused;
    scheduled → draft (cancelled schedule); sending or paused → cancelled (e-mails not yet sent dropped);
    starting → failed (could not be started: the reason is kept) → scheduled again once corrected, or cancelled.
    """

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    STARTING = "starting"
    SENDING = "sending"
    PAUSED = "paused"
    SENT = "sent"
    CANCELLED = "cancelled"
    FAILED = "failed"


#: The content of a message or a template can still change.
EDITABLE_STATUSES = (MessageStatus.DRAFT.value, MessageStatus.SCHEDULED.value, MessageStatus.FAILED.value)


class OutboxStatus(StrEnum):
    """queued (possibly waiting for a retry) → sent | failed; cancelled when the message is cancelled."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Channel(StrEnum):
    """How a recipient gets the message; the portal inbox row is written at once, e-mail goes through the outbox."""

    PORTAL = "portal"
    EMAIL = "email"


class MessageContent:
    """Subject and body in French (required) and English (optional), shared by messages and templates."""

    subject_fr: Mapped[str] = mapped_column(sa.String(1000))
    body_fr: Mapped[str] = mapped_column(sa.Text)
    subject_en: Mapped[str] = mapped_column(sa.String(1000), default="")
    body_en: Mapped[str] = mapped_column(sa.Text, default="")
    category: Mapped[str] = mapped_column(sa.String(20), default=Category.NEWS.value)
    #: Where "En savoir plus" leads: a page of the portal (a path) or an https address; "" opens the message.
    cta_url: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")

    @property
    def has_english(self) -> bool:
        return bool(self.subject_en.strip() and self.body_en.strip())

    def content_locale(self, locale: str) -> str:
        """The version a recipient reads: their language if it exists, French otherwise."""
        return "en" if locale == "en" and self.has_english else "fr"

    def subject(self, locale: str) -> str:
        return self.subject_en if self.content_locale(locale) == "en" else self.subject_fr

    def body(self, locale: str) -> str:
        return self.body_en if self.content_locale(locale) == "en" else self.body_fr


class MessageTemplate(MessageContent, TimestampMixin, Model):
    """A reusable message; the ready ones (welcome, footprint, campaign launch…) have a `key`."""

    __tablename__ = "message_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Message(MessageContent, TimestampMixin, Model):
    """A message to employees: content, audience criteria, channels, schedule and delivery state."""

    __tablename__ = "message"

    id: Mapped[int] = mapped_column(primary_key=True)
    via_portal: Mapped[bool] = mapped_column(default=True)
    via_email: Mapped[bool] = mapped_column(default=True)
    #: Audience criteria (see portal.messaging.audience.Criteria), combined with AND.
    audience: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: The campaign whose figures the campaign placeholders show (no foreign key: campaigns are another domain's
    #: optional tables, created by a revision this one does not depend on).
    campaign_id: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(20), default=MessageStatus.DRAFT.value, index=True)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # audience frozen
    #: The jobs worker freezing the audience, and until when; a dead worker's start is resumed after it.
    started_by: Mapped[str | None] = mapped_column(sa.String(80))
    start_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: How many times a worker took the start since it was last scheduled: a start whose worker keeps dying is
    #: given up after a few (see portal.messaging.sending) instead of being taken again forever.
    start_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recipient_count: Mapped[int | None] = mapped_column()
    #: Why sending paused: {"kind": "failures", "failed": n, "attempted": n, "reason": "550 …"}; or why the
    #: message could not be started (status failed): {"kind": "template", "reason": "…", "problems": {field:
    #: [[line, code, detail], …]}} or {"kind": "error" | "interrupted", "reason": "…"}. None otherwise.
    pause_details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    #: The trigger that sent this message automatically (one message per trigger run), None for a written one.
    trigger_key: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    #: A message scheduled on its campaign's dates: "start", "middle" or "end" (the day after the last), a number
    #: of days from there and a Paris time ("09:00"); re-timed when the campaign's dates move. None otherwise.
    campaign_anchor: Mapped[str | None] = mapped_column(sa.String(10))
    campaign_offset_days: Mapped[int | None] = mapped_column()
    campaign_time: Mapped[str | None] = mapped_column(sa.String(5))

    created_by: Mapped[User | None] = relationship()

    @property
    def channels(self) -> str:
        """"both", "portal" or "email" (the form's choice)."""
        if self.via_portal and self.via_email:
            return "both"
        return Channel.PORTAL.value if self.via_portal else Channel.EMAIL.value

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class MessageRecipient(Model):
    """A recipient frozen when sending started, with the message rendered for them: their inbox entry."""

    __tablename__ = "message_recipient"
    __table_args__ = (
        sa.UniqueConstraint("message_id", "user_id"),
        sa.Index("ix_message_recipient_inbox", "user_id", "in_inbox", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("message.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(sa.String(5))  # the version rendered (fr, or en when it exists)
    subject: Mapped[str] = mapped_column(sa.String(2000), default="")
    #: The personalised markup (the message's template rendered with this recipient's values); the HTML and
    #: text versions are derived from it by the safe renderer's markup stage when shown or sent.
    body: Mapped[str] = mapped_column(sa.Text, default="")
    in_inbox: Mapped[bool] = mapped_column(default=True)
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Why the message could not be personalised for this recipient (then nothing is delivered to them).
    error: Mapped[str] = mapped_column(sa.String(500), default="")

    message: Mapped[Message] = relationship()
    user: Mapped[User] = relationship()

    @property
    def body_html(self) -> Markup:
        return markup.to_html(self.body)

    @property
    def body_text(self) -> str:
        return markup.to_text(self.body)


class OutboxEntry(Model):
    """One e-mail to send: unique per (message, recipient, channel), so nothing is ever queued twice."""

    __tablename__ = "message_outbox"
    __table_args__ = (
        sa.UniqueConstraint("message_id", "user_id", "channel"),
        sa.Index("ix_message_outbox_due", "message_id", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("message.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("message_recipient.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(sa.String(10), default=Channel.EMAIL.value)
    status: Mapped[str] = mapped_column(sa.String(10), default=OutboxStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: A worker's claim: until then no other worker takes the row (a dead worker's rows come back after it).
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(sa.String(80))
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Random, fixed when the row is written: part of the e-mail's Message-ID, which row ids alone would make
    #: the same for two portals (or databases) sending through one relay; the same on every retry.
    email_uid: Mapped[str] = mapped_column(sa.String(32), server_default=RandomHex())

    recipient: Mapped[MessageRecipient] = relationship()
    user: Mapped[User] = relationship()


class EmailOptOut(Model):
    """An employee does not want e-mails of this (non-essential) category; the portal inbox still gets them."""

    __tablename__ = "message_email_opt_out"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TriggerKind(StrEnum):
    """The events that send an automatic message."""

    DEVICE_AGE = "device_age"  # a device reaches N years (by default half its expected lifetime)
    ORDER_DELIVERED = "order_delivered"  # a delivered order replaces a device: return the old one
    RETURN_CONFIRMED = "return_confirmed"  # a return is confirmed at a collection point: thank you
    CAMPAIGN_STARTED = "campaign_started"  # to its participants
    CAMPAIGN_ENDED = "campaign_ended"  # to its participants, with the results
    STORAGE_PROGRESS = "storage_progress"  # a storage import shows a participant's progress


class MessageTrigger(TimestampMixin, Model):
    """An automatic message: the event it answers, the template it sends, who may get it, on or off."""

    __tablename__ = "message_trigger"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40), unique=True)  # a TriggerKind
    enabled: Mapped[bool] = mapped_column(default=False)
    template_id: Mapped[int | None] = mapped_column(sa.ForeignKey("message_template.id", ondelete="SET NULL"))
    #: Audience criteria (portal.messaging.audience.Criteria) an employee must meet to get it.
    audience: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: For DEVICE_AGE: the age in years; None: half the device's expected lifetime.
    years: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 1))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    template: Mapped[MessageTemplate | None] = relationship()


class AutomaticStatus(StrEnum):
    """queued (waiting for its turn: one automatic message per employee per week) → sent; expired when it
    waited too long to still make sense."""

    QUEUED = "queued"
    SENT = "sent"
    EXPIRED = "expired"


class AutomaticEvent(Model):
    """One event of a trigger for one employee: recorded once, whatever runs see it (the unique constraint),
    sent at most once (its status only moves forward)."""

    __tablename__ = "message_automatic_event"
    __table_args__ = (
        sa.UniqueConstraint("trigger_key", "user_id", "event_key"),
        sa.Index("ix_message_automatic_event_status", "status", "trigger_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trigger_key: Mapped[str] = mapped_column(sa.String(40))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    event_key: Mapped[str] = mapped_column(sa.String(80))  # e.g. "asset:12:2.5", "order:4", "campaign:3:end"
    event_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when it happened
    campaign_id: Mapped[int | None] = mapped_column()  # the campaign whose figures the message shows
    #: What the event adds to the recipient's values (device_name, device_age_years): plain JSON values.
    values: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(10), default=AutomaticStatus.QUEUED.value)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("message.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship()


class AutomaticQuota(Model):
    """When an employee last got an automatic message: at most one per PORTAL_MESSAGING_AUTOMATIC_MIN_DAYS."""

    __tablename__ = "message_automatic_quota"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    last_sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
