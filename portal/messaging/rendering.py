"""Safe rendering of personalised messages: validation at save time, compile once, render per recipient.

A message body is a Jinja template whose output is the small markup of :mod:`portal.messaging.markup`.
Rendering goes in two stages:

1. the template is rendered with the recipient's context in a sandboxed Jinja environment (autoescape off);
   every value printed by ``{{ … }}`` goes through a *finalize* hook that formats numbers for the locale and
   passes the text through :func:`markup.escape_markup`, so a value is always shown literally: it can
   inject neither HTML (escaped at stage 2) nor markup (``**``, ``[a](javascript:x)``, ``- `` …);
2. the resulting markup is converted to HTML (every character escaped with markupsafe) and to plain text.

A subject line is a template too, rendered as plain text on one line (no markup conversion).

What a template may hold, and its size limits, are checked first by :mod:`portal.messaging.template_checks`;
every Jinja global (``range``, ``cycler``, ``lipsum``, ``namespace``…) is removed from the environment, and
the output is capped while it is produced. Compiling and rendering then each have a budget of CPU time
(:data:`MAX_COMPILE_SECONDS`, :data:`MAX_RENDER_SECONDS`), checked at each node the code generator visits
and as the output is produced. :func:`validate` compiles the template and renders it once with the example
values: what it accepts compiles, and renders for every recipient whose values are valid.

Printed values: ``None`` prints as nothing; integers with the locale's thousands separator (U+202F in
French); decimals likewise with at most 2 decimals (use ``number(n)`` to choose). Block tags on their own
line leave no blank line behind (``trim_blocks`` and ``lstrip_blocks`` are on).

This module imports only jinja2, markupsafe, babel and the standard library.
"""

from __future__ import annotations

import decimal
import math
import re
import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel.core import Locale
from babel.numbers import format_decimal, parse_pattern
from jinja2 import StrictUndefined, Template, UndefinedError, nodes, pass_context
from jinja2.compiler import CodeGenerator
from jinja2.filters import FILTERS
from jinja2.runtime import Context, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.tests import TESTS
from markupsafe import Markup

from portal.messaging import markup
from portal.messaging.placeholders import LOCALES, PLACEHOLDERS, example_context, language
from portal.messaging.template_checks import (
    ALLOWED_TESTS,
    BUILTIN_FILTERS,
    MAX_NUMBER,
    MAX_SOURCE_CHARS,
    MAX_SUBJECT_SOURCE_CHARS,
    TemplateError,
    TemplateProblem,
    TemplateRejected,
    analyse,
)

MAX_OUTPUT_CHARS = 100_000
MAX_SUBJECT_OUTPUT_CHARS = 2_000
# Time budgets, in CPU seconds of the thread doing the work (time.thread_time): a template accepted at save is
# not refused later because the machine was busy. Every template within the limits above takes well under
# them (BENCHMARKS.md, "Message template limits").
MAX_COMPILE_SECONDS = 1.0
MAX_RENDER_SECONDS = 1.0  # for one recipient, markup stage included
_CHUNKS_PER_CLOCK_READ = 32  # reading the thread's CPU clock is a system call: once per this many chunks
_MAX_ABS_NUMBER = MAX_NUMBER  # larger numbers in a context are a bug upstream (and costly to format)

class RenderError(TemplateError):
    """A valid template could not be rendered for one recipient (bad context, output too long…); `line` is the
    template line where it happened, when known."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message rendered for one recipient: the HTML part and the plain-text part."""

    html: Markup
    text: str


# ------------------------------------------------------------------------------------------- numbers

_BABEL_LOCALES = {code: Locale.parse(code) for code in LOCALES}


@lru_cache(maxsize=8)
def _pattern(digits: int) -> Any:
    return parse_pattern("#,##0" + ("." + "#" * digits if digits else ""))


def format_number(value: int | float | Decimal, locale: str, digits: int = 1) -> str:
    """`1 234,5` (narrow no-break space) in French, `1,234.5` in English; at most `digits` decimals."""
    return _format_number(value, language(locale), digits)


