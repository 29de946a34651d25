"""Accounts that follow the directory: a sync from LDAP / Active Directory (ldap3, paged search).

An entry is read into the directory import's row (e-mail, names, org unit, site, manager's e-mail) through
the attribute mapping (LDAP_ATTRIBUTES), then imported by `services.import_directory`, the same mapping and
validation as the CSV file: arrivals are created, changes applied, a refused entry is reported with its
number and reason and changes nothing. The entry's stable id (objectGUID, entryUUID) is kept on the account,
so that a changed e-mail address follows the same person. Accounts linked to the directory whose entry is
gone are departures: deactivated, their sessions ended, their devices flagged "to return" (the domains'
ON_DEACTIVATION). A dry run does all of it in a savepoint rolled back, so its report is exactly what would
change.
"""

from __future__ import annotations

import dataclasses
import ssl
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import ldap3
import sqlalchemy as sa
from ldap3.core.exceptions import LDAPException

from portal import csvio
from portal.accounts.models import DirectorySyncRun, User
from portal.accounts.services import import_directory, normalise_email, set_active
from portal.domain_error import DomainError
from portal.models import db
from portal.org.models import OrgUnit, Site

#: The portal fields an entry can give; `id` and `email` are required.
FIELDS = ("id", "email", "first_name", "last_name", "org_unit", "site", "manager")
REQUIRED_FIELDS = ("id", "email")
#: Entries and report lines kept with each run (the counts are always complete).
KEPT_PER_LIST = 1_000


class DirectoryError(DomainError):
    """The sync cannot run, and changes nothing; the words are `display.DIRECTORY_ERRORS`."""

    domain = "accounts"
    table = "DIRECTORY_ERRORS"


@dataclass(frozen=True)
class DirectorySettings:
    """Where the directory is and how its attributes map to the portal's fields (LDAP_* settings)."""

    url: str
    base_dn: str
    bind_dn: str = ""
    bind_password: str = ""
    user_filter: str = "(&(objectClass=person)(mail=*))"
    attributes: Mapping[str, str] = field(default_factory=dict)
    page_size: int = 500
    timeout_seconds: int = 30
    max_departure_share: float = 0.2

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DirectorySettings | None:
        """The settings, or None when no directory is configured (LDAP_URL empty); ValueError if the mapping
        lacks a required field or names an unknown one."""
        url = str(config.get("LDAP_URL") or "").strip()
        if not url:
            return None
        return cls(
            url=url,
            base_dn=str(config.get("LDAP_BASE_DN") or ""),
            bind_dn=str(config.get("LDAP_BIND_DN") or ""),
            bind_password=str(config.get("LDAP_BIND_PASSWORD") or ""),
            user_filter=str(config.get("LDAP_USER_FILTER") or cls.user_filter),
            attributes=parse_attribute_map(str(config.get("LDAP_ATTRIBUTES") or "")),
            page_size=int(config.get("LDAP_PAGE_SIZE") or 500),
            timeout_seconds=int(config.get("LDAP_TIMEOUT_SECONDS") or 30),
            max_departure_share=float(config.get("LDAP_MAX_DEPARTURE_SHARE") or 0.2),
        )


def parse_attribute_map(text: str) -> dict[str, str]:
    """``"id=entryUUID,email=mail,…"`` → {"id": "entryUUID", …}; ValueError naming what is wrong."""
    mapping = {}
    for pair in (part.strip() for part in text.split(",")):
        if not pair:
            continue
        name, _, attribute = pair.partition("=")
        if name.strip() not in FIELDS or not attribute.strip():
            raise ValueError(f"LDAP_ATTRIBUTES: {pair!r} is not 'field=attribute' with a field among {FIELDS}")
        mapping[name.strip()] = attribute.strip()
    missing = [name for name in REQUIRED_FIELDS if name not in mapping]
    if missing:
        raise ValueError(f"LDAP_ATTRIBUTES: no attribute for {', '.join(missing)}")
    return mapping


@dataclass(frozen=True)
class DirectoryEntry:
    """A person of the directory, as the portal reads them: the entry's number in DN order (the line of the
    report), its DN, its stable id and the mapped fields (text, "" when absent)."""

    number: int
    dn: str
    id: str
    values: Mapping[str, str]


