"""One ServiceNow record → the values the portal stores, for the Table API and for exported files alike.

A value may come raw (`"1"`), as `sysparm_display_value=all` gives it (`{"display_value": "In use", "value":
"1"}`) or as a reference (`{"link": ..., "value": ...}`): the raw `value` is always the one read. System dates
are `YYYY-MM-DD HH:MM:SS` in UTC. A record that cannot be stored raises :class:`Refused` with a reason code
of `portal.itsm.display.REASONS`, the field at fault and its value; it is reported and the others go on.

Install statuses (`install_status` of `alm_asset`): 1 in use, 6 in stock, 7 retired are the same on every
instance; the others are the base system's codes (2 on order, 3 in maintenance, 8 missing, 9 in transit),
to be checked in the instance's `sys_choice` (`name=alm_asset^element=install_status`) and set with
PORTAL_ITSM_STATUS_CODES where they differ. The English labels are read too (list exports carry them). A
retired device becomes *recycled* when disposed of, *returned* when sold, donated or taken back by its
vendor, else *retired*. Any other code is refused, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from portal.catalogue.models import AssetStatus

#: The tables read, in the order a sync reads them (transfers name assets and locations read before).
TABLES: tuple[str, ...] = ("cmn_location", "alm_hardware", "wm_task", "alm_transfer_order_line")

#: The fields asked for (`sysparm_fields`, dot-walked) and the columns of an exported file.
FIELDS: Mapping[str, tuple[str, ...]] = {
    "cmn_location": ("sys_id", "name", "street", "city", "zip", "latitude", "longitude", "sys_updated_on"),
    "alm_hardware": (
        "sys_id", "asset_tag", "serial_number", "model.display_name", "model.manufacturer.name",
        "model_category.name", "assigned_to.email", "install_status", "substatus", "purchase_date",
        "install_date", "retired", "cost", "location.name", "sys_updated_on",
    ),
    "wm_task": (
        "sys_id", "number", "location.name", "location.latitude", "location.longitude", "assignment_group.name",
        "state", "actual_travel_start", "actual_work_start", "actual_work_end", "short_description",
        "sys_updated_on",
    ),
    "alm_transfer_order_line": (
        "sys_id", "number", "asset.asset_tag", "from_stockroom.location.name", "to_stockroom.location.name",
        "quantity_requested", "stage", "shipment_date", "received_date", "sys_updated_on",
    ),
}
#: The columns an exported file must have (the others may be left out).
REQUIRED_FIELDS: Mapping[str, tuple[str, ...]] = {
    "cmn_location": ("sys_id", "name"),
    "alm_hardware": ("sys_id", "asset_tag", "model.display_name", "install_status"),
    "wm_task": ("sys_id", "number"),
    "alm_transfer_order_line": ("sys_id", "number"),
}
#: The field that names a record for a person (asset tag, task number…), shown beside its sys_id.
KEY_FIELDS: Mapping[str, str] = {
    "cmn_location": "name", "alm_hardware": "asset_tag", "wm_task": "number", "alm_transfer_order_line": "number",
}

#: What an install status is for the portal; `retired` is refined by the substatus.
STATUS_KINDS = ("in_use", "in_stock", "retired", "on_order", "in_maintenance", "missing", "in_transit")
DEFAULT_STATUS_CODES: Mapping[str, str] = {
    "1": "in_use", "2": "on_order", "3": "in_maintenance", "6": "in_stock", "7": "retired", "8": "missing",
    "9": "in_transit",
}
STATUS_LABELS: Mapping[str, str] = {kind.replace("_", " "): kind for kind in STATUS_KINDS}
RETIRED_SUBSTATUSES: Mapping[str, str] = {
    "disposed": AssetStatus.RECYCLED.value,
    "sold": AssetStatus.RETURNED.value,
    "donated": AssetStatus.RETURNED.value,
    "vendor_credit": AssetStatus.RETURNED.value,
}

_SYS_ID = re.compile(r"[0-9A-Za-z]{1,32}\Z")


class Refused(ValueError):
    """A record the portal cannot store: why (`code`), which field, what it held, what the message quotes."""

    def __init__(self, code: str, field: str = "", value: str = "", **params: Any) -> None:
        super().__init__(f"{code} {field} {value!r}")
        self.code = code
        self.field = field
        self.value = value[:100]
        self.params = params


# ---------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------


def text(record: Mapping[str, Any], name: str) -> str:
    """A field's raw value as text ('' when absent): `{"value": ...}` shapes give their `value`."""
    value = record.get(name)
    if isinstance(value, dict):
        value = value.get("value")
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def sys_id(record: Mapping[str, Any]) -> str:
    """The record's sys_id, checked."""
    value = text(record, "sys_id")
    if not value:
        raise Refused("missing_sys_id", "sys_id")
    if not _SYS_ID.match(value):
        raise Refused("bad_sys_id", "sys_id", value)
    return value