@lru_cache(maxsize=4096)  # a mailing repeats the same figures (averages, campaign totals) for everyone
def _format_number(value: int | float | Decimal, locale: str, digits: int) -> str:
    # The pattern has no mandatory decimals, so equal numbers (1 == 1.0 == Decimal("1.00"), which share a
    # cache entry) have the same text.
    return format_decimal(value, format=_pattern(digits), locale=_BABEL_LOCALES[locale])


# ---------------------------------------------------------------------------------------- environment

_LOCALE_KEY = "__message_locale__"  # not a placeholder, hence unreachable from templates
_LINE_BREAKS_TABLE = {ord(c): " " for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"} | {
    cp: None for cp in [*range(0x00, 0x09), *range(0x0E, 0x1C), 0x1F, 0x7F]
}


def _display(value: object, locale: str) -> str:
    """How a printed value looks: numbers for the locale, None as nothing."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if type(value) is int:
        return _format_number(value, locale, 0)
    if type(value) is Decimal or type(value) is float:
        return _format_number(value, locale, 2)
    return str(value)  # bool; a StrictUndefined raises UndefinedError here


@pass_context
def _finalize_body(context: Context, value: object) -> str:
    return markup.escape_markup(_display(value, context.get(_LOCALE_KEY, "en")))


@pass_context
def _finalize_subject(context: Context, value: object) -> str:
    return _display(value, context.get(_LOCALE_KEY, "en")).translate(_LINE_BREAKS_TABLE)


@pass_context
def _number_filter(context: Context, value: Any, digits: int = 1, locale: str | None = None) -> Any:
    if value is None or isinstance(value, Undefined):
        return value
    if type(value) not in (int, float, Decimal):
        raise TypeError(f"number expects a number, not {type(value).__name__}")
    return _format_number(value, language(locale) if locale else context.get(_LOCALE_KEY, "en"), digits)


class _OverBudget(Exception):
    """The time budget of a compile or a render is spent (at this template line, when known)."""

    def __init__(self, line: int | None) -> None:
        super().__init__(line)
        self.line = line


# When the compile running in this thread must stop (its CPU time, time.thread_time); infinite when none runs.
_COMPILE_DEADLINE: ContextVar[float] = ContextVar("message_compile_deadline", default=math.inf)


class _BudgetedCodeGenerator(CodeGenerator):
    """Jinja's code generator, stopped at the first node it visits once the compile budget is spent."""

    def visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        if time.thread_time() > _COMPILE_DEADLINE.get():
            raise _OverBudget(getattr(node, "lineno", None))
        return super().visit(node, *args, **kwargs)




def _environment(finalize: Callable[..., str]) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,  # the markup stage escapes everything; values are neutralised by `finalize`
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        cache_size=0,
        auto_reload=False,
        # No constant folding at compile time: it saves nothing in a message and walks each expression again at
        # every level of it; a 19 KB body of 100-token conditions validated in 0.52 s with it, 0.18 s without.
        optimized=False,
    )
    env.code_generator_class = _BudgetedCodeGenerator
    env.globals.clear()  # no range, dict, lipsum, cycler, joiner, namespace
    env.filters = {name: FILTERS[name] for name in BUILTIN_FILTERS} | {"number": _number_filter}
    env.tests = {name: TESTS[name] for name in ALLOWED_TESTS}
    return env


_BODY_ENV = _environment(_finalize_body)
_SUBJECT_ENV = _environment(_finalize_subject)

def _seconds(limit: float) -> str:
    return f"{limit:g}"


def _compile(env: ImmutableSandboxedEnvironment, ast: nodes.Template) -> Template:
    """The checked tree compiled within MAX_COMPILE_SECONDS; raises TemplateRejected."""
    started = time.thread_time()
    deadline = _COMPILE_DEADLINE.set(started + MAX_COMPILE_SECONDS)
    try:
        template = env.from_string(ast)
    except _OverBudget as over:
        raise TemplateRejected([TemplateProblem(over.line, "too_slow", _seconds(MAX_COMPILE_SECONDS))]) from over
    except Exception as exc:  # a limit of Python's compiler the checks do not foresee: refused, never a crash
        raise TemplateRejected([TemplateProblem(None, "too_complex")]) from exc
    finally:
        _COMPILE_DEADLINE.reset(deadline)
    if time.thread_time() - started > MAX_COMPILE_SECONDS:  # Python's own compile step cannot be interrupted
        raise TemplateRejected([TemplateProblem(None, "too_slow", _seconds(MAX_COMPILE_SECONDS))])
    return template


