"""Constant tables: electricity factor, category reference values, refurbished rule, with their sources.

Copied from the project's reference data (factors.csv, usage_factors.csv, Boavizta sheets) so that nothing is
read from disk at run time. Changing a number here changes every label: cite the new source when you do.
"""

from __future__ import annotations

from decimal import Decimal

from .model import CategoryReference, Figure, Quality, RefurbishedRule, Source

__all__ = [
    "ADEME_IMPACT_CO2",
    "ADEME_MONETARY_RATIOS",
    "ADEME_PRINTER",
    "ADEME_REFURBISHED",
    "ADEME_SERVER",
    "BOAVIZTA",
    "CATEGORIES",
    "CATEGORY_KEYS",
    "ELECTRICITY_FR",
    "ELECTRICITY_FR_SOURCE",
    "LOGITECH_LABELS",
    "MONETARY_IT_PRODUCTS",
    "PORTAL_ESTIMATE",
    "REFURBISHED_RULES",
    "category_reference",
]

D = Decimal
M, G, E = Quality.MANUFACTURER, Quality.GENERIC, Quality.ESTIMATED

# --- Sources -------------------------------------------------------------------------------------------

ELECTRICITY_FR_SOURCE = Source(
    "ADEME Base Empreinte, Électricité 2024 mix moyen consommation (moyenne 2021-2024)",
    2024,
    "https://base-empreinte.ademe.fr/",
)
ADEME_IMPACT_CO2 = Source(
    "ADEME Base Empreinte / NegaOctet via Impact CO2 (publicodes-acv-numerique 2.1.0, 2022 study)",
    2022,
    "https://impactco2.fr/",
)
ADEME_PRINTER = Source(
    "ADEME model via Impact CO2 (values predate Base Empreinte v2; low confidence)",
    2022,
    "https://impactco2.fr/",
)
ADEME_SERVER = Source("ADEME model (data-centre server) via Impact CO2", 2022, "https://impactco2.fr/")
LOGITECH_LABELS = Source("Logitech carbon labels (whole life, 2 years of use), via Tom's Hardware", 2021)
ADEME_REFURBISHED = Source(
    "ADEME, Évaluation de l'impact environnemental d'un ensemble de produits reconditionnés",
    2022,
)
BOAVIZTA = Source(
    "Boavizta environmental-footprint-data (2023-02-23), Open Database License 1.0",
    2023,
    "https://github.com/Boavizta/environmental-footprint-data",
)
PORTAL_ESTIMATE = Source("Portal estimate, reasoning in the category note (no public figure found)", 2026)

ADEME_MONETARY_RATIOS = Source(
    "ADEME Base Empreinte, ratios monétaires: produits informatiques, électroniques et optiques (NACE C26)",
    2023,
    "https://base-empreinte.ademe.fr/",
)

# --- Spending ------------------------------------------------------------------------------------------

#: kgCO₂e per k€ (excluding VAT) spent on computer, electronic and optical products: the yardstick of a
#: budget's carbon intensity. The exact Base Empreinte row could not be read where this library was built, so
#: the value is the order of magnitude its monetary ratios give for this product family, marked estimated,
#: with a wide range (300-920 kg/k€: the spread of the published ratios for IT purchases). Replace it with the
#: row of the current Base Empreinte when you have it, keeping the source and year.
MONETARY_IT_PRODUCTS = Figure(
    Decimal("500"), Decimal("300"), Decimal("920"), Quality.ESTIMATED, (ADEME_MONETARY_RATIOS,)
)

# --- Electricity ---------------------------------------------------------------------------------------

#: French consumption mix, kgCO₂e/kWh (previous ADEME value 0.0580 for 2023 alone).
ELECTRICITY_FR = Figure(D("0.0519"), quality=G, sources=(ELECTRICITY_FR_SOURCE,))


def _fig(value: str, quality: Quality, source: Source, low: str | None = None, high: str | None = None) -> Figure:
    return Figure(D(value), None if low is None else D(low), None if high is None else D(high), quality, (source,))


