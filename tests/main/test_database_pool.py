"""Pooled connections are checked only after sitting idle, and a dropped one is replaced, not served."""

from __future__ import annotations

import sqlalchemy as sa

from portal.database import ping_after_idle


def _engine(tmp_path, idle_seconds):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'pool.db'}", poolclass=sa.pool.QueuePool, pool_size=1)
    ping_after_idle(engine, idle_seconds)
    pings = []
    original = engine.dialect.do_ping

    def counting_ping(dbapi_connection):
        pings.append(dbapi_connection)
        return original(dbapi_connection)

    engine.dialect.do_ping = counting_ping
    return engine, pings


def test_a_connection_in_use_a_moment_ago_is_not_pinged(tmp_path):
    engine, pings = _engine(tmp_path, idle_seconds=3600)
    for _ in range(3):
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT 1")).scalar() == 1
    assert pings == []
    engine.dispose()


def test_an_idle_connection_is_pinged_and_replaced_if_dropped(tmp_path):
    engine, pings = _engine(tmp_path, idle_seconds=0)
    with engine.connect() as connection:
        first = connection.connection.dbapi_connection
    first.close()  # as a database restart would
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT 1")).scalar() == 1  # no error reaches the request
        assert connection.connection.dbapi_connection is not first
    assert pings and pings[0] is first
    engine.dispose()


def test_the_application_no_longer_pings_on_every_checkout(app):
    assert not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping")
    assert app.config["PORTAL_DB_PING_AFTER_IDLE_SECONDS"] > 0
