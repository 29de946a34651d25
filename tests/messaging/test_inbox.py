"""The employee's side: inbox with unread count in the menu, own messages only, e-mail preferences."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.messaging.audience import Criteria
from portal.messaging.models import EmailOptOut, MessageRecipient, OutboxEntry
from portal.models import db
from tests.conftest import csrf_token


@pytest.mark.parametrize("role", ["employee", "manager"])
def test_only_comms_and_admins_reach_the_comms_pages(client, login_as, make_message, role):
    message = make_message()
    login_as(role)
    for path in ("/comms/messages", "/comms/messages/new", "/comms/templates", f"/comms/messages/{message.id}",
                 f"/comms/messages/{message.id}/audience", f"/comms/messages/{message.id}/preview",
                 f"/comms/messages/{message.id}/failures.csv"):
        assert client.get(path).status_code == 403, path
    token = csrf_token(client)
    for path in (f"/comms/messages/{message.id}/send", f"/comms/messages/{message.id}/test", "/comms/messages"):
        assert client.post(path, data={"csrf_token": token}).status_code == 403, path


@pytest.mark.parametrize("role", ["comms", "admin"])
def test_comms_and_admins_reach_the_comms_pages(client, login_as, make_message, role):
    message = make_message()
    login_as(role)
    for path in ("/comms/messages", "/comms/messages/new", "/comms/templates", f"/comms/messages/{message.id}",
                 f"/comms/messages/{message.id}/audience", f"/comms/messages/{message.id}/preview"):
        assert client.get(path).status_code == 200, path


def test_every_comms_route_requires_the_comms_role(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/comms/"):
            assert app.view_functions[rule.endpoint].required_roles == ("comms",), rule.rule


def test_comms_posts_need_the_csrf_token(client, login_as, make_message):
    message = make_message()
    login_as("comms")
    assert client.post(f"/comms/messages/{message.id}/send").status_code == 400
    assert client.post("/comms/messages/validate", data={"field": "body_fr", "body_fr": "x"}).status_code == 400


def test_inbox_newest_first_with_unread_count_in_the_menu_and_read_on_open(client, login, make_user, make_message,
                                                                           start):
    ana = make_user(first_name="Ana", email="ana@test.example")
    only_ana = Criteria(languages=("fr",))
    old = start(make_message(subject_fr="Ancien message", category="news", audience=only_ana))
    new = start(make_message(subject_fr="Bonjour {{ first_name }}", body_fr="Vous avez {{ device_count }} appareil.",
                             category="footprint", audience=only_ana))
    login(ana)
    page = client.get("/messages").get_data(as_text=True)
    assert page.index("Bonjour Ana") < page.index("Ancien message")
    assert '<span class="count">2<span class="visually-hidden"> nouveau' in page
    assert "Mon empreinte" in page  # the category

    message_page = client.get(f"/messages/{new.id}").get_data(as_text=True)
    assert "Vous avez 0 appareil." in message_page
    assert '<span class="count">1<' in message_page  # opened: one left
    mine = db.session.scalar(sa.select(MessageRecipient).where(MessageRecipient.message_id == new.id,
                                                               MessageRecipient.user_id == ana.id))
    assert mine.read_at is not None
    filtered = client.get("/messages?category=news", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert filtered.lstrip().startswith('<section id="inbox-results"')
    assert "Ancien message" in filtered and "Bonjour Ana" not in filtered
    assert old.id != new.id


def test_an_employee_reads_only_their_own_messages(client, login, make_user, make_message, start):
    ana = make_user(email="ana@test.example", locale="fr")
    bob = make_user(email="bob@test.example", locale="en")
    for_bob = start(make_message(audience=Criteria(languages=("en",))))
    login(ana)
    assert client.get(f"/messages/{for_bob.id}").status_code == 404
    assert client.get("/messages/999999").status_code == 404
    assert bob.id != ana.id


def test_email_only_messages_are_not_in_the_inbox_but_their_link_opens(client, login, make_user, make_message,
                                                                       start):
    ana = make_user(email="ana@test.example")
    message = start(make_message(subject_fr="Par e-mail seulement", channels="email"))
    login(ana)
    assert "Par e-mail seulement" not in client.get("/messages").get_data(as_text=True)
    assert client.get(f"/messages/{message.id}").status_code == 200


def test_opting_out_stops_non_essential_emails_but_not_portal_messages(client, login, make_user, make_message,
                                                                       start):
    ana = make_user(email="ana@test.example")
    login(ana)
    page = client.get("/me/preferences").get_data(as_text=True)
    assert page.count('type="checkbox"') == 3 and page.count("checked") == 3
    response = client.post("/me/preferences", data={"categories": ["campaign"], "csrf_token": csrf_token(client)})
    assert response.status_code == 303
    assert set(db.session.scalars(sa.select(EmailOptOut.category).where(EmailOptOut.user_id == ana.id))) == {
        "news", "footprint"
    }
    news = start(make_message(category="news"))
    practical = start(make_message(category="practical"))
    campaign = start(make_message(category="campaign"))

    def emailed(message) -> bool:
        return db.session.scalar(
            sa.select(OutboxEntry.id).where(OutboxEntry.message_id == message.id, OutboxEntry.user_id == ana.id)
        ) is not None

    assert not emailed(news)
    assert emailed(practical) and emailed(campaign)
    inbox = client.get("/messages").get_data(as_text=True)
    assert inbox.count("/messages/") >= 3  # every message is in the portal inbox
