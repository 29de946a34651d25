"""The one place that talks SMTP.

Domains build an :class:`Email` (text and HTML parts, optional Message-ID and headers) and hand it to a
:func:`connection`: with ``MAIL_SERVER`` set, Flask-Mail's SMTP connection (its settings, TLS and login),
opened on the first e-mail and reused for every following one (reopened after a dropped connection);
without it, each e-mail is written as an ``.eml`` file under ``MAIL_FILE_DIR`` (the embedded mode and
development).

Failures come back as :class:`DeliveryError`: ``temporary`` for a 4xx reply, ``permanent`` for a 5xx one
(with the server's reason), and :class:`ConnectionLost` when the server cannot be reached or hung up, in
which case nobody knows whether the e-mail in flight was accepted. A stable Message-ID per e-mail lets the
recipient's mail system recognise a copy sent again after such an uncertainty.

Requests never send mail (the jobs process does), with one exception the caller decides: a single test
e-mail that its author waits for.
"""

from __future__ import annotations

import os
import re
import smtplib
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.utils import formatdate, make_msgid
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol
from urllib.parse import urlsplit

from flask import current_app
from flask_mail import Connection, sanitize_address, sanitize_subject

from portal.extensions import mail as mail_extension

__all__ = [
    "ConnectionLost",
    "DeliveryError",
    "Email",
    "Transport",
    "connection",
    "make_message_id",
    "mime_bytes",
    "send",
]

DEFAULT_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Email:
    """One e-mail to one recipient: multipart text + HTML when `html` is given."""

    to: str
    subject: str
    text: str
    html: str | None = None
    #: "<…@…>"; a stable id makes a copy re-sent after a dropped connection recognisable as the same e-mail.
    message_id: str | None = None
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


