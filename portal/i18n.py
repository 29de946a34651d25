"""Language and time zone of each request."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, session
from flask_babel import get_translations
from flask_login import current_user


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
    """
    if not g:  # outside an application context
        return get_translations()
    locale = getattr(g.get("_flask_babel"), "babel_locale", None)
    cached = g.get("_portal_translations")
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    g._portal_translations = (getattr(g.get("_flask_babel"), "babel_locale", None), translations)
    return translations


def translate(message: str) -> str:
    """`gettext` for code called many times per page (the message must be marked for extraction elsewhere)."""
    return _request_translations().ugettext(message)  # type: ignore[no-any-return]


def init_jinja(app: Flask) -> None:
    """Templates' `_()`, `ngettext()`…: about 200 strings on a catalogue page, each now a dictionary lookup."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
    )
