"""CSV import and export of services, hosts, components, subscriptions and usage; bad lines are reported."""

from __future__ import annotations

import io
from decimal import Decimal

import sqlalchemy as sa

from portal.digital_services import transfer
from portal.digital_services.models import (
    DigitalService,
    ServiceComponent,
    ServiceHost,
    ServiceSubscription,
    ServiceUsage,
)
from portal.models import db
from tests.digital_services.fixtures import a_date

SERVICES = """code,name,category,hosting,criticality,access,owner_unit,owner_email,description_fr,description_en,\
per_user_estimate_kgco2e,estimate_source,end_date
MAIL,Messagerie,messaging,on_premises,high,granted_to_all,,,Courriel,E-mail,,,
VISIO,Visio,collaboration,saas,medium,on_request,,,,,"3,5",Vendor report 2024,
BAD,Bad,nonsense,saas,,,,,,,,,
NOUNIT,No unit,business,saas,,,ZZZ,,,,,,
MAIL,Again,messaging,saas,,,,,,,,,
DATE,Date,business,saas,,,,,,,,,2026-13-01
"""


def test_services_hosts_components_import_with_line_report_and_read_back(make_user):
    today = a_date(0)
    report = transfer.import_kind("services", SERVICES, today=today)
    assert len(report.created) == 2
    assert [(r.line, r.code, r.field) for r in report.rejected] == [
        (4, "unknown_value", "category"),
        (5, "unknown_unit", "owner_unit"),
        (6, "repeated_key", "code"),
        (7, "bad_date", "end_date"),
    ]
    visio = db.session.scalar(sa.select(DigitalService).where(DigitalService.code == "VISIO"))
    assert visio.per_user_estimate_kgco2e == Decimal("3.5")
    hosts = transfer.import_kind(
        "hosts",
        "name,kind,archetype,capacity,pue\nsrv1,,rack_1u,,1.4\nsrv2,server,,,\narr1,storage,storage_array,,0.9\n",
        today=today,
    )
    assert len(hosts.created) == 1
    assert [(r.line, r.code) for r in hosts.rejected] == [(3, "required"), (4, "pue_below_one")]
    srv1 = db.session.scalar(sa.select(ServiceHost))
    assert srv1.embodied_kgco2e == Decimal("1314.1") and srv1.quality == "manufacturer" and srv1.capacity == 80
    components = transfer.import_kind(
        "components", "service_code,host,allocated\nMAIL,srv1,16\nMAIL,nope,4\nNOPE,srv1,4\nMAIL,srv1,8\n", today=today
    )
    assert len(components.created) == 1
    assert [r.code for r in components.rejected] == ["unknown_host", "unknown_service", "repeated_key"]
    for kind in ("services", "hosts", "components"):
        out = io.StringIO()
        transfer.EXPORTS[kind](out)
        again = transfer.import_kind(kind, out.getvalue(), today=today)
        assert again.rejected_count == 0 and not again.created and not again.updated, kind
    assert db.session.scalar(sa.select(sa.func.count(ServiceComponent.id))) == 1


def test_numbers_from_a_french_spreadsheet_are_read_with_their_spaces(make_user):
    """A spreadsheet saved in French writes 1 234,5 with a no-break space: the value is read, not refused."""
    report = transfer.import_kind(
        "services",
        "code,name,category,hosting,per_user_estimate_kgco2e,estimate_source\n"
        'ERP,Progiciel,business,saas,"1\u00a0234,5",Rapport 2025\n'
        'GED,Documents,business,saas,"1\u202f000",Rapport 2025\n'
        "BAD,Mauvais,business,saas,douze,Rapport 2025\n",
        today=a_date(0),
    )
    assert [(r.line, r.code, r.field) for r in report.rejected] == [(4, "not_a_number", "per_user_estimate_kgco2e")]
    estimates = dict(db.session.execute(sa.select(DigitalService.code, DigitalService.per_user_estimate_kgco2e)).all())
    assert estimates == {"ERP": Decimal("1234.5"), "GED": Decimal("1000")}


