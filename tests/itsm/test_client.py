"""The Table API client against a real HTTP server: paging by Link headers, totals, waits and refusals."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from portal.itsm.client import ItsmError, TableClient, next_link, retry_after_seconds
from tests.itsm.table_api import Fault


def _hardware(count: int) -> list[dict]:
    return [
        {"sys_id": f"{n:032x}", "asset_tag": f"P{n:06d}", "model.display_name": "HP EliteBook 840 G9",
         "sys_updated_on": f"2026-11-20 10:{n // 60:02d}:{n % 60:02d}"}
        for n in range(count)
    ]


def test_pages_follow_the_link_header_until_there_is_no_next_and_carry_the_total(instance, connection):
    instance.put("alm_hardware", _hardware(5))
    with TableClient(connection) as client:
        pages = list(client.read("alm_hardware", ["sys_id", "asset_tag"], "sys_updated_on>=2026-11-20 10:00:01"
                                 "^ORDERBYsys_updated_on^ORDERBYsys_id", page_size=2))
    assert [len(page.records) for page in pages] == [2, 2]
    assert [page.total for page in pages] == [4, 4]
    assert [record["asset_tag"] for page in pages for record in page.records] == [
        "P000001", "P000002", "P000003", "P000004"]
    assert set(pages[0].records[0]) == {"sys_id", "asset_tag"}  # only the fields asked for
    first = instance.requests_to("alm_hardware")[0]
    assert first.display_value == "false" and first.limit == 2 and first.offset == 0
    assert client.requests == 2


def test_a_wrong_password_is_refused_once_with_the_instance_words_and_never_the_password(instance, connection):
    instance.put("alm_hardware", _hardware(1))
    wrong = replace(connection, password="not-the-Password-42")
    with TableClient(wrong) as client, pytest.raises(ItsmError) as raised:
        list(client.read("alm_hardware", ["sys_id"], "", page_size=10))
    error = raised.value
    assert error.code == "auth_failed" and not error.transient
    assert len(instance.seen) == 1  # never retried
    message = error.message("en")
    assert "User Not Authenticated" in message and "SERVICENOW_PASSWORD" in message
    assert "not-the-Password-42" not in message + repr(error) + str(error.params)


def test_a_429_waits_for_retry_after_then_reads_the_page(instance, connection):
    instance.put("alm_hardware", _hardware(3))
    instance.faults.append(Fault("alm_hardware", 429, retry_after="1"))
    with TableClient(connection) as client:
        pages = list(client.read("alm_hardware", ["sys_id"], "", page_size=10))
    assert len(pages[0].records) == 3 and pages[0].requests == 2
    refused, served = instance.requests_to("alm_hardware")
    assert refused.status == 429 and served.status == 200
    assert served.at - refused.at >= 0.95


def test_a_long_retry_after_is_capped(instance, connection):
    instance.put("alm_hardware", _hardware(1))
    instance.faults.append(Fault("alm_hardware", 503, retry_after="3600"))
    with TableClient(replace(connection, max_wait_seconds=0.2)) as client:
        list(client.read("alm_hardware", ["sys_id"], "", page_size=10))
    refused, served = instance.requests_to("alm_hardware")
    assert 0.15 <= served.at - refused.at < 2


def test_a_retry_after_date_is_read_as_a_delay():
    now = datetime(2026, 12, 2, 10, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("Wed, 02 Dec 2026 10:00:30 GMT", now=now) == 30
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_a_503_mid_table_that_does_not_end_interrupts_the_read_after_the_pages_already_given(instance, connection):
    instance.put("alm_hardware", _hardware(6))
    instance.faults.append(Fault("alm_hardware", 503, times=99, offset=2))
    pages = []
    with TableClient(connection) as client, pytest.raises(ItsmError) as raised:
        for page in client.read("alm_hardware", ["sys_id"], "", page_size=2):
            pages.append(page)
    assert len(pages) == 1  # the first page was given before the failure
    assert raised.value.code == "unavailable" and raised.value.transient
    assert raised.value.params == {"table": "alm_hardware", "attempts": 3, "status": 503}
    assert "resumes where this one stopped" in raised.value.message("en")


def test_a_server_error_is_retried_a_few_times(instance, connection):
    instance.put("alm_hardware", _hardware(2))
    instance.faults.append(Fault("alm_hardware", 500, times=2))
    with TableClient(connection) as client:
        pages = list(client.read("alm_hardware", ["sys_id"], "", page_size=10))
    assert len(pages[0].records) == 2 and [s.status for s in instance.seen] == [500, 500, 200]


def test_a_table_the_account_may_not_read_is_explained_and_not_retried(instance, connection):
    instance.put("wm_task", [])
    instance.forbidden.add("wm_task")
    with TableClient(connection) as client, pytest.raises(ItsmError) as raised:
        list(client.read("wm_task", ["sys_id"], "", page_size=10))
    assert raised.value.code == "forbidden" and len(instance.seen) == 1
    assert "may not read the table wm_task" in raised.value.message("en")


def test_an_unreachable_instance_is_said_so(connection):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nothing listens there
    with TableClient(replace(connection, instance_url=f"http://127.0.0.1:{port}")) as client, \
            pytest.raises(ItsmError) as raised:
        list(client.read("alm_hardware", ["sys_id"], "", page_size=10))
    assert raised.value.code == "unreachable" and raised.value.params["attempts"] == 3


def test_a_bearer_token_authenticates(instance, connection):
    instance.token = "tok-123456"
    instance.put("cmn_location", [{"sys_id": "a" * 32, "name": "Mairie"}])
    with TableClient(replace(connection, username="", password="", token="tok-123456")) as client:
        assert [p.records for p in client.read("cmn_location", ["name"], "", page_size=10)] == [[{"name": "Mairie"}]]


def test_next_link_reads_the_rel_next_address():
    header = ('<https://x.service-now.com/api/now/table/t?sysparm_offset=0>;rel="first",'
              '<https://x.service-now.com/api/now/table/t?sysparm_offset=2>;rel="next",'
              '<https://x.service-now.com/api/now/table/t?sysparm_offset=2>;rel="last"')
    assert next_link(header) == "https://x.service-now.com/api/now/table/t?sysparm_offset=2"
    assert next_link(header.replace('rel="next"', 'rel="prev"')) is None