# --- Categories ----------------------------------------------------------------------------------------
# One row per category, kgCO₂e for the phases, years, kWh/year. `sheet_use_ratio` is the median
# gwp_use_ratio of the Boavizta sheets of the matching subcategory (0.257 = median of all sheets, for
# categories that have none).

_ROWS: tuple[CategoryReference, ...] = (
    CategoryReference(
        "laptop",
        "14.6-inch reference laptop",
        _fig("170", G, ADEME_IMPACT_CO2),
        _fig("12.3", G, ADEME_IMPACT_CO2),
        _fig("2.79", G, ADEME_IMPACT_CO2),
        _fig("5", G, ADEME_IMPACT_CO2),
        _fig("29.0", G, ADEME_IMPACT_CO2),  # 26.5 W × 3 h/day
        D("0.17"),
    ),
    CategoryReference(
        "desktop",
        "professional desktop without screen",
        _fig("203", G, ADEME_IMPACT_CO2),
        _fig("1.85", G, ADEME_IMPACT_CO2),
        _fig("6.61", G, ADEME_IMPACT_CO2),
        _fig("6", G, ADEME_IMPACT_CO2),
        _fig("153.3", G, ADEME_IMPACT_CO2),  # 70 W × 6 h/day
        D("0.382"),
    ),
    CategoryReference(
        "monitor",
        "24-inch monitor",
        _fig("64.6", G, ADEME_IMPACT_CO2),
        _fig("1.29", G, ADEME_IMPACT_CO2),
        _fig("3.95", G, ADEME_IMPACT_CO2),
        _fig("6", G, ADEME_IMPACT_CO2),
        _fig("73.0", G, ADEME_IMPACT_CO2),  # 50 W × 4 h/day
        D("0.288"),
        note="Manufacturer monitor sheets (Boavizta median ≈ 357 kg embodied) are far above this value.",
    ),
    CategoryReference(
        "smartphone",
        "smartphone",
        _fig("77", G, ADEME_IMPACT_CO2),
        _fig("2.27", G, ADEME_IMPACT_CO2),
        _fig("0.246", G, ADEME_IMPACT_CO2),
        _fig("2.5", G, ADEME_IMPACT_CO2),
        _fig("4.93", G, ADEME_IMPACT_CO2),
        D("0.15"),
    ),
    CategoryReference(
        "tablet",
        "tablet",
        _fig("80.5", G, ADEME_IMPACT_CO2),
        _fig("3.43", G, ADEME_IMPACT_CO2),
        _fig("0.364", G, ADEME_IMPACT_CO2),
        _fig("3", G, ADEME_IMPACT_CO2),
        _fig("18.25", G, ADEME_IMPACT_CO2),
        D("0.194"),
    ),
    CategoryReference(
        # The CSV flags this row "uncertain" (end of life larger than fabrication looks suspect): estimated.
        "printer",
        "office printer",
        _fig("10.5", E, ADEME_PRINTER),
        _fig("0.3", E, ADEME_PRINTER),
        _fig("10.2", E, ADEME_PRINTER),
        _fig("5", E, ADEME_PRINTER),
        _fig("21.9", E, ADEME_PRINTER),  # 60 W × 1 h/day
        D("0.977"),
        note="Low confidence: values predate Base Empreinte v2 and end of life exceeds fabrication.",
    ),
    CategoryReference(
        "thin_client",
        "thin client (estimate)",
        # 16 Dell Wyse sheets (Boavizta), embodied = gwp_total × (1 − gwp_use_ratio): median 47.6 kg,
        # range 40.0-121.7 kg (≈ 23 % of the ADEME desktop). Split with the desktop's proportions
        # (96.0 / 0.9 / 3.1 %); the whole range is carried by fabrication.
        _fig("45.7", E, PORTAL_ESTIMATE, "38.1", "119.8"),
        _fig("0.4", E, PORTAL_ESTIMATE),
        _fig("1.5", E, PORTAL_ESTIMATE),
        # Same renewal cycle as the desktop it replaces.
        _fig("6", E, PORTAL_ESTIMATE),
        # Median yearly TEC of the same sheets, range 15.2-96.4 kWh (all-in-one models include a screen).
        _fig("41.4", E, PORTAL_ESTIMATE, "15.2", "96.4"),
        D("0.525"),
        note="No ADEME figure: median of 16 Dell Wyse manufacturer sheets (Boavizta), one manufacturer only.",
    ),
    CategoryReference(
        "dock",
        "USB-C docking station (estimate)",
        # Closest ADEME item is the internet box (63.04 kg: board, casing, external power supply); a dock has
        # a smaller board, so about half of it, with the box itself as the upper bound and 15 kg as the lower.
        _fig("33.0", E, PORTAL_ESTIMATE, "13.0", "61.0"),
        _fig("0.6", E, PORTAL_ESTIMATE),
        _fig("1.4", E, PORTAL_ESTIMATE),
        _fig("5", E, PORTAL_ESTIMATE),  # replaced with the laptop it serves
        # Stays plugged in: 2 W on average × 24 h × 365 d = 17.52 kWh (1 W → 8.76, 4 W → 35.04).
        _fig("17.52", E, PORTAL_ESTIMATE, "8.76", "35.04"),
        D("0.257"),
        note="No public figure: about half an internet box (ADEME 63 kg), plugged in all year at ~2 W.",
    ),
    CategoryReference(
        "headset",
        "office headset (estimate)",
        # Plastics, two small speakers, a cable or a small battery: between a mouse (5.5-8.8 kg) and a
        # keyboard (22 kg) label, kept as a whole-life figure like them.
        _fig("10.0", E, PORTAL_ESTIMATE, "5.0", "22.0"),
        _fig("0", E, PORTAL_ESTIMATE),
        _fig("0", E, PORTAL_ESTIMATE),
        _fig("2", E, PORTAL_ESTIMATE),
        _fig("0", E, PORTAL_ESTIMATE),  # charging a wireless headset is < 1 kWh/year: < 0.05 kg
        D("0.257"),
        note="No public figure: between the Logitech mouse and keyboard labels, whole life over 2 years.",
    ),
    CategoryReference(
        # Whole-life label over 2 years of use: counted as embodied (not split), use already included.
        "keyboard",
        "keyboard (Logitech G213 label)",
        _fig("22.0", M, LOGITECH_LABELS),
        _fig("0", M, LOGITECH_LABELS),
        _fig("0", M, LOGITECH_LABELS),
        _fig("2", M, LOGITECH_LABELS),
        _fig("0", M, LOGITECH_LABELS),
        D("0.257"),
        note="Gaming keyboard label: an office keyboard is likely lower.",
    ),
    CategoryReference(
        "mouse",
        "mouse (Logitech label)",
        _fig("7.84", M, LOGITECH_LABELS, "5.5", "8.8"),
        _fig("0", M, LOGITECH_LABELS),
        _fig("0", M, LOGITECH_LABELS),
        _fig("2", M, LOGITECH_LABELS),
        _fig("0", M, LOGITECH_LABELS),
        D("0.257"),
        note="Whole-life label over 2 years; Logitech mice range 5.5-8.8 kg.",
    ),
    CategoryReference(
        "server",
        "data-centre server",
        # Not split by phase in the source: all in fabrication.
        _fig("748", G, ADEME_SERVER),
        _fig("0", G, ADEME_SERVER),
        _fig("0", G, ADEME_SERVER),
        _fig("5", G, ADEME_SERVER),
        _fig("3504", G, ADEME_SERVER),  # 400 W × 24 h
        D("0.822"),
        note="Boavizta gives 3660 kg for a generic server: large uncertainty.",
    ),
    CategoryReference(
        "network",
        "internet box",
        _fig("60.8", G, ADEME_IMPACT_CO2),
        _fig("0.61", G, ADEME_IMPACT_CO2),
        _fig("1.63", G, ADEME_IMPACT_CO2),
        _fig("5", G, ADEME_IMPACT_CO2),
        _fig("70.1", G, ADEME_IMPACT_CO2),  # 8 W × 24 h
        D("0.81"),
    ),
)

