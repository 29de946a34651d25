"""Footprint calculations, hand-computed for every category (French electricity: 0.0519 kgCO2e/kWh)."""

from decimal import Decimal as D

import pytest

from portal.footprint import (
    CATEGORIES,
    CATEGORY_KEYS,
    ELECTRICITY_FR,
    REFURBISHED_RULES,
    EquipmentInputs,
    Figure,
    Quality,
    Source,
    calculate,
    category_reference,
    keep_longer_saving,
    keep_one_more_year_saving,
    past_half_life,
    reference_footprint,
    round_for_display,
    split_embodied,
    unused_embodied,
)
from portal.footprint.factors import (
    ADEME_IMPACT_CO2,
    ADEME_REFURBISHED,
    ELECTRICITY_FR_SOURCE,
    PORTAL_ESTIMATE,
)

M, G, E = Quality.MANUFACTURER, Quality.GENERIC, Quality.ESTIMATED
SHEET = Source("Example manufacturer sheet", 2023, "https://example.org/sheet.pdf")


def q4(x):
    return round_for_display(x, 4)


def category_inputs(key: str, refurbished: bool = False) -> EquipmentInputs:
    """The category values given explicitly (so they keep their own quality, no fallback)."""
    ref = category_reference(key)
    return EquipmentInputs(
        key, ref.fabrication, ref.distribution, ref.end_of_life, ref.lifetime_years, ref.annual_kwh, refurbished
    )


def mfr(value: str, low: str | None = None, high: str | None = None) -> Figure:
    return Figure(D(value), None if low is None else D(low), None if high is None else D(high), M, (SHEET,))


# (category, embodied, annual embodied, annual use, annualised (value, low, high), quality), all to 4 places.
REFERENCE_CASES = [
    # 170 + 12.3 + 2.79 = 185.09; 185.09 / 5 = 37.018; 29.0 × 0.0519 = 1.5051; 37.018 + 1.5051 = 38.5231
    ("laptop", "185.09", "37.0180", "1.5051", ("38.5231", "38.5231", "38.5231"), G),
    # 203 + 1.85 + 6.61 = 211.46; 211.46 / 6 = 35.24333; 153.3 × 0.0519 = 7.95627; sum = 43.19960
    ("desktop", "211.46", "35.2433", "7.9563", ("43.1996", "43.1996", "43.1996"), G),
    # 64.6 + 1.29 + 3.95 = 69.84; 69.84 / 6 = 11.64; 73.0 × 0.0519 = 3.7887; sum = 15.4287
    ("monitor", "69.84", "11.6400", "3.7887", ("15.4287", "15.4287", "15.4287"), G),
    # 77 + 2.27 + 0.246 = 79.516; 79.516 / 2.5 = 31.8064; 4.93 × 0.0519 = 0.255867; sum = 32.062267
    ("smartphone", "79.516", "31.8064", "0.2559", ("32.0623", "32.0623", "32.0623"), G),
    # 80.5 + 3.43 + 0.364 = 84.294; 84.294 / 3 = 28.098; 18.25 × 0.0519 = 0.947175; sum = 29.045175
    ("tablet", "84.294", "28.0980", "0.9472", ("29.0452", "29.0452", "29.0452"), G),
    # "uncertain" row → estimated. 10.5 + 0.3 + 10.2 = 21.0; 21 / 5 = 4.2; 21.9 × 0.0519 = 1.13661; sum = 5.33661
    ("printer", "21.0", "4.2000", "1.1366", ("5.3366", "5.3366", "5.3366"), E),
    # 45.7 + 0.4 + 1.5 = 47.6; 47.6 / 6 = 7.93333; 41.4 × 0.0519 = 2.14866; sum = 10.08199
    # low: (38.1 + 0.4 + 1.5) / 6 = 6.66667 + 15.2 × 0.0519 = 0.78888 → 7.45555
    # high: (119.8 + 0.4 + 1.5) / 6 = 20.28333 + 96.4 × 0.0519 = 5.00316 → 25.28649
    ("thin_client", "47.6", "7.9333", "2.1487", ("10.0820", "7.4555", "25.2865"), E),
    # 33.0 + 0.6 + 1.4 = 35.0; 35 / 5 = 7.0; 17.52 × 0.0519 = 0.909288; sum = 7.909288
    # low: 15 / 5 = 3.0 + 8.76 × 0.0519 = 0.454644 → 3.454644; high: 63 / 5 = 12.6 + 35.04 × 0.0519 = 1.818576
    ("dock", "35.0", "7.0000", "0.9093", ("7.9093", "3.4546", "14.4186"), E),
    # 10 / 2 = 5.0 (5 / 2 = 2.5, 22 / 2 = 11.0); no use kWh
    ("headset", "10.0", "5.0000", "0.0000", ("5.0000", "2.5000", "11.0000"), E),
    # whole-life label: 22.0 / 2 = 11.0; no use kWh (included in the label)
    ("keyboard", "22.0", "11.0000", "0.0000", ("11.0000", "11.0000", "11.0000"), M),
    # whole-life label: 7.84 / 2 = 3.92 (5.5 / 2 = 2.75, 8.8 / 2 = 4.4)
    ("mouse", "7.84", "3.9200", "0.0000", ("3.9200", "2.7500", "4.4000"), M),
    # 748 / 5 = 149.6; 3504 × 0.0519 = 181.8576; sum = 331.4576
    ("server", "748", "149.6000", "181.8576", ("331.4576", "331.4576", "331.4576"), G),
    # 60.8 + 0.61 + 1.63 = 63.04; 63.04 / 5 = 12.608; 70.1 × 0.0519 = 3.63819; sum = 16.24619
    ("network", "63.04", "12.6080", "3.6382", ("16.2462", "16.2462", "16.2462"), G),
]


