"""Delivery through a real SMTP server: normal delivery, retries, permanent failures, lost connections,
pauses, leases of dead workers, time budgets; and what each e-mail contains, its Message-ID included."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from portal import create_app
from portal.messaging import dispatch
from portal.messaging.audience import Criteria
from portal.messaging.models import Message, MessageStatus, OutboxEntry, OutboxStatus
from portal.models import db, utcnow
from tests.conftest import app_config, new_database


def outbox(message: Message) -> dict[str, OutboxEntry]:
    db.session.expire_all()
    rows = db.session.scalars(sa.select(OutboxEntry).where(OutboxEntry.message_id == message.id))
    return {row.user.email: row for row in rows}


def status_of(message: Message) -> str:
    db.session.expire_all()
    return db.session.scalar(sa.select(Message.status).where(Message.id == message.id))


def employees(make_user, count: int, **overrides) -> list:
    return [make_user(email=f"agent{n}@test.example", locale="en", **overrides) for n in range(count)]


ENGLISH = Criteria(languages=("en",))


def test_every_recipient_gets_one_multipart_email_in_their_language(smtp, make_user, make_message, start, run_dispatch):
    make_user(email="ana@test.example", first_name="Ana", locale="fr")
    make_user(email="bob@test.example", first_name="Bob", locale="en")
    message = start(
        make_message(
            subject_fr="Bonjour {{ first_name }}",
            body_fr="Bonjour **{{ first_name }}**.",
            subject_en="Hello {{ first_name }}",
            body_en="Hello **{{ first_name }}**.",
            category="news",
        )
    )
    report = run_dispatch()
    assert report.sent == 3  # the two employees and the author
    assert status_of(message) == MessageStatus.SENT.value

    (ana,) = smtp.to("ana@test.example")
    assert ana.parsed["Subject"] == "Bonjour Ana"
    assert ana.parsed.get_content_type() == "multipart/alternative"
    parts = {kind: ana.part(kind) for kind in ("text/plain", "text/html")}
    assert "Bonjour Ana." in parts["text/plain"]
    assert "<strong>Ana</strong>" in parts["text/html"]
    assert '<html lang="fr">' in parts["text/html"]
    assert f"En savoir plus\u202f: http://localhost/messages/{message.id}" in parts["text/plain"]
    assert "http://localhost/me/preferences" in parts["text/plain"]  # news is not essential
    assert ana.parsed["List-Unsubscribe"] == "<http://localhost/me/preferences>"
    assert ana.message_id.endswith("@localhost>")

    (bob,) = smtp.to("bob@test.example")
    assert bob.parsed["Subject"] == "Hello Bob"
    assert f"Learn more: http://localhost/messages/{message.id}" in bob.part("text/plain")

    rows = outbox(message)
    assert {row.status for row in rows.values()} == {OutboxStatus.SENT.value}
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows.values())


def test_essential_messages_have_no_preferences_link(smtp, make_user, make_message, start, run_dispatch):
    make_user(email="ana@test.example", locale="fr")
    start(make_message(category="practical", audience=Criteria(languages=("fr",))))
    run_dispatch()
    (ana,) = smtp.to("ana@test.example")
    assert "/me/preferences" not in ana.part("text/plain") + ana.part("text/html")
    assert ana.parsed["List-Unsubscribe"] is None


def test_451_is_retried_with_backoff_and_delivered_once(smtp, make_user, make_message, start, run_dispatch):
    employees(make_user, 3)
    smtp.replies["agent1@test.example"] = ["451 4.3.0 try again later"]
    message = start(make_message(audience=ENGLISH))
    now = utcnow()

    first = run_dispatch(clock=lambda: now)
    assert (first.sent, first.deferred, first.failed) == (2, 1, 0)
    waiting = outbox(message)["agent1@test.example"]
    assert waiting.status == OutboxStatus.QUEUED.value
    assert waiting.attempts == 1
    assert waiting.last_error == "451 4.3.0 try again later"
    assert waiting.next_attempt_at == now + timedelta(seconds=300)  # first wait: the base
    assert status_of(message) == MessageStatus.SENDING.value

    assert run_dispatch(clock=lambda: now + timedelta(seconds=299)).sent == 0  # not due yet
    later = run_dispatch(clock=lambda: now + timedelta(seconds=301))
    assert later.sent == 1
    assert len(smtp.to("agent1@test.example")) == 1
    assert outbox(message)["agent1@test.example"].attempts == 2
    assert status_of(message) == MessageStatus.SENT.value


def test_backoff_doubles_and_gives_up_after_the_last_attempt(app, smtp, make_user, make_message, start, run_dispatch,
                                                             monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_MESSAGING_MAX_ATTEMPTS", 3)
    employees(make_user, 1)
    smtp.replies["agent0@test.example"] = ["452 mailbox full"] * 5
    message = start(make_message(audience=ENGLISH))
    now = utcnow()
    run_dispatch(clock=lambda: now)
    assert outbox(message)["agent0@test.example"].next_attempt_at == now + timedelta(seconds=300)
    now += timedelta(seconds=300)
    run_dispatch(clock=lambda: now)
    assert outbox(message)["agent0@test.example"].next_attempt_at == now + timedelta(seconds=600)
    now += timedelta(seconds=600)
    run_dispatch(clock=lambda: now)
    row = outbox(message)["agent0@test.example"]
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.FAILED.value, 3, "452 mailbox full")
    assert status_of(message) == MessageStatus.SENT.value  # nothing left to send


def test_550_fails_at_once_with_the_reason_and_is_not_retried(smtp, make_user, make_message, start, run_dispatch):
    employees(make_user, 3)
    smtp.replies["agent2@test.example"] = ["550 5.1.1 no such user here"]
    message = start(make_message(audience=ENGLISH))
    report = run_dispatch()
    assert (report.sent, report.failed) == (2, 1)
    row = outbox(message)["agent2@test.example"]
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.FAILED.value, 1, "550 5.1.1 no such user here")
    assert run_dispatch(clock=lambda: utcnow() + timedelta(days=2)).sent == 0
    assert smtp.to("agent2@test.example") == []
    assert smtp.data_commands == 3


def test_a_connection_dropped_mid_batch_loses_nothing_and_sends_nothing_twice(
    smtp, make_user, make_message, start, run_dispatch
):
    people = employees(make_user, 6)
    smtp.hang_up_at = {2}  # the third e-mail: the server hangs up without answering
    message = start(make_message(audience=ENGLISH))
    now = utcnow()
    first = run_dispatch(clock=lambda: now)
    assert (first.sent, first.deferred) == (5, 1)
    assert smtp.connections == 2  # reconnected after the drop, once
    run_dispatch(clock=lambda: now + timedelta(seconds=301))
    for person in people:
        assert len(smtp.to(person.email)) == 1
    assert {row.status for row in outbox(message).values()} == {OutboxStatus.SENT.value}


def test_an_unreachable_server_defers_the_batch_and_pauses_the_message(
    app, smtp, make_user, make_message, start, run_dispatch, monkeypatch
):
    from tests.messaging.conftest import free_port

    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    employees(make_user, 10)
    message = start(make_message(audience=ENGLISH))
    report = run_dispatch()
    assert report.deferred == 10 and report.sent == 0
    assert status_of(message) == MessageStatus.PAUSED.value
    db.session.refresh(message)
    assert message.pause_details["kind"] == "failures"
    assert message.pause_details["failed"] == 10
    assert "cannot connect" in message.pause_details["reason"]


def test_too_many_failures_in_a_batch_pause_the_message_until_resumed(
    smtp, make_user, make_message, start, run_dispatch
):
    from portal.messaging import services

    people = employees(make_user, 12)
    for person in people[:7]:
        smtp.replies[person.email] = ["554 5.7.1 rejected by policy"]
    message = start(make_message(audience=ENGLISH))
    report = run_dispatch()
    assert report.paused
    assert (report.sent, report.failed) == (5, 7)
    db.session.refresh(message)
    assert message.status == MessageStatus.PAUSED.value
    assert message.pause_details == {
        "kind": "failures", "failed": 7, "attempted": 12, "reason": "554 5.7.1 rejected by policy"
    }

    services.retry_failed(message, now=utcnow())
    db.session.commit()
    assert run_dispatch().sent == 7
    assert status_of(message) == MessageStatus.SENT.value
    assert all(len(smtp.to(p.email)) == 1 for p in people)


def test_rows_of_a_dead_worker_are_taken_again_after_the_lease(app, smtp, make_user, make_message, start):
    employees(make_user, 4)
    message = start(make_message(audience=ENGLISH))
    now = utcnow()
    claimed = dispatch.claim(message.id, now=now, worker="dead-worker", size=10, lease_seconds=300)
    assert len(claimed) == 4
    assert dispatch.claim(message.id, now=now, worker="other", size=10, lease_seconds=300) == []
    assert dispatch.dispatch_batch(worker="other", clock=lambda: now + timedelta(seconds=10)) is None
    report = dispatch.dispatch_batch(worker="other", clock=lambda: now + timedelta(seconds=301))
    assert report.sent == 4
    assert len(smtp.received) == 4


def test_a_worker_records_results_only_for_its_own_claims(smtp, make_user, make_message, start):
    employees(make_user, 1)
    message = start(make_message(audience=ENGLISH))
    now = utcnow()
    (entry_id,) = dispatch.claim(message.id, now=now, worker="first", size=10, lease_seconds=1)
    dispatch.claim(message.id, now=now + timedelta(seconds=2), worker="second", size=10, lease_seconds=300)
    with db.engine.connect() as results:
        dispatch._record_sent(results, entry_id, "first", now)  # the first worker's late result is ignored
        results.commit()
    row = db.session.get(OutboxEntry, entry_id, populate_existing=True)
    assert (row.status, row.claimed_by) == (OutboxStatus.QUEUED.value, "second")


def test_without_mail_server_emails_are_written_as_eml_files(
    app, make_user, make_message, start, run_dispatch, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path))
    employees(make_user, 2)
    start(make_message(audience=ENGLISH))
    assert run_dispatch().sent == 2
    files = sorted(tmp_path.glob("*.eml"))
    assert len(files) == 2
    assert b"agent0@test.example" in files[0].read_bytes() + files[1].read_bytes()


def test_a_message_stopped_while_sending_drops_its_remaining_emails(smtp, make_user, make_message, start,
                                                                    run_dispatch):
    from portal.messaging import services

    employees(make_user, 3)
    message = start(make_message(audience=ENGLISH))
    assert services.stop(message, now=utcnow()) == 3
    db.session.commit()
    assert run_dispatch().sent == 0
    assert smtp.received == []
    assert status_of(message) == MessageStatus.CANCELLED.value


def test_accounts_deactivated_after_the_start_get_no_email(smtp, make_user, make_message, start, run_dispatch):
    kept, gone = employees(make_user, 2)
    message = start(make_message(audience=ENGLISH))
    gone.active = False
    db.session.commit()
    assert run_dispatch().sent == 1
    assert [r.recipient for r in smtp.received] == [kept.email]
    row = outbox(message)[gone.email]
    assert (row.status, row.last_error) == (OutboxStatus.CANCELLED.value, "account deactivated")
    assert status_of(message) == MessageStatus.SENT.value


# ------------------------------------------------------------------------------------- Message-IDs


@pytest.fixture
def second_portal(smtp_server: tuple[Any, int], tmp_path: Path) -> Iterator[Flask]:
    """Another instance of the portal with its own database (a test instance beside production, say), sending
    through the same relay as the tests' application."""
    from flask_migrate import upgrade

    _recorder, port = smtp_server
    with new_database(tmp_path) as url:
        other = create_app({**app_config(url, tmp_path), "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
                            "MAIL_TIMEOUT": 5})
        with other.app_context():
            upgrade(revision="heads")
        try:
            yield other
        finally:
            with other.app_context():
                db.engine.dispose()


