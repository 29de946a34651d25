"""What every page shares, made cheaper: the menu built once per language and roles, templates' `_()` one call
deep, lazy strings through the request's translations. Each must read exactly as before."""

from __future__ import annotations

from flask import render_template_string, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as babel_lazy_gettext
from jinja2 import Environment

from portal.i18n import lazy_gettext
from portal.main import services
from tests.conftest import csrf_token


def _menu(html: str) -> str:
    return html.split('<nav class="main"', 1)[1].split("</nav>", 1)[0]


def test_the_menu_links_are_the_areas_of_the_user_translated(app, make_user):
    for roles in ((), ("manager",), ("comms",), ("admin",), ("manager", "comms")):
        user = make_user(roles=roles)
        for locale in ("fr", "en"):
            with app.test_request_context("/"), force_locale(locale):
                menu = services.nav_menu(user)
                listed = [link for link in menu.top if link.endpoint != "main.hub"]
                listed += [link for hub in (*menu.back_office, menu.me) if hub for link in hub.links]
                expected = [
                    (area.endpoint, url_for(area.endpoint), str(area.title), str(area.description))
                    for area in services.areas_for(user)
                ]
                got = [(link.endpoint, link.url, link.title, link.description) for link in listed]
                assert sorted(got) == sorted(expected)  # every area once: in the menu or on a hub page
                assert services.nav_menu(user) is menu  # built once for this language and these roles


def test_the_menu_follows_the_language_and_the_roles(client, login_as):
    login_as("employee")
    menu = _menu(client.get("/").get_data(as_text=True))
    assert "Mes messages" in menu and "Messages aux agents" not in menu  # a comms area, not for an employee
    client.post("/language", data={"locale": "en", "csrf_token": csrf_token(client), "next": "/"})
    menu = _menu(client.get("/").get_data(as_text=True))
    assert "My messages" in menu and "Mes messages" not in menu
    login_as("comms")
    menu = _menu(client.get("/").get_data(as_text=True))
    assert "Communication" in menu  # the comms pages are listed on the Communication page


def test_template_gettext_formats_and_escapes_as_jinja_does(app):
    reference = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    reference.install_gettext_callables(
        gettext=lambda s: s, ngettext=lambda s, p, n: s if n == 1 else p, newstyle=True,
        pgettext=lambda c, s: s, npgettext=lambda c, s, p, n: s if n == 1 else p,
    )
    sources = [
        "{{ _('Hello %(name)s', name='<b>Zoé</b>') }}",
        "{{ gettext('100 %% sure') }}",
        "{{ ngettext('%(num)d item', '%(num)d items', 1) }}|{{ ngettext('%(num)d item', '%(num)d items', 3) }}",
        "{{ pgettext('menu', 'Open %(what)s', what='<i>') }}",
        "{{ npgettext('menu', '%(num)d day', '%(num)d days', 2) }}",
        "{% trans name='<x>' %}Hi {{ name }}{% endtrans %}",
    ]
    with app.test_request_context("/"), force_locale("en"):
        for source in sources:
            assert render_template_string(source) == reference.from_string(source).render(), source


def test_lazy_strings_read_as_flask_babels(app):
    ours, theirs = lazy_gettext("Compare"), babel_lazy_gettext("Compare")
    with app.test_request_context("/"):
        assert str(ours) == str(theirs) == "Comparer"
        assert ours.__html__() == theirs.__html__()
        with force_locale("en"):
            assert str(ours) == "Compare"
        assert str(lazy_gettext("Hello %(name)s", name="Zoé")) == str(babel_lazy_gettext("Hello %(name)s", name="Zoé"))
    assert str(ours) == str(theirs)  # outside a request (the tests' application context)
