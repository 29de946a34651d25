"""The two CO₂e conventions a campaign may display next to its measured result (pure: no Flask, no database).

GB freed and items deleted are what a campaign measures. A CO₂e figure is a convention applied to them, and
the published conventions disagree about a thousandfold, so every CO₂e figure names the one it uses.

Sources (copied from the project's reference data, ``data/usage_factors.csv`` and ``data/README.md``):

- ``storage_gb_year`` = 0.235 gCO₂e per GB stored per year — ADEME, *Impact CO2, usage numérique*. It
  excludes the storage hardware: a floor, not an upper bound.
- ``cleanup_day_convention`` ≈ 250 gCO₂e per GB deleted — implied by the Digital Cleanup Day 2024 worldwide
  results (1,829,132 GB deleted → 457,283 kg CO₂e announced); the organisers publish no method.

GB here are decimal gigabytes: 1 GB = 10⁹ bytes, as in both sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

BYTES_PER_GB = 10**9

#: Digital Cleanup Day 2024, worldwide results as announced by the organisers.
CLEANUP_DAY_2024_GB = 1_829_132
CLEANUP_DAY_2024_KGCO2E = 457_283


@dataclass(frozen=True)
class Convention:
    """A CO₂e factor for storage, its source, and whether it counts per year of storage avoided."""

    key: str
    grams_per_gb: Decimal
    per_year: bool  # True: grams per GB and per year no longer stored
    source: str
    source_year: int


ADEME_STORAGE = Convention(
    key="ademe_storage",
    grams_per_gb=Decimal("0.235"),
    per_year=True,
    source="ADEME, Impact CO2",  # the service's name, the same in both languages
    source_year=2024,
)

CLEANUP_DAY = Convention(
    key="cleanup_day",
    # 457,283 kg / 1,829,132 GB = 0.250 kg per GB.
    grams_per_gb=(Decimal(CLEANUP_DAY_2024_KGCO2E * 1000) / CLEANUP_DAY_2024_GB).quantize(Decimal("1")),
    per_year=False,
    source="Digital Cleanup Day 2024 worldwide results (1,829,132 GB → 457,283 kg)",
    source_year=2024,
)

CONVENTIONS: dict[str, Convention] = {c.key: c for c in (ADEME_STORAGE, CLEANUP_DAY)}


def gigabytes(size_bytes: int) -> Decimal:
    """Bytes as decimal GB (10⁹ bytes), unrounded."""
    return Decimal(size_bytes) / BYTES_PER_GB


def remaining_years(horizon_year: int, end_year: int) -> int:
    """Whole years from the campaign's end to its horizon: how long freed data is no longer stored."""
    return max(0, horizon_year - end_year)


def co2e_kg(freed_bytes: int, convention: Convention, *, years: int = 1) -> Decimal:
    """kgCO₂e a convention attributes to `freed_bytes` (over `years` for a per-year factor); 0 if nothing freed."""
    if freed_bytes <= 0:
        return Decimal(0)
    grams = gigabytes(freed_bytes) * convention.grams_per_gb * (years if convention.per_year else 1)
    return grams / 1000


def ratio_between_conventions(years: int = 1) -> Decimal:
    """How many times more CO₂e the Clean-up Day convention counts than ADEME's factor over `years`."""
    return CLEANUP_DAY.grams_per_gb / (ADEME_STORAGE.grams_per_gb * max(1, years))
