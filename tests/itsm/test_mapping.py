"""Records → stored values (raw, display-value and exported shapes alike), and models → catalogue items."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from portal.itsm import mapping
from portal.itsm.client import ItsmError
from portal.itsm.mapping import DEFAULT_STATUS_CODES, Refused
from portal.itsm.model_matching import CatalogueIndex, category_for, manufacturer_key, model_name, similarity
from portal.itsm.settings import from_config

SAMPLES = Path(__file__).parent / "samples"


def _sample(name: str) -> list[dict]:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))["result"]


def test_a_raw_page_of_hardware_gives_the_stored_values():
    first, retired = (mapping.asset(record, DEFAULT_STATUS_CODES) for record in _sample("alm_hardware.page1.json"))
    assert first.asset_tag == "P000123" and first.email == "claire.martin@example.org"
    assert first.status == "in_use" and first.cost_eur == Decimal("1149.00")
    assert first.acquired_on == date(2022, 3, 14) and first.location_name == "Mairie de Bègles"
    assert first.updated_on == datetime(2026, 11, 20, 10, 12, 3, tzinfo=UTC)
    assert (retired.status, retired.substatus) == ("recycled", "disposed")  # retired and disposed of


def test_display_value_all_shapes_are_read_by_their_raw_value():
    record = mapping.asset(_sample("alm_hardware.display_all.json")[0], DEFAULT_STATUS_CODES)
    assert record.status == "in_use" and record.cost_eur == Decimal("429.00")  # not "€429.00"
    assert record.acquired_on == date(2023, 9, 14)  # not "14/09/2023"
    assert record.updated_on == datetime(2026, 11, 21, 8, 14, 55, tzinfo=UTC)  # UTC, not the display time


@pytest.mark.parametrize(("status", "substatus", "expected"), [
    ("1", "", "in_use"), ("6", "available", "in_stock"), ("7", "sold", "returned"), ("7", "Donated", "returned"),
    ("7", "vendor credit", "returned"), ("7", "disposed", "recycled"), ("7", "", "retired"), ("8", "stolen", "missing"),
    ("2", "", "on_order"), ("3", "", "in_maintenance"), ("9", "", "in_transit"), ("In stock", "", "in_stock"),
])
def test_install_statuses_map_to_portal_statuses(status, substatus, expected):
    assert mapping.status_of({"install_status": status, "substatus": substatus}, DEFAULT_STATUS_CODES)[0] == expected


def test_an_unknown_install_status_is_refused_not_guessed():
    with pytest.raises(Refused) as refused:
        mapping.status_of({"install_status": "10"}, DEFAULT_STATUS_CODES)
    assert (refused.value.code, refused.value.field, refused.value.value) == ("unknown_status", "install_status", "10")
    codes = from_config({"PORTAL_ITSM_STATUS_CODES": "10=in_stock"}).status_codes
    assert mapping.status_of({"install_status": "10"}, codes)[0] == "in_stock"


def test_the_install_date_stands_in_for_a_missing_purchase_date_and_neither_is_refused():
    base = {"sys_id": "a" * 32, "asset_tag": "T1", "model.display_name": "X", "install_status": "1"}
    assert mapping.asset({**base, "install_date": "2021-05-02 08:00:00"}, DEFAULT_STATUS_CODES).acquired_on == \
        date(2021, 5, 2)
    with pytest.raises(Refused) as refused:
        mapping.asset(base, DEFAULT_STATUS_CODES)
    assert refused.value.code == "missing_purchase_date"


def test_interventions_and_transfers_keep_instants_and_coordinates():
    task = mapping.intervention(_sample("wm_task.json")[0])
    assert task.lat == Decimal("44.80837") and task.lon == Decimal("-0.54772")
    assert task.travel_started_at == datetime(2026, 10, 2, 7, 40, tzinfo=UTC)
    assert task.work_ended_at - task.work_started_at == datetime(2026, 1, 1, 1, 5) - datetime(2026, 1, 1)
    line = mapping.transfer(_sample("alm_transfer_order_line.json")[0])
    assert (line.asset_tag, line.from_location_name, line.to_location_name, line.quantity) == (
        "P000123", "Centre technique informatique", "Mairie de Bègles", 1)
    with pytest.raises(Refused) as refused:
        mapping.location({"sys_id": "b" * 32, "name": "Nowhere", "latitude": "95", "longitude": "2"})
    assert refused.value.code == "coordinates_out_of_range"


def test_models_match_exactly_once_normalised():
    index = CatalogueIndex([(1, "laptop", "Dell", "Latitude 5430"), (2, "laptop", "HP", "EliteBook 835 G8 Notebook PC"),
                            (3, "smartphone", "Apple", "iPhone SE (3rd generation)")])
    exact = index.match(index.normalise("Dell Inc.", "Dell Latitude 5430"))
    assert (exact.item_id, exact.how) == (1, "exact")
    assert index.match(index.normalise("", "Apple iPhone SE (3rd generation)")).item_id == 3  # maker in the name
    assert index.match(index.normalise("Hewlett-Packard", "latitude  5430")) is None  # another maker
    similar = index.match(index.normalise("HP", "HP EliteBook 835 G8"))
    assert (similar.item_id, similar.how) == (2, "similar") and similar.similarity >= Decimal("0.85")
    assert index.match(index.normalise("HP", "HP EliteBook 840 G9")) is None  # other numbers: another model


def test_normalisation_rules():
    assert manufacturer_key("Dell Inc.") == "dell" and manufacturer_key("Hewlett-Packard") == "hp"
    assert model_name("Lenovo", "LENOVO  ThinkPad T14").key == model_name("Lenovo Group Ltd", "ThinkPad T14").key
    assert similarity("thinkpad t14 gen 3", "thinkpad t14 gen3") > Decimal("0.9")
    assert similarity("elitebook 840 g9", "elitebook 845 g8") == 0


def test_itsm_categories_name_portal_categories():
    assert category_for("Computer", "Dell OptiPlex 7000 Micro") == "desktop"
    assert category_for("Computer", "Dell Latitude 5430") == "laptop"
    assert category_for("Mobile Device", "iPhone") == "smartphone"
    assert category_for("IP Phone", "Cisco 8845") is None


def test_settings_are_checked():
    with pytest.raises(ItsmError) as raised:
        from_config({"SERVICENOW_INSTANCE_URL": "https://admin:pw@x.service-now.com"})
    assert raised.value.code == "credentials_in_url"
    with pytest.raises(ItsmError) as raised:
        from_config({"SERVICENOW_INSTANCE_URL": "x.service-now.com"})
    assert raised.value.code == "bad_instance_url"
    with pytest.raises(ItsmError) as raised:
        from_config({"PORTAL_ITSM_PAGE_SIZE": "0"})
    assert raised.value.params == {"name": "PORTAL_ITSM_PAGE_SIZE", "value": "0"}
    settings = from_config({"SERVICENOW_INSTANCE_URL": "https://x.service-now.com/", "SERVICENOW_USERNAME": "u",
                            "SERVICENOW_PASSWORD": "1234", "PORTAL_ITSM_FIELDS": "alm_hardware.retired=u_retired_on"})
    assert settings.instance == "https://x.service-now.com" and settings.connection.auth_kind == "basic"
    assert settings.connection.password == "1234" and "1234" not in repr(settings)
    assert "u_retired_on" in mapping.instance_fields("alm_hardware", settings.field_names["alm_hardware"])


def test_the_environment_gives_servicenow_settings_as_text():
    from portal.config import from_environment

    settings = from_environment(
        {"SERVICENOW_PASSWORD": "007", "SERVICENOW_TOKEN": "true", "PORTAL_ITSM_PAGE_SIZE": "500"}
    )
    assert settings["SERVICENOW_PASSWORD"] == "007" and settings["SERVICENOW_TOKEN"] == "true"
    assert settings["PORTAL_ITSM_PAGE_SIZE"] == 500
