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


def test_quantities_are_grouped_as_each_language_writes_numbers_and_identifiers_are_not(app):
    from flask_babel import gettext, ngettext

    deleted = "{{ ngettext('%(num)d item deleted', '%(num)d items deleted', n) }}"
    page = "{{ _('Employees %(first)d to %(last)d of %(total)d', first=1001, last=1020, total=20000) }}"
    with app.test_request_context("/"):
        with force_locale("fr"):
            assert render_template_string(deleted, n=2909) == "2\u202f909 éléments supprimés"
            assert render_template_string(deleted, n=999) == "999 éléments supprimés"
            assert ngettext("%(num)d item deleted", "%(num)d items deleted", 12909) == "12\u202f909 éléments supprimés"
            assert render_template_string(page) == "Agents 1\u202f001 à 1\u202f020 sur 20\u202f000"
            # A year, a version, an id keep their digits.
            assert gettext("%(factor)s is now at version %(version)d.", factor="F", version=2026) == (
                "F passe en version 2026."
            )
            assert render_template_string("{{ _('Import no. %(id)d', id=12345) }}") == "Import n° 12345"
        with force_locale("en"):
            assert render_template_string(deleted, n=2909) == "2,909 items deleted"
            assert render_template_string(deleted, n=1) == "1 item deleted"
            assert render_template_string(page) == "Employees 1,001 to 1,020 of 20,000"
