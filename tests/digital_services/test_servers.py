"""Data-centre servers from the ITSM (`cmdb_ci_server`): the mapping, and the sync against a real HTTP server in a
thread (the ITSM tests' Table API: nothing of the client is mocked), from the command and the admin page."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from portal.digital_services import servers
from portal.digital_services.models import ServiceHost
from portal.footprint.digital_services import ARCHETYPES
from portal.itsm.client import Connection, ItsmError
from portal.itsm.mapping import DEFAULT_STATUS_CODES, Refused
from portal.itsm.settings import ItsmSettings
from portal.models import db
from tests.conftest import csrf_token
from tests.itsm.table_api import Fault


@pytest.fixture
def settings(itsm_settings: ItsmSettings) -> ItsmSettings:
    """The ITSM link's settings for the test instance (tests/itsm/conftest.py, via this folder's conftest)."""
    return itsm_settings


@pytest.fixture
def configured(app, instance, monkeypatch):
    """The application pointed at the test instance with the integration account."""
    monkeypatch.setitem(app.config, "SERVICENOW_INSTANCE_URL", instance.url)
    monkeypatch.setitem(app.config, "SERVICENOW_USERNAME", instance.username)
    monkeypatch.setitem(app.config, "SERVICENOW_PASSWORD", instance.password)
    monkeypatch.setitem(app.config, "PORTAL_ITSM_MAX_ATTEMPTS", 2)
    monkeypatch.setitem(app.config, "PORTAL_ITSM_BACKOFF_SECONDS", 0)
    return instance


def server(n: int, **fields: Any) -> dict[str, Any]:
    """A physical server as the Table API returns it (dot-walked references by name)."""
    record = {
        "sys_id": f"{n:032x}",
        "name": f"srv-dc-{n:03d}",
        "cpu_count": "2",
        "cpu_core_count": "16",
        "cpu_core_thread": "2",
        "ram": "262144",
        "manufacturer.name": "Dell Inc.",
        "model_id.name": "PowerEdge R740",
        "location.name": "Datacentre Mériadeck",
        "install_status": "1",
        "virtual": "false",
    }
    record.update(fields)
    return record


def _sync(settings: ItsmSettings):
    report = servers.sync_servers(settings, sleep=lambda _: None)
    db.session.commit()
    return report


# --- the mapping -----------------------------------------------------------------------------------------


def test_a_server_record_maps_to_a_host():
    values = servers.server_values(server(1), DEFAULT_STATUS_CODES)
    assert values["name"] == "srv-dc-001" and values["itsm_sys_id"] == f"{1:032x}"
    assert values["capacity"] == Decimal(64)  # 2 CPUs × 16 cores × 2 threads
    assert values["ram_gb"] == Decimal("256.00")  # 262,144 MB
    assert values["model"] == "Dell Inc. PowerEdge R740" and values["data_centre"] == "Datacentre Mériadeck"
    assert values["install_status"] == "in_use" and values["_archetype"] is ARCHETYPES["rack_2u"]
    # Unknown threads count once; unknown cores leave the vCPU unknown; labels and CI codes are read.
    assert servers.server_values(server(2, cpu_core_thread=""), DEFAULT_STATUS_CODES)["capacity"] == Decimal(32)
    assert servers.server_values(server(3, cpu_core_count=""), DEFAULT_STATUS_CODES)["capacity"] is None
    assert servers.server_values(server(4, install_status="Installed"), DEFAULT_STATUS_CODES)["install_status"] \
        == "in_use"
    assert servers.archetype_of("HPE ProLiant DL380 Gen10") is None
    assert servers.archetype_of("Dell PowerEdge R640").key == "rack_1u"


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"name": ""}, "required", "name"),
        ({"name": "x" * 81}, "too_long", "name"),
        ({"cpu_count": "two"}, "not_a_number", "cpu_count"),
        ({"ram": "-1"}, "out_of_range", "ram"),
        ({"ram": str(1 << 33)}, "out_of_range", "ram"),  # more than the column holds
        ({"cpu_core_count": "2.5"}, "out_of_range", "cpu_core_count"),
        ({"install_status": "42"}, "unknown_status", "install_status"),
        ({"sys_id": ""}, "missing_sys_id", "sys_id"),
    ],
)
def test_a_server_that_cannot_be_stored_is_refused_with_its_reason(fields, code, field):
    with pytest.raises(Refused) as refused:
        servers.server_values(server(1, **fields), DEFAULT_STATUS_CODES)
    assert (refused.value.code, refused.value.field) == (code, field)


# --- the sync, against the test instance ----------------------------------------------------------------


def test_sync_creates_hosts_page_by_page_and_reports_each_refused_record(app, instance, settings, make_host):
    csv_host = make_host(name="srv-dc-003", quality="manufacturer", source="Fiche constructeur")  # entered by CSV
    db.session.commit()
    instance.put("cmdb_ci_server", [
        server(1),
        server(2, **{"model_id.name": "ProLiant DL380", "manufacturer.name": "HPE", "cpu_count": ""}),
        server(3, ram="131072"),
        server(4, virtual="true"),
        server(5, install_status="7"),
        server(6, cpu_count="lots"),
        server(7, name="srv-dc-001"),  # another CI with the same name
    ])
    report = _sync(replace(settings, page_size=2))
    assert len(instance.requests_to("cmdb_ci_server")) == 4  # 7 records by pages of 2, all read
    assert sorted(report.created) == ["srv-dc-001", "srv-dc-002"]
    assert report.updated == ["srv-dc-003"]
    assert [(r.line, r.code) for r in report.rejected] == [
        (4, "virtual_server"), (5, "retired_not_imported"), (6, "not_a_number"), (7, "repeated_key"),
    ]
    hosts = {h.name: h for h in db.session.scalars(sa.select(ServiceHost))}
    known = hosts["srv-dc-001"]  # a model with a manufacturer sheet, its vCPU known
    assert (known.kind, known.capacity, known.ram_gb, known.install_status) == ("server", 64, 256, "in_use")
    assert known.embodied_kgco2e == ARCHETYPES["rack_2u"].embodied_kgco2e and known.quality == "manufacturer"
    assert known.source == "ServiceNow cmdb_ci_server; Boavizta: Dell PowerEdge R740"
    unknown = hosts["srv-dc-002"]  # no sheet for its model, vCPU unknown: the server default, an estimate
    assert unknown.quality == "estimated" and unknown.capacity == ARCHETYPES["rack_1u"].capacity
    assert "estimate" in unknown.source and unknown.model == "HPE ProLiant DL380"
    linked = hosts["srv-dc-003"]  # the CSV host: linked to its CI, its sheet's figures kept
    assert linked.itsm_sys_id == f"{3:032x}" and linked.ram_gb == 128 and linked.capacity == 64
    assert (linked.quality, linked.source, linked.embodied_kgco2e) == ("manufacturer", "Fiche constructeur", 1200)
    assert csv_host.id == linked.id

    again = _sync(settings)  # idempotent
    assert again.created == [] and again.updated == [] and len(again.unchanged) == 3

    instance.put("cmdb_ci_server", [server(1, name="srv-dc-101", install_status="7")])  # renamed, then retired
    third = _sync(settings)
    assert third.updated == ["srv-dc-101"]
    renamed = db.session.get(ServiceHost, known.id)
    assert (renamed.name, renamed.install_status) == ("srv-dc-101", "retired")


def test_sync_waits_for_a_busy_instance_and_explains_a_refused_account(instance, settings):
    instance.put("cmdb_ci_server", [server(1)])
    instance.faults.append(Fault("cmdb_ci_server", 503, retry_after="0"))
    assert _sync(settings).created == ["srv-dc-001"]
    assert [seen.status for seen in instance.requests_to("cmdb_ci_server")] == [503, 200]

    wrong = replace(settings, connection=replace(settings.connection, password="not-it"))
    with pytest.raises(ItsmError) as error:
        servers.sync_servers(wrong, sleep=lambda _: None)
    assert error.value.code == "auth_failed"
    assert "not-it" not in error.value.message("en") and "User Not Authenticated" in error.value.message("en")

    instance.forbidden.add("cmdb_ci_server")
    with pytest.raises(ItsmError) as error:
        servers.sync_servers(settings, sleep=lambda _: None)
    assert error.value.code == "forbidden"


def test_sync_needs_the_link_configured():
    with pytest.raises(ItsmError) as error:
        servers.sync_servers(ItsmSettings(connection=Connection(instance_url="")))
    assert error.value.code == "not_configured"


# --- the command and the admin page ---------------------------------------------------------------------


def test_the_command_prints_the_counts_and_each_refused_record(app, configured):
    configured.put("cmdb_ci_server", [server(1), server(2, virtual="true")])
    result = app.test_cli_runner().invoke(args=["services", "sync-servers"])
    assert result.exit_code == 0, result.output
    assert "created: 1\n" in result.output and "rejected: 1\n" in result.output
    assert "srv-dc-002 (record 2): virtual: A virtual server, not a physical host: skipped. (srv-dc-002)" \
        in result.output

    configured.password = "changed-since"
    result = app.test_cli_runner().invoke(args=["services", "sync-servers"])
    assert result.exit_code == 1
    assert "ServiceNow refused the credentials (HTTP 401" in result.output


def test_the_admin_page_reads_the_servers(app, client, login_as, configured):
    login_as("admin", locale="en")
    configured.put("cmdb_ci_server", [server(1), server(2, install_status="42")])
    page = client.get("/admin/services/files").get_data(as_text=True)
    assert "Read the servers from the ITSM" in page and "cmdb_ci_server" in page
    response = client.post("/admin/services/servers/sync", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Created: 1" in page and "Rejected: 1" in page and "Unknown install status" in page
    assert db.session.scalar(sa.select(ServiceHost.name)) == "srv-dc-001"


def test_the_admin_page_says_why_the_servers_were_not_read(app, client, login_as, monkeypatch):
    login_as("admin", locale="en")
    monkeypatch.setitem(app.config, "SERVICENOW_INSTANCE_URL", "")
    response = client.post("/admin/services/servers/sync", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 422
    assert "The ITSM link is not configured" in response.get_data(as_text=True)


def test_only_admins_read_the_servers(client, login_as, configured):
    login_as(locale="en")
    response = client.post("/admin/services/servers/sync", data={"csrf_token": csrf_token(client)})
    assert response.status_code in (403, 404)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ServiceHost)) == 0
