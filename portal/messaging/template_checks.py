"""What a message template may hold, checked before it is compiled: the allowed subset, walked on the parsed
tree, and the size limits, read from the tokens and the tree.

Allowed in templates (anything else is refused, by walking the parsed AST):

* ``{{ expression }}`` and ``{% if %}`` / ``{% elif %}`` / ``{% else %}`` / ``{% endif %}``, comments;
* names: only the placeholders of :data:`portal.messaging.placeholders.PLACEHOLDERS`;
* literals: strings, integers, decimals, ``true`` / ``false`` / ``none`` (a leading ``-`` on a number);
* comparisons ``==  !=  <  <=  >  >=``, ``and``, ``or``, ``not``, ``a if test else b``;
* tests ``is defined``, ``is undefined``, ``is none``;
* filters ``upper``, ``lower``, ``title``, ``capitalize``, ``int``, ``round(precision 0–6, 'common'|'ceil'|
  'floor')``, ``default(literal or placeholder, true|false)``, ``number(digits 0–6, 'fr'|'en')``.

Refused: attribute access and subscripts, calls, arithmetic and string operators (``+ - * / // % ** ~``),
``in``, lists/tuples/dicts, ``for``, ``set``, ``macro``, ``call``, ``include``, ``import``, ``extends``,
``block``, ``with``, ``filter`` blocks, ``autoescape``. With no loops, calls or arithmetic, rendering time is
linear in the template and the values.

Size limits, checked before anything is compiled, because Jinja's parser and code generator recurse and
Python's compiler has nesting limits of its own (beyond them a template crashed the compiler, or took
minutes to fail): the text's length, conditions inside conditions (:data:`MAX_NESTED_CONDITIONS`), the
names, values and signs of one ``{{ }}`` or ``{% %}`` (:data:`MAX_EXPRESSION_TOKENS`), the nesting of one
expression (:data:`MAX_EXPRESSION_DEPTH`), filters in a row (:data:`MAX_FILTER_CHAIN`) and number literals
(below :data:`MAX_NUMBER`, like the values of a context). The token stream is read first (conditions,
length, parentheses, numbers: what would make the parser recurse too deep or fail), then the parsed tree
(the depth of each expression, filter chains).

This module imports only jinja2, the standard library and the messaging markup and placeholders.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeGuard

from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from portal.domain_error import DomainError
from portal.messaging import markup
from portal.messaging.placeholders import LOCALES, PLACEHOLDERS

MAX_SOURCE_CHARS = 20_000
MAX_SUBJECT_SOURCE_CHARS = 1_000
MAX_NESTED_CONDITIONS = 10  # {% if %} inside {% if %}: Python refuses 100 levels of indentation
MAX_EXPRESSION_TOKENS = 100  # names, values and signs in one {{ }} or {% %}: bounds the parser's recursion
MAX_EXPRESSION_DEPTH = 10  # nesting of one expression (parentheses, filters, not, comparisons, inline if)
MAX_FILTER_CHAIN = 5  # `x|a|b|c|d|e`: each filter wraps a call around the previous one in the compiled code
MAX_NUMBER = 10**15  # numbers written in a template, like those of a context, stay below this
_MAX_NUMBER_LITERAL_CHARS = 40  # longer literals are refused before being converted (int() of 5,000 digits fails)

ALLOWED_TESTS = ("defined", "undefined", "none")
BUILTIN_FILTERS = ("upper", "lower", "title", "capitalize", "int", "round", "default")
ALLOWED_FILTERS = (*BUILTIN_FILTERS, "number")

# ------------------------------------------------------------------------------------ problems, errors


class TemplateError(DomainError):
    """A template problem by its code and the detail it quotes; the words are `display.TEMPLATE_PROBLEMS`.

    `line` is the template line it is about, when known (from 1).
    """

    domain = "messaging"
    table = "TEMPLATE_PROBLEMS"

    def __init__(self, code: str, detail: str = "", line: int | None = None) -> None:
        super().__init__(code, detail=detail)
        self.detail = detail
        self.line = line


@dataclass(frozen=True, slots=True)
class TemplateProblem:
    """Something that keeps a template from being saved or sent. `line` counts from 1 (None: whole text)."""

    line: int | None
    code: str
    detail: str = ""

    def message(self, locale: str | None = None) -> str:
        """The problem in words: in the current language, or in `locale` (logs and commands: "en")."""
        return TemplateError(self.code, self.detail, self.line).message(locale)

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.message('en')}"


class TemplateRejected(DomainError):
    """The template has problems (each with its line): it cannot be compiled, hence never rendered nor sent."""

    domain = "messaging"
    table = "MESSAGE_ERRORS"

    def __init__(self, problems: Iterable[TemplateProblem]) -> None:
        super().__init__("content_rejected")
        self.problems: tuple[TemplateProblem, ...] = tuple(problems)
        self.args = ("; ".join(str(p) for p in self.problems),)  # what a log shows


# ------------------------------------------------------------------------------------ AST validation

_COMPARISONS = {"eq": "==", "ne": "!=", "gt": ">", "gteq": ">=", "lt": "<", "lteq": "<="}
_ORDERINGS = frozenset({"gt", "gteq", "lt", "lteq"})
_TAG_NODES: dict[type[nodes.Node], str] = {
    nodes.For: "for",
    nodes.Macro: "macro",
    nodes.CallBlock: "call",
    nodes.Include: "include",
    nodes.Import: "import",
    nodes.FromImport: "from",
    nodes.Extends: "extends",
    nodes.Block: "block",
    nodes.Assign: "set",
    nodes.AssignBlock: "set",
    nodes.FilterBlock: "filter",
    nodes.With: "with",
    nodes.ScopedEvalContextModifier: "autoescape",
    nodes.EvalContextModifier: "autoescape",
    nodes.ExprStmt: "do",
    nodes.Break: "break",
    nodes.Continue: "continue",
}
_OPERATOR_NODES: dict[type[nodes.Node], str] = {
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


def _forbidden(node: nodes.Node) -> tuple[str, str]:
    """The problem code (and its detail) of a construct outside the allowed subset: each kind says what to do."""
    kind = type(node)
    if kind in _TAG_NODES:
        return "forbidden_tag", _TAG_NODES[kind]
    if kind in _OPERATOR_NODES:
        return "forbidden_operator", _OPERATOR_NODES[kind]
    if kind is nodes.Call:
        return "forbidden_call", ""
    if kind in (nodes.Getattr, nodes.Getitem, nodes.Slice):
        return "forbidden_attribute", ""
    if kind in (nodes.Tuple, nodes.List, nodes.Dict):
        return "forbidden_collection", ""
    return "forbidden_construct", ""


# Expression "kinds" for the static type check: "num", "str", "bool", "none"; None means unknown.
_ExprKind = str | None


def _is_const(node: nodes.Node | None, *types: type) -> TypeGuard[nodes.Const]:
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


def _describe(node: nodes.Node | None) -> str:
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
        self.problem(node, *_forbidden(node))

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
        if type(node) is nodes.Const:
            value = node.value
            if type(value) is bool:
                return "bool"
            if type(value) in (int, float):
                return "num"
            if type(value) is str:
                return "str"
            if value is None:
                return "none"
            self.problem(node, "forbidden_construct", "")
            return None
        if type(node) is nodes.Name:
            placeholder = PLACEHOLDERS.get(node.name)
            if node.ctx != "load" or placeholder is None:
                self.problem(node, "unknown_placeholder", node.name)
                return None
            self.names.add(node.name)
            return "str" if placeholder.kind == "str" else "num"
        if (type(node) is nodes.Neg or type(node) is nodes.Pos) and _is_const(node.node, int, float):
            return "num"  # a negative number literal
        if type(node) is nodes.And or type(node) is nodes.Or:
            self.expression(node.left)
            self.expression(node.right)
            return None
        if type(node) is nodes.Not:
            self.expression(node.node)
            return "bool"
        if type(node) is nodes.CondExpr:
            if node.expr2 is None:
                self.problem(node, "forbidden_inline_if", "")
                return None
            self.expression(node.test)
            first, second = self.expression(node.expr1), self.expression(node.expr2)
            return first if first == second else None
        if type(node) is nodes.Compare:
            return self.compare(node)
        if type(node) is nodes.Filter:
            return self.filter(node)
        if type(node) is nodes.Test:
            return self.test(node)
        self.forbidden(node)
        return None

    def compare(self, node: nodes.Compare) -> _ExprKind:
        left_node, left = node.expr, self.expression(node.expr)
        for operand in node.ops:
            right = self.expression(operand.expr)
            if operand.op not in _COMPARISONS:
                self.problem(node, "forbidden_in", "")
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


# ---------------------------------------------------------------------------------------- syntax errors

# Jinja's parser explains a syntax error in English, for template authors. A message writer gets instead one of
# the problems below, each saying in their language where it is and what to do (display.TEMPLATE_PROBLEMS): the
# parser's words are read here only to tell the cases apart, and never shown.
_UNKNOWN_TAG = re.compile(r"Encountered unknown tag '(\w+)'")
_UNEXPECTED_CHAR = re.compile(r"unexpected char (['\"])(.)\1")
_IF_TAGS = frozenset({"if", "elif", "else", "endif"})


def _open_if_lines(source: str, env: ImmutableSandboxedEnvironment) -> list[int]:
    """The lines of the `{% if %}` tags still open at the end of the text, outermost first."""
    opened: list[int] = []
    expecting_name = False
    try:
        for line, kind, value in env.lexer.tokeniter(source, None):
            if kind == "block_begin":
                expecting_name = True
            elif expecting_name and kind == "name":
                if value == "if":
                    opened.append(line)
                elif value == "endif" and opened:
                    opened.pop()
                expecting_name = False
            elif kind != "whitespace":
                expecting_name = False
    except TemplateSyntaxError:
        pass  # the lexer's own error comes after what was read
    return opened


def _unclosed_delimiter(source: str) -> str:
    """Which delimiter is left open at the end of the text: "{{", "{%" or "{#"."""
    last = max(("{{", "{%", "{#"), key=source.rfind)
    return last


def syntax_problem(error: TemplateSyntaxError, source: str, env: ImmutableSandboxedEnvironment) -> TemplateProblem:
    """The problem a message writer reads for a syntax error of the template (never Jinja's own words)."""
    text = error.message or ""
    line = error.lineno
    unknown = _UNKNOWN_TAG.match(text)
    if unknown:
        tag = unknown.group(1)
        inside_if = "needs to be closed is 'if'" in text
        if tag == "endif" and not inside_if:
            return TemplateProblem(line, "orphan_endif")
        if tag in ("else", "elif"):
            return TemplateProblem(line, "second_else" if inside_if else "orphan_else", tag)
        return TemplateProblem(line, "unknown_tag", tag)
    if text.startswith("Missing end of raw directive"):
        return TemplateProblem(line, "unknown_tag", "raw")
    if text.startswith("Unexpected end of template. Jinja was looking for"):
        opened = _open_if_lines(source, env)
        if "needs to be closed is 'if'" in text and opened:
            return TemplateProblem(opened[-1], "unclosed_if", str(opened[-1]))
        return TemplateProblem(line, "unclosed_block")
    if text.startswith(("unexpected end of template", "unexpected 'end of template'", "Missing end of")):
        delimiter = "{#" if text.startswith("Missing end of comment") else _unclosed_delimiter(source)
        code = {"{{": "unclosed_print", "{%": "unclosed_tag", "{#": "unclosed_comment"}[delimiter]
        return TemplateProblem(line, code)
    char = _UNEXPECTED_CHAR.match(text)
    if char:
        if char.group(2) in "'\"":
            return TemplateProblem(line, "unclosed_quote")
        return TemplateProblem(line, "unexpected_sign", char.group(2))
    if text.startswith("Expected an expression"):
        return TemplateProblem(line, "empty_expression")
    if text.startswith("expected token '") and not text.startswith("expected token 'name'"):
        return TemplateProblem(line, "missing_operator")
    if text.startswith("expected token 'name'"):
        return TemplateProblem(line, "missing_name")
    if text.startswith(("unexpected 'end of statement block'", "unexpected 'end of print statement'")):
        return TemplateProblem(line, "incomplete_expression")
    if text.endswith(", expected ')'"):
        return TemplateProblem(line, "unclosed_parenthesis")
    if text == "unexpected '}'":
        return TemplateProblem(line, "single_brace")
    if text.startswith("unexpected '"):
        return TemplateProblem(line, "unexpected_sign", text[len("unexpected '"):].split("'")[0])
    if text == "tag name expected":
        return TemplateProblem(line, "empty_tag")
    return TemplateProblem(line, "syntax")


def _sorted(problems: Iterable[TemplateProblem]) -> list[TemplateProblem]:
    unique = dict.fromkeys(problems)
    return sorted(unique, key=lambda p: (p.line or 0, p.code, p.detail))


def analyse(
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
        return [*problems, syntax_problem(exc, source, env)], None, frozenset()
    except Exception:  # a parser limit the checks above do not foresee: refused, never a crash
        return [*problems, TemplateProblem(None, "too_complex")], None, frozenset()
    limits = _shape_problems(ast)
    if limits:
        return _sorted([*problems, *limits]), None, frozenset()
    checker = _Checker(check_links=not subject)
    checker.statements(ast.body)
    return _sorted([*problems, *checker.problems]), ast, frozenset(checker.names)

