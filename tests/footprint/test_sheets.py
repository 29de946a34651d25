"""Manufacturer sheets (Boavizta rows, copied literally from boavizta-data-us.csv) turned into inputs."""

from decimal import Decimal as D

import pytest

from portal.footprint import (
    EcoLabel,
    ManufacturerSheet,
    Quality,
    calculate,
    eco_label,
    inputs_from_sheet,
    round_for_display,
    sheet_from_row,
)
from portal.footprint.factors import BOAVIZTA, ELECTRICITY_FR_SOURCE

M, E = Quality.MANUFACTURER, Quality.ESTIMATED

# Complete sheet: use, phases, error, lifetime, yearly TEC.
DELL_C1422H = {
    "manufacturer": "Dell", "name": "C1422H Monitor", "category": "Workplace", "subcategory": "Monitor",
    "gwp_total": "442.0", "gwp_use_ratio": "0.154", "yearly_tec": "20.1", "lifetime": "6.0",
    "use_location": "EU", "report_date": "August 2021",
    "sources": "https://www.delltechnologies.com/asset/en-us/products/electronics-and-accessories/"
    "technical-support/c1422h-monitor-pcf-datasheet.pdf",
    "gwp_error_ratio": "0.224", "gwp_manufacturing_ratio": "0.821", "gwp_transport_ratio": "0.023",
    "gwp_eol_ratio": "0.001",
}  # fmt: skip
# Transport and end of life given as 0: all the non-use share is manufacturing.
DELL_LATITUDE_3120 = {
    "manufacturer": "Dell", "name": "Latitude 3120 2-in-1", "category": "Workplace", "subcategory": "Laptop",
    "gwp_total": "245.0", "gwp_use_ratio": "0.152", "yearly_tec": "17.7", "lifetime": "4.0",
    "use_location": "EU", "report_date": "February 2021",
    "sources": "https://www.delltechnologies.com/asset/en-us/products/laptops-and-2-in-1s/technical-support/"
    "latitude-3120-2-in-1-pcf-datasheet.pdf",
    "gwp_error_ratio": "0.1796", "gwp_manufacturing_ratio": "0.804", "gwp_transport_ratio": "0",
    "gwp_eol_ratio": "0",
}  # fmt: skip
# No lifetime, no error ratio.
GOOGLE_PIXELBOOK_GO = {
    "manufacturer": "Google", "name": "Pixelbook Go", "category": "Workplace", "subcategory": "Laptop",
    "gwp_total": "195.0", "gwp_use_ratio": "0.13", "yearly_tec": "13.0", "lifetime": "", "use_location": "",
    "report_date": "October 27 2019",
    "sources": "https://www.gstatic.com/gumdrop/sustainability/pixelbookgo-productenvironmentreport.pdf",
    "gwp_error_ratio": "", "gwp_manufacturing_ratio": "0.82", "gwp_transport_ratio": "0.04",
    "gwp_eol_ratio": "0.01",
}  # fmt: skip
# No yearly TEC, no end-of-life ratio, error ratio 0.
APPLE_MACBOOK_AIR_M1 = {
    "manufacturer": "Apple", "name": "13-inch MacBook Air (M1 CPU) 256GB - 2020", "category": "Workplace",
    "subcategory": "Laptop", "gwp_total": "161", "gwp_use_ratio": "0.1500", "yearly_tec": "", "lifetime": "3",
    "use_location": "WW", "report_date": "November 2020",
    "sources": "https://www.apple.com/environment/pdf/products/notebooks/13-inch_MacBookAir_PER_Nov2020.pdf",
    "gwp_error_ratio": "0.0000", "gwp_manufacturing_ratio": "0.7600", "gwp_transport_ratio": "0.0800",
    "gwp_eol_ratio": "",
}  # fmt: skip
# No use ratio.
DELL_E2218HN = {
    "manufacturer": "Dell", "name": "E2218HN Monitor", "category": "Workplace", "subcategory": "Monitor",
    "gwp_total": "448.0", "gwp_use_ratio": "", "yearly_tec": "35.8155", "lifetime": "6.0", "use_location": "EU",
    "report_date": "December 2018",
    "sources": "https://i.dell.com/sites/csdocuments/Shared-Content_data-Sheets_Documents/en/E2218HN-Monitor.pdf",
    "gwp_error_ratio": "0.192", "gwp_manufacturing_ratio": "0.677", "gwp_transport_ratio": "",
    "gwp_eol_ratio": "",
}  # fmt: skip


def q4(x):
    return round_for_display(x, 4)


def test_complete_sheet_gives_manufacturer_figures_with_the_error_range():
    sheet = sheet_from_row(DELL_C1422H)
    assert sheet.category == "monitor" and sheet.report_year == 2021
    fp = calculate(inputs_from_sheet(sheet))
    assert q4(fp.embodied.value) == D("373.9320")  # 442 × (1 − 0.154); parts re-added to 28 digits
    # phases normalised over 0.821 + 0.023 + 0.001 = 0.845: 373.932 × 0.821 / 0.845 = 363.31145
    assert q4(fp.fabrication.value) == D("363.3114")
    assert q4(fp.distribution.value) == D("10.1780")  # 373.932 × 0.023 / 0.845
    assert q4(fp.end_of_life.value) == D("0.4425")  # 373.932 × 0.001 / 0.845
    assert q4(fp.annualised.value) == D("63.3652")  # 373.932 / 6 = 62.322 + 20.1 × 0.0519 = 1.04319
    # low: 442 × 0.776 × 0.846 = 290.171232 / 6 = 48.361872 + 1.04319 = 49.405062
    # high: 442 × 1.224 × 0.846 = 457.692768 / 6 = 76.282128 + 1.04319 = 77.325318
    assert (q4(fp.annualised.low), q4(fp.annualised.high)) == (D("49.4051"), D("77.3253"))
    assert fp.quality is M and fp.fallbacks == ()
    assert fp.sources == (sheet.source, BOAVIZTA, ELECTRICITY_FR_SOURCE)
    assert sheet.source.year == 2021 and sheet.source.url == DELL_C1422H["sources"]
    # 63.3652 / 15.4287 = 4.1: the ADEME monitor reference is far below manufacturer sheets.
    assert eco_label(fp) is EcoLabel.E