def _problems_of(compile_source: Callable[[str], CompiledMessage | CompiledSubject], source: str
                 ) -> list[TemplateProblem]:
    """Compile (through the cache), then render once with the example values, each within its time budget."""
    try:
        compile_source(source).render(example_context(), "fr")
    except TemplateRejected as rejected:
        return list(rejected.problems)
    except RenderError as error:
        return [TemplateProblem(error.line, error.code, error.detail)]
    return []


def validate(source: str) -> list[TemplateProblem]:
    """The problems of a message body, sorted by line; an empty list means it can be saved and sent.

    The body is checked, compiled and rendered once with the example values, within the size and time limits.
    """
    return _problems_of(compile_message, source)


def validate_subject(source: str) -> list[TemplateProblem]:
    """The problems of a subject line (same rules, plus: one line, at most 1,000 characters)."""
    return _problems_of(compile_subject, source)


# ----------------------------------------------------------------------------------------- rendering

# Plain values only, and of the placeholder's kind (None is allowed for any placeholder: "no value").
# bool is a plain type but no placeholder is boolean, so it is refused like any other type.
_VALUE_TYPES: dict[str, tuple[type, ...]] = {"str": (str,), "int": (int,), "decimal": (int, float, Decimal)}
_UNDEFINED_NAME_RE = re.compile(r"'([^']+)' is undefined")


def _check_context(context: Mapping[str, object], locale: str) -> dict[str, object]:
    """A copy of `context` holding only catalogue placeholders with plain values of the right kind."""
    if not isinstance(context, Mapping):
        raise RenderError("invalid_context", type(context).__name__)
    values: dict[str, object] = {}
    for key, value in context.items():
        placeholder = PLACEHOLDERS.get(key) if type(key) is str else None
        if placeholder is None:
            raise RenderError("invalid_context", repr(key))
        if value is not None:
            value_type = type(value)
            if value_type not in _VALUE_TYPES[placeholder.kind]:
                raise RenderError("invalid_context", key)
            if isinstance(value, str):
                ok = len(value) <= MAX_OUTPUT_CHARS
            else:  # int, float or Decimal: the types checked just above
                number = value if isinstance(value, int | float | Decimal) else math.nan
                ok = math.isfinite(number) and -_MAX_ABS_NUMBER < number < _MAX_ABS_NUMBER
            if not ok:
                raise RenderError("invalid_context", key)
        values[key] = value
    values[_LOCALE_KEY] = locale
    return values


def _template_line(error: BaseException) -> int | None:
    """The template line an exception was raised at (Jinja rewrites the traceback to the template's lines)."""
    line = None
    frame = error.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code.co_filename == "<template>":
            line = frame.tb_lineno
        frame = frame.tb_next
    return line


def _failure(error: Exception, line: int | None) -> RenderError:
    """What went wrong for this recipient, as a problem a reader of the delivery figures understands."""
    if isinstance(error, decimal.DecimalException | OverflowError):
        return RenderError("number_overflow", "", line)
    if isinstance(error, RecursionError):
        return RenderError("too_deep", "", line)
    if isinstance(error, TypeError) and "NoneType" in str(error):  # `x > 2` where x has no value for them
        return RenderError("empty_compared", "", line)
    return RenderError("render_failed", type(error).__name__, line)


def _deadline() -> float:
    return time.thread_time() + MAX_RENDER_SECONDS


