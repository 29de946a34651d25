"""Shared fixtures: one migrated database per run (SQLite, or PostgreSQL when TEST_DATABASE_URL is set),
emptied after every test; factories as fixtures returning callables; `login_as(role)`."""

from __future__ import annotations

import os
import re
import secrets
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from portal import create_app
from portal.accounts.models import User
from portal.accounts.passwords import hash_password
from portal.accounts.services import set_roles
from portal.extensions import limiter
from portal.models import db
from portal.org.models import Commune, OrgUnit, Site
from portal.org.services import load_communes
from portal.reference_cache import ReferenceGeneration

ROOT = Path(__file__).resolve().parent.parent
# Domain factories usable by every test, browser tests included.
pytest_plugins = (
    "tests.catalogue.fixtures",
    "tests.accounts.oidc_fixtures",
    "tests.digital_services.fixtures",
    "tests.budgets.fixtures",
)
PASSWORD = "correct horse battery"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the translation catalogs if a .po file is newer than its .mo (make test does it too)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (ROOT / "portal" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source, mo.open("wb") as target:
                write_mo(target, read_po(source))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database for this run: a temporary SQLite file, or a new PostgreSQL database."""
    with new_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@contextmanager
def new_database(directory: Path) -> Iterator[str]:
    """An empty database: a new one on the tests' PostgreSQL server (TEST_DATABASE_URL), dropped afterwards, or
    a SQLite file in `directory`."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{directory / 'portal.db'}"
        return
    url = sa.make_url(server_url)
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    name = f"portal_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def app_config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    """Settings for a test application (cheap Argon2, mail to files, limits in memory)."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST_KIB": 1024,
        "ARGON2_PARALLELISM": 1,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_FILE_DIR": str(tmp_path / "mail"),
        "PORTAL_BASE_URL": "http://localhost",
        "PORTAL_AVERAGE_CACHE_SECONDS": 0,
        "PORTAL_CAMPAIGN_RESULTS_CACHE_SECONDS": 0,
    }


class PortalClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    The tests hold an app context open to use the database; without this, requests would share its `g`
    (and Flask-WTF's cached CSRF token) and its database session. The test's session commits first so the
    request sees what the test created, and reads fresh data afterwards.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application, its schema built by the Alembic migrations (never by create_all)."""
    from flask_migrate import upgrade

    application = create_app(app_config(database_url, tmp_path_factory.mktemp("app")))
    application.test_client_class = PortalClient
    with application.app_context():
        upgrade(revision="heads")
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _context(app: Flask) -> Iterator[None]:
    """Each test runs in an app context and leaves an empty database and fresh rate limits behind."""
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        _empty_database()
    limiter.reset()


def _empty_database() -> None:
    with db.engine.begin() as connection:
        existing = set(sa.inspect(connection).get_table_names())
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name in existing]
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
        # As after the migrations: a reference generation (a new one, so nothing a worker kept matches it).
        if ReferenceGeneration.__tablename__ in existing:
            connection.execute(ReferenceGeneration.__table__.insert().values(id=1, value=secrets.randbits(62)))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like client (cookies kept between requests)."""
    return app.test_client()


def csrf_token(client: FlaskClient) -> str:
    """The CSRF token of this client's session, read from a page as a browser would."""
    for path in ("/login", "/help"):
        response = client.get(path)
        match = re.search(rb'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', response.data)
        if match:
            return match.group(1).decode()
    raise AssertionError("no CSRF token on /login or /help")


def write_behind_the_portals_back(statement: str, **params: object) -> None:
    """SQL no portal session sees: only the generation can tell the workers about it."""
    with db.engine.begin() as connection:
        connection.execute(sa.text(statement), params)


def another_worker_commits_a_change() -> None:
    """What any worker's change of reference data commits with it: a new generation."""
    write_behind_the_portals_back("UPDATE reference_generation SET value = value + 1")


# ---------------------------------------------------------------------------
# Factories
# ---------------------------------------------------------------------------


@pytest.fixture
def communes() -> dict[str, Commune]:
    """The 28 communes, loaded from the packaged list."""
    load_communes()
    return {c.insee: c for c in db.session.scalars(sa.select(Commune))}


@pytest.fixture
def make_org_unit() -> Callable[..., OrgUnit]:
    """Create an org unit: make_org_unit(code="X", parent=None)."""
    counter = iter(range(1, 10_000))

    def make(**overrides: Any) -> OrgUnit:
        n = next(counter)
        values: dict[str, Any] = {"code": f"UNIT-{n}", "name": f"Service {n}", "kind": "service"}
        values.update(overrides)
        unit = OrgUnit(**values)
        db.session.add(unit)
        db.session.flush()
        return unit

    return make


@pytest.fixture
def make_site(communes: dict[str, Commune]) -> Callable[..., Site]:
    """Create a site: make_site(commune_insee="33039")."""
    counter = iter(range(1, 10_000))

    def make(**overrides: Any) -> Site:
        n = next(counter)
        insee = overrides.pop("commune_insee", "33063")
        commune = communes[insee]
        values: dict[str, Any] = {
            "code": f"SITE-{n}",
            "name": f"Site {n}",
            "address": f"{n} rue de test",
            "commune_insee": insee,
            "lat": commune.lat,
            "lon": commune.lon,
        }
        values.update(overrides)
        site = Site(**values)
        db.session.add(site)
        db.session.flush()
        return site

    return make


@pytest.fixture
def make_user() -> Callable[..., User]:
    """Create an employee: make_user(roles=("manager",), email=..., password=...)."""
    counter = iter(range(1, 100_000))
    hashed: dict[str, str] = {}

    def make(**overrides: Any) -> User:
        n = next(counter)
        roles = overrides.pop("roles", ())
        password = overrides.pop("password", PASSWORD)
        if password not in hashed:
            hashed[password] = hash_password(password)
        values: dict[str, Any] = {
            "email": f"user{n}@test.example",
            "first_name": f"Prénom{n}",
            "last_name": f"Nom{n}",
            "password_hash": hashed[password],
        }
        values.update(overrides)
        values["email"] = values["email"].lower()
        user = User(**values)
        set_roles(user, roles)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], FlaskClient]:
    """Log a user in through the real login form (CSRF token included)."""

    def do(user: User, password: str = PASSWORD) -> FlaskClient:
        response = client.post(
            "/login", data={"email": user.email, "password": password, "csrf_token": csrf_token(client)}
        )
        assert response.status_code == 303, response.data[:500]
        return client

    return do


@pytest.fixture
def login_as(make_user: Callable[..., User], login: Callable[[User], FlaskClient]) -> Callable[..., User]:
    """Create a user with this role (or roles) and log them in: `user = login_as("manager")`."""

    def do(*roles: str, **overrides: Any) -> User:
        user = make_user(roles=tuple(r for r in roles if r != "employee"), **overrides)
        login(user)
        return user

    return do