def test_every_category_has_a_reference_case():
    assert {case[0] for case in REFERENCE_CASES} == set(CATEGORY_KEYS)
    assert {"laptop", "desktop", "monitor", "smartphone", "tablet", "printer", "thin_client", "dock",
            "headset", "keyboard", "mouse"} <= set(CATEGORY_KEYS)  # fmt: skip


@pytest.mark.parametrize(("key", "embodied", "per_year", "use", "annualised", "quality"), REFERENCE_CASES)
def test_reference_footprint_of_every_category(key, embodied, per_year, use, annualised, quality):
    fp = reference_footprint(key)
    assert fp.embodied.value == D(embodied)
    assert q4(fp.annual_embodied.value) == D(per_year)
    assert q4(fp.annual_use.value) == D(use)
    assert tuple(q4(x) for x in (fp.annualised.value, fp.annualised.low, fp.annualised.high)) == tuple(
        D(x) for x in annualised
    )
    assert fp.quality is quality
    assert fp.fallbacks == ()
    assert not fp.refurbished and fp.avoided_embodied is None
    assert fp.net_embodied == fp.embodied
    # Exact: the category table is used as is, and no mass is a float.
    assert all(isinstance(x, D) for x in (fp.annualised.value, fp.annualised.low, fp.annualised.high))


def test_annualised_is_embodied_over_lifetime_plus_kwh_times_french_factor():
    fp = calculate(EquipmentInputs("laptop", mfr("200"), mfr("10"), mfr("5"), mfr("4"), mfr("20")))
    assert fp.embodied.value == D("215")  # 200 + 10 + 5
    assert fp.annual_embodied.value == D("53.75")  # 215 / 4
    assert fp.annual_use.value == D("1.0380")  # 20 × 0.0519
    assert fp.annualised.value == D("54.7880")  # 53.75 + 1.038
    assert fp.electricity_factor == ELECTRICITY_FR and ELECTRICITY_FR.value == D("0.0519")
    assert fp.quality is M  # the national electricity factor does not lower a device's quality
    assert fp.sources == (SHEET, ELECTRICITY_FR_SOURCE)


