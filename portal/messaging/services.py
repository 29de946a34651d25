"""Messages for the communications team: content (validated at save), templates, audience, life cycle,
previews and delivery figures. Services flush; the route, job or command commits.

A message whose template is rejected by the safe renderer can be neither saved nor scheduled nor sent:
the checks are here, not only in the form.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from werkzeug.exceptions import HTTPException

from portal import csvio
from portal.accounts.models import User
from portal.campaigns import services as campaign_services
from portal.campaigns.models import Campaign
from portal.database import affected_rows
from portal.domain_error import DomainError
from portal.messaging import audience, markup
from portal.messaging.audience import Criteria
from portal.messaging.context import Context, ContextBuilder
from portal.messaging.models import (
    EDITABLE_STATUSES,
    ESSENTIAL_CATEGORIES,
    Category,
    Message,
    MessageRecipient,
    MessageStatus,
    MessageTemplate,
    OutboxEntry,
    OutboxStatus,
)
from portal.messaging.placeholders import PLACEHOLDERS, Placeholder, as_seen_by_others
from portal.messaging.ready import READY_BY_KEY, ReadyTemplate
from portal.messaging.rendering import (
    CompiledMessage,
    CompiledSubject,
    Rendered,
    RenderError,
    compile_message,
    compile_subject,
    validate,
    validate_subject,
)
from portal.messaging.settings import setting
from portal.messaging.template_checks import TemplateProblem, TemplateRejected
from portal.models import db
from portal.security import same_site_path
from portal.timezone import PARIS

CHANNELS = ("both", "portal", "email")
SOURCE_FIELDS = ("subject_fr", "body_fr", "subject_en", "body_en")

# ------------------------------------------------------------------------------------------ content


@dataclass(frozen=True)
class MessageInput:
    """What the compose form gives: both language versions, the category and the channels."""

    subject_fr: str
    body_fr: str
    subject_en: str = ""
    body_en: str = ""
    category: str = Category.NEWS.value
    channels: str = "both"
    cta_url: str = ""  # where "En savoir plus" leads: a portal page or an https address ("": the message itself)

    def cleaned(self) -> MessageInput:
        """Windows line ends made plain, surrounding blanks of the subjects and the link dropped."""
        return MessageInput(
            subject_fr=self.subject_fr.strip(),
            body_fr=self.body_fr.replace("\r\n", "\n").strip("\n"),
            subject_en=self.subject_en.strip(),
            body_en=self.body_en.replace("\r\n", "\n").strip("\n"),
            category=self.category,
            channels=self.channels,
            cta_url=self.cta_url.strip(),
        )


class MessageError(DomainError):
    """An action that does not fit the message's state or content; the words are `display.MESSAGE_ERRORS`."""

    domain = "messaging"
    table = "MESSAGE_ERRORS"


class ContentRejected(MessageError):
    """The content cannot be saved: the template problems of each field, and what is missing or invalid, as
    (field, code) pairs whose words are `display.CONTENT_PROBLEMS`."""

    def __init__(self, problems: Mapping[str, list[TemplateProblem]], missing: Iterable[tuple[str, str]] = ()
                 ) -> None:
        super().__init__("content_rejected")
        self.problems = {name: list(found) for name, found in problems.items() if found}
        self.missing = tuple(missing)
        self.args = (f"{self.problems} {self.missing}",)  # what a log shows


def valid_link(link: str) -> bool:
    """A call-to-action link a message may carry: a page of the portal (a path that the portal serves, on this
    site), or an https address with a host and no name or password before it."""
    if len(link) > 500:
        return False
    if link.startswith("/"):
        if same_site_path(link, fallback="") != link:
            return False
        try:
            current_app.url_map.bind("portal").match(urlsplit(link).path, method="GET")
        except HTTPException:  # no such page (or a redirect to another form of it)
            return False
        return True
    return link.lower().startswith("https://") and markup.is_safe_url(link)


