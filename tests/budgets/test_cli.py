"""`flask budgets import|export`: the line-level report, idempotence, and an export that imports back."""

from __future__ import annotations

from decimal import Decimal as D

import sqlalchemy as sa

from portal.budgets.models import BudgetLine
from portal.models import db

CSV = (
    "\ufefffiscal_year,unit_code,nature,label,amount_eur,carbon_budget_kgco2e\n"
    "2027,DN,investment,Postes,12000,900\n"
    "2027,DN,fonctionnement,Licences,5000,\n"
    "2027,DN,investment,Postes,1,1\n"
    "20x7,DN,investment,Écrans,3,\n"
)


def test_import_reports_each_line_and_runs_twice_the_same(app, tmp_path, make_org_unit):
    make_org_unit(code="DN")
    path = tmp_path / "budgets.csv"
    path.write_text(CSV, encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["budgets", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "created: 2" in result.output and "rejected: 2" in result.output
    assert "line 4: label: This line appears twice in the file" in result.output
    assert "line 5: fiscal_year: Enter a year from 2000 to 2100. (20x7)" in result.output
    again = runner.invoke(args=["budgets", "import", str(path)])
    assert "unchanged: 2" in again.output
    assert db.session.scalar(sa.select(BudgetLine.amount_eur).where(BudgetLine.label == "Postes")) == D("12000")

    exported = tmp_path / "export.csv"
    result = runner.invoke(args=["budgets", "export", "2027", str(exported)])
    assert "exported: 2 lines" in result.output
    back = runner.invoke(args=["budgets", "import", str(exported)])
    assert "unchanged: 2" in back.output and "rejected: 0" in back.output


def test_a_file_without_the_columns_is_refused_as_a_whole(app, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("year;unit\n2027;DN\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["budgets", "import", str(path)])
    assert result.exit_code == 1
    assert "fiscal_year" in result.output
