"""Account services: authentication, sessions, roles, activation and the directory import."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import ORMExecuteState, Session, joinedload

from portal import csvio, reference_cache
from portal.accounts.models import Role, User, UserRole
from portal.accounts.passwords import hash_password, needs_rehash, verify_password
from portal.areas import all_counts
from portal.domain_error import DomainError
from portal.domains import domain_packages
from portal.models import db, utcnow
from portal.org.models import Commune, OrgUnit, Site

MIN_PASSWORD_LENGTH = 8


def normalise_email(email: str) -> str:
    """E-mail addresses compare case-insensitively: they are stored lower-cased."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The account with this e-mail, whatever its case."""
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active account matching these credentials, or None (same answer for every failure)."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        return None
    if not user.active:
        return None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


_SESSION_USER_OPTIONS = (joinedload(User.role_rows), joinedload(User.site))
_session_user_statement: sa.Select[*tuple[Any, ...]] | None = None
_USER_COUNTS = "portal_user_counts"  # db.session.info key: {user id: {count key: count}}


def _count_columns(user_id: sa.ColumnElement[int]) -> list[sa.Label[int]]:
    return [count.column(user_id).label(count.key) for count in all_counts()]


def _session_user() -> sa.Select[*tuple[Any, ...]]:
    """Built once (every request runs it): building the statement cost about as much as running it."""
    global _session_user_statement  # noqa: PLW0603 - a cache
    if _session_user_statement is None:
        _session_user_statement = (
            sa.select(User, reference_cache.generation_column(), *_count_columns(User.id.expression))
            .options(*_SESSION_USER_OPTIONS)
            .where(User.id == sa.bindparam("user_id"))
        )
    return _session_user_statement


