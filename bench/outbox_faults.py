"""`python -m bench.outbox_faults`: the outbox under crashes and a faulty relay; 0 lost is the bar.

On the database of DATABASE_URL (a temporary SQLite file by default; `--fresh` drops and recreates the one
named), a message to `--emails` employees of an org unit made for the run is started; then:

1. the real jobs process (`python -m jobs`, as in production) is started and SIGKILLed `--kills` times, each
   time at a random moment of the 2 s after the relay saw its first e-mail (one dispatch interval: the kill
   may land during an e-mail, between two, or between two runs);
2. the relay is an aiosmtpd server in a thread of this process that injects faults at random on each DATA
   command: 4xx replies, connections dropped without a reply, slow replies (0.2–1 s), stalls longer than
   MAIL_TIMEOUT (the client gives up, the server drops the connection), and a 5xx reply for every address of
   the run that starts with "refused-" (one in fifty: they must fail, once each, not be delivered);
3. a last jobs process runs, without kills, until no e-mail of the message is left to send. A paused message
   (more than half of a batch failed) is resumed at once, as the communications team would.

Printed: expected (e-mails the relay should end up accepting), delivered (distinct e-mails it accepted),
lost (expected but never accepted), duplicated (copies accepted beyond the first); the kills that landed
while a batch was in flight and the duplicates per kill; what the portal recorded; whether every copy kept
its Message-ID; the dispatch runs the scheduler skipped ("maximum number of running instances reached") and
how long the runs a kill did not cut lasted, against their time budget.

A database given by DATABASE_URL must have no other message scheduled or being sent: the jobs process would
send it to the sink. The jobs processes' log is kept (in a temporary directory) with `--keep-log`.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiosmtpd.controller import Controller

from bench.generate import _recreate
from bench.messaging import _free_port
from portal import create_app
from portal.accounts.models import User
from portal.accounts.services import set_roles
from portal.config import from_environment
from portal.messaging import services
from portal.messaging.audience import Criteria
from portal.messaging.models import Message, MessageStatus, OutboxEntry, OutboxStatus
from portal.messaging.sending import start_message
from portal.models import db, utcnow
from portal.org.models import OrgUnit

ROOT = Path(__file__).resolve().parent.parent
MAIL_TIMEOUT_SECONDS = 2
#: (fault, share of the DATA commands); the rest are answered 250 at once.
FAULTS = (("4xx", 0.03), ("dropped", 0.02), ("slow", 0.03), ("stalled", 0.01))
SLOW_SECONDS = (0.2, 1.0)
STALL_SECONDS = MAIL_TIMEOUT_SECONDS + 1.0
REFUSED_EVERY = 50  # one address in fifty is refused with a 5xx
KILL_WITHIN_SECONDS = 2.0  # after the first e-mail of a jobs process: its dispatch interval (below)
START_LIMIT_SECONDS = 30
DRAIN_LIMIT_SECONDS = 900
#: The jobs process: product defaults except what makes a run of minutes possible (short lease and retry
#: waits, so killed batches and 4xx come back within seconds; more attempts, as faults are dense here).
JOBS_SETTINGS = {
    "MAIL_SERVER": "127.0.0.1",
    "MAIL_TIMEOUT": str(MAIL_TIMEOUT_SECONDS),
    "PORTAL_BASE_URL": "https://portail.example.org",
    "PORTAL_MESSAGING_DISPATCH_SECONDS": "2",
    "PORTAL_MESSAGING_BATCH_SIZE": "50",
    "PORTAL_MESSAGING_LEASE_SECONDS": "8",
    "PORTAL_MESSAGING_RETRY_BASE_SECONDS": "1",
    "PORTAL_MESSAGING_MAX_ATTEMPTS": "30",
    "PORTAL_JOBS_HEARTBEAT_SECONDS": "5",
}


@dataclass(frozen=True)
class Accepted:
    """An e-mail the relay answered 250."""

    recipient: str
    message_id: str
    at: float  # time.monotonic()


@dataclass
class FaultyRelay:
    """aiosmtpd handler: injects the faults above, records what it accepts."""

    seed: int
    data_commands: int = 0
    accepted: list[Accepted] = field(default_factory=list)
    injected: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)  # drawn in the server's thread only

    def _fault(self) -> str | None:
        draw = self._random.random()
        for fault, share in FAULTS:
            if draw < share:
                return fault
            draw -= share
        return None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_commands += 1
        recipient = envelope.rcpt_tos[0]
        if recipient.startswith("refused-"):
            self.injected["5xx"] += 1
            return "550 5.1.1 no such mailbox here"
        fault = self._fault()
        if fault:
            self.injected[fault] += 1
        if fault == "4xx":
            return "451 4.3.0 try again later"
        if fault == "stalled":
            await asyncio.sleep(STALL_SECONDS)
        if fault in ("dropped", "stalled"):
            server.transport.close()
            return "421 gone"
        if fault == "slow":
            await asyncio.sleep(self._random.uniform(*SLOW_SECONDS))
        message_id = BytesHeaderParser().parsebytes(envelope.content)["Message-ID"]
        with self.lock:
            self.accepted.append(Accepted(recipient, message_id, time.monotonic()))
        return "250 OK"


@dataclass(frozen=True)
class Cycle:
    """One jobs process: when it started, when it was killed, whether it had e-mails in flight."""

    pid: int
    began: float
    killed: float
    mid_send: bool


def _queue_mailing(emails: int, tag: str) -> int:
    """Employees of an org unit made for this run, and a message to them started (its outbox filled)."""
    unit = OrgUnit(code=f"FAULTS-{tag}", name=f"Outbox fault run {tag}", kind="service")
    author = User(email=f"author-{tag}@bench.example", first_name="Autrice", last_name="Bench")
    set_roles(author, ("comms",))
    db.session.add_all([unit, author])
    db.session.flush()
    rows = []
    for n in range(emails):
        kind = "refused" if n % REFUSED_EVERY == REFUSED_EVERY - 1 else "agent"
        rows.append({"email": f"{kind}-{tag}-{n:05d}@bench.example", "first_name": f"Agent{n}",
                     "last_name": "Bench", "locale": "fr", "org_unit_id": unit.id, "password_hash": None})
    db.session.execute(sa.insert(User), rows)
    message = services.create_message(
        services.MessageInput("Bonjour {{ first_name }}", "Bonjour **{{ first_name }}**, un message du banc d'essai.",
                              category="practical"),
        author=author,
    )
    services.save_audience(message, Criteria(org_unit_ids=(unit.id,)))
    services.send_now(message, now=utcnow())
    db.session.commit()
    start_message(message.id, now=utcnow())
    db.session.commit()
    return message.id


def _messages_in_progress() -> int:
    """Messages the jobs process would start or send (to the sink) besides the run's own."""
    in_progress = (MessageStatus.SCHEDULED, MessageStatus.STARTING, MessageStatus.SENDING, MessageStatus.PAUSED)
    return db.session.scalar(
        sa.select(sa.func.count(Message.id)).where(Message.status.in_([status.value for status in in_progress]))
    ) or 0


