"""`python -m bench.message_templates`: what saving, previewing and sending cost for hostile message templates.

For each template, on an empty compile cache, in one process:

* *save*: `validate` (or `validate_subject`), what saving a message and the composer's live check run;
* *preview*: compiling and rendering with the example values, what the preview, "send a test to myself" and
  the start of a mailing run (`preview`, or `render_subject` for a subject).

Each line gives the CPU time and the outcome: refused (with the first problem's code and line), accepted, or
the exception a request would have turned into a 500. The first group is the issue's payloads; the second,
templates built to sit at the edge of each limit, which must be accepted and stay fast. `--skip-slow` leaves
out the two 19 KB payloads (more than a minute of CPU on code without the limits).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from portal.messaging import rendering, template_checks
from portal.messaging.placeholders import example_context

FILL = 19_000  # the issue's "19 KB body"


def _repeat(piece: str, size: int = FILL) -> str:
    return piece * max(1, size // len(piece))


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    subject: bool = False
    slow: bool = False  # minutes of CPU on code without limits


UPPER_200 = "{{ first_name" + "|upper" * 200 + " }}\n"
UPPER_99 = "{{ first_name" + "|upper" * 99 + " }}\n"
CONDITION_25 = "{% if " + " and ".join(["device_count > 1"] * 25) + " %}x{% endif %}\n"
NESTED_10 = "{% if device_count > 1 %}" * 10 + "{{ first_name }}" + "{% endif %}" * 10 + "\n"
DEEP_10 = "{{ (((((((first_name|upper|lower|title|capitalize|upper))))))) if not device_count else site }}\n"

ISSUE_PAYLOADS = (
    Case("`Bonjour {{ 1e309 }}`", "Bonjour {{ 1e309 }}"),
    Case("`Bonjour {{ 1e309 }}` in a subject", "Bonjour {{ 1e309 }}", subject=True),
    Case("100 nested `{% if 1 %}`", "{% if 1 %}" * 100 + "x" + "{% endif %}" * 100),
    Case("`{% if not not …(500×) 1 %}`", "{% if " + "not " * 500 + "1 %}x{% endif %}"),
    Case("`{{ first_name|upper…(200×) }}`", UPPER_200),
    Case("`{{ 1` and 5,000 digits `}}`", "{{ 1" + "0" * 5000 + " }}"),
    Case("`{% if ((((…70×1…)))) %}`", "{% if " + "(" * 70 + "1" + ")" * 70 + " %}x{% endif %}"),
    Case("300 nested `{% if 1 %}`", "{% if 1 %}" * 300 + "x" + "{% endif %}" * 300),
    Case("`{{ 1` and 4,000 zeros `|number(6) }}`", "{{ 1" + "0" * 4000 + "|number(6) }}"),
    Case("19 KB of `{{ first_name|upper×200 }}`", _repeat(UPPER_200), slow=True),
    Case("19 KB of `{{ first_name|upper×99 }}`", _repeat(UPPER_99), slow=True),
    Case("19 KB of `[` (link check)", "[" * FILL),
    Case("link with credentials `https://a@evil.example`", "[portail](https://a@evil.example)"),
)

AT_THE_LIMITS = (
    Case("19 KB of 5-filter chains", _repeat("{{ first_name|upper|lower|title|capitalize|upper }}\n")),
    Case("19 KB of 100-token conditions", _repeat(CONDITION_25)),
    Case("19 KB of 10 nested conditions", _repeat(NESTED_10)),
    Case("19 KB of expressions 10 levels deep", _repeat(DEEP_10)),
    Case("19 KB of `{{ first_name }}`", _repeat("{{ first_name }}")),
    Case("19 KB of `{{1}}`", _repeat("{{1}}")),
    Case("1,000-character subject of placeholders", _repeat("{{ site }}", 1000), subject=True),
)


def _timed(action: Callable[[], object]) -> tuple[float, str]:
    start = time.process_time()
    try:
        result = action()
    except template_checks.TemplateRejected as rejected:
        outcome = _refused(rejected.problems)
    except rendering.RenderError as error:
        outcome = f"render error `{error.code}`"
    except Exception as error:  # what a request would have answered with a 500
        outcome = f"**{type(error).__name__}** (500)"
    else:
        outcome = _refused(result) if isinstance(result, list) and result else "accepted"
    return time.process_time() - start, outcome


def _refused(problems: object) -> str:
    first = list(problems)[0]  # type: ignore[call-overload]
    where = f", line {first.line}" if first.line else ""
    return f"refused `{first.code}`{where}"


def measure(case: Case) -> tuple[float, str, float, str]:
    """(save seconds, save outcome, preview seconds, preview outcome) on an empty compile cache."""
    rendering.compile_message.cache_clear()
    rendering.compile_subject.cache_clear()
    validate = rendering.validate_subject if case.subject else rendering.validate
    save = _timed(lambda: validate(case.source))
    rendering.compile_message.cache_clear()
    rendering.compile_subject.cache_clear()
    if case.subject:
        shown = _timed(lambda: rendering.render_subject(case.source, example_context(), "fr"))
    else:
        shown = _timed(lambda: rendering.preview(case.source, "fr"))
    return (*save, *shown)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-slow", action="store_true", help="leave out the two 19 KB issue payloads")
    arguments = parser.parse_args()
    sys.setrecursionlimit(1000)  # Python's default, whatever the environment set
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}, {platform.platform()}")
    print("| template | save: CPU | save: outcome | preview: CPU | preview: outcome |")
    print("|---|---|---|---|---|")
    for title, cases in (("issue's payloads", ISSUE_PAYLOADS), ("at the limits", AT_THE_LIMITS)):
        print(f"| *{title}* | | | | |")
        for case in cases:
            if case.slow and arguments.skip_slow:
                continue
            save_seconds, saved, preview_seconds, shown = measure(case)
            save_ms, preview_ms = save_seconds * 1000, preview_seconds * 1000
            name = case.name.replace("|", "\\|")  # a pipe in a table cell, even in code, ends the cell
            print(f"| {name} | {save_ms:.1f} ms | {saved} | {preview_ms:.1f} ms | {shown} |", flush=True)


if __name__ == "__main__":
    main()