class DeliveryError(Exception):
    """The e-mail was not accepted: `code` is the SMTP reply code when there was one."""

    def __init__(self, reason: str, code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code

    @property
    def permanent(self) -> bool:
        """A 5xx reply: sending again will not help."""
        return self.code is not None and 500 <= self.code < 600

    def __str__(self) -> str:
        return f"{self.code} {self.reason}" if self.code is not None else self.reason


class ConnectionLost(DeliveryError):
    """The server could not be reached or hung up: a temporary failure; the next e-mail reconnects."""


class Transport(Protocol):
    """What a domain sends through: `send` returns once the e-mail is accepted, or raises DeliveryError."""

    def send(self, email: Email) -> None: ...


def make_message_id(key: str) -> str:
    """A Message-ID stable for `key` (e.g. "message-12.outbox-345"), in the portal's domain."""
    host = urlsplit(current_app.config.get("PORTAL_BASE_URL") or "").hostname or "portal.invalid"
    return f"<{re.sub(r'[^A-Za-z0-9.-]', '-', key)}@{host}>"


# The e-mail is written directly (one fixed shape: multipart/alternative, two UTF-8 parts sent as 8bit, which
# every relay offers as 8BITMIME): the standard library's generic MIME objects cost ~1 ms an e-mail, more than
# the database and SMTP work around it. Headers are encoded by Flask-Mail's sanitize_* helpers.
_MAX_LINE_BYTES = 990


def _short_lines(text: str) -> str:
    """Every line at most _MAX_LINE_BYTES in UTF-8: a longer one is broken at its last space before the limit
    (HTML and plain text both read a line break there as the space it replaces)."""
    if len(text) <= _MAX_LINE_BYTES // 4:
        return text
    lines = text.split("\n")
    if all(len(line.encode()) <= _MAX_LINE_BYTES for line in lines):
        return text
    out = []
    for line in lines:
        while len(line.encode()) > _MAX_LINE_BYTES:
            head = line.encode()[:_MAX_LINE_BYTES].decode("utf-8", "ignore")  # whole characters only
            cut = head.rfind(" ")
            if cut <= 0:
                out.append(head)
                line = line[len(head) :]
            else:
                out.append(line[:cut])
                line = line[cut + 1 :]
        out.append(line)
    return "\n".join(out)


def _one_line(value: str) -> str:
    """Header values on one line: no header injection through a name or a subject."""
    return " ".join(value.splitlines())


def mime_bytes(email: Email, sender: str) -> bytes:
    """The e-mail as sent: text/plain, or multipart/alternative text + HTML, UTF-8."""
    return _mime_bytes(email, sanitize_address(_one_line(sender)), sanitize_address(_one_line(email.to)))


def _part(content_type: str, body: str) -> str:
    return (
        f'Content-Type: {content_type}; charset="utf-8"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'
        + _short_lines(body).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    )


def _mime_bytes(email: Email, from_header: str, to_header: str) -> bytes:
    headers = [
        f"Subject: {sanitize_subject(_one_line(email.subject))}".replace("\n", "\r\n"),
        f"From: {from_header}",
        f"To: {to_header}",
        f"Date: {formatdate(localtime=True)}",
        f"Message-ID: {_one_line(email.message_id or make_msgid())}",
        "MIME-Version: 1.0",
        *(f"{_one_line(name)}: {_one_line(value)}" for name, value in email.headers.items()),
    ]
    if email.html is None:
        body = _part("text/plain", email.text)
    else:
        boundary = f"=_portal_{uuid.uuid4().hex}"  # random: never a line of the parts
        headers.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
        body = (
            f"--{boundary}\r\n{_part('text/plain', email.text)}\r\n"
            f"--{boundary}\r\n{_part('text/html', email.html)}\r\n--{boundary}--\r\n"
        )
    if email.html is None:
        head, _, body = body.partition("\r\n\r\n")
        headers.append(head)
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode("utf-8")


class _TimedConnection(Connection):
    """Flask-Mail's connection, with a socket timeout (Flask-Mail opens it without one)."""

    def __init__(self, state: Any, timeout: float) -> None:
        super().__init__(state)
        self.timeout = timeout

    def configure_host(self) -> smtplib.SMTP | smtplib.SMTP_SSL:
        state = self.mail
        host: smtplib.SMTP
        if state.use_ssl:
            host = smtplib.SMTP_SSL(state.server, state.port, timeout=self.timeout)
        else:
            host = smtplib.SMTP(state.server, state.port, timeout=self.timeout)
        if state.use_tls:
            host.starttls()
        if state.username and state.password:
            host.login(state.username, state.password)
        return host


def _reply(code: int, text: bytes | str) -> str:
    reason = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return " ".join(reason.split())[:400] or f"SMTP reply {code}"


class _SmtpTransport:
    """One SMTP connection for a batch: opened on the first e-mail, reopened after it is lost."""

    def __init__(self) -> None:
        config = current_app.config
        # Built from the current configuration (not the one Flask-Mail saw at start-up), never suppressed:
        # sending is the point of calling this module.
        self._state = mail_extension.init_mail(config, debug=0, testing=False)
        self._timeout = float(config.get("MAIL_TIMEOUT", DEFAULT_TIMEOUT_SECONDS))
        self._sender = sanitize_address(_one_line(config["MAIL_DEFAULT_SENDER"]))  # once per batch
        self._connection: _TimedConnection | None = None

    def _connect(self) -> _TimedConnection:
        connection = _TimedConnection(self._state, self._timeout)
        try:
            connection.host = connection.configure_host()
        except smtplib.SMTPResponseException as error:
            raise ConnectionLost(f"connection refused by the server: {_reply(error.smtp_code, error.smtp_error)}",
                                 error.smtp_code) from error
        except (OSError, smtplib.SMTPException) as error:
            raise ConnectionLost(f"cannot connect to {self._state.server}:{self._state.port}: {error}") from error
        return connection

    def send(self, email: Email) -> None:
        if self._connection is None:
            self._connection = self._connect()
        host = self._connection.host
        if host is None:  # configure_host() returns it or raises: kept explicit, as asserts vanish under -O
            raise ConnectionLost("no SMTP connection")
        to = sanitize_address(_one_line(email.to))
        payload = _mime_bytes(email, self._sender, to)
        try:
            host.sendmail(self._sender, [to], payload)
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            raise DeliveryError(_reply(code, text), code) from error
        except smtplib.SMTPServerDisconnected as error:
            self._drop()
            raise ConnectionLost(f"the server closed the connection: {error}") from error
        except smtplib.SMTPResponseException as error:
            if error.smtp_code in (421, -1):  # 421: the service closes the channel
                self._drop()
                raise ConnectionLost(_reply(error.smtp_code, error.smtp_error), error.smtp_code) from error
            raise DeliveryError(_reply(error.smtp_code, error.smtp_error), error.smtp_code) from error
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            raise ConnectionLost(f"connection error: {error}") from error

    def _drop(self) -> None:
        if self._connection is not None and self._connection.host is not None:
            with suppress(OSError, smtplib.SMTPException):
                self._connection.host.close()
        self._connection = None

    def close(self) -> None:
        if self._connection is not None and self._connection.host is not None:
            with suppress(OSError, smtplib.SMTPException):
                self._connection.host.quit()
        self._drop()


class _FileTransport:
    """E-mails as .eml files in MAIL_FILE_DIR; one file per Message-ID, so a copy sent again replaces it."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory

    def send(self, email: Email) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        key = (email.message_id or f"<{uuid.uuid4().hex}>").strip("<>")
        name = re.sub(r"[^A-Za-z0-9@._-]", "_", key)[:200] + ".eml"
        target = self._directory / name
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(mime_bytes(email, current_app.config["MAIL_DEFAULT_SENDER"]))
        temporary.replace(target)  # atomic: a reader never sees half an e-mail


@contextmanager
def connection() -> Iterator[Transport]:
    """A transport for a batch of e-mails: SMTP when MAIL_SERVER is set, else .eml files in MAIL_FILE_DIR."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        yield _FileTransport(Path(config["MAIL_FILE_DIR"]))
        return
    transport = _SmtpTransport()
    try:
        yield transport
    finally:
        transport.close()


def send(email: Email) -> None:
    """Send one e-mail now (its own connection); raises DeliveryError."""
    with connection() as transport:
        transport.send(email)
