"""Footprint calculations: annualised footprint, refurbished devices, keeping a device longer, rounding.

Annualised footprint (kgCO₂e/year) = net embodied / lifetime + annual kWh × electricity factor, where net
embodied = (fabrication + distribution + end of life) × (1 − avoided share) for a refurbished device.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import TypeVar

from .factors import ELECTRICITY_FR, REFURBISHED_RULES, category_reference
from .model import CategoryReference, EquipmentInputs, Figure, Footprint, Quality

__all__ = [
    "calculate",
    "keep_longer_saving",
    "keep_one_more_year_saving",
    "past_half_life",
    "reference_footprint",
    "round_for_display",
    "split_embodied",
    "unused_embodied",
]

_INPUT_NAMES = ("fabrication", "distribution", "end_of_life", "lifetime_years", "annual_kwh")


def calculate(
    inputs: EquipmentInputs,
    electricity_factor: Figure = ELECTRICITY_FR,
    reference: CategoryReference | None = None,
) -> Footprint:
    """The annualised footprint of an equipment model, missing inputs replaced by category values.

    `reference` replaces the published category values (the portal's factor library, edited by admins).
    """
    ref = reference if reference is not None else category_reference(inputs.category)
    values: dict[str, Figure] = {}
    fallbacks: list[str] = []
    for name in _INPUT_NAMES:
        given: Figure | None = getattr(inputs, name)
        if given is None:
            # The category value stands in for the device's own: it is an estimate *for this device*.
            given = getattr(ref, name).downgraded(Quality.ESTIMATED)
            fallbacks.append(name)
        values[name] = given
    lifetime = values["lifetime_years"]
    if lifetime.bounds[0] <= 0:
        raise ValueError("lifetime must be positive")

    embodied = values["fabrication"] + values["distribution"] + values["end_of_life"]
    avoided: Figure | None = None
    net = embodied
    if inputs.refurbished:
        share = REFURBISHED_RULES[ref.key].avoided_share
        avoided = embodied * share
        # embodied × (1 − share), not embodied − avoided: both depend on `embodied`, and subtracting two
        # ranges that share an input would widen the range for no reason.
        net = embodied * (1 - share)
    annual_embodied = net / lifetime
    # The electricity factor is the portal's convention for every device, not a property of the device: it
    # is cited, but the quality level of the use phase is that of the device's kWh.
    annual_use = replace(values["annual_kwh"] * electricity_factor, quality=values["annual_kwh"].quality)
    return Footprint(
        category=ref.key,
        refurbished=inputs.refurbished,
        fabrication=values["fabrication"],
        distribution=values["distribution"],
        end_of_life=values["end_of_life"],
        embodied=embodied,
        avoided_embodied=avoided,
        net_embodied=net,
        lifetime_years=lifetime,
        annual_kwh=values["annual_kwh"],
        electricity_factor=electricity_factor,
        annual_embodied=annual_embodied,
        annual_use=annual_use,
        annualised=annual_embodied + annual_use,
        fallbacks=tuple(fallbacks),
    )


@cache
def reference_footprint(category: str) -> Footprint:
    """The footprint of the category's typical new device (the yardstick of the eco-label)."""
    ref = category_reference(category)
    # Passed explicitly so that the reference keeps its own quality instead of being marked as a fallback.
    return calculate(
        EquipmentInputs(ref.key, ref.fabrication, ref.distribution, ref.end_of_life, ref.lifetime_years, ref.annual_kwh)
    )


def split_embodied(total: Figure, category: str) -> tuple[Figure, Figure, Figure]:
    """Fabrication, distribution and end of life of `total` in the category's proportions (estimated)."""
    ref = category_reference(category)
    whole = ref.embodied.value
    # The proportions are the reference's central values, applied as exact constants so that the parts add
    # back up to `total`, range included; the split itself is a guess, hence estimated.
    fabrication, distribution, end_of_life = (
        (total * part.value / whole).downgraded(Quality.ESTIMATED)
        for part in (ref.fabrication, ref.distribution, ref.end_of_life)
    )
    return fabrication, distribution, end_of_life


def keep_one_more_year_saving(footprint: Footprint) -> Figure:
    """Drop of the annualised footprint (kgCO₂e/year) when the device is kept one year beyond its lifetime.

    embodied/L − embodied/(L+1) = embodied / (L × (L+1)), written as one division so that the embodied range
    is used once. Use (kWh) is unchanged: the old device is assumed to consume as much as its replacement.
    """
    lifetime = footprint.lifetime_years
    return footprint.net_embodied / (lifetime * (lifetime + 1))


def keep_longer_saving(footprint: Footprint, age_years: Decimal | int, months: int) -> Figure:
    """kgCO₂e saved by keeping the device `months` longer than its planned replacement, given its age.

    The planned replacement happens at T = max(age, lifetime): at the end of the lifetime, or now for a
    device already past it. Keeping it n = months/12 more years stretches its life from T to T + n, so the
    yearly share of a like-for-like replacement falls from E/T to E/(T+n); over the stretched life this
    saves (T + n) × (E/T − E/(T+n)) = E × n / T, i.e. the embodied emissions deferred, amortised over T.
    Consistent with :func:`keep_one_more_year_saving`: at age ≤ L and 12 months, E/L = (L+1) × E/(L(L+1)).
    """
    age = Decimal(age_years)
    if age < 0 or months < 0:
        raise ValueError("age and months must not be negative")
    lifetime = footprint.lifetime_years
    low, high = lifetime.bounds
    horizon = Figure(
        max(age, lifetime.value),
        max(age, low),
        max(age, high),
        lifetime.quality,
        lifetime.sources,
    )
    return footprint.net_embodied * Decimal(months) / (horizon * 12)


def unused_embodied(footprint: Footprint, age_years: Decimal | int) -> Figure:
    """kgCO₂e of the device's manufacture that its remaining expected years would carry: E × (L − age) / L,
    0 past its lifetime. Replacing the device now throws that share away (L: the lifetime's central value)."""
    age = Decimal(age_years)
    if age < 0:
        raise ValueError("age must not be negative")
    lifetime = footprint.lifetime_years.value
    return footprint.net_embodied * (max(lifetime - age, Decimal(0)) / lifetime)


def past_half_life(footprint: Footprint, age_years: Decimal | int) -> bool:
    """True once the device has lived half its expected lifetime: only then is "keep it 12 more months" the
    advice; a younger device is to be kept to its expected lifetime."""
    return Decimal(age_years) * 2 >= footprint.lifetime_years.value


N = TypeVar("N", Figure, Decimal)


def round_for_display(x: N, places: int = 1) -> N:
    """`x` rounded half-up to `places` decimals, for display only (never round before computing)."""
    quantum = Decimal(1).scaleb(-places)
    if isinstance(x, Figure):
        low, high = x.bounds
        return Figure(
            x.value.quantize(quantum, ROUND_HALF_UP),
            low.quantize(quantum, ROUND_HALF_UP),
            high.quantize(quantum, ROUND_HALF_UP),
            x.quality,
            x.sources,
        )
    return x.quantize(quantum, ROUND_HALF_UP)
