"""Safe rendering of personalised messages: validation at save time, compile once, render per recipient.

A message body is a Jinja template whose output is the small markup of :mod:`portal.messaging.markup`.
Rendering goes in two stages:

1. the template is rendered with the recipient's context in a sandboxed Jinja environment (autoescape off);
   every value printed by ``{{ … }}`` goes through a *finalize* hook that formats numbers for the locale and
   passes the text through :func:`markup.escape_markup`, so a value is always shown literally: it can
   inject neither HTML (escaped at stage 2) nor markup (``**``, ``[a](javascript:x)``, ``- `` …);
2. the resulting markup is converted to HTML (every character escaped with markupsafe) and to plain text.

A subject line is a template too, rendered as plain text on one line (no markup conversion).

Allowed in templates (anything else is refused by :func:`validate`, by walking the parsed AST):

* ``{{ expression }}`` and ``{% if %}`` / ``{% elif %}`` / ``{% else %}`` / ``{% endif %}``, comments;
* names: only the placeholders of :data:`PLACEHOLDERS`;
* literals: strings, integers, decimals, ``true`` / ``false`` / ``none`` (a leading ``-`` on a number);
* comparisons ``==  !=  <  <=  >  >=``, ``and``, ``or``, ``not``, ``a if test else b``;
* tests ``is defined``, ``is undefined``, ``is none``;
* filters ``upper``, ``lower``, ``title``, ``capitalize``, ``int``, ``round(precision 0–6, 'common'|'ceil'|
  'floor')``, ``default(literal or placeholder, true|false)``, ``number(digits 0–6, 'fr'|'en')``.

Refused: attribute access and subscripts, calls, arithmetic and string operators (``+ - * / // % ** ~``),
``in``, lists/tuples/dicts, ``for``, ``set``, ``macro``, ``call``, ``include``, ``import``, ``extends``,
``block``, ``with``, ``filter`` blocks, ``autoescape``; every Jinja global (``range``, ``cycler``, ``lipsum``,
``namespace``…) is removed. With no loops, calls or arithmetic, rendering time is linear in the template and
the values; the output is capped while it is produced.

Size limits, checked before anything is compiled, because Jinja's parser and code generator recurse and
Python's compiler has nesting limits of its own (beyond them a template crashed the compiler, or took
minutes to fail): the text's length, conditions inside conditions (:data:`MAX_NESTED_CONDITIONS`), the
names, values and signs of one ``{{ }}`` or ``{% %}`` (:data:`MAX_EXPRESSION_TOKENS`), the nesting of one
expression (:data:`MAX_EXPRESSION_DEPTH`), filters in a row (:data:`MAX_FILTER_CHAIN`) and number literals
(below :data:`MAX_NUMBER`, like the values of a context). The token stream is read first (conditions,
length, parentheses, numbers: what would make the parser recurse too deep or fail), then the parsed tree
(the depth of each expression, filter chains). Compiling and rendering then each have a budget of CPU time
(:data:`MAX_COMPILE_SECONDS`, :data:`MAX_RENDER_SECONDS`), checked at each node the code generator visits
and as the output is produced. :func:`validate` compiles the template and renders it once with the example
values: what it accepts compiles, and renders for every recipient whose values are valid.

Printed values: ``None`` prints as nothing; integers with the locale's thousands separator (U+202F in
French); decimals likewise with at most 2 decimals (use ``number(n)`` to choose). Block tags on their own
line leave no blank line behind (``trim_blocks`` and ``lstrip_blocks`` are on).

This module imports only jinja2, markupsafe, babel (optional) and the standard library.
"""

from __future__ import annotations

import decimal
import math
import re
import time
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, UndefinedError, nodes, pass_context
from jinja2.compiler import CodeGenerator
from jinja2.filters import FILTERS
from jinja2.runtime import Context, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.tests import TESTS
from markupsafe import Markup

from portal.messaging import markup

try:  # Babel comes with Flask-Babel; the fallback below keeps this module usable without it.
    from babel.core import Locale as _BabelLocale
    from babel.numbers import format_decimal as _babel_format_decimal
    from babel.numbers import parse_pattern as _babel_parse_pattern
except ImportError:  # pragma: no cover - babel is installed in the project
    _BabelLocale = None

__all__ = [
    "ALLOWED_FILTERS",
    "ALLOWED_TESTS",
    "LOCALES",
    "MAX_COMPILE_SECONDS",
    "MAX_EXPRESSION_DEPTH",
    "MAX_EXPRESSION_TOKENS",
    "MAX_FILTER_CHAIN",
    "MAX_NESTED_CONDITIONS",
    "MAX_NUMBER",
    "MAX_OUTPUT_CHARS",
    "MAX_RENDER_SECONDS",
    "MAX_SOURCE_CHARS",
    "MAX_SUBJECT_OUTPUT_CHARS",
    "MAX_SUBJECT_SOURCE_CHARS",
    "PLACEHOLDERS",
    "PROBLEM_MESSAGES",
    "CompiledMessage",
    "CompiledSubject",
    "Placeholder",
    "RenderError",
    "Rendered",
    "TemplateProblem",
    "TemplateRejected",
    "compile_message",
    "compile_subject",
    "example_context",
    "format_number",
    "preview",
    "render",
    "render_subject",
    "validate",
    "validate_subject",
]

