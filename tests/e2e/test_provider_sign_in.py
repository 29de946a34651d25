"""A person signs in through the organisation's identity provider in Chromium (a real OpenID provider, its own
login page), lands on their home page with their roles, and logs out of the portal and of the provider."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from portal import create_app
from tests.accounts.oidc_fixtures import OidcProvider, client, start_provider
from tests.conftest import app_config
from tests.e2e.helpers import assert_accessible, measure_ecoindex


@pytest.fixture(scope="module")
def portal_with_provider(app, database_url, tmp_path_factory) -> Iterator[tuple[str, OidcProvider]]:  # noqa: ANN001
    """The portal, configured for a provider where it is registered, on a real socket (same database)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    provider = start_provider(tmp_path_factory.mktemp("oidc-e2e"), [client("portal-e2e", url)])
    application = create_app(app_config(database_url, tmp_path_factory.mktemp("oidc-e2e-app")) | {
        "PORTAL_BASE_URL": url,
        "OIDC_ISSUER": provider.issuer,
        "OIDC_CLIENT_ID": "portal-e2e",
        "OIDC_CLIENT_SECRET": "portal-secret",
        "OIDC_PROVIDER_NAME": "Compte Métropole",
        "OIDC_SCOPES": "openid email profile groups",
        "OIDC_ROLE_MAP": "portal-admins=admin",
        "PORTAL_LOCAL_LOGIN": "admins",
    })
    server = make_server("127.0.0.1", port, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url, provider
    server.shutdown()
    provider.stop()


def test_sign_in_through_the_providers_page_and_log_out_of_both(page: Page, portal_with_provider, make_user):
    url, provider = portal_with_provider
    make_user(email="ines.durand@metropole.example", first_name="Inès", last_name="Durand")
    provider.add_account("idurand", "provider-pass", email="ines.durand@metropole.example", email_verified=True,
                         groups=["portal-admins"])

    page.goto(f"{url}/login")
    expect(page.get_by_role("heading", level=2)).to_have_text("Accès administrateur")
    assert_accessible(page)
    eco = measure_ecoindex(page, f"{url}/login")
    assert eco.grade == "A", eco
    page.get_by_role("link", name="Se connecter avec Compte Métropole").click()

    page.get_by_label("Identifiant").fill("idurand")
    page.get_by_label("Mot de passe").fill("provider-pass")
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Inès")
    assert page.url == f"{url}/"
    menu = page.get_by_role("navigation", name="Menu principal")
    expect(menu).to_contain_text("Administration")  # an admin's pages: the role came with the group

    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("button", name="Oui, me déconnecter").click()  # the provider's own confirmation
    expect(page.get_by_role("status").first).to_have_text("Vous êtes déconnecté·e.")
    assert page.url.startswith(f"{url}/login")

    # Both sessions ended: the provider asks for the password again.
    page.get_by_role("link", name="Se connecter avec Compte Métropole").click()
    expect(page.get_by_label("Identifiant")).to_be_visible()
