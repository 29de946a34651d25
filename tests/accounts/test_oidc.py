"""Signing in through a real OpenID provider (oidc-provider on Node, started by the tests): discovery, signed ID
tokens, PKCE, state and nonce; the account found by subject then by verified e-mail; roles from the groups;
refusals in the user's words; logout at the provider too; password login limited by PORTAL_LOCAL_LOGIN."""

from __future__ import annotations

import dataclasses
import html
import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
import sqlalchemy as sa
from flask import Flask

from portal import create_app
from portal.accounts.models import User
from portal.models import db
from tests.conftest import PASSWORD, PortalClient, app_config, csrf_token

PORTAL = "http://localhost"


@pytest.fixture(scope="module")
def oidc_app(app: Flask, database_url: str, tmp_path_factory: pytest.TempPathFactory, oidc_provider) -> Flask:  # noqa: ANN001
    """The portal with the provider configured (same database as the other tests)."""
    config = app_config(database_url, tmp_path_factory.mktemp("oidc-app")) | {
        "OIDC_ISSUER": oidc_provider.issuer,
        "OIDC_CLIENT_ID": "portal",
        "OIDC_CLIENT_SECRET": "portal-secret",
        "OIDC_PROVIDER_NAME": "Mon compte Métropole",
        "OIDC_SCOPES": "openid email profile groups organisation",
        "OIDC_ROLE_CLAIM": "groups",
        "OIDC_ROLE_MAP": "portal-admins=admin, portal-comms=comms",
        "OIDC_ORG_UNIT_CLAIM": "department",
        "OIDC_SITE_CLAIM": "office",
    }
    application = create_app(config)
    application.test_client_class = PortalClient
    return application


@pytest.fixture
def portal(oidc_app: Flask) -> Iterator[PortalClient]:
    """A idp at the portal; the provider's settings are restored after each test."""
    settings = oidc_app.extensions["portal_oidc"]
    yield oidc_app.test_client()
    oidc_app.extensions["portal_oidc"] = settings
    oidc_app.config["PORTAL_LOCAL_LOGIN"] = "all"


def change_settings(oidc_app: Flask, **changes: object) -> None:
    oidc_app.extensions["portal_oidc"] = dataclasses.replace(oidc_app.extensions["portal_oidc"], **changes)


class ProviderBrowser:
    """The provider's side of a idp: its cookies, and the redirects followed until the portal is reached."""

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer
        self.session = requests.Session()
        self.saw_login_page = False

    def follow(self, url: str, login: str, password: str) -> str:
        """From the provider's authorisation URL to the portal's callback URL, signing in when asked."""
        response = self.session.get(url, allow_redirects=False, timeout=10)
        for _ in range(10):
            if response.status_code in (302, 303):
                location = urljoin(response.url, response.headers["Location"])
                if location.startswith(PORTAL):
                    return location
                response = self.session.get(location, allow_redirects=False, timeout=10)
            elif response.status_code == 200 and 'name="login"' in response.text:
                self.saw_login_page = True
                action = re.search(r'action="([^"]+)"', response.text).group(1)
                response = self.session.post(urljoin(self.issuer, html.unescape(action)), allow_redirects=False,
                                             data={"login": login, "password": password}, timeout=10)
            else:
                raise AssertionError(f"unexpected answer from the provider: {response.status_code} "
                                     f"{response.text[:300]}")
        raise AssertionError("too many redirects at the provider")


def start(portal: PortalClient) -> str:
    response = portal.get("/login/provider")
    assert response.status_code == 302
    return response.headers["Location"]


def back_at_portal(portal: PortalClient, callback_url: str):  # noqa: ANN201
    parts = urlsplit(callback_url)
    return portal.get(f"{parts.path}?{parts.query}")


def sign_in(portal: PortalClient, idp: ProviderBrowser, login: str, password: str = "provider-pass"):  # noqa: ANN201, S107
    return back_at_portal(portal, idp.follow(start(portal), login, password))


@pytest.fixture
def idp(oidc_provider) -> ProviderBrowser:  # noqa: ANN001
    return ProviderBrowser(oidc_provider.issuer)


