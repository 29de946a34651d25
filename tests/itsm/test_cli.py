"""`flask itsm sync`: what the person at the terminal reads, and the exit code a scheduler would act on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.itsm import sync
from tests.itsm.records import hardware, location


@pytest.fixture
def configured(app, instance, monkeypatch):
    """The application pointed at the test instance with the integration account."""
    monkeypatch.setitem(app.config, "SERVICENOW_INSTANCE_URL", instance.url)
    monkeypatch.setitem(app.config, "SERVICENOW_USERNAME", instance.username)
    monkeypatch.setitem(app.config, "SERVICENOW_PASSWORD", instance.password)
    monkeypatch.setitem(app.config, "PORTAL_ITSM_MAX_ATTEMPTS", 2)
    monkeypatch.setitem(app.config, "PORTAL_ITSM_BACKOFF_SECONDS", 0)
    for table in ("cmn_location", "alm_hardware", "wm_task", "alm_transfer_order_line"):
        instance.put(table, [])
    return instance


def _sync(app, *args):
    return app.test_cli_runner().invoke(args=["itsm", "sync", *args])


def test_sync_prints_each_table_with_its_counts_and_refused_records(app, configured, catalogue, communes):
    configured.put("cmn_location", [location(1, "Centre technique informatique", zip="33300")])
    configured.put("alm_hardware", [hardware(1, **{"assigned_to.email": "ghost@test.example"}),
                                    hardware(2, asset_tag="P000001"),
                                    hardware(3, **{"model.display_name": "HP EliteBook 840 G9",
                                                   "model.manufacturer.name": "HP"})])
    result = _sync(app)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "cmn_location: 1 read of 1 (1 request)\n  created: 1\n" in out and "  sites created: 1\n" in out
    assert "alm_hardware: 3 read of 3 (1 request)\n  created: 2\n  updated: 0\n  unchanged: 0\n" \
           "  unknown models: 1\n  unknown e-mails: 1\n  rejected: 1\n" in out
    assert ("    P000001 (record 2): asset_tag: asset tag already on another record "
            f"({hardware(1)['sys_id']}): not merged, correct it in the ITSM (P000001)\n") in out
    assert "  models to map at /admin/itsm/models: HP EliteBook 840 G9 (Computer)\n" in out
    assert "  e-mails of no employee: ghost@test.example\n" in out
    assert out.rstrip().splitlines()[-1].startswith("sync completed in ")
    assert "alm_hardware: 3 of 3 read" in result.stderr  # the progress line


def test_a_table_option_reads_only_that_table(app, configured, catalogue):
    result = _sync(app, "--table", "alm_hardware")
    assert result.exit_code == 0, result.output
    assert [seen.table for seen in configured.seen] == ["alm_hardware"]


def test_a_wrong_password_exits_1_with_one_plain_line(app, configured, monkeypatch):
    monkeypatch.setitem(app.config, "SERVICENOW_PASSWORD", "Wrong-Password-99")
    result = _sync(app)
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "Error: ServiceNow refused the credentials (HTTP 401: User Not Authenticated – Required to provide Auth "
        "information). Check SERVICENOW_USERNAME and SERVICENOW_PASSWORD, or SERVICENOW_TOKEN: the password may "
        "have changed, or the account may be locked.")
    assert "Traceback" not in result.output and "Wrong-Password-99" not in result.output


def test_a_table_the_account_may_not_read_exits_1(app, configured, catalogue):
    configured.forbidden.add("wm_task")
    result = _sync(app)
    assert result.exit_code == 1
    assert "Error: The integration account may not read the table wm_task (HTTP 403)." in result.output


def test_an_unreachable_instance_exits_1(app, configured, monkeypatch):
    monkeypatch.setitem(app.config, "SERVICENOW_INSTANCE_URL", "http://127.0.0.1:9")
    result = _sync(app)
    assert result.exit_code == 1 and "Error: Interrupted: the instance cannot be reached" in result.output
    assert "Traceback" not in result.output


def test_without_configuration_or_with_a_bad_one_the_command_says_what_to_set(app, monkeypatch):
    result = _sync(app)
    assert result.exit_code == 1 and "Error: The ITSM link is not configured: set SERVICENOW_INSTANCE_URL" \
        in result.output
    monkeypatch.setitem(app.config, "SERVICENOW_INSTANCE_URL", "https://svc:pw@x.service-now.com")
    result = _sync(app)
    assert result.exit_code == 1 and "must not hold credentials" in result.output and "pw@" not in result.output


def test_a_second_sync_while_one_runs_is_refused(app, configured):
    sync.acquire_lock("node-2 pid 41", lease=timedelta(minutes=5))
    result = _sync(app)
    assert result.exit_code == 1
    assert "Error: Another sync has been running since" in result.output and "(node-2 pid 41)" in result.output
