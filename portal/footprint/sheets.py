"""Manufacturer product carbon footprint sheets (Boavizta format) turned into footprint inputs.

A sheet's gwp_total includes the use phase on the manufacturer's grid (mostly US/EU/worldwide), so for France:
embodied = gwp_total × (1 − gwp_use_ratio), and use is recomputed from yearly_tec with the French factor (in
:func:`portal.footprint.calc.calculate`). Missing values fall back to the category and are marked estimated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .calc import split_embodied
from .factors import BOAVIZTA, category_reference
from .model import EquipmentInputs, Figure, Quality, Source

__all__ = [
    "SUBCATEGORY_TO_CATEGORY",
    "ManufacturerSheet",
    "inputs_from_sheet",
    "sheet_from_row",
]

#: Boavizta subcategory (lower case) → portal category.
SUBCATEGORY_TO_CATEGORY: dict[str, str] = {
    "laptop": "laptop",
    "desktop": "desktop",
    "workstation": "desktop",
    "monitor": "monitor",
    "smartphone": "smartphone",
    "tablet": "tablet",
    "thin client": "thin_client",
    "printer": "printer",
    "server": "server",
    "network": "network",
}


@dataclass(frozen=True, slots=True)
class ManufacturerSheet:
    """One manufacturer footprint sheet; ratios are shares of gwp_total, ``None`` when the sheet is silent."""

    manufacturer: str
    name: str
    category: str
    gwp_total: Decimal
    gwp_use_ratio: Decimal | None = None
    yearly_tec: Decimal | None = None
    lifetime: Decimal | None = None
    gwp_error_ratio: Decimal | None = None
    gwp_manufacturing_ratio: Decimal | None = None
    gwp_transport_ratio: Decimal | None = None
    gwp_eol_ratio: Decimal | None = None
    report_year: int | None = None
    url: str | None = None

    @property
    def source(self) -> Source:
        """The sheet as a citable source (the dataset's year when the report date is unknown)."""
        year = self.report_year if self.report_year is not None else BOAVIZTA.year
        dated = "" if self.report_year is not None else ", report date unknown"
        return Source(f"{self.manufacturer} {self.name}, product carbon footprint{dated}", year, self.url)


def _optional(text: str | None) -> Decimal | None:
    text = (text or "").strip()
    return Decimal(text) if text else None


def _year(text: str | None) -> int | None:
    # Report dates come as "November 2020", "October 27 2019", "Feb 2021": take the last 4-digit number.
    groups = "".join(c if c.isdigit() else " " for c in text or "").split()
    years = [int(g) for g in groups if len(g) == 4]
    return years[-1] if years else None


def sheet_from_row(row: Mapping[str, str], category: str | None = None) -> ManufacturerSheet:
    """A sheet from a row of boavizta-data-us.csv; ValueError for an unknown subcategory or empty total."""
    if category is None:
        subcategory = (row.get("subcategory") or "").strip().lower()
        if subcategory not in SUBCATEGORY_TO_CATEGORY:
            raise ValueError(f"no portal category for subcategory {row.get('subcategory')!r}")
        category = SUBCATEGORY_TO_CATEGORY[subcategory]
    total = _optional(row.get("gwp_total"))
    if total is None:
        raise ValueError("gwp_total is empty")
    return ManufacturerSheet(
        manufacturer=(row.get("manufacturer") or "").strip(),
        name=(row.get("name") or "").strip(),
        category=category_reference(category).key,
        gwp_total=total,
        gwp_use_ratio=_optional(row.get("gwp_use_ratio")),
        yearly_tec=_optional(row.get("yearly_tec")),
        lifetime=_optional(row.get("lifetime")),
        gwp_error_ratio=_optional(row.get("gwp_error_ratio")),
        gwp_manufacturing_ratio=_optional(row.get("gwp_manufacturing_ratio")),
        gwp_transport_ratio=_optional(row.get("gwp_transport_ratio")),
        gwp_eol_ratio=_optional(row.get("gwp_eol_ratio")),
        report_year=_year(row.get("report_date")),
        url=(row.get("sources") or "").strip() or None,
    )


def inputs_from_sheet(sheet: ManufacturerSheet, refurbished: bool = False) -> EquipmentInputs:
    """Footprint inputs for France from a manufacturer sheet (missing lifetime/kWh left to the category)."""
    ref = category_reference(sheet.category)
    sources = (sheet.source, BOAVIZTA)
    M = Quality.MANUFACTURER

    # gwp_error_ratio is the sheet's relative uncertainty; a ratio ≥ 1 would give a negative mass: floor at 0.
    error = sheet.gwp_error_ratio or Decimal(0)
    total = Figure(
        sheet.gwp_total,
        max(sheet.gwp_total * (1 - error), Decimal(0)),
        sheet.gwp_total * (1 + error),
        M,
        sources,
    )
    if sheet.gwp_use_ratio is not None:
        embodied = total * (1 - sheet.gwp_use_ratio)
    else:
        # Without a use ratio the use phase cannot be removed exactly: take the category's typical share.
        embodied = (total * (1 - ref.sheet_use_ratio)).downgraded(Quality.ESTIMATED)

    phases = (sheet.gwp_manufacturing_ratio, sheet.gwp_transport_ratio, sheet.gwp_eol_ratio)
    ratios = [r for r in phases if r is not None]
    if len(ratios) == 3 and sum(ratios) > 0:
        # Normalised over the non-use share: the sheet's phases rarely add up to exactly 1 − use ratio.
        non_use = sum(ratios)
        fabrication, distribution, end_of_life = (embodied * r / non_use for r in ratios)
    else:
        fabrication, distribution, end_of_life = split_embodied(embodied, ref.key)

    def optional(value: Decimal | None) -> Figure | None:
        return None if value is None else Figure(value, quality=M, sources=sources)

    return EquipmentInputs(
        category=ref.key,
        fabrication=fabrication,
        distribution=distribution,
        end_of_life=end_of_life,
        lifetime_years=optional(sheet.lifetime),
        annual_kwh=optional(sheet.yearly_tec),
        refurbished=refurbished,
    )