MAX_SOURCE_CHARS = 20_000
MAX_OUTPUT_CHARS = 100_000
MAX_SUBJECT_SOURCE_CHARS = 1_000
MAX_SUBJECT_OUTPUT_CHARS = 2_000
MAX_NESTED_CONDITIONS = 10  # {% if %} inside {% if %}: Python refuses 100 levels of indentation
MAX_EXPRESSION_TOKENS = 100  # names, values and signs in one {{ }} or {% %}: bounds the parser's recursion
MAX_EXPRESSION_DEPTH = 10  # nesting of one expression (parentheses, filters, not, comparisons, inline if)
MAX_FILTER_CHAIN = 5  # `x|a|b|c|d|e`: each filter wraps a call around the previous one in the compiled code
MAX_NUMBER = 10**15  # numbers written in a template, like those of a context, stay below this
# Time budgets, in CPU seconds of the thread doing the work (time.thread_time): a template accepted at save is
# not refused later because the machine was busy. Every template within the limits above takes well under
# them (BENCHMARKS.md, "Message template limits").
MAX_COMPILE_SECONDS = 1.0
MAX_RENDER_SECONDS = 1.0  # for one recipient, markup stage included
_CHUNKS_PER_CLOCK_READ = 32  # reading the thread's CPU clock is a system call: once per this many chunks
LOCALES = ("fr", "en")
_MAX_ABS_NUMBER = MAX_NUMBER  # larger numbers in a context are a bug upstream (and costly to format)
_MAX_NUMBER_LITERAL_CHARS = 40  # longer literals are refused before being converted (int() of 5,000 digits fails)
NARROW_NBSP = "\u202f"

# ------------------------------------------------------------------------------------------ catalogue

Kind = Literal["int", "decimal", "str"]


@dataclass(frozen=True, slots=True)
class Placeholder:
    """One value a message can use: its name in templates, type, example (for previews) and description."""

    name: str
    kind: Kind
    example: int | Decimal | str
    description_fr: str
    description_en: str

    def description(self, locale: str) -> str:
        return self.description_fr if _locale(locale) == "fr" else self.description_en


PLACEHOLDERS: Mapping[str, Placeholder] = MappingProxyType(
    {
        p.name: p
        for p in (
            Placeholder("first_name", "str", "Camille", "Prénom du destinataire", "Recipient's first name"),
            Placeholder("last_name", "str", "Durand", "Nom de famille du destinataire", "Recipient's last name"),
            Placeholder(
                "org_unit",
                "str",
                "Direction des systèmes d'information",
                "Service ou direction du destinataire",
                "Recipient's department",
            ),
            Placeholder("site", "str", "Lyon Part-Dieu", "Site de travail du destinataire", "Recipient's work site"),
            Placeholder("commune", "str", "Lyon", "Commune du site de travail", "Town of the work site"),
            Placeholder("device_count", "int", 3, "Nombre d'équipements attribués", "Number of devices assigned"),
            Placeholder(
                "footprint_kg_per_year",
                "decimal",
                Decimal("412.5"),
                "Empreinte carbone annuelle de ses équipements (kg CO₂e par an)",
                "Annual carbon footprint of their devices (kg CO₂e per year)",
            ),
            Placeholder(
                "oldest_device_years",
                "int",
                6,
                "Âge de son équipement le plus ancien (années)",
                "Age of their oldest device (years)",
            ),
            Placeholder(
                "keep_longer_saving_kg",
                "decimal",
                Decimal("85.3"),
                "CO₂e évité en gardant ses équipements un an de plus (kg)",
                "CO₂e avoided by keeping their devices one more year (kg)",
            ),
            Placeholder(
                "org_average_kg_per_year",
                "decimal",
                Decimal("1234.5"),
                "Empreinte annuelle moyenne d'un agent de l'organisation (kg CO₂e par an)",
                "Average annual footprint of an employee of the organisation (kg CO₂e per year)",
            ),
            Placeholder(
                "nearest_collection_point",
                "str",
                "Mairie du 3e arrondissement, 215 rue Duguesclin",
                "Point de collecte le plus proche du site",
                "Collection point nearest to the work site",
            ),
            Placeholder(
                "campaign_freed_gb",
                "decimal",
                Decimal("12.4"),
                "Stockage libéré par le destinataire pendant la campagne de nettoyage (Go)",
                "Storage freed by the recipient during the clean-up campaign (GB)",
            ),
            Placeholder(
                "campaign_total_gb",
                "decimal",
                Decimal("3456.7"),
                "Stockage libéré par tous les participants de la campagne (Go)",
                "Storage freed by all the campaign's participants (GB)",
            ),
            Placeholder(
                "campaign_participants",
                "int",
                1287,
                "Nombre de participants à la campagne",
                "Number of participants in the campaign",
            ),
            Placeholder(
                "team_rank",
                "int",
                4,
                "Rang de son équipe dans la campagne",
                "Rank of their team in the campaign",
            ),
            Placeholder(
                "portal_url",
                "str",
                "https://portail.example.org",
                "Adresse du portail (pour un lien : [le portail]({{ portal_url }}))",
                "Address of the portal (for a link: [the portal]({{ portal_url }}))",
            ),
        )
    }
)


