"""The one next step "my footprint" suggests, chosen from my devices: return, keep, or choose refurbished."""

from __future__ import annotations

from dataclasses import dataclass

from portal.catalogue.models import AssetStatus
from portal.catalogue.my_footprint import DeviceFootprint


@dataclass(frozen=True)
class NextStep:
    """`kind` is "return", "refurbished" or "keep"; `device` is the one it is about."""

    kind: str
    device: DeviceFootprint
    count: int = 1


def next_step(devices: list[DeviceFootprint]) -> NextStep | None:
    """Return first (a device to return still weighs on my footprint); else, for a device past its expected
    lifetime, choose refurbished when replacing it; else keep the device whose extra year saves the most."""
    if not devices:
        return None
    to_return = [d for d in devices if d.asset.status == AssetStatus.TO_RETURN.value]
    if to_return:
        return NextStep("return", to_return[0], len(to_return))
    in_use = [d for d in devices if d.asset.status == AssetStatus.IN_USE.value]
    if not in_use:
        return None
    worn = [d for d in in_use if d.age_years >= d.footprint.lifetime_years.value]
    if worn:
        return NextStep("refurbished", max(worn, key=lambda d: d.age_years))
    return NextStep("keep", max(in_use, key=lambda d: d.keep_12_months_saving.value))
