"""`python -m bench.messaging`: personalised messages at full scale (20,000 employees), SQLite then PostgreSQL.

For each database, on a fresh one filled by bench.generate (20,000 employees, ~60,000 devices):

1. *Start* a message to everyone (the ready "your devices' footprint" template, both languages, portal and
   e-mail): audience resolution, personal figures, rendering and inbox/outbox insertion, batch by batch
   — the send decision the jobs process takes. Timed alone, then its parts (audience streaming alone;
   audience + personal contexts), then again under tracemalloc for the peak memory, with a message to a
   smaller audience (three departments) to show that memory does not grow with the audience.
2. *Dispatch* the 20,000 e-mails with one worker to a local SMTP server (aiosmtpd in its own process, a
   sink), and, as the baseline, a plain smtplib loop sending the same messages over one connection.

Results are printed; figures drift between machines and runs, so compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.generate import _recreate, generate
from portal import create_app
from portal.accounts.models import User
from portal.messaging import audience, dispatch, markup, services
from portal.messaging.audience import Criteria
from portal.messaging.models import Message, MessageRecipient, OutboxEntry, OutboxStatus
from portal.messaging.ready import FOOTPRINT
from portal.messaging.sending import start_message
from portal.messaging.settings import setting
from portal.models import db, utcnow

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = f"sqlite:///{ROOT / 'instance' / 'bench-messaging.db'}"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench_messaging"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _smtp_sink() -> tuple[subprocess.Popen[bytes], int]:
    """aiosmtpd in its own process (no GIL shared with the sender), discarding what it receives."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, port
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the SMTP sink did not start")


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def _new_message(author: User, criteria: Criteria) -> Message:
    message = services.create_message(
        services.MessageInput(FOOTPRINT.subject_fr, FOOTPRINT.body_fr, FOOTPRINT.subject_en, FOOTPRINT.body_en,
                              category=FOOTPRINT.category),
        author=author,
    )
    services.save_audience(message, criteria)
    now = utcnow()  # the confirmation step, as its author would go through it
    services.send_now(message, now=now, confirmation=services.send_summary(message, at=None, now=now).confirmation())
    db.session.commit()
    return message


def _start(message: Message) -> Any:
    started = start_message(message.id, now=utcnow())
    db.session.commit()
    return started


def _audience_only(criteria: Criteria) -> int:
    today = utcnow().date()
    size = setting("PORTAL_MESSAGING_FREEZE_BATCH")
    return sum(len(batch) for batch in audience.batches(criteria, today=today, size=size))


def _audience_and_contexts(message: Message) -> int:
    today, now = utcnow().date(), utcnow()
    builder = services.context_builder(message, today=today, now=now)
    count = 0
    for batch in audience.batches(services.criteria_of(message), today=today,
                                  size=setting("PORTAL_MESSAGING_FREEZE_BATCH")):
        count += len(builder.contexts(batch))
    return count


