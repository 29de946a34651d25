"""Every page of the URL map rendered with the demo data in English and in French (as the least privileged demo
account that may open it): no word of the French interface in the English pages, and the reverse. The demo's
own data (names of places, teams, campaigns) may be French in both: the words listed are the interface's."""

from __future__ import annotations

import re

import pytest

from portal.accounts.services import find_user_by_email
from portal.models import db
from tests.conftest import csrf_token
from tests.e2e.test_every_page import ACCOUNTS, _pages

#: What the French interface writes and demo data never does, and the reverse (whole phrases, case kept).
FRENCH_ONLY = (
    "modèle non renseigné",
    "Fabrication",
    "Facteurs",
    "usage numérique",
    "Enregistrer",
    "Télécharger",
    "Précédent",
    "Suivant",
    "Retour",
    "Votre ",
    "Vos ",
    "Mes ",
    "Aucun",
)
ENGLISH_ONLY = (
    "Portal estimate",
    "Logitech carbon labels",
    "Factors:",
    "laptop version",
    "Download",
    "Save ",
    "Previous",
    "Next",
    "Back to",
    "Your ",
    "My ",
    "No ",
)

#: Pages that show what people wrote (a message sent in French only reads in French in either interface).
WRITTEN_BY_PEOPLE = {"messaging.message"}


@pytest.fixture
def demo():
    from portal.demo.services import load_demo

    load_demo()
    db.session.commit()


def _text(html: str) -> str:
    body = html.split("<main", 1)[-1].split("</main>", 1)[0]
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.mark.parametrize(("locale", "foreign"), [("en", FRENCH_ONLY), ("fr", ENGLISH_ONLY)])
def test_no_page_shows_words_of_the_other_language(app, client, demo, locale, foreign):
    problems = []
    current = None
    for role, endpoint, url in _pages(app):
        if endpoint in WRITTEN_BY_PEOPLE:
            continue
        if role != current:
            client.post("/logout", data={"csrf_token": csrf_token(client)})
            user = find_user_by_email(f"{ACCOUNTS[role]}@demo.example")
            user.locale = locale
            db.session.commit()
            client.post("/login", data={"email": user.email, "password": "demo1234", "csrf_token": csrf_token(client)})
            current = role
        response = client.get(url)
        if "text/html" not in response.content_type:
            continue
        text = _text(response.get_data(as_text=True))
        found = [word for word in foreign if word in text]
        if found:
            problems.append(f"{role} {url}: {found}")
    assert problems == [], "\n".join(problems)
