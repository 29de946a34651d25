"""Data-centre servers read from the ITSM: ServiceNow's `cmdb_ci_server` table → the physical hosts of services.

The ITSM link's Table API client and settings are reused as they are (paging, retries of a busy instance,
a refused account explained, the password never shown); this domain only maps a server record to a host:

| cmdb_ci_server | host | when unknown |
|---|---|---|
| sys_id | itsm_sys_id (the key; a host of the same name entered by CSV is linked to it) | refused |
| name | name | refused |
| cpu_count × cpu_core_count × cpu_core_thread | capacity (vCPU) | the archetype's, marked *estimated* |
| ram (MB) | ram_gb | empty |
| manufacturer.name, model_id.name | model; the Boavizta archetype whose model it names | rack_1u, *estimated* |
| location.name | data_centre | empty |
| install_status | install_status (the link's codes, PORTAL_ITSM_STATUS_CODES) | refused |
| virtual | virtual servers are VMs, not hosts: skipped | physical |

A new host's footprint figures (embodied, lifetime, annual kWh) come from the archetype of its model, with
manufacturer quality when the model and the vCPU are known, else the server default marked *estimated*. An
existing host keeps its figures, PUE, quality and source (they may come from a manufacturer sheet entered by
CSV): the sync updates only what the CMDB knows. A retired or missing server not stored yet is not created;
one already stored has its status updated (its services still point at it until they are moved).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from portal import csvio
from portal.digital_services.models import ServiceHost
from portal.footprint.digital_services import ARCHETYPES, HostArchetype
from portal.itsm.client import ItsmError, TableClient
from portal.itsm.mapping import STATUS_LABELS, Refused, sys_id, text
from portal.itsm.settings import ItsmSettings
from portal.models import db

TABLE = "cmdb_ci_server"
FIELDS = (
    "sys_id",
    "name",
    "cpu_count",
    "cpu_core_count",
    "cpu_core_thread",
    "ram",
    "manufacturer.name",
    "model_id.name",
    "location.name",
    "install_status",
    "virtual",
)
#: A server whose model names no archetype: the 1U rack server's sheet, as an estimate.
DEFAULT_ARCHETYPE = "rack_1u"
#: The CMDB's install statuses that `alm_asset` does not have (cmdb_ci: 4 pending install, 5 pending repair,
#: 100 absent); the link's codes and PORTAL_ITSM_STATUS_CODES come first.
CI_STATUS_CODES: Mapping[str, str] = {"4": "on_order", "5": "in_maintenance", "100": "missing"}
CI_STATUS_LABELS: Mapping[str, str] = {"installed": "in_use", "pending install": "on_order",
                                       "pending repair": "in_maintenance", "absent": "missing", "stolen": "missing"}
#: Servers that no longer run: not created, only their status is updated when they are stored already.
GONE = frozenset({"retired", "missing"})
SOURCE = "ServiceNow cmdb_ci_server"


def archetype_of(model: str) -> HostArchetype | None:
    """The server archetype whose model this CMDB model names (e.g. "PowerEdge R740" → rack_2u), else None."""
    words = model.lower()
    for archetype in ARCHETYPES.values():
        if archetype.kind == "server" and archetype.model.lower().split()[-1] in words.split():
            return archetype
    return None


def _count(record: Mapping[str, Any], name: str, limit: int) -> int | None:
    raw = text(record, name)
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise Refused("not_a_number", name, raw) from None
    if not value.is_finite() or value < 0 or value > limit or value != value.to_integral_value():
        raise Refused("out_of_range", name, raw)
    return int(value) or None  # 0: the discovery did not fill it


def _status(record: Mapping[str, Any], codes: Mapping[str, str]) -> str:
    raw = text(record, "install_status")
    label = " ".join(raw.lower().split())
    kind = codes.get(raw) or STATUS_LABELS.get(label) or CI_STATUS_LABELS.get(label)
    if kind is None:
        raise Refused("unknown_status", "install_status", raw, known=", ".join(sorted(codes)))
    return kind


def server_values(record: Mapping[str, Any], codes: Mapping[str, str]) -> dict[str, Any]:
    """What the CMDB says of one server: the host's columns it owns, and `_archetype` (the sheet its model
    names, if any) for a new host's figures. Refused for a record that cannot be stored."""
    identifier = sys_id(record)
    name = text(record, "name")
    if not name:
        raise Refused("required", "name")
    if len(name) > 80:
        raise Refused("too_long", "name", name, max="80")
    cpus = _count(record, "cpu_count", 1024)
    cores = _count(record, "cpu_core_count", 4096)
    threads = _count(record, "cpu_core_thread", 16)
    ram_mb = _count(record, "ram", 1 << 32)  # MB: 4 PB at most (ram_gb has 8 digits)
    model = " ".join(part for part in (text(record, "manufacturer.name"), text(record, "model_id.name")) if part)
    status = _status(record, codes)
    known = archetype_of(model)
    vcpu = cpus * cores * (threads or 1) if cpus and cores else None
    return {
        "itsm_sys_id": identifier,
        "name": name,
        "model": model[:160],
        "data_centre": text(record, "location.name")[:80],
        "capacity": Decimal(vcpu) if vcpu else None,
        "ram_gb": (Decimal(ram_mb) / 1024).quantize(Decimal("0.01")) if ram_mb else None,
        "install_status": status,
        "_archetype": known,  # None: the model names no archetype
    }


