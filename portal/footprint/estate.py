"""The IT estate's footprint over a period: equipment (embodied and use), maintenance trips, equipment transport,
and the split of a change between two years into its causes.

Stdlib only. Periods are half-open ranges of calendar days [start, end): a device is in service from its
acquisition day included to its retirement day excluded. Masses are Decimal kgCO₂e; nothing is rounded here.

Conventions (named on every page and export):
- *amortised*: embodied ÷ lifetime × the share of the year the device was in service, counted only within its
  lifetime (from acquisition to acquisition + lifetime), so that a device's years add up to its embodied
  footprint once, as the *acquisition year* convention does;
- *acquisition year*: the whole embodied footprint counted in the year the device arrived;
- use: annual kWh × the year's electricity factor × the share of the year in service (no lifetime limit);
- a trip: straight-line distance × detour factor, there and back, × the vehicle's kgCO₂e per vehicle-km;
- a transport trip is shared among the items carried together (same day, same route), pro rata of quantity.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "DAYS_PER_LIFETIME_YEAR",
    "DEFAULT_DETOUR",
    "EARTH_RADIUS_KM",
    "Convention",
    "DeviceInService",
    "DeviceYear",
    "Period",
    "VEHICLE_FACTORS",
    "Shipment",
    "VehicleFactor",
    "Waterfall",
    "YearTotals",
    "days_counted",
    "device_year",
    "lifetime_days",
    "great_circle_km",
    "projected_to_year_end",
    "shared_transport_kgco2e",
    "trip_kgco2e",
    "trip_km",
    "waterfall",
]

#: Straight-line distance × 1.3 approximates the road distance in a city (the usual detour index of urban
#: networks, between 1.2 and 1.4); an admin can change it in the settings.
DEFAULT_DETOUR = Decimal("1.3")
#: Mean radius of the Earth (IUGG), for the great-circle distance.
EARTH_RADIUS_KM = 6371.0088
#: A lifetime of L years ends L × 365.25 days after acquisition (leap years included on average).
DAYS_PER_LIFETIME_YEAR = Decimal("365.25")


class Convention(StrEnum):
    """How embodied emissions are spread over the years."""

    AMORTISED = "amortised"
    ACQUISITION = "acquisition"


@dataclass(frozen=True, slots=True)
class Period:
    """Days [start, end) of one calendar year: the whole year, or from 1 January to a day (year to date)."""

    year: int
    end: date  # excluded

    @classmethod
    def whole_year(cls, year: int) -> Period:
        return cls(year, date(year + 1, 1, 1))

    @classmethod
    def to_month_end(cls, year: int, month: int) -> Period:
        """From 1 January to the last day of `month` included."""
        end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return cls(year, end)

    def __post_init__(self) -> None:
        if not date(self.year, 1, 1) < self.end <= date(self.year + 1, 1, 1):
            raise ValueError("a period ends within its year")

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def days(self) -> int:
        """Days in the period."""
        return (self.end - self.start).days

    @property
    def year_days(self) -> int:
        """Days in the whole calendar year (365 or 366)."""
        return (date(self.year + 1, 1, 1) - self.start).days

    def overlap_days(self, start: date, end: date | None) -> int:
        """Days of [start, end) inside the period (`end` None: still going)."""
        first = max(start, self.start)
        last = self.end if end is None else min(end, self.end)
        return max((last - first).days, 0)


@dataclass(frozen=True, slots=True)
class DeviceInService:
    """What the year's lines need of a device: its dates, its (net) embodied footprint, lifetime and kWh."""

    acquired_on: date
    retired_on: date | None  # first day out of service; None while in service
    embodied_kgco2e: Decimal  # net of the refurbished share avoided
    lifetime_years: Decimal
    annual_kwh: Decimal

    def __post_init__(self) -> None:
        if self.lifetime_years <= 0:
            raise ValueError("lifetime must be positive")
        if self.retired_on is not None and self.retired_on < self.acquired_on:
            raise ValueError("a device leaves after it arrives")

    @property
    def amortised_until(self) -> date:
        """First day after its lifetime: no embodied share is counted from then on (amortised convention)."""
        return self.acquired_on + timedelta(days=lifetime_days(self.lifetime_years))


