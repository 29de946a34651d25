"""Budget pages: who sees which unit, the admin's edits and imports, bad input, the approval card."""

from __future__ import annotations

import io
from decimal import Decimal as D

import sqlalchemy as sa

from portal.budgets.models import BudgetLine, PlannedPurchase
from portal.models import db
from tests.conftest import csrf_token


def test_a_manager_sees_their_unit_and_sub_units_only(client, login_as, make_org_unit, make_line):
    direction = make_org_unit(kind="direction", name="Direction du numérique")
    service = make_org_unit(parent_id=direction.id, name="Service postes de travail")
    other = make_org_unit(name="Direction des finances")
    make_line(org_unit=service, label="Renouvellement 2026")
    make_line(org_unit=other, label="Ligne secrète")
    login_as("manager", org_unit_id=direction.id)
    response = client.get("/budgets")
    assert response.status_code == 302 and response.location.endswith(f"/budgets/{direction.id}?year={_year()}")
    page = client.get(f"/budgets/{direction.id}").get_data(as_text=True)
    assert "Service postes de travail" in page and "Direction des finances" not in page
    service_page = client.get(f"/budgets/{service.id}").get_data(as_text=True)
    assert "Renouvellement 2026" in service_page and "Ligne secrète" not in service_page
    assert "/admin/budgets" not in page  # read-only
    assert client.get(f"/budgets/{other.id}").status_code == 404
    assert client.get(f"/budgets/{other.id}/summary").status_code == 404
    assert client.get("/admin/budgets").status_code == 403


def _year():
    from portal.budgets.services import current_year

    return current_year()


def test_an_employee_has_no_budget_pages(client, login_as, make_org_unit):
    unit = make_org_unit()
    login_as("employee", org_unit_id=unit.id)
    assert client.get("/budgets").status_code == 403
    assert client.get(f"/budgets/{unit.id}").status_code == 403


def test_admin_overview_colours_and_sorts(client, login_as, make_line, plan, make_item):
    item = make_item()
    over = make_line(label="Postes", carbon_budget_kgco2e=D("100"))
    plan(over, item=item, quantity=2)  # 324 kg of 100: over
    make_line(label="Écrans", carbon_budget_kgco2e=D("10000"))
    login_as("admin")
    page = client.get("/budgets?sort=used").get_data(as_text=True)
    assert "use-over" in page and '<span aria-hidden="true">✕</span> dépassé' in page  # the symbol is not read out
    assert "<svg" in page and "<caption>" in page
    assert client.get("/budgets?year=abc&sort=nonsense").status_code == 200
    summary = client.get(f"/budgets/{over.org_unit_id}/summary")
    assert summary.status_code == 200


def test_admin_creates_a_line_and_plans_a_purchase(client, login_as, make_org_unit, make_item):
    unit = make_org_unit(name="Direction du numérique")
    item = make_item(name="Portable pro")
    login_as("admin")
    token = csrf_token(client)
    response = client.post(
        "/admin/budgets/lines",
        data={
            "csrf_token": token,
            "fiscal_year": "2027",
            "org_unit": str(unit.id),
            "nature": "investment",
            "label": "Renouvellement des portables",
            "amount_eur": "600 000",
            "carbon_budget_kgco2e": "90000",
        },
    )
    assert response.status_code == 303
    line = db.session.scalar(sa.select(BudgetLine))
    assert (line.amount_eur, line.carbon_budget_kgco2e) == (D("600000"), D("90000"))
    response = client.post(
        f"/admin/budgets/lines/{line.id}/purchases",
        data={
            "csrf_token": token,
            "label": "600 portables",
            "sku": item.sku,
            "category": "laptop",
            "quantity": "600",
            "unit_price_eur": "",
        },
    )
    assert response.status_code == 303
    assert db.session.scalar(sa.select(PlannedPurchase.unit_price_eur)) == D("1000")
    page = client.get(f"/admin/budgets/lines/{line.id}").get_data(as_text=True)
    page = page.replace("\u202f", " ")
    assert "50 % reconditionnés" in page and "Gardés 2 ans de plus" in page


