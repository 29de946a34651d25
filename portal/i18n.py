"""Language and time zone of each request."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, session
from flask_babel import Domain, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from portal.wording import elide_placeholders


def select_locale() -> str:
    """The user's saved language, else the one chosen in this session, else French."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _request_translations() -> Any:
    """The request's translations, looked up once per request and locale (Flask-Babel does it per string).

    Keyed by the identity of Flask-Babel's locale object, so `force_locale` (e-mails rendered in the
    recipient's language) and a locale recomputed after `flask_babel.refresh()` get their own translations.
    `g` is resolved once (each access through the proxy costs a context-variable lookup).
    """
    try:
        app_globals = g._get_current_object()
    except RuntimeError:  # outside an application context
        return get_translations()
    locale = getattr(getattr(app_globals, "_flask_babel", None), "babel_locale", None)
    cached = getattr(app_globals, "_portal_translations", None)
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    app_globals._portal_translations = (getattr(app_globals._flask_babel, "babel_locale", None), translations)
    return translations


def _format(text: Any, variables: dict[str, Any]) -> Any:
    """`text % variables`, a name after "de", "à" or "le" elided or contracted (d’Ambarès, du Bouscat)."""
    if not variables:
        return text
    text, values = elide_placeholders(text, variables)
    return text % values


def _elided(text: Any, variables: dict[str, Any]) -> Any:
    # Templates format even without values ("100 %% sure"), as Jinja's i18n extension does.
    text, values = elide_placeholders(text, variables)
    return text % values


class ElidingDomain(Domain):
    """Flask-Babel's domain (its `gettext` and friends, as Python code calls them), formatting through
    `_format`: the same elision as templates."""

    def gettext(self, string: str, **variables: Any) -> str:
        return _format(self.get_translations().ugettext(string), variables)  # type: ignore[no-any-return]

    def ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        return _format(self.get_translations().ungettext(singular, plural, num), variables)  # type: ignore[no-any-return]

    def pgettext(self, context: str, string: str, **variables: Any) -> str:
        return _format(self.get_translations().upgettext(context, string), variables)  # type: ignore[no-any-return]

    def npgettext(self, context: str, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        text = self.get_translations().unpgettext(context, singular, plural, num)
        return _format(text, variables)  # type: ignore[no-any-return]


def _gettext(string: str, **variables: Any) -> str:
    # Flask-Babel's `gettext`, through the request's cached translations.
    translated: str = _request_translations().ugettext(string)
    return _format(translated, variables)  # type: ignore[no-any-return]


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """Flask-Babel's `lazy_gettext` (the same LazyString), translated through the request's cached translations:
    menu titles, labels and guides are module constants read many times per page."""
    return LazyString(_gettext, string, **variables)


def translate(message: str) -> str:
    """`gettext` for code called many times per page (the message must be marked for extraction elsewhere)."""
    return _request_translations().ugettext(message)  # type: ignore[no-any-return]


def _template_callables() -> dict[str, Any]:
    """`_()`, `gettext()`, `ngettext()`… for templates, as Jinja's new-style callables but one call deep.

    Jinja's own wrappers go `_` → `gettext` → our function, each through `Context.call`; these look the
    request's translations up directly and format the same way (always `%`-formatted, Markup when the
    template autoescapes).
    """

    @pass_context
    def gettext(__context: Context, __string: str, **variables: Any) -> str:
        rv = _request_translations().ugettext(__string)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704 - as Jinja's i18n extension: translations are trusted markup  # nosec B704
        return _elided(rv, variables)

    @pass_context
    def ngettext(__context: Context, __singular: str, __plural: str, __num: int, **variables: Any) -> str:
        variables.setdefault("num", __num)
        rv = _request_translations().ungettext(__singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704 - as Jinja's i18n extension: translations are trusted markup  # nosec B704
        return _elided(rv, variables)

    @pass_context
    def pgettext(__context: Context, __string_ctx: str, __string: str, **variables: Any) -> str:
        variables.setdefault("context", __string_ctx)
        rv = _request_translations().upgettext(__string_ctx, __string)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704 - as Jinja's i18n extension: translations are trusted markup  # nosec B704
        return _elided(rv, variables)

    @pass_context
    def npgettext(
        __context: Context, __string_ctx: str, __singular: str, __plural: str, __num: int, **variables: Any
    ) -> str:
        variables.setdefault("context", __string_ctx)
        variables.setdefault("num", __num)
        rv = _request_translations().unpgettext(__string_ctx, __singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704 - as Jinja's i18n extension: translations are trusted markup  # nosec B704
        return _elided(rv, variables)

    return {"gettext": gettext, "_": gettext, "ngettext": ngettext, "pgettext": pgettext, "npgettext": npgettext}


def init_jinja(app: Flask) -> None:
    """Templates' `_()`, `ngettext()`…: about 200 strings on a catalogue page, each now a dictionary lookup."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
    )
    # Same behaviour (the extension stays installed for `{% trans %}`), without the two extra indirections.
    app.jinja_env.globals.update(_template_callables())
