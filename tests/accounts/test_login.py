"""Logging in and out, sessions that end, the language of the interface."""

from __future__ import annotations

from portal.accounts import services
from portal.models import db
from tests.conftest import PASSWORD, csrf_token


def test_every_page_but_login_requires_a_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_login_with_any_case_of_the_email_opens_the_home_page(client, make_user):
    make_user(email="ana.agent@test.example", first_name="Ana")
    response = client.post(
        "/login",
        data={"email": "Ana.AGENT@test.example", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 303
    home = client.get("/")
    assert "Bonjour Ana" in home.get_data(as_text=True)


def test_wrong_password_shows_one_message_for_every_failure(client, make_user):
    make_user(email="someone@test.example")
    token = csrf_token(client)
    wrong = client.post("/login", data={"email": "someone@test.example", "password": "nope", "csrf_token": token})
    unknown = client.post("/login", data={"email": "nobody@test.example", "password": "nope", "csrf_token": token})
    for response in (wrong, unknown):
        assert response.status_code == 422
        assert "Adresse de courriel ou mot de passe incorrect." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_follows_a_local_next_but_never_another_site(client, make_user):
    user = make_user()
    data = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    response = client.post("/login", data={**data, "next": "//evil.example/x"})
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert response.headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    data["csrf_token"] = csrf_token(client)
    response = client.post("/login", data={**data, "next": "/help"})
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert response.headers["Location"] == "/help"


def test_deactivated_account_cannot_log_in(client, make_user):
    user = make_user(active=False)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.status_code == 422


def test_logout_is_a_post_and_the_old_cookie_no_longer_works(app, client, make_user, login):
    user = make_user()
    login(user)
    assert client.get("/logout").status_code == 405
    stolen_cookie = client.get_cookie("session").value
    response = client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303
    assert client.get("/").status_code == 302
    # Replaying the cookie captured before logout does not bring the session back.
    replay = app.test_client()
    replay.set_cookie("session", stolen_cookie)
    assert replay.get("/").status_code == 302


def test_deactivation_ends_open_sessions_at_once(client, make_user, login):
    user = make_user()
    login(user)
    assert client.get("/").status_code == 200
    services.set_active(db.session.get(type(user), user.id), False, by=None)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, make_user, login):
    user = make_user()
    login(user)
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(other)})
    assert other.get("/").status_code == 200

    response = client.post(
        "/me/password",
        data={
            "current": PASSWORD,
            "new": "a new passphrase",
            "confirm": "a new passphrase",
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 303
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert services.authenticate(user.email, "a new passphrase") is not None


def test_password_change_refuses_a_wrong_current_password(client, make_user, login):
    login(make_user())
    response = client.post(
        "/me/password",
        data={
            "current": "wrong",
            "new": "a new passphrase",
            "confirm": "a new passphrase",
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 422
    assert "Ce n’est pas votre mot de passe actuel." in response.get_data(as_text=True)


def test_language_switch_is_saved_on_the_account(client, make_user, login):
    user = make_user()
    login(user)
    response = client.post("/language", data={"locale": "en", "next": "/help", "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/help"
    page = client.get("/help").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Where the figures come from" in page
    db.session.refresh(user)
    assert user.locale == "en"


def test_language_switch_works_before_login(client):
    client.post("/language", data={"locale": "en", "csrf_token": csrf_token(client)})
    page = client.get("/login").get_data(as_text=True)
    assert "Log in to the responsible digital portal" in page
    assert '<html lang="en">' in page


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"locale": "xx", "csrf_token": csrf_token(client)})
    assert '<html lang="fr">' in client.get("/login").get_data(as_text=True)