def example_context() -> dict[str, int | Decimal | str]:
    """Every placeholder with its example value: the context of previews."""
    return {name: p.example for name, p in PLACEHOLDERS.items()}


# ------------------------------------------------------------------------------------ problems, errors

PROBLEM_MESSAGES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        # validation (save time)
        "too_long": {
            "en": "The text is too long (at most {detail} characters).",
            "fr": "Le texte est trop long ({detail} caractères au plus).",
        },
        "syntax": {"en": "Syntax error: {detail}.", "fr": "Erreur de syntaxe\u00a0: {detail}."},
        "unknown_placeholder": {
            "en": "Unknown placeholder “{detail}”.",
            "fr": "Variable inconnue «\u00a0{detail}\u00a0».",
        },
        "unknown_filter": {
            "en": "Unknown filter “{detail}”.",
            "fr": "Filtre inconnu «\u00a0{detail}\u00a0».",
        },
        "unknown_test": {"en": "Unknown test “{detail}”.", "fr": "Test inconnu «\u00a0{detail}\u00a0»."},
        "forbidden": {
            "en": "This construct is not allowed in a message: {detail}.",
            "fr": "Cette construction n'est pas autorisée dans un message\u00a0: {detail}.",
        },
        "invalid_argument": {
            "en": "Invalid arguments for the “{detail}” filter or test.",
            "fr": "Arguments invalides pour le filtre ou test «\u00a0{detail}\u00a0».",
        },
        "type_mismatch": {
            "en": "These values cannot be compared or formatted together: {detail}.",
            "fr": "Ces valeurs ne peuvent pas être comparées ou mises en forme ensemble\u00a0: {detail}.",
        },
        "unsafe_link": {
            "en": "Link not allowed (only http, https and mailto addresses, without a name or password before "
            "the host): {detail}.",
            "fr": "Lien non autorisé (seules les adresses http, https et mailto le sont, sans nom ni mot de passe "
            "avant le serveur)\u00a0: {detail}.",
        },
        "newline": {
            "en": "A subject must fit on a single line.",
            "fr": "Un objet doit tenir sur une seule ligne.",
        },
        "nested_conditions": {
            "en": "Too many conditions inside one another (at most {detail}).",
            "fr": "Trop de conditions imbriquées les unes dans les autres ({detail} au plus).",
        },
        "expression_length": {
            "en": "This expression is too long (at most {detail} names, values and signs between the braces).",
            "fr": "Cette expression est trop longue ({detail} noms, valeurs et signes au plus entre les accolades).",
        },
        "expression_depth": {
            "en": "This expression is nested too deeply (at most {detail} levels of parentheses, filters, "
            "comparisons, not…).",
            "fr": "Cette expression est trop imbriquée ({detail} niveaux au plus de parenthèses, filtres, "
            "comparaisons, not…).",
        },
        "filter_chain": {
            "en": "Too many filters in a row (at most {detail}).",
            "fr": "Trop de filtres à la suite ({detail} au plus).",
        },
        "number_too_large": {
            "en": "This number is too large: {detail} (at most 999,999,999,999,999).",
            "fr": "Ce nombre est trop grand\u00a0: {detail} (999\u202f999\u202f999\u202f999\u202f999 au plus).",
        },
        "too_slow": {
            "en": "The message takes too long to prepare (more than {detail} s): simplify it.",
            "fr": "Le message est trop long à préparer (plus de {detail}\u00a0s)\u00a0: simplifiez-le.",
        },
        "too_complex": {
            "en": "The message is too complex to be prepared: simplify it.",
            "fr": "Le message est trop complexe pour être préparé\u00a0: simplifiez-le.",
        },
        # rendering (send time)
        "invalid_context": {
            "en": "Invalid value for the message: {detail}.",
            "fr": "Valeur invalide pour le message\u00a0: {detail}.",
        },
        "missing_value": {
            "en": "No value for the placeholder “{detail}”.",
            "fr": "Aucune valeur pour la variable «\u00a0{detail}\u00a0».",
        },
        "output_too_long": {
            "en": "The rendered message is too long (at most {detail} characters).",
            "fr": "Le message produit est trop long ({detail} caractères au plus).",
        },
        "render_failed": {
            "en": "The message could not be rendered: {detail}.",
            "fr": "Le message n'a pas pu être produit\u00a0: {detail}.",
        },
    }
)


