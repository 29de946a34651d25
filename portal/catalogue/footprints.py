"""Bridge between the stored factor library / catalogue items and the pure footprint core."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, scoped_session

from portal.catalogue.models import CatalogueItem, Factor
from portal.footprint import (
    CATEGORIES,
    ELECTRICITY_FR,
    CategoryReference,
    EcoLabel,
    EquipmentInputs,
    Figure,
    Footprint,
    Quality,
    Source,
    calculate,
    label_for_ratio,
)
from portal.models import db
from portal.reference_cache import cached

ELECTRICITY_KEY = "electricity_fr"
#: Below this many manufacturer sheets, a category's label yardstick is its published generic value.
MIN_SHEETS_FOR_MEDIAN = 5


@dataclass(frozen=True)
class FactorValues:
    """A factor's current values, as plain data (`Factor` holds the same names; edits go through `Factor`)."""

    id: int | None  # None: a published factor not stored yet
    key: str
    kind: str
    fabrication_kgco2e: Decimal | None
    distribution_kgco2e: Decimal | None
    end_of_life_kgco2e: Decimal | None
    lifetime_years: Decimal | None
    annual_kwh: Decimal | None
    value: Decimal | None
    unit: str
    low_ratio: Decimal | None
    quality: str
    source: str
    source_year: int
    note: str
    reference_annualised_kgco2e: Decimal | None
    reference_source: str
    version: int

    @classmethod
    def of(cls, factor: Factor) -> FactorValues:
        """The values of a (stored or published) factor row."""
        return cls(**{name: getattr(factor, name) for name in _VALUE_NAMES})


_VALUE_NAMES = tuple(f.name for f in fields(FactorValues))


@dataclass(frozen=True)
class FactorSet:
    """The factor library as the core needs it: plain values, kept per worker until a factor changes."""

    factors: Mapping[str, FactorValues]
    references: Mapping[str, CategoryReference]
    electricity: Figure

    def yardstick(self, category: str) -> Decimal:
        """The annualised footprint a C label is centred on in this category (kgCO₂e/year)."""
        value = self.factors[category].reference_annualised_kgco2e
        if value is None:
            return calculate(EquipmentInputs(category), self.electricity, self.references[category]).annualised.value
        return value


def _quality(text: str) -> Quality:
    # The published factors file says "uncertain" or "missing" where we say estimated.
    try:
        return Quality(text)
    except ValueError:
        return Quality.ESTIMATED


def _figure(value: Decimal | None, ratio: Decimal | None, quality: Quality, source: Source) -> Figure:
    value = value if value is not None else Decimal(0)
    ratio = ratio or Decimal(0)
    return Figure(value, max(value * (1 - ratio), Decimal(0)), value * (1 + ratio), quality, (source,))


def reference_from_factor(factor: Factor | FactorValues) -> CategoryReference:
    """A category's reference values from the stored (possibly edited) factor."""
    published = CATEGORIES[factor.key]
    source = Source(factor.source, factor.source_year)
    quality = _quality(factor.quality)

    def fig(value: Decimal | None, ratio: Decimal | None = factor.low_ratio) -> Figure:
        return _figure(value, ratio, quality, source)

    return CategoryReference(
        key=factor.key,
        reference_model=published.reference_model,
        fabrication=fig(factor.fabrication_kgco2e),
        distribution=fig(factor.distribution_kgco2e),
        end_of_life=fig(factor.end_of_life_kgco2e),
        lifetime_years=fig(factor.lifetime_years, None),
        annual_kwh=fig(factor.annual_kwh),
        sheet_use_ratio=published.sheet_use_ratio,
        note=factor.note,
    )


def published_factors() -> dict[str, Factor]:
    """The factor library as published (ADEME, manufacturers' labels, portal estimates), not yet stored."""
    factors: dict[str, Factor] = {}
    for key, ref in CATEGORIES.items():
        embodied = ref.embodied
        spread = max(embodied.value - embodied.low, embodied.high - embodied.value)  # type: ignore[operator]
        source = embodied.sources[0]
        factors[key] = Factor(
            key=key,
            kind="category",
            fabrication_kgco2e=ref.fabrication.value,
            distribution_kgco2e=ref.distribution.value,
            end_of_life_kgco2e=ref.end_of_life.value,
            lifetime_years=ref.lifetime_years.value,
            annual_kwh=ref.annual_kwh.value,
            low_ratio=(spread / embodied.value).quantize(Decimal("0.0001")) if embodied.value else None,
            quality=ref.quality.value,
            source=source.label[:300],
            source_year=source.year,
            note=ref.note[:500],
            unit="kgCO2e",
            reference_source="category_value",
            version=1,
        )
    source = ELECTRICITY_FR.sources[0]
    factors[ELECTRICITY_KEY] = Factor(
        key=ELECTRICITY_KEY,
        kind="scalar",
        value=ELECTRICITY_FR.value,
        unit="kgCO2e/kWh",
        quality=ELECTRICITY_FR.quality.value,
        source=source.label[:300],
        source_year=source.year,
        note="",
        version=1,
        reference_source="",
    )
    return factors


_ALL_FACTORS = sa.select(*(Factor.__table__.c[name] for name in _VALUE_NAMES))


