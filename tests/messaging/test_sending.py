"""Starting a message: the audience frozen, everyone's own figures, outbox rows unique; previews and tests;
the status page, retries and the CSV of failures."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal.catalogue.footprints import load_factor_set
from portal.catalogue.my_footprint import my_footprint
from portal.messaging import audience, services
from portal.messaging.audience import Criteria
from portal.messaging.context import ContextBuilder
from portal.messaging.models import Message, MessageRecipient, MessageStatus, OutboxEntry, OutboxStatus
from portal.messaging.rendering import format_number
from portal.messaging.sending import start_message
from portal.models import db, utcnow
from tests.conftest import csrf_token
from tests.messaging.conftest import confirm_in_pages, confirmed

FIGURES = (
    "{{ first_name }}|{{ device_count }}|{{ footprint_kg_per_year }}|{{ oldest_device_years }}|"
    "{{ keep_longer_saving_kg }}|{{ org_average_kg_per_year }}|{{ site }}|{{ commune }}|{{ org_unit }}"
)


def recipients_of(message: Message) -> dict[int, MessageRecipient]:
    rows = db.session.scalars(sa.select(MessageRecipient).where(MessageRecipient.message_id == message.id))
    return {row.user_id: row for row in rows}


def test_personal_figures_are_those_of_my_footprint_page(make_user, make_item, make_asset, make_site, make_org_unit,
                                                        make_message, start):
    site = make_site(commune_insee="33039", name="Pôle Sud")
    unit = make_org_unit(name="Service des tests")
    ana = make_user(first_name="Ana", locale="en", site_id=site.id, org_unit_id=unit.id)
    item = make_item(fabrication_kgco2e=Decimal("300"), annual_kwh=Decimal("30"))
    today = utcnow().date()
    make_asset(user=ana, item=item, acquired_on=today - timedelta(days=365 * 4 + 30))
    make_asset(user=ana, item=None, category="smartphone", acquired_on=today - timedelta(days=200))
    message = start(make_message(body_fr=FIGURES, audience=Criteria(languages=("en",))))

    mine = recipients_of(message)[ana.id]
    expected = my_footprint(ana, load_factor_set(), today=today)
    saving = sum((d.keep_12_months_saving.value for d in expected.devices), Decimal(0))

    def one_decimal(value: Decimal) -> str:
        return format_number(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), "fr", 2)

    assert mine.locale == "fr"  # no English version: French for everyone
    assert mine.body_text.split("|") == [
        "Ana", "2", one_decimal(expected.total_annualised.value), "4", one_decimal(saving),
        one_decimal(expected.organisation_average),
        "Pôle Sud", "Bègles", "Service des tests",
    ]


def test_people_without_devices_get_empty_values_not_errors(make_user, make_message, start):
    make_user(first_name="Zoé", locale="en")
    message = start(make_message(body_fr="[{{ oldest_device_years }}] {{ device_count }} {{ footprint_kg_per_year }}",
                                 audience=Criteria(languages=("en",))))
    (mine,) = recipients_of(message).values()
    assert mine.body_text == "[] 0 0"


def test_a_recipient_whose_values_break_a_condition_gets_nothing_and_it_is_reported(make_user, make_message, start):
    make_user(email="zoe@test.example", locale="en")
    message = start(make_message(body_fr="{% if oldest_device_years > 3 %}vieux{% endif %}",
                                 audience=Criteria(languages=("en",))))
    (mine,) = recipients_of(message).values()
    assert mine.error.startswith("A placeholder has no value for this recipient")
    assert db.session.scalar(sa.select(sa.func.count(OutboxEntry.id)).where(OutboxEntry.message_id == message.id)) == 0
    figures = services.delivery_figures(message)
    assert (figures.recipients, figures.not_personalised) == (1, 1)


def test_the_audience_is_frozen_when_sending_starts(make_user, make_message, start):
    make_user(locale="en")
    message = start(make_message(audience=Criteria(languages=("en",))))
    make_user(locale="en")  # joins the audience too late
    assert len(recipients_of(message)) == 1
    assert message.recipient_count == 1
    assert start_message(message.id, now=utcnow()) is None  # already started: nothing happens


class Killed(BaseException):
    """The worker process dies here (killed, out of memory): no exception handler of the portal runs."""


def test_a_start_interrupted_by_a_crash_resumes_after_the_lease_without_doubles(app, make_user, make_message,
                                                                               monkeypatch):
    from portal.messaging import context

    monkeypatch.setitem(app.config, "PORTAL_MESSAGING_FREEZE_BATCH", 2)
    people = [make_user(locale="en") for _ in range(5)]
    message = make_message(audience=Criteria(languages=("en",)))
    now = utcnow()
    services.send_now(message, now=now, confirmation=confirmed(message))
    db.session.commit()
    original = context.ContextBuilder.contexts
    calls = iter(range(100))

    def crash_on_the_second_batch(self, batch):
        if next(calls) == 1:
            raise Killed
        return original(self, batch)

    monkeypatch.setattr(context.ContextBuilder, "contexts", crash_on_the_second_batch)
    with pytest.raises(Killed):
        start_message(message.id, now=now, worker="first")
    db.session.rollback()
    db.session.refresh(message)
    assert message.status == MessageStatus.STARTING.value
    assert len(recipients_of(message)) == 2  # the first batch was committed, with its e-mails
    assert start_message(message.id, now=now + timedelta(seconds=10), worker="second") is None  # lease running
    started = start_message(message.id, now=now + timedelta(seconds=301), worker="second")
    assert (started.recipients, started.emails) == (5, 5)
    assert sorted(recipients_of(message)) == sorted(p.id for p in people)
    db.session.refresh(message)
    assert (message.status, message.recipient_count) == (MessageStatus.SENDING.value, 5)


def test_outbox_rows_are_unique_per_message_recipient_and_channel(make_user, make_message, start):
    make_user(locale="en")
    message = start(make_message(audience=Criteria(languages=("en",))))
    row = db.session.scalar(sa.select(OutboxEntry).where(OutboxEntry.message_id == message.id))
    db.session.add(OutboxEntry(message_id=row.message_id, recipient_id=row.recipient_id, user_id=row.user_id,
                               channel="email"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_portal_only_message_is_delivered_when_it_starts(make_user, make_message, start):
    make_user(locale="en")
    message = start(make_message(channels="portal", audience=Criteria(languages=("en",))))
    assert message.status == MessageStatus.SENT.value
    assert db.session.scalar(sa.select(sa.func.count(OutboxEntry.id))) == 0
    assert all(r.in_inbox for r in recipients_of(message).values())


def test_the_context_builder_runs_a_constant_number_of_queries_per_batch(app, make_user, make_asset, make_item):
    item = make_item()
    for _ in range(6):
        make_asset(user=make_user(site_id=None), item=item)
    (users,) = audience.batches(Criteria(), today=date(2026, 3, 21), size=100)
    builder = ContextBuilder(today=date(2026, 3, 21), now=utcnow(), portal_url="http://x")
    statements = []

    def record(connection, cursor, statement, *args) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        contexts = builder.contexts(users)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert len(contexts) == 6
    assert len(statements) <= 2  # the devices of the batch, and the catalogue items not seen yet


def test_preview_as_a_named_recipient_in_both_languages_and_as_random_ones(client, login_as, make_user, make_message):
    comms = login_as("comms")
    ana = make_user(first_name="Anaïs", last_name="Lopez", email="anais@test.example")
    message = make_message(author=comms, body_fr="Bonjour {{ first_name }}", subject_en="Hi",
                           body_en="Hello {{ first_name }}")
    found = client.get(f"/comms/messages/{message.id}/preview/recipients?q=lopez", headers={"HX-Request": "true"})
    assert f"recipient={ana.id}" in found.get_data(as_text=True)
    page = client.get(f"/comms/messages/{message.id}/preview?recipient={ana.id}").get_data(as_text=True)
    assert "<p>Bonjour Anaïs</p>" in page and "<p>Hello Anaïs</p>" in page
    assert "Version texte" in page
    random = client.get(f"/comms/messages/{message.id}/preview?random=1").get_data(as_text=True)
    assert random.count('class="preview"') == 4  # the audience has two people: both, in both languages
    outsider = make_user(active=False)
    assert client.get(f"/comms/messages/{message.id}/preview?recipient={outsider.id}").status_code == 404


def test_send_a_test_to_myself(client, login_as, make_message, smtp):
    comms = login_as("comms", first_name="Chloé", email="chloe@test.example")
    message = make_message(author=comms, subject_fr="Bonjour {{ first_name }}")
    response = client.post(f"/comms/messages/{message.id}/test", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303
    (received,) = smtp.to("chloe@test.example")
    assert received.parsed["Subject"] == "[Test] Bonjour Chloé"
    assert db.session.scalar(sa.select(sa.func.count(OutboxEntry.id))) == 0  # nothing queued
    smtp.replies["chloe@test.example"] = ["550 no"]
    failed = client.post(f"/comms/messages/{message.id}/test", data={"csrf_token": csrf_token(client)})
    assert "550 no" in client.get(failed.headers["Location"]).get_data(as_text=True)


def test_status_page_polls_while_sending_and_counts_reads(client, login_as, make_user, make_message, start, login):
    comms = login_as("comms")
    message = start(make_message(author=comms))
    page = client.get(f"/comms/messages/{message.id}").get_data(as_text=True)
    assert 'hx-trigger="every 2s"' in page
    fragment = client.get(f"/comms/messages/{message.id}", headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).lstrip().startswith('<section id="delivery-status"')
    assert "HX-Request" in fragment.headers["Vary"]
    client.get(f"/messages/{message.id}")  # the author is a recipient too: reads it
    figures = services.delivery_figures(message)
    assert (figures.recipients, figures.read, figures.queued) == (1, 1, 1)


def test_failures_can_be_retried_and_exported_as_formula_safe_csv(client, login_as, make_user, make_message, start):
    comms = login_as("comms")
    make_user(email="=cmd@test.example", last_name="=HYPERLINK(\"x\")", locale="en")
    message = start(make_message(author=comms, audience=Criteria(languages=("en",))))
    db.session.execute(sa.update(OutboxEntry).values(status=OutboxStatus.FAILED.value, attempts=1,
                                                     last_error="550 +no such user"))
    db.session.execute(sa.update(Message).values(status=MessageStatus.SENT.value))
    db.session.commit()
    response = client.get(f"/comms/messages/{message.id}/failures.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Adresse e-mail"
    assert rows[1] == ["'=cmd@test.example", "'=HYPERLINK(\"x\")", rows[1][2], "1", "550 +no such user"]

    page = client.get(f"/comms/messages/{message.id}").get_data(as_text=True)
    assert "550 +no such user" in page
    client.post(f"/comms/messages/{message.id}/retry", data={"csrf_token": csrf_token(client)})
    row = db.session.scalar(sa.select(OutboxEntry))
    db.session.refresh(row)
    assert (row.status, row.attempts) == (OutboxStatus.QUEUED.value, 0)
    db.session.refresh(message)
    assert message.status == MessageStatus.SENDING.value


def test_paused_message_shows_why_and_resumes(client, login_as, make_user, make_message, start):
    comms = login_as("comms")
    message = start(make_message(author=comms))
    message.status = MessageStatus.PAUSED.value
    message.pause_details = {"kind": "failures", "failed": 8, "attempted": 10, "reason": "421 too busy"}
    db.session.commit()
    page = client.get(f"/comms/messages/{message.id}").get_data(as_text=True)
    assert "8 des 10 derniers e-mails ont échoué" in page and "421 too busy" in page
    client.post(f"/comms/messages/{message.id}/resume", data={"csrf_token": csrf_token(client)})
    db.session.refresh(message)
    assert (message.status, message.pause_details) == (MessageStatus.SENDING.value, None)


def test_message_list_shows_each_status(client, login_as, make_message, start):
    comms = login_as("comms")
    make_message(author=comms, subject_fr="Premier jet")
    start(make_message(author=comms, subject_fr="Parti"))
    page = client.get("/comms/messages").get_data(as_text=True)
    assert "Premier jet" in page and "Parti" in page and "Brouillon" in page and "En cours d’envoi" in page
    drafts = client.get("/comms/messages?status=draft", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Premier jet" in drafts and "Parti" not in drafts


def test_nearest_collection_point_comes_from_the_locator(make_user, make_site, make_message, start, communes):
    from portal.locator.models import CollectionPoint

    site = make_site(commune_insee="33039", lat=Decimal("44.8060"), lon=Decimal("-0.5480"))
    for code, insee, name, lat, lon in (("P1", "33039", "Mairie de Bègles", "44.8070", "-0.5490"),
                                         ("P2", "33063", "Mairie de Bordeaux", "44.8378", "-0.5792")):
        db.session.add(CollectionPoint(code=code, commune_insee=insee, name=name, address="1 place de la Mairie",
                                       postcode="33130", lat=Decimal(lat), lon=Decimal(lon)))
    make_user(locale="en", site_id=site.id)
    make_user(locale="en", site_id=None)
    message = start(make_message(body_fr="[{{ nearest_collection_point }}]", audience=Criteria(languages=("en",))))
    texts = sorted(r.body_text for r in recipients_of(message).values())
    assert texts == ["[Mairie de Bègles, 1 place de la Mairie, 33130 Bègles]", "[]"]


def test_campaign_figures_come_from_the_campaign_chosen_with_the_audience(make_user, make_message, start):
    from portal.campaigns.models import Campaign, Participation

    now = utcnow()
    campaign = Campaign(name="Printemps", starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=18),
                        horizon_year=2030)
    db.session.add(campaign)
    db.session.flush()
    ana = make_user(locale="en")
    make_user(locale="en")
    db.session.add(Participation(campaign_id=campaign.id, user_id=ana.id, joined_at=now))
    db.session.commit()
    body = "{{ campaign_participants }}|{{ campaign_total_gb }}|{{ campaign_freed_gb }}|{{ team_rank }}"
    message = start(make_message(body_fr=body, audience=Criteria(languages=("en",), campaign_id=campaign.id,
                                                                  campaign_participation="joined")))
    assert message.campaign_id == campaign.id
    (mine,) = recipients_of(message).values()
    assert mine.user_id == ana.id
    assert mine.body_text == "1|0||"  # nothing measured yet: no personal figure, no rank


def test_two_workers_share_the_outbox_without_sending_anything_twice(app, smtp, make_user, make_message, start):
    """Several dispatch workers at once (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite serialises the claims)."""
    import threading

    from portal.messaging import dispatch

    people = [make_user(locale="en") for _ in range(40)]
    start(make_message(audience=Criteria(languages=("en",))))
    reports = []

    def worker(name: str) -> None:
        with app.app_context():
            app.config["PORTAL_MESSAGING_BATCH_SIZE"] = 5
            reports.append(dispatch.run(worker=name))

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        app.config.pop("PORTAL_MESSAGING_BATCH_SIZE", None)
    assert sum(r.sent for r in reports) == 40
    assert all(len(smtp.to(p.email)) == 1 for p in people)
    if db.engine.dialect.name == "postgresql":
        assert all(r.sent for r in reports), "both workers took part"


# ------------------------------------------------------------------ failures while starting: never stuck


def test_a_recipient_whose_message_cannot_be_prepared_is_reported_and_the_others_get_theirs(
        make_user, make_message, start, monkeypatch):
    from portal.messaging import context

    zoe = make_user(first_name="Zoé", locale="en")
    ana = make_user(first_name="Ana", locale="en")
    original = context.ContextBuilder.contexts

    def without_zoe(self, batch):  # her values cannot be computed: a failure of this recipient alone
        contexts = original(self, batch)
        contexts.pop(zoe.id, None)
        return contexts

    monkeypatch.setattr(context.ContextBuilder, "contexts", without_zoe)
    message = start(make_message(audience=Criteria(languages=("en",))))
    assert message.status == MessageStatus.SENDING.value
    mine = recipients_of(message)
    assert mine[ana.id].body_text == "Bonjour Ana, voici un message."
    assert (mine[zoe.id].body, mine[zoe.id].error) == ("", f"KeyError: {zoe.id}")
    figures = services.delivery_figures(message)
    assert (figures.recipients, figures.not_personalised, figures.queued) == (2, 1, 1)


def test_a_start_that_fails_is_not_retried_and_the_team_can_correct_and_resend_it(
        client, login_as, make_user, make_message, run_dispatch, monkeypatch):
    from portal.messaging import context

    comms = login_as("comms")
    make_user(locale="en")
    original = context.ContextBuilder.contexts

    def broken(self, batch):
        raise RuntimeError("the directory is unreachable")

    monkeypatch.setattr(context.ContextBuilder, "contexts", broken)
    message = make_message(author=comms, audience=Criteria(languages=("en",)))
    now = utcnow()
    services.send_now(message, now=now, confirmation=confirmed(message))
    db.session.commit()
    assert run_dispatch(clock=lambda: now).started == []
    db.session.refresh(message)
    assert (message.status, message.started_at) == (MessageStatus.FAILED.value, None)
    assert message.pause_details == {"kind": "error", "reason": "RuntimeError: the directory is unreachable"}
    assert run_dispatch(clock=lambda: now + timedelta(hours=1)).started == []  # not taken again after the lease
    db.session.refresh(message)
    assert message.status == MessageStatus.FAILED.value

    page = client.get(f"/comms/messages/{message.id}").get_data(as_text=True)
    assert "Démarrage impossible" in page
    assert "Le message n’a pas pu être démarré. Une erreur s’est produite pendant sa préparation." in page
    assert "RuntimeError: the directory is unreachable" in page
    assert f'href="/comms/messages/{message.id}/edit"' in page and 'id="cancel-message"' in page
    assert 'id="send-now"' in page

    response = client.post(f"/comms/messages/{message.id}/edit",
                           data={"category": "news", "channels": "both", "subject_fr": "Bonjour",
                                 "body_fr": "Bonjour {{ first_name }}, corrigé.", "subject_en": "", "body_en": "",
                                 "csrf_token": csrf_token(client)})
    assert response.status_code == 303
    db.session.refresh(message)
    assert (message.status, message.pause_details) == (MessageStatus.DRAFT.value, None)
    monkeypatch.setattr(context.ContextBuilder, "contexts", original)
    confirm_in_pages(client, message)
    assert run_dispatch().started == [message.id]
    db.session.refresh(message)
    assert (message.status, message.recipient_count) == (MessageStatus.SENT.value, 1)


def test_a_message_that_could_not_be_started_can_be_cancelled(client, login_as, make_message, monkeypatch):
    comms = login_as("comms")
    message = make_message(author=comms)
    now = utcnow()
    services.send_now(message, now=now, confirmation=confirmed(message))
    message.body_fr = "{{ 1e309 }}"  # stored before the checks refused it
    db.session.commit()
    assert start_message(message.id, now=now) is None
    db.session.refresh(message)
    assert message.status == MessageStatus.FAILED.value
    page = client.get(f"/comms/messages/{message.id}").get_data(as_text=True)
    assert "Son contenu comporte des erreurs" in page
    assert "Message (français) – Ligne 1\u202f: Ce nombre est trop grand" in page
    client.post(f"/comms/messages/{message.id}/stop", data={"csrf_token": csrf_token(client)})
    db.session.refresh(message)
    assert message.status == MessageStatus.CANCELLED.value


def test_a_message_with_a_decimal_overflow_is_never_sent_empty(make_user, make_message):
    make_user(locale="en")
    message = make_message(audience=Criteria(languages=("en",)))
    now = utcnow()
    services.send_now(message, now=now, confirmation=confirmed(message))
    message.body_fr = "{{ 1" + "0" * 4000 + "|number(6) }}"  # stored before the checks refused it
    db.session.commit()
    start_message(message.id, now=now)
    db.session.refresh(message)
    assert message.status == MessageStatus.FAILED.value  # it used to be "sent", with an empty body for everyone
    assert recipients_of(message) == {}
    assert message.pause_details["problems"]["body_fr"][0][1] == "number_too_large"


def test_a_start_whose_worker_keeps_dying_is_given_up(make_user, make_message, monkeypatch):
    from portal.messaging import context
    from portal.messaging.sending import MAX_START_ATTEMPTS

    make_user(locale="en")
    message = make_message(audience=Criteria(languages=("en",)))
    now = utcnow()
    services.send_now(message, now=now, confirmation=confirmed(message))
    db.session.commit()

    def dies(self, batch):
        raise Killed

    monkeypatch.setattr(context.ContextBuilder, "contexts", dies)
    lease = timedelta(seconds=301)
    for attempt in range(MAX_START_ATTEMPTS):
        with pytest.raises(Killed):
            start_message(message.id, now=now + attempt * lease)
        db.session.rollback()
    assert start_message(message.id, now=now + MAX_START_ATTEMPTS * lease) is None
    db.session.refresh(message)
    assert message.status == MessageStatus.FAILED.value
    assert message.pause_details["kind"] == "interrupted"


def test_messages_saved_before_the_limits_cannot_break_the_preview_or_the_test_email(
        client, login_as, make_message, smtp):
    comms = login_as("comms", email="chloe@test.example")
    message = make_message(author=comms)
    message.body_fr = "{% if 1 %}" * 100 + "x" + "{% endif %}" * 100  # an IndentationError, and a 500, before
    db.session.commit()
    assert client.get(f"/comms/messages/{message.id}/preview?random=1").status_code == 200
    response = client.post(f"/comms/messages/{message.id}/test", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303
    assert "Le message ne peut pas être personnalisé pour vous" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert smtp.received == []


@pytest.mark.parametrize(("query", "found"), [("jean_", ["Jean_Luc"]), ("%", []), ("_", ["Jean_Luc"])])
def test_percent_and_underscore_in_the_recipient_search_are_matched_literally(client, login_as, make_user,
                                                                               make_message, query, found):
    comms = login_as("comms", first_name="Chloé")
    make_user(first_name="Jean_Luc", last_name="Martin", email="jl@test.example")
    make_user(first_name="Jeanne", last_name="Dupont", email="jeanne@test.example")
    message = make_message(author=comms)
    page = client.get(f"/comms/messages/{message.id}/preview/recipients", query_string={"q": query},
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    shown = [name for name in ("Jean_Luc", "Jeanne", "Chloé") if f"Aperçu pour {name}" in page]
    assert shown == found