def _message(code: str, detail: str, locale: str) -> str:
    return PROBLEM_MESSAGES[code][_locale(locale)].format(detail=detail)


@dataclass(frozen=True, slots=True)
class TemplateProblem:
    """Something that keeps a template from being saved or sent. `line` counts from 1 (None: whole text)."""

    line: int | None
    code: str
    detail: str = ""

    def message(self, locale: str = "en") -> str:
        """A default sentence for the problem (the web layer may use its own translations of `code`)."""
        return _message(self.code, self.detail, locale)

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.message('en')}"


class TemplateRejected(ValueError):
    """The template has problems: it cannot be compiled, hence never rendered nor sent."""

    def __init__(self, problems: Iterable[TemplateProblem]) -> None:
        self.problems: tuple[TemplateProblem, ...] = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class RenderError(Exception):
    """A valid template could not be rendered for one recipient (bad context, output too long…).

    `line` is the template line where it happened, when known (from 1).
    """

    def __init__(self, code: str, detail: str = "", line: int | None = None) -> None:
        self.code = code
        self.detail = detail
        self.line = line
        super().__init__(_message(code, detail, "en"))

    def message(self, locale: str = "en") -> str:
        return _message(self.code, self.detail, locale)


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message rendered for one recipient: the HTML part and the plain-text part."""

    html: Markup
    text: str


# ------------------------------------------------------------------------------------------- numbers


def _locale(locale: str) -> str:
    """'fr', 'fr_FR', 'fr-CA' → 'fr'; 'en…' → 'en'; anything else is a programming error."""
    code = str(locale).replace("-", "_").split("_")[0].lower()
    if code not in LOCALES:
        raise ValueError(f"unsupported locale {locale!r} (expected one of {LOCALES})")
    return code


if _BabelLocale is not None:
    _BABEL_LOCALES = {code: _BabelLocale.parse(code) for code in LOCALES}


@lru_cache(maxsize=8)
def _pattern(digits: int) -> Any:
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return _babel_parse_pattern(pattern) if _BabelLocale is not None else pattern


def _format_number_fallback(value: int | float | Decimal, locale: str, digits: int) -> str:
    """Same output as Babel for fr/en, for when Babel is missing."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    number = number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN)
    whole, _, fraction = f"{abs(number):f}".partition(".")
    fraction = fraction.rstrip("0")
    group, point = (NARROW_NBSP, ",") if locale == "fr" else (",", ".")
    text = f"{int(whole):,}".replace(",", group) + (point + fraction if fraction else "")
    return ("-" if number < 0 else "") + text


def format_number(value: int | float | Decimal, locale: str, digits: int = 1) -> str:
    """`1 234,5` (narrow no-break space) in French, `1,234.5` in English; at most `digits` decimals."""
    return _format_number(value, _locale(locale), digits)


@lru_cache(maxsize=4096)  # a mailing repeats the same figures (averages, campaign totals) for everyone
def _format_number(value: int | float | Decimal, locale: str, digits: int) -> str:
    # The pattern has no mandatory decimals, so equal numbers (1 == 1.0 == Decimal("1.00"), which share a
    # cache entry) have the same text.
    if _BabelLocale is None:  # pragma: no cover
        return _format_number_fallback(value, locale, digits)
    return _babel_format_decimal(value, format=_pattern(digits), locale=_BABEL_LOCALES[locale])


# ---------------------------------------------------------------------------------------- environment

_LOCALE_KEY = "__message_locale__"  # not a placeholder, hence unreachable from templates
_LINE_BREAKS_TABLE = {ord(c): " " for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"} | {
    cp: None for cp in [*range(0x00, 0x09), *range(0x0E, 0x1C), 0x1F, 0x7F]
}


