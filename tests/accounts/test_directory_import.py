"""`flask users import FILE.csv`: idempotent upsert with a report; a rejected line changes nothing."""

from __future__ import annotations

import sqlalchemy as sa

from portal.accounts.models import User
from portal.accounts.services import find_user_by_email
from portal.models import db

HEADER = "email,first_name,last_name,org_unit,site,commune_insee,manager_email,roles\n"


def _run(app, tmp_path, text, name="directory.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["users", "import", str(path)])
    db.session.expire_all()
    return result


def test_import_creates_then_updates_then_changes_nothing(app, tmp_path, make_org_unit, make_site):
    make_org_unit(code="DGNSI-INFRA")
    make_site(code="CITE", commune_insee="33063")
    text = HEADER + (
        "Marie.Curie@Test.example,Marie,Curie,DGNSI-INFRA,CITE,33063,,manager\n"
        "pierre.durand@test.example,Pierre,Durand,DGNSI-INFRA,CITE,33063,marie.curie@test.example,\n"
    )
    first = _run(app, tmp_path, text)
    assert first.exit_code == 0, first.output
    assert "created: 2" in first.output
    pierre = find_user_by_email("PIERRE.DURAND@test.example")
    assert pierre.manager.email == "marie.curie@test.example"
    assert pierre.org_unit.code == "DGNSI-INFRA" and pierre.site.code == "CITE"
    assert find_user_by_email("marie.curie@test.example").has_role("manager")

    again = _run(app, tmp_path, text)
    assert "created: 0" in again.output and "updated: 0" in again.output and "unchanged: 2" in again.output

    renamed = _run(app, tmp_path, text.replace("Pierre,Durand", "Pierre,Durand-Lefèvre"))
    assert "updated: 1" in renamed.output
    assert find_user_by_email("pierre.durand@test.example").last_name == "Durand-Lefèvre"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_bad_lines_are_reported_with_their_number_and_change_nothing(
    app, tmp_path, make_org_unit, make_site, make_user
):
    make_org_unit(code="U1")
    make_site(code="S1", commune_insee="33039")
    existing = make_user(email="kept@test.example", first_name="Kept", last_name="AsIs")
    text = HEADER + (
        "ok@test.example,Ok,Person,U1,S1,33039,,\n"  # line 2: fine
        "not-an-email,No,Email,U1,S1,33039,,\n"  # line 3
        "kept@test.example,Changed,Name,NOPE,S1,33039,,\n"  # line 4: unknown unit: existing row untouched
        "x@test.example,X,Y,U1,S1,33063,,\n"  # line 5: site not in that commune
        "y@test.example,Y,Z,U1,S1,33039,ghost@test.example,\n"  # line 6: unknown manager
        "z@test.example,Z,W,U1,S1,33039,,superuser\n"  # line 7: unknown role
        "ok@test.example,Dup,Licate,U1,S1,33039,,\n"  # line 8: duplicate of line 2
    )
    result = _run(app, tmp_path, text)
    assert result.exit_code == 0
    assert "created: 1" in result.output
    assert "rejected: 6" in result.output
    for line, words in [
        (3, "invalid e-mail"),
        (4, "unknown org unit"),
        (5, "site is not in that commune"),
        (6, "manager not found"),
        (7, "unknown role"),
        (8, "e-mail address already on an earlier line"),
    ]:
        assert f"line {line}: {words}" in result.output
    kept = db.session.get(User, existing.id)
    assert (kept.first_name, kept.last_name) == ("Kept", "AsIs")
    assert find_user_by_email("x@test.example") is None


def test_a_name_longer_than_its_column_is_reported_not_a_failure(app, tmp_path):
    """A first or last name holds 80 characters: a longer one is a refused line (PostgreSQL would refuse to store
    it), the 80-character one is imported."""
    long_name = "Anne-" + "x" * 76
    text = HEADER + f"ok@test.example,{'y' * 80},Person,,,,,\nlong@test.example,{long_name},Person,,,,,\n"
    result = _run(app, tmp_path, text)
    assert result.exit_code == 0 and result.exception is None, result.output
    assert "created: 1" in result.output and "rejected: 1" in result.output
    assert "line 3: first or last name longer than 80 characters" in result.output
    assert find_user_by_email("ok@test.example").first_name == "y" * 80
    assert find_user_by_email("long@test.example") is None


def test_a_manager_named_only_on_a_rejected_line_rejects_their_reports_too(app, tmp_path, make_org_unit):
    make_org_unit(code="U1")
    text = HEADER + (
        "boss@test.example,Boss,,U1,,,,manager\n"  # line 2: no last name
        "report@test.example,Re,Port,U1,,,boss@test.example,\n"  # line 3: their manager was rejected
    )
    result = _run(app, tmp_path, text)
    assert "line 2: first or last name missing" in result.output
    assert "line 3: manager not found" in result.output
    assert find_user_by_email("report@test.example") is None


def test_file_with_a_bom_and_missing_columns(app, tmp_path):
    ok = _run(app, tmp_path, "\ufeff" + HEADER + "a@test.example,A,B,,,,,\n", name="bom.csv")
    assert "created: 1" in ok.output
    bad = _run(app, tmp_path, "email,first_name\na@test.example,A\n", name="short.csv")
    assert bad.exit_code != 0
    assert "Missing: last_name" in bad.output
