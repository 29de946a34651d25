"""Syncs against a real Table API served in a thread: what an administrator finds in the portal afterwards."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.catalogue.models import Asset
from portal.itsm import sync
from portal.itsm.client import ItsmError
from portal.itsm.models import (
    AssetTransfer,
    Intervention,
    ItsmAsset,
    ItsmLocation,
    ItsmModel,
    SyncLock,
    SyncProblem,
    SyncRun,
    SyncTableReport,
    Watermark,
)
from portal.models import db, utcnow
from portal.org.models import Site
from tests.itsm.records import hardware, location, stamp, task, transfer
from tests.itsm.table_api import Fault


def _assets() -> dict[str, Asset]:
    db.session.expire_all()
    return {asset.asset_tag: asset for asset in db.session.scalars(sa.select(Asset))}


def _table(run: SyncRun, name: str) -> SyncTableReport:
    return db.session.scalar(sa.select(SyncTableReport).where(SyncTableReport.run_id == run.id,
                                                              SyncTableReport.table_name == name))


def _counts(run: SyncRun, name: str) -> tuple[int, int, int, int]:
    row = _table(run, name)
    return row.created, row.updated, row.unchanged, row.rejected


@pytest.fixture
def estate(instance, catalogue, communes, make_site, make_user):
    """An instance with two locations (one the portal knows by name), four devices, a task and a transfer."""
    make_site(name="Hôtel de ville de Bègles", commune_insee="33039")
    claire = make_user(email="claire.martin@test.example")
    instance.put("cmn_location", [
        location(1, "HOTEL DE VILLE DE BEGLES", city="Bègles", zip="33130", latitude="44.80837", longitude="-0.54772"),
        location(2, "Centre technique informatique", zip="33300", latitude="44.87901", longitude="-0.52003"),
    ])
    instance.put("alm_hardware", [
        hardware(1, **{"assigned_to.email": "Claire.Martin@test.example", "location.name": "Hôtel de ville de Bègles"}),
        hardware(2, install_status="6", substatus="available", **{"location.name": "Centre technique informatique"}),
        hardware(3, install_status="7", substatus="disposed", retired="2026-06-30", purchase_date="2018-06-01"),
        hardware(4, install_status="7", substatus="donated"),
    ])
    instance.put("wm_task", [task(1, "Hôtel de ville de Bègles")])
    instance.put("alm_transfer_order_line", [
        transfer(1, "P000002", "Centre technique informatique", "Hôtel de ville de Bègles"),
    ])
    return claire


def test_first_sync_stores_sites_assets_interventions_and_transfers(sync_now, estate):
    run = sync_now()
    assert run.status == "completed" and run.error_code == ""
    assert _counts(run, "cmn_location") == (2, 0, 0, 0)
    assert _counts(run, "alm_hardware") == (4, 0, 0, 0)
    assert _table(run, "cmn_location").sites_created == 1  # the other matched the portal's site by name
    begles = db.session.scalar(sa.select(Site).where(Site.name == "Hôtel de ville de Bègles"))
    cti = db.session.scalar(sa.select(Site).where(Site.name == "Centre technique informatique"))
    assert cti.commune_insee == "33063" and cti.lat == Decimal("44.87901")

    assets = _assets()
    in_use = assets["P000001"]
    assert in_use.user_id == estate.id and in_use.site_id == begles.id and in_use.status == "in_use"
    assert in_use.item is not None and in_use.item.name == "Latitude 5430" and not in_use.model_estimated
    assert in_use.cost_eur == Decimal("980.50") and in_use.acquired_on == date(2023, 3, 14)
    stock = assets["P000002"]
    assert (stock.status, stock.substatus, stock.user_id, stock.site_id) == ("in_stock", "available", None, cti.id)
    assert (assets["P000003"].status, assets["P000003"].retired_on) == ("recycled", date(2026, 6, 30))
    assert assets["P000004"].status == "returned"  # donated: a second life elsewhere

    intervention = db.session.scalar(sa.select(Intervention))
    assert intervention.site_id == begles.id and (intervention.lat, intervention.lon) == (
        Decimal("44.80837"), Decimal("-0.54772"))
    assert intervention.work_started_at == datetime(2026, 10, 2, 8, 5, tzinfo=UTC)
    moved = db.session.scalar(sa.select(AssetTransfer))
    assert (moved.asset_id, moved.from_site_id, moved.to_site_id) == (stock.id, cti.id, begles.id)
    assert db.session.get(Watermark, "alm_hardware").updated_on == datetime(2026, 11, 2, 8, 0, 4, tzinfo=UTC)


def test_a_second_sync_creates_nothing_and_reads_only_from_the_watermark(sync_now, estate, instance):
    sync_now()
    before = len(instance.seen)
    run = sync_now()
    for table in ("cmn_location", "alm_hardware", "wm_task", "alm_transfer_order_line"):
        created, updated, unchanged, rejected = _counts(run, table)
        assert (created, updated, rejected) == (0, 0, 0), table
        assert unchanged == 1, table  # only the record of the watermark's second is read again
    second = instance.seen[before:]
    assert len(second) == 4
    assert all(seen.query.startswith("sys_updated_on>=2026-11-02 08:00:0") for seen in second)
    assert db.session.scalar(sa.select(sa.func.count(Site.id))) == 2


def test_25_changed_records_out_of_300_are_25_updates_in_at_most_3_requests(sync_now, instance, catalogue):
    instance.put("alm_hardware", [hardware(n) for n in range(1, 301)])
    sync_now(tables=["alm_hardware"])
    instance.put("alm_hardware", [hardware(n, cost="999.00", sys_updated_on=stamp(10_000 + n))
                                  for n in range(1, 26)])
    before = len(instance.seen)
    run = sync_now(tables=["alm_hardware"])
    assert _counts(run, "alm_hardware") == (0, 25, 1, 0)
    assert len(instance.seen) - before <= 3
    assert sum(asset.cost_eur == Decimal("999.00") for asset in _assets().values()) == 25


def test_an_interrupted_sync_keeps_its_pages_and_the_next_one_resumes_there(sync_now, instance, catalogue):
    instance.put("alm_hardware", [hardware(n) for n in range(1, 36)])
    instance.faults.append(Fault("alm_hardware", 503, times=99, offset=20))
    first = sync_now(tables=["alm_hardware"], page_size=10)
    assert first.status == "interrupted" and first.error_code == "unavailable"
    assert len(_assets()) == 20 and _table(first, "alm_hardware").read == 20
    assert db.session.get(Watermark, "alm_hardware").updated_on == datetime(2026, 11, 2, 8, 0, 20, tzinfo=UTC)
    assert db.session.get(SyncLock, "sync") is None  # released

    instance.faults.clear()
    before = len(instance.seen)
    second = sync_now(tables=["alm_hardware"], page_size=10)
    assert second.status == "completed"
    assert _counts(second, "alm_hardware") == (15, 0, 1, 0)
    assert len(_assets()) == 35
    assert instance.seen[before].query.startswith("sys_updated_on>=2026-11-02 08:00:20^")
    assert instance.seen[before].offset == 0


def test_a_transient_503_and_a_429_mid_table_are_waited_for(sync_now, instance, catalogue):
    instance.put("alm_hardware", [hardware(n) for n in range(1, 26)])
    instance.faults += [Fault("alm_hardware", 503, offset=10), Fault("alm_hardware", 429, offset=20, retry_after="1")]
    run = sync_now(tables=["alm_hardware"], page_size=10)
    assert run.status == "completed" and _counts(run, "alm_hardware") == (25, 0, 0, 0)
    assert _table(run, "alm_hardware").requests == 5


def test_the_same_asset_tag_on_two_records_is_reported_not_merged(sync_now, instance, catalogue):
    instance.put("alm_hardware", [hardware(1), hardware(2, asset_tag="P000001"),  # same page
                                  hardware(3), hardware(4, asset_tag="P000003")])
    run = sync_now(tables=["alm_hardware"], page_size=3)  # P000003's twin comes in the next page
    assert _counts(run, "alm_hardware") == (2, 0, 0, 2)
    problems = db.session.scalars(sa.select(SyncProblem).order_by(SyncProblem.ordinal)).all()
    assert [(p.ordinal, p.record_key, p.code, p.value) for p in problems] == [
        (2, "P000001", "duplicate_asset_tag", "P000001"), (4, "P000003", "duplicate_asset_tag", "P000003")]
    assert problems[0].params == {"other": hardware(1)["sys_id"]}
    assert _assets()["P000001"].sys_id == hardware(1)["sys_id"]


def test_the_csv_inventory_device_with_the_same_tag_is_adopted_on_the_first_sync(
        sync_now, instance, catalogue, make_asset):
    kept = make_asset(asset_tag="P000001", model_name="Latitude (CSV)")
    instance.put("alm_hardware", [hardware(1)])
    run = sync_now(tables=["alm_hardware"])
    assert _counts(run, "alm_hardware") == (0, 1, 0, 0)
    asset = _assets()["P000001"]
    assert asset.id == kept.id and asset.sys_id == hardware(1)["sys_id"] and asset.model_name == "Dell Latitude 5430"
    assert db.session.get(ItsmAsset, kept.id).model_id is not None


def test_an_unknown_model_counts_as_its_category_marked_estimate(sync_now, instance, catalogue):
    instance.put("alm_hardware", [hardware(1, **{"model.display_name": "HP EliteBook 840 G9",
                                                 "model.manufacturer.name": "HP"})])
    run = sync_now(tables=["alm_hardware"])
    assert _table(run, "alm_hardware").unknown_models == 1
    asset = _assets()["P000001"]
    assert (asset.item_id, asset.category, asset.model_estimated) == (None, "laptop", True)
    model = db.session.scalar(sa.select(ItsmModel))
    assert (model.name, model.match, model.unmapped) == ("HP EliteBook 840 G9", "category", True)


def test_a_model_whose_category_names_nothing_is_refused_until_mapped(sync_now, instance, catalogue):
    phone = {"model.display_name": "Cisco IP Phone 8845", "model.manufacturer.name": "Cisco",
             "model_category.name": "IP Phone"}
    instance.put("alm_hardware", [hardware(1, **phone)])
    run = sync_now(tables=["alm_hardware"])
    assert _counts(run, "alm_hardware") == (0, 0, 0, 1)
    problem = db.session.scalar(sa.select(SyncProblem))
    assert (problem.code, problem.value, problem.params) == ("unknown_category", "IP Phone",
                                                             {"model": "Cisco IP Phone 8845"})
    assert db.session.scalar(sa.select(ItsmModel.pending_since)) == datetime(2026, 11, 2, 8, 0, 1, tzinfo=UTC)


def test_an_unknown_install_status_is_reported_with_the_record_key(sync_now, instance, catalogue):
    instance.put("alm_hardware", [hardware(1, install_status="10")])
    run = sync_now(tables=["alm_hardware"])
    assert _counts(run, "alm_hardware") == (0, 0, 0, 1)
    problem = db.session.scalar(sa.select(SyncProblem))
    assert (problem.record_key, problem.field, problem.value) == ("P000001", "install_status", "10")


def test_an_unknown_email_is_reported_then_linked_once_the_employee_exists(sync_now, instance, catalogue, make_user):
    instance.put("alm_hardware", [hardware(1, **{"assigned_to.email": "New.Comer@test.example"})])
    run = sync_now(tables=["alm_hardware"])
    assert _table(run, "alm_hardware").unknown_emails == 1 and _assets()["P000001"].user_id is None
    newcomer = make_user(email="new.comer@test.example")
    sync_now(tables=["alm_hardware"])
    assert _assets()["P000001"].user_id == newcomer.id


def test_a_wrong_password_fails_the_run_with_the_reason_and_stores_nothing(sync_now, instance, estate):
    instance.password = "changed-by-the-ITSM-team"
    run = sync_now()
    assert (run.status, run.error_code) == ("failed", "auth_failed")
    assert run.error_params["detail"] == "User Not Authenticated – Required to provide Auth information"
    assert _assets() == {} and len(instance.seen) == 1


def test_display_value_all_answers_are_stored_as_raw_ones(sync_now, instance, estate):
    instance.display_all = True
    run = sync_now()
    assert run.status == "completed" and _counts(run, "alm_hardware") == (4, 0, 0, 0)
    assert _assets()["P000001"].user_id == estate.id


def test_one_sync_at_a_time_and_a_dead_holder_is_taken_over(sync_now, itsm_settings, estate):
    sync.acquire_lock("another node pid 7", lease=timedelta(minutes=15))
    with pytest.raises(ItsmError) as raised:
        sync_now()
    assert raised.value.code == "busy" and raised.value.params["holder"] == "another node pid 7"
    assert db.session.scalar(sa.select(sa.func.count(SyncRun.id))) == 0  # nothing recorded

    abandoned = SyncRun(trigger="schedule", status="running", started_at=utcnow(), error_params={})
    db.session.add(abandoned)
    db.session.execute(sa.update(SyncLock).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    run = sync_now()
    assert run.status == "completed"
    db.session.refresh(abandoned)
    assert (abandoned.status, abandoned.error_code) == ("interrupted", "abandoned")


def test_full_reads_every_record_again(sync_now, instance, estate):
    sync_now()
    run = sync_now(full=True, tables=["alm_hardware"])
    assert _counts(run, "alm_hardware") == (0, 0, 4, 0)
    assert "sys_updated_on>=" not in instance.seen[-1].query


def test_locations_keep_their_link_and_moved_created_sites_follow(sync_now, instance, estate):
    sync_now()
    instance.put("cmn_location", [location(2, "Centre technique informatique", zip="33300", latitude="44.88",
                                           longitude="-0.52", sys_updated_on=stamp(500))])
    run = sync_now(tables=["cmn_location"])
    assert _counts(run, "cmn_location") == (0, 1, 0, 0)  # the other location did not change: not read
    cti = db.session.scalar(sa.select(Site).where(Site.name == "Centre technique informatique"))
    assert cti.lat == Decimal("44.88000")
    assert db.session.scalar(sa.select(sa.func.count(ItsmLocation.id))) == 2


def test_a_sync_stopped_by_hand_keeps_its_pages_and_says_it_was_interrupted(itsm_settings, instance, catalogue):
    instance.put("alm_hardware", [hardware(n) for n in range(1, 31)])

    def stop_after_the_first_page(report):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync.run_sync(replace(itsm_settings, page_size=10), checkpoint=db.session.commit,
                      tables=["alm_hardware"], progress=stop_after_the_first_page)
    run = db.session.scalar(sa.select(SyncRun))
    assert (run.status, run.error_code) == ("interrupted", "abandoned")
    assert len(_assets()) == 10 and db.session.get(SyncLock, "sync") is None
