"""Messages cite the featured shared objective: the plans plug their placeholders into messaging (which cannot
import them), the composer lists them and a message renders the figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.messaging.context import ContextBuilder
from portal.messaging.placeholders import PLACEHOLDERS, plugged_in
from portal.messaging.rendering import render, validate
from portal.models import utcnow
from portal.plans import services
from tests.plans.test_routes import _declared, _measured

BODY = "Objectif « {{ objective_title }} » : {{ objective_value }} pour une cible de {{ objective_target }}, " \
    "{{ objective_progress }} % du chemin."


def test_the_objectives_placeholders_are_plugged_into_messaging():
    assert {"objective_title", "objective_value", "objective_target", "objective_progress"} <= set(PLACEHOLDERS)
    assert any(source.load is services.message_values for source in plugged_in())
    assert validate(BODY) == []


def test_a_message_renders_the_featured_objectives_figures(make_action, make_user):
    recipient = make_user()
    _measured(_declared(make_action, public=True, title="Réduire le PUE"), value=Decimal("1.62"))
    context = ContextBuilder(today=date(2025, 7, 2), now=utcnow(), portal_url="http://x").contexts([recipient])
    values = context[recipient.id]
    assert values["objective_title"] == "Réduire le PUE"
    assert (values["objective_value"], values["objective_progress"]) == (Decimal("1.6"), 50)
    text = render(BODY, values, "fr").text
    assert "Objectif « Réduire le PUE »" in text and "1,6 pour une cible de 1,4, 50 % du chemin" in text


def test_without_a_measured_objective_the_placeholders_are_empty(make_action, make_user):
    recipient = make_user()
    _declared(make_action, public=True)  # not measured yet
    values = ContextBuilder(today=date(2025, 7, 2), now=utcnow(), portal_url="http://x").contexts([recipient])
    assert values[recipient.id]["objective_value"] is None


def test_the_composer_lists_the_objectives_placeholders(client, login_as):
    login_as("comms")
    page = client.get("/comms/messages/new").get_data(as_text=True)
    assert "objective_progress" in page and "Avancement de l’objectif commun vers sa cible (%)" in page