def absolute_link(link: str) -> str:
    """The link as an e-mail can carry it: a portal page under PORTAL_BASE_URL, an https address as it is."""
    return current_app.config["PORTAL_BASE_URL"].rstrip("/") + link if link.startswith("/") else link


def field_problems(name: str, source: str) -> list[TemplateProblem]:
    """The template problems of one field of the form (`subject_*` or `body_*`), sorted by line."""
    if not source.strip():
        return []
    return validate_subject(source) if name.startswith("subject") else validate(source)


def check_content(data: MessageInput) -> MessageInput:
    """The cleaned content, or ContentRejected: every template valid, French complete, English all or nothing."""
    data = data.cleaned()
    missing = []
    if not data.subject_fr:
        missing.append(("subject_fr", "subject_fr_required"))
    if not data.body_fr.strip():
        missing.append(("body_fr", "body_fr_required"))
    if bool(data.subject_en) != bool(data.body_en.strip()):
        missing.append(("subject_en", "english_incomplete"))
    if data.category not in {c.value for c in Category}:
        missing.append(("category", "category"))
    if data.channels not in CHANNELS:
        missing.append(("channels", "channels"))
    if data.cta_url and not valid_link(data.cta_url):
        missing.append(("cta_url", "cta_url"))
    problems = {name: field_problems(name, getattr(data, name)) for name in SOURCE_FIELDS}
    if missing or any(problems.values()):
        raise ContentRejected(problems, missing)
    return data


def _apply_content(target: Message | MessageTemplate, data: MessageInput) -> None:
    target.subject_fr, target.body_fr = data.subject_fr, data.body_fr
    target.subject_en, target.body_en = data.subject_en, data.body_en
    target.category = data.category
    target.cta_url = data.cta_url
    if isinstance(target, Message):
        target.via_portal = data.channels in ("both", "portal")
        target.via_email = data.channels in ("both", "email")


def create_message(data: MessageInput, *, author: User) -> Message:
    """A new draft (raises ContentRejected)."""
    data = check_content(data)
    message = Message(created_by_id=author.id, audience={}, status=MessageStatus.DRAFT.value)
    _apply_content(message, data)
    db.session.add(message)
    db.session.flush()
    return message


def _edited(message: Message) -> None:
    """A message that could not be started is a draft again once corrected (its failure is forgotten)."""
    if message.status == MessageStatus.FAILED.value:
        message.status = MessageStatus.DRAFT.value
        message.pause_details = None


def update_message(message: Message, data: MessageInput) -> Message:
    """Change the content of a draft, scheduled or failed message (raises ContentRejected, MessageError)."""
    if not message.editable:
        raise MessageError("not_editable")
    data = check_content(data)
    _apply_content(message, data)
    _edited(message)
    db.session.flush()
    return message


def message_input(source: Message | MessageTemplate | ReadyTemplate) -> MessageInput:
    """The form's values for a message or a template (start from a template)."""
    channels = source.channels if isinstance(source, Message) else "both"
    return MessageInput(
        subject_fr=source.subject_fr,
        body_fr=source.body_fr,
        subject_en=source.subject_en,
        body_en=source.body_en,
        category=source.category,
        channels=channels,
        cta_url=source.cta_url,
    )


def message_from(template: MessageTemplate, *, trigger_key: str | None = None, campaign_id: int | None = None
                 ) -> Message:
    """A new message (not added to the session) with the template's content, for every channel."""
    message = Message(audience={}, status=MessageStatus.DRAFT.value, trigger_key=trigger_key, campaign_id=campaign_id,
                      via_portal=True, via_email=True)
    _apply_content(message, message_input(template))
    return message


def save_audience(message: Message, criteria: Criteria) -> None:
    """Store the audience criteria (the campaign chosen there also feeds the campaign placeholders)."""
    if not message.editable:
        raise MessageError("not_editable")
    message.audience = criteria.to_json()
    message.campaign_id = criteria.campaign_id
    _edited(message)
    db.session.flush()