def _left(message_id: int) -> int:
    db.session.rollback()  # read what the jobs process committed
    return db.session.scalar(
        sa.select(sa.func.count(OutboxEntry.id)).where(
            OutboxEntry.message_id == message_id, OutboxEntry.status == OutboxStatus.QUEUED.value
        )
    ) or 0


def _in_flight(message_id: int, pid: int) -> bool:
    """The killed process had claimed e-mails it had not finished: the kill landed while it was sending."""
    db.session.rollback()
    return bool(db.session.scalar(
        sa.select(sa.func.count(OutboxEntry.id)).where(
            OutboxEntry.message_id == message_id,
            OutboxEntry.status == OutboxStatus.QUEUED.value,
            OutboxEntry.claimed_by.like(f"%:{pid}:%"),
            OutboxEntry.lease_until > utcnow(),
        )
    ))


def _resume_if_paused(message_id: int) -> int:
    db.session.rollback()
    message = db.session.get(Message, message_id, populate_existing=True)
    if message is None or message.status != MessageStatus.PAUSED.value:
        return 0
    services.resume(message, now=utcnow())
    db.session.commit()
    return 1


def _jobs_process(env: dict[str, str], log: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "jobs"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


_LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) jobs \w+ (.*)$")


def _run_seconds(log_text: str) -> list[float]:
    """How long each dispatch run lasted that was not cut by a kill, from the jobs processes' log."""
    durations, began = [], None
    for line in log_text.splitlines():
        match = _LOG_LINE.match(line)
        if not match:
            continue
        at = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f")
        text = match.group(2)
        if text.startswith("__main__: jobs process started"):
            began = None  # the previous process was killed: its run in progress never ended
        elif 'Running job "messaging-dispatch' in text:
            began = at
        elif 'Job "messaging-dispatch' in text and "executed successfully" in text and began is not None:
            durations.append((at - began).total_seconds())
            began = None
    return durations