def _text(value: Any) -> str:
    """One attribute value as text: the first of several; a binary id (objectGUID) in hexadecimal."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    if isinstance(value, bytes):
        try:
            decoded = value.decode("utf-8")
        except UnicodeDecodeError:
            return value.hex()
        return decoded if decoded.isprintable() else value.hex()
    return str(value).strip() if value is not None else ""


def read_directory(settings: DirectorySettings) -> list[DirectoryEntry]:
    """Every person the filter finds under the base DN, read page by page (paged results control, RFC 2696)."""
    attributes = sorted(set(settings.attributes.values()))
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED) if settings.url.lower().startswith("ldaps://") else None
    server = ldap3.Server(settings.url, connect_timeout=settings.timeout_seconds, get_info=ldap3.NONE, tls=tls)
    try:
        connection = ldap3.Connection(
            server, user=settings.bind_dn or None, password=settings.bind_password or None,
            receive_timeout=settings.timeout_seconds, raise_exceptions=True, read_only=True,
        )
        connection.open()
    except LDAPException as error:
        raise DirectoryError("unreachable", url=settings.url) from error
    try:
        try:
            connection.bind()
        except LDAPException as error:
            raise DirectoryError("bind_refused", dn=settings.bind_dn or "–") from error
        try:
            # Numbered in DN order: the report's entry numbers stay the same from one run to the next.
            entries = sorted(_entries(connection, settings, attributes), key=lambda entry: entry.dn.lower())
            return [dataclasses.replace(entry, number=number) for number, entry in enumerate(entries, start=1)]
        except LDAPException as error:
            raise DirectoryError("search_refused", base=settings.base_dn, reason=str(error)[:200]) from error
    finally:
        connection.unbind()


def _entries(
    connection: ldap3.Connection, settings: DirectorySettings, attributes: list[str]
) -> Iterator[DirectoryEntry]:
    results = connection.extend.standard.paged_search(
        settings.base_dn, settings.user_filter, search_scope=ldap3.SUBTREE, attributes=attributes,
        paged_size=settings.page_size, generator=True,
    )
    for result in results:
        if result.get("type") != "searchResEntry":
            continue  # referrals
        raw = result.get("raw_attributes", {})
        values = {name: _text(raw.get(attribute)) for name, attribute in settings.attributes.items()}
        yield DirectoryEntry(number=0, dn=result["dn"], id=values.pop("id"), values=values)


# ---------------------------------------------------------------------------------------------- the sync


@dataclass
class SyncResult:
    """What a sync did (or would do): the import's report, the accounts deactivated, entries read."""

    report: csvio.ImportReport
    deactivated: list[str]
    entries_read: int
    dry_run: bool


def sync_directory(entries: Iterable[DirectoryEntry], *, now: datetime, dry_run: bool = False,
                   max_departure_share: float = 0.2) -> SyncResult:
    """Create, update and deactivate accounts so that those of the directory match its entries.

    DirectoryError("too_many_departures") and nothing changed if more than `max_departure_share` of the
    accounts linked to the directory would leave at once (a wrong filter or base DN empties the directory).
    """
    entries = list(entries)
    savepoint = db.session.begin_nested()
    try:
        result = _sync(entries, now=now, dry_run=dry_run, max_departure_share=max_departure_share)
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
        db.session.expire_all()
    else:
        savepoint.commit()
    return result


def _sync(entries: list[DirectoryEntry], *, now: datetime, dry_run: bool, max_departure_share: float) -> SyncResult:
    report = csvio.ImportReport()
    rows = list(_rows(entries, report))
    _follow_renamed_addresses(rows)
    ids_by_email = {normalise_email(row["email"]): entry_id for row, entry_id in rows}
    imported = import_directory(row for row, _ in rows)
    for rejected in imported.rejected:
        report.reject(rejected.line, rejected.code, rejected.field, rejected.value, **dict(rejected.params))
    report.rejected_count += imported.rejected_count - len(imported.rejected)
    report.created, report.updated, report.unchanged = imported.created, imported.updated, imported.unchanged
    report.sort()

    accepted = set(imported.created) | set(imported.updated) | set(imported.unchanged)
    users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(accepted)))}
    for email, user in users.items():
        if user.directory_id != ids_by_email[email]:
            user.directory_id = ids_by_email[email]
            if email in report.unchanged:
                report.unchanged.remove(email)
                report.updated.append(email)
        if not user.active:  # back in the directory: an arrival again
            set_active(user, True, by=None)
    db.session.flush()

    present = {entry.id for entry in entries if entry.id}
    leaving = list(db.session.scalars(
        sa.select(User).where(User.directory_id.is_not(None), User.active.is_(True)).order_by(User.email)
    ))
    leaving = [user for user in leaving if user.directory_id not in present]
    linked = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.directory_id.is_not(None), User.active.is_(True))
    ) or 0
    if leaving and len(leaving) > max_departure_share * linked:
        raise DirectoryError("too_many_departures", count=len(leaving), linked=linked,
                             share=round(max_departure_share * 100))
    for user in leaving:
        set_active(user, False, by=None, now=now)
    return SyncResult(report=report, deactivated=[user.email for user in leaving], entries_read=len(entries),
                      dry_run=dry_run)


