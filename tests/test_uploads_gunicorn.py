"""Uploads over MAX_CONTENT_LENGTH under gunicorn, the production server, not only Flask's test client: every
upload page answers the translated 413 page at once, to a client that goes on sending a body far larger than
the socket buffers (with a Content-Length, or chunked), and the sync worker goes on serving afterwards.

The server is the real application (`wsgi:app`) on a throwaway SQLite file migrated with `flask db upgrade`,
with administrators created by `flask users import` and `flask users set-password`, reached through the
real login form. Every wait is bounded: a server that stopped answering fails the test, it cannot hang it.
"""

from __future__ import annotations

import http.client
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pytest

from tests.conftest import ROOT
from tests.test_uploads import UPLOAD_URLS

LIMIT = 64 * 1024
OVERSIZED = 16 * 1024 * 1024  # far beyond what the kernel buffers between client and server
PASSWORD = "un mot de passe de test assez long"
ADMINS = {"fr": "admin.fr@test.example", "en": "admin.en@test.example"}
DEADLINE_SECONDS = 20


@dataclass
class Server:
    port: int
    log: list[str] = field(default_factory=list)


def _command(env: dict[str, str], *arguments: str) -> None:
    subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "flask", "--app", "wsgi", *arguments],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=120,
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """gunicorn with one sync worker (so the worker that answered the 413s is the one checked afterwards)."""
    directory = tmp_path_factory.mktemp("gunicorn")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{directory / 'portal.db'}",
        "SECRET_KEY": "gunicorn-upload-test",
        "MAX_CONTENT_LENGTH": str(LIMIT),
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST_KIB": "1024",
        "ARGON2_PARALLELISM": "1",
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_FILE_DIR": str(directory / "mail"),
    }
    _command(env, "db", "upgrade", "heads")
    employees = directory / "directory.csv"
    employees.write_text(
        "email,first_name,last_name,org_unit,site,commune_insee,manager_email,roles\n"
        + "".join(f"{email},Admin,{locale.upper()},,,,,admin\n" for locale, email in ADMINS.items()),
        encoding="utf-8",
    )
    _command(env, "users", "import", str(employees))
    for email in ADMINS.values():
        _command(env, "users", "set-password", email, "--password", PASSWORD)

    process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "gunicorn", "-w", "1", "-b", "127.0.0.1:0", "--no-control-socket",
         "--log-level", "info", "wsgi:app"],
        cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True,
    )
    running = Server(port=0)
    listening = threading.Event()

    def read_log() -> None:  # kept whole, for the checks and for a failure's message
        for line in process.stderr:  # type: ignore[union-attr]
            running.log.append(line.rstrip())
            match = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
            if match:
                running.port = int(match.group(1))
                listening.set()

    threading.Thread(target=read_log, daemon=True).start()
    try:
        assert listening.wait(30), "\n".join(running.log)
        deadline = time.monotonic() + 30
        while Browser(running.port).get("/healthz")[0] != 200:
            assert time.monotonic() < deadline, "\n".join(running.log)
            time.sleep(0.2)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


