"""The messaging dispatch job: declared in the schedule, thin, and crash-safe when the jobs process is killed."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler

from jobs import messaging as messaging_jobs
from jobs.schedule import jobs
from portal.messaging import services
from portal.messaging.audience import Criteria
from portal.messaging.models import Message, MessageStatus, OutboxEntry, OutboxStatus
from portal.models import db, utcnow
from tests.conftest import ROOT
from tests.messaging.conftest import smtp, smtp_server  # noqa: F401  (fixtures)


def test_the_dispatch_job_is_scheduled_with_its_interval(app, monkeypatch):
    job = next(j for j in jobs(app.config) if j.name == "messaging-dispatch")
    assert job.func is messaging_jobs.dispatch
    assert (job.trigger, job.options, job.run_at_start) == ("interval", {"seconds": 10}, True)
    monkeypatch.setitem(app.config, "PORTAL_MESSAGING_DISPATCH_SECONDS", "3")  # from the environment: a string
    assert next(j for j in jobs(app.config) if j.name == "messaging-dispatch").options == {"seconds": 3}


def test_the_job_starts_due_messages_and_sends_their_emails(app, smtp, make_user, caplog, monkeypatch):  # noqa: F811
    monkeypatch.setattr(logging.getLogger("jobs.messaging"), "disabled", False)  # see test_campaign_jobs
    author = make_user(roles=("comms",), locale="fr")
    make_user(email="ana@test.example", locale="en")
    message = services.create_message(services.MessageInput("Hi {{ first_name }}", "Hello"), author=author)
    services.save_audience(message, Criteria(languages=("en",)))
    services.send_now(message, now=utcnow())
    db.session.commit()
    with caplog.at_level(logging.INFO, logger="jobs.messaging"):
        messaging_jobs.dispatch(app)
    assert [r.recipient for r in smtp.received] == ["ana@test.example"]
    assert "'started': 1, 'sent': 1" in caplog.text
    db.session.rollback()
    assert db.session.get(Message, message.id).status == MessageStatus.SENT.value


def _jobs_process(database_url: str, port: int) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "MAIL_TIMEOUT": "5",
        "PORTAL_BASE_URL": "http://localhost",
        "PORTAL_MESSAGING_DISPATCH_SECONDS": "1",
        "PORTAL_MESSAGING_BATCH_SIZE": "10",
        "PORTAL_MESSAGING_LEASE_SECONDS": "2",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "jobs"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _left_to_send(message_id: int) -> int:
    db.session.rollback()  # read what the jobs process committed
    return db.session.scalar(
        sa.select(sa.func.count(OutboxEntry.id)).where(
            OutboxEntry.message_id == message_id, OutboxEntry.status != OutboxStatus.SENT.value
        )
    )


def test_killed_mid_send_and_restarted_every_recipient_gets_exactly_one_email(
    app, database_url, smtp_server, make_user  # noqa: F811
):
    recorder, port = smtp_server
    recorder.delay = 0.02  # a slow relay: the kill lands in the middle of the mailing
    author = make_user(roles=("comms",), locale="fr")
    people = [make_user(email=f"agent{n:02d}@test.example", locale="en") for n in range(60)]
    message = services.create_message(services.MessageInput("Bonjour {{ first_name }}", "Bonjour"), author=author)
    services.save_audience(message, Criteria(languages=("en",)))
    services.send_now(message, now=utcnow())
    db.session.commit()

    first = _jobs_process(database_url, port)
    try:
        deadline = time.monotonic() + 30
        while len(recorder.received) < 15 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(recorder.received) >= 15, "the jobs process never started sending"
    finally:
        first.send_signal(signal.SIGKILL)  # no clean shutdown: a crash
        first.communicate(timeout=10)
    received_at_kill = len(recorder.received)
    assert received_at_kill < len(people), "the kill came too late to test anything"
    assert _left_to_send(message.id) > 0

    second = _jobs_process(database_url, port)
    try:
        deadline = time.monotonic() + 40
        while _left_to_send(message.id) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        second.send_signal(signal.SIGTERM)
        output, _ = second.communicate(timeout=20)
    assert _left_to_send(message.id) == 0, output

    ids_per_recipient = {p.email: {r.message_id for r in recorder.to(p.email)} for p in people}
    assert all(len(ids) == 1 for ids in ids_per_recipient.values()), ids_per_recipient
    copies = Counter(r.recipient for r in recorder.received)
    # Only the e-mail in flight at the kill may have been accepted twice (with the same Message-ID).
    assert sum(copies.values()) - len(people) <= 1, copies
    assert db.session.get(Message, message.id).status == MessageStatus.SENT.value


def test_a_stalling_relay_never_makes_the_scheduler_skip_a_dispatch_run(
    app, smtp, make_user, caplog, monkeypatch  # noqa: F811
):
    """Every e-mail answered after 0.15 s, 40 to send (6 s): each run stops within its 2 s interval, so the
    scheduler never logs "maximum number of running instances reached" and skips a run."""
    monkeypatch.setattr(logging.getLogger("apscheduler.scheduler"), "disabled", False)  # see test_campaign_jobs
    monkeypatch.setitem(app.config, "PORTAL_MESSAGING_DISPATCH_SECONDS", 2)
    author = make_user(roles=("comms",), locale="fr")
    for n in range(40):
        make_user(email=f"agent{n:02d}@test.example", locale="en")
    message = services.create_message(services.MessageInput("Bonjour {{ first_name }}", "Bonjour"), author=author)
    services.save_audience(message, Criteria(languages=("en",)))
    services.send_now(message, now=utcnow())
    db.session.commit()
    smtp.delay = 0.15
    job = next(j for j in jobs(app.config) if j.name == "messaging-dispatch")
    scheduler = BackgroundScheduler(timezone="Europe/Paris")  # one running instance per job at most, as in jobs
    with caplog.at_level(logging.WARNING, logger="apscheduler.scheduler"):
        scheduler.add_job(job.func, job.trigger, args=[app], next_run_time=datetime.now(UTC), **job.options)
        scheduler.start()
        time.sleep(5.5)  # runs due at 0, 2 and 4 s
        scheduler.shutdown(wait=True)
    assert "maximum number of running instances reached" not in caplog.text
    copies = Counter(r.recipient for r in smtp.received)
    assert len(copies) >= 20  # three runs of about 1.5 s of sending each
    assert set(copies.values()) == {1}
