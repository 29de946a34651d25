"""What messaging says in words: statuses, categories, channels and roles; why an action on a message is
refused, what its content lacks and what is wrong with a template (translated tables, read by the errors'
`message()`); and the helpers its templates use, registered by `register`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import Blueprint
from flask_babel import get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

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


def category_names() -> dict[str, str]:
    """The categories' names in the request's language, each translated once (a list names one per message)."""
    return {key: str(name) for key, name in CATEGORY_NAMES.items()}


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
    "audience_changed": _l("The audience changed since you checked it: check the figures again before sending."),
    "count_not_typed": _l("Type the number of recipients shown, to confirm that you send to that many people."),
    "condition_placeholder": _l("Choose the placeholder the condition tests."),
    "condition_operator": _l("Choose how to compare it."),
    "condition_value_missing": _l("Give the value to compare with, for example 2."),
    "condition_not_a_number": _l("“%(value)s” is not a number: write a number, for example 2 or 2.5."),
    "condition_ordering_text": _l(
        "“greater than” and “less than” compare numbers: for a text, choose “is equal to” or “is not equal to”."
    ),
    "condition_value_characters": _l("The value cannot hold braces, percent signs, quotes or line breaks."),
    "condition_field": _l("Choose the message the paragraph goes into."),
    "condition_text_missing": _l("Write the paragraph to show when the condition holds."),
    "trigger_without_template": _l("Choose the template this automatic message sends before turning it on."),
    "no_campaign": _l("Choose the campaign this message is about, in its audience, to time it on its dates."),
    "test_content_rejected": _l("The message cannot be personalised for you: it has errors, correct them first."),
}

#: The automatic messages (portal.messaging.models.TriggerKind): their name, and what sends them.
TRIGGER_NAMES = {
    "device_age": _l("A device reaches its age"),
    "order_delivered": _l("A delivery replaces a device"),
    "return_confirmed": _l("A return is confirmed"),
    "campaign_started": _l("A campaign starts"),
    "campaign_ended": _l("A campaign ends"),
    "storage_progress": _l("New storage measures during a campaign"),
}
TRIGGER_DESCRIPTIONS = {
    "device_age": _l("To the owner of a device that reaches the age chosen (by default half its expected "
                     "lifetime): keep it, here is how."),
    "order_delivered": _l("To an employee whose delivered order replaces a device: return the old one, at the "
                          "collection point nearest to their site."),
    "return_confirmed": _l("To an employee whose return the collection team confirmed: thank you, with the "
                           "kilograms collected this year."),
    "campaign_started": _l("To the participants of a clean-up campaign, when it starts."),
    "campaign_ended": _l("To the participants of a clean-up campaign, when it ends: their results."),
    "storage_progress": _l("To the participants of a campaign under way whose storage an import has just "
                           "measured: their progress."),
}

#: The moments a message can be timed on (portal.messaging.services.CampaignTiming.anchor).
TIMING_ANCHORS = {
    "start": _l("the campaign’s first day"),
    "middle": _l("the middle of the campaign"),
    "end": _l("the day after its last day"),
}


def timing_words(timing: Any) -> str:
    """"3 days after the campaign's first day, at 09:00": when a message timed on its campaign goes."""
    anchor = str(TIMING_ANCHORS[timing.anchor])
    at = timing.at_time.strftime("%H:%M")
    days = timing.offset_days
    if days > 0:
        return ngettext("%(num)d day after %(moment)s, at %(time)s", "%(num)d days after %(moment)s, at %(time)s",
                        days, moment=anchor, time=at)
    if days < 0:
        return ngettext("%(num)d day before %(moment)s, at %(time)s", "%(num)d days before %(moment)s, at %(time)s",
                        -days, moment=anchor, time=at)
    return gettext("%(moment)s, at %(time)s", moment=anchor, time=at)


#: An audience's campaign criterion in words (portal.messaging.audience.PARTICIPATION), naming the campaign.
PARTICIPATION_WORDS = {
    "joined": _l("Joined %(campaign)s"),
    "not_joined": _l("Did not join %(campaign)s"),
    "inactive": _l("Did not join %(campaign)s, or joined it and ticked nothing"),
}

#: The operators of the "show this paragraph only if…" builder (portal.messaging.conditions.OPERATORS).
CONDITION_OPERATORS = {
    "gt": _l("is greater than"),
    "gte": _l("is greater than or equal to"),
    "lt": _l("is less than"),
    "lte": _l("is less than or equal to"),
    "eq": _l("is equal to"),
    "ne": _l("is not equal to"),
    "empty": _l("is empty"),
    "not_empty": _l("is not empty"),
}

#: What a message's content lacks (portal.messaging.services.ContentRejected.missing: field and code).
CONTENT_PROBLEMS = {
    "subject_fr_required": _l("Write the subject in French."),
    "body_fr_required": _l("Write the message in French."),
    "english_incomplete": _l("Give both the English subject and the English message, or neither."),
    "category": _l("Choose a category."),
    "channels": _l("Choose how to send it."),
    "cta_url": _l(
        "Give a page of the portal, starting with / (for example /collection-points), or an address starting "
        "with https://, without a name or password before the host."
    ),
}

#: Why a template cannot be saved, or rendered for a recipient (portal.messaging.template_checks.TemplateError
#: and TemplateProblem, portal.messaging.rendering.RenderError: code, and the detail they quote). Each says what
#: to do, in words for someone who has never seen a template language. `%%` is a percent sign.
TEMPLATE_PROBLEMS = {
    # syntax: what the parser could not read
    "unclosed_if": _l("The “if” block opened on line %(detail)s is not closed: add {%% endif %%} after what it shows."),
    "unclosed_block": _l("A block is not closed: add its end, for example {%% endif %%}."),
    "orphan_endif": _l("This {%% endif %%} closes no “if” block: remove it, or add the {%% if … %%} it should close."),
    "orphan_else": _l(
        "This {%% %(detail)s %%} is outside any “if” block: put it between {%% if … %%} and {%% endif %%}."
    ),
    "second_else": _l(
        "An “if” block has only one {%% else %%}, at its end: use {%% elif … %%} for another case, or close the "
        "block with {%% endif %%} first."
    ),
    "unknown_tag": _l(
        "“{%% %(detail)s %%}” is not an instruction a message can use: only {%% if … %%}, {%% elif … %%}, "
        "{%% else %%} and {%% endif %%}."
    ),
    "unclosed_print": _l("A {{ is not closed: add }} after the placeholder’s name."),
    "unclosed_tag": _l("A {%% is not closed: add %%} after the instruction."),
    "unclosed_comment": _l("A comment {# is not closed: add #} at its end."),
    "unclosed_quote": _l("A text in quotes is not closed: add the closing quote."),
    "unclosed_parenthesis": _l("A parenthesis is not closed: add “)”."),
    "single_brace": _l("A single brace “}”: placeholders are written between double braces, {{ first_name }}."),
    "unexpected_sign": _l("The sign “%(detail)s” cannot be used here: remove it, or check what surrounds it."),
    "empty_expression": _l(
        "Something is missing between the braces: write a placeholder or a condition, for example "
        "{{ first_name }} or {%% if device_count > 2 %%}."
    ),
    "missing_operator": _l(
        "Two names or values follow each other with nothing between them: add a comparison (== != < <= > >=), "
        "“and”, “or”, or a | before a filter."
    ),
    "missing_name": _l("A name is missing after | or “is”: write a filter (upper, number…) or a test (none…)."),
    "incomplete_expression": _l(
        "This condition is incomplete: a value is missing after the last sign or word (after >, ==, and, not…)."
    ),
    "empty_tag": _l("{%% %%} is empty: write an instruction, for example {%% if device_count > 2 %%}."),
    "syntax": _l(
        "This line cannot be read: check that each {{ is closed by }}, each {%% by %%}, and each {%% if %%} by "
        "{%% endif %%}."
    ),
    # what the template may hold
    "too_long": _l("The text is too long (at most %(detail)s characters): shorten it."),
    "unknown_placeholder": _l("Unknown placeholder “%(detail)s”: check its spelling in the list beside the editor."),
    "unknown_filter": _l(
        "Unknown filter “%(detail)s”: the filters are upper, lower, title, capitalize, int, round, default and "
        "number."
    ),
    "unknown_test": _l("Unknown test “%(detail)s”: write “is none”, “is not none”, “is defined” or “is undefined”."),
    "forbidden_tag": _l(
        "{%% %(detail)s %%} cannot be used in a message: only {%% if … %%}, {%% elif … %%}, {%% else %%} and "
        "{%% endif %%}."
    ),
    "forbidden_call": _l(
        "Nothing can be called with parentheses in a message: write the placeholder alone, and put a filter of "
        "the list after a | to change it."
    ),
    "forbidden_attribute": _l(
        "A placeholder has no parts to reach with a dot or brackets: write it alone, for example {{ first_name }}."
    ),
    "forbidden_operator": _l(
        "Calculations are not possible in a message (the sign %(detail)s): show the placeholders as they are, "
        "and compare them with == != < <= > >=."
    ),
    "forbidden_in": _l("“in” cannot be used: compare with == one value at a time, joined by “or”."),
    "forbidden_collection": _l("Lists of values cannot be used: compare one value at a time, joined by “or”."),
    "forbidden_inline_if": _l(
        "A condition inside braces needs an “else”: write {{ a if condition else b }}, or use {%% if %%}…{%% endif %%}."
    ),
    "forbidden_construct": _l("This cannot be used in a message: keep to placeholders, conditions and filters."),
    "invalid_argument": _l("Invalid values in brackets after “%(detail)s”: see the filters beside the editor."),
    "type_mismatch": _l(
        "These values cannot be compared or formatted together (%(detail)s): compare a number with a number, "
        "and a text with a text between quotes."
    ),
    "unsafe_link": _l(
        "Link not allowed (only http, https and mailto addresses, without a name or password before the host): "
        "%(detail)s."
    ),
    "newline": _l("A subject must fit on a single line: remove the line break."),
    "nested_conditions": _l("Too many conditions inside one another (at most %(detail)s): simplify them."),
    "expression_length": _l(
        "This expression is too long (at most %(detail)s names, values and signs between the braces): split it."
    ),
    "expression_depth": _l(
        "This expression is nested too deeply (at most %(detail)s levels of parentheses, filters, comparisons, "
        "not…): simplify it."
    ),
    "filter_chain": _l("Too many filters in a row (at most %(detail)s): remove some."),
    "number_too_large": _l("This number is too large: %(detail)s (at most 999,999,999,999,999)."),
    "too_slow": _l("The message takes too long to prepare (more than %(detail)s s): simplify it."),
    "too_complex": _l("The message is too complex to be prepared: simplify it."),
    # rendering (for one recipient)
    "invalid_context": _l("Invalid value for the placeholder %(detail)s: report it to the portal’s administrators."),
    "missing_value": _l("No value for the placeholder “%(detail)s”: report it to the portal’s administrators."),
    "output_too_long": _l("The rendered message is too long (at most %(detail)s characters): shorten it."),
    "empty_compared": _l(
        "A placeholder has no value for this recipient where the message needs one (a comparison, a filter): "
        "test it first, for example {%% if device_count is not none and device_count > 2 %%}."
    ),
    "number_overflow": _l("A number is too large to be shown: report it to the portal’s administrators."),
    "too_deep": _l("The message is nested too deeply: simplify its conditions."),
    "render_failed": _l(
        "The message could not be prepared for this recipient (%(detail)s): report it to the portal’s administrators."
    ),
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

_TAGS = re.compile(r"\{\{-?\s*(?P<expression>.*?)\s*-?\}\}|\{%-?\s*(?P<statement>\w*).*?-?%\}|\{#.*?#\}", re.DOTALL)
_STATEMENT_WORDS = {"if": _l("if…"), "elif": _l("else if…"), "else": _l("otherwise"), "endif": _l("end if")}


@dataclass(frozen=True)
class SubjectPart:
    """A piece of a subject as its pages show it: plain text, or a chip naming a placeholder or a condition."""

    text: str
    chip: bool = False
    source: str = ""


def subject_parts(source: str) -> list[SubjectPart]:
    """The subject's text with each placeholder as its short label and each condition tag as a word."""
    lang = language(str(get_locale() or "fr"))
    parts: list[SubjectPart] = []
    position = 0
    for tag in _TAGS.finditer(source):
        if tag.start() > position:
            parts.append(SubjectPart(source[position:tag.start()]))
        position = tag.end()
        expression, statement = tag.group("expression"), tag.group("statement")
        if expression is not None:
            name = re.match(r"\w+", expression)
            placeholder = PLACEHOLDERS.get(name.group(0)) if name else None
            label = placeholder.label(lang) if placeholder else gettext("value")
        elif statement is not None:
            label = str(_STATEMENT_WORDS.get(statement, statement))
        else:
            continue  # a comment shows nothing
        parts.append(SubjectPart(label, chip=True, source=tag.group(0)))
    if position < len(source):
        parts.append(SubjectPart(source[position:]))
    return parts


def subject_chips(source: str) -> Markup:
    """The subject for a heading: placeholders as labelled chips, not raw braces."""
    return Markup("").join(
        Markup('<span class="chip" title="{}">{}</span>').format(part.source, part.text) if part.chip
        else escape(part.text)
        for part in subject_parts(source)
    )


def subject_text(source: str) -> str:
    """The subject for a tab title: placeholders as [label]."""
    return "".join(f"[{part.text}]" if part.chip else part.text for part in subject_parts(source))


def register(bp: Blueprint) -> None:
    """Expose the helpers to every template."""
    bp.add_app_template_global(message_status, "message_status")
    bp.add_app_template_global(lambda code, campaign: PARTICIPATION_WORDS[code] % {"campaign": campaign},
                               "participation_words")
    bp.add_app_template_global(lambda key: str(TRIGGER_NAMES[key]), "trigger_name")
    bp.add_app_template_global(lambda key: str(TRIGGER_DESCRIPTIONS[key]), "trigger_description")
    bp.add_app_template_filter(subject_chips, "subject_chips")
    bp.add_app_template_filter(subject_text, "subject_text")