class Browser:
    """One person's cookies, over http.client (a connection per request, as the sync worker closes them)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, dict[str, str]]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        except OSError:
            return 0, "", {}
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            if value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, text, dict(response.headers)

    def get(self, path: str) -> tuple[int, str, dict[str, str]]:
        return self.request("GET", path)

    def csrf_token(self, path: str) -> str:
        status, page, _ = self.get(path)
        assert status == 200, (path, status)
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)

    def log_in(self, email: str) -> Browser:
        form = {"email": email, "password": PASSWORD, "csrf_token": self.csrf_token("/login")}
        status, _, headers = self.request("POST", "/login", urllib.parse.urlencode(form))
        assert status == 303 and headers["Location"] == "/", (status, headers)
        return self


@dataclass
class Reply:
    status: int
    body: str
    sent: int
    seconds: float


def _x_lines(size: int) -> Iterator[bytes]:
    """`size` bytes of CSV-like text, 64 KiB at a time."""
    block = (b"x" * 1023 + b"\n") * 64
    for start in range(0, size, len(block)):
        yield block[: size - start]


def post_file(browser: Browser, path: str, size: int, *, chunked: bool = False) -> Reply:
    """POST a multipart form (CSRF token and a `size`-byte CSV file) while reading the answer, as a browser does:
    sending stops when the server has answered and closed or reset the connection."""
    token = browser.csrf_token(path)
    boundary = "----portal-upload-test"
    before = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="format"\r\n\r\nauto\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="export.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    after = f"\r\n--{boundary}--\r\n".encode()
    parts: Iterable[bytes] = [before, *_x_lines(size), after]
    if chunked:
        framing = "Transfer-Encoding: chunked"
        parts = [b"%x\r\n%s\r\n" % (len(part), part) for part in parts if part] + [b"0\r\n\r\n"]
    else:
        framing = f"Content-Length: {len(before) + size + len(after)}"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{browser.port}\r\nCookie: {browser.cookie}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n{framing}\r\n\r\n"
    ).encode()

    started = time.monotonic()
    received = bytearray()
    sent = 0
    outgoing = iter([head, *parts])
    pending = next(outgoing)
    with socket.create_connection(("127.0.0.1", browser.port), timeout=5) as connection:
        connection.setblocking(False)
        while time.monotonic() - started < DEADLINE_SECONDS:
            readable, writable, _ = select.select([connection], [connection] if pending else [], [], 0.5)
            if readable:
                try:
                    data = connection.recv(65536)
                except ConnectionResetError:
                    break
                if not data:
                    break
                received += data
            if writable and pending:
                try:
                    count = connection.send(pending)
                except (BrokenPipeError, ConnectionResetError):
                    pending = b""  # the server closed: nothing more can be sent, what it answered can be read
                    continue
                sent += count
                pending = pending[count:] or next(outgoing, b"")
    seconds = time.monotonic() - started
    head_bytes, _, body = bytes(received).partition(b"\r\n\r\n")
    status = int(head_bytes.split(b" ", 2)[1]) if head_bytes.startswith(b"HTTP/1.1 ") else 0
    return Reply(status, body.decode("utf-8", "replace"), sent, seconds)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("path", sorted(UPLOAD_URLS.values()))
def test_an_oversized_upload_gets_the_french_413_page_at_once(server, path, chunked):
    browser = Browser(server.port).log_in(ADMINS["fr"])
    reply = post_file(browser, path, OVERSIZED, chunked=chunked)
    assert reply.status == 413, (reply, server.log[-20:])
    assert '<html lang="fr"' in reply.body
    assert "Fichier trop volumineux" in reply.body
    assert "Le fichier envoyé dépasse la taille acceptée par le portail." in reply.body
    assert reply.seconds < DEADLINE_SECONDS / 2
    # Answered without reading the 16 MiB: the rest of the upload was never taken in.
    assert reply.sent < OVERSIZED
    assert browser.get("/healthz")[0] == 200
    assert browser.get(path)[0] == 200  # still logged in, the page still there


def test_the_413_page_is_in_english_for_an_english_speaking_admin(server):
    browser = Browser(server.port).log_in(ADMINS["en"])
    form = {"locale": "en", "next": "/", "csrf_token": browser.csrf_token("/")}
    assert browser.request("POST", "/language", urllib.parse.urlencode(form))[0] == 303
    reply = post_file(browser, UPLOAD_URLS["campaigns.upload_import"], OVERSIZED)
    assert reply.status == 413
    assert '<html lang="en"' in reply.body and "File too large" in reply.body


def test_a_file_just_under_the_limit_is_still_imported_after_the_413s(server):
    browser = Browser(server.port).log_in(ADMINS["fr"])
    for path in sorted(UPLOAD_URLS.values()):  # the 413s again, then an upload that fits
        assert post_file(browser, path, OVERSIZED).status == 413
    token = browser.csrf_token(UPLOAD_URLS["campaigns.upload_import"])
    boundary = "----small"
    before = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="format"\r\n\r\nauto\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="mailbox.csv"\r\n'
        "Content-Type: text/csv\r\n\r\nemail,source,bytes,items,measured_at\n"
    )
    after = f"\r\n--{boundary}--\r\n"
    rows = []
    while len(before) + len(after) + sum(len(row) for row in rows) < LIMIT - 200:  # a measure a minute
        hour, minute = divmod(len(rows), 60)
        rows.append(f"{ADMINS['fr']},mailbox,{1000 * len(rows)},{len(rows)},2026-03-01T{hour:02d}:{minute:02d}:00\n")
    body = (before + "".join(rows) + after).encode()
    assert LIMIT - 300 < len(body) <= LIMIT
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request(
        "POST", UPLOAD_URLS["campaigns.upload_import"], body=body,
        headers={"Cookie": browser.cookie, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 303, server.log[-20:]
    status, report, _ = browser.get(response.getheader("Location"))
    assert status == 200 and "mailbox.csv" in report
    created = re.search(r"Relevés créés</dt><dd>([^<]+)</dd>", report).group(1)
    assert re.sub(r"\D", "", created) == str(len(rows))  # every measure of the file stored ("1 067")
    # One worker booted, never replaced: no crash, no timeout, no trace.
    assert sum("Booting worker" in line for line in server.log) == 1, server.log
    assert not [line for line in server.log if "WORKER TIMEOUT" in line or "Traceback" in line], server.log
