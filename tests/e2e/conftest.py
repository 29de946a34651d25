"""Browser tests: Debian's Chromium driven by Playwright against the real app served on a real socket."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import Flask
from werkzeug.serving import make_server

from portal.campaigns import services
from portal.campaigns.models import Campaign
from portal.models import db, utcnow

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium: Playwright cannot download its own browser on these machines."""
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris"}


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The application on a real HTTP server in a thread (same database as the test)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """pytest-base-url: tests write page.goto("/login")."""
    return live_server


@pytest.fixture
def browser_login(page):  # noqa: ANN001 - Playwright's Page
    """Log a user in through the real form: `browser_login(user)` (password of the make_user factory)."""
    from tests.conftest import PASSWORD
    from tests.e2e.helpers import log_in

    def do(user, password: str = PASSWORD) -> None:  # noqa: ANN001
        log_in(page, user.email, password)

    return do


@pytest.fixture
def campaign_today() -> Campaign:
    """A campaign in progress today, for everyone, with a goal."""
    now = utcnow()
    today = services.paris_today(now)
    campaign = services.create_campaign(
        services.CampaignInput(
            name="Grand nettoyage de printemps",
            description="Trois semaines pour alléger nos boîtes aux lettres.",
            first_day=today - timedelta(days=5),
            last_day=today + timedelta(days=15),
            goal_gb=Decimal("100"),
        )
    )
    services.publish_campaign(campaign, now=now)
    db.session.commit()
    return campaign
