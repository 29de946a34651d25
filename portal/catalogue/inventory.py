"""The asset inventory import: the ITSM's hardware export, upserted by asset tag with a line-by-line report.

Built for the whole inventory at once (60,000 lines): catalogue items are read once, employees and existing
assets one query per batch of lines, and rows are written with bulk INSERT / UPDATE statements rather than
one ORM object each.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from portal import csvio
from portal.accounts.models import User
from portal.catalogue.models import Asset, AssetStatus, CatalogueItem
from portal.database import affected_rows
from portal.footprint import CATEGORY_KEYS
from portal.models import db, utcnow

INVENTORY_COLUMNS = ("asset_tag", "serial", "sku", "category", "model_name", "user_email", "acquired_on", "status")
STATUSES = tuple(status.value for status in AssetStatus)
OLDEST_ACQUISITION = date(1990, 1, 1)
BATCH_SIZE = 2000

#: The largest inventory file imported at once (about three devices per employee at 100,000 employees).
MAX_IMPORT_LINES = 500_000

def read_inventory_csv(data: bytes | str) -> Iterator[csvio.Row]:
    """The rows of an ITSM hardware export (its bytes, or its text); csvio.CsvFileError if the file is empty,
    too long or lacks columns, uploads.NotTextError if it is not UTF-8 text."""
    return csvio.read_rows(data, INVENTORY_COLUMNS, max_lines=MAX_IMPORT_LINES)


@dataclass(frozen=True)
class _Refused:
    """Why a line is refused: a code of display.INVENTORY_REJECTIONS, the offending value, the quoted values."""

    code: str
    value: str = ""
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _AssetValues:
    """A valid line, as it will be stored (user given by e-mail until the batch's users are known)."""

    line: int
    asset_tag: str
    serial: str
    item_id: int | None
    category: str
    model_name: str
    user_email: str
    acquired_on: date
    status: str


def _check_row(
    line: int, row: csvio.Row, items: dict[str, tuple[int, str, str]], today: date
) -> _AssetValues | _Refused:
    """The line's values, or why it is refused (first problem found)."""
    tag = row.get("asset_tag", "")
    if not tag:
        return _Refused("missing_asset_tag")
    if len(tag) > 40:
        return _Refused("asset_tag_too_long", tag[:60])
    serial = row.get("serial", "")
    if len(serial) > 80:
        return _Refused("serial_too_long", serial[:100])
    sku = row.get("sku", "")
    known = items.get(sku) if sku else None
    if known is not None:
        item_id, category, model_name = known
    else:
        item_id, category, model_name = None, row.get("category", "").lower(), row.get("model_name", "")
        if not category:
            return _Refused("unknown_sku" if sku else "missing_category", sku)
        if category not in CATEGORY_KEYS:
            return _Refused("unknown_category", category, (("known", ", ".join(CATEGORY_KEYS)),))
        if not model_name:
            return _Refused("unknown_sku" if sku else "missing_model_name", sku)
        if len(model_name) > 200:
            return _Refused("model_name_too_long", model_name[:100])
    raw_date = row.get("acquired_on", "")
    if not raw_date:
        return _Refused("missing_acquired_on")
    try:
        acquired_on = parse_iso_date(raw_date)
    except ValueError:
        return _Refused("bad_date", raw_date[:40])
    if acquired_on > today:
        return _Refused("future_date", raw_date)
    if acquired_on < OLDEST_ACQUISITION:
        return _Refused("too_old", raw_date)
    status = row.get("status", "").lower() or AssetStatus.IN_USE.value
    if status not in STATUSES:
        return _Refused("unknown_status", status[:40], (("known", ", ".join(STATUSES)),))
    return _AssetValues(line, tag, serial, item_id, category, model_name, row.get("user_email", "").lower(),
                        acquired_on, status)


STORED = ("serial", "item_id", "category", "model_name", "user_id", "acquired_on", "status")


def import_inventory(rows: Iterable[csvio.Row], *, today: date | None = None) -> csvio.ImportReport:
    """Create or update assets by asset tag (idempotent); a rejected line changes nothing, the others are saved.

    Services flush; the caller commits once.
    """
    today = today or date.today()
    report = csvio.ImportReport()
    items = {
        row.sku: (row.id, row.category, row.name[:200])
        for row in db.session.execute(sa.select(CatalogueItem.id, CatalogueItem.sku, CatalogueItem.category,
                                                CatalogueItem.name))
    }
    seen: set[str] = set()
    batch: list[_AssetValues] = []
    for row in csvio.readable_rows(rows, report):
        checked = _check_row(row.line, row, items, today)
        if isinstance(checked, _Refused):
            report.reject(row.line, checked.code, value=checked.value, **dict(checked.params))
            continue
        if checked.asset_tag in seen:
            report.reject(row.line, "duplicate_asset_tag", value=checked.asset_tag)
            continue
        seen.add(checked.asset_tag)
        batch.append(checked)
        if len(batch) >= BATCH_SIZE:
            _save_batch(batch, report)
            batch = []
    if batch:
        _save_batch(batch, report)
    db.session.expire_all()  # the rows were written with Core statements: reload any asset already in the session
    report.sort()
    return report


def _save_batch(batch: list[_AssetValues], report: csvio.ImportReport) -> None:
    """Resolve the batch's employees and existing assets (one query each), then write it in bulk."""
    emails = {values.user_email for values in batch if values.user_email}
    users: dict[str, int] = {}
    if emails:
        users = {email: user_id for email, user_id in db.session.execute(
            sa.select(User.email, User.id).where(User.email.in_(emails)))}
    existing = {
        row.asset_tag: row
        for row in db.session.execute(
            sa.select(Asset.id, Asset.asset_tag, *(getattr(Asset, name) for name in STORED))
            .where(Asset.asset_tag.in_([values.asset_tag for values in batch]))
        )
    }
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for values in batch:
        user_id = None
        if values.user_email:
            user_id = users.get(values.user_email)
            if user_id is None:
                report.reject(values.line, "unknown_user", value=values.user_email)
                continue
        stored: dict[str, Any] = {
            "serial": values.serial, "item_id": values.item_id, "category": values.category,
            "model_name": values.model_name, "user_id": user_id, "acquired_on": values.acquired_on,
            "status": values.status,
        }
        current = existing.get(values.asset_tag)
        if current is None:
            inserts.append({"asset_tag": values.asset_tag, **stored, "created_at": now, "status_changed_at": now})
            report.created.append(values.asset_tag)
        elif any(getattr(current, name) != stored[name] for name in STORED):
            if current.status != values.status:
                stored["status_changed_at"] = now
            updates.append({"asset_id": current.id, **stored})
            report.updated.append(values.asset_tag)
        else:
            report.unchanged.append(values.asset_tag)
    if inserts:
        # A Core INSERT of the table: one executemany, without the ORM's per-row bookkeeping.
        db.session.execute(sa.insert(Asset.__table__), inserts)
    if updates:
        # The SET clause follows the keys: rows with and without a status change are sent as two executemany.
        table = Asset.__table__
        by_id = sa.update(table).where(table.c.id == sa.bindparam("asset_id"))
        for status_changed in (True, False):
            group = [u for u in updates if ("status_changed_at" in u) == status_changed]
            if group:
                db.session.execute(by_id, group)
    db.session.flush()


def parse_iso_date(text: str) -> date:
    """A date from the ITSM: `2023-04-05`, or with a time part (`2023-04-05T10:00:00`, ignored)."""
    if len(text) > 10 and text[10] in "T ":
        return datetime.fromisoformat(text).date()
    if len(text) != 10:
        raise ValueError(text)
    return date.fromisoformat(text)


def flag_devices_to_return(user: User, now: datetime) -> int:
    """A departing employee's devices in use are to be returned (ON_DEACTIVATION); how many were flagged."""
    result = db.session.execute(
        sa.update(Asset)
        .where(Asset.user_id == user.id, Asset.status == AssetStatus.IN_USE.value)
        .values(status=AssetStatus.TO_RETURN.value, status_changed_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return affected_rows(result)
