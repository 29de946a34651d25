"""Everyday equivalents of a mass of CO₂e, so that a figure means something to everyone (pure: stdlib only).

At most two per figure, each with its source and year, copied from the project's reference data
(``data/transport_factors.csv``, ``data/usage_factors.csv``): nothing is read from disk at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .model import Source

ADEME_TRANSPORT = Source(
    "ADEME Impact CO2, transport model (fuel and vehicle construction)", 2025, "https://impactco2.fr/outils/transport"
)
ADEME_EMAIL = Source(
    "ADEME Impact CO2 / NegaOctet (e-mail of 1 MB, 1 recipient, stored 10 years)", 2022, "https://impactco2.fr/"
)


@dataclass(frozen=True)
class Equivalent:
    """Something everyone knows, and the kg CO₂e one unit of it emits."""

    key: str
    kgco2e_per_unit: Decimal
    source: Source


@dataclass(frozen=True)
class EquivalentAmount:
    """A figure expressed in units of an equivalent, rounded to two significant digits."""

    equivalent: Equivalent
    amount: Decimal


#: A compact petrol car: 0.170 kg CO₂e per km, of which 0.0317 for building the car.
PETROL_CAR_KM = Equivalent("petrol_car_km", Decimal("0.170"), ADEME_TRANSPORT)
#: An e-mail of 1 MB sent to one person and stored ten years: 2.46 g CO₂e.
EMAIL_1MB = Equivalent("email_1mb", Decimal("0.00246"), ADEME_EMAIL)

EVERYDAY_EQUIVALENTS: tuple[Equivalent, ...] = (PETROL_CAR_KM, EMAIL_1MB)


def two_significant_digits(value: Decimal) -> Decimal:
    """`value` rounded to two significant digits (870.6 → 870, 58.82 → 59, 2.941 → 2.9); 0 stays 0."""
    if value == 0:
        return Decimal(0)
    exponent = value.adjusted() - 1
    rounded = value.scaleb(-exponent).quantize(Decimal(1), rounding=ROUND_HALF_UP).scaleb(exponent)
    return Decimal(format(rounded, "f"))  # 870, not 8.7E+2


def everyday_equivalents(
    kgco2e: Decimal, equivalents: tuple[Equivalent, ...] = EVERYDAY_EQUIVALENTS
) -> list[EquivalentAmount]:
    """The figure in each equivalent (at most two); none for a figure that is not positive."""
    if kgco2e <= 0:
        return []
    return [
        EquivalentAmount(equivalent, two_significant_digits(kgco2e / equivalent.kgco2e_per_unit))
        for equivalent in equivalents[:2]
    ]
