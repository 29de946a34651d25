"""Every redirect to a target the user gave (the login's `next`, the language switch's `next` and Referer)
ends on a path of this site or on the home page, never on another site and never in a 500."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote

import pytest

from tests.conftest import PASSWORD, csrf_token

HOME = "/"

#: Values that would take the browser to another site (or break the Location header) if followed.
HOSTILE = {
    "tab inside": "/\t/evil.example",
    "line feed inside": "/\n/evil.example",
    "carriage return inside": "/\r/evil.example",
    "CR LF inside": "/\r\n/evil.example",
    "header injection": "/help\r\nSet-Cookie: session=stolen",
    "leading tab": "\t//evil.example",
    "leading space": " //evil.example",
    "trailing tab": "//evil.example\t",
    "backslash": "/\\evil.example",
    "two backslashes": "\\\\evil.example",
    "slash backslash": "/\\/evil.example",
    "scheme-relative": "//evil.example",
    "scheme-relative with path": "//evil.example/help",
    "three slashes": "///evil.example",
    "scheme-relative with user": "//localhost@evil.example/",
    "ideographic space (U+3000)": "/\u3000/evil.example",
    "no-break space (U+00A0)": "/\u00a0/evil.example",
    "line separator (U+2028)": "/\u2028/evil.example",
    "zero-width space (U+200B)": "/\u200b/evil.example",
    "javascript:": "javascript:alert(document.domain)",
    "javascript: mixed case": "JaVaScRiPt:alert(1)",
    "javascript: with a tab": "java\tscript:alert(1)",
    "data:": "data:text/html,<script>alert(1)</script>",
    "absolute URL": "http://evil.example/",
    "absolute https URL with path": "https://evil.example/help",
    "absolute URL with user": "http://localhost@evil.example/",
    "scheme without slashes": "http:evil.example",
    "scheme with one slash": "https:/evil.example",
    "absolute URL of this site": "http://localhost/help",
}

#: Same-site paths are followed as given.
SAME_SITE = {
    "a page": "/help",
    "a page with a query": "/catalogue?category=laptop&sort=price",
    "an encoded tab stays encoded": "/%09/evil.example",
    "encoded slashes stay encoded": "/%2F%2Fevil.example",
}


def _lands_on_this_site(response) -> str:
    """The redirect's target, checked as a browser would read it: a path of this site."""
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    assert re.fullmatch(r"/(?![/\\])[!-~]*", location), location
    return location


def _login_through_the_form(client, user, target):
    """Open /login?next=<target> (as the login redirect does) and submit the form with what it carries."""
    page = client.get("/login?next=" + quote(target, safe=""))
    assert page.status_code == 200
    carried = re.search(r'name="next" type="hidden" value="([^"]*)"', page.get_data(as_text=True))
    data = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client), "next": unescape(carried[1])}
    return client.post("/login", data=data)


@pytest.mark.parametrize("target", HOSTILE.values(), ids=HOSTILE.keys())
def test_login_form_never_carries_a_hostile_next_to_another_site(client, make_user, target):
    assert _lands_on_this_site(_login_through_the_form(client, make_user(), target)) == HOME


@pytest.mark.parametrize("target", HOSTILE.values(), ids=HOSTILE.keys())
def test_login_post_sends_a_hostile_next_home(client, make_user, target):
    user = make_user()
    data = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client), "next": target}
    assert _lands_on_this_site(client.post("/login", data=data)) == HOME


@pytest.mark.parametrize("target", HOSTILE.values(), ids=HOSTILE.keys())
def test_language_switch_sends_a_hostile_next_home(client, target):
    response = client.post("/language", data={"locale": "en", "next": target, "csrf_token": csrf_token(client)})
    assert _lands_on_this_site(response) == HOME
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)


def test_a_next_with_a_null_character_is_refused_and_leads_nowhere(client, make_user):
    """A null character is refused in any form or address (400, in words), before a redirect could be built."""
    user = make_user()
    target = "/\x00/evil.example"
    data = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client), "next": target}
    for response in (
        client.post("/login", data=data),
        client.post("/language", data={"locale": "en", "next": target, "csrf_token": csrf_token(client)}),
        client.get("/login", query_string={"next": target}),
    ):
        assert response.status_code == 400 and "Location" not in response.headers
    assert client.get("/").status_code == 302  # not logged in


@pytest.mark.parametrize("target", SAME_SITE.values(), ids=SAME_SITE.keys())
def test_same_site_paths_are_followed_from_login_form_and_language_switch(client, make_user, target):
    assert _lands_on_this_site(_login_through_the_form(client, make_user(), target)) == target
    response = client.post("/language", data={"locale": "en", "next": target, "csrf_token": csrf_token(client)})
    assert _lands_on_this_site(response) == target


@pytest.mark.parametrize(
    ("referrer", "expected"),
    [
        ("http://localhost/help?page=2", "/help?page=2"),
        ("http://evil.example/help", HOME),
        ("http://localhost//evil.example/", HOME),
        ("http://localhost/\t/evil.example", HOME),
        ("http://localhost/\\evil.example", HOME),
        ("javascript:alert(1)", HOME),
    ],
)
def test_language_switch_without_next_goes_back_only_to_a_page_of_this_site(client, referrer, expected):
    response = client.post(
        "/language", data={"locale": "en", "csrf_token": csrf_token(client)}, headers={"Referer": referrer}
    )
    assert _lands_on_this_site(response) == expected
