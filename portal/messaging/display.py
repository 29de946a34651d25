"""What messaging says in words: statuses, categories, channels and roles; why an action on a message is
refused, what its content lacks and what is wrong with a template (translated tables, read by the errors'
`message()`); and the helpers its templates use, registered by `register`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flask import Blueprint
from flask_babel import gettext

from portal.i18n import lazy_gettext as _l
from portal.messaging.models import Category, Message, MessageStatus
from portal.messaging.placeholders import PLACEHOLDERS, language
from portal.messaging.sending import MAX_START_ATTEMPTS
from portal.messaging.template_checks import TemplateProblem

if TYPE_CHECKING:
    from portal.messaging.services import ContentRejected

STATUS_NAMES = {
    MessageStatus.DRAFT.value: _l("Draft"),
    MessageStatus.SCHEDULED.value: _l("Scheduled"),
    MessageStatus.STARTING.value: _l("Preparing"),
    MessageStatus.SENDING.value: _l("Sending"),
    MessageStatus.PAUSED.value: _l("Paused"),
    MessageStatus.SENT.value: _l("Sent"),
    MessageStatus.CANCELLED.value: _l("Cancelled"),
    MessageStatus.FAILED.value: _l("Could not be started"),
}
CATEGORY_NAMES = {
    Category.NEWS.value: _l("Programme news"),
    Category.FOOTPRINT.value: _l("My footprint"),
    Category.CAMPAIGN.value: _l("Campaign"),
    Category.PRACTICAL.value: _l("Practical information"),
}
CHANNEL_NAMES = {
    "both": _l("Portal and e-mail"),
    "portal": _l("Portal only"),
    "email": _l("E-mail only"),
}
ROLE_NAMES = {"manager": _l("Managers"), "comms": _l("Communications team"), "admin": _l("Administrators")}
#: Each language in its own words, whatever the interface language.
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
#: The fields of the compose form a problem can be about.
FIELD_NAMES = {
    "subject_fr": _l("Subject (French)"),
    "body_fr": _l("Message (French)"),
    "subject_en": _l("Subject (English)"),
    "body_en": _l("Message (English)"),
}

#: Why an action on a message is refused (portal.messaging.services.MessageError.code).
MESSAGE_ERRORS = {
    "not_editable": _l("This message is already being sent: it can no longer be changed."),
    "already_sent": _l("This message has already been sent."),
    "schedule_in_past": _l("Choose a date and time in the future."),
    "not_scheduled": _l("This message is not scheduled."),
    "not_paused": _l("This message is not paused."),
    "not_sending": _l("This message is not being sent."),
    "nothing_to_retry": _l("There is nothing to send again."),
    "no_channel": _l("Choose at least one channel."),
    "content_rejected": _l("The message has errors: correct them before sending."),
    "template_name_required": _l("Give the template a name."),
    "ready_template": _l("Ready templates cannot be deleted."),
    "not_personalised": _l("The message cannot be personalised for you: %(reason)s"),
    "test_content_rejected": _l("The message cannot be personalised for you: it has errors, correct them first."),
}

#: What a message's content lacks (portal.messaging.services.ContentRejected.missing: field and code).
CONTENT_PROBLEMS = {
    "subject_fr_required": _l("Write the subject in French."),
    "body_fr_required": _l("Write the message in French."),
    "english_incomplete": _l("Give both the English subject and the English message, or neither."),
    "category": _l("Choose a category."),
    "channels": _l("Choose how to send it."),
}

#: Why a template cannot be saved, or rendered for a recipient (portal.messaging.template_checks.TemplateError
#: and TemplateProblem, portal.messaging.rendering.RenderError: code, and the detail they quote).
TEMPLATE_PROBLEMS = {
    # validation (save time)
    "too_long": _l("The text is too long (at most %(detail)s characters)."),
    "syntax": _l("Syntax error: %(detail)s."),
    "unknown_placeholder": _l("Unknown placeholder “%(detail)s”."),
    "unknown_filter": _l("Unknown filter “%(detail)s”."),
    "unknown_test": _l("Unknown test “%(detail)s”."),
    "forbidden": _l("This construct is not allowed in a message: %(detail)s."),
    "invalid_argument": _l("Invalid arguments for the “%(detail)s” filter or test."),
    "type_mismatch": _l("These values cannot be compared or formatted together: %(detail)s."),
    "unsafe_link": _l(
        "Link not allowed (only http, https and mailto addresses, without a name or password before the host): "
        "%(detail)s."
    ),
    "newline": _l("A subject must fit on a single line."),
    "nested_conditions": _l("Too many conditions inside one another (at most %(detail)s)."),
    "expression_length": _l(
        "This expression is too long (at most %(detail)s names, values and signs between the braces)."
    ),
    "expression_depth": _l(
        "This expression is nested too deeply (at most %(detail)s levels of parentheses, filters, comparisons, "
        "not…)."
    ),
    "filter_chain": _l("Too many filters in a row (at most %(detail)s)."),
    "number_too_large": _l("This number is too large: %(detail)s (at most 999,999,999,999,999)."),
    "too_slow": _l("The message takes too long to prepare (more than %(detail)s s): simplify it."),
    "too_complex": _l("The message is too complex to be prepared: simplify it."),
    # rendering (send time)
    "invalid_context": _l("Invalid value for the message: %(detail)s."),
    "missing_value": _l("No value for the placeholder “%(detail)s”."),
    "output_too_long": _l("The rendered message is too long (at most %(detail)s characters)."),
    "render_failed": _l("The message could not be rendered: %(detail)s."),
}


# ---------------------------------------------------------------------------------------- problems


def problem_line(problem: TemplateProblem) -> str:
    """A template problem as a sentence, with its line number when it has one."""
    text = problem.message()
    return gettext("Line %(line)d: %(problem)s", line=problem.line, problem=text) if problem.line else text


def problem_lines(problems: Iterable[TemplateProblem]) -> list[str]:
    """Each problem as a sentence, in order."""
    return [problem_line(problem) for problem in problems]


def problems_by_field(rejected: ContentRejected) -> dict[str, list[str]]:
    """Why the content is refused, field by field: what is missing first, then the template's problems."""
    problems = {name: problem_lines(found) for name, found in rejected.problems.items()}
    for name, code in rejected.missing:
        problems.setdefault(name, []).insert(0, str(CONTENT_PROBLEMS[code]))
    return problems