def test_subscriptions_and_usage_are_upserted_with_bad_lines_reported(make_user):
    today = a_date(0)
    alice, bob = make_user(email="alice@test.example"), make_user(email="bob@test.example")
    carol = make_user(email="carol@test.example")
    transfer.import_kind("services", "code,name,category,hosting\nMAIL,Mail,messaging,on_premises\n", today=today)
    subscriptions = (
        "service_code,user_email,started_on,ended_on\n"
        f"MAIL,{alice.email},2024-01-01,\nMAIL,BOB@test.example,,\nMAIL,nobody@test.example,,\n"
        f"MAIL,{alice.email},,\nMAIL,{carol.email},2024-01-02,2024-01-01\n"
    )
    report = transfer.import_kind("subscriptions", subscriptions, today=today)
    assert len(report.created) == 2
    assert [(r.line, r.code) for r in report.rejected] == [
        (4, "unknown_user"),
        (5, "repeated_key"),
        (6, "ends_before_start"),
    ]
    usage = (
        "service_code,user_email,last_active_on,active_days\n"
        f"MAIL,{alice.email},{a_date(2).isoformat()},40\nMAIL,{bob.email},{a_date(-3).isoformat()},2\n"
        f"MAIL,{bob.email},{a_date(5).isoformat()},91\n"
    )
    report = transfer.import_kind("usage", usage, today=today)
    assert len(report.created) == 1
    assert [(r.line, r.code) for r in report.rejected] == [(3, "future_date"), (4, "bad_active_days")]
    again = transfer.import_kind("usage", usage.replace(",40", ",41"), today=today)
    assert len(again.updated) == 1
    assert db.session.scalar(sa.select(ServiceUsage.active_days)) == 41
    out = io.StringIO()
    assert transfer.export_subscriptions(out) == 2
    assert db.session.scalar(sa.select(sa.func.count(ServiceSubscription.id))) == 2


def test_cli_import_usage_prints_the_report(app, make_user):
    alice = make_user(email="alice@test.example")
    transfer.import_kind("services", "code,name,category,hosting\nMAIL,Mail,messaging,on_premises\n", today=a_date(0))
    db.session.commit()
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write(f"service_code,user_email,last_active_on,active_days\nMAIL,{alice.email},{a_date(1)},3\nX,y,z,1\n")
    result = app.test_cli_runner().invoke(args=["services", "import-usage", f.name])
    assert result.exit_code == 0, result.output
    assert "created: 1" in result.output and "line 3: service_code: No service has this code. (X)" in result.output
    bad = app.test_cli_runner().invoke(args=["services", "import-usage", __file__])
    assert bad.exit_code != 0 and "Missing" in bad.output


def test_admin_files_page_imports_with_a_report_and_exports(client, login_as):
    login_as()
    assert client.get("/admin/services/files").status_code == 403
    login_as("admin", locale="en")
    assert client.get("/admin/services/files").status_code == 200
    from tests.conftest import csrf_token

    data = {
        "csrf_token": csrf_token(client),
        "kind": "services",
        "file": (io.BytesIO(SERVICES.encode()), "services.csv"),
    }
    page = client.post("/admin/services/files", data=data, content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Created: 2" in text and "Rejected: 4" in text
    assert "No org unit has this code." in text
    empty = client.post(
        "/admin/services/files",
        data={"csrf_token": csrf_token(client), "kind": "services", "file": (io.BytesIO(b""), "e.csv")},
        content_type="multipart/form-data",
    )
    assert empty.status_code == 422 and "The file is empty." in empty.get_data(as_text=True)
    export = client.get("/admin/services/export/services.csv")
    assert export.mimetype == "text/csv" and "VISIO" in export.get_data(as_text=True)
    assert client.get("/admin/services/export/usage.csv").status_code == 404
