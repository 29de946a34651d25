"""Every route of the URL map, found automatically (a route added later is covered without anyone
remembering it): login required unless public, CSRF token required on unsafe methods, roles enforced."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import Rule
from werkzeug.routing.converters import NumberConverter

from portal import create_app
from tests.conftest import app_config

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
#: GET addresses that are not pages: logged in, the login page and the identity provider's entry and return
#: send home.
REDIRECTS_ONLY = {
    "accounts.login_form": (200, 302),
    "accounts.provider_login": (302,),
    "accounts.provider_callback": (302,),
}


def _rules(app) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def _url(rule: Rule, number: int = 10**6) -> str:
    """A concrete URL for the rule: ids that match nothing (no request may change a real row), "x" for text."""
    values = {}
    for name, converter in rule._converters.items():  # noqa: SLF001 - werkzeug's public API has no equivalent
        values[name] = number if isinstance(converter, NumberConverter) else "x"
    return rule.build(values, append_unknown=False)[1]


def _path(rule: Rule, number: int) -> str:
    """The rule's address with `number` written for each number, whatever its converter accepts ("x" for text)."""
    numbers = re.sub(r"<(?:int|float)(?:\([^)]*\))?:\w+>", str(number), rule.rule)
    return re.sub(r"<(?:\w+(?:\([^)]*\))?:)?\w+>", "x", numbers)


def _view(app, rule: Rule):
    return app.view_functions[rule.endpoint]


@pytest.fixture(scope="module")
def route_app(database_url, tmp_path_factory):
    from tests.conftest import PortalClient

    application = create_app(app_config(database_url, tmp_path_factory.mktemp("routes")))
    application.test_client_class = PortalClient
    return application


def test_the_url_map_has_the_expected_areas(route_app):
    endpoints = {rule.endpoint for rule in _rules(route_app)}
    assert {"accounts.login", "main.home", "catalogue.index", "catalogue.my_footprint"} <= endpoints


def test_every_non_public_route_asks_anonymous_visitors_to_log_in(route_app):
    client = route_app.test_client()
    checked = 0
    for rule in _rules(route_app):
        if getattr(_view(route_app, rule), "is_public", False):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(_url(rule), method=method)
            if method in UNSAFE:
                # No CSRF token: refused before anything else runs.
                assert response.status_code in (400, 302), f"{method} {rule}"
            else:
                assert response.status_code == 302, f"{method} {rule}"
                assert response.headers["Location"].startswith("/login"), f"{method} {rule}"
            checked += 1
    assert checked > 10


def test_every_unsafe_route_refuses_a_request_without_csrf_token(route_app, make_user, login):
    user = make_user(roles=("admin", "manager", "comms"))
    client = route_app.test_client()
    from tests.conftest import PASSWORD, csrf_token

    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    checked = 0
    for rule in _rules(route_app):
        for method in sorted((rule.methods or set()) & UNSAFE):
            response = client.open(_url(rule), method=method, data={})
            assert response.status_code == 400, f"{method} {rule} answered {response.status_code}"
            checked += 1
    assert checked > 5


def test_role_restricted_routes_refuse_the_other_roles(route_app, make_user):
    from tests.conftest import PASSWORD, csrf_token

    restricted = [(rule, _view(route_app, rule).required_roles) for rule in _rules(route_app)
                  if hasattr(_view(route_app, rule), "required_roles")]
    assert restricted, "no role-restricted route found"
    clients = {}
    for role in ("employee", "manager", "comms", "admin"):
        user = make_user(roles=() if role == "employee" else (role,))
        client = route_app.test_client()
        client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
        clients[role] = (client, csrf_token(client))
    for rule, roles in restricted:
        for role, (client, token) in clients.items():
            allowed = role == "admin" or role in roles
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                data = {"csrf_token": token} if method in UNSAFE else None
                response = client.open(_url(rule), method=method, data=data)
                if allowed:
                    assert response.status_code != 403, f"{role} {method} {rule}"
                else:
                    assert response.status_code == 403, f"{role} {method} {rule} answered {response.status_code}"


def test_every_page_renders_for_each_role_without_server_error(route_app, make_user):
    """GET pages without parameters: 200 (or 403 for a role without access), never a 500."""
    from tests.conftest import PASSWORD, csrf_token

    pages = [rule for rule in _rules(route_app) if "GET" in (rule.methods or set()) and not rule.arguments]
    for role in ("employee", "manager", "comms", "admin"):
        user = make_user(roles=() if role == "employee" else (role,))
        client = route_app.test_client()
        client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
        for rule in pages:
            response = client.get(rule.rule)
            expected = REDIRECTS_ONLY.get(rule.endpoint, (200, 403))

            assert response.status_code in expected, f"{role} GET {rule} answered {response.status_code}"


def test_an_id_beyond_the_columns_range_is_not_found_rather_than_an_error(route_app, make_user):
    """PostgreSQL refuses a number above its INTEGER columns' range in a query: such an address is not found (404,
    or 405), like any id that does not exist, for every route with a number in it and every method."""
    from portal.database import MAX_ID
    from tests.conftest import PASSWORD, csrf_token

    user = make_user(roles=("admin",))
    client = route_app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    token = csrf_token(client)
    numbered = [
        rule
        for rule in _rules(route_app)
        if any(isinstance(c, NumberConverter) for c in rule._converters.values())  # noqa: SLF001
    ]
    assert len(numbered) > 20
    for rule in numbered:
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token} if method in UNSAFE else None
            for number in (MAX_ID + 1, 10**20):
                response = client.open(_path(rule, number), method=method, data=data)
                # 405 where another route has the same shape with a text in place of the number, for other methods
                assert response.status_code in (404, 405), f"{method} {rule} with {number}: {response.status_code}"
            inside = client.open(_url(rule, MAX_ID), method=method, data=data)
            assert inside.status_code < 500, f"{method} {rule} with {MAX_ID} answered {inside.status_code}"