def test_amounts_are_read_as_each_reader_writes_them(client, login_as, make_org_unit):
    """An English admin types thousands with commas, a French one with spaces (a spreadsheet's no-break ones)."""
    unit = make_org_unit()
    for locale, amount, carbon in (("en", "600,000.50", "90,000"), ("fr", "1\u00a0250\u00a0000,75", "12\u202f500,5")):
        login_as("admin", locale=locale)
        response = client.post(
            "/admin/budgets/lines",
            data={
                "csrf_token": csrf_token(client),
                "fiscal_year": "2027" if locale == "en" else "2028",
                "org_unit": str(unit.id),
                "nature": "investment",
                "label": f"Renewal ({locale})",
                "amount_eur": amount,
                "carbon_budget_kgco2e": carbon,
            },
        )
        assert response.status_code == 303, locale
    amounts = db.session.execute(
        sa.select(BudgetLine.amount_eur, BudgetLine.carbon_budget_kgco2e).order_by(BudgetLine.fiscal_year)
    ).all()
    assert [tuple(a) for a in amounts] == [(D("600000.50"), D("90000")), (D("1250000.75"), D("12500.5"))]


def test_bad_input_is_refused_with_words_not_a_500(client, login_as, make_org_unit, make_line):
    unit = make_org_unit()
    line = make_line(org_unit=unit)
    login_as("admin")
    token = csrf_token(client)
    response = client.post(
        "/admin/budgets/lines",
        data={
            "csrf_token": token,
            "fiscal_year": "20277",
            "org_unit": str(unit.id),
            "nature": "investment",
            "label": "",
            "amount_eur": "-5",
            "carbon_budget_kgco2e": "beaucoup",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Saisissez une année" in page
    response = client.post(
        f"/admin/budgets/lines/{line.id}/purchases",
        data={
            "csrf_token": token,
            "label": "Écrans",
            "sku": "",
            "category": "monitor",
            "quantity": "0",
            "unit_price_eur": "",
        },
    )
    assert response.status_code == 422
    assert "Saisissez une quantité de 1 à 100 000." in response.get_data(as_text=True)
    response = client.post(
        f"/admin/budgets/lines/{line.id}/purchases",
        data={
            "csrf_token": token,
            "label": "Écrans",
            "sku": "inconnu",
            "category": "monitor",
            "quantity": "4",
            "unit_price_eur": "",
        },
    )
    assert response.status_code == 422
    assert "Aucun article du catalogue n’a cette référence." in response.get_data(as_text=True)
    assert client.get("/admin/budgets/lines/999999").status_code == 404
    assert client.post("/admin/budgets/purchases/999999/delete", data={"csrf_token": token}).status_code == 404
    assert client.get("/admin/budgets/trajectory?reference_year=2030&yearly_cut=5&fiscal_year=2027").status_code == 422


def test_csv_import_reports_each_line_and_the_export_neutralises_formulas(client, login_as, make_org_unit):
    make_org_unit(code="DN", name="Direction du numérique")
    login_as("admin")
    body = (
        "fiscal_year;unit_code;nature;label;amount_eur;carbon_budget_kgco2e\n"
        "2027;DN;investissement;=cmd|' /C calc'!A0;12 000,50;900\n"
        "2027;DN;operating;Licences;5000;\n"
        "2027;XX;operating;Inconnue;5000;\n"
        "2027;DN;investment;Écrans;-3;\n"
    )
    response = client.post(
        "/admin/budgets/import",
        data={
            "csrf_token": csrf_token(client),
            "file": (io.BytesIO(body.encode()), "budgets.csv"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Créés : 2" in page.replace("\u202f", " ") and "Aucune unité" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BudgetLine)) == 2
    export = client.get("/admin/budgets/export.csv?year=2027").get_data(as_text=True)
    assert "'=cmd" in export and "12000.50" in export


def test_the_approval_card_shows_the_order_against_the_unit_budget(
    client, login, make_user, make_line, make_item, make_order
):
    item = make_item()
    line = make_line(amount_eur=D("10000"), carbon_budget_kgco2e=D("1000"))
    manager = make_user(roles=("manager",), org_unit_id=line.org_unit_id)
    requester = make_user(org_unit_id=line.org_unit_id, manager_id=manager.id)
    make_order(requester, item, quantity=1, status="submitted")
    login(manager)
    page = client.get("/approvals").get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert "16 % du budget carbone restant" in page
    assert "10 % de son budget en euros" in page
    assert "reconditionnée en utiliserait 4 %" in page