def _count(message_id: int, relay: FaultyRelay, cycles: list[Cycle], drain_began: float) -> dict[str, Any]:
    """Compare what the relay accepted with what the portal recorded."""
    db.session.rollback()
    rows = db.session.execute(
        sa.select(User.email, OutboxEntry.status, OutboxEntry.last_error)
        .join(User, OutboxEntry.user_id == User.id)
        .where(OutboxEntry.message_id == message_id)
    ).all()
    with relay.lock:
        accepted = list(relay.accepted)
    addresses = {email for email, _status, _error in rows}
    refused = {email for email in addresses if email.startswith("refused-")}
    expected = addresses - refused
    copies = [a for a in accepted if a.recipient in addresses]
    per_recipient: dict[str, list[Accepted]] = defaultdict(list)
    for copy in copies:
        per_recipient[copy.recipient].append(copy)
    sent = {email for email, status, _error in rows if status == OutboxStatus.SENT.value}
    failed = [(email, error) for email, status, error in rows if status == OutboxStatus.FAILED.value]
    # A duplicate belongs to the process that sent its first copy: the last one started before it was accepted.
    starts = [cycle.began for cycle in cycles]
    per_kill: Counter[int] = Counter()
    after_kills = 0
    for recipient_copies in per_recipient.values():
        extra = len(recipient_copies) - 1
        if not extra:
            continue
        first = min(copy.at for copy in recipient_copies)
        position = bisect.bisect_right(starts, first) - 1
        if first >= drain_began or position < 0:
            after_kills += extra
        else:
            per_kill[position] += extra
    message_ids = [{copy.message_id for copy in recipient_copies} for recipient_copies in per_recipient.values()]
    return {
        "emails": len(rows),
        "expected": len(expected),
        "delivered": len(expected & per_recipient.keys()),
        "lost": len(expected - per_recipient.keys()),
        "duplicated": len(copies) - len(per_recipient),
        "refused": len(refused),
        "refused_delivered": len(refused & per_recipient.keys()),
        "marked_sent": len(sent),
        "marked_sent_never_accepted": len(sent - per_recipient.keys()),
        "failed": len(failed),
        "failed_refused_5xx": sum(1 for email, error in failed if email in refused and error.startswith("550")),
        "left": sum(1 for _email, status, _error in rows if status == OutboxStatus.QUEUED.value),
        "kills": len(cycles),
        "kills_mid_send": sum(cycle.mid_send for cycle in cycles),
        "max_duplicates_per_kill": max(per_kill.values(), default=0),
        "kills_with_duplicate": len(per_kill),
        "duplicates_after_kills": after_kills,
        "same_message_id_per_email": all(len(ids) == 1 for ids in message_ids),
        "distinct_message_ids": len(set().union(*message_ids)) == len(per_recipient) if message_ids else True,
        "faults": dict(relay.injected),
    }


