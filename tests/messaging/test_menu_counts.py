"""The menu's links are shared by everyone with the same roles and language; the unread count stays each user's."""

from __future__ import annotations

from portal.messaging.audience import Criteria


def _menu(html: str) -> str:
    return html.split('<nav class="main"', 1)[1].split("</nav>", 1)[0]


def test_each_user_sees_their_own_unread_count_in_the_shared_menu(client, login, make_user, make_message, start):
    ana = make_user(first_name="Ana", email="ana@test.example", locale="fr")
    start(make_message(subject_fr="Bonjour", category="news", audience=Criteria(languages=("fr",))))
    bob = make_user(first_name="Bob", email="bob@test.example", locale="fr")  # created after: no message

    login(ana)
    assert '<span class="count">1<' in _menu(client.get("/").get_data(as_text=True))
    login(bob)
    menu = _menu(client.get("/").get_data(as_text=True))
    assert "Mes messages" in menu and 'class="count"' not in menu
    login(ana)
    assert '<span class="count">1<' in _menu(client.get("/orders").get_data(as_text=True))


def test_the_count_read_with_the_session_user_follows_a_message_opened_in_the_request(
    client, login, make_user, make_message, start
):
    ana = make_user(email="ana@test.example", locale="fr")
    first = start(make_message(subject_fr="Un", audience=Criteria(languages=("fr",))))
    start(make_message(subject_fr="Deux", audience=Criteria(languages=("fr",))))
    login(ana)
    assert '<span class="count">2<' in client.get("/").get_data(as_text=True)
    assert '<span class="count">1<' in client.get(f"/messages/{first.id}").get_data(as_text=True)
    assert '<span class="count">1<' in client.get("/").get_data(as_text=True)
