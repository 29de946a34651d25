"""Login attempts and current-password checks are limited per address and per account, with storage shared
between workers."""

from __future__ import annotations

import os
import uuid

import pytest

from portal import create_app
from portal.accounts import services
from tests.conftest import PASSWORD, app_config, csrf_token


def _attempt(client, email, password="wrong", remote="10.0.0.1"):  # noqa: S107 - a wrong password, on purpose
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(client)},
        environ_base={"REMOTE_ADDR": remote},
    )


def test_sixth_failed_attempt_in_a_minute_is_refused_with_a_clear_429(client, make_user):
    user = make_user()
    for _ in range(5):
        assert _attempt(client, user.email).status_code == 422
    response = _attempt(client, user.email, password=PASSWORD)
    assert response.status_code == 429
    assert "Attendez une minute" in response.get_data(as_text=True)


def test_the_limit_follows_the_email_across_addresses(client, make_user):
    user = make_user()
    for n in range(5):
        _attempt(client, user.email, remote=f"10.0.1.{n}")
    assert _attempt(client, user.email, remote="10.0.2.1").status_code == 429
    # Another account from a fresh address is not affected.
    other = make_user()
    assert _attempt(client, other.email, password=PASSWORD, remote="10.0.3.1").status_code == 303


def test_successful_logins_do_not_count(client, make_user):
    user = make_user()
    for _ in range(7):
        assert _attempt(client, user.email, password=PASSWORD).status_code == 303
        client.post("/logout", data={"csrf_token": csrf_token(client)})


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="needs TEST_REDIS_URL (set by .ci/run)")
def test_two_workers_share_the_count_through_redis(database_url, tmp_path, make_user):
    prefix = f"portal-test-{uuid.uuid4().hex[:8]}"
    config = {
        **app_config(database_url, tmp_path),
        "RATELIMIT_STORAGE_URI": os.environ["TEST_REDIS_URL"],
        "RATELIMIT_KEY_PREFIX": prefix,
    }
    worker_a, worker_b = create_app(config), create_app(config)
    from tests.conftest import PortalClient

    worker_a.test_client_class = worker_b.test_client_class = PortalClient
    user = make_user()
    client_a, client_b = worker_a.test_client(), worker_b.test_client()
    for _ in range(3):
        assert _attempt(client_a, user.email).status_code == 422
    for _ in range(2):
        assert _attempt(client_b, user.email).status_code == 422
    assert _attempt(client_a, user.email, password=PASSWORD).status_code == 429


def _change_password(client, current, remote="10.0.0.1"):
    return client.post(
        "/me/password",
        data={
            "current": current,
            "new": "a new passphrase",
            "confirm": "a new passphrase",
            "csrf_token": csrf_token(client),
        },
        environ_base={"REMOTE_ADDR": remote},
    )


def test_sixth_wrong_current_password_in_a_minute_is_refused_and_the_password_kept(client, make_user, login):
    user = make_user()
    login(user)
    for _ in range(5):
        assert _change_password(client, "wrong").status_code == 422
    response = _change_password(client, PASSWORD)
    assert response.status_code == 429
    assert "Attendez une minute" in response.get_data(as_text=True)
    assert services.authenticate(user.email, PASSWORD) is not None


def test_the_password_change_limit_is_shown_in_my_language(client, make_user, login):
    login(make_user(locale="en"))
    for _ in range(5):
        _change_password(client, "wrong")
    response = _change_password(client, "wrong")
    assert response.status_code == 429
    assert "Wait a minute, then try again." in response.get_data(as_text=True)


def test_the_password_change_limit_follows_the_account_across_addresses(app, client, make_user, login):
    user = make_user()
    login(user)
    for n in range(5):
        _change_password(client, "wrong", remote=f"10.0.1.{n}")
    assert _change_password(client, PASSWORD, remote="10.0.2.1").status_code == 429
    # Another account, from a fresh address, can still change its password.
    other_client = app.test_client()
    other = make_user()
    other_client.post(
        "/login", data={"email": other.email, "password": PASSWORD, "csrf_token": csrf_token(other_client)}
    )
    assert _change_password(other_client, PASSWORD, remote="10.0.3.1").status_code == 303


def test_the_password_change_limit_follows_the_address_across_accounts(app, client, make_user, login):
    login(make_user())
    for _ in range(5):
        _change_password(client, "wrong", remote="10.0.4.1")
    other_client = app.test_client()
    other = make_user()
    other_client.post(
        "/login", data={"email": other.email, "password": PASSWORD, "csrf_token": csrf_token(other_client)}
    )
    assert _change_password(other_client, PASSWORD, remote="10.0.4.1").status_code == 429
    assert _change_password(other_client, PASSWORD, remote="10.0.5.1").status_code == 303