def test_placeholder_categories_are_explicit_estimates_with_a_note():
    for key in ("thin_client", "dock", "headset", "printer"):
        ref = CATEGORIES[key]
        assert ref.quality is E
        assert ref.note
    for key in ("thin_client", "dock", "headset"):
        assert PORTAL_ESTIMATE in reference_footprint(key).sources
    assert CATEGORIES["mouse"].quality is M and CATEGORIES["keyboard"].quality is M
    assert CATEGORIES["laptop"].quality is G


def test_unknown_category_is_refused():
    with pytest.raises(ValueError, match="unknown equipment category"):
        calculate(EquipmentInputs("toaster"))


def test_non_positive_lifetime_is_refused():
    with pytest.raises(ValueError):
        calculate(EquipmentInputs("laptop", lifetime_years=mfr("0")))


# --- Missing data ----------------------------------------------------------------------------------------


def test_missing_lifetime_falls_back_to_the_category_and_is_estimated():
    fp = calculate(EquipmentInputs("laptop", mfr("200"), mfr("10"), mfr("5"), None, mfr("20")))
    assert fp.lifetime_years.value == D(5)  # laptop category lifetime
    assert fp.lifetime_years.quality is E
    assert fp.fallbacks == ("lifetime_years",)
    assert fp.annualised.value == D("44.0380")  # 215 / 5 = 43 + 20 × 0.0519 = 1.038
    assert fp.quality is E
    assert ADEME_IMPACT_CO2 in fp.sources and SHEET in fp.sources  # the fallback is cited too


def test_missing_annual_kwh_falls_back_to_the_category_and_is_estimated():
    fp = calculate(EquipmentInputs("desktop", mfr("300"), mfr("3"), mfr("7"), mfr("5"), None))
    assert fp.annual_kwh.value == D("153.3")
    assert fp.fallbacks == ("annual_kwh",)
    assert fp.annualised.value == D("69.95627")  # 310 / 5 = 62 + 153.3 × 0.0519 = 7.95627
    assert fp.quality is E


def test_missing_embodied_part_falls_back_to_the_category_part():
    fp = calculate(EquipmentInputs("laptop", mfr("200"), mfr("10"), None, mfr("5"), mfr("20")))
    assert fp.end_of_life.value == D("2.79")
    assert fp.embodied.value == D("212.79")  # 200 + 10 + 2.79
    assert fp.annualised.value == D("43.5960")  # 212.79 / 5 = 42.558 + 1.038
    assert fp.fallbacks == ("end_of_life",) and fp.quality is E


def test_nothing_known_gives_the_category_value_marked_estimated():
    fp = calculate(EquipmentInputs("tablet"))
    assert fp.annualised.value == reference_footprint("tablet").annualised.value  # 29.045175
    assert fp.fallbacks == ("fabrication", "distribution", "end_of_life", "lifetime_years", "annual_kwh")
    assert fp.quality is E
    assert reference_footprint("tablet").quality is G  # the reference itself keeps its quality


def test_split_embodied_uses_the_category_proportions_and_marks_them_estimated():
    fab, dist, eol = split_embodied(Figure(D("370.18"), D("185.09"), D("555.27"), M, (SHEET,)), "laptop")
    # 370.18 = 2 × 185.09: each part doubles (170 → 340, 12.3 → 24.6, 2.79 → 5.58); the range follows.
    assert (q4(fab.value), q4(dist.value), q4(eol.value)) == (D("340.0000"), D("24.6000"), D("5.5800"))
    assert (q4(fab.low), q4(fab.high)) == (D("170.0000"), D("510.0000"))
    assert q4((fab + dist + eol).value) == D("370.1800")
    assert {fab.quality, dist.quality, eol.quality} == {E}
    assert fab.sources == (SHEET,)


# --- Refurbished -----------------------------------------------------------------------------------------


def test_every_category_has_one_refurbished_rule():
    assert set(REFURBISHED_RULES) == set(CATEGORY_KEYS)
    for rule in REFURBISHED_RULES.values():
        share = rule.avoided_share
        assert D(0) < share.low <= share.value <= share.high < D(1)
        assert ADEME_REFURBISHED in share.sources
        assert rule.note