def criteria_of(message: Message) -> Criteria:
    return Criteria.from_json(message.audience)


# ---------------------------------------------------------------------------------------- templates


def templates_statement() -> sa.Select[MessageTemplate]:
    """The library: ready templates first, then the saved ones by name."""
    return sa.select(MessageTemplate).order_by(MessageTemplate.key.is_(None), MessageTemplate.name, MessageTemplate.id)


def template_title(template: MessageTemplate) -> str:
    """A ready template's translated title, or the name it was saved under."""
    ready = READY_BY_KEY.get(template.key or "")
    return str(ready.title) if ready else template.name


def save_as_template(message: Message, name: str, *, author: User) -> MessageTemplate:
    """Keep a message's content in the library under a name."""
    name = name.strip()[:160]
    if not name:
        raise MessageError("template_name_required")
    template = MessageTemplate(name=name, created_by_id=author.id)
    _apply_content(template, check_content(message_input(message)))
    db.session.add(template)
    db.session.flush()
    return template


def delete_template(template: MessageTemplate) -> None:
    """Remove a saved template (the ready ones stay)."""
    if template.key is not None:
        raise MessageError("ready_template")
    db.session.delete(template)
    db.session.flush()


# -------------------------------------------------------------------------------------- life cycle


def compiled_versions(message: Message) -> dict[str, tuple[CompiledSubject, CompiledMessage]]:
    """Each language version compiled: the only way to render; raises TemplateRejected."""
    versions = {"fr": (compile_subject(message.subject_fr), compile_message(message.body_fr))}
    if message.has_english:
        versions["en"] = (compile_subject(message.subject_en), compile_message(message.body_en))
    return versions


def _check_sendable(message: Message) -> None:
    if not (message.via_portal or message.via_email):
        raise MessageError("no_channel")
    check_content(message_input(message))
    compiled_versions(message)


def _schedule_start(message: Message, at: datetime) -> None:
    """Scheduled for `at`: a draft, or a message that could not be started (its failure is then forgotten);
    at a fixed time (scheduling on the campaign's dates sets them again after)."""
    message.status = MessageStatus.SCHEDULED.value
    message.scheduled_at = at
    message.campaign_anchor = message.campaign_offset_days = message.campaign_time = None
    message.pause_details = None
    message.start_attempts = 0
    db.session.flush()


# The confirmation step: nothing is sent or scheduled without the person having seen, just before, how many
# people it goes to (and, for a large audience, having typed that number). The services demand it, so no page,
# command or later change can send without it.


@dataclass(frozen=True)
class Confirmation:
    """What the person saw and did on the confirmation step: the audience size shown, and the number typed
    when the audience is large."""

    recipients: int
    typed: str = ""


@dataclass(frozen=True)
class SendSummary:
    """What the confirmation step shows before a message is sent (`at` None) or scheduled."""

    at: datetime | None
    recipients: int
    english: int
    emails: int
    sample: list[str]
    must_type: bool

    @property
    def french(self) -> int:
        return self.recipients - self.english

    def confirmation(self) -> Confirmation:
        """The confirmation of someone who read this summary and typed its number."""
        return Confirmation(self.recipients, str(self.recipients))


def _check_startable(message: Message, at: datetime | None, now: datetime) -> None:
    if message.status not in EDITABLE_STATUSES:
        raise MessageError("already_sent")
    if at is not None and at <= now:
        raise MessageError("schedule_in_past")
    _check_sendable(message)


def send_summary(message: Message, *, at: datetime | None, now: datetime) -> SendSummary:
    """Who would get the message, in which language, with how many e-mails, and a few of them by name; raises
    MessageError (or ContentRejected) if it can be neither sent nor scheduled."""
    _check_startable(message, at, now)
    criteria, today = criteria_of(message), now.astimezone(PARIS).date()
    found = audience.figures(criteria, today=today, category=message.category)
    if not message.via_email:
        emails = 0
    elif message.category in ESSENTIAL_CATEGORIES:
        emails = found.recipients
    else:
        emails = found.accepting_emails
    return SendSummary(
        at=at,
        recipients=found.recipients,
        english=found.english if message.has_english else 0,
        emails=emails,
        sample=sorted(user.full_name for user in audience.sample(criteria, today=today)),
        must_type=found.recipients > setting("PORTAL_MESSAGING_CONFIRM_TYPING_ABOVE"),
    )