def instant(record: Mapping[str, Any], name: str) -> datetime | None:
    """A date and time of the instance (`2026-11-20 10:12:03`, UTC; ISO 8601 with an offset accepted)."""
    value = text(record, name)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Refused("bad_datetime", name, value) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def day(record: Mapping[str, Any], name: str) -> date | None:
    """A date (`2022-03-14`; a date and time gives its date)."""
    value = text(record, name)
    if not value:
        return None
    try:
        if len(value) > 10 and value[10] in "T ":
            return datetime.fromisoformat(value).date()
        return date.fromisoformat(value)
    except ValueError:
        raise Refused("bad_date", name, value) from None


def decimal(record: Mapping[str, Any], name: str) -> Decimal | None:
    """A plain decimal number (`1149.00`)."""
    value = text(record, name)
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise Refused("bad_number", name, value) from None
    if not number.is_finite():
        raise Refused("bad_number", name, value)
    return number


def coordinates(record: Mapping[str, Any], lat_name: str, lon_name: str) -> tuple[Decimal | None, Decimal | None]:
    """Latitude and longitude (WGS84 degrees, five decimals kept), both or neither."""
    lat, lon = decimal(record, lat_name), decimal(record, lon_name)
    if lat is None and lon is None:
        return None, None
    if lat is None or lon is None:
        raise Refused("coordinates_incomplete", lat_name if lat is None else lon_name)
    if not -90 <= lat <= 90:
        raise Refused("coordinates_out_of_range", lat_name, str(lat))
    if not -180 <= lon <= 180:
        raise Refused("coordinates_out_of_range", lon_name, str(lon))
    if lat == 0 and lon == 0:
        return None, None  # the instance's way of saying "no coordinates"
    five = Decimal("0.00001")
    return lat.quantize(five), lon.quantize(five)


def bounded(record: Mapping[str, Any], name: str, limit: int, *, required: bool = False) -> str:
    """A short text that identifies something: refused when missing (if required) or longer than `limit`."""
    value = text(record, name)
    if required and not value:
        raise Refused("missing_value", name)
    if len(value) > limit:
        raise Refused("too_long", name, value, limit=limit)
    return value


def free_text(record: Mapping[str, Any], name: str, limit: int) -> str:
    """A descriptive text, cut to `limit` characters."""
    return text(record, name)[:limit]


def key_of(table: str, record: Mapping[str, Any]) -> str:
    """How a person finds the record: its tag, number or name, else its sys_id."""
    return (text(record, KEY_FIELDS[table]) or text(record, "sys_id"))[:100]


def rename(record: dict[str, Any], instance_names: Mapping[str, str]) -> dict[str, Any]:
    """The record with a customised instance's field names turned back into the portal's."""
    for portal_name, instance_name in instance_names.items():
        if instance_name in record:
            record[portal_name] = record.pop(instance_name)
    return record


def instance_fields(table: str, instance_names: Mapping[str, str]) -> list[str]:
    """`sysparm_fields` for a table, with a customised instance's names."""
    return [instance_names.get(name, name) for name in FIELDS[table]]


# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LocationValues:
    sys_id: str
    name: str
    street: str
    city: str
    zip: str
    lat: Decimal | None
    lon: Decimal | None


def location(record: Mapping[str, Any]) -> LocationValues:
    """A `cmn_location` record."""
    lat, lon = coordinates(record, "latitude", "longitude")
    return LocationValues(
        sys_id=sys_id(record),
        name=bounded(record, "name", 160, required=True),
        street=free_text(record, "street", 200),
        city=free_text(record, "city", 80),
        zip=free_text(record, "zip", 10),
        lat=lat,
        lon=lon,
    )


@dataclass(frozen=True, slots=True)
class AssetValues:
    sys_id: str
    asset_tag: str
    serial: str
    model_name: str
    manufacturer: str
    itsm_category: str
    email: str
    status: str
    substatus: str
    acquired_on: date
    installed_on: date | None
    retired_on: date | None
    cost_eur: Decimal | None
    location_name: str
    updated_on: datetime | None


