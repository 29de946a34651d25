"""Reading requests (GET, HEAD) run without BEGIN/ROLLBACK on PostgreSQL (portal.database); the writes that
pages make while being read are known, single and idempotent, so running them in autocommit loses nothing."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as orm
from flask import has_request_context, request

from portal.database import READ_METHODS
from portal.models import db
from tests.conftest import csrf_token

#: Pages that write while being read: each a single idempotent update (opening marks it read).
KNOWN_WRITES_WHILE_READING = {
    "messaging.message": {"MessageRecipient"},
    "catalogue.order_detail": {"Notice"},
}
DEMO_ACCOUNTS = ("agent", "manager", "comms", "admin")
DEMO_PASSWORD = "demo1234"  # noqa: S105 - the documented demo password


@pytest.fixture
def writes_while_reading():
    """What each GET/HEAD endpoint wrote during the test: ORM objects flushed, or non-SELECT statements."""
    seen: dict[str, set[str]] = defaultdict(set)

    def flushed(session, _context, _instances) -> None:  # noqa: ANN001
        if has_request_context() and request.method in READ_METHODS:
            modified = (instance for instance in session.dirty if session.is_modified(instance))
            for instance in [*session.new, *session.deleted, *modified]:
                seen[request.endpoint].add(type(instance).__name__)

    def executed(state) -> None:  # noqa: ANN001
        if has_request_context() and request.method in READ_METHODS and (
            state.is_insert or state.is_update or state.is_delete
        ):
            seen[request.endpoint].add(str(state.statement).split()[0])

    sa.event.listen(orm.Session, "before_flush", flushed)
    sa.event.listen(orm.Session, "do_orm_execute", executed)
    yield seen
    sa.event.remove(orm.Session, "before_flush", flushed)
    sa.event.remove(orm.Session, "do_orm_execute", executed)


def test_pages_write_only_the_known_idempotent_updates(app, login, writes_while_reading):
    """Every GET page without parameters, for each demo account, plus opening a message and an order."""
    from portal.accounts.services import find_user_by_email
    from portal.demo.services import load_demo

    load_demo()
    db.session.commit()
    pages = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or set()) and not rule.arguments and rule.endpoint != "static"
    ]
    for account in DEMO_ACCOUNTS:
        client = login(find_user_by_email(f"{account}@demo.example"), password=DEMO_PASSWORD)
        for path in pages:
            assert client.get(path).status_code in (200, 302, 403), path
    agent = login(find_user_by_email("agent@demo.example"), password=DEMO_PASSWORD)
    message = re.search(r'href="(/messages/\d+)"', agent.get("/messages").text)
    order = re.search(r'href="(/orders/\d+)"', agent.get("/orders").text)
    assert message and order, "the demo agent has messages and orders"
    assert agent.get(message.group(1)).status_code == 200
    assert agent.get(order.group(1)).status_code == 200

    assert writes_while_reading["messaging.message"] == {"MessageRecipient"}  # the probe sees writes
    unexpected = {
        endpoint: kinds
        for endpoint, kinds in writes_while_reading.items()
        if not kinds <= KNOWN_WRITES_WHILE_READING.get(endpoint, set())
    }
    assert unexpected == {}, "a GET page writes: make it a single idempotent update and list it, or use POST"


def test_a_page_is_read_in_autocommit_and_a_form_in_a_transaction(app, login_as, client):
    """PostgreSQL: no BEGIN/ROLLBACK around a page's statements; a form's statements keep their transaction,
    also on a connection that served a page just before (the pool puts the setting back)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's driver begins a transaction only before a write: nothing to change there")
    autocommit: dict[str, list[bool]] = defaultdict(list)

    def statement(connection, _cursor, _statement, _parameters, _context, _many) -> None:  # noqa: ANN001
        if has_request_context():
            autocommit[request.method].append(connection.connection.dbapi_connection.autocommit)

    user = login_as()
    sa.event.listen(db.engine, "before_cursor_execute", statement)
    try:
        assert client.get("/orders").status_code == 200
        response = client.post("/language", data={"locale": "en", "csrf_token": csrf_token(client)})
        assert response.status_code in (302, 303)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", statement)
    assert autocommit["GET"] and set(autocommit["GET"]) == {True}
    assert autocommit["POST"] and set(autocommit["POST"]) == {False}
    db.session.expire_all()
    assert db.session.get(type(user), user.id).locale == "en"  # the form's change was committed
