"""The composer for people who have never seen a template language: conditions built from words, a live
preview beside the editor as a chosen or drawn recipient, the placeholders with their values to insert."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from portal.messaging import services
from portal.messaging.conditions import ConditionRequest, append_snippet, condition_snippet
from portal.messaging.placeholders import example_context
from portal.messaging.rendering import render, validate
from tests.conftest import csrf_token

CONTENT = {"category": "news", "channels": "both", "subject_fr": "Bonjour {{ first_name }}",
           "body_fr": "Bonjour {{ first_name }},", "subject_en": "", "body_en": "", "cta_url": ""}


@pytest.mark.parametrize(("placeholder", "operator", "value", "test"), [
    ("device_count", "gt", "2", "device_count is not none and device_count > 2"),
    ("footprint_kg_per_year", "gte", "1 234,5",
     "footprint_kg_per_year is not none and footprint_kg_per_year >= 1234.5"),
    ("oldest_device_years", "lt", "4", "oldest_device_years is not none and oldest_device_years < 4"),
    ("oldest_device_years", "lte", "4", "oldest_device_years is not none and oldest_device_years <= 4"),
    ("device_count", "eq", "0", "device_count == 0"),
    ("device_count", "ne", "1", "device_count != 1"),
    ("org_unit", "eq", "Direction du numérique", 'org_unit == "Direction du numérique"'),
    ("commune", "ne", "Bègles", 'commune != "Bègles"'),
    ("nearest_collection_point", "empty", "", "not nearest_collection_point"),
    ("team_rank", "empty", "", "team_rank is none"),
    ("campaign_freed_gb", "not_empty", "", "campaign_freed_gb is not none"),
    ("site", "not_empty", "", "site"),
])
def test_each_operator_writes_a_condition_that_saves_and_renders(placeholder, operator, value, test):
    snippet = condition_snippet(ConditionRequest(placeholder, operator, value, "Un paragraphe."))
    assert snippet == f"{{% if {test} %}}\nUn paragraphe.\n{{% endif %}}\n"
    assert validate("Bonjour,\n" + snippet) == []
    empty = {**example_context(), placeholder: None}  # a value may be missing for someone: never an error
    render(snippet, empty, "fr")


def test_an_ordering_on_a_missing_value_hides_the_paragraph_instead_of_failing():
    snippet = condition_snippet(ConditionRequest("oldest_device_years", "gt", "3", "Gardez-le encore."))
    assert render(snippet, {**example_context(), "oldest_device_years": None}, "fr").text == ""
    assert render(snippet, {**example_context(), "oldest_device_years": 5}, "fr").text == "Gardez-le encore."


@pytest.mark.parametrize(("request_", "code"), [
    (ConditionRequest("nope", "gt", "2", "x"), "condition_placeholder"),
    (ConditionRequest("device_count", "bigger", "2", "x"), "condition_operator"),
    (ConditionRequest("device_count", "gt", "", "x"), "condition_value_missing"),
    (ConditionRequest("device_count", "gt", "deux", "x"), "condition_not_a_number"),
    (ConditionRequest("device_count", "gt", "1e400", "x"), "condition_not_a_number"),
    (ConditionRequest("org_unit", "gt", "A", "x"), "condition_ordering_text"),
    (ConditionRequest("org_unit", "eq", 'A" or 1 %}', "x"), "condition_value_characters"),
    (ConditionRequest("device_count", "gt", "2", "  "), "condition_text_missing"),
    (ConditionRequest("device_count", "gt", "2", "x", field="subject_fr"), "condition_field"),
])
def test_a_condition_that_cannot_be_written_says_why(request_, code):
    with pytest.raises(services.MessageError) as refused:
        condition_snippet(request_)
    assert refused.value.code == code
    assert refused.value.message("fr") != refused.value.message("en")


def test_without_the_script_the_paragraph_is_added_at_the_end_and_nothing_is_saved(client, login_as):
    login_as("comms")
    data = {**CONTENT, "cond-placeholder": "device_count", "cond-operator": "gt", "cond-value": "2",
            "cond-text": "Vous avez beaucoup d’équipements.", "cond-field": "body_fr", "csrf_token": csrf_token(client)}
    page = client.post("/comms/messages/compose/condition", data=data).get_data(as_text=True)
    assert ("Bonjour {{ first_name }},\n\n{% if device_count is not none and device_count &gt; 2 %}\n"
            "Vous avez beaucoup d’équipements.\n{% endif %}") in page
    assert "Le paragraphe et sa condition sont ajoutés à la fin du message" in page
    assert "est supérieur ou égal à" in page  # the operators, in the interface language
    refused = client.post("/comms/messages/compose/condition", data={**data, "cond-value": "deux"})
    assert refused.status_code == 422
    assert "«\u202fdeux\u202f» n’est pas un nombre" in refused.get_data(as_text=True)


def test_with_the_script_the_condition_comes_back_as_an_event_to_insert_at_the_cursor(client, login_as):
    login_as("comms", locale="en")
    data = {**CONTENT, "cond-placeholder": "org_unit", "cond-operator": "eq", "cond-value": "DSI",
            "cond-text": "For the IT department.", "cond-field": "body_en", "csrf_token": csrf_token(client)}
    response = client.post("/comms/messages/compose/condition", data=data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    event = json.loads(response.headers["HX-Trigger"])["condition-ready"]
    assert event == {"field": "body_en", "text": '{% if org_unit == "DSI" %}\nFor the IT department.\n{% endif %}\n'}
    fragment = response.get_data(as_text=True)
    assert fragment.startswith('<details id="condition-builder"')
    # where it goes is the server's word, whichever widget of the form sent the request (never the preview's place)
    assert (response.headers["HX-Retarget"], response.headers["HX-Reswap"]) == ("#condition-builder", "outerHTML")
    assert "is greater than or equal to" in fragment


def test_append_keeps_the_paragraph_apart():
    assert append_snippet("Bonjour,\n", "{% if x %}\na\n{% endif %}\n") == "Bonjour,\n\n{% if x %}\na\n{% endif %}\n"
    assert append_snippet("", "s") == "s"


@pytest.fixture
def two_employees(make_user, make_item, make_asset):
    ana = make_user(first_name="Ana", last_name="Agent", email="ana@test.example")
    bob = make_user(first_name="Bob", last_name="Martin", email="bob@test.example", locale="en")
    laptop = make_item(fabrication_kgco2e=Decimal("250"), annual_kwh=Decimal("20"))
    make_asset(user=ana, item=laptop, acquired_on=date(2021, 5, 1))
    make_asset(user=ana, item=None, category="smartphone", acquired_on=date(2024, 1, 10))
    return ana, bob


def test_the_live_preview_shows_the_text_being_typed_as_a_chosen_recipient(client, login_as, two_employees):
    login_as("comms")
    body = ("Bonjour {{ first_name }},\n{% if device_count > 1 %}\nVous avez {{ device_count }} équipements.\n"
            "{% endif %}")
    response = client.post("/comms/messages/compose/preview", headers={"HX-Request": "true"}, data={
        **CONTENT, "body_fr": body, "preview-query": "ana@", "csrf_token": csrf_token(client)})
    fragment = response.get_data(as_text=True)
    assert fragment.startswith('<div id="live-preview"')
    assert "Tel que Ana Agent le recevra – Français" in fragment
    assert "Bonjour Ana" in fragment and "Vous avez 2 équipements." in fragment
    assert "<summary>Version texte (e-mail)</summary>" in fragment
    # each placeholder with its description and Ana's value, ready to be inserted
    assert ('<code data-insert="{{ device_count }}" data-label="Insérer {{ device_count }}">{{ device_count }}</code>'
            " Nombre d’équipements attribués – <b>2</b>") in fragment
    assert "HX-Request" in response.headers["Vary"]
    assert (response.headers["HX-Retarget"], response.headers["HX-Reswap"]) == ("#live-preview", "outerHTML")

    broken = client.post("/comms/messages/compose/preview", headers={"HX-Request": "true"}, data={
        **CONTENT, "body_fr": "{% if device_count > 1 %}oups", "csrf_token": csrf_token(client)})
    assert "Corrigez les problèmes signalés sous le texte" in broken.get_data(as_text=True)


def test_another_recipient_at_random_draws_someone_else_and_keeps_them(client, login_as, two_employees):
    comms = login_as("comms", first_name="Chloé", last_name="Com")
    seen = set()
    draw = "0"
    for _ in range(3):
        fragment = client.post("/comms/messages/compose/preview", headers={"HX-Request": "true"}, data={
            **CONTENT, "preview-draw": draw, "preview-another": "1", "csrf_token": csrf_token(client)},
        ).get_data(as_text=True)
        draw = fragment.split('name="preview-draw" type="hidden" value="')[1].split('"')[0]
        seen.add(fragment.split("Tel que ")[1].split(" le recevra")[0])
    assert seen == {"Ana Agent", "Bob Martin", comms.full_name}
    again = client.post("/comms/messages/compose/preview", headers={"HX-Request": "true"}, data={
        **CONTENT, "preview-draw": draw, "csrf_token": csrf_token(client)}).get_data(as_text=True)
    assert f'value="{draw}"' in again  # typing keeps the same person


def test_without_the_script_the_compose_page_previews_and_lists_placeholders_to_copy(client, login_as,
                                                                                     two_employees):
    login_as("comms")
    page = client.get("/comms/messages/new").get_data(as_text=True)
    assert '<code data-insert="{{ first_name }}"' in page  # a list to copy from; the script makes them buttons
    assert "js/composer.js" in page
    assert "Afficher un paragraphe seulement si…" in page
    full = client.post("/comms/messages/compose/preview", data={
        **CONTENT, "preview-query": "bob", "csrf_token": csrf_token(client)})
    assert full.status_code == 200
    assert "<h1>Nouveau message</h1>" in full.get_data(as_text=True)
    assert "Tel que Bob Martin le recevra – Français" in full.get_data(as_text=True)  # no English version: French