def text(response) -> str:  # noqa: ANN001
    return html.unescape(response.get_data(as_text=True))


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_the_login_page_leads_with_the_provider(portal):
    page = text(portal.get("/login"))
    assert '<a class="button" href="/login/provider">Se connecter avec Mon compte Métropole</a>' in page
    assert page.index("Se connecter avec") < page.index('name="password"')


def test_the_request_to_the_provider_uses_pkce_state_and_nonce(portal, oidc_provider):
    url = start(portal)
    assert url.startswith(oidc_provider.issuer)
    query = parse_qs(urlsplit(url).query)
    assert query["response_type"] == ["code"] and query["client_id"] == ["portal"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["redirect_uri"] == [f"{PORTAL}/login/provider/callback"]


def test_first_sign_in_links_the_employee_by_verified_email_then_by_subject(portal, idp, make_user,
                                                                               provider_account, oidc_provider):
    user = make_user(email="claire.martin@bordeaux-metropole.example", first_name="Claire", last_name="Martin")
    provider_account("cmartin", email="Claire.Martin@bordeaux-metropole.example", email_verified=True)

    response = sign_in(portal, idp, "cmartin")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "Claire Martin" in text(portal.get("/"))
    linked = reload(user)
    assert (linked.oidc_issuer, linked.oidc_subject) == (oidc_provider.issuer, "cmartin")
    assert linked.last_login_at is not None

    # Linked: the subject finds the account even after the provider changes the e-mail address.
    provider_account("cmartin", email="c.martin@bordeaux-metropole.example", email_verified=True)
    portal.post("/logout", data={"csrf_token": csrf_token(portal)})
    response = sign_in(portal, idp, "cmartin")
    assert response.status_code == 303
    assert "Claire Martin" in text(portal.get("/"))


def test_the_next_page_asked_before_signing_in_is_opened_after(portal, idp, make_user, provider_account):
    make_user(email="next@test.example")
    provider_account("next", email="next@test.example", email_verified=True)
    url = portal.get("/login/provider?next=/catalogue").headers["Location"]
    assert back_at_portal(portal, idp.follow(url, "next", "provider-pass")).headers["Location"] == "/catalogue"


def test_groups_give_the_mapped_roles_and_the_portals_own_roles_stay(portal, idp, make_user, provider_account):
    user = make_user(email="roles@test.example", roles=("manager", "comms"))
    provider_account("roles", email="roles@test.example", email_verified=True, groups=["portal-admins", "other"])

    assert sign_in(portal, idp, "roles").status_code == 303
    # admin from the group; comms is managed by the provider, which no longer grants it; manager is the portal's.
    assert reload(user).roles == {"employee", "admin", "manager"}
    assert portal.get("/admin/users").status_code == 200


def test_an_unknown_email_is_refused_with_a_clear_page(portal, idp, provider_account):
    provider_account("stranger", email="stranger@elsewhere.example", email_verified=True)
    response = sign_in(portal, idp, "stranger")
    assert response.status_code == 403
    assert "Aucun agent du portail n’a l’adresse stranger@elsewhere.example" in text(response)
    assert portal.get("/").status_code == 302  # no session
    assert db.session.scalar(sa.select(User).where(User.email == "stranger@elsewhere.example")) is None


def test_an_unknown_email_is_created_when_accounts_are_created_at_sign_in(
    portal, oidc_app, idp, provider_account, make_org_unit, make_site
):
    make_org_unit(code="DNUM")
    make_site(code="CITE-MUNICIPALE")
    db.session.commit()
    change_settings(oidc_app, create_accounts=True)
    provider_account("newcomer", email="newcomer@test.example", email_verified=True, given_name="Inès",
                     family_name="Durand", department="DNUM", office="CITE-MUNICIPALE", groups=["portal-comms"])
    response = sign_in(portal, idp, "newcomer")
    assert response.status_code == 303, text(response)[-2500:]
    created = db.session.scalar(sa.select(User).where(User.email == "newcomer@test.example"))
    assert (created.full_name, created.org_unit.code, created.site.code) == ("Inès Durand", "DNUM", "CITE-MUNICIPALE")
    assert created.roles == {"employee", "comms"} and created.password_hash is None


def test_an_unverified_email_is_not_linked(portal, idp, make_user, provider_account):
    user = make_user(email="unverified@test.example")
    provider_account("unverified", email="unverified@test.example", email_verified=False)
    response = sign_in(portal, idp, "unverified")
    assert response.status_code == 403
    assert "n’a pas vérifié votre adresse" in text(response)
    assert reload(user).oidc_subject is None


def test_a_tampered_state_is_refused(portal, idp, make_user, provider_account):
    make_user(email="state@test.example")
    provider_account("state", email="state@test.example", email_verified=True)
    callback = idp.follow(start(portal), "state", "provider-pass")
    response = back_at_portal(portal, callback.replace("state=", "state=x"))
    assert response.status_code == 403
    assert "Cette connexion n’a pas été commencée depuis ce navigateur" in text(response)
    assert portal.get("/").status_code == 302


def test_an_id_token_for_another_nonce_is_refused(portal, idp, make_user, provider_account):
    make_user(email="nonce@test.example")
    provider_account("nonce", email="nonce@test.example", email_verified=True)
    callback = idp.follow(start(portal), "nonce", "provider-pass")
    with portal.session_transaction() as session:
        session["oidc_pending"] = {**session["oidc_pending"], "nonce": "a-nonce-of-another-request"}
    response = back_at_portal(portal, callback)
    assert response.status_code == 403
    assert "La réponse du fournisseur d’identité ne correspond pas à cette connexion" in text(response)
    assert portal.get("/").status_code == 302


def test_an_expired_code_is_refused(portal, oidc_app, idp, make_user, provider_account):
    change_settings(oidc_app, client_id="portal-short-code")  # its codes live one second at the provider
    make_user(email="slow@test.example")
    provider_account("slow", email="slow@test.example", email_verified=True)
    callback = idp.follow(start(portal), "slow", "provider-pass")
    time.sleep(2.5)
    response = back_at_portal(portal, callback)
    assert response.status_code == 403
    assert "La réponse du fournisseur d’identité a expiré ou a déjà servi" in text(response)


def test_a_code_cannot_be_used_twice(portal, idp, make_user, provider_account):
    make_user(email="twice@test.example")
    provider_account("twice", email="twice@test.example", email_verified=True)
    url = start(portal)
    with portal.session_transaction() as session:
        pending = dict(session["oidc_pending"])
    callback = idp.follow(url, "twice", "provider-pass")
    assert back_at_portal(portal, callback).status_code == 303
    portal.post("/logout", data={"csrf_token": csrf_token(portal)})
    with portal.session_transaction() as session:
        session["oidc_pending"] = pending  # the same answer replayed
    assert back_at_portal(portal, callback).status_code == 403


def test_a_deactivated_employee_cannot_sign_in_through_the_provider(portal, idp, make_user, provider_account):
    make_user(email="gone@test.example", active=False)
    provider_account("gone", email="gone@test.example", email_verified=True)
    response = sign_in(portal, idp, "gone")
    assert response.status_code == 403
    assert "Votre compte du portail est désactivé" in text(response)
    assert portal.get("/").status_code == 302


def test_logout_ends_the_provider_session_too(portal, idp, make_user, provider_account, oidc_provider):
    make_user(email="leaving@test.example")
    provider_account("leaving", email="leaving@test.example", email_verified=True)
    assert sign_in(portal, idp, "leaving").status_code == 303
    # Signed in at the provider: a second sign-in goes through without its login page.
    idp.saw_login_page = False
    portal.post("/logout", data={"csrf_token": csrf_token(portal)})
    assert sign_in(portal, idp, "leaving").status_code == 303
    assert not idp.saw_login_page

    response = portal.post("/logout", data={"csrf_token": csrf_token(portal)})
    assert response.status_code == 303
    end_session = response.headers["Location"]
    assert end_session.startswith(f"{oidc_provider.issuer}/session/end?")
    query = parse_qs(urlsplit(end_session).query)
    assert query["post_logout_redirect_uri"] == [f"{PORTAL}/login"] and query["id_token_hint"]
    assert portal.get("/").status_code == 302  # the portal's session ended at once

    confirm = idp.session.get(end_session, timeout=10)
    action = re.search(r'<form id="op.logoutForm" method="post" action="([^"]+)"', confirm.text).group(1)
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', confirm.text).group(1)
    done = idp.session.post(urljoin(oidc_provider.issuer, action), data={"xsrf": xsrf, "logout": "yes"},
                                allow_redirects=False, timeout=10)
    assert done.headers["Location"].startswith(f"{PORTAL}/login")
    # The provider's session ended: signing in again asks for the password there.
    assert sign_in(portal, idp, "leaving").status_code == 303
    assert idp.saw_login_page


def test_the_logout_form_may_lead_to_the_provider_under_the_content_security_policy(portal, oidc_provider):
    policy = portal.get("/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {oidc_provider.issuer};" in policy


def test_password_login_can_be_kept_for_administrators(portal, oidc_app, make_user):
    oidc_app.config["PORTAL_LOCAL_LOGIN"] = "admins"
    agent = make_user(email="agent@test.example")
    admin = make_user(email="admin@test.example", roles=("admin",))
    page = text(portal.get("/login"))
    assert "Accès administrateur" in page

    response = portal.post("/login", data={"email": agent.email, "password": PASSWORD,
                                            "csrf_token": csrf_token(portal)})
    assert response.status_code == 422
    assert "La connexion par mot de passe est réservée aux administrateurs. Connectez-vous avec Mon compte " \
           "Métropole." in text(response)
    assert portal.get("/").status_code == 302
    response = portal.post("/login", data={"email": admin.email, "password": PASSWORD,
                                            "csrf_token": csrf_token(portal)})
    assert response.status_code == 303


def test_password_login_can_be_closed(portal, oidc_app, make_user):
    oidc_app.config["PORTAL_LOCAL_LOGIN"] = "off"
    admin = make_user(email="admin2@test.example", roles=("admin",))
    assert 'name="password"' not in text(portal.get("/login"))
    response = portal.post("/login", data={"email": admin.email, "password": PASSWORD,
                                            "csrf_token": csrf_token(portal)})
    assert response.status_code == 403
    assert "La connexion par mot de passe est fermée." in text(response)


def test_without_a_provider_the_login_page_and_passwords_are_unchanged(client, make_user):
    page = text(client.get("/login"))
    assert "Se connecter avec" not in page and 'name="password"' in page
    assert client.get("/login/provider").status_code == 404
    assert client.get("/login/provider/callback?code=x&state=y").status_code == 404


def test_a_bad_role_mapping_stops_the_portal_at_start(database_url, tmp_path):
    with pytest.raises(ValueError, match="OIDC_ROLE_MAP"):
        create_app(app_config(database_url, tmp_path) | {"OIDC_ISSUER": "https://id.example",
                                                          "OIDC_ROLE_MAP": "portal-admins=superuser"})


def test_the_providers_return_writes_in_one_transaction(portal, idp, make_user, provider_account):
    """PostgreSQL: pages are read in autocommit mode, but the return from the provider links the account,
    sets its roles and its last sign-in together, in a transaction."""
    from collections import defaultdict

    from flask import has_request_context, request

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's driver begins a transaction only before a write: nothing to change there")
    make_user(email="tx@test.example")
    provider_account("tx", email="tx@test.example", email_verified=True, groups=["portal-comms"])
    callback = idp.follow(start(portal), "tx", "provider-pass")
    autocommit: dict[str, list[bool]] = defaultdict(list)

    def statement(connection, _cursor, _statement, _parameters, _context, _many) -> None:  # noqa: ANN001
        if has_request_context():
            autocommit[request.endpoint].append(connection.connection.dbapi_connection.autocommit)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", statement)
    try:
        assert back_at_portal(portal, callback).status_code == 303
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", statement)
    assert autocommit["accounts.provider_callback"] and set(autocommit["accounts.provider_callback"]) == {False}


def test_an_unreachable_provider_is_said_on_the_login_page(portal, oidc_app):
    change_settings(oidc_app, issuer="http://127.0.0.1:9", timeout_seconds=2)
    response = portal.get("/login/provider")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Le fournisseur d’identité ne répond pas pour le moment." in text(portal.get("/login"))


def test_a_provider_refusal_is_said_and_opens_no_session(portal, oidc_app):
    url = start(portal)
    state = parse_qs(urlsplit(url).query)["state"][0]
    response = portal.get(f"/login/provider/callback?error=access_denied&state={state}")
    assert response.status_code == 403
    assert "Le fournisseur d’identité ne vous a pas connecté (access_denied)." in text(response)
    assert portal.get("/").status_code == 302