@dataclass(frozen=True, slots=True)
class DeviceYear:
    """A device's lines over a period, and the share of the year it was in service."""

    service_days: int
    year_share: Decimal  # service days ÷ days in the year
    embodied_amortised_kgco2e: Decimal
    embodied_acquisition_kgco2e: Decimal
    use_kgco2e: Decimal

    def embodied(self, convention: Convention) -> Decimal:
        """The embodied line under `convention`."""
        if convention is Convention.ACQUISITION:
            return self.embodied_acquisition_kgco2e
        return self.embodied_amortised_kgco2e


def device_year(device: DeviceInService, period: Period, electricity_kgco2e_per_kwh: Decimal) -> DeviceYear:
    """The embodied (both conventions) and use lines of one device over `period`."""
    year_days = Decimal(period.year_days)
    service_days, amortised_days = days_counted(
        device.acquired_on, device.retired_on, lifetime_days(device.lifetime_years), period
    )
    arrived = period.start <= device.acquired_on < period.end
    return DeviceYear(
        service_days=service_days,
        year_share=service_days / year_days,
        embodied_amortised_kgco2e=device.embodied_kgco2e / device.lifetime_years * amortised_days / year_days,
        embodied_acquisition_kgco2e=device.embodied_kgco2e if arrived else Decimal(0),
        use_kgco2e=device.annual_kwh * electricity_kgco2e_per_kwh * service_days / year_days,
    )


def lifetime_days(lifetime_years: Decimal) -> int:
    """Days from acquisition to the end of the lifetime (the amortised convention counts no day after it)."""
    return int(lifetime_years * DAYS_PER_LIFETIME_YEAR)


def days_counted(acquired_on: date, retired_on: date | None, lifetime_in_days: int, period: Period) -> tuple[int, int]:
    """(days in service, days amortised) of a device in `period`: what the lines of many devices add up from.

    A device's embodied line is embodied ÷ lifetime × amortised days ÷ days in the year, its use line annual
    kWh × factor × days in service ÷ days in the year: linear in the days, so devices of the same model add their
    days first (see :func:`device_year`, the same for one device).
    """
    amortised_end = acquired_on + timedelta(days=lifetime_in_days)
    if retired_on is not None and retired_on < amortised_end:
        amortised_end = retired_on
    return period.overlap_days(acquired_on, retired_on), period.overlap_days(acquired_on, amortised_end)


