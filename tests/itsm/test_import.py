"""`flask itsm import FILE --table T`: the same records from exported files, for sites without API access."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.catalogue.models import Asset
from portal.itsm.models import AssetTransfer, Intervention, SyncRun, SyncTableReport, Watermark
from portal.models import db
from portal.org.models import Site
from tests.itsm.records import hardware

SAMPLES = Path(__file__).parent / "samples"


def _import(app, path: Path, table: str):
    return app.test_cli_runner().invoke(args=["itsm", "import", str(path), "--table", table])


@pytest.fixture
def people(make_user):
    make_user(email="claire.martin@example.org")
    make_user(email="paul.dupuy@example.org")


def test_the_samples_import_table_by_table_as_a_sync_would_store_them(app, catalogue, communes, people):
    for name, table in [("cmn_location.json", "cmn_location"), ("alm_hardware.page1.json", "alm_hardware"),
                        ("alm_hardware.display_all.json", "alm_hardware"), ("wm_task.json", "wm_task"),
                        ("alm_transfer_order_line.json", "alm_transfer_order_line")]:
        result = _import(app, SAMPLES / name, table)
        assert result.exit_code == 0, result.output
        assert result.stdout.rstrip().splitlines()[-1].startswith("import completed in ")
    assets = {asset.asset_tag: asset for asset in db.session.scalars(sa.select(Asset))}
    assert assets["P000123"].status == "in_use" and assets["P000123"].user.email == "claire.martin@example.org"
    assert assets["P000124"].status == "recycled" and assets["P000124"].item.name == "Latitude 5430"
    assert assets["P000125"].cost_eur == Decimal("429.00") and assets["P000125"].category == "smartphone"
    begles = db.session.scalar(sa.select(Site).where(Site.name == "Mairie de Bègles"))
    assert assets["P000123"].site_id == begles.id
    assert db.session.scalar(sa.select(Intervention.site_id)) == begles.id
    transfer = db.session.scalar(sa.select(AssetTransfer))
    assert (transfer.asset_id, transfer.to_site_id) == (assets["P000123"].id, begles.id)
    runs = db.session.scalars(sa.select(SyncRun).order_by(SyncRun.id)).all()
    assert [(run.trigger, run.status, run.source) for run in runs][:2] == [
        ("import", "completed", "cmn_location.json"), ("import", "completed", "alm_hardware.page1.json")]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Watermark)) == 0  # syncs still read all


def test_a_csv_list_export_goes_through_the_same_mapping_as_the_api(app, catalogue, tmp_path, instance, sync_now):
    fields = list(hardware(1))
    record = hardware(1, cost="1149.00")
    path = tmp_path / "alm_hardware.csv"
    path.write_text("\ufeff" + ";".join(fields) + "\n" + ";".join(record[name] for name in fields) + "\n"
                    + ";".join(hardware(2, install_status="42")[name] for name in fields) + "\n", encoding="utf-8")
    result = _import(app, path, "alm_hardware")
    assert result.exit_code == 0, result.output
    assert "  created: 1\n" in result.stdout
    assert "    P000002 (line 3): install_status: unknown install status (codes known: 1, 2, 3, 6, 7, 8, 9; set " \
           "PORTAL_ITSM_STATUS_CODES) (42)\n" in result.stdout
    instance.put("alm_hardware", [record])
    run = sync_now(tables=["alm_hardware"])
    row = db.session.scalar(sa.select(SyncTableReport).where(SyncTableReport.run_id == run.id))
    assert (row.created, row.updated, row.unchanged) == (0, 0, 1)  # the API's record is the file's, unchanged


@pytest.mark.parametrize(("content", "table", "message"), [
    (b'{"result": [', "alm_hardware", "Error: The file is not a Table API answer: JSON with a “result” list "
                                      "(problem near line 1)."),
    (b"PK\x03\x04binary", "alm_hardware", "Error: This is a spreadsheet (Excel, LibreOffice) or a ZIP archive"),
    (b"sys_id,name\n", "alm_hardware", "Error: The first line must name the columns. Missing: asset_tag, "
                                       "model.display_name, install_status."),
    (b"{}", "incidents", "Error: Invalid value for '--table'"),
])
def test_a_file_that_cannot_be_read_imports_nothing_with_one_line(app, tmp_path, content, table, message):
    path = tmp_path / "export.json"
    path.write_bytes(content)
    result = _import(app, path, table)
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output
    assert db.session.scalar(sa.select(sa.func.count(SyncRun.id))) == 0
