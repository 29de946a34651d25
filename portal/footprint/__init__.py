"""Pure footprint core: equipment carbon footprint, refurbished and keep-longer savings, A–E labels.

Stdlib only, no Flask or SQLAlchemy: the web layer formats, this package computes. Masses are Decimal kgCO₂e;
every figure carries its range, quality level and sources.
"""

from .budget import (
    BudgetUse,
    PurchaseForecast,
    UnitFigures,
    allocate_trajectory,
    budget_use,
    budget_used_share,
    carbon_intensity,
    intensity_grade,
    purchase_forecast,
    sober_variants,
)
from .calc import (
    calculate,
    keep_longer_saving,
    keep_one_more_year_saving,
    past_half_life,
    reference_footprint,
    round_for_display,
    split_embodied,
    unused_embodied,
)
from .equivalents import EVERYDAY_EQUIVALENTS, Equivalent, EquivalentAmount, everyday_equivalents
from .factors import (
    CATEGORIES,
    CATEGORY_KEYS,
    ELECTRICITY_FR,
    MONETARY_IT_PRODUCTS,
    REFURBISHED_RULES,
    category_reference,
)
from .labels import (
    LABEL_THRESHOLDS,
    EcoLabel,
    eco_label,
    label_for_ratio,
    label_range,
    percent_vs_reference,
    ratio_to_reference,
    relative_difference,
)
from .model import (
    CategoryReference,
    EquipmentInputs,
    Figure,
    Footprint,
    Quality,
    RefurbishedRule,
    Source,
    merge_sources,
)
from .sheets import SUBCATEGORY_TO_CATEGORY, ManufacturerSheet, inputs_from_sheet, sheet_from_row

__all__ = [
    "CATEGORIES",
    "EVERYDAY_EQUIVALENTS",
    "Equivalent",
    "EquivalentAmount",
    "everyday_equivalents",
    "CATEGORY_KEYS",
    "ELECTRICITY_FR",
    "LABEL_THRESHOLDS",
    "MONETARY_IT_PRODUCTS",
    "REFURBISHED_RULES",
    "SUBCATEGORY_TO_CATEGORY",
    "BudgetUse",
    "CategoryReference",
    "EcoLabel",
    "EquipmentInputs",
    "Figure",
    "Footprint",
    "ManufacturerSheet",
    "PurchaseForecast",
    "Quality",
    "RefurbishedRule",
    "Source",
    "UnitFigures",
    "allocate_trajectory",
    "budget_use",
    "budget_used_share",
    "calculate",
    "carbon_intensity",
    "category_reference",
    "eco_label",
    "inputs_from_sheet",
    "intensity_grade",
    "keep_longer_saving",
    "keep_one_more_year_saving",
    "past_half_life",
    "label_for_ratio",
    "label_range",
    "merge_sources",
    "percent_vs_reference",
    "purchase_forecast",
    "ratio_to_reference",
    "reference_footprint",
    "relative_difference",
    "round_for_display",
    "sheet_from_row",
    "sober_variants",
    "split_embodied",
    "unused_embodied",
]
