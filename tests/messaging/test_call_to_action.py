"""A call-to-action link per message: a page of the portal or an https address, checked at save; "En savoir
plus" leads there, and to the message itself in the portal when there is none."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.messaging import services
from portal.messaging.audience import Criteria
from portal.messaging.models import Message
from portal.models import db
from tests.conftest import csrf_token

CONTENT = {"category": "news", "channels": "both", "subject_fr": "Bonjour {{ first_name }}",
           "body_fr": "Un message.", "subject_en": "", "body_en": ""}


@pytest.mark.parametrize(("link", "valid"), [
    ("/collection-points", True),
    ("/catalogue?category=laptop", True),
    ("https://www.ademe.fr/numerique", True),
    ("", True),
    ("/no-such-page", False),
    ("//evil.example/collection-points", False),
    ("/collection-points\\@evil.example", False),
    ("http://www.ademe.fr", False),
    ("https://portail.example.org@evil.example/", False),
    ("javascript:alert(1)", False),
    ("collection-points", False),
    ("https://" + "a" * 500 + ".example", False),
])
def test_a_link_is_a_portal_page_or_an_https_address(link, valid):
    data = services.MessageInput(subject_fr="Objet", body_fr="Texte", cta_url=link)
    if valid:
        assert services.check_content(data).cta_url == link
    else:
        with pytest.raises(services.ContentRejected) as rejected:
            services.check_content(data)
        assert rejected.value.missing == (("cta_url", "cta_url"),)


def test_a_wrong_link_is_refused_at_save_under_its_field(client, login_as):
    login_as("comms")
    response = client.post("/comms/messages", data={**CONTENT, "cta_url": "http://ademe.fr",
                                                    "csrf_token": csrf_token(client)})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="cta_url-error"' in page
    assert "Indiquez une page du portail, commençant par /" in page
    assert db.session.scalar(sa.select(sa.func.count(Message.id))) == 0
    saved = client.post("/comms/messages", data={**CONTENT, "cta_url": "/collection-points",
                                                 "csrf_token": csrf_token(client)})
    assert saved.status_code == 303
    assert db.session.scalar(sa.select(Message.cta_url)) == "/collection-points"


def test_learn_more_leads_to_the_link_or_to_the_message(client, smtp, make_user, make_message, start,
                                                        run_dispatch, login):
    ana = make_user(email="ana@test.example", locale="fr")
    with_link = start(make_message(cta_url="/collection-points", audience=Criteria(languages=("fr",))))
    without = start(make_message(cta_url="", audience=Criteria(languages=("fr",))))
    run_dispatch()
    by_message = {m.message_id: m for m in smtp.to("ana@test.example")}
    linked = [m for m in smtp.to("ana@test.example") if "collection-points" in m.part("text/plain")]
    (email,) = linked
    text, html = email.part("text/plain"), email.part("text/html")
    assert "En savoir plus : http://localhost/collection-points" in text.replace("\u00a0", " ")
    assert f"Lire ce message dans le portail du numérique responsable : http://localhost/messages/{with_link.id}" \
        in text.replace("\u00a0", " ")
    assert 'href="http://localhost/collection-points"' in html and ">En savoir plus</a>" in html
    (plain,) = [m for m in by_message.values() if m is not email]
    assert f"En savoir plus : http://localhost/messages/{without.id}" in plain.part("text/plain").replace("\u00a0", " ")
    assert "Lire ce message dans le portail" not in plain.part("text/plain")

    login(ana)
    page = client.get(f"/messages/{with_link.id}").get_data(as_text=True)
    assert '<a class="button" href="/collection-points">En savoir plus</a>' in page
    assert "En savoir plus" not in client.get(f"/messages/{without.id}").get_data(as_text=True)