def _run(template: Any, context: Mapping[str, object], locale: str, limit: int, deadline: float) -> str:
    """The template's output for a context; any failure is a RenderError (never another exception)."""
    values = _check_context(context, language(locale))
    parts: list[str] = []
    size = 0
    try:
        for chunk in template.generate(values):
            size += len(chunk)
            if size > limit:
                raise RenderError("output_too_long", str(limit))
            if len(parts) % _CHUNKS_PER_CLOCK_READ == 0 and time.thread_time() > deadline:
                raise RenderError("too_slow", _seconds(MAX_RENDER_SECONDS))
            parts.append(chunk)
    except RenderError:
        raise
    except UndefinedError as exc:
        found = _UNDEFINED_NAME_RE.search(exc.message or "")
        raise RenderError("missing_value", found.group(1) if found else str(exc), _template_line(exc)) from exc
    except Exception as exc:  # a recipient's failure is recorded with its reason: it never stops a mailing
        raise _failure(exc, _template_line(exc)) from exc
    return "".join(parts)


class _Compiled:
    """A validated, compiled template: built once (raises TemplateRejected), rendered per recipient. There is no
    other way to get one, so an invalid message can never be rendered."""

    __slots__ = ("_template", "placeholders", "source")
    _env: ImmutableSandboxedEnvironment
    _max_chars: int
    _subject: bool

    def __init__(self, source: str) -> None:
        problems, ast, names = analyse(source, self._env, self._max_chars, subject=self._subject)
        if problems or ast is None:  # no tree comes without a problem
            raise TemplateRejected(problems)
        self.source = source
        self.placeholders: frozenset[str] = names  # the placeholders the template uses
        self._template = _compile(self._env, ast)


class CompiledMessage(_Compiled):
    """A validated, compiled body."""

    __slots__ = ()
    _env, _max_chars, _subject = _BODY_ENV, MAX_SOURCE_CHARS, False

    def render(self, context: Mapping[str, object], locale: str) -> Rendered:
        """HTML and text for one recipient; raises RenderError (bad context, missing value, too long, too slow)."""
        deadline = _deadline()
        html, text = markup.render(_run(self._template, context, locale, MAX_OUTPUT_CHARS, deadline))
        if time.thread_time() > deadline:
            raise RenderError("too_slow", _seconds(MAX_RENDER_SECONDS))
        return Rendered(html=html, text=text)

    def render_markup(self, context: Mapping[str, object], locale: str) -> str:
        """Stage 1 only: the recipient's personalised markup (every value already neutralised by
        :func:`markup.escape_markup`). Storing it and calling :func:`markup.render` later gives exactly
        :meth:`render`'s result; raises RenderError."""
        return _run(self._template, context, locale, MAX_OUTPUT_CHARS, _deadline())


class CompiledSubject(_Compiled):
    """A validated, compiled subject line (plain text, one line)."""

    __slots__ = ()
    _env, _max_chars, _subject = _SUBJECT_ENV, MAX_SUBJECT_SOURCE_CHARS, True

    def render(self, context: Mapping[str, object], locale: str) -> str:
        """The subject for one recipient; raises RenderError."""
        return _run(self._template, context, locale, MAX_SUBJECT_OUTPUT_CHARS, _deadline()).strip()


# Keyed by the source text, hence by message version: an edit compiles anew, previews, tests and every batch
# of a mailing reuse it. A refusal is not kept: it costs the cheap checks, or at most the compile budget.
@lru_cache(maxsize=256)
def compile_message(source: str) -> CompiledMessage:
    """The compiled body (cached by source); raises TemplateRejected if the checks or the compile refuse it."""
    return CompiledMessage(source)


@lru_cache(maxsize=256)
def compile_subject(source: str) -> CompiledSubject:
    """The compiled subject (cached by source); raises TemplateRejected if it has problems."""
    return CompiledSubject(source)


def render(source: str, context: Mapping[str, object], locale: str) -> Rendered:
    """Validate (through the compile cache) and render a body; TemplateRejected / RenderError on failure."""
    return compile_message(source).render(context, locale)


def render_subject(source: str, context: Mapping[str, object], locale: str) -> str:
    """Validate and render a subject line."""
    return compile_subject(source).render(context, locale)


def preview(source: str, locale: str) -> Rendered:
    """The body rendered with every placeholder's example value."""
    return render(source, example_context(), locale)
