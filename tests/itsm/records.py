"""Table API records as an instance holds them (dotted keys, raw values), for the tests and the benchmark."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

BASE = datetime(2026, 11, 2, 8, 0, 0)


def stamp(seconds: int) -> str:
    """A change time, `seconds` after 2 November 2026 08:00 UTC, as the instance writes it."""
    return (BASE + timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")


def sys_id(prefix: str, n: int) -> str:
    return f"{prefix}{n:0{32 - len(prefix)}x}"


def hardware(n: int, **fields: Any) -> dict[str, Any]:
    """Laptop number `n`, in use, a Dell Latitude 5430 of the catalogue, changed `n` seconds after BASE."""
    record = {
        "sys_id": sys_id("a1", n), "asset_tag": f"P{n:06d}", "serial_number": f"SN{n:08d}",
        "model.display_name": "Dell Latitude 5430", "model.manufacturer.name": "Dell Inc.",
        "model_category.name": "Computer", "assigned_to.email": "", "install_status": "1", "substatus": "",
        "purchase_date": "2023-03-14", "install_date": "", "retired": "", "cost": "980.50",
        "location.name": "", "sys_updated_on": stamp(n),
    }
    record.update(fields)
    return record


def location(n: int, name: str, **fields: Any) -> dict[str, Any]:
    record = {"sys_id": sys_id("b2", n), "name": name, "street": "", "city": "Bordeaux", "zip": "33000",
              "latitude": "44.84000", "longitude": "-0.58000", "sys_updated_on": stamp(n)}
    record.update(fields)
    return record


def task(n: int, location_name: str, **fields: Any) -> dict[str, Any]:
    record = {
        "sys_id": sys_id("c3", n), "number": f"WOT{n:07d}", "location.name": location_name,
        "location.latitude": "44.80837", "location.longitude": "-0.54772",
        "assignment_group.name": "Support de proximité", "state": "closed_complete",
        "actual_travel_start": "2026-10-02 07:40:00", "actual_work_start": "2026-10-02 08:05:00",
        "actual_work_end": "2026-10-02 09:10:00", "short_description": "Remplacement écran", "sys_updated_on": stamp(n),
    }
    record.update(fields)
    return record


def transfer(n: int, asset_tag: str, origin: str, destination: str, **fields: Any) -> dict[str, Any]:
    record = {
        "sys_id": sys_id("d4", n), "number": f"TOL{n:07d}", "asset.asset_tag": asset_tag,
        "from_stockroom.location.name": origin, "to_stockroom.location.name": destination,
        "quantity_requested": "1", "stage": "delivered", "shipment_date": "2026-09-28 13:00:00",
        "received_date": "2026-09-29 10:20:00", "sys_updated_on": stamp(n),
    }
    record.update(fields)
    return record
