"""A real OpenID provider for the tests: the certified `oidc-provider` package (npm), run by Node in its own
process with a login page of its own (tests/accounts/oidc_provider/provider.mjs). Its packages are installed
from the committed package-lock.json (`npm ci`) the first time a test needs it; without Node the tests that need
it are skipped with the reason."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc_provider"
_install_lock = threading.Lock()


def install_provider() -> None:
    """`npm ci` in the provider's folder unless its packages are there (skip the test if Node is missing)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js and npm are needed to run the test OpenID provider (apt-get install nodejs npm)")
    with _install_lock:
        if (PROVIDER_DIR / "node_modules" / "oidc-provider" / "package.json").exists():
            return
        result = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=PROVIDER_DIR, capture_output=True, text=True, timeout=300, check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"npm ci failed in {PROVIDER_DIR}:\n{result.stderr}")


def client(client_id: str, portal_url: str, secret: str = "portal-secret") -> dict[str, Any]:  # noqa: S107
    """The metadata of a portal registered at the provider (its callback and where to come back after logout)."""
    return {
        "client_id": client_id,
        "client_secret": secret,
        "redirect_uris": [f"{portal_url}/login/provider/callback"],
        "post_logout_redirect_uris": [f"{portal_url}/login"],
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "client_secret_basic",
    }


@dataclass
class OidcProvider:
    """A running provider: its issuer URL, and the people who can sign in there."""

    issuer: str
    accounts_file: Path
    process: subprocess.Popen[str]
    accounts: dict[str, Any] = field(default_factory=dict)

    def add_account(self, login: str, password: str = "provider-pass", **claims: Any) -> str:  # noqa: S107
        """Someone who can sign in at the provider as `login` (their `sub`), with these claims."""
        self.accounts[login] = {"password": password, "claims": claims}
        self.accounts_file.write_text(json.dumps(self.accounts), encoding="utf-8")
        return login

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_provider(directory: Path, clients: list[dict[str, Any]]) -> OidcProvider:
    """Start a provider process with these clients; returns once it answers."""
    install_provider()
    directory.mkdir(parents=True, exist_ok=True)
    accounts_file = directory / "accounts.json"
    accounts_file.write_text("{}", encoding="utf-8")
    config = directory / "provider.json"
    config.write_text(json.dumps({"clients": clients, "accounts_file": str(accounts_file)}), encoding="utf-8")
    process = subprocess.Popen(
        ["node", str(PROVIDER_DIR / "provider.mjs"), str(config)],
        cwd=PROVIDER_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    assert process.stdout is not None
    said = []  # its warnings (on Node 20: "Unsupported runtime", harmless) come before the ready line
    while not (line := process.stdout.readline()).startswith("ready "):
        said.append(line)
        if not line or len(said) > 50:
            process.kill()
            raise RuntimeError("the test OpenID provider did not start:\n" + "".join(said)[:3000])
    # Drain its output so that a chatty provider never blocks on a full pipe.
    threading.Thread(target=lambda: process.stdout and process.stdout.read(), daemon=True).start()
    return OidcProvider(issuer=line.split(" ", 1)[1].strip(), accounts_file=accounts_file, process=process)


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    """One provider for the session, where the test client's portal (http://localhost) is registered as
    "portal", and again as "portal-short-code" whose authorisation codes expire after one second."""
    provider = start_provider(
        tmp_path_factory.mktemp("oidc"),
        [client("portal", "http://localhost"), client("portal-short-code", "http://localhost")],
    )
    yield provider
    provider.stop()


@pytest.fixture
def provider_account(oidc_provider: OidcProvider) -> Callable[..., str]:
    """Someone at the provider: provider_account("jdoe", email=..., email_verified=True, groups=[...])."""
    return oidc_provider.add_account
