"""Templates and code lookups follow the request's locale, force_locale and a refreshed locale."""

from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale, refresh

from portal.catalogue.display import CATEGORY_NAMES
from portal.words import word


def test_template_strings_follow_the_request_locale_and_force_locale(app):
    with app.test_request_context("/"):
        with force_locale("fr"):
            assert render_template_string("{{ _('Compare') }}") == "Comparer"
            with force_locale("en"):  # e-mails are rendered in the recipient's language
                assert render_template_string("{{ _('Compare') }}") == "Compare"
                assert word(CATEGORY_NAMES, "laptop") == "laptop"
            assert render_template_string("{{ _('Compare') }}") == "Comparer"
            assert word(CATEGORY_NAMES, "laptop") == "ordinateur portable"
        assert word(CATEGORY_NAMES, "unknown") == "unknown"


def test_a_refreshed_locale_gets_its_translations(app):
    with app.test_request_context("/"):
        assert render_template_string("{{ _('Compare') }}") == "Comparer"  # French by default
        app.config["BABEL_DEFAULT_LOCALE"], default = "en", app.config["BABEL_DEFAULT_LOCALE"]
        try:
            refresh()
            assert render_template_string("{{ _('Compare') }}") == "Compare"
        finally:
            app.config["BABEL_DEFAULT_LOCALE"] = default


def test_a_page_looks_its_translations_up_once_and_a_bare_template_still_translates(app):
    from flask_babel import get_translations

    from portal.i18n import TRANSLATIONS

    with app.test_request_context("/"), force_locale("en"):
        # Rendered by Flask: the context processor gives the page its translations, read by every string.
        page = "{{ _('Compare') }} {{ ngettext('%(num)d device', '%(num)d devices', 2) }}"
        assert render_template_string(page) == "Compare 2 devices"
        assert render_template_string("{{ " + TRANSLATIONS + " is not none }}") == "True"
        # Rendered by Jinja alone (no context processor): each string asks Flask-Babel.
        bare = app.jinja_env.from_string(page)
        assert bare.render() == "Compare 2 devices"
        with force_locale("fr"):
            assert bare.render() == "Comparer 2 équipements"
            assert get_translations().ugettext("Compare") == "Comparer"
