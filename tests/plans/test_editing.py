"""Editing from the pages: the action form's checks (said in the user's language), an admin editing an action
with its milestones and contributors, the owner and contributors with check-ins, and who may not (403/404)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from portal.models import db
from portal.plans import services
from portal.plans.forms import ActionForm
from portal.plans.models import Action, CheckIn, Milestone
from tests.conftest import csrf_token
from tests.plans.test_routes import _declared, _measured

FIELDS = {
    "title": "PUE du centre de données à 1,4",
    "owner_email": "owner@test.example",
    "indicator": "",
    "declared_name": "PUE du centre de données",
    "unit_id": "0",
    "trend": "decrease",
    "start_on": "2025-01-01",
    "deadline": "2026-12-31",
    "baseline": "1.8",
    "target": "1.4",
}


def _form(app, **changes: str) -> ActionForm:
    with app.test_request_context(method="POST", data={**FIELDS, **changes}):
        form = ActionForm(formdata=MultiDict({**FIELDS, **changes}), meta={"csrf": False})
        form.indicator.choices = [("", "declared"), ("embodied_kgco2e", "embodied")]
        form.unit_id.choices = [(0, "org")]
        form.trend.choices = [("decrease", "d"), ("increase", "i")]
        form.baseline_source.choices = [("start", "s"), ("reference_year", "r")]
        form.validate()
        return form


def test_a_valid_form_has_no_error_and_gives_its_milestones(app):
    form = _form(app, **{"milestones-0-due_on": "2025-12-31", "milestones-0-value": "1.6", "milestones-1-due_on": ""})
    assert form.errors == {}
    assert form.milestone_values() == ((date(2025, 12, 31), Decimal("1.6")),)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"deadline": "2024-12-31"}, "deadline", "L’échéance doit venir après le début."),
        ({"deadline": "2025-01-01"}, "deadline", "L’échéance doit venir après le début."),
        ({"target": "1.8"}, "target", "La cible doit différer de la référence."),
        ({"title": ""}, "title", "Donnez un titre à l’action."),
    ],
)
def test_the_form_says_what_is_wrong_next_to_the_field(app, changes, field, message):
    form = _form(app, **changes)
    assert message in [str(error) for error in form[field].errors]


@pytest.mark.parametrize("field", ["baseline", "target", "milestones-0-value"])
def test_a_value_too_large_for_its_column_is_refused_on_its_field(app, field):
    form = _form(app, **{"milestones-0-due_on": "2025-12-31", "milestones-0-value": "1.6", field: "1e13"})
    errors = form.milestones[0].form.value.errors if field.startswith("milestones") else form[field].errors
    assert "Saisissez un nombre d’au plus 12 chiffres avant la virgule." in [str(e) for e in errors]
    largest = _form(app, **{"milestones-0-due_on": "2025-12-31", "milestones-0-value": "1.6", field: "999999999999.5"})
    assert largest.errors == {}  # the column holds it


def test_the_services_refuse_a_value_too_large_for_its_column():
    with pytest.raises(services.PlanError) as refused:
        services.check_action(
            indicator_code="",
            start_on=date(2025, 1, 1),
            deadline=date(2026, 12, 31),
            target=Decimal("1.4"),
            baseline=Decimal("1.8"),
            trend="decrease",
            declared_name="PUE",
            milestones=((date(2025, 6, 30), Decimal("-1E+12")),),
        )
    assert refused.value.code == "value_too_large" and refused.value.params["value"] == "-1000000000000"


def test_a_milestone_needs_its_date_and_target_and_falls_between_start_and_deadline(app):
    half = _form(app, **{"milestones-0-due_on": "2025-12-31"})
    assert "Un jalon a besoin de sa date et de sa cible." in half.milestones[0].form.value.errors
    outside = _form(app, **{"milestones-0-due_on": "2027-06-30", "milestones-0-value": "1.5"})
    assert outside.milestones[0].form.due_on.errors == ["Un jalon tombe entre le début et l’échéance."]
    removed = _form(app, **{"milestones-0-due_on": "2027-06-30", "milestones-0-value": "1.5",
                            "milestones-0-remove": "y"})  # fmt: skip
    assert removed.errors == {} and removed.milestone_values() == ()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"deadline": date(2024, 1, 1)}, "deadline_before_start"),
        ({"target": Decimal("1.8")}, "target_equals_baseline"),
        ({"target": Decimal("2")}, "target_against_trend"),
        ({"trend": "increase"}, "target_against_trend"),
        ({"milestones": ((date(2027, 1, 1), Decimal("1.5")),)}, "milestone_outside"),
        ({"milestones": ((date(2025, 6, 1), Decimal("1.7")), (date(2025, 6, 1), Decimal("1.6")))}, "milestone_twice"),
        ({"declared_name": " "}, "declared_needs_name_and_baseline"),
        ({"indicator_code": "nope"}, "unknown_indicator"),
    ],
)
def test_the_services_refuse_what_the_form_cannot_see(changes, code):
    fields = {
        "indicator_code": "",
        "start_on": date(2025, 1, 1),
        "deadline": date(2026, 12, 31),
        "target": Decimal("1.4"),
        "baseline": Decimal("1.8"),
        "trend": "decrease",
        "declared_name": "PUE",
        **changes,
    }
    with pytest.raises(services.PlanError) as refused:
        services.check_action(**fields)
    assert refused.value.code == code


def test_an_admin_edits_an_action_its_milestones_and_contributors(client, login_as, make_user, make_action):
    owner = make_user(email="owner@test.example")
    make_user(email="helper@test.example", first_name="Hélène", last_name="Aide")
    action = _declared(make_action, owner_id=owner.id)
    db.session.add(Milestone(action_id=action.id, due_on=date(2025, 6, 30), value=Decimal("1.7")))
    db.session.commit()
    login_as("admin")
    url = f"/admin/plans/{action.plan_id}/actions/{action.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'value="owner@test.example"' in page and 'value="2025-06-30"' in page and "Jalon 3\u202f: date" in page
    token = csrf_token(client)
    data = {
        **FIELDS,
        "csrf_token": token,
        "title": "PUE à 1,4 en 2026",
        "contributor_emails": "helper@test.example\nowner@test.example",
        "milestones-0-due_on": "2025-06-30",
        "milestones-0-value": "1.7",
        "milestones-0-remove": "y",
        "milestones-1-due_on": "2025-12-31",
        "milestones-1-value": "1.6",
        "public": "y",
    }
    saved = client.post(url, data=data, follow_redirects=True)
    assert "Action enregistrée." in saved.get_data(as_text=True)
    assert "Hélène Aide" in saved.get_data(as_text=True)
    db.session.expire_all()
    action = db.session.get(Action, action.id)
    assert (action.title, action.public) == ("PUE à 1,4 en 2026", True)
    assert [(m.due_on, m.value) for m in action.milestones] == [(date(2025, 12, 31), Decimal("1.6"))]
    assert [u.email for u in action.contributors] == ["helper@test.example"]  # the owner is not repeated
    refused = client.post(url, data={**data, "deadline": "2024-12-31", "target": "1.8"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "L’échéance doit venir après le début." in text and "La cible doit différer de la référence." in text
    unknown = client.post(url, data={**data, "contributor_emails": "nobody@test.example"})
    assert unknown.status_code == 400 and "nobody@test.example" in unknown.get_data(as_text=True)


def test_a_measured_action_keeps_what_its_history_was_read_from(client, login_as, make_user, make_action):
    owner = make_user(email="owner@test.example")
    action = _declared(make_action, owner_id=owner.id)
    _measured(action)
    login_as("admin", locale="en")
    url = f"/admin/plans/{action.plan_id}/actions/{action.id}/edit"
    token = csrf_token(client)
    moved = client.post(url, data={**FIELDS, "csrf_token": token, "baseline": "1.9"})
    assert moved.status_code == 400 and "This action has been measured" in moved.get_data(as_text=True)
    later = client.post(url, data={**FIELDS, "csrf_token": token, "deadline": "2027-12-31"})
    assert later.status_code == 302
    assert db.session.get(Action, action.id).deadline == date(2027, 12, 31)


def test_only_admins_edit_actions_and_only_in_their_plan(client, login_as, make_action, make_user):
    owner = login_as()
    action = _declared(make_action, owner_id=owner.id)
    other = _declared(make_action)
    url = f"/admin/plans/{action.plan_id}/actions/{action.id}/edit"
    assert client.get(url).status_code == 403  # the owner adds check-ins, but does not edit the action
    assert client.post(url, data={**FIELDS, "csrf_token": csrf_token(client)}).status_code == 403
    login_as("admin")
    assert client.get(f"/admin/plans/{action.plan_id}/actions/{other.id}/edit").status_code == 404
    assert client.get(f"/admin/plans/{action.plan_id}/actions/9999/edit").status_code == 404


def test_contributors_add_check_ins_and_the_owner_edits_them(client, login, make_action, make_user):
    owner, helper, stranger = make_user(), make_user(), make_user()
    action = _declared(make_action, owner_id=owner.id)  # not public: only its people open it
    action.contributors = [helper]
    db.session.commit()
    login(stranger)
    assert client.get(f"/plans/actions/{action.id}").status_code == 404
    login(helper)
    page = client.get(f"/plans/actions/{action.id}").get_data(as_text=True)
    assert "Contributeurs" in page and helper.full_name in page
    token = csrf_token(client)
    client.post(f"/plans/actions/{action.id}/check-ins", data={"csrf_token": token, "comment": "Devis reçu",
                                                               "on": "2025-06-02"})  # fmt: skip
    check_in = db.session.scalar(sa.select(CheckIn))
    assert (check_in.comment, check_in.author_id) == ("Devis reçu", helper.id)
    assert client.post(f"/plans/actions/{action.id}/declared", data={"csrf_token": token, "value": "1.6",
                       "on": "2025-06-30", "source": "x"}).status_code == 404  # fmt: skip
    login(owner)
    edit = f"/plans/actions/{action.id}/check-ins/{check_in.id}/edit"
    assert "Devis reçu" in client.get(edit).get_data(as_text=True)
    token = csrf_token(client)
    empty = client.post(edit, data={"csrf_token": token, "comment": "", "on": "2025-06-02"})
    assert empty.status_code == 400 and "un point d’étape a besoin d’un commentaire" in empty.get_data(as_text=True)
    saved = client.post(edit, data={"csrf_token": token, "comment": "Devis signé", "on": "2025-06-03"},
                        follow_redirects=True)  # fmt: skip
    assert "Point d’étape enregistré." in saved.get_data(as_text=True)
    db.session.expire_all()
    assert (check_in.comment, check_in.on) == ("Devis signé", date(2025, 6, 3))
    other = _declared(make_action, owner_id=owner.id)
    assert client.get(f"/plans/actions/{other.id}/check-ins/{check_in.id}/edit").status_code == 404
    login(stranger)
    assert client.get(edit).status_code == 404


def test_a_manager_sees_their_units_contribution(client, login_as, make_action, estate):
    from portal.estate import services as estate_services

    estate_services.take_snapshot(2025, 1, today=date(2026, 1, 15))
    action = make_action(public=True, title="Moins d’empreinte de fabrication", deadline=date(2026, 12, 31))
    services.measure_baseline(action)
    action.target = (action.baseline * Decimal("0.8")).quantize(Decimal("0.01"))
    services.measure_month(2025, 1, today=date(2026, 1, 15))
    db.session.commit()
    login_as("manager", org_unit_id=estate.service.id)
    page = client.get("/objectives").get_data(as_text=True)
    assert "Votre service, Service support\u202f:" in page and "pour toute l’organisation" in page
    # A figure is never split from its unit or its % sign at the end of a line (a narrow no-break space).
    text = re.sub(r"<[^>]+>", "", page)
    assert re.search(r"\d\u202fkg", text) and re.search(r"\d\u202f%", text)
    assert not re.search(r"\d (kg|%|ans|appareils)", text), re.search(r".{60}\d (kg|%|ans|appareils).{20}", text)
    login_as()
    assert "Votre service" not in client.get("/objectives").get_data(as_text=True)