def test_refurbished_laptop_avoids_about_27_kg_per_year_as_ademe_says():
    fp = calculate(category_inputs("laptop", refurbished=True))
    assert fp.avoided_embodied.value == D("135.1157")  # 185.09 × 0.73
    assert fp.net_embodied.value == D("49.9743")  # 185.09 × (1 − 0.73)
    assert fp.annual_embodied.value == D("9.99486")  # 49.9743 / 5
    assert fp.annualised.value == D("11.49996")  # 9.99486 + 1.5051
    # low uses the high share 0.97: 185.09 × 0.03 / 5 = 1.11054 + 1.5051 = 2.61564
    # high uses the low share 0.43: 185.09 × 0.57 / 5 = 21.10026 + 1.5051 = 22.60536
    assert (fp.annualised.low, fp.annualised.high) == (D("2.61564"), D("22.60536"))
    saved = reference_footprint("laptop").annualised.value - fp.annualised.value
    assert saved == D("27.02314")  # 38.5231 − 11.49996 ≈ 27 kgCO2e per year of use
    assert fp.quality is G
    assert ADEME_REFURBISHED in fp.sources


def test_refurbished_smartphone_cuts_the_annual_footprint_by_about_87_percent():
    fp = calculate(category_inputs("smartphone", refurbished=True))
    assert fp.net_embodied.value == D("10.33708")  # 79.516 × 0.13
    assert fp.annualised.value == D("4.390699")  # 10.33708 / 2.5 = 4.134832 + 0.255867
    cut = 1 - fp.annualised.value / reference_footprint("smartphone").annualised.value
    assert round_for_display(cut, 3) == D("0.863")  # 1 − 4.390699 / 32.062267; ADEME: 0.87


@pytest.mark.parametrize(
    ("key", "annualised", "quality"),
    [
        ("desktop", "17.47197", G),  # 211.46 × 0.27 = 57.0942 / 6 = 9.5157 + 7.95627
        ("tablet", "11.343435", G),  # 84.294 × 0.37 = 31.18878 / 3 = 10.39626 + 0.947175
        ("monitor", "10.42350", E),  # 69.84 × 0.57 = 39.8088 / 6 = 6.6348 + 3.7887 (no ADEME figure: 43 %)
        ("mouse", "2.2344", E),  # 7.84 × 0.57 = 4.4688 / 2
        ("server", "267.1296", E),  # 748 × 0.57 = 426.36 / 5 = 85.272 + 181.8576
    ],
)
def test_refurbished_rule_per_category(key, annualised, quality):
    fp = calculate(category_inputs(key, refurbished=True))
    assert fp.annualised.value == D(annualised)
    assert fp.refurbished
    assert fp.quality is quality


def test_refurbished_without_ademe_figure_is_estimated_and_cites_both_sources():
    fp = calculate(category_inputs("monitor", refurbished=True))
    assert fp.sources == (ADEME_IMPACT_CO2, ADEME_REFURBISHED, PORTAL_ESTIMATE, ELECTRICITY_FR_SOURCE)
    # 69.84 × (1 − 0.80) / 6 = 2.328 + 3.7887 = 6.1167; 69.84 × (1 − 0.20) / 6 = 9.312 + 3.7887 = 13.1007
    assert (fp.annualised.low, fp.annualised.high) == (D("6.11670"), D("13.10070"))


# --- Keeping a device longer -----------------------------------------------------------------------------


def test_keeping_a_laptop_one_more_year_lowers_its_annualised_footprint():
    saving = keep_one_more_year_saving(reference_footprint("laptop"))
    assert q4(saving.value) == D("6.1697")  # 185.09 / (5 × 6) = 37.018 − 185.09 / 6 (30.84833) = 6.16967
    assert saving.quality is G