def _read_factor_set(session: Session | scoped_session[Any]) -> FactorSet:
    factors = {row.key: FactorValues(**row._mapping) for row in session.execute(_ALL_FACTORS)}
    if len(factors) < len(CATEGORIES) + 1:
        factors = {**{k: FactorValues.of(f) for k, f in published_factors().items()}, **factors}
    electricity = factors[ELECTRICITY_KEY]
    return FactorSet(
        factors=MappingProxyType(factors),
        references=MappingProxyType(
            {k: reference_from_factor(f) for k, f in factors.items() if f.kind == "category"}
        ),
        electricity=Figure(
            electricity.value,  # type: ignore[arg-type]
            quality=_quality(electricity.quality),
            sources=(Source(electricity.source, electricity.source_year),),
        ),
    )


def load_factor_set(session: Session | None = None) -> FactorSet:
    """Every factor, and the core's view of them (published values stand in for any not stored yet).

    Kept per worker by `reference_cache` (`Factor` is tracked: any change of a factor row renews the
    generation, and the session that made it reads the table until it commits). Code that changes a factor
    loads the `Factor` row itself; this set is for reading."""
    if session is not None:
        return _read_factor_set(session)
    if db.session.autoflush:
        db.session.flush()  # a pending factor edit marks the session as changed (it then reads the table)
    return cached("catalogue.factor_set", None, lambda: _read_factor_set(db.session))


def item_inputs(item: CatalogueItem) -> EquipmentInputs:
    """What the item's sheet says; missing values fall back to the category (and make it estimated)."""
    quality = _quality(item.quality)
    source = Source(item.source, item.source_year or 0, item.source_url)

    def fig(value: Decimal | None, ratio: Decimal | None = item.error_ratio) -> Figure | None:
        return None if value is None else _figure(value, ratio, quality, source)

    return EquipmentInputs(
        category=item.category,
        fabrication=fig(item.fabrication_kgco2e),
        distribution=fig(item.distribution_kgco2e),
        end_of_life=fig(item.end_of_life_kgco2e),
        lifetime_years=fig(item.lifetime_years, None),
        annual_kwh=fig(item.annual_kwh, None),
        refurbished=item.refurbished,
    )


def item_footprint(item: CatalogueItem, factor_set: FactorSet) -> Footprint:
    """The item's footprint with the current factor library."""
    return calculate(item_inputs(item), factor_set.electricity, factor_set.references[item.category])


def label_for(annualised: Decimal, category: str, factor_set: FactorSet) -> EcoLabel:
    """The A–E label of an annualised footprint within its category."""
    return label_for_ratio(annualised / factor_set.yardstick(category))


def difference_to_reference(annualised: Decimal, category: str, factor_set: FactorSet) -> Decimal:
    """Signed relative difference to the category's yardstick: −0.35 means 35 % lower."""
    return annualised / factor_set.yardstick(category) - 1


ITEM_INPUTS = ("fabrication_kgco2e", "distribution_kgco2e", "end_of_life_kgco2e", "lifetime_years", "annual_kwh")


def has_own_figures(item: CatalogueItem) -> bool:
    """True if the item gives at least one footprint input of its own (else it gets no A–E letter)."""
    return any(getattr(item, name) is not None for name in ITEM_INPUTS)


def estimated_inputs(item: CatalogueItem) -> list[str]:
    """The inputs the item lacks, replaced by its category's values (the core's names: lifetime_years…)."""
    return [name.removesuffix("_kgco2e") for name in ITEM_INPUTS if getattr(item, name) is None]


def refresh_item(item: CatalogueItem, factor_set: FactorSet) -> Footprint:
    """Recompute and store the item's results (called on every change of the item or its factors)."""
    footprint = item_footprint(item, factor_set)
    item.embodied_kgco2e = footprint.net_embodied.value.quantize(Decimal("0.0001"))
    item.annual_use_kgco2e = footprint.annual_use.value.quantize(Decimal("0.0001"))
    item.annualised_kgco2e = footprint.annualised.value.quantize(Decimal("0.0001"))
    # A model without any figure of its own is the category's typical device: a letter would always say C.
    item.label = label_for(footprint.annualised.value, item.category, factor_set).value if has_own_figures(item) else ""
    item.result_quality = footprint.quality.value
    return footprint


def refresh_category(category: str | None = None) -> int:
    """Recompute every item (of one category): factors or yardsticks changed. Returns how many."""
    factor_set = load_factor_set()
    statement = sa.select(CatalogueItem)
    if category is not None:
        statement = statement.where(CatalogueItem.category == category)
    count = 0
    for item in db.session.scalars(statement):
        refresh_item(item, factor_set)
        count += 1
    db.session.flush()
    return count


def recompute_yardsticks() -> dict[str, str]:
    """Set each category's label yardstick: the median of its new models with a manufacturer sheet when there
    are enough of them (a label ranks a device among real products), else the published generic value."""
    result: dict[str, str] = {}
    for factor in db.session.scalars(sa.select(Factor).where(Factor.kind == "category")):
        key = factor.key
        values = list(
            db.session.scalars(
                sa.select(CatalogueItem.annualised_kgco2e).where(
                    CatalogueItem.category == key,
                    CatalogueItem.refurbished.is_(False),
                    CatalogueItem.source_url.is_not(None),  # items with a manufacturer sheet
                    CatalogueItem.active.is_(True),
                )
            )
        )
        if len(values) >= MIN_SHEETS_FOR_MEDIAN:
            factor.reference_annualised_kgco2e = Decimal(statistics.median(values)).quantize(Decimal("0.0001"))
            factor.reference_source = f"catalogue_median:{len(values)}"
        else:
            factor.reference_annualised_kgco2e = None
            factor.reference_source = "category_value"
        result[key] = factor.reference_source
    db.session.flush()
    return result