def _check_confirmed(message: Message, confirmation: Confirmation, now: datetime) -> None:
    """The audience is still the size the person confirmed, and its number was typed when it had to be."""
    recipients = audience.count(criteria_of(message), today=now.astimezone(PARIS).date())
    if confirmation.recipients != recipients:
        raise MessageError("audience_changed")
    typed = "".join(char for char in confirmation.typed if char.isdigit())
    if recipients > setting("PORTAL_MESSAGING_CONFIRM_TYPING_ABOVE") and typed != str(recipients):
        raise MessageError("count_not_typed")


def send_now(message: Message, *, now: datetime, confirmation: Confirmation) -> bool:
    """Queue the confirmed message for the jobs process now; False if it already is (double click)."""
    if message.status in (MessageStatus.SCHEDULED.value,) and message.scheduled_at and message.scheduled_at <= now:
        return False
    _check_startable(message, None, now)
    _check_confirmed(message, confirmation, now)
    _schedule_start(message, now)
    return True


def schedule(message: Message, at: datetime, *, now: datetime, confirmation: Confirmation) -> None:
    """Start sending the confirmed message at `at` (a UTC instant in the future)."""
    _check_startable(message, at, now)
    _check_confirmed(message, confirmation, now)
    _schedule_start(message, at)


# ------------------------------------------------------------------------- on the campaign's dates

CAMPAIGN_ANCHORS = ("start", "middle", "end")


@dataclass(frozen=True)
class CampaignTiming:
    """When a message about a campaign goes: at its start, its middle or after its end (the day after its last
    day), a number of days from there (negative: before), at a Paris time."""

    anchor: str
    offset_days: int
    at_time: time

    def moment(self, campaign: Campaign) -> datetime:
        """The UTC instant for the campaign's current dates."""
        first, last = campaign_services.first_day(campaign), campaign_services.last_day(campaign)
        base = {"start": first, "middle": first + (last - first) / 2, "end": last + timedelta(days=1)}[self.anchor]
        day = base + timedelta(days=self.offset_days)
        return datetime.combine(day, self.at_time, tzinfo=PARIS).astimezone(UTC)


def _campaign_of(message: Message) -> Campaign:
    campaign = db.session.get(Campaign, message.campaign_id) if message.campaign_id is not None else None
    if campaign is None:
        raise MessageError("no_campaign")
    return campaign


def campaign_moment(message: Message, timing: CampaignTiming) -> datetime:
    """When the message would go with this timing, on its campaign's dates (MessageError without a campaign)."""
    return timing.moment(_campaign_of(message))


def schedule_on_campaign(message: Message, timing: CampaignTiming, *, now: datetime,
                         confirmation: Confirmation) -> datetime:
    """Schedule the confirmed message on its campaign's dates: re-timed whenever they move."""
    at = campaign_moment(message, timing)
    schedule(message, at, now=now, confirmation=confirmation)
    message.campaign_anchor, message.campaign_offset_days = timing.anchor, timing.offset_days
    message.campaign_time = timing.at_time.strftime("%H:%M")
    db.session.flush()
    return at


def timing_of(message: Message) -> CampaignTiming | None:
    """How a message is timed on its campaign, None if it has a fixed time."""
    if message.campaign_anchor not in CAMPAIGN_ANCHORS or message.campaign_time is None:
        return None
    hour, minute = (int(part) for part in message.campaign_time.split(":"))
    return CampaignTiming(message.campaign_anchor, message.campaign_offset_days or 0, time(hour, minute))