def great_circle_km(lat1: Decimal, lon1: Decimal, lat2: Decimal, lon2: Decimal) -> Decimal:
    """Straight-line (haversine) distance in km, to the metre."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return Decimal(str(round(2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h)), 3)))


def trip_km(one_way_km: Decimal, detour: Decimal = DEFAULT_DETOUR) -> Decimal:
    """Vehicle-km of a round trip: there and back, straight line × detour factor."""
    return 2 * one_way_km * detour


def trip_kgco2e(one_way_km: Decimal, vehicle_kgco2e_per_km: Decimal, detour: Decimal = DEFAULT_DETOUR) -> Decimal:
    """kgCO₂e of a round trip by a vehicle whose factor includes its fuel and construction."""
    return trip_km(one_way_km, detour) * vehicle_kgco2e_per_km


@dataclass(frozen=True, slots=True)
class Shipment:
    """Items carried from one site to another on a day (a transfer line or an order's delivery)."""

    key: Hashable
    day: date
    from_site: Hashable
    to_site: Hashable
    quantity: int
    one_way_km: Decimal


def shared_transport_kgco2e(
    shipments: Iterable[Shipment], vehicle_kgco2e_per_km: Decimal, detour: Decimal = DEFAULT_DETOUR
) -> dict[Hashable, Decimal]:
    """Each shipment's share of the trips: one trip per day and route, split pro rata of the quantities."""
    routes: dict[tuple[Hashable, ...], list[Shipment]] = defaultdict(list)
    for shipment in shipments:
        if shipment.quantity < 1:
            raise ValueError("a shipment carries at least one item")
        routes[(shipment.day, shipment.from_site, shipment.to_site)].append(shipment)
    shares: dict[Hashable, Decimal] = {}
    for together in routes.values():
        trip = trip_kgco2e(together[0].one_way_km, vehicle_kgco2e_per_km, detour)
        items = sum(s.quantity for s in together)
        for shipment in together:
            shares[shipment.key] = trip * shipment.quantity / items
    return shares


def projected_to_year_end(value: Decimal, period: Period) -> Decimal:
    """A year-to-date total extended to the whole year at the same daily rate."""
    return value * period.year_days / period.days


@dataclass(frozen=True, slots=True)
class YearTotals:
    """What the waterfall compares: the equipment lines, the other lines (trips, transport), device-years."""

    equipment_kgco2e: Decimal
    other_kgco2e: Decimal
    device_years: Decimal

    @property
    def total_kgco2e(self) -> Decimal:
        return self.equipment_kgco2e + self.other_kgco2e

    @property
    def equipment_per_device_kgco2e(self) -> Decimal | None:
        return self.equipment_kgco2e / self.device_years if self.device_years else None


@dataclass(frozen=True, slots=True)
class Waterfall:
    """Why the total moved from one year to the next; the steps add up: start + every step = end."""

    start_kgco2e: Decimal
    factors_kgco2e: Decimal  # last year recomputed with this year's factors, minus last year as published
    activity_kgco2e: Decimal  # more or fewer device-years, at last year's footprint per device
    per_device_kgco2e: Decimal  # footprint per device (mix, lifetimes, refurbished share)
    other_lines_kgco2e: Decimal  # trips and transport, like for like
    end_kgco2e: Decimal

    @property
    def steps(self) -> tuple[tuple[str, Decimal], ...]:
        """The named steps in order, start and end excluded."""
        return (
            ("factors", self.factors_kgco2e),
            ("activity", self.activity_kgco2e),
            ("per_device", self.per_device_kgco2e),
            ("other_lines", self.other_lines_kgco2e),
        )


def waterfall(previous: YearTotals, previous_like_for_like: YearTotals, current: YearTotals) -> Waterfall:
    """Split current − previous into factor changes, activity, footprint per device and the other lines.

    `previous_like_for_like` is the previous period recomputed with the current factors: the factor step is
    its difference with the published previous figures, and every other step is measured like for like.
    """
    base = previous_like_for_like
    per_device = base.equipment_per_device_kgco2e
    if per_device is None:  # no device last year: every new device is activity
        activity = current.equipment_kgco2e - base.equipment_kgco2e
    else:
        activity = (current.device_years - base.device_years) * per_device
    return Waterfall(
        start_kgco2e=previous.total_kgco2e,
        factors_kgco2e=base.total_kgco2e - previous.total_kgco2e,
        activity_kgco2e=activity,
        per_device_kgco2e=current.equipment_kgco2e - base.equipment_kgco2e - activity,
        other_lines_kgco2e=current.other_kgco2e - base.other_kgco2e,
        end_kgco2e=current.total_kgco2e,
    )


@dataclass(frozen=True, slots=True)
class VehicleFactor:
    """kgCO₂e per vehicle-km of a vehicle, fuel and construction included."""

    key: str
    kgco2e_per_km: Decimal
    source: str
    source_year: int


_ADEME_TRANSPORT = "ADEME Impact CO2 (transport model: fuel + vehicle construction)"
#: Copied from the project's reference data (transport_factors.csv, ADEME 2025); the factor library stores them
#: as versioned scalar factors named `vehicle_<key>`, these are the published values.
VEHICLE_FACTORS: dict[str, VehicleFactor] = {
    key: VehicleFactor(key, Decimal(value), _ADEME_TRANSPORT, 2025)
    for key, value in (
        ("car_petrol_compact", "0.170"),
        ("car_diesel_compact", "0.142"),
        ("car_electric_compact", "0.067"),
        ("car_electric_small", "0.058"),
        ("van", "0.325"),
    )
}