def _display(value: object, locale: str) -> str:
    """How a printed value looks: numbers for the locale, None as nothing."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[return-value]
    if value is None:
        return ""
    if kind is int:
        return _format_number(value, locale, 0)  # type: ignore[arg-type]
    if kind is Decimal or kind is float:
        return _format_number(value, locale, 2)  # type: ignore[arg-type]
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
    return _format_number(value, _locale(locale) if locale else context.get(_LOCALE_KEY, "en"), digits)


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


ALLOWED_TESTS = ("defined", "undefined", "none")
_BUILTIN_FILTERS = ("upper", "lower", "title", "capitalize", "int", "round", "default")
ALLOWED_FILTERS = (*_BUILTIN_FILTERS, "number")


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
    env.filters = {name: FILTERS[name] for name in _BUILTIN_FILTERS} | {"number": _number_filter}
    env.tests = {name: TESTS[name] for name in ALLOWED_TESTS}
    return env


_BODY_ENV = _environment(_finalize_body)
_SUBJECT_ENV = _environment(_finalize_subject)

# ------------------------------------------------------------------------------------ AST validation

_COMPARISONS = {"eq": "==", "ne": "!=", "gt": ">", "gteq": ">=", "lt": "<", "lteq": "<="}
_ORDERINGS = frozenset({"gt", "gteq", "lt", "lteq"})
_FORBIDDEN: dict[type[nodes.Node], str] = {
    nodes.For: "for",
    nodes.Macro: "macro",
    nodes.CallBlock: "call",
    nodes.Call: "function call",
    nodes.Include: "include",
    nodes.Import: "import",
    nodes.FromImport: "import",
    nodes.Extends: "extends",
    nodes.Block: "block",
    nodes.Assign: "set",
    nodes.AssignBlock: "set",
    nodes.FilterBlock: "filter block",
    nodes.With: "with",
    nodes.ScopedEvalContextModifier: "autoescape",
    nodes.EvalContextModifier: "autoescape",
    nodes.ExprStmt: "do",
    nodes.Break: "break",
    nodes.Continue: "continue",
    nodes.Getattr: "attribute access (.)",
    nodes.Getitem: "subscript ([])",
    nodes.Slice: "slice",
    nodes.Tuple: "tuple",
    nodes.List: "list",
    nodes.Dict: "dict",
    nodes.Concat: "~",
    nodes.Add: "+",
    nodes.Sub: "-",
    nodes.Mul: "*",
    nodes.Div: "/",
    nodes.FloorDiv: "//",
    nodes.Mod: "%",
    nodes.Pow: "**",
    nodes.Neg: "-",
    nodes.Pos: "+",
}

# Expression "kinds" for the static type check: "num", "str", "bool", "none"; None means unknown.
_ExprKind = str | None


def _is_const(node: nodes.Node, *types: type) -> bool:
    return type(node) is nodes.Const and type(node.value) in types


def _small_int(node: nodes.Node) -> bool:
    return _is_const(node, int) and 0 <= node.value <= 6


def _one_of(*choices: str) -> Callable[[nodes.Node], bool]:
    return lambda node: _is_const(node, str) and node.value in choices


def _boolean(node: nodes.Node) -> bool:
    return _is_const(node, bool)


def _operand(node: nodes.Node) -> bool:
    return type(node) is nodes.Name or _is_const(node, str, int, float, bool, type(None))


# Filter → its parameters (after the filtered value), each with a check of the argument node.
_FILTER_PARAMETERS: dict[str, tuple[tuple[str, Callable[[nodes.Node], bool]], ...]] = {
    "upper": (),
    "lower": (),
    "title": (),
    "capitalize": (),
    "int": (),
    "round": (("precision", _small_int), ("method", _one_of("common", "ceil", "floor"))),
    "default": (("default_value", _operand), ("boolean", _boolean)),
    "number": (("digits", _small_int), ("locale", _one_of(*LOCALES))),
}
_FILTER_RESULT: dict[str, _ExprKind] = {
    "upper": "str",
    "lower": "str",
    "title": "str",
    "capitalize": "str",
    "number": "str",
    "int": "num",
    "round": "num",
    "default": None,
}
_NUMERIC_FILTERS = frozenset({"round", "number"})


def _describe(node: nodes.Node) -> str:
    if type(node) is nodes.Name:
        return node.name
    if type(node) is nodes.Const:
        return repr(node.value)
    if type(node) is nodes.Filter:
        return f"{_describe(node.node)}|{node.name}"
    return "…"


def _orderable(left: _ExprKind, right: _ExprKind) -> bool:
    if left is None or right is None:
        return True
    if "none" in (left, right):
        return False
    return left == right or {left, right} <= {"num", "bool"}


class _Checker:
    """Walks a parsed template and records every construct outside the allowed subset."""

    def __init__(self, check_links: bool) -> None:
        self.check_links = check_links
        self.problems: list[TemplateProblem] = []
        self.names: set[str] = set()

    def problem(self, node: nodes.Node, code: str, detail: str) -> None:
        self.problems.append(TemplateProblem(node.lineno, code, detail))

    def forbidden(self, node: nodes.Node) -> None:
        self.problem(node, "forbidden", _FORBIDDEN.get(type(node), type(node).__name__.lower()))

    def statements(self, body: Iterable[nodes.Node]) -> None:
        for node in body:
            if type(node) is nodes.Output:
                for child in node.nodes:
                    if type(child) is nodes.TemplateData:
                        self.data(child)
                    else:
                        self.expression(child)
            elif type(node) is nodes.If:
                self.expression(node.test)
                self.statements(node.body)
                self.statements(node.elif_)
                self.statements(node.else_)
            elif type(node) is nodes.Scope:  # `{% autoescape %}` wraps its (line-numbered) modifier in one
                self.statements(node.body)
            else:
                self.forbidden(node)

    def data(self, node: nodes.TemplateData) -> None:
        if self.check_links:
            for offset, url in markup.find_unsafe_links(node.data):
                self.problems.append(TemplateProblem(node.lineno + offset - 1, "unsafe_link", url))

    def expression(self, node: nodes.Node) -> _ExprKind:
        kind = type(node)
        if kind is nodes.Const:
            value = node.value
            if type(value) is bool:
                return "bool"
            if type(value) in (int, float):
                return "num"
            if type(value) is str:
                return "str"
            if value is None:
                return "none"
            self.problem(node, "forbidden", type(value).__name__)
            return None
        if kind is nodes.Name:
            placeholder = PLACEHOLDERS.get(node.name)
            if node.ctx != "load" or placeholder is None:
                self.problem(node, "unknown_placeholder", node.name)
                return None
            self.names.add(node.name)
            return "str" if placeholder.kind == "str" else "num"
        if kind in (nodes.Neg, nodes.Pos) and _is_const(node.node, int, float):
            return "num"  # a negative number literal
        if kind in (nodes.And, nodes.Or):
            self.expression(node.left)
            self.expression(node.right)
            return None
        if kind is nodes.Not:
            self.expression(node.node)
            return "bool"
        if kind is nodes.CondExpr:
            if node.expr2 is None:
                self.problem(node, "forbidden", "inline if without else")
                return None
            self.expression(node.test)
            first, second = self.expression(node.expr1), self.expression(node.expr2)
            return first if first == second else None
        if kind is nodes.Compare:
            return self.compare(node)
        if kind is nodes.Filter:
            return self.filter(node)
        if kind is nodes.Test:
            return self.test(node)
        self.forbidden(node)
        return None

    def compare(self, node: nodes.Compare) -> _ExprKind:
        left_node, left = node.expr, self.expression(node.expr)
        for operand in node.ops:
            right = self.expression(operand.expr)
            if operand.op not in _COMPARISONS:
                self.problem(node, "forbidden", {"in": "in", "notin": "not in"}.get(operand.op, operand.op))
            elif operand.op in _ORDERINGS and not _orderable(left, right):
                detail = f"{_describe(left_node)} {_COMPARISONS[operand.op]} {_describe(operand.expr)}"
                self.problem(node, "type_mismatch", detail)
            left_node, left = operand.expr, right
        return "bool"

    def arguments(self, node: nodes.Filter | nodes.Test, parameters: tuple) -> None:
        valid = node.dyn_args is None and node.dyn_kwargs is None and len(node.args) <= len(parameters)
        given = list(zip(parameters, node.args, strict=False))
        names = {name: check for name, check in parameters}
        for keyword in node.kwargs:
            if keyword.key not in names or any(name == keyword.key for (name, _), _ in given):
                valid = False
            else:
                given.append(((keyword.key, names[keyword.key]), keyword.value))
        for (_, check), value in given:
            if check(value):
                self.expression(value)
            else:
                valid = False
        if not valid:
            self.problem(node, "invalid_argument", node.name)

    def filter(self, node: nodes.Filter) -> _ExprKind:
        base = self.expression(node.node) if node.node is not None else None
        if node.name not in _FILTER_PARAMETERS:
            self.problem(node, "unknown_filter", node.name)
            return None
        self.arguments(node, _FILTER_PARAMETERS[node.name])
        if node.name in _NUMERIC_FILTERS and base in ("str", "bool"):
            self.problem(node, "type_mismatch", f"{_describe(node.node)}|{node.name}")
        return _FILTER_RESULT[node.name]

    def test(self, node: nodes.Test) -> _ExprKind:
        self.expression(node.node)
        if node.name not in ALLOWED_TESTS:
            self.problem(node, "unknown_test", node.name)
        else:
            self.arguments(node, ())
        return "bool"


# ------------------------------------------------------------------------------------------- limits

_TAG_BEGINS = frozenset({"variable_begin", "block_begin"})
_TAG_ENDS = frozenset({"variable_end", "block_end"})
_OPENING_BRACKETS = frozenset("([{")
_CLOSING_BRACKETS = frozenset(")]}")
# Block tags closed by an `end…` tag (`set` only in its block form, without `=`): each opens a nesting level.
_BLOCK_OPENERS = frozenset({"if", "for", "macro", "call", "filter", "block", "with", "autoescape"})


def _literal_problem(line: int, kind: str, text: str) -> TemplateProblem | None:
    """A number literal at or above MAX_NUMBER (or not finite, like 1e309), before Jinja converts it."""
    shown = text if len(text) <= 24 else text[:20] + "…"
    if len(text) > _MAX_NUMBER_LITERAL_CHARS:
        return TemplateProblem(line, "number_too_large", shown)
    digits = text.replace("_", "")
    try:
        value = int(digits, 0) if kind == "integer" else float(digits)
    except ValueError:
        return None  # not a number Python reads: the parser reports it
    if not math.isfinite(value) or abs(value) >= MAX_NUMBER:
        return TemplateProblem(line, "number_too_large", shown)
    return None


def _token_problems(source: str, env: ImmutableSandboxedEnvironment) -> list[TemplateProblem]:
    """Limits read from the token stream, before parsing: the parser recurses once per nested condition,
    parenthesis or `not`, and converts number literals whatever their size; raises TemplateSyntaxError."""
    found: dict[str, TemplateProblem] = {}  # the first place each limit is passed: one line per limit

    def passed(problem: TemplateProblem | None) -> None:
        if problem is not None:
            found.setdefault(problem.code, problem)

    blocks = 0  # block tags open around the current position
    brackets = 0  # brackets open in the current tag
    tag: list[tuple[int, str, str]] | None = None  # the tokens of the current tag (None: outside tags)
    for line, kind, value in env.lexer.tokeniter(source, None):
        if kind in _TAG_BEGINS:
            tag, brackets = [], 0
        elif tag is None or kind == "whitespace":
            continue
        elif kind in _TAG_ENDS:
            start = tag[0][0] if tag else line
            if len(tag) > MAX_EXPRESSION_TOKENS:
                passed(TemplateProblem(start, "expression_length", str(MAX_EXPRESSION_TOKENS)))
            name = tag[0][2] if kind == "block_end" and tag and tag[0][1] == "name" else ""
            block_set = name == "set" and not any(t[1:] == ("operator", "=") for t in tag)
            if name in _BLOCK_OPENERS or block_set:
                blocks += 1
                if blocks > MAX_NESTED_CONDITIONS:
                    passed(TemplateProblem(start, "nested_conditions", str(MAX_NESTED_CONDITIONS)))
            elif name.startswith("end"):
                blocks = max(0, blocks - 1)
            tag = None
        else:
            tag.append((line, kind, value))
            if kind in ("integer", "float"):
                passed(_literal_problem(line, kind, value))
            elif kind == "operator" and value in _OPENING_BRACKETS:
                brackets += 1
                if brackets > MAX_EXPRESSION_DEPTH:
                    passed(TemplateProblem(line, "expression_depth", str(MAX_EXPRESSION_DEPTH)))
            elif kind == "operator" and value in _CLOSING_BRACKETS:
                brackets = max(0, brackets - 1)
    return list(found.values())


def _shape_problems(ast: nodes.Template) -> list[TemplateProblem]:
    """Limits read from the parsed tree, walked without recursion: the depth of each expression and the
    length of filter chains (the checker, the code generator and Python's compiler all recurse on them)."""
    found: dict[str, TemplateProblem] = {}  # the first line where each limit is passed

    def passed(node: nodes.Node, code: str, limit: int) -> None:
        if code not in found or node.lineno < (found[code].line or 0):
            found[code] = TemplateProblem(node.lineno, code, str(limit))

    stack: list[tuple[nodes.Node, int, int]] = [(ast, 0, 0)]  # node, expression depth, filters in a row
    while stack:
        node, depth, chain = stack.pop()
        if depth > MAX_EXPRESSION_DEPTH:
            passed(node, "expression_depth", MAX_EXPRESSION_DEPTH)
            continue
        if chain > MAX_FILTER_CHAIN:
            passed(node, "filter_chain", MAX_FILTER_CHAIN)
            continue
        for child in node.iter_child_nodes():
            if not isinstance(child, nodes.Expr):
                stack.append((child, depth, 0))
            elif type(child) is nodes.Filter:
                stack.append((child, depth + 1, chain + 1 if type(node) is nodes.Filter else 1))
            elif type(child) in (nodes.And, nodes.Or) and type(child) is type(node):
                stack.append((child, depth, 0))  # `a and b and c` is one level, not a nested one
            else:
                stack.append((child, depth + 1, 0))
    return list(found.values())


def _sorted(problems: Iterable[TemplateProblem]) -> list[TemplateProblem]:
    unique = dict.fromkeys(problems)
    return sorted(unique, key=lambda p: (p.line or 0, p.code, p.detail))


def _analyse(
    source: str, env: ImmutableSandboxedEnvironment, max_chars: int, subject: bool
) -> tuple[list[TemplateProblem], nodes.Template | None, frozenset[str]]:
    if not isinstance(source, str):
        raise TypeError(f"a template source is a str, not {type(source).__name__}")
    if len(source) > max_chars:
        return [TemplateProblem(None, "too_long", str(max_chars))], None, frozenset()
    problems = []
    if subject and ("\n" in source or "\r" in source):
        line = source.replace("\r\n", "\n").replace("\r", "\n").index("\n") + 1
        problems.append(TemplateProblem(source[: line - 1].count("\n") + 1, "newline", ""))
    try:
        limits = _token_problems(source, env)
        if limits:
            return _sorted([*problems, *limits]), None, frozenset()
        ast = env.parse(source)
    except TemplateSyntaxError as exc:
        syntax = TemplateProblem(exc.lineno, "syntax", (exc.message or "").rstrip("."))
        return [*problems, syntax], None, frozenset()
    except Exception:  # a parser limit the checks above do not foresee: refused, never a crash
        return [*problems, TemplateProblem(None, "too_complex")], None, frozenset()
    limits = _shape_problems(ast)
    if limits:
        return _sorted([*problems, *limits]), None, frozenset()
    checker = _Checker(check_links=not subject)
    checker.statements(ast.body)
    return _sorted([*problems, *checker.problems]), ast, frozenset(checker.names)


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

_PLACEHOLDER_KINDS: dict[str, str] = {name: p.kind for name, p in PLACEHOLDERS.items()}
# Plain values only, and of the placeholder's kind (None is allowed for any placeholder: "no value").
# bool is a plain type but no placeholder is boolean, so it is refused like any other type.
_VALUE_TYPES: dict[str, tuple[type, ...]] = {"str": (str,), "int": (int,), "decimal": (int, float, Decimal)}
_UNDEFINED_NAME_RE = re.compile(r"'([^']+)' is undefined")


def _check_context(context: Mapping[str, object], locale: str) -> dict[str, object]:
    """A copy of `context` holding only catalogue placeholders with plain values of the right kind."""
    if not isinstance(context, Mapping):
        raise RenderError("invalid_context", f"context is a {type(context).__name__}, not a mapping")
    values: dict[str, object] = {}
    for key, value in context.items():
        kind = _PLACEHOLDER_KINDS.get(key) if type(key) is str else None
        if kind is None:
            raise RenderError("invalid_context", f"{key!r} is not a placeholder")
        if value is not None:
            value_type = type(value)
            if value_type not in _VALUE_TYPES[kind]:
                raise RenderError("invalid_context", f"{key}: {value_type.__name__} is not a valid {kind}")
            if value_type is str:
                ok = len(value) <= MAX_OUTPUT_CHARS  # type: ignore[arg-type]
            else:
                ok = math.isfinite(value) and abs(value) < _MAX_ABS_NUMBER  # type: ignore[arg-type]
            if not ok:
                raise RenderError("invalid_context", f"{key}: value out of range")
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


def _reason(error: Exception) -> str:
    """What went wrong, in words a reader of the delivery figures understands."""
    if isinstance(error, decimal.DecimalException | OverflowError):
        return "a number is too large to be shown"
    if isinstance(error, RecursionError):
        return "the message is nested too deeply"
    return str(error) or type(error).__name__


def _deadline() -> float:
    return time.thread_time() + MAX_RENDER_SECONDS


def _run(template: Any, context: Mapping[str, object], locale: str, limit: int, deadline: float) -> str:
    """The template's output for a context; any failure is a RenderError (never another exception)."""
    values = _check_context(context, _locale(locale))
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
        raise RenderError("render_failed", _reason(exc), _template_line(exc)) from exc
    return "".join(parts)


class CompiledMessage:
    """A validated, compiled body: build it once (raises TemplateRejected), render it per recipient.

    There is no other way to get one, so an invalid message can never be rendered.
    """

    __slots__ = ("_template", "placeholders", "source")

    def __init__(self, source: str) -> None:
        problems, ast, names = _analyse(source, _BODY_ENV, MAX_SOURCE_CHARS, subject=False)
        if problems:
            raise TemplateRejected(problems)
        self.source = source
        self.placeholders: frozenset[str] = names  # the placeholders the template uses
        self._template = _compile(_BODY_ENV, ast)

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


class CompiledSubject:
    """A validated, compiled subject line (plain text, one line)."""

    __slots__ = ("_template", "placeholders", "source")

    def __init__(self, source: str) -> None:
        problems, ast, names = _analyse(source, _SUBJECT_ENV, MAX_SUBJECT_SOURCE_CHARS, subject=True)
        if problems:
            raise TemplateRejected(problems)
        self.source = source
        self.placeholders: frozenset[str] = names
        self._template = _compile(_SUBJECT_ENV, ast)

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