#: Reference values by category key.
CATEGORIES: dict[str, CategoryReference] = {row.key: row for row in _ROWS}
CATEGORY_KEYS: tuple[str, ...] = tuple(CATEGORIES)


def category_reference(key: str) -> CategoryReference:
    """The reference values of a category; ValueError for an unknown key."""
    try:
        return CATEGORIES[key]
    except KeyError:
        raise ValueError(f"unknown equipment category {key!r}; known: {', '.join(CATEGORY_KEYS)}") from None


# --- Refurbished rule ----------------------------------------------------------------------------------
# A refurbished device is charged (1 − share) of the embodied emissions of a new one; its use is unchanged.
# ADEME 2022 (refurbished products study): smartphone −87 % of the annual climate impact (0.77-0.91); laptop
# ≈ −27 kgCO₂e per year of use; reduction ranges laptop/desktop 43-97 %, tablet 46-80 %, smartphone 64-87 %.
# The ranges span ADEME's indicators: we use them as the uncertainty of the share.
# * smartphone: 0.87 (0.77-0.91) applied to embodied: use is < 1 % of a smartphone's annual footprint.
# * laptop: 27 / (185.09 / 5) = 27 / 37.018 ≈ 0.73 of the amortised embodied, range 43-97 %.
# * desktop: same as the laptop (ADEME publishes one laptop/desktop range).
# * tablet: midpoint of 46-80 % = 0.63.
# * no ADEME figure (monitor, printer, thin client, dock, peripherals, server, network): 0.43, the lowest
#   bound ADEME publishes for any category, so the central value never overstates; high 0.80 (the lowest
#   published upper bound, tablet), low 0.20 for refurbishing that replaces a major part (panel, drum).

