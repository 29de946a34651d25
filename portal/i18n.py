"""Language of each request, and French elision of the names the interface quotes.

Flask-Babel translates; this module only adds, to its `gettext` family in Python code (`ElidingDomain`) and in
templates (`init_jinja`), the elision or contraction of a name placed after "de", "à" or "le" (portal.wording):
« d’Ambarès », « du Bouscat ». A page looks the request's translations up once (`TRANSLATIONS`, given by a
context processor) instead of once per string: Flask-Babel's lookup walks the request globals about ten times.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, current_app, session
from flask_babel import Domain, get_translations
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from portal.formatting import number
from portal.wording import elide_placeholders


def select_locale() -> str:
    """The user's saved language, else the one chosen in this session, else French."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return str(chosen)
    return current_app.config["BABEL_DEFAULT_LOCALE"]


#: Whole numbers the catalogue writes `%(name)d` that are identifiers, not quantities: they keep their digits.
IDENTIFIERS = frozenset({"year", "version", "v", "e", "id", "line", "code"})
GROUPED_FROM = 1000
_WHOLE_NUMBER = re.compile(r"%\((\w+)\)d")


def _grouped_count(text: Any, variables: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """Quantities of a thousand or more grouped as the language writes numbers (« 2 909 éléments », "2,909
    items", « 1 001 à 1 020 sur 20 000 »): `%(num)d` would print 2909. Years, versions, ids, line numbers and
    codes keep their digits."""
    grouped = {
        name: value
        for name, value in variables.items()
        if name not in IDENTIFIERS
        and isinstance(value, int)
        and not isinstance(value, bool)
        and abs(value) >= GROUPED_FROM
    }
    if not grouped:
        return text, variables
    names = {name for name in _WHOLE_NUMBER.findall(text) if name in grouped}
    if not names:
        return text, variables
    replaced = _WHOLE_NUMBER.sub(lambda found: f"%({found[1]})s" if found[1] in names else found[0], text)
    text = Markup(replaced) if isinstance(text, Markup) else replaced  # noqa: S704 - the translation was  # nosec B704
    return text, {**variables, **{name: number(grouped[name], 0) for name in names}}


def _format(text: Any, variables: dict[str, Any]) -> Any:
    """`text % variables`, a name after "de", "à" or "le" elided or contracted (d’Ambarès, du Bouscat)."""
    if not variables:
        return text
    text, values = elide_placeholders(*_grouped_count(text, variables))
    return text % values


def _elided(text: Any, variables: dict[str, Any]) -> Any:
    # Templates format even without values ("100 %% sure"), as Jinja's i18n extension does.
    text, values = elide_placeholders(*_grouped_count(text, variables))
    return text % values


class ElidingDomain(Domain):
    """Flask-Babel's domain (its `gettext` and friends, as Python code calls them), formatting through
    `_format`: the same elision as templates."""

    def gettext(self, string: str, **variables: Any) -> str:
        return _format(self.get_translations().ugettext(string), variables)

    def ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        return _format(self.get_translations().ungettext(singular, plural, num), variables)

    def pgettext(self, context: str, string: str, **variables: Any) -> str:
        return _format(self.get_translations().upgettext(context, string), variables)

    def npgettext(self, context: str, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        text = self.get_translations().unpgettext(context, singular, plural, num)
        return _format(text, variables)


def _markup_if_escaping(context: Context, text: str) -> str:
    if context.eval_ctx.autoescape:
        return Markup(text)  # noqa: S704 - as Jinja's i18n extension: translations are trusted markup  # nosec B704
    return text


#: The template context's name for the translations of the page being rendered (set by `init_jinja`'s context
#: processor, so inside `force_locale` when the page is rendered there).
TRANSLATIONS = "_page_translations"


def _translations(context: Context) -> Any:
    """The translations of the page being rendered: the context's, else (a template rendered without Flask's
    context processors) Flask-Babel's for the request."""
    translations = context.get(TRANSLATIONS)
    return translations if translations is not None else get_translations()


def _template_callables() -> dict[str, Any]:
    """`_()`, `gettext()`, `ngettext()`… for templates: Jinja's new-style callables (Markup when the template
    autoescapes, always `%`-formatted), formatting through the same elision as Python code."""

    @pass_context
    def gettext(__context: Context, __string: str, **variables: Any) -> str:
        return _elided(_markup_if_escaping(__context, _translations(__context).ugettext(__string)), variables)

    @pass_context
    def ngettext(__context: Context, __singular: str, __plural: str, __num: int, **variables: Any) -> str:
        variables.setdefault("num", __num)
        text = _translations(__context).ungettext(__singular, __plural, __num)
        return _elided(_markup_if_escaping(__context, text), variables)

    @pass_context
    def pgettext(__context: Context, __string_ctx: str, __string: str, **variables: Any) -> str:
        variables.setdefault("context", __string_ctx)
        text = _translations(__context).upgettext(__string_ctx, __string)
        return _elided(_markup_if_escaping(__context, text), variables)

    @pass_context
    def npgettext(
        __context: Context, __string_ctx: str, __singular: str, __plural: str, __num: int, **variables: Any
    ) -> str:
        variables.setdefault("context", __string_ctx)
        variables.setdefault("num", __num)
        text = _translations(__context).unpgettext(__string_ctx, __singular, __plural, __num)
        return _elided(_markup_if_escaping(__context, text), variables)

    return {"gettext": gettext, "_": gettext, "ngettext": ngettext, "pgettext": pgettext, "npgettext": npgettext}


def init_jinja(app: Flask) -> None:
    """Templates' `_()`, `ngettext()`…: Flask-Babel's, with the elision (the extension stays for `{% trans %}`)."""
    app.jinja_env.globals.update(_template_callables())
    app.context_processor(lambda: {TRANSLATIONS: get_translations()})
