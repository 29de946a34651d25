"""Engine settings that the URL alone cannot carry."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, current_app, request
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.routing import IntegerConverter, Map

from portal.models import db

F = TypeVar("F", bound=Callable[..., Any])


def conflict_insert(table: sa.Table) -> Any:
    """An INSERT able to say ON CONFLICT (`on_conflict_do_nothing`, `on_conflict_do_update`) on this database:
    PostgreSQL's or SQLite's, which both have it."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def affected_rows(result: object) -> int:
    """How many rows an UPDATE or DELETE matched. `Session.execute` is typed to return a plain `Result`; what
    it returns for these statements is a `CursorResult`, the one that carries the count."""
    if not isinstance(result, sa.CursorResult):
        raise TypeError(f"no row count on {type(result).__name__}: not an UPDATE or DELETE result")
    return result.rowcount


#: The largest value of the ids' INTEGER columns (PostgreSQL refuses a larger one in a query: an error, not a miss).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` in the routes: a number the database's integer columns can hold. A larger one in an address matches
    no route (404, like any id that does not exist) instead of reaching the database."""

    def __init__(
        self,
        url_map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(url_map, fixed_digits, min, max, signed)


def init_app(app: Flask) -> None:
    """Ids in routes within the columns' range; connections checked when idle (every database); SQLite: WAL, foreign
    keys and a busy timeout. Before the blueprints: their routes read the `int` converter when they are added."""
    app.url_map.converters["int"] = IdConverter
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    with app.app_context():
        engine = db.engine
    ping_after_idle(engine, float(app.config["PORTAL_DB_PING_AFTER_IDLE_SECONDS"]))
    if engine.dialect.name == "postgresql" and app.config["PORTAL_DB_READS_WITHOUT_TRANSACTION"]:
        app.before_request(_reads_without_transaction)
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()


def ping_after_idle(engine: sa.Engine, idle_seconds: float) -> None:
    """Ping a pooled connection before use only if it sat idle for `idle_seconds` or more.

    `pool_pre_ping` pings on every checkout, a round trip per request on a busy server whose connections
    are seconds old. A connection unused for a while (database restarted overnight, idle timeout of a
    proxy) is still checked: if the ping finds it closed, the pool discards it and hands out a fresh one
    (SQLAlchemy's "pessimistic disconnect handling"). A connection that drops in between is reported by
    SQLAlchemy's own disconnect detection, which invalidates the pool so the next request reconnects.
    """

    @sa.event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["portal_idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("portal_idle_since")
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return  # a new connection, or one in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise sa.exc.DisconnectionError() from error  # the pool retries with a new connection
            raise


#: Methods whose requests run without a transaction on PostgreSQL: reading ones (RFC 9110 safe methods).
READ_METHODS = frozenset({"GET", "HEAD"})


def _reads_without_transaction() -> None:
    """PostgreSQL: a GET or HEAD request's statements run in autocommit mode, each in its own implicit transaction.

    In a transaction, psycopg sends BEGIN before the first statement and the pool sends ROLLBACK when the
    connection comes back: two round trips to the server on every page, a quarter of a logged-in page's
    throughput on 2 cores shared with the database (BENCHMARKS.md). Under PostgreSQL's default READ COMMITTED
    isolation every statement already reads its own snapshot, so what a page shows is the same. What changes
    is only for writes made while reading: each statement is committed on its own. The only ones, marking a
    message or a notice read when it is opened, are single idempotent updates; a GET must never need several
    writes to succeed or fail together (tests/test_read_requests.py keeps the list). Unsafe methods (POST…)
    keep their transaction. SQLite needs nothing: its driver begins a transaction only before a write.
    """
    if request.method in READ_METHODS and request.endpoint not in (None, "static"):
        if getattr(current_app.view_functions.get(request.endpoint), "writes_on_get", False):
            return
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def writes_on_get(view: F) -> F:
    """Mark a GET view that must write in one transaction (the identity provider's return: it can only come
    back with a GET, and links, updates or creates an account at once): its request keeps its transaction."""
    view.writes_on_get = True  # type: ignore[attr-defined]  # a mark on the function, read before the request
    return view
