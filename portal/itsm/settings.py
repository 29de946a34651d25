"""The ITSM link's settings, read from the application's configuration in one place (environment: config.py).

| setting | default | meaning |
|---|---|---|
| SERVICENOW_INSTANCE_URL | empty (link off) | `https://<instance>.service-now.com` |
| SERVICENOW_USERNAME, SERVICENOW_PASSWORD | empty | Basic authentication of the integration account |
| SERVICENOW_TOKEN | empty | OAuth bearer token (used instead of Basic when set) |
| PORTAL_ITSM_SYNC_MINUTES | 60 | minutes between scheduled syncs; 0: none |
| PORTAL_ITSM_PAGE_SIZE | 1000 | records per request (1–10,000) |
| PORTAL_ITSM_CONNECT_TIMEOUT_SECONDS, PORTAL_ITSM_READ_TIMEOUT_SECONDS | 10, 60 | |
| PORTAL_ITSM_MAX_ATTEMPTS | 5 | tries of one page while the instance is busy or failing |
| PORTAL_ITSM_BACKOFF_SECONDS, PORTAL_ITSM_MAX_WAIT_SECONDS | 2, 60 | backoff base; cap of any wait (Retry-After too) |
| PORTAL_ITSM_LOCK_MINUTES | 15 | lease of the sync lock, renewed at every page |
| PORTAL_ITSM_STATUS_CODES | base system codes | `code=status` pairs: the instance's install_status codes |
| PORTAL_ITSM_FIELDS | none | `table.field=instance_field` pairs: fields renamed on a customised instance |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from portal.itsm.client import Connection, ItsmError
from portal.itsm.mapping import DEFAULT_STATUS_CODES, FIELDS, STATUS_KINDS


@dataclass(frozen=True)
class ItsmSettings:
    """Everything a sync needs to know, checked."""

    connection: Connection
    page_size: int = 1000
    sync_minutes: int = 60
    lock_minutes: int = 15
    status_codes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_STATUS_CODES))
    field_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # table → portal → instance

    @property
    def configured(self) -> bool:
        return bool(self.connection.instance_url)

    @property
    def instance(self) -> str:
        """The instance's address as pages and logs may show it (never with credentials)."""
        return self.connection.instance_url


def _number(config: Mapping[str, Any], name: str, default: float, low: float, high: float) -> float:
    value = config.get(name, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ItsmError("bad_setting", name=name, value=str(value)[:40]) from None
    if not low <= number <= high:
        raise ItsmError("bad_setting", name=name, value=str(value)[:40])
    return number


def _pairs(config: Mapping[str, Any], name: str) -> list[tuple[str, str]]:
    """`a=b, c=d` as pairs; ItsmError("bad_setting") for a part without `=`."""
    text = str(config.get(name) or "")
    pairs = []
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        left, sep, right = part.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise ItsmError("bad_setting", name=name, value=part.strip()[:40])
        pairs.append((left.strip(), right.strip()))
    return pairs


def instance_url(text: str) -> str:
    """The instance's base address, checked: http(s), a host, no credentials, no query; '' when not set."""
    text = text.strip().rstrip("/")
    if not text:
        return ""
    parts = urlsplit(text)
    if parts.username is not None or parts.password is not None:
        raise ItsmError("credentials_in_url")
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise ItsmError("bad_instance_url")
    return text


def from_config(config: Mapping[str, Any]) -> ItsmSettings:
    """The settings of this application; ItsmError naming the first setting that is not valid."""
    connection = Connection(
        instance_url=instance_url(str(config.get("SERVICENOW_INSTANCE_URL") or "")),
        username=str(config.get("SERVICENOW_USERNAME") or "").strip(),
        password=str(config.get("SERVICENOW_PASSWORD") or ""),
        token=str(config.get("SERVICENOW_TOKEN") or "").strip(),
        connect_timeout=_number(config, "PORTAL_ITSM_CONNECT_TIMEOUT_SECONDS", 10, 0.1, 600),
        read_timeout=_number(config, "PORTAL_ITSM_READ_TIMEOUT_SECONDS", 60, 0.1, 3600),
        max_attempts=int(_number(config, "PORTAL_ITSM_MAX_ATTEMPTS", 5, 1, 20)),
        backoff_seconds=_number(config, "PORTAL_ITSM_BACKOFF_SECONDS", 2, 0, 600),
        max_wait_seconds=_number(config, "PORTAL_ITSM_MAX_WAIT_SECONDS", 60, 0, 3600),
    )
    status_codes = dict(DEFAULT_STATUS_CODES)
    for code, kind in _pairs(config, "PORTAL_ITSM_STATUS_CODES"):
        if kind not in STATUS_KINDS:
            raise ItsmError("bad_setting", name="PORTAL_ITSM_STATUS_CODES", value=f"{code}={kind}"[:40])
        status_codes[code] = kind
    field_names: dict[str, dict[str, str]] = {}
    for qualified, instance_field in _pairs(config, "PORTAL_ITSM_FIELDS"):
        table, _, portal_field = qualified.partition(".")
        if portal_field not in FIELDS.get(table, ()):
            raise ItsmError("bad_setting", name="PORTAL_ITSM_FIELDS", value=qualified[:40])
        field_names.setdefault(table, {})[portal_field] = instance_field
    return ItsmSettings(
        connection=connection,
        page_size=int(_number(config, "PORTAL_ITSM_PAGE_SIZE", 1000, 1, 10_000)),
        sync_minutes=int(_number(config, "PORTAL_ITSM_SYNC_MINUTES", 60, 0, 7 * 24 * 60)),
        lock_minutes=int(_number(config, "PORTAL_ITSM_LOCK_MINUTES", 15, 1, 24 * 60)),
        status_codes=status_codes,
        field_names=field_names,
    )
