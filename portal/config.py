"""Configuration defaults in one place; the environment is read here only."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    """Settings for the embedded mode (`make run`); production overrides them from the environment."""

    SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - replaced by SECRET_KEY in production (checked below)  # nosec B105
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{PROJECT_ROOT / 'instance' / 'portal.db'}"
    # No pool_pre_ping (a round trip before every request): a connection idle for longer than
    # PORTAL_DB_PING_AFTER_IDLE_SECONDS is pinged when taken from the pool (portal.database), a dropped one is
    # replaced then; connections are renewed every half hour anyway.
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_recycle": 1800}
    PORTAL_DB_PING_AFTER_IDLE_SECONDS = 10
    # PostgreSQL: GET and HEAD requests run their statements without BEGIN/ROLLBACK (portal.database).
    PORTAL_DB_READS_WITHOUT_TRANSACTION = True
    SQLITE_BUSY_TIMEOUT_MS = 5000

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600  # one working day

    SEND_FILE_MAX_AGE_DEFAULT = 3600
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/geo+json",
        "image/svg+xml",
        "text/csv",
    ]
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024  # uploads above this answer 413
    WTF_CSRF_TIME_LIMIT = 8 * 3600

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ("fr", "en")

    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "5 per minute"

    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "Portail numérique responsable <numerique-responsable@bordeaux-metropole.example>"
    MAIL_FILE_DIR = str(PROJECT_ROOT / "instance" / "mail")
    MAIL_TIMEOUT = 30  # seconds for one SMTP conversation

    # Argon2id parameters (RFC 9106 second recommended option); tests use cheaper ones.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST_KIB = 64 * 1024
    ARGON2_PARALLELISM = 4

    PORTAL_BASE_URL = "http://127.0.0.1:5000"
    PORTAL_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    PORTAL_TILE_ATTRIBUTION = "© OpenStreetMap contributors"
    # Where anyone blocked by an accessibility defect writes (accessibility statement, RGAA "retour d'information").
    PORTAL_ACCESSIBILITY_CONTACT = "accessibilite-numerique@bordeaux-metropole.example"
    PORTAL_PAGE_SIZE = 20
    PORTAL_JOBS_HEARTBEAT_SECONDS = 60
    PORTAL_AVERAGE_CACHE_SECONDS = 300  # organisation-wide averages shown beside personal figures
    PORTAL_RETURN_DAYS = 30  # a device "to return" for longer is shown overdue on its manager's team page
    # Campaign totals, teams and daily series, per process; every change of the results is seen at once anyway
    # (see portal.campaigns.results): the limit only bounds staleness of the eligible-employee counts.
    PORTAL_CAMPAIGN_RESULTS_CACHE_SECONDS = 60
    # Longest a web worker keeps reference data (communes, collection points, factors) that no change touched.
    PORTAL_REFERENCE_CACHE_SECONDS = 300

    # OpenID Connect sign-in (off while OIDC_ISSUER is empty); see README "Signing in with the identity provider".
    OIDC_ISSUER = ""
    OIDC_CLIENT_ID = ""
    OIDC_CLIENT_SECRET = ""  # empty by default: given by the environment  # nosec B105
    OIDC_PROVIDER_NAME = ""  # the login button's words: "Se connecter avec <name>"
    OIDC_SCOPES = "openid email profile"
    OIDC_EMAIL_CLAIM = "email"
    # Link an existing employee by e-mail only if the provider says it verified it (Entra ID says nothing: false).
    OIDC_REQUIRE_VERIFIED_EMAIL = True
    OIDC_ROLE_CLAIM = "groups"  # a dotted path reaches nested claims, e.g. realm_access.roles (Keycloak)
    OIDC_ROLE_MAP = ""  # "provider group=portal role, …", e.g. "GG-Portal-Admins=admin,GG-Managers=manager"
    OIDC_CREATE_ACCOUNTS = False
    OIDC_ORG_UNIT_CLAIM = ""  # a claim holding an org unit code, for accounts created at sign-in
    OIDC_SITE_CLAIM = ""  # a claim holding a site code
    OIDC_TIMEOUT_SECONDS = 10
    # Who may still log in with a portal password: admins (break-glass), all, or nobody (off).
    PORTAL_LOCAL_LOGIN = "all"

    # Directory sync from LDAP / Active Directory (off while LDAP_URL is empty).
    LDAP_URL = ""
    LDAP_BIND_DN = ""
    LDAP_BIND_PASSWORD = ""  # empty by default: given by the environment  # nosec B105
    LDAP_BASE_DN = ""
    LDAP_USER_FILTER = "(&(objectClass=person)(mail=*))"
    # portal field=LDAP attribute; the defaults are Active Directory's names.
    LDAP_ATTRIBUTES = (
        "id=objectGUID,email=mail,first_name=givenName,last_name=sn,org_unit=department,"
        "site=physicalDeliveryOfficeName,manager=manager"
    )
    LDAP_PAGE_SIZE = 500
    LDAP_TIMEOUT_SECONDS = 30
    # A sync that would deactivate more than this share of the directory's accounts stops (a wrong filter or base).
    LDAP_MAX_DEPARTURE_SHARE = 0.2
    LDAP_SYNC_HOUR = 2  # nightly, Paris time

    # Personal data: who answers, and how long each kind is kept (see /admin/privacy).
    PORTAL_DPO_CONTACT = "dpo@bordeaux-metropole.example"
    PORTAL_RETENTION_HOUR = 3  # nightly, Paris time
    PORTAL_RETENTION_STORAGE_MONTHS = 24
    PORTAL_RETENTION_INBOX_MONTHS = 36
    PORTAL_RETENTION_OUTBOX_DAYS = 90
    PORTAL_RETENTION_NOTICE_MONTHS = 12
    PORTAL_RETENTION_DEACTIVATED_MONTHS = 12


    # The ITSM link (portal.itsm): the ServiceNow instance and its integration account (Basic) or token (Bearer).
    SERVICENOW_INSTANCE_URL = ""
    SERVICENOW_USERNAME = ""
    SERVICENOW_PASSWORD: str | None = None
    SERVICENOW_TOKEN: str | None = None
    PORTAL_ITSM_SYNC_MINUTES = 60  # 0: no scheduled sync ("sync now" and the command still work)
    PORTAL_ITSM_PAGE_SIZE = 1000


_TEXT_SUFFIXES = ("_SECRET", "_PASSWORD", "_TOKEN", "_CLIENT_ID", "_BIND_DN", "SECRET_KEY")


def _coerce(value: str) -> Any:
    """Environment values are strings: turn the obvious ones into bool/int."""
    lowered = value.strip().lower()
    if lowered in {"true", "yes", "on"}:
        return True
    if lowered in {"false", "no", "off"}:
        return False
    if lowered.isdigit():
        return int(lowered)
    return value


def from_environment(environ: os._Environ[str] | dict[str, str] | None = None) -> dict[str, Any]:
    """Production settings: DATABASE_URL, SECRET_KEY, MAIL_*, PORTAL_*, OIDC_*, LDAP_*, SERVICENOW_*, RATELIMIT_*."""
    env = os.environ if environ is None else environ
    settings: dict[str, Any] = {}
    if env.get("DATABASE_URL"):
        url = env["DATABASE_URL"]
        # Heroku-style URLs name the driver "postgres"; psycopg 3 is the one installed.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://") :]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        settings["SQLALCHEMY_DATABASE_URI"] = url
    for key, value in env.items():
        if key.startswith("SERVICENOW_"):
            settings[key] = value  # text as given: a password of digits or spaces stays that password
            continue
        if key in {
            "SECRET_KEY",
            "RATELIMIT_STORAGE_URI",
            "SESSION_COOKIE_SECURE",
            "MAX_CONTENT_LENGTH",
        } or key.startswith(("MAIL_", "PORTAL_", "ARGON2_", "OIDC_", "LDAP_")):
            # Identifiers and secrets stay text: a client id or password of digits, or "yes", is not a number.
            settings[key] = value if key.endswith(_TEXT_SUFFIXES) else _coerce(value)
    if "SESSION_COOKIE_SECURE" in settings:
        settings["REMEMBER_COOKIE_SECURE"] = settings["SESSION_COOKIE_SECURE"]
    return settings
