"""ITSM fixtures: a ServiceNow Table API on a real HTTP server in a thread, and the settings pointing at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from portal.itsm import sync
from portal.itsm.client import Connection
from portal.itsm.models import SyncRun
from portal.itsm.settings import ItsmSettings
from portal.models import db
from tests.itsm.table_api import TableApi


@pytest.fixture
def instance() -> Iterator[TableApi]:
    """An empty instance, serving until the test ends; `instance.url` is its address."""
    api = TableApi()
    api.url = api.start()  # type: ignore[attr-defined]
    yield api
    api.stop()


@pytest.fixture
def connection(instance: TableApi) -> Connection:
    """The integration account's connection to the test instance, with short waits."""
    return Connection(
        instance_url=instance.url,  # type: ignore[attr-defined]
        username=instance.username,
        password=instance.password,
        connect_timeout=2,
        read_timeout=5,
        max_attempts=3,
        backoff_seconds=0.01,
        max_wait_seconds=2,
    )


@pytest.fixture
def itsm_settings(connection: Connection) -> ItsmSettings:
    """The link's settings for the test instance (pages of 1,000 records, as by default)."""
    return ItsmSettings(connection=connection)


@pytest.fixture
def sync_now(itsm_settings: ItsmSettings) -> Callable[..., SyncRun]:
    """Run a sync as the command does (commit per page): `sync_now(tables=["alm_hardware"], page_size=10)`."""

    def run(**options: Any) -> SyncRun:
        settings = itsm_settings
        if "page_size" in options:
            settings = replace(settings, page_size=options.pop("page_size"))
        return sync.run_sync(settings, checkpoint=db.session.commit, sleep=lambda _: None, **options)

    return run