def test_zero_transport_and_end_of_life_put_everything_in_fabrication():
    fp = calculate(inputs_from_sheet(sheet_from_row(DELL_LATITUDE_3120)))
    assert fp.fabrication.value == D("207.76")  # 245 × (1 − 0.152)
    assert fp.distribution.value == 0 and fp.end_of_life.value == 0
    assert fp.annualised.value == D("52.85863")  # 207.76 / 4 = 51.94 + 17.7 × 0.0519 = 0.91863
    # low: 245 × 0.8204 × 0.848 = 170.446304 / 4 = 42.611576 + 0.91863
    # high: 245 × 1.1796 × 0.848 = 245.073696 / 4 = 61.268424 + 0.91863
    assert (fp.annualised.low, fp.annualised.high) == (D("43.530206"), D("62.187054"))
    assert fp.quality is M
    assert eco_label(fp) is EcoLabel.D  # 52.85863 / 38.5231 = 1.372


def test_missing_lifetime_falls_back_to_the_category():
    sheet = sheet_from_row(GOOGLE_PIXELBOOK_GO)
    assert sheet.report_year == 2019
    fp = calculate(inputs_from_sheet(sheet))
    assert fp.embodied.value == D("169.65")  # 195 × 0.87
    # 0.82 + 0.04 + 0.01 = 0.87: 169.65 × 0.82 / 0.87 = 159.9; × 0.04 / 0.87 = 7.8; × 0.01 / 0.87 = 1.95
    assert (fp.fabrication.value, fp.distribution.value, fp.end_of_life.value) == (
        D("159.9"), D("7.8"), D("1.95"),
    )  # fmt: skip
    assert fp.lifetime_years.value == D(5) and fp.fallbacks == ("lifetime_years",)
    assert fp.annualised.value == D("34.6047")  # 169.65 / 5 = 33.93 + 13.0 × 0.0519 = 0.6747
    assert not fp.annualised.has_range  # no error ratio
    assert fp.quality is E


def test_missing_phase_ratio_and_kwh_use_the_category_and_are_estimated():
    fp = calculate(inputs_from_sheet(sheet_from_row(APPLE_MACBOOK_AIR_M1)))
    assert fp.embodied.value == D("136.85")  # 161 × 0.85, split like the ADEME laptop:
    assert q4(fp.fabrication.value) == D("125.6929")  # 136.85 × 170 = 23264.5 / 185.09
    assert q4(fp.distribution.value) == D("9.0943")  # 136.85 × 12.3 = 1683.255 / 185.09
    assert q4(fp.end_of_life.value) == D("2.0628")  # 136.85 × 2.79 = 381.8115 / 185.09
    assert fp.fabrication.quality is E
    assert fp.annual_kwh.value == D("29.0") and fp.fallbacks == ("annual_kwh",)
    assert q4(fp.annualised.value) == D("47.1218")  # 136.85 / 3 = 45.61667 + 29.0 × 0.0519 = 1.5051
    assert not fp.annualised.has_range  # error ratio 0
    assert fp.quality is E


def test_missing_use_ratio_takes_the_category_typical_share():
    fp = calculate(inputs_from_sheet(sheet_from_row(DELL_E2218HN)))
    assert q4(fp.embodied.value) == D("318.9760")  # 448 × (1 − 0.288), the median monitor use ratio
    assert fp.embodied.quality is E and fp.quality is E
    assert q4(fp.embodied.low) == D("257.7326")  # 448 × (1 − 0.192) × 0.712 = 257.732608


def test_refurbished_sheet():
    fp = calculate(inputs_from_sheet(sheet_from_row(DELL_LATITUDE_3120), refurbished=True))
    assert fp.net_embodied.value == D("56.0952")  # 207.76 × 0.27
    assert fp.annualised.value == D("14.94243")  # 56.0952 / 4 = 14.0238 + 0.91863


def test_error_ratio_above_one_is_floored_at_zero():
    sheet = ManufacturerSheet("X", "Y", "laptop", D(100), gwp_use_ratio=D("0.2"), gwp_error_ratio=D("1.5"))
    fp = calculate(inputs_from_sheet(sheet))
    assert fp.embodied.low == 0 and fp.embodied.high == D(200)  # 100 × 2.5 × 0.8
    assert sheet.source.year == BOAVIZTA.year and "report date unknown" in sheet.source.label


@pytest.mark.parametrize(
    ("subcategory", "category"),
    [("Thin Client", "thin_client"), ("Thin client", "thin_client"), ("Workstation", "desktop"), ("Tablet", "tablet")],
)
def test_subcategory_mapping(subcategory, category):
    assert sheet_from_row({**DELL_C1422H, "subcategory": subcategory}).category == category


def test_unknown_subcategory_or_empty_total_is_refused():
    with pytest.raises(ValueError):
        sheet_from_row({**DELL_C1422H, "subcategory": "IoT"})
    with pytest.raises(ValueError):
        sheet_from_row({**DELL_C1422H, "gwp_total": ""})
    assert sheet_from_row({**DELL_C1422H, "subcategory": "IoT"}, category="dock").category == "dock"
