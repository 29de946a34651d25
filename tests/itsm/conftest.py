"""ITSM fixtures: a ServiceNow Table API on a real HTTP server in a thread, and the settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from portal.itsm.client import Connection
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