def test_two_portals_sending_through_one_relay_never_share_a_message_id(
    smtp, second_portal, make_user, make_message, start, run_dispatch
):
    """Two databases number their rows alike: a receiver that drops copies by Message-ID must get both e-mails."""

    def mailing() -> list[tuple[int, int]]:
        employees(make_user, 2)
        message = start(make_message(audience=ENGLISH))
        assert run_dispatch().sent == 2
        return sorted((message.id, row.id) for row in outbox(message).values())

    rows_here = mailing()
    with second_portal.app_context():
        rows_there = mailing()
    assert rows_here == rows_there  # the same message and outbox ids in both databases
    for address in ("agent0@test.example", "agent1@test.example"):
        here, there = smtp.to(address)
        assert here.message_id != there.message_id
        assert here.message_id.endswith("@localhost>") and there.message_id.endswith("@localhost>")
    assert len({received.message_id for received in smtp.received}) == 4


def test_a_retried_email_keeps_the_message_id_it_got_when_queued(smtp, make_user, make_message, start, run_dispatch):
    employees(make_user, 1)
    smtp.replies["agent0@test.example"] = ["451 4.3.0 try again later"]
    message = start(make_message(audience=ENGLISH))
    uid = outbox(message)["agent0@test.example"].email_uid
    now = utcnow()
    assert run_dispatch(clock=lambda: now).deferred == 1
    assert run_dispatch(clock=lambda: now + timedelta(seconds=301)).sent == 1
    (delivered,) = smtp.to("agent0@test.example")
    assert [message_id for _address, message_id in smtp.offered] == [delivered.message_id] * 2
    assert len(uid) == 32 and f".{uid}@localhost>" in delivered.message_id


