"""What the per-request savings must not change: the session cookie, CSRF, login limits, headers."""

from __future__ import annotations

import re

from flask import Flask

from portal.extensions import limiter
from tests.conftest import PASSWORD, csrf_token


def _page_token(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_the_login_cookie_is_complete_so_pages_do_not_send_it_again(client, make_user):
    user = make_user()
    login = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert login.status_code == 303
    assert "session=" in login.headers["Set-Cookie"] and "HttpOnly" in login.headers["Set-Cookie"]
    for path in ("/", "/help", "/orders", "/"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers, path  # the session did not change
    # The forms of those pages carry a token the session accepts.
    token = _page_token(client.get("/me/password").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/").status_code == 302


def test_the_csrf_token_changes_at_login_and_unsafe_requests_still_need_it(client, make_user):
    user = make_user()
    before = csrf_token(client)
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": before})
    after = _page_token(client.get("/me/password").get_data(as_text=True))
    assert client.post("/language", data={"locale": "en", "csrf_token": before}).status_code == 400
    assert client.post("/language", data={"locale": "en"}).status_code == 400
    assert client.post("/language", data={"locale": "en", "csrf_token": after}).status_code == 303


def test_pages_skip_the_rate_limiter_hook_but_the_login_is_still_limited(app: Flask, client, make_user):
    assert limiter._check_request_limit not in app.before_request_funcs.get(None, [])  # noqa: SLF001
    user = make_user()
    for _ in range(5):
        data = {"email": user.email, "password": "wrong", "csrf_token": csrf_token(client)}
        response = client.post("/login", data=data)
        assert response.status_code == 422
        assert response.headers["X-RateLimit-Limit"] == "5"
    refused = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert refused.status_code == 429
    assert "Content-Security-Policy" in refused.headers
    # Pages are not limited, and keep their headers.
    for _ in range(10):
        page = client.get("/login")
        assert page.status_code == 200
        assert "X-RateLimit-Limit" not in page.headers
        assert page.headers["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in page.headers


def test_a_default_limit_would_keep_the_rate_limiter_hook():
    from portal import _limit_decorated_views_only

    class Manager:
        application_limits: list = []
        default_limits = ["1 per day"]
        _blueprint_limits: dict = {}

    class FakeLimiter:
        limit_manager = Manager()
        _meta_limits: list = []

        def _check_request_limit(self) -> None:
            return None

    fake = FakeLimiter()
    app = Flask(__name__)
    app.before_request(fake._check_request_limit)
    _limit_decorated_views_only(app, fake)
    assert app.before_request_funcs[None] == [fake._check_request_limit]
    Manager.default_limits = []
    _limit_decorated_views_only(app, fake)
    assert app.before_request_funcs[None] == []