def retime_campaign_messages(campaign: Campaign) -> int:
    """The scheduled messages timed on this campaign follow its new dates; returns how many moved."""
    moved = 0
    scheduled = db.session.scalars(sa.select(Message).where(
        Message.campaign_id == campaign.id, Message.status == MessageStatus.SCHEDULED.value,
        Message.campaign_anchor.is_not(None)))
    for message in scheduled:
        timing = timing_of(message)
        if timing is not None and message.scheduled_at != (at := timing.moment(campaign)):
            message.scheduled_at = at
            moved += 1
    db.session.flush()
    return moved


def on_campaign_dates_changed(campaign: Campaign, **_: Any) -> None:
    """Receiver of portal.campaigns.services.dates_changed: in the same transaction as the new dates."""
    retime_campaign_messages(campaign)


def cancel_schedule(message: Message) -> None:
    """A scheduled message goes back to draft (nothing was sent)."""
    if message.status != MessageStatus.SCHEDULED.value:
        raise MessageError("not_scheduled")
    message.status = MessageStatus.DRAFT.value
    message.scheduled_at = None
    message.campaign_anchor = message.campaign_offset_days = message.campaign_time = None
    db.session.flush()


def _queued(message: Message) -> sa.Update:
    return sa.update(OutboxEntry).where(
        OutboxEntry.message_id == message.id, OutboxEntry.status == OutboxStatus.QUEUED.value
    )


def resume(message: Message, *, now: datetime) -> None:
    """Send again after a pause: the e-mails waiting for a retry go now."""
    if message.status != MessageStatus.PAUSED.value:
        raise MessageError("not_paused")
    db.session.execute(
        _queued(message).values(next_attempt_at=now).execution_options(synchronize_session=False)
    )
    message.status = MessageStatus.SENDING.value
    message.pause_details = None
    db.session.flush()