_SHARE_GENERIC = (ADEME_REFURBISHED,)
_SHARE_ESTIMATED = Figure(D("0.43"), D("0.20"), D("0.80"), E, (ADEME_REFURBISHED, PORTAL_ESTIMATE))
_NO_ADEME_NOTE = "No ADEME figure: conservative assumption (lowest published bound, 43 %)."

#: Avoided share of embodied emissions for a refurbished device, by category (the one refurbished table).
REFURBISHED_RULES: dict[str, RefurbishedRule] = {
    "smartphone": RefurbishedRule(
        "smartphone",
        Figure(D("0.87"), D("0.77"), D("0.91"), G, _SHARE_GENERIC),
        "ADEME 2022: −87 % (77-91 %).",
    ),
    "laptop": RefurbishedRule(
        "laptop",
        Figure(D("0.73"), D("0.43"), D("0.97"), G, _SHARE_GENERIC),
        "ADEME 2022: ≈ −27 kgCO₂e per year of use = 73 % of 37.02 kg/year; range 43-97 %.",
    ),
    "desktop": RefurbishedRule(
        "desktop",
        Figure(D("0.73"), D("0.43"), D("0.97"), G, _SHARE_GENERIC),
        "ADEME 2022 laptop/desktop range 43-97 %; central value of the laptop.",
    ),
    "tablet": RefurbishedRule(
        "tablet", Figure(D("0.63"), D("0.46"), D("0.80"), G, _SHARE_GENERIC), "ADEME 2022: 46-80 %, midpoint."
    ),
    **{
        key: RefurbishedRule(key, _SHARE_ESTIMATED, _NO_ADEME_NOTE)
        for key in (
            "monitor",
            "printer",
            "thin_client",
            "dock",
            "headset",
            "keyboard",
            "mouse",
            "server",
            "network",
        )
    },
}
