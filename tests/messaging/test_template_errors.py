"""Every problem a template can have is explained in the writer's language, with its line and what to do:
never in Jinja's own (English) words, whatever is typed."""

from __future__ import annotations

import random
import re

import pytest

from portal.messaging import rendering, template_checks
from portal.messaging.display import TEMPLATE_PROBLEMS
from portal.messaging.placeholders import example_context
from portal.messaging.ready import READY_TEMPLATES
from portal.messaging.rendering import RenderError, render, validate, validate_subject
from portal.messaging.template_checks import TemplateProblem
from tests.conftest import csrf_token

#: A body showing each kind of problem, with the line the writer is sent to.
BODIES = {
    "unclosed_if": ("Bonjour,\n\n{% if device_count > 2 %}\nVous avez beaucoup d’équipements.", 3),
    "unclosed_block": ("Bonjour,\n{% for x in y %}", 2),
    "orphan_endif": ("Bonjour,\n{% endif %}", 2),
    "orphan_else": ("Bonjour,\n{% else %}", 2),
    "second_else": ("{% if device_count > 1 %}a\n{% else %}b\n{% else %}c{% endif %}", 3),
    "unknown_tag": ("Bonjour,\n{% foreach device %}", 2),
    "unclosed_print": ("Bonjour {{ first_name", 1),
    "unclosed_tag": ("Bonjour,\n{% if device_count > 2 %", 2),
    "unclosed_comment": ("Bonjour,\n{# à relire", 2),
    "unclosed_quote": ("{% if org_unit == 'DSI %}x{% endif %}", 1),
    "unclosed_parenthesis": ("{{ (first_name }}", 1),
    "single_brace": ("Bonjour {{ first_name }", 1),
    "unexpected_sign": ("{{ first_name ! }}", 1),
    "empty_expression": ("Bonjour {{ }}", 1),
    "missing_operator": ("{% if device_count 2 %}x{% endif %}", 1),
    "missing_name": ("{{ first_name | }}", 1),
    "incomplete_expression": ("{% if device_count > %}x{% endif %}", 1),
    "empty_tag": ("Bonjour\n{% %}", 2),
    "syntax": ("{% set 1 = 2 %}", 1),
    "too_long": ("x" * (template_checks.MAX_SOURCE_CHARS + 1), None),
    "unknown_placeholder": ("Bonjour {{ prenom }}", 1),
    "unknown_filter": ("{{ first_name|capitalise }}", 1),
    "unknown_test": ("{% if device_count is empty %}x{% endif %}", 1),
    "forbidden_tag": ("{% for i in range(3) %}x{% endfor %}", 1),
    "forbidden_call": ("{{ first_name.upper() }}", 1),
    "forbidden_attribute": ("{{ first_name.__class__ }}", 1),
    "forbidden_operator": ("{{ device_count + 1 }}", 1),
    "forbidden_in": ("{% if 'a' in first_name %}x{% endif %}", 1),
    "forbidden_collection": ("{{ [1, 2] }}", 1),
    "forbidden_inline_if": ("{{ 'beaucoup' if device_count > 2 }}", 1),
    "invalid_argument": ("{{ footprint_kg_per_year|round(10) }}", 1),
    "type_mismatch": ("{% if first_name > 2 %}x{% endif %}", 1),
    "unsafe_link": ("[cliquez](javascript:alert(1))", 1),
    "nested_conditions": ("{% if 1 %}" * 11 + "x" + "{% endif %}" * 11, 1),
    "expression_length": ("{{ " + "1 and " * 60 + "1 }}", 1),
    "expression_depth": ("{{ " + "(" * 11 + "1" + ")" * 11 + " }}", 1),
    "filter_chain": ("{{ first_name" + "|upper" * 6 + " }}", 1),
    "number_too_large": ("{{ 1e309 }}", 1),
}
#: Problems met while rendering for one recipient: the context that causes them.
RENDERED = {
    "missing_value": ("{{ first_name }}", {}),
    "invalid_context": ("{{ first_name }}", {"first_name": 3}),
    "output_too_long": ("{{ first_name }}" * 11, {"first_name": "x" * 10_000}),
    "empty_compared": ("{% if oldest_device_years > 3 %}x{% endif %}", {"oldest_device_years": None}),
}
#: Kinds that no text typed in the composer reaches (the limits of the machine, or a bug upstream of the
#: context): their words are still checked, from the problem itself.
UNREACHABLE_BY_TYPING = {"too_slow", "too_complex", "forbidden_construct", "number_overflow", "too_deep",
                         "render_failed"}
#: Words of Jinja's parser messages ("unexpected end of template, expected 'end of print statement'",
#: "Encountered unknown tag …", "The innermost block that needs to be closed is …").
JINJA_WORDS = re.compile(
    r"unexpected|expected|encountered|jinja|template|token|statement|looking for|innermost|end of|got '|char ",
    re.IGNORECASE,
)