def _peak_mib(action: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _baseline(port: int, limit: int) -> tuple[float, int]:
    """A plain smtplib loop sending the same messages (already rendered) over one connection."""
    rows = [
        (to, subject, *reversed(markup.render(body)))
        for to, subject, body in db.session.execute(
            sa.select(User.email, MessageRecipient.subject, MessageRecipient.body)
            .join(User, MessageRecipient.user_id == User.id)
            .order_by(MessageRecipient.id)
            .limit(limit)
        )
    ]
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for n, (to, subject, text, html) in enumerate(rows):
            mail = EmailMessage()
            mail["Subject"], mail["From"], mail["To"] = subject, "bench@example.org", to
            mail["Message-ID"] = f"<baseline.{n}@example.org>"
            mail.set_content(text)
            mail.add_alternative(html, subtype="html")
            connection.send_message(mail)
    return time.perf_counter() - started, len(rows)


def bench(url: str, employees: int, *, fresh: bool) -> dict[str, Any]:
    """Every measure on one database."""
    if fresh:
        _recreate(url)
    sink, port = _smtp_sink()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
                      "PORTAL_BASE_URL": "https://portail.example.org"})
    results: dict[str, Any] = {"database": sa.make_url(url).get_backend_name()}
    try:
        with app.app_context():
            from flask_migrate import upgrade

            upgrade(revision="heads")
            if not db.session.scalar(sa.select(sa.func.count(User.id))):
                seconds, _ = _timed(lambda: generate(employees=employees, items=500, assets_per_employee=3.0,
                                                     orders=2000))
                results["generate_s"] = seconds
            db.session.execute(sa.text("ANALYZE"))  # planner statistics, as a database in service has them
            db.session.commit()
            db.session.execute(sa.delete(Message))  # the demo's messages
            db.session.commit()
            author = db.session.scalar(sa.select(User).where(User.email == "comms@demo.example"))
            everyone = Criteria()

            results["audience_s"], results["audience_n"] = _timed(lambda: _audience_only(everyone))
            message = _new_message(author, everyone)
            results["contexts_s"], _ = _timed(lambda: _audience_and_contexts(message))
            results["start_s"], started = _timed(lambda: _start(message))
            results["recipients"], results["emails"] = started.recipients, started.emails
            results["not_personalised"] = started.not_personalised

            # Peak memory: the same mailing again, and one to a smaller audience (three departments).
            big = _new_message(author, everyone)
            results["peak_all_mib"] = _peak_mib(lambda: _start(big))
            some_units = sorted(db.session.scalars(sa.select(User.org_unit_id).distinct()).all(),
                                 key=lambda x: x or 0)[:3]
            small = _new_message(author, Criteria(org_unit_ids=tuple(u for u in some_units if u)))
            results["peak_small_mib"] = _peak_mib(lambda: _start(small))
            results["small_recipients"] = db.session.scalar(
                sa.select(sa.func.count(MessageRecipient.id)).where(MessageRecipient.message_id == small.id)
            )
            # Only the first mailing is dispatched.
            db.session.execute(sa.delete(Message).where(Message.id.in_([big.id, small.id])))
            db.session.commit()

            worker = dispatch.worker_name()
            results["dispatch_s"], run = _timed(lambda: dispatch.run(worker=worker))
            results["dispatched"] = run.sent
            results["dispatch_failed"] = run.failed + run.deferred
            results["left"] = db.session.scalar(
                sa.select(sa.func.count(OutboxEntry.id)).where(OutboxEntry.status != OutboxStatus.SENT.value)
            )
            results["baseline_s"], results["baseline_n"] = _baseline(port, results["dispatched"])
    finally:
        sink.terminate()
        sink.wait(timeout=10)
        with app.app_context():
            db.engine.dispose()
    return results


def _report(results: dict[str, Any]) -> str:
    rate = results["dispatched"] / results["dispatch_s"] if results["dispatch_s"] else 0
    baseline = results["baseline_n"] / results["baseline_s"] if results["baseline_s"] else 0
    lines = [
        f"== {results['database']} ==",
        f"audience streamed alone          {results['audience_n']:>7} employees  {results['audience_s']:7.2f} s",
        f"audience + personal contexts     {results['audience_n']:>7} employees  {results['contexts_s']:7.2f} s",
        f"start: audience + render + inbox + outbox  {results['recipients']:>7} recipients "
        f"{results['start_s']:7.2f} s  ({results['emails']} e-mails queued, "
        f"{results['not_personalised']} not personalised)",
        f"peak memory (tracemalloc) while starting: {results['peak_all_mib']:.1f} MiB for {results['recipients']}"
        f" recipients, {results['peak_small_mib']:.1f} MiB for {results['small_recipients']}",
        f"dispatch, one worker             {results['dispatched']:>7} e-mails     {results['dispatch_s']:7.2f} s"
        f"  {rate:7.0f} e-mails/s  (failed or deferred: {results['dispatch_failed']}, left: {results['left']})",
        f"baseline: plain smtplib loop     {results['baseline_n']:>7} e-mails     {results['baseline_s']:7.2f} s"
        f"  {baseline:7.0f} e-mails/s  (portal / baseline: {rate / baseline if baseline else 0:.2f})",
    ]
    if "generate_s" in results:
        lines.insert(1, f"data generated in {results['generate_s']:.0f} s")
    return "\n".join(lines)


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employees", type=int, default=20_000)
    parser.add_argument("--sqlite", default=os.environ.get("BENCH_SQLITE", DEFAULT_SQLITE))
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES", DEFAULT_POSTGRES))
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep an already generated database")
    args = parser.parse_args()
    (ROOT / "instance").mkdir(exist_ok=True)
    urls = [args.sqlite] + ([] if args.skip_postgres else [args.postgres])
    for url in urls:
        print(_report(bench(url, args.employees, fresh=not args.reuse)), flush=True)


if __name__ == "__main__":
    main()