def bench(url: str, *, kills: int, emails: int, seed: int, fresh: bool, keep_log: bool) -> dict[str, Any]:
    """Every step on one database; returns the counts."""
    if fresh:
        _recreate(url)
    relay = FaultyRelay(seed)
    port = _free_port()
    controller = Controller(relay, hostname="127.0.0.1", port=port)
    controller.start()
    workdir = Path(tempfile.mkdtemp(prefix="outbox-faults-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "PORTAL_BASE_URL": JOBS_SETTINGS["PORTAL_BASE_URL"]})
    env = {**os.environ, **JOBS_SETTINGS, "MAIL_PORT": str(port), "DATABASE_URL": url}
    randomness = random.Random(seed)
    results: dict[str, Any] = {"database": sa.make_url(url).get_backend_name(), "seed": seed}
    began = time.monotonic()
    try:
        with app.app_context(), (workdir / "jobs.log").open("wb") as log:
            from flask_migrate import upgrade

            upgrade(revision="heads")
            if waiting := _messages_in_progress():
                raise SystemExit(f"{waiting} messages are scheduled or being sent in this database: the jobs process "
                                 "would send them to the sink. Use a database for benchmarks (--fresh).")
            message_id = _queue_mailing(emails, f"{int(time.time())}{os.getpid()}")
            cycles: list[Cycle] = []
            pauses = 0
            for number in range(kills):
                if not _left(message_id):
                    print(f"the outbox was empty after {number} kills: give more --emails", file=sys.stderr)
                    break
                seen = relay.data_commands
                process = _jobs_process(env, log)
                started = time.monotonic()
                while relay.data_commands == seen and time.monotonic() - started < START_LIMIT_SECONDS:
                    time.sleep(0.01)
                time.sleep(randomness.uniform(0, KILL_WITHIN_SECONDS))
                process.send_signal(signal.SIGKILL)
                process.wait()
                cycles.append(Cycle(process.pid, started, time.monotonic(), _in_flight(message_id, process.pid)))
                pauses += _resume_if_paused(message_id)
                if (number + 1) % 10 == 0:
                    print(f"  {number + 1} kills, {_left(message_id)} e-mails left", file=sys.stderr, flush=True)
            drain_began = time.monotonic()
            process = _jobs_process(env, log)
            try:
                while _left(message_id) and time.monotonic() - drain_began < DRAIN_LIMIT_SECONDS:
                    pauses += _resume_if_paused(message_id)
                    time.sleep(0.5)
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            time.sleep(STALL_SECONDS)  # a reply the relay was still stalling cannot be counted later
            results.update(_count(message_id, relay, cycles, drain_began))
            results["pauses_resumed"] = pauses
        log_text = (workdir / "jobs.log").read_text(errors="replace")
        results["skipped_runs"] = log_text.count("maximum number of running instances reached")
        results["run_seconds"] = sorted(_run_seconds(log_text))
        results["seconds"] = time.monotonic() - began
        results["log"] = str(workdir / "jobs.log") if keep_log else ""
    finally:
        controller.stop()
        with app.app_context():
            db.engine.dispose()
        if not keep_log:
            shutil.rmtree(workdir, ignore_errors=True)
    return results


def _report(r: dict[str, Any]) -> str:
    """The printed report of one database's run."""
    faults = r["faults"]
    yes = {True: "yes", False: "NO"}
    lines = [
        f"== {r['database']}: {r['kills']} kills, {r['emails']} e-mails, seed {r['seed']} ({r['seconds']:.0f} s) ==",
        f"expected {r['expected']}  delivered {r['delivered']}  lost {r['lost']}  duplicated {r['duplicated']}",
        f"kills: {r['kills']}, {r['kills_mid_send']} while a batch was in flight; {r['kills_with_duplicate']} made a "
        f"duplicate, at most {r['max_duplicates_per_kill']} per kill; duplicates without a kill: "
        f"{r['duplicates_after_kills']}",
        f"relay faults: 4xx {faults.get('4xx', 0)}, 5xx {faults.get('5xx', 0)}, dropped {faults.get('dropped', 0)}, "
        f"slow {faults.get('slow', 0)}, stalled past MAIL_TIMEOUT {faults.get('stalled', 0)}",
        f"portal's record: sent {r['marked_sent']} (never accepted by the relay: {r['marked_sent_never_accepted']}), "
        f"failed {r['failed']} ({r['failed_refused_5xx']} of the {r['refused']} refused addresses, with their 550; "
        f"delivered to them: {r['refused_delivered']}), left {r['left']}",
        f"every copy kept its e-mail's Message-ID: {yes[r['same_message_id_per_email']]}; Message-IDs distinct "
        f"between e-mails: {yes[r['distinct_message_ids']]}",
        f"pauses resumed: {r['pauses_resumed']}; dispatch runs skipped by the scheduler (maximum number of running "
        f"instances reached): {r['skipped_runs']}",
    ]
    if runs := r["run_seconds"]:
        interval = float(JOBS_SETTINGS["PORTAL_MESSAGING_DISPATCH_SECONDS"])
        median, longest = runs[len(runs) // 2], runs[-1]
        lines.append(
            f"dispatch runs not cut by a kill: {len(runs)}, median {median:.2f} s, longest {longest:.2f} s"
            f" (budget {interval - 0.5:.1f} s, MAIL_TIMEOUT {MAIL_TIMEOUT_SECONDS} s); over the {interval:.0f} s "
            f"interval: {sum(1 for seconds in runs if seconds > interval)}"
        )
    if r["log"]:
        lines.append(f"jobs log: {r['log']}")
    return "\n".join(lines)


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=40)
    parser.add_argument("--emails", type=int, help="e-mails to send (default: 60 per kill)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the DATABASE_URL database first")
    parser.add_argument("--keep-log", action="store_true", help="keep the jobs processes' log")
    args = parser.parse_args()
    if args.kills < 0 or (args.emails is not None and args.emails < 1):
        parser.error("--kills must be 0 or more and --emails 1 or more")
    url = from_environment().get("SQLALCHEMY_DATABASE_URI")
    scratch = None
    if not url:
        scratch = Path(tempfile.mkdtemp(prefix="outbox-faults-db-"))
        url = f"sqlite:///{scratch / 'portal.db'}"
    try:
        results = bench(url, kills=args.kills, emails=args.emails or 60 * max(args.kills, 1), seed=args.seed,
                        fresh=args.fresh and scratch is None, keep_log=args.keep_log)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    print(_report(results), flush=True)
    if results["lost"] or results["left"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