def problem_of(code: str) -> TemplateProblem:
    """A real problem of that kind, from what a writer could type (or from the problem alone)."""
    if code in BODIES:
        source, _line = BODIES[code]
        return next(p for p in validate(source) if p.code == code)
    if code in RENDERED:
        source, values = RENDERED[code]
        context = example_context() if code != "missing_value" else {}
        context.update(values)
        if code == "missing_value":
            context = {k: v for k, v in example_context().items() if k != "first_name"}
        with pytest.raises(RenderError) as caught:
            render(source, context, "fr")
        return TemplateProblem(caught.value.line, caught.value.code, caught.value.detail)
    return TemplateProblem(2, code, "1")


def test_every_kind_of_problem_has_a_case_here():
    assert set(BODIES) | set(RENDERED) | UNREACHABLE_BY_TYPING | {"newline"} == set(TEMPLATE_PROBLEMS)


@pytest.mark.parametrize("code", sorted(TEMPLATE_PROBLEMS))
def test_each_kind_is_explained_in_french_and_in_english_without_jinja_words(code):
    problem = problem_of(code)
    assert problem.code == code
    french, english = problem.message("fr"), problem.message("en")
    assert french != english
    assert not JINJA_WORDS.search(french), french
    assert not JINJA_WORDS.search(english.replace("template", "")), english
    assert ":" in english or code == "forbidden_construct", "say what to do: " + english


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("code", sorted(BODIES))
def test_the_composer_shows_the_line_and_the_words_in_the_interface_language(client, login_as, code, locale):
    source, line = BODIES[code]
    login_as("comms", locale=locale)
    page = _unescaped(client.post("/comms/messages/validate", data={
        "field": "body_fr", "body_fr": source, "csrf_token": csrf_token(client)}).get_data(as_text=True))
    shown = next(p for p in validate(source) if p.code == code).message(locale)
    where = "" if line is None else ("Ligne %d\u202f: " if locale == "fr" else "Line %d: ") % line
    assert where + shown in page
    if locale == "fr":
        assert not JINJA_WORDS.search(page), page


def test_the_unclosed_condition_of_the_issue_is_explained_as_asked():
    problem = validate("Bonjour,\n\n{% if device_count > 2 %}\nVous avez beaucoup d’équipements.")[0]
    assert problem.line == 3
    assert problem.message("fr") == (
        "Le bloc «\u202fsi\u202f» ouvert ligne 3 n’est pas fermé\u202f: ajoutez {% endif %} après ce qu’il affiche."
    )
    assert problem.message("en") == (
        "The “if” block opened on line 3 is not closed: add {% endif %} after what it shows."
    )


def test_a_subject_on_two_lines_is_explained_in_both_languages():
    (problem,) = validate_subject("Bonjour\n{{ first_name }}")
    assert problem.message("fr") == "Un objet doit tenir sur une seule ligne\u202f: supprimez le retour à la ligne."


def test_no_typing_mistake_in_a_ready_template_shows_jinja_words_in_french():
    """Ready templates broken the way people break them (a brace or a percent sign lost or doubled, a word
    cut): whatever the parser says, the writer reads French."""
    picker = random.Random(20261203)  # noqa: S311 - a fixed sample of mistakes, not security
    seen = set()
    for _ in range(400):
        source = picker.choice(READY_TEMPLATES).body_fr
        spots = [m.start() for m in re.finditer(r"[{}%|()'\"]|if|endif|else", source)]
        at = picker.choice(spots)
        mistake = picker.choice(("drop", "double", "swap"))
        if mistake == "drop":
            source = source[:at] + source[at + 1:]
        elif mistake == "double":
            source = source[:at] + source[at] + source[at:]
        else:
            source = source[:at] + picker.choice("{}%()'|!") + source[at + 1:]
        for problem in validate(source):
            seen.add(problem.code)
            assert not JINJA_WORDS.search(problem.message("fr")), (source[max(0, at - 30):at + 30], problem)
    assert len(seen) >= 8, seen


def test_jinja_words_never_reach_the_problem_even_as_its_detail(monkeypatch):
    captured = []
    original = template_checks.syntax_problem

    def spy(error, source, env):
        captured.append(error.message)
        return original(error, source, env)

    monkeypatch.setattr(template_checks, "syntax_problem", spy)
    for code, (source, _line) in BODIES.items():
        rendering.compile_message.cache_clear()
        for problem in validate(source):
            assert not JINJA_WORDS.search(problem.detail), (code, problem)
    assert captured  # the parser's English was there, and was only read


def _unescaped(page: str) -> str:
    return page.replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace(
        "&#34;", '"')
