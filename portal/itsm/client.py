"""The ServiceNow Table API client: pages of records, read one at a time, with the instance's rules of retry.

httpx: a maintained client with separate connect and read timeouts, streamed bodies (a page is read within a
size limit, never a whole table), no redirect followed (credentials go to the configured instance only).

- 429 and 503 wait for `Retry-After` (seconds or an HTTP date), else an exponential backoff, both capped;
  other 5xx answers, timeouts and dropped connections are retried the same way; after `max_attempts` the
  read stops as *interrupted* and the next sync resumes from the watermark.
- 401 and 403 are never retried: the account or its rights must change first.
- The password or token never appears in an error: the instance's own words are kept (they help), with any
  occurrence of the secret masked.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

#: A page of 1,000 assets is about 0.5 MB; a larger answer is not a page of records.
MAX_PAGE_BYTES = 64 * 1024 * 1024
#: Errors after which the next sync resumes where this one stopped (the others need a person first).
TRANSIENT_CODES = frozenset({"rate_limited", "unavailable", "server_error", "timeout", "unreachable"})


class ItsmError(Exception):
    """Why the ITSM link stopped: a code of `portal.itsm.display.ERRORS` and the values its message quotes.

    Nothing secret is ever put in `params`: they are shown on the admin page, printed and stored."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code if not params else f"{code}: {params}")
        self.code = code
        self.params = params

    @property
    def transient(self) -> bool:
        """True when retrying later may work without anyone changing anything."""
        return self.code in TRANSIENT_CODES

    def message(self, locale: str | None = None) -> str:
        """The reason in words: in the current language, or in `locale` (commands: "en")."""
        from portal.itsm.display import error_message

        return error_message(self.code, self.params, locale)


@dataclass(frozen=True)
class Connection:
    """Where the instance is, how to authenticate, and how patient to be."""

    instance_url: str
    username: str = ""
    password: str = field(default="", repr=False)
    token: str = field(default="", repr=False)
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_attempts: int = 5
    backoff_seconds: float = 2.0
    max_wait_seconds: float = 60.0

    @property
    def auth_kind(self) -> str:
        """"bearer" with a token, "basic" with a user name, else "none"."""
        if self.token:
            return "bearer"
        return "basic" if self.username else "none"

    def mask(self, text: str) -> str:
        """`text` with the password and the token replaced by stars, wherever they appear."""
        for secret in (self.password, self.token):
            if secret and len(secret) >= 3:
                text = text.replace(secret, "***")
        return text


@dataclass(frozen=True)
class Page:
    """One page of a table: its records (as the instance sent them), the query's total, its number."""

    records: list[dict[str, Any]]
    total: int | None
    number: int
    requests: int  # requests this page took, retries included


def origin(url: str) -> tuple[str, str]:
    """(scheme, host[:port]) of a URL, lower-cased."""
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower().rsplit("@", 1)[-1]


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """The wait a `Retry-After` header asks for (delay in seconds, or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def next_link(header: str | None) -> str | None:
    """The `rel="next"` address of a `Link` header, or None on the last page."""
    if not header:
        return None
    for part in header.split(","):
        target, _, parameters = part.partition(";")
        target = target.strip()
        if target.startswith("<") and target.endswith(">") and 'rel="next"' in parameters.replace(" ", ""):
            return target[1:-1]
    return None


def _instance_words(body: bytes, connection: Connection) -> str:
    """The instance's own explanation of an error (`error.message` and `error.detail`), masked and short."""
    try:
        error = json.loads(body).get("error") or {}
        words = " – ".join(str(error[key]) for key in ("message", "detail") if error.get(key))
    except (ValueError, AttributeError):
        words = ""
    return connection.mask(words)[:200]