def _rows(entries: list[DirectoryEntry], report: csvio.ImportReport) -> Iterator[tuple[csvio.Row, str]]:
    """Each entry as a row of the directory import (org unit and site by code or by name; the manager by the
    e-mail of the entry their DN names), with its stable id; entries without id are refused here."""
    units = _codes_by_name(OrgUnit)
    sites = _codes_by_name(Site)
    email_by_dn = {entry.dn.lower(): entry.values.get("email", "") for entry in entries}
    for entry in entries:
        if not entry.id:
            report.reject(entry.number, "missing_id", value=entry.dn)
            continue
        values = entry.values
        unit, site = values.get("org_unit", ""), values.get("site", "")
        cells = {
            "email": values.get("email", ""),
            "first_name": values.get("first_name", ""),
            "last_name": values.get("last_name", ""),
            "org_unit": units.get(unit.lower(), unit),
            "site": sites.get(site.lower(), site),
            "commune_insee": "",
            "manager_email": email_by_dn.get(values.get("manager", "").lower(), ""),
        }
        yield csvio.Row(entry.number, cells), entry.id


def _codes_by_name(model: type[OrgUnit] | type[Site]) -> dict[str, str]:
    """Directories hold names ("Direction du numérique") where the import expects codes: both are accepted."""
    rows = db.session.execute(sa.select(model.code, model.name)).all()
    return {**{name.lower(): code for code, name in rows}, **{code.lower(): code for code, _ in rows}}


def _follow_renamed_addresses(rows: list[tuple[csvio.Row, str]]) -> None:
    """An account whose directory entry now has another e-mail address takes it (the same person), unless
    another account already has that address (the import then reports nothing wrong and updates that one)."""
    by_id = {entry_id: normalise_email(row["email"]) for row, entry_id in rows}
    linked = db.session.scalars(sa.select(User).where(User.directory_id.in_(list(by_id))))
    for user in linked:
        new_email = by_id[user.directory_id or ""]
        if new_email and new_email != user.email and "@" in new_email:
            taken = db.session.scalar(sa.select(User.id).where(User.email == new_email))
            if taken is None:
                user.email = new_email
    db.session.flush()


def record_run(result: SyncResult | None, *, started_at: datetime, dry_run: bool,
               error: DirectoryError | None = None) -> DirectorySyncRun:
    """Keep a run's report for the admins' page."""
    run = DirectorySyncRun(started_at=started_at, dry_run=dry_run, error=error.code if error else "", details={})
    if result is not None:
        report = result.report
        run.entries_read = result.entries_read
        run.created, run.updated, run.unchanged = len(report.created), len(report.updated), len(report.unchanged)
        run.deactivated, run.rejected = len(result.deactivated), report.rejected_count
        run.details = {
            "created": report.created[:KEPT_PER_LIST],
            "updated": report.updated[:KEPT_PER_LIST],
            "deactivated": result.deactivated[:KEPT_PER_LIST],
            "rejected": [[r.line, r.code, r.field, r.value, dict(r.params)] for r in report.rejected],
        }
    elif error is not None:
        run.details = {"params": {key: str(value) for key, value in error.params.items()}}
    db.session.add(run)
    db.session.flush()
    return run


def report_of(run: DirectorySyncRun) -> csvio.ImportReport:
    """A kept run's report, as the import report partial shows it."""
    details = run.details or {}
    report = csvio.ImportReport(
        created=list(details.get("created", [])), updated=list(details.get("updated", [])),
        unchanged=[""] * run.unchanged,
    )
    for line, code, field_name, value, params in details.get("rejected", []):
        report.reject(line, code, field_name, value, **params)
    report.rejected_count = run.rejected
    return report


def last_runs(limit: int = 5) -> list[DirectorySyncRun]:
    """The latest runs, newest first."""
    return list(db.session.scalars(sa.select(DirectorySyncRun).order_by(DirectorySyncRun.id.desc()).limit(limit)))


def run_sync(settings: DirectorySettings | None, *, now: datetime, dry_run: bool = False) -> DirectorySyncRun:
    """Read the directory and sync the accounts (or, dry, find what would change); the run is kept with its
    report, or with the reason it could not run (then nothing changed)."""
    try:
        if settings is None:
            raise DirectoryError("not_configured")
        result = sync_directory(read_directory(settings), now=now, dry_run=dry_run,
                                max_departure_share=settings.max_departure_share)
    except DirectoryError as error:
        return record_run(None, started_at=now, dry_run=dry_run, error=error)
    return record_run(result, started_at=now, dry_run=dry_run)


def run_error(run: DirectorySyncRun) -> DirectoryError | None:
    """Why a kept run could not run, as the error it was."""
    return DirectoryError(run.error, **(run.details or {}).get("params", {})) if run.error else None
