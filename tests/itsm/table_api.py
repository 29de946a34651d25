"""A ServiceNow Table API on a real HTTP server in a thread, in the shapes of ServiceNow's Table API:
`GET /api/now/table/<table>` with `sysparm_query` (`sys_updated_on>=…`, ordered by change time then sys_id),
`sysparm_fields` (dot-walked names as keys), `sysparm_limit` / `sysparm_offset`, `Link` headers with
`rel="next"` and `X-Total-Count`; Basic or Bearer authentication with the instance's 401 body; answers in
`sysparm_display_value=all` shapes on demand; and faults to inject (429 with Retry-After, 503 mid-table, 403).

The tests and `bench/itsm_sync.py` point the portal's real client at it: nothing of the client is mocked.
"""

from __future__ import annotations

import base64
import bisect
import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

UNAUTHENTICATED = {
    "error": {"message": "User Not Authenticated", "detail": "Required to provide Auth information"},
    "status": "failure",
}
NOT_AUTHORIZED = {
    "error": {"message": "User Not Authorized", "detail": "ACL Exception Read access denied"},
    "status": "failure",
}


@dataclass
class Fault:
    """Answer `status` (with `retry_after` if given) to the next `times` requests of `table` at `offset`
    (any offset if None)."""

    table: str
    status: int
    times: int = 1
    offset: int | None = None
    retry_after: str | None = None


@dataclass(frozen=True)
class Seen:
    """A request as the server saw it."""

    table: str
    offset: int
    limit: int
    query: str
    fields: str
    display_value: str
    status: int
    at: float


@dataclass
class TableApi:
    """The instance: its tables (records with dotted keys, as the API returns them), its account, its faults."""

    username: str = "portal.integration"
    password: str = "correct-Horse-7"
    token: str | None = None
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    forbidden: set[str] = field(default_factory=set)
    display_all: bool = False  # answer every value as {"display_value": ..., "value": ...}
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: Any = None
        self._ordered: dict[str, tuple[list[tuple[str, str]], list[dict[str, Any]]]] = {}

    # --- data -----------------------------------------------------------------------------------------
    def put(self, table: str, records: Iterable[dict[str, Any]]) -> None:
        """Add or replace records (by sys_id)."""
        with self._lock:
            rows = {record["sys_id"]: record for record in self.tables.get(table, [])}
            for record in records:
                rows[record["sys_id"]] = dict(record)
            self.tables[table] = list(rows.values())
            self._ordered.pop(table, None)

    def _in_order(self, table: str) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
        """The table's records by (change time, sys_id), with their keys for bisection (kept until a put)."""
        with self._lock:
            if table not in self._ordered:
                records = sorted(self.tables[table], key=lambda r: (r.get("sys_updated_on", ""), r["sys_id"]))
                self._ordered[table] = ([(r.get("sys_updated_on", ""), r["sys_id"]) for r in records], records)
            return self._ordered[table]

    def requests_to(self, table: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.table == table]

    # --- server ---------------------------------------------------------------------------------------
    def start(self) -> str:
        self._server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self._answer(Request(environ))(environ, start_response)

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        if self.token is not None:
            return header == f"Bearer {self.token}"
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return header == f"Basic {expected}"

    def _answer(self, request: Request) -> Response:
        prefix = "/api/now/table/"
        table = request.path[len(prefix):] if request.path.startswith(prefix) else ""
        args = request.args
        offset, limit = int(args.get("sysparm_offset", 0)), int(args.get("sysparm_limit", 10_000))
        query, fields = args.get("sysparm_query", ""), args.get("sysparm_fields", "")

        def reply(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
            self.seen.append(Seen(table, offset, limit, query, fields, args.get("sysparm_display_value", ""),
                                  status, time.monotonic()))
            return Response(json.dumps(body), status=status, headers=headers or {},
                            content_type="application/json;charset=UTF-8")

        if not self._authorised(request):
            return reply(401, UNAUTHENTICATED)
        if table in self.forbidden:
            return reply(403, NOT_AUTHORIZED)
        if table not in self.tables:
            return reply(400, {"error": {"message": "Invalid table", "detail": table}, "status": "failure"})
        for fault in self.faults:
            if fault.table == table and fault.times > 0 and fault.offset in (None, offset):
                fault.times -= 1
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                return reply(fault.status, {"error": {"message": "Busy", "detail": ""}, "status": "failure"}, headers)
        keys, records = self._in_order(table)
        first = bisect.bisect_left(keys, (_since(query), ""))
        matching = len(records) - first
        page = records[first + offset:first + offset + limit]
        wanted = [name for name in fields.split(",") if name] or None
        result = [self._shape(record, wanted) for record in page]
        base = f"{request.host_url.rstrip('/')}{request.path}"

        def link(at: int, rel: str) -> str:
            kept = {key: value for key, value in args.items() if key != "sysparm_offset"}
            return f'<{base}?{urlencode({**kept, "sysparm_offset": at})}>;rel="{rel}"'

        links = [link(0, "first")]
        if offset > 0:
            links.append(link(max(0, offset - limit), "prev"))
        if offset + limit < matching:
            links.append(link(offset + limit, "next"))
        links.append(link(max(0, (matching - 1) // limit * limit), "last"))
        return reply(200, {"result": result}, {"X-Total-Count": str(matching), "Link": ",".join(links)})

    def _shape(self, record: dict[str, Any], wanted: list[str] | None) -> dict[str, Any]:
        names = wanted if wanted is not None else list(record)
        shaped = {name: record.get(name, "") for name in names}
        if self.display_all:
            return {name: {"display_value": value, "value": value} for name, value in shaped.items()}
        return shaped


def _since(query: str) -> str:
    """The change time of `sys_updated_on>=<time>`, the only condition the portal sends ('' without it)."""
    since = ""
    for part in query.split("^"):
        if part.startswith("sys_updated_on>="):
            since = part[len("sys_updated_on>="):]
        elif part and not part.startswith("ORDERBY"):
            raise ValueError(f"query part not served by the test instance: {part}")
    return since
