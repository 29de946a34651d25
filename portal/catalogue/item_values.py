"""Catalogue item values from text: the one set of rules the admin form and the CSV import both go through.

Both give text; `parse_item` turns it into typed values or problems with stable codes (translated by
`problem_message`), so an item is validated the same way whichever way it arrives. Nothing here reads the
database: the rules that need the other items are in :mod:`portal.catalogue.items`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from portal import csvio
from portal.catalogue.display import ITEM_PROBLEMS
from portal.catalogue.services import CATALOGUE_CATEGORIES
from portal.formatting import parse_decimal

#: The CSV columns, in order, for the export and the import alike.
ITEM_COLUMNS = (
    "sku", "category", "manufacturer", "name", "refurbished", "refurbished_of_sku", "price_eur",
    "fabrication_kgco2e", "distribution_kgco2e", "end_of_life_kgco2e", "lifetime_years", "annual_kwh",
    "error_ratio", "quality", "source", "source_year", "source_url", "active",
)
QUALITIES = ("manufacturer", "generic", "estimated")
MASS_FIELDS = ("fabrication_kgco2e", "distribution_kgco2e", "end_of_life_kgco2e")
MAX_LIFETIME_YEARS = Decimal(15)
MAX_MASS = Decimal(100_000)  # kgCO₂e or kWh per year: far above any office device (a server is ~750 kg)
MAX_PRICE_EUR = Decimal(1_000_000)
MAX_RATIO = Decimal(10)  # a range may reach far above the value (its low end stops at 0)
MIN_SOURCE_YEAR = 1990
SKU_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")



# ---------------------------------------------------------------------------
# Parsing: text → typed values, or problems with stable codes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field: a stable code, and the limits the message quotes."""

    field: str
    code: str
    params: tuple[tuple[str, Any], ...] = ()


def problem_message(problem: Problem) -> str:
    """The problem in the current language (the CLI forces English)."""
    return str(ITEM_PROBLEMS[problem.code]) % dict(problem.params)


def plain(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 170.0000 → 170, 0.1230 → 0.123."""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


@dataclass(frozen=True)
class DecimalRule:
    """How a decimal field is checked and stored (its column's scale)."""

    required: bool
    places: int
    maximum: Decimal
    positive: bool = False  # > 0 rather than ≥ 0

    def parse(self, name: str, text: str, problems: list[Problem], locale: str | None = None) -> Decimal | None:
        """The value rounded to the column's scale, or None (and a problem if it was required or wrong); typed
        by a reader of `locale` (see `parse_decimal`), or from a file (None)."""
        try:
            value = parse_decimal(text, locale=locale)
        except ValueError:
            problems.append(Problem(name, "not_a_number"))
            return None
        if value is None:
            if self.required:
                problems.append(Problem(name, "required"))
            return None
        value = value.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP)
        if value < 0:
            problems.append(Problem(name, "negative"))
        elif self.positive and value == 0:
            problems.append(Problem(name, "not_positive"))
        elif value > self.maximum:
            problems.append(Problem(name, "too_large", (("max", plain(self.maximum)),)))
        else:
            return value
        return None


ITEM_DECIMALS = {
    "price_eur": DecimalRule(required=True, places=2, maximum=MAX_PRICE_EUR),
    "fabrication_kgco2e": DecimalRule(required=False, places=4, maximum=MAX_MASS),
    "distribution_kgco2e": DecimalRule(required=False, places=4, maximum=MAX_MASS),
    "end_of_life_kgco2e": DecimalRule(required=False, places=4, maximum=MAX_MASS),
    "lifetime_years": DecimalRule(required=False, places=2, maximum=MAX_LIFETIME_YEARS, positive=True),
    "annual_kwh": DecimalRule(required=False, places=4, maximum=MAX_MASS),
    "error_ratio": DecimalRule(required=False, places=4, maximum=MAX_RATIO),
}
#: Text columns: (required, maximum length).
ITEM_TEXTS = {"manufacturer": (True, 80), "name": (True, 200), "source": (True, 300), "source_url": (False, 500)}


def parse_text(name: str, text: str, problems: list[Problem], *, required: bool, max_length: int) -> str:
    """Stripped text, checked for presence and length."""
    value = text.strip()
    if required and not value:
        problems.append(Problem(name, "required"))
    elif len(value) > max_length:
        problems.append(Problem(name, "too_long", (("max", max_length),)))
    return value


def parse_year(name: str, text: str, problems: list[Problem], *, today: date | None = None) -> int | None:
    """A plausible source year: from 1990 to this year."""
    value = text.strip()
    this_year = (today or date.today()).year
    if not value:
        problems.append(Problem(name, "required"))
        return None
    if not value.isdigit() or len(value) != 4:
        problems.append(Problem(name, "not_a_year"))
        return None
    if not MIN_SOURCE_YEAR <= int(value) <= this_year:
        problems.append(Problem(name, "year_out_of_range", (("min", MIN_SOURCE_YEAR), ("max", this_year))))
        return None
    return int(value)


def parse_quality(name: str, text: str, problems: list[Problem]) -> str:
    """One of manufacturer, generic, estimated."""
    value = text.strip().lower()
    if value not in QUALITIES:
        problems.append(Problem(name, "required" if not value else "unknown_quality"))
    return value


def _boolean(name: str, text: str, problems: list[Problem], *, default: bool) -> bool:
    try:
        return csvio.parse_yes_no(text, default=default)
    except ValueError:
        problems.append(Problem(name, "not_a_boolean"))
        return default


def parse_item(raw: Mapping[str, str], locale: str | None = None) -> tuple[dict[str, Any], list[Problem]]:
    """An item's values from text (form, typed by a reader of `locale`, or CSV row), and every problem found on
    its own (no database)."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    sku = raw.get("sku", "").strip()
    if not sku:
        problems.append(Problem("sku", "required"))
    elif len(sku) > 80:
        problems.append(Problem("sku", "too_long", (("max", 80),)))
    elif not SKU_PATTERN.match(sku):
        problems.append(Problem("sku", "bad_sku"))
    values["sku"] = sku
    category = raw.get("category", "").strip()
    if category not in CATALOGUE_CATEGORIES:
        problems.append(Problem("category", "required" if not category else "unknown_category",
                                (("known", ", ".join(CATALOGUE_CATEGORIES)),)))
    values["category"] = category
    for name, (required, max_length) in ITEM_TEXTS.items():
        values[name] = parse_text(name, raw.get(name, ""), problems, required=required, max_length=max_length)
    if values["source_url"] and not values["source_url"].lower().startswith(("https://", "http://")):
        problems.append(Problem("source_url", "bad_url"))
    values["source_url"] = values["source_url"] or None
    values["refurbished"] = _boolean("refurbished", raw.get("refurbished", ""), problems, default=False)
    values["active"] = _boolean("active", raw.get("active", ""), problems, default=True)
    values["refurbished_of_sku"] = raw.get("refurbished_of_sku", "").strip() or None
    for name, rule in ITEM_DECIMALS.items():
        values[name] = rule.parse(name, raw.get(name, ""), problems, locale)
    masses = [values[name] for name in MASS_FIELDS if values[name] is not None]
    if masses and not any(masses) and not any(p.field in MASS_FIELDS for p in problems):
        problems.append(Problem("fabrication_kgco2e", "all_masses_zero"))
    values["quality"] = parse_quality("quality", raw.get("quality", ""), problems)
    values["source_year"] = parse_year("source_year", raw.get("source_year", ""), problems)
    return values, problems