class TableClient:
    """Reads tables of one instance; one HTTP connection pool for the client's life (use it as a context)."""

    def __init__(
        self,
        connection: Connection,
        *,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.connection = connection
        self.requests = 0
        self._sleep = sleep
        headers = {"Accept": "application/json", "User-Agent": "portail-numerique-responsable/itsm"}
        auth: httpx.Auth | None = None
        if connection.auth_kind == "bearer":
            headers["Authorization"] = f"Bearer {connection.token}"
        elif connection.auth_kind == "basic":
            auth = httpx.BasicAuth(connection.username, connection.password)
        self._base = connection.instance_url.rstrip("/")
        self._http = httpx.Client(
            auth=auth,
            headers=headers,
            timeout=httpx.Timeout(connection.read_timeout, connect=connection.connect_timeout),
            follow_redirects=False,
            transport=transport,
        )

    def __enter__(self) -> TableClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def read(self, table: str, fields: Sequence[str], query: str, page_size: int) -> Iterator[Page]:
        """The pages of `table` matching `query`, following the `Link: rel="next"` addresses until there is none."""
        url = f"{self._base}/api/now/table/{table}"
        params: dict[str, Any] | None = {
            "sysparm_query": query,
            "sysparm_fields": ",".join(fields),
            "sysparm_limit": page_size,
            "sysparm_offset": 0,
            "sysparm_display_value": "false",
            "sysparm_exclude_reference_link": "true",
        }
        number = 0
        while url:
            before = self.requests
            response_headers, body = self._get(url, params, table)
            number += 1
            records = _records(body, table)
            total = response_headers.get("x-total-count")
            yield Page(records, int(total) if total and total.isdigit() else None, number, self.requests - before)
            following = next_link(response_headers.get("link"))
            if following is not None and origin(following) != origin(self._base):
                # The instance never sends its pages elsewhere: do not send it the credentials.
                raise ItsmError("bad_response", table=table, reason="next_elsewhere")
            url, params = following or "", None

    def _get(self, url: str, params: Mapping[str, Any] | None, table: str) -> tuple[httpx.Headers, bytes]:
        """One page's answer, retried while the instance is busy or unreachable, up to `max_attempts`."""
        connection = self.connection
        attempt = 0
        while True:
            attempt += 1
            self.requests += 1
            wait: float | None = None
            reason = ""
            try:
                with self._http.stream("GET", url, params=params) as response:
                    headers = response.headers
                    body = _read_limited(response, table)
            except httpx.TimeoutException:
                code, status = "timeout", None
            except httpx.TransportError as error:
                # Connection refused, name not found, TLS failure: the instance cannot be reached from here.
                code, status = "unreachable", None
                reason = connection.mask(type(error).__name__)
            else:
                status = response.status_code
                if status == 200:
                    return headers, body
                if status == 401:
                    raise ItsmError("auth_failed", status=status, auth=connection.auth_kind,
                                    detail=_instance_words(body, connection))
                if status == 403:
                    raise ItsmError("forbidden", status=status, table=table, detail=_instance_words(body, connection))
                if status in (400, 404):
                    raise ItsmError("table_unavailable", status=status, table=table,
                                    detail=_instance_words(body, connection))
                if 300 <= status < 400:
                    scheme, host = origin(headers.get("location", ""))
                    raise ItsmError("redirected", status=status, location=f"{scheme}://{host}" if host else "")
                if status in (429, 503):
                    code = "rate_limited" if status == 429 else "unavailable"
                    wait = retry_after_seconds(headers.get("retry-after"))
                elif status >= 500:
                    code = "server_error"
                else:
                    raise ItsmError("unexpected_status", status=status, table=table)
            if attempt >= connection.max_attempts:
                params_out: dict[str, Any] = {"table": table, "attempts": attempt}
                if status is not None:
                    params_out["status"] = status
                if code == "unreachable":
                    params_out["reason"] = reason
                raise ItsmError(code, **params_out)
            backoff = connection.backoff_seconds * 2 ** (attempt - 1)
            self._sleep(min(wait if wait is not None else backoff, connection.max_wait_seconds))


def _read_limited(response: httpx.Response, table: str) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_PAGE_BYTES:
            raise ItsmError("bad_response", table=table, reason="too_large")
        chunks.append(chunk)
    return b"".join(chunks)


def _records(body: bytes, table: str) -> list[dict[str, Any]]:
    """The `result` list of a Table API answer; ItsmError("bad_response") for anything else."""
    try:
        document = json.loads(body)
    except ValueError:
        raise ItsmError("bad_response", table=table, reason="not_json") from None
    result = document.get("result") if isinstance(document, dict) else None
    if not isinstance(result, list) or not all(isinstance(record, dict) for record in result):
        raise ItsmError("bad_response", table=table, reason="no_result")
    return result