def _new_host(values: dict[str, Any]) -> ServiceHost:
    """A host created from the CMDB: its figures from the archetype of its model, or the server default."""
    known: HostArchetype | None = values.pop("_archetype")
    archetype = known or ARCHETYPES[DEFAULT_ARCHETYPE]
    manufacturer = known is not None and values["capacity"] is not None
    if known is None:
        basis = " (model unknown: server default, estimate)"
    elif values["capacity"] is None:
        basis = " (vCPU unknown: estimate)"
    else:
        basis = ""
    if values["capacity"] is None:
        values["capacity"] = archetype.capacity
    return ServiceHost(
        kind="server",
        embodied_kgco2e=archetype.embodied_kgco2e,
        lifetime_years=archetype.lifetime_years,
        annual_kwh=archetype.annual_kwh,
        pue=None,
        quality="manufacturer" if manufacturer else "estimated",
        source=f"{SOURCE}; Boavizta: {archetype.model}{basis}"[:300],
        **values,
    )


def store_servers(records: Iterable[tuple[int, Mapping[str, Any]]], codes: Mapping[str, str]) -> csvio.ImportReport:
    """Create or update a host per physical server (idempotent), numbered records in read order; each record
    not stored is reported with its number and reason."""
    report = csvio.ImportReport()
    codes = {**CI_STATUS_CODES, **codes}
    hosts = list(db.session.scalars(sa.select(ServiceHost)))
    by_sys_id = {host.itsm_sys_id: host for host in hosts if host.itsm_sys_id}
    by_name = {host.name: host for host in hosts}
    seen_ids: set[str] = set()
    seen_names: set[str] = set()
    for number, record in records:
        try:
            if text(record, "virtual").lower() in ("true", "1"):
                raise Refused("virtual_server", "virtual", text(record, "name"))
            values = server_values(record, codes)
            if values["itsm_sys_id"] in seen_ids or values["name"] in seen_names:
                raise Refused("repeated_key", "name", values["name"])
            host = by_sys_id.get(values["itsm_sys_id"])
            named = by_name.get(values["name"])
            if host is None and named is not None and not named.itsm_sys_id:
                host = named  # entered by CSV before: linked to its CI from now on
            if named is not None and named is not host:
                raise Refused("name_taken", "name", values["name"])
            if host is None and values["install_status"] in GONE:
                raise Refused("retired_not_imported", "install_status", text(record, "install_status"))
        except Refused as refused:
            key = text(record, "name")[:80] or text(record, "sys_id")[:32]
            report.reject(number, refused.code, refused.field, refused.value, record=key, **refused.params)
            continue
        seen_ids.add(values["itsm_sys_id"])
        seen_names.add(values["name"])
        if host is None:
            host = _new_host(values)
            db.session.add(host)
            by_name[host.name] = host
            report.created.append(host.name)
            continue
        values.pop("_archetype")
        if values["capacity"] is None:
            values.pop("capacity")  # the CMDB does not know it: the stored one stays
        changed = {key: value for key, value in values.items() if getattr(host, key) != value}
        if not changed:
            report.unchanged.append(host.name)
            continue
        if "name" in changed:
            by_name.pop(host.name, None)
            by_name[values["name"]] = host
        for key, value in changed.items():
            setattr(host, key, value)
        report.updated.append(host.name)
    db.session.flush()
    report.sort()
    return report


def where(rejected: csvio.Rejected) -> str:
    """A refused record in a command's report: its name (or sys_id) and its number in the read."""
    key = dict(rejected.params).get("record", "")
    return f"{key} (record {rejected.line})" if key else f"record {rejected.line}"


def _numbered(client: TableClient, page_size: int) -> Iterator[tuple[int, Mapping[str, Any]]]:
    number = 0
    for page in client.read(TABLE, FIELDS, "ORDERBYsys_id", page_size):
        for record in page.records:
            number += 1
            yield number, record


def sync_servers(
    settings: ItsmSettings,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> csvio.ImportReport:
    """Read every server of the CMDB through the ITSM link and store the physical ones (the caller commits);
    ItsmError when the link is not configured or the instance stops the read (nothing is then stored: the
    caller rolls back)."""
    if not settings.configured:
        raise ItsmError("not_configured")
    with TableClient(settings.connection, sleep=sleep) as client:
        return store_servers(_numbered(client, settings.page_size), settings.status_codes)
