"""Data types of the footprint core: quality levels, sources, figures with a range, inputs and results.

Stdlib only (no Flask, no SQLAlchemy) so that the rules can be unit-tested and reused by jobs and importers.
Masses are ``Decimal`` kgCO₂e: binary floats would make published figures drift in the last digit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import Enum

__all__ = [
    "CategoryReference",
    "EquipmentInputs",
    "Figure",
    "Footprint",
    "Quality",
    "RefurbishedRule",
    "Source",
    "merge_sources",
]


class Quality(Enum):
    """How far a figure can be trusted, best first: manufacturer sheet, generic ADEME value, estimate."""

    MANUFACTURER = "manufacturer"
    GENERIC = "generic"
    ESTIMATED = "estimated"

    @property
    def rank(self) -> int:
        """0 for the best level, 2 for the worst."""
        return list(type(self)).index(self)

    @classmethod
    def worst(cls, *qualities: Quality) -> Quality:
        """The worst of the given levels: a result is only as good as its weakest input."""
        return max(qualities, key=lambda q: q.rank, default=cls.MANUFACTURER)


@dataclass(frozen=True, slots=True)
class Source:
    """Where a number comes from, so that a page can cite it."""

    label: str
    year: int
    url: str | None = None


def merge_sources(*groups: Iterable[Source]) -> tuple[Source, ...]:
    """All sources of the groups, each once, in first-seen order."""
    seen: dict[Source, None] = {}
    for group in groups:
        for source in group:
            seen.setdefault(source, None)
    return tuple(seen)


def _decimal(x: Decimal | int | str) -> Decimal:
    # Floats are refused: Decimal(0.1) is 0.1000000000000000055…, which would leak into published figures.
    if isinstance(x, Decimal):
        return x
    if isinstance(x, bool) or not isinstance(x, int | str):
        raise TypeError(f"expected Decimal, int or str, got {type(x).__name__}")
    return Decimal(x)


Scalar = Decimal | int


@dataclass(frozen=True, slots=True)
class Figure:
    """A number with its low/high range, quality level and sources; arithmetic propagates all three.

    ``low`` and ``high`` default to ``value`` (no range). Arithmetic is interval arithmetic (the extreme
    corners), which is exact as long as each uncertain input appears once in an expression: the
    calculations in :mod:`portal.footprint.calc` are written that way on purpose.
    """

    value: Decimal
    low: Decimal | None = None
    high: Decimal | None = None
    quality: Quality = Quality.ESTIMATED  # a number with no stated provenance is an estimate
    sources: tuple[Source, ...] = ()

    def __post_init__(self) -> None:
        value = _decimal(self.value)
        low = value if self.low is None else _decimal(self.low)
        high = value if self.high is None else _decimal(self.high)
        if not low <= value <= high:
            raise ValueError(f"range must hold the value: {low} <= {value} <= {high}")
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)
        object.__setattr__(self, "sources", tuple(self.sources))

    @property
    def bounds(self) -> tuple[Decimal, Decimal]:
        """(low, high), never None: `__post_init__` sets a missing bound to the value."""
        return (self.value if self.low is None else self.low, self.value if self.high is None else self.high)

    @property
    def has_range(self) -> bool:
        """True when low and high differ from the value."""
        return self.low != self.value or self.high != self.value

    def downgraded(self, quality: Quality) -> Figure:
        """The same figure with its quality lowered to `quality` (never raised)."""
        return replace(self, quality=Quality.worst(self.quality, quality))

    def _combine(self, other: object, op: Callable[[Decimal, Decimal], Decimal]) -> Figure:
        if isinstance(other, Figure):
            corners = [op(a, b) for a in self.bounds for b in other.bounds]
            return Figure(
                op(self.value, other.value),
                min(corners),
                max(corners),
                Quality.worst(self.quality, other.quality),
                merge_sources(self.sources, other.sources),
            )
        if isinstance(other, Decimal | int) and not isinstance(other, bool):
            # Exact constants (12 months, 1 − share…) neither widen the range nor change quality or sources.
            k = Decimal(other)
            corners = [op(bound, k) for bound in self.bounds]
            return Figure(op(self.value, k), min(corners), max(corners), self.quality, self.sources)
        return NotImplemented

    def __add__(self, other: Figure | Scalar) -> Figure:
        return self._combine(other, lambda a, b: a + b)

    __radd__ = __add__

    def __sub__(self, other: Figure | Scalar) -> Figure:
        return self._combine(other, lambda a, b: a - b)

    def __rsub__(self, other: Scalar) -> Figure:
        return self._combine(other, lambda a, b: b - a)

    def __mul__(self, other: Figure | Scalar) -> Figure:
        return self._combine(other, lambda a, b: a * b)

    __rmul__ = __mul__

    def __truediv__(self, other: Figure | Scalar) -> Figure:
        if isinstance(other, Figure) and other.bounds[0] <= 0 <= other.bounds[1]:
            raise ZeroDivisionError("divisor range includes zero")
        return self._combine(other, lambda a, b: a / b)

    def __rtruediv__(self, other: Scalar) -> Figure:
        if self.bounds[0] <= 0 <= self.bounds[1]:
            raise ZeroDivisionError("divisor range includes zero")
        return self._combine(other, lambda a, b: b / a)


@dataclass(frozen=True, slots=True)
class CategoryReference:
    """Reference values of a category: the fallback for missing inputs and the yardstick of the eco-label."""

    key: str
    reference_model: str
    fabrication: Figure
    distribution: Figure
    end_of_life: Figure
    lifetime_years: Figure
    annual_kwh: Figure
    #: Typical share of the use phase in a manufacturer sheet of this category (median of the Boavizta
    #: sheets), used only when a sheet has no gwp_use_ratio.
    sheet_use_ratio: Decimal
    note: str = ""

    @property
    def embodied(self) -> Figure:
        """Fabrication + distribution + end of life."""
        return self.fabrication + self.distribution + self.end_of_life

    @property
    def quality(self) -> Quality:
        """The worst quality among the reference values."""
        return Quality.worst(*(f.quality for f in (self.embodied, self.lifetime_years, self.annual_kwh)))


@dataclass(frozen=True, slots=True)
class RefurbishedRule:
    """Share of the embodied emissions a refurbished device avoids, with its range and reasoning."""

    category: str
    avoided_share: Figure
    note: str


@dataclass(frozen=True, slots=True)
class EquipmentInputs:
    """What is known about an equipment model; any ``None`` falls back to the category value (estimated)."""

    category: str
    fabrication: Figure | None = None
    distribution: Figure | None = None
    end_of_life: Figure | None = None
    lifetime_years: Figure | None = None
    annual_kwh: Figure | None = None
    refurbished: bool = False


@dataclass(frozen=True, slots=True)
class Footprint:
    """A computed footprint: every intermediate figure, so that a page can explain the result."""

    category: str
    refurbished: bool
    fabrication: Figure
    distribution: Figure
    end_of_life: Figure
    embodied: Figure  # fabrication + distribution + end of life, of a new device
    avoided_embodied: Figure | None  # refurbished only: the part of `embodied` not emitted again
    net_embodied: Figure  # embodied actually attributed to this device
    lifetime_years: Figure
    annual_kwh: Figure
    electricity_factor: Figure
    annual_embodied: Figure  # net_embodied / lifetime_years
    annual_use: Figure  # annual_kwh × electricity_factor
    annualised: Figure  # annual_embodied + annual_use, kgCO₂e per year
    fallbacks: tuple[str, ...] = ()  # names of the inputs replaced by the category value

    @property
    def quality(self) -> Quality:
        """The worst quality of the inputs."""
        return self.annualised.quality

    @property
    def sources(self) -> tuple[Source, ...]:
        """Every source behind the annualised footprint, each once."""
        return self.annualised.sources