def test_keep_longer_saving_defers_the_replacement_amortised_over_the_lifetime():
    laptop = reference_footprint("laptop")
    assert keep_longer_saving(laptop, 3, 12).value == D("37.018")  # T = max(3, 5) = 5: 185.09 × 1 / 5
    assert keep_longer_saving(laptop, 3, 6).value == D("18.509")  # 185.09 × 0.5 / 5
    assert keep_longer_saving(laptop, 5, 0).value == D(0)
    # Already past its lifetime: T = age = 7, 185.09 × 1 / 7 = 26.44143
    assert q4(keep_longer_saving(laptop, 7, 12).value) == D("26.4414")
    # 30 months on a smartphone aged 1: T = 2.5, 79.516 × 2.5 / 2.5 = 79.516
    assert keep_longer_saving(reference_footprint("smartphone"), 1, 30).value == D("79.516")


def test_the_two_keep_longer_formulas_agree():
    for key in CATEGORY_KEYS:
        fp = reference_footprint(key)
        per_year = keep_one_more_year_saving(fp).value
        # Over the stretched life (L + 1 years), E/(L(L+1)) per year adds up to E/L.
        assert q4(keep_longer_saving(fp, 0, 12).value) == q4(per_year * (fp.lifetime_years.value + 1))


def test_keep_longer_uses_the_refurbished_net_embodied():
    fp = calculate(category_inputs("laptop", refurbished=True))
    assert keep_one_more_year_saving(fp).value == D("1.66581")  # 49.9743 / 30


def test_keep_longer_rejects_negative_inputs():
    with pytest.raises(ValueError):
        keep_longer_saving(reference_footprint("laptop"), -1, 12)
    with pytest.raises(ValueError):
        keep_longer_saving(reference_footprint("laptop"), 1, -12)


def test_a_young_device_is_kept_to_its_lifetime_an_older_one_12_more_months():
    laptop = reference_footprint("laptop")  # lifetime 5 years
    assert not past_half_life(laptop, D("2.49")) and past_half_life(laptop, D("2.5"))
    # Replaced at 1 year: 185.09 × (5 − 1) / 5 = 148.072 kg of its manufacture unused; none past its lifetime.
    assert unused_embodied(laptop, 1).value == D("148.072")
    assert unused_embodied(laptop, 7).value == D(0)
    with pytest.raises(ValueError):
        unused_embodied(laptop, -1)


# --- Range propagation -----------------------------------------------------------------------------------


def test_lifetime_range_propagates_to_the_annualised_footprint_and_the_savings():
    lifetime = Figure(D(5), D(4), D(6), M, (SHEET,))
    fp = calculate(EquipmentInputs("laptop", mfr("185.09"), mfr("0"), mfr("0"), lifetime, mfr("29.0")))
    assert fp.annualised.value == D("38.5231")  # 185.09 / 5 + 1.5051
    assert q4(fp.annualised.low) == D("32.3534")  # 185.09 / 6 = 30.84833 + 1.5051
    assert q4(fp.annualised.high) == D("47.7776")  # 185.09 / 4 = 46.2725 + 1.5051
    saving = keep_one_more_year_saving(fp)
    assert q4(saving.value) == D("6.1697")  # 185.09 / 30
    assert q4(saving.low) == D("4.4069")  # 185.09 / (6 × 7) = 4.40690
    assert saving.high == D("9.2545")  # 185.09 / (4 × 5)
    longer = keep_longer_saving(fp, 5, 12)  # T = max(5, 4..6) = 5..6
    assert longer.value == D("37.018") and longer.high == D("37.018")  # 185.09 / 5
    assert q4(longer.low) == D("30.8483")  # 185.09 / 6


def test_embodied_ranges_add_up():
    fp = calculate(
        EquipmentInputs("laptop", mfr("170", "150", "200"), mfr("12", "10", "14"), mfr("3"), mfr("5"), mfr("29"))
    )
    assert (fp.embodied.value, fp.embodied.low, fp.embodied.high) == (D(185), D(163), D(217))  # 170+12+3 …
    assert (fp.annual_embodied.low, fp.annual_embodied.high) == (D("32.6"), D("43.4"))  # 163 / 5, 217 / 5
    assert fp.annualised.has_range and not fp.annual_use.has_range
