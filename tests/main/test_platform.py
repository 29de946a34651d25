"""Health check, security headers, error pages, formatting and translations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from flask_babel import force_locale

from portal import create_app
from portal.formatting import kgco2e, long_date, number, percent
from tests.conftest import ROOT, app_config


def test_healthz_is_public_and_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["database"] == "ok"


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    broken = create_app({**app_config("sqlite:////nonexistent-dir/portal.db", tmp_path)})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unreachable"}


def test_healthz_reports_the_jobs_heartbeat(app, client):
    from jobs.heartbeat import beat

    assert client.get("/healthz").json["jobs"] == "unknown"
    beat(app)
    assert client.get("/healthz").json["jobs"] == "ok"


@pytest.mark.parametrize("path", ["/login", "/healthz", "/static/css/portal.css", "/nowhere"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_lax(client):
    client.get("/login")
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_production_cookies_are_secure_and_need_a_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "true")
    monkeypatch.setenv("PORTAL_PRODUCTION", "true")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    monkeypatch.setenv("SECRET_KEY", "a-real-secret")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["REMEMBER_COOKIE_SECURE"] is True


def test_database_url_from_the_environment_uses_psycopg(monkeypatch):
    from portal.config import from_environment

    settings = from_environment({"DATABASE_URL": "postgresql://u@db:5432/portal", "MAIL_PORT": "587"})
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db:5432/portal"
    assert settings["MAIL_PORT"] == 587


def test_error_pages_speak_the_users_language_and_hide_traces(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_unexpected_errors_give_a_translated_500_page(tmp_path, database_url):
    app = create_app({**app_config(database_url, tmp_path), "TESTING": False})

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom", follow_redirects=False)
    # /boom needs a login like every route: log in is asked before anything runs
    assert response.status_code == 302
    from portal.security import public

    app.view_functions["boom"] = public(boom)
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Une erreur est survenue" in text and "secret internals" not in text


def test_oversized_request_gives_413(client):
    response = client.post("/login", data={"email": "x" * (11 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Fichier trop volumineux" in response.get_data(as_text=True)


def test_a_null_character_is_refused_with_words_and_nothing_is_stored(client, login_as, make_org_unit):
    """PostgreSQL cannot hold a null character in a text: the form is refused before any view tries to store it."""
    from portal.budgets.models import BudgetLine
    from portal.models import db
    from tests.conftest import csrf_token

    unit = make_org_unit()
    login_as("admin")
    response = client.post(
        "/admin/budgets/lines",
        data={
            "csrf_token": csrf_token(client),
            "fiscal_year": "2027",
            "org_unit": str(unit.id),
            "nature": "investment",
            "label": "Écrans\x00",
            "amount_eur": "1000",
        },
    )
    assert response.status_code == 400
    assert "contiennent un caractère nul" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(BudgetLine.id))) == 0
    assert client.get("/catalogue?label=a%00b").status_code == 400
    assert client.get("/catalogue?label=ok&label=a%00b").status_code == 400  # a repeated field's every value


def test_numbers_masses_and_dates_follow_the_locale(app):
    with app.test_request_context():
        with force_locale("fr"):
            assert kgco2e(Decimal("1234.54")) == "1\u202f234,5\u202fkg\u202fCO₂e"
            assert number(Decimal("0.25"), 2) == "0,25"
            assert long_date(date(2026, 3, 21)) == "21 mars 2026"
            assert percent(Decimal("-0.35"), signed=True) == "−35\u00a0%"
        with force_locale("en"):
            assert kgco2e(Decimal("1234.54")) == "1,234.5\u202fkg\u202fCO₂e"
            assert long_date(date(2026, 3, 21)) == "March 21, 2026"


def test_every_interface_string_has_a_french_translation():
    with (ROOT / "portal/translations/fr/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    untranslated = [
        m.id
        for m in catalog
        if m.id and (not all(m.string) if isinstance(m.string, tuple) else not m.string) or "fuzzy" in m.flags
    ]
    assert untranslated == []


def test_catalog_is_up_to_date_with_the_code():
    """A string added to a template or module without running `make i18n-extract` fails here."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    with (ROOT / "portal/translations/fr/LC_MESSAGES/messages.po").open("rb") as handle:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    found = set()
    for directory, method in (("portal", "python"), ("templates", "jinja2")):
        pattern = "**.py" if method == "python" else "**.html"
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / directory, method_map=[(pattern, method)], keywords=keywords
        ):
            found.add(message if isinstance(message, str) else message[0])
    assert sorted(found - known) == []


def test_migrations_match_the_models(app):
    """No model change is left without an Alembic revision."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from portal.models import db

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_migrations_downgrade_to_empty_and_back(app, database_url):
    from flask_migrate import downgrade, upgrade

    from portal.models import db

    downgrade(revision="base")
    tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade(revision="heads")
    assert "user" in sa.inspect(db.engine).get_table_names()


def test_security_headers_keep_what_a_response_set_and_are_not_repeated(app):
    from flask import Response

    with app.test_request_context("/"):
        response = Response("x", headers={"x-frame-options": "SAMEORIGIN", "Cache-Control": "no-store"})
        response = app.process_response(response)
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers.getlist("Cache-Control") == ["no-store"]
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy",
                 "Cross-Origin-Opener-Policy"):
        assert len(response.headers.getlist(name)) == 1, name