def retry_failed(message: Message, *, now: datetime) -> int:
    """Queue the failed e-mails again (fresh attempts); returns how many."""
    if message.status not in (MessageStatus.SENDING.value, MessageStatus.PAUSED.value, MessageStatus.SENT.value):
        raise MessageError("nothing_to_retry")
    result = db.session.execute(
        sa.update(OutboxEntry)
        .where(OutboxEntry.message_id == message.id, OutboxEntry.status == OutboxStatus.FAILED.value)
        .values(status=OutboxStatus.QUEUED.value, attempts=0, next_attempt_at=now, lease_until=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    if affected_rows(result):
        message.status = MessageStatus.SENDING.value
        message.finished_at = None
        message.pause_details = None
    db.session.flush()
    return affected_rows(result)


def stop(message: Message, *, now: datetime) -> int:
    """Cancel a sending, paused or failed message: the e-mails not sent yet are dropped; returns how many."""
    if message.status not in (MessageStatus.SENDING.value, MessageStatus.PAUSED.value, MessageStatus.FAILED.value):
        raise MessageError("not_sending")
    result = db.session.execute(
        _queued(message)
        .values(status=OutboxStatus.CANCELLED.value, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    message.status = MessageStatus.CANCELLED.value
    message.finished_at = now
    db.session.flush()
    return affected_rows(result)


@dataclass(frozen=True)
class MessageActions:
    """What the team may do with a message now: the buttons its page shows (each service checks again)."""

    send: bool = False  # send now, or schedule
    cancel_schedule: bool = False
    test: bool = False
    edit_failed: bool = False  # correct a message that could not be started…
    cancel_failed: bool = False  # …or cancel it
    resume: bool = False
    retry: bool = False
    stop: bool = False

    @property
    def on_delivery(self) -> bool:
        """Whether any action concerns a delivery under way or done (shown with the delivery figures)."""
        return self.edit_failed or self.cancel_failed or self.resume or self.retry or self.stop


def allowed_actions(message: Message, figures: DeliveryFigures | None = None) -> MessageActions:
    """The actions that fit the message's state (retrying needs failed e-mails in the figures)."""
    status = message.status
    failed = status == MessageStatus.FAILED.value
    return MessageActions(
        send=status in (MessageStatus.DRAFT.value, MessageStatus.FAILED.value),
        cancel_schedule=status == MessageStatus.SCHEDULED.value,
        test=message.editable,
        edit_failed=failed,
        cancel_failed=failed,
        resume=status == MessageStatus.PAUSED.value,
        retry=bool(figures and figures.failed) and status in (MessageStatus.PAUSED.value, MessageStatus.SENT.value),
        stop=status in (MessageStatus.SENDING.value, MessageStatus.PAUSED.value),
    )


# ------------------------------------------------------------------------------------------ previews


@dataclass(frozen=True)
class PreviewChoice:
    """Whom the preview page shows the message as: recipients searched by name, one chosen, or a random few."""

    query: str = ""
    recipient_id: int | None = None
    random: bool = False

    @classmethod
    def from_args(cls, args: Any) -> PreviewChoice:
        """The choice of a query string (the search capped at 100 characters, a recipient id or nothing)."""
        recipient = args.get("recipient", "")
        return cls(
            query=args.get("q", "").strip()[:100],
            recipient_id=int(recipient) if recipient.isdigit() else None,
            random=bool(args.get("random")),
        )


@dataclass(frozen=True)
class Preview:
    """A message as one employee would get it, in one language version."""

    user: User
    locale: str
    subject: str = ""
    rendered: Rendered | None = None
    error: str = ""


def context_builder(message: Message, *, today: date, now: datetime) -> ContextBuilder:
    """Personal contexts for this message's recipients (campaign figures from its campaign)."""
    return ContextBuilder(
        today=today,
        now=now,
        portal_url=current_app.config["PORTAL_BASE_URL"],
        campaign_id=message.campaign_id,
    )


def render_for(
    versions: Mapping[str, tuple[CompiledSubject, CompiledMessage]], context: Context, locale: str
) -> tuple[str, Rendered]:
    """Subject and body for a context, in a language version; raises RenderError."""
    subject, body = versions[locale]
    return subject.render(context, locale), body.render(context, locale)


def previews(
    message: Message,
    users: list[User],
    *,
    today: date,
    now: datetime,
    viewer: User,
    locales: Iterable[str] | None = None,
) -> list[Preview]:
    """Each user's version of the message (their language, or every given language), as `viewer` may see it:
    a figure only its recipient may see shows its example value to anyone else."""
    try:
        versions = compiled_versions(message)
    except TemplateRejected:
        return []
    contexts = _seen_by(viewer, context_builder(message, today=today, now=now).contexts(users))
    return _previews_of(message, versions, users, contexts, locales)


def _seen_by(viewer: User, contexts: Mapping[int, Context]) -> dict[int, Context]:
    return {
        user_id: context if user_id == viewer.id else as_seen_by_others(context)
        for user_id, context in contexts.items()
    }


def _previews_of(
    message: Message,
    versions: Mapping[str, tuple[CompiledSubject, CompiledMessage]],
    users: list[User],
    contexts: Mapping[int, Context],
    locales: Iterable[str] | None = None,
) -> list[Preview]:
    result = []
    for user in users:
        for locale in locales or (message.content_locale(user.locale),):
            if locale not in versions:
                continue
            try:
                subject, rendered = render_for(versions, contexts[user.id], locale)
            except RenderError as error:
                result.append(Preview(user, locale, error=error.message()))
            else:
                result.append(Preview(user, locale, subject, rendered))
    return result


@dataclass(frozen=True)
class LivePreview:
    """The content being written, as one recipient would get it, with the value each placeholder takes for
    them; `preview` is None while the content has template problems (shown under their fields)."""

    recipient: User | None
    preview: Preview | None
    values: list[tuple[Placeholder, Any]]


def live_preview(data: MessageInput, *, recipient: User | None, campaign_id: int | None, today: date,
                 now: datetime, viewer: User) -> LivePreview:
    """The composer's preview beside the editor, as `viewer` may see it: nothing is saved, the content is
    checked as at save."""
    if recipient is None:
        return LivePreview(None, None, [])
    draft = Message(audience={}, campaign_id=campaign_id)  # never added to the session
    _apply_content(draft, data.cleaned())
    built = context_builder(draft, today=today, now=now).contexts([recipient])
    context = _seen_by(viewer, built)[recipient.id]
    values = [(placeholder, context.get(name)) for name, placeholder in PLACEHOLDERS.items()]
    try:
        versions = compiled_versions(draft)
    except TemplateRejected:
        return LivePreview(recipient, None, values)
    shown = _previews_of(draft, versions, [recipient], {recipient.id: context})
    return LivePreview(recipient, shown[0] if shown else None, values)


# ----------------------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class DeliveryFigures:
    """Where a message's delivery stands: what the status page shows and refreshes."""

    recipients: int = 0
    not_personalised: int = 0
    in_inbox: int = 0
    read: int = 0
    queued: int = 0
    waiting_retry: int = 0
    sent: int = 0
    failed: int = 0
    cancelled: int = 0
    failure_reasons: list[tuple[str, int]] = field(default_factory=list)
    personalisation_errors: list[tuple[str, int]] = field(default_factory=list)

    @property
    def emails(self) -> int:
        return self.queued + self.sent + self.failed + self.cancelled

    @property
    def without_email(self) -> int:
        """Recipients who get no e-mail of this message (opted out, or a portal-only message)."""
        return max(0, self.recipients - self.not_personalised - self.emails)


def delivery_figures(message: Message) -> DeliveryFigures:
    """Counts of recipients, inbox reads and e-mails by state, with the most frequent failure reasons."""
    counted = sa.func.count(MessageRecipient.id)
    recipients = db.session.execute(
        sa.select(
            counted,
            counted.filter(MessageRecipient.error != ""),
            counted.filter(MessageRecipient.in_inbox.is_(True), MessageRecipient.error == ""),
            sa.func.count(MessageRecipient.read_at),
        ).where(MessageRecipient.message_id == message.id)
    ).one()
    by_status = dict(
        db.session.execute(
            sa.select(OutboxEntry.status, sa.func.count(OutboxEntry.id))
            .where(OutboxEntry.message_id == message.id)
            .group_by(OutboxEntry.status)
        )

        .all()
    )
    waiting = db.session.scalar(
        sa.select(sa.func.count(OutboxEntry.id)).where(
            OutboxEntry.message_id == message.id,
            OutboxEntry.status == OutboxStatus.QUEUED.value,
            OutboxEntry.attempts > 0,
        )
    )
    reasons = db.session.execute(
        sa.select(OutboxEntry.last_error, sa.func.count(OutboxEntry.id))
        .where(OutboxEntry.message_id == message.id, OutboxEntry.status == OutboxStatus.FAILED.value)
        .group_by(OutboxEntry.last_error)
        .order_by(sa.func.count(OutboxEntry.id).desc(), OutboxEntry.last_error)
        .limit(5)
    )
    errors = db.session.execute(
        sa.select(MessageRecipient.error, sa.func.count(MessageRecipient.id))
        .where(MessageRecipient.message_id == message.id, MessageRecipient.error != "")
        .group_by(MessageRecipient.error)
        .order_by(sa.func.count(MessageRecipient.id).desc(), MessageRecipient.error)
        .limit(5)
    )
    return DeliveryFigures(
        recipients=recipients[0],
        not_personalised=recipients[1],
        in_inbox=recipients[2],
        read=recipients[3],
        queued=by_status.get(OutboxStatus.QUEUED.value, 0),
        waiting_retry=waiting or 0,
        sent=by_status.get(OutboxStatus.SENT.value, 0),
        failed=by_status.get(OutboxStatus.FAILED.value, 0),
        cancelled=by_status.get(OutboxStatus.CANCELLED.value, 0),
        failure_reasons=list(reasons),
        personalisation_errors=list(errors),
    )


@dataclass(frozen=True)
class MessageFilters:
    """What the team asked the list of messages for: a status, or every message."""

    status: str = ""

    @classmethod
    def from_args(cls, args: Any) -> MessageFilters:
        """The filters of a query string (an unknown status is ignored: a bookmark never breaks)."""
        status = args.get("status", "")
        return cls(status=status if status in {s.value for s in MessageStatus} else "")

    def query_args(self) -> dict[str, str | None]:
        """The same filters as URL parameters (pagination links)."""
        return {"status": self.status or None}


def messages_statement(filters: MessageFilters) -> sa.Select[Message]:
    """The messages matching the filters, the most recent first."""
    statement = (
        sa.select(Message)
        .where(Message.trigger_key.is_(None))  # automatic messages are followed on their trigger's page
        .order_by(Message.created_at.desc(), Message.id.desc())
    )
    if filters.status:
        statement = statement.where(Message.status == filters.status)
    return statement


def sent_counts(message_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """message id → (e-mails sent, e-mails in all), in one query for a list page."""
    ids = list(message_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(
            OutboxEntry.message_id,
            sa.func.count(OutboxEntry.id).filter(OutboxEntry.status == OutboxStatus.SENT.value),
            sa.func.count(OutboxEntry.id),
        )
        .where(OutboxEntry.message_id.in_(ids))
        .group_by(OutboxEntry.message_id)
    )
    return {message_id: (sent, total) for message_id, sent, total in rows}


# ------------------------------------------------------------------------------------------ exports

def failures_csv(message: Message, *, header: list[str]) -> str:
    """The failed e-mails of a message as CSV (UTF-8 with BOM for spreadsheets, formula-safe cells)."""
    failed = db.session.execute(
        sa.select(User.email, User.last_name, User.first_name, OutboxEntry.attempts, OutboxEntry.last_error)
        .join(User, OutboxEntry.user_id == User.id)
        .where(OutboxEntry.message_id == message.id, OutboxEntry.status == OutboxStatus.FAILED.value)
        .order_by(User.last_name, User.first_name, User.id)
    )
    not_rendered = db.session.execute(
        sa.select(User.email, User.last_name, User.first_name, sa.literal(0), MessageRecipient.error)
        .join(User, MessageRecipient.user_id == User.id)
        .where(MessageRecipient.message_id == message.id, MessageRecipient.error != "")
        .order_by(User.last_name, User.first_name, User.id)
    )
    return csvio.to_text(header, itertools.chain(failed, not_rendered), delimiter=";")


def describe_criteria(criteria: Criteria) -> dict[str, Any]:
    """The names behind the ids of the criteria, for a readable summary."""
    from portal.org.models import Commune, OrgUnit, Site

    def names(model: Any, key: Any, ids: Iterable[Any]) -> list[str]:
        ids = list(ids)
        if not ids:
            return []
        return list(db.session.scalars(sa.select(model.name).where(key.in_(ids)).order_by(model.name)))

    return {
        "org_units": names(OrgUnit, OrgUnit.id, criteria.org_unit_ids),
        "communes": names(Commune, Commune.insee, criteria.commune_insees),
        "sites": names(Site, Site.id, criteria.site_ids),
        "campaign": _campaign_name(criteria.campaign_id),
    }


def _campaign_name(campaign_id: int | None) -> str | None:
    if campaign_id is None:
        return None
    campaign = db.session.get(Campaign, campaign_id)
    return campaign.name if campaign else None


def campaign_choices() -> list[tuple[int, str]]:
    """(id, name) of the campaigns a message can be about, the most recent first."""
    statement = sa.select(Campaign.id, Campaign.name).order_by(Campaign.starts_at.desc(), Campaign.id.desc())
    return list(db.session.execute(statement).all())