def status_of(record: Mapping[str, Any], codes: Mapping[str, str]) -> tuple[str, str]:
    """The portal status and the normalised substatus of an asset record."""
    raw = text(record, "install_status")
    kind = codes.get(raw) or STATUS_LABELS.get(" ".join(raw.lower().split()))
    if kind is None:
        raise Refused("unknown_status", "install_status", raw, known=", ".join(sorted(codes)))
    substatus = "_".join(text(record, "substatus").lower().replace("-", " ").split())[:40]
    if kind == "retired":
        return RETIRED_SUBSTATUSES.get(substatus, AssetStatus.RETIRED.value), substatus
    return kind, substatus


def asset(record: Mapping[str, Any], codes: Mapping[str, str]) -> AssetValues:
    """An `alm_hardware` record."""
    identifier = sys_id(record)
    tag = bounded(record, "asset_tag", 40, required=True)
    model_name = bounded(record, "model.display_name", 200, required=True)
    status, substatus = status_of(record, codes)
    purchased, installed = day(record, "purchase_date"), day(record, "install_date")
    acquired_on = purchased or installed
    if acquired_on is None:
        raise Refused("missing_purchase_date", "purchase_date")
    cost = decimal(record, "cost")
    if cost is not None and (cost < 0 or cost >= Decimal("1e10")):
        raise Refused("bad_cost", "cost", str(cost))
    return AssetValues(
        sys_id=identifier,
        asset_tag=tag,
        serial=free_text(record, "serial_number", 80),
        model_name=model_name,
        manufacturer=free_text(record, "model.manufacturer.name", 120),
        itsm_category=free_text(record, "model_category.name", 80),
        email=text(record, "assigned_to.email").lower()[:254],
        status=status,
        substatus=substatus,
        acquired_on=acquired_on,
        installed_on=installed,
        retired_on=day(record, "retired"),
        cost_eur=cost.quantize(Decimal("0.01")) if cost is not None else None,
        location_name=free_text(record, "location.name", 160),
        updated_on=instant(record, "sys_updated_on"),
    )


@dataclass(frozen=True, slots=True)
class InterventionValues:
    sys_id: str
    number: str
    location_name: str
    lat: Decimal | None
    lon: Decimal | None
    assignment_group: str
    state: str
    travel_started_at: datetime | None
    work_started_at: datetime | None
    work_ended_at: datetime | None
    short_description: str


def intervention(record: Mapping[str, Any]) -> InterventionValues:
    """A `wm_task` record."""
    lat, lon = coordinates(record, "location.latitude", "location.longitude")
    started, ended = instant(record, "actual_work_start"), instant(record, "actual_work_end")
    if started is not None and ended is not None and ended < started:
        raise Refused("ends_before_start", "actual_work_end", text(record, "actual_work_end"))
    return InterventionValues(
        sys_id=sys_id(record),
        number=bounded(record, "number", 40, required=True),
        location_name=free_text(record, "location.name", 160),
        lat=lat,
        lon=lon,
        assignment_group=free_text(record, "assignment_group.name", 160),
        state=free_text(record, "state", 40),
        travel_started_at=instant(record, "actual_travel_start"),
        work_started_at=started,
        work_ended_at=ended,
        short_description=free_text(record, "short_description", 300),
    )


@dataclass(frozen=True, slots=True)
class TransferValues:
    sys_id: str
    number: str
    asset_tag: str
    from_location_name: str
    to_location_name: str
    quantity: int
    stage: str
    shipped_at: datetime | None
    received_at: datetime | None


def transfer(record: Mapping[str, Any]) -> TransferValues:
    """An `alm_transfer_order_line` record."""
    raw_quantity = text(record, "quantity_requested") or "1"
    try:
        quantity = int(Decimal(raw_quantity))
    except InvalidOperation:
        raise Refused("bad_number", "quantity_requested", raw_quantity) from None
    if not 1 <= quantity <= 100_000:
        raise Refused("bad_quantity", "quantity_requested", raw_quantity)
    return TransferValues(
        sys_id=sys_id(record),
        number=bounded(record, "number", 40, required=True),
        asset_tag=bounded(record, "asset.asset_tag", 40),
        from_location_name=free_text(record, "from_stockroom.location.name", 160),
        to_location_name=free_text(record, "to_stockroom.location.name", 160),
        quantity=quantity,
        stage=free_text(record, "stage", 40),
        shipped_at=instant(record, "shipment_date"),
        received_at=instant(record, "received_date"),
    )
