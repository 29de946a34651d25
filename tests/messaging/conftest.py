"""Messaging fixtures: a real SMTP server (aiosmtpd) that can refuse or hang up on cue, messages on demand,
and the dispatch run as the jobs process does it."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from portal.accounts.models import User
from portal.messaging import dispatch, services
from portal.messaging.audience import Criteria
from portal.messaging.models import Message
from portal.messaging.sending import start_message
from portal.models import db, utcnow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    """An e-mail the server accepted."""

    recipient: str
    message_id: str
    parsed: email.message.EmailMessage
    #: time.monotonic() when the server decided to answer 250 (just before the client reads it).
    accepted_at: float = field(default_factory=time.monotonic)

    def part(self, content_type: str) -> str:
        """The decoded text of the text/plain or text/html part."""
        for part in self.parsed.walk():
            if part.get_content_type() == content_type:
                return part.get_content()
        raise AssertionError(f"no {content_type} part")


@dataclass
class SmtpRecorder:
    """aiosmtpd handler: accepts everything unless told otherwise, records what it accepted.

    `replies[address]` is a list of replies to give to the next DATA commands for that address ("451 …",
    "550 …"); `hang_up_at` holds the DATA command numbers (from 0) at which the server closes the connection
    without answering; `delay` slows every DATA down (seconds). `offered` keeps (recipient, Message-ID) of every
    DATA command, refused ones included.
    """

    received: list[Received] = field(default_factory=list)
    offered: list[tuple[str, str]] = field(default_factory=list)
    replies: dict[str, list[str]] = field(default_factory=dict)
    hang_up_at: set[int] = field(default_factory=set)
    delay: float = 0.0
    data_commands: int = 0
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]) -> Any:
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            number = self.data_commands
            self.data_commands += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if number in self.hang_up_at:
            server.transport.close()
            return "421 gone"
        address = envelope.rcpt_tos[0]
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.offered.append((address, parsed["Message-ID"]))
        scripted = self.replies.get(address)
        if scripted:
            return scripted.pop(0)
        with self.lock:
            self.received.append(Received(address, parsed["Message-ID"], parsed))
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if r.recipient == address]


@pytest.fixture
def smtp_server() -> Iterator[tuple[SmtpRecorder, int]]:
    """A real SMTP server on 127.0.0.1 (a free port), and its recorder."""
    recorder = SmtpRecorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


@pytest.fixture
def smtp(app: Flask, smtp_server: tuple[SmtpRecorder, int], monkeypatch: pytest.MonkeyPatch) -> SmtpRecorder:
    """The application sends through the test SMTP server (no retry wait, pauses only on big batches)."""
    recorder, port = smtp_server
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)
    return recorder


@pytest.fixture
def make_message(make_user: Callable[..., User]) -> Callable[..., Message]:
    """A saved draft: make_message(body_fr=..., audience=Criteria(...), channels="both", author=user)."""

    def make(**overrides: Any) -> Message:
        author = overrides.pop("author", None) or make_user(roles=("comms",), first_name="Autrice")
        criteria = overrides.pop("audience", Criteria())
        values = {"subject_fr": "Bonjour {{ first_name }}", "body_fr": "Bonjour {{ first_name }}, voici un message."}
        values.update(overrides)
        message = services.create_message(services.MessageInput(**values), author=author)
        services.save_audience(message, criteria)
        db.session.commit()
        return message

    return make


@pytest.fixture
def start() -> Callable[..., Message]:
    """Send a message now and start it as the jobs process would (audience frozen, inbox and outbox filled)."""

    def do(message: Message, now: datetime | None = None) -> Message:
        now = now or utcnow()
        services.send_now(message, now=now)
        db.session.commit()
        start_message(message.id, now=now)
        db.session.commit()
        db.session.refresh(message)
        return message

    return do


@pytest.fixture
def run_dispatch() -> Callable[..., dispatch.RunReport]:
    """One run of the dispatch job (start due messages, send due e-mails), as a given worker and clock."""

    def do(**kwargs: Any) -> dispatch.RunReport:
        report = dispatch.run(**kwargs)
        db.session.expire_all()
        return report

    return do
