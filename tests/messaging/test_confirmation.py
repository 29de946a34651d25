"""The confirmation step before any send or schedule: audience size, channels, languages, time, a few
recipients, the number of e-mails; above a threshold the number must be typed; nothing sends without it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale

from portal.messaging import services
from portal.messaging.audience import Criteria
from portal.messaging.models import EmailOptOut, Message, MessageRecipient, MessageStatus, OutboxEntry
from portal.models import db, utcnow
from tests.conftest import csrf_token
from tests.messaging.conftest import confirm_in_pages

NNBSP = "\u202f"


@pytest.fixture
def three_readers(make_user):
    """Two French readers (one of them opted out of news e-mails) and one English reader."""
    ana = make_user(first_name="Ana", last_name="Agent", locale="fr")
    bea = make_user(first_name="Béa", last_name="Bois", locale="fr")
    cole = make_user(first_name="Cole", last_name="Carter", locale="en")
    db.session.add(EmailOptOut(user_id=bea.id, category="news"))
    db.session.commit()
    return ana, bea, cole


def _draft(make_message, author, **overrides):
    values = {"subject_en": "Hello {{ first_name }}", "body_en": "Hello.", "category": "news",
              "audience": Criteria(roles=()), "author": author}
    values.update(overrides)
    return make_message(**values)


def test_the_step_shows_who_gets_what_before_anything_is_sent(client, login_as, make_message, three_readers):
    comms = login_as("comms", first_name="Chloé", last_name="Com")
    message = _draft(make_message, comms)
    page = client.get(f"/comms/messages/{message.id}/confirm").get_data(as_text=True)
    assert "Confirmer l’envoi" in page
    assert '<strong id="confirm-count">4 personnes</strong>' in page  # the three readers and the author
    assert "Portail et e-mail" in page
    assert "3 en français, 1 en anglais" in page
    assert "maintenant : l’envoi commence dans quelques secondes" in page.replace("\u00a0", " ")
    assert "3 e-mails" in page  # Béa opted out of news e-mails
    for name in ("Ana Agent", "Béa Bois", "Cole Carter", "Chloé Com"):
        assert name in page
    assert ">Envoyer à 4 personnes</button>" in page
    assert 'id="typed"' not in page  # a small audience: no number to type
    db.session.refresh(message)
    assert message.status == MessageStatus.DRAFT.value  # looking changes nothing

    scheduled = client.get(f"/comms/messages/{message.id}/confirm?send_at=2099-03-21T09:30").get_data(as_text=True)
    assert "Confirmer la programmation" in scheduled
    assert "21/03/2099 09:30" in scheduled or "21 mars 2099" in scheduled
    assert ">Programmer pour 4 personnes</button>" in scheduled
    assert confirm_in_pages(client, message, send_at="2099-03-21T09:30").status_code == 303
    db.session.refresh(message)
    assert (message.status, message.scheduled_at) == (MessageStatus.SCHEDULED.value,
                                                      datetime(2099, 3, 21, 8, 30, tzinfo=UTC))


def test_above_the_threshold_the_number_must_be_typed(app, client, login_as, make_message, three_readers,
                                                       monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_MESSAGING_CONFIRM_TYPING_ABOVE", 3)
    message = _draft(make_message, login_as("comms"))
    page = client.get(f"/comms/messages/{message.id}/confirm").get_data(as_text=True)
    assert "Pour confirmer, tapez le nombre de destinataires" in page
    assert '<input id="typed" name="typed" inputmode="numeric" autocomplete="off" required>' in page
    for wrong in ("", "3", "40"):
        response = confirm_in_pages(client, message, typed=wrong)
        assert response.headers["Location"].endswith(f"/comms/messages/{message.id}/confirm")
        assert "Tapez le nombre de destinataires indiqué" in client.get(response.headers["Location"]).get_data(
            as_text=True)
        db.session.refresh(message)
        assert message.status == MessageStatus.DRAFT.value, wrong
    confirm_in_pages(client, message, typed=" 4 ")
    db.session.refresh(message)
    assert message.status == MessageStatus.SCHEDULED.value


def test_a_large_audience_reads_send_to_that_many_people(app):
    """The button and the prompt for 20,143 recipients, as the template writes them in both languages."""
    summary = services.SendSummary(at=None, recipients=20_143, english=143, emails=20_012, sample=["Ana Agent"],
                                   must_type=True)
    message = Message(id=7, subject_fr="Bonjour {{ first_name }}", body_fr="x", status="draft", via_portal=True,
                      via_email=True, category="news", audience={})
    from portal.messaging.display import CHANNEL_NAMES
    from portal.messaging.forms import ConfirmForm

    for locale, button, prompt in (
        ("fr", f"Envoyer à 20{NNBSP}143 personnes", f"tapez le nombre de destinataires\u202f: 20{NNBSP}143"),
        ("en", "Send to 20,143 people", "type the number of recipients: 20,143"),
    ):
        with app.test_request_context("/"), force_locale(locale):
            page = render_template("messaging/comms/confirm.html", message=message, summary=summary,
                                   form=ConfirmForm(data={"recipients": 20_143}), channel_names=CHANNEL_NAMES)
        assert f">{button}</button>" in page, locale
        assert prompt in page, locale


def test_a_change_of_audience_after_the_step_sends_nothing(client, login_as, make_user, make_message, three_readers):
    message = _draft(make_message, login_as("comms"))
    token = csrf_token(client)
    make_user(locale="fr")  # joins the audience after the step showed 4 people
    response = client.post(f"/comms/messages/{message.id}/send", data={"csrf_token": token, "recipients": "4"})
    assert response.headers["Location"].endswith(f"/comms/messages/{message.id}/confirm")
    assert "Les destinataires ont changé depuis" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(message)
    assert message.status == MessageStatus.DRAFT.value


def test_the_services_refuse_to_send_or_schedule_without_a_matching_confirmation(make_message, three_readers):
    message = _draft(make_message, None)
    now = utcnow()
    for send in (lambda c: services.send_now(message, now=now, confirmation=c),
                 lambda c: services.schedule(message, datetime(2099, 1, 1, tzinfo=UTC), now=now, confirmation=c)):
        with pytest.raises(services.MessageError) as refused:
            send(services.Confirmation(recipients=0))
        assert refused.value.code == "audience_changed"
    assert message.status == MessageStatus.DRAFT.value


def _sample_value(argument: str, message: Message) -> object:
    return message.id if argument.endswith("_id") else "x"


def test_no_request_path_sends_or_schedules_without_the_confirmation_step(app, client, login_as, make_message,
                                                                         three_readers):
    """Every URL of the portal, GET and POST, with every field a send or a schedule reads but the confirmation:
    the draft stays a draft. Then the confirmation step alone sends it."""
    admin = login_as("admin")  # every role: every page is reachable
    message = _draft(make_message, admin)
    token = csrf_token(client)
    fields = {"csrf_token": token, "send_at": "2099-03-21T09:30", "when": "now", "typed": "4",
              "confirm": "1", "field": "body_fr", "body_fr": "x"}
    tried = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "accounts.logout"):
            continue
        path = rule.build({a: _sample_value(a, message) for a in rule.arguments}, append_unknown=False)[1]
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            if method == "GET":
                client.get(path, query_string={"send_at": "2099-03-21T09:30"})
            else:
                client.post(path, data=fields)
            tried += 1
            db.session.expire_all()
            current = db.session.get(Message, message.id)
            assert (current.status, current.scheduled_at) == (MessageStatus.DRAFT.value, None), (method, path)
    assert tried > 60
    assert db.session.scalar(sa.select(sa.func.count(MessageRecipient.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(OutboxEntry.id))) == 0
    assert confirm_in_pages(client, message).status_code == 303
    db.session.refresh(message)
    assert message.status == MessageStatus.SCHEDULED.value