def load_session_user(session_id: str) -> User | None:
    """The user of a session cookie `id:version`, if the account is active and the version current."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    # One query per request: the roles (menu, permissions), the work site (campaign teams, nearest
    # collection points), the reference generation (the key of the per-worker caches) and the user's counts
    # (the menu's unread messages, unread notices, open orders…, declared by the domains) come with the user
    # instead of one query each.
    row = db.session.execute(_session_user(), {"user_id": int(user_id)}).unique().one_or_none()
    if row is None:
        return None
    user, generation, *counts = row
    reference_cache.remember_generation(generation)
    if not user.active or user.session_version != int(version):
        return None
    keys = [count.key for count in all_counts()]
    db.session.info.setdefault(_USER_COUNTS, {})[user.id] = dict(zip(keys, (c or 0 for c in counts), strict=True))
    return user


def user_counts(user: User) -> dict[str, int]:
    """The domains' counts about this user (count key → count; the menu's are keyed by their area's endpoint):
    those read with the session user, or read again if anything was written in the session since (opening a
    message changes the unread count)."""
    prefetched = db.session.info.get(_USER_COUNTS)
    if prefetched and user.id in prefetched:
        return prefetched[user.id]
    columns = _count_columns(sa.literal(user.id))
    if not columns:
        return {}
    row = db.session.execute(sa.select(*columns)).one()
    return {count.key: value or 0 for count, value in zip(all_counts(), row, strict=True)}


def _forget_user_counts(session: Any, *_args: Any) -> None:
    session.info.pop(_USER_COUNTS, None)


def _forget_user_counts_on_write(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info.pop(_USER_COUNTS, None)


# Anything written in the session (opening a message marks it read, a bulk update…) makes the counts read
# with the session user stale: they are read again. A session ends with its request.
sa.event.listen(Session, "after_flush", _forget_user_counts)
sa.event.listen(Session, "after_rollback", _forget_user_counts)
sa.event.listen(Session, "after_commit", _forget_user_counts)
sa.event.listen(Session, "do_orm_execute", _forget_user_counts_on_write)


def end_sessions(user: User) -> None:
    """Invalidate every session of this account (logout, password change, deactivation)."""
    user.session_version += 1
    db.session.flush()


def change_password(user: User, *, current: str, new: str) -> None:
    """Change the password (AccountError wrong_password or too_short); the other sessions end."""
    if not verify_password(user.password_hash, current):
        raise AccountError("wrong_password", field="current")
    if len(new) < MIN_PASSWORD_LENGTH:
        raise AccountError("too_short", field="new", min=MIN_PASSWORD_LENGTH)
    user.password_hash = hash_password(new)
    end_sessions(user)


class AccountError(DomainError):
    """An account change that is refused; the words are `display.ACCOUNT_ERRORS`."""

    domain = "accounts"
    table = "ACCOUNT_ERRORS"


#: PORTAL_LOCAL_LOGIN: who may log in with a portal password once an identity provider is configured.
LOCAL_LOGIN_MODES = ("all", "admins", "off")


def check_local_login(user: User | None, *, mode: str, provider: str) -> None:
    """AccountError unless PORTAL_LOCAL_LOGIN lets this account (None: not known yet) use a password."""
    if mode == "off":
        raise AccountError("local_login_off", provider=provider)
    if mode == "admins" and user is not None and Role.ADMIN.value not in user.roles:
        raise AccountError("local_login_admins", provider=provider)


def set_active(user: User, active: bool, *, by: User | None, now: datetime | None = None) -> None:
    """Activate or deactivate an account, `by` an admin (who cannot deactivate themself), an operator at the
    command line or the directory sync (None); deactivation ends its sessions at once, and each domain's
    ON_DEACTIVATION follows the departure (the catalogue flags the person's devices "to return")."""
    if by is not None and user.id == by.id and not active:
        raise AccountError("own_account")
    now = now or utcnow()
    leaving = user.active and not active
    if leaving:
        end_sessions(user)
        user.deactivated_at = now
    elif active:
        user.deactivated_at = None
    user.active = active
    db.session.flush()
    if leaving:
        for package in domain_packages():
            for follow in getattr(package, "ON_DEACTIVATION", ()):
                follow(user, now)


def set_locale(user: User, locale: str, *, allowed: Iterable[str]) -> bool:
    """Save the user's interface language if it is offered."""
    if locale not in allowed:
        return False
    user.locale = locale
    db.session.flush()
    return True


def set_roles(user: User, roles: Iterable[str]) -> None:
    """Replace the user's extra roles (employee is implicit)."""
    wanted = {r for r in roles if r != Role.EMPLOYEE.value}
    user.role_rows = [row for row in user.role_rows if row.role in wanted]
    have = {row.role for row in user.role_rows}
    user.role_rows.extend(UserRole(role=role) for role in sorted(wanted - have))


# ---------------------------------------------------------------------------
# Directory import
# ---------------------------------------------------------------------------

DIRECTORY_COLUMNS = ("email", "first_name", "last_name", "org_unit", "site", "commune_insee", "manager_email", "roles")
VALID_ROLES = {r.value for r in Role}


#: The largest directory file imported at once.
MAX_IMPORT_LINES = 200_000


def read_directory_csv(data: bytes | str) -> Iterator[csvio.Row]:
    """The rows of a directory export (`,` or `;` separated); csvio.CsvFileError if it lacks columns."""
    return csvio.read_rows(data, DIRECTORY_COLUMNS, max_lines=MAX_IMPORT_LINES)


def import_directory(rows: Iterable[csvio.Row]) -> csvio.ImportReport:
    """Create or update employees from directory rows; a rejected line changes nothing."""
    report = csvio.ImportReport()
    lines = [(row.line, dict(row.cells)) for row in csvio.readable_rows(rows, report)]  # managers may come later
    units = {u.code: u for u in db.session.scalars(sa.select(OrgUnit))}
    sites = {s.code: s for s in db.session.scalars(sa.select(Site))}
    communes = set(db.session.scalars(sa.select(Commune.insee)))
    file_emails = {normalise_email(r.get("email", "")) for _, r in lines}

    accepted: list[tuple[int, dict[str, str], list[str]]] = []
    seen: set[str] = set()
    for line, row in lines:
        problem, roles = _check_row(row, units, sites, communes, file_emails, seen)
        if problem:
            report.reject(line, problem[0], value=problem[1])
            continue
        seen.add(normalise_email(row["email"]))
        accepted.append((line, row, roles))

    _drop_lines_whose_manager_was_rejected(accepted, report)
    report.sort()

    by_email = {
        u.email: u
        for u in db.session.scalars(
            sa.select(User).where(User.email.in_([normalise_email(r["email"]) for _, r, _ in accepted]))
        )
    }
    for _, row, roles in accepted:
        email = normalise_email(row["email"])
        user = by_email.get(email)
        is_new = user is None
        if user is None:
            user = by_email[email] = User(email=email, first_name="", last_name="")
            db.session.add(user)
        before = _snapshot(user)
        user.first_name = row["first_name"]
        user.last_name = row["last_name"]
        user.org_unit = units.get(row["org_unit"]) if row["org_unit"] else None
        user.site = sites.get(row["site"]) if row["site"] else None
        if "roles" in row:  # the directory sync has no roles column: the portal's roles stay
            set_roles(user, roles)
        (report.created if is_new else report.updated if _snapshot(user) != before else report.unchanged).append(email)
    db.session.flush()

    # Second pass: managers, now that every accepted employee exists.
    managers_missing = [normalise_email(r["manager_email"]) for _, r, _ in accepted if r["manager_email"]]
    by_email.update({u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(managers_missing)))})
    for _, row, _ in accepted:
        user = by_email[normalise_email(row["email"])]
        manager = by_email.get(normalise_email(row["manager_email"])) if row["manager_email"] else None
        if user.manager_id != (manager.id if manager else None):
            user.manager = manager
            if user.email in report.unchanged:
                report.unchanged.remove(user.email)
                report.updated.append(user.email)
    db.session.flush()
    return report