@dataclass(frozen=True)
class StartFailure:
    """Why a message could not be started, in the reader's language."""

    explanation: str
    problems: list[str]
    reason: str


def start_failure(message: Message) -> StartFailure | None:
    """Why a failed message could not be started: its template problems, an interrupted preparation, or the
    error the jobs process recorded (as it was given); None for any other message."""
    if message.status != MessageStatus.FAILED.value:
        return None
    details = message.pause_details or {}
    problems = [
        f"{FIELD_NAMES.get(name, name)} – {line}"
        for name, found in (details.get("problems") or {}).items()
        for line in problem_lines(TemplateProblem(*problem) for problem in found)
    ]
    kind = details.get("kind")
    if kind == "template":
        explanation = gettext("Its content has errors:")
    elif kind == "interrupted":
        explanation = gettext(
            "Its preparation was interrupted %(count)d times: the jobs process stopped during it.",
            count=MAX_START_ATTEMPTS,
        )
    else:
        explanation = gettext("An error occurred while it was being prepared.")
    reason = "" if problems or kind == "interrupted" else details.get("reason", "")
    return StartFailure(explanation, problems, reason)


@dataclass(frozen=True)
class PauseNotice:
    """Why sending paused, and the reason the mail server gave."""

    explanation: str
    reason: str


def pause_notice(message: Message) -> PauseNotice | None:
    """Why a paused message paused (None for any other message)."""
    details = message.pause_details
    if message.status != MessageStatus.PAUSED.value or not details:
        return None
    if details.get("kind") == "failures":
        explanation = gettext(
            "Sending paused: %(failed)d of the last %(attempted)d e-mails failed.",
            failed=details.get("failed", 0),
            attempted=details.get("attempted", 0),
        )
    else:
        explanation = gettext("Sending paused: the message has errors.")
    return PauseNotice(explanation, str(details.get("reason", "")))


# ---------------------------------------------------------------------------------------- statuses


@dataclass(frozen=True)
class StatusShown:
    """A message's status as its pages show it: the word, the style key and, when scheduled, when."""

    name: str
    key: str
    scheduled_for: datetime | None


def message_status(message: Message) -> StatusShown:
    """The status of a message as shown in lists and on its page."""
    scheduled = message.status == MessageStatus.SCHEDULED.value
    return StatusShown(
        name=str(STATUS_NAMES.get(message.status, message.status)),
        key=message.status,
        scheduled_for=message.scheduled_at if scheduled else None,
    )


def status_choices() -> list[tuple[str, str]]:
    """(status, name) of every status, in life-cycle order: the choices of the list's filter."""
    return [(status.value, str(STATUS_NAMES[status.value])) for status in MessageStatus]


# ------------------------------------------------------------------------------------ placeholders


def placeholders_shown(locale: str) -> list[Mapping[str, str]]:
    """Every placeholder with its description in the interface language, as the composer lists them."""
    lang = language(locale)
    return [{"name": p.name, "description": p.description(lang)} for p in PLACEHOLDERS.values()]


def register(bp: Blueprint) -> None:
    """Expose the helpers to every template."""
    bp.add_app_template_global(message_status, "message_status")