def test_after_the_relay_accepts_an_email_only_its_sent_mark_runs_before_the_commit(
    smtp, make_user, make_message, start, run_dispatch
):
    """A crash between the server's 250 and the commit sends that e-mail twice: that window holds the UPDATE
    marking it sent and the COMMIT, no other statement."""
    employees(make_user, 3)
    start(make_message(audience=ENGLISH))
    events: list[tuple[float, str]] = []

    def on_statement(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        events.append((time.monotonic(), " ".join(statement.split()[:2])))

    def on_commit(_conn) -> None:
        events.append((time.monotonic(), "COMMIT"))

    sa.event.listen(db.engine, "before_cursor_execute", on_statement)
    sa.event.listen(db.engine, "commit", on_commit)
    try:
        assert run_dispatch().sent == 3
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", on_statement)
        sa.event.remove(db.engine, "commit", on_commit)
    for received in smtp.received:
        after = [event for at, event in events if at > received.accepted_at]
        assert after[: after.index("COMMIT") + 1] == ["UPDATE message_outbox", "COMMIT"], received.recipient


# ------------------------------------------------------------------------------------- time budget


def test_a_stalling_relay_cannot_hold_a_run_past_its_time_budget(smtp, make_user, make_message, start, run_dispatch):
    """Every e-mail answered after 0.4 s: the batch of 12 would take 5 s; the run stops at its 1 s budget, the
    e-mails it did not begin are given back (due at once, no attempt counted) and the next run sends them."""
    people = employees(make_user, 12)
    message = start(make_message(audience=ENGLISH))
    smtp.delay = 0.4
    began = time.monotonic()
    first = run_dispatch(budget_seconds=1.0)
    took = time.monotonic() - began
    assert took < 1.0 + 0.4 + 0.5  # the budget, the e-mail in flight when it ran out, a busy machine's slack
    assert 1 <= first.sent <= 4
    waiting = [row for row in outbox(message).values() if row.status == OutboxStatus.QUEUED.value]
    assert len(waiting) == 12 - first.sent
    assert all(row.attempts == 0 and row.lease_until is None for row in waiting)
    smtp.delay = 0
    assert run_dispatch().sent == 12 - first.sent
    assert all(len(smtp.to(person.email)) == 1 for person in people)
    assert status_of(message) == MessageStatus.SENT.value