def _drop_lines_whose_manager_was_rejected(
    accepted: list[tuple[int, dict[str, str], list[str]]], report: csvio.ImportReport
) -> None:
    """A manager named only on a rejected line does not exist: reject the lines that need them too."""
    changed = True
    while changed:
        changed = False
        kept = {normalise_email(row["email"]) for _, row, _ in accepted}
        for item in list(accepted):
            manager = normalise_email(item[1]["manager_email"])
            if manager and manager not in kept and find_user_by_email(manager) is None:
                accepted.remove(item)
                report.reject(item[0], "unknown_manager", value=manager)
                changed = True


def _snapshot(user: User) -> tuple[object, ...]:
    return (user.first_name, user.last_name, user.org_unit, user.site, tuple(sorted(user.roles)))


#: A first or last name's column (`User.first_name`, `User.last_name`) holds 80 characters.
NAME_MAX_CHARS = 80


def _check_row(
    row: dict[str, str],
    units: dict[str, OrgUnit],
    sites: dict[str, Site],
    communes: set[str],
    file_emails: set[str],
    seen: set[str],
) -> tuple[tuple[str, str] | None, list[str]]:
    """(reason, value) of the first problem of a row, or None; and its parsed roles."""
    email = row.get("email", "")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return ("invalid_email", email), []
    if normalise_email(email) in seen:
        return ("duplicate_email", email), []
    if not row.get("first_name") or not row.get("last_name"):
        return ("missing_name", email), []
    for name in ("first_name", "last_name"):
        if len(row[name]) > NAME_MAX_CHARS:
            return ("name_too_long", row[name][:40] + "…"), []
    if row.get("org_unit") and row["org_unit"] not in units:
        return ("unknown_org_unit", row["org_unit"]), []
    if row.get("site") and row["site"] not in sites:
        return ("unknown_site", row["site"]), []
    if row.get("commune_insee") and row["commune_insee"] not in communes:
        return ("unknown_commune", row["commune_insee"]), []
    if row.get("site") and row.get("commune_insee") and sites[row["site"]].commune_insee != row["commune_insee"]:
        return ("site_not_in_commune", row["site"]), []
    manager = normalise_email(row.get("manager_email", ""))
    if manager:
        if manager == normalise_email(email):
            return ("own_manager", manager), []
        if manager not in file_emails and find_user_by_email(manager) is None:
            return ("unknown_manager", manager), []
    roles = [
        r.strip().lower() for r in row.get("roles", "").replace(";", ",").replace("|", ",").split(",") if r.strip()
    ]
    bad = [r for r in roles if r not in VALID_ROLES]
    if bad:
        return ("unknown_role", bad[0]), []
    return None, roles


def search_users_statement(query: str = "", *, active: bool | None = None) -> sa.Select[User]:
    """Employees whose name or e-mail contains the query, sorted by name."""
    statement = sa.select(User).order_by(User.last_name, User.first_name, User.id)
    for word in query.lower().split()[:4]:  # `%` and `_` match themselves (autoescape), not any characters
        statement = statement.where(
            sa.or_(
                sa.func.lower(User.first_name).contains(word, autoescape=True),
                sa.func.lower(User.last_name).contains(word, autoescape=True),
                User.email.contains(word, autoescape=True),
            )
        )
    if active is not None:
        statement = statement.where(User.active.is_(active))
    return statement
