"""Automatic messages: each trigger sends its template to the employees an event concerns, once, in their
language, within its audience, at most one a week per employee; the clock is given to every run."""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404 - the test starts two jobs processes of its own
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.campaigns import services as campaign_services
from portal.catalogue import orders
from portal.catalogue.footprints import load_factor_set
from portal.locator.services import confirm_receipt, declare_return
from portal.messaging import automatic
from portal.messaging.audience import Criteria
from portal.messaging.models import (
    AutomaticEvent,
    AutomaticQuota,
    Message,
    MessageRecipient,
    TriggerKind,
)
from portal.messaging.ready import seed_ready_templates
from portal.messaging.services import MessageError
from portal.models import db
from portal.timezone import PARIS
from tests.campaigns.conftest import import_rows, make_campaign, paris  # noqa: F401  (fixtures)
from tests.conftest import ROOT
from tests.locator.conftest import points  # noqa: F401  (fixture)

NOW = datetime(2026, 3, 18, 9, 0, tzinfo=PARIS)


@pytest.fixture
def switched_on():
    """Turn triggers on with their ready template: switched_on("device_age", years=…, audience=Criteria(…))."""
    seed_ready_templates()

    def do(key: str, **settings) -> object:
        found = automatic.trigger(key)
        found = automatic.save_trigger(found, template=found.template, years=settings.get("years"),
                                       criteria=settings.get("audience"))
        automatic.switch(found, on=True)
        db.session.commit()
        return found

    return do


def received(user) -> list[MessageRecipient]:
    """What an employee got from the automatic messages, oldest first."""
    db.session.expire_all()
    return list(db.session.scalars(
        sa.select(MessageRecipient).join(Message).where(MessageRecipient.user_id == user.id,
                                                        Message.trigger_key.is_not(None))
        .order_by(MessageRecipient.id)))


def test_a_device_at_half_its_lifetime_gets_its_owner_one_message_in_their_language(
        make_user, make_item, make_asset, switched_on):
    laptop = make_item(manufacturer="Dell", name="Latitude 5420", lifetime_years=Decimal("5"))
    ana = make_user(first_name="Ana", locale="fr")
    bob = make_user(first_name="Bob", locale="en")
    make_asset(user=ana, item=laptop, acquired_on=date(2023, 9, 10))  # 2.5 years on 10 March 2026: 8 days ago
    make_asset(user=bob, item=laptop, acquired_on=date(2023, 9, 12))
    make_asset(user=bob, item=laptop, acquired_on=date(2025, 1, 1))  # too young
    switched_on(TriggerKind.DEVICE_AGE.value)

    report = automatic.run(now=NOW)
    assert (report.recorded, report.sent) == (2, 2)
    (mine,) = received(ana)
    assert mine.subject == "Ana, votre équipement a 2,5 ans : gardez-le en forme"
    assert "Votre Dell Latitude 5420 a 2,5 ans." in mine.body
    (his,) = received(bob)
    assert his.locale == "en" and his.subject.startswith("Bob, your device is 2.5 years old")
    assert mine.message.status == "sending" and mine.message.via_email  # the dispatch job sends the e-mails

    again = automatic.run(now=NOW + timedelta(hours=1))
    assert (again.recorded, again.sent) == (0, 0)  # a re-run never sends twice
    assert len(received(ana)) == 1


def test_a_fixed_age_replaces_half_the_lifetime(make_user, make_item, make_asset, switched_on):
    laptop = make_item(lifetime_years=Decimal("5"))
    ana = make_user()
    make_asset(user=ana, item=laptop, acquired_on=date(2023, 3, 14))  # 3 years on 14 March 2026
    switched_on(TriggerKind.DEVICE_AGE.value, years=Decimal("3"))
    assert automatic.run(now=NOW).sent == 1
    assert "device_age_years" in db.session.scalar(sa.select(AutomaticEvent.values))
    assert db.session.scalar(sa.select(AutomaticEvent.event_key)).endswith(":3.0")


def test_a_delivery_that_replaces_a_device_asks_to_return_the_old_one(make_user, make_item, make_asset,
                                                                     switched_on, communes):
    manager = make_user(roles=("manager",))
    ana = make_user(first_name="Ana", manager_id=manager.id)
    old = make_asset(user=ana, model_name="HP EliteBook 840", acquired_on=date(2020, 1, 1))
    order = orders.place_order(requester=ana, item=make_item(), quantity=1, justification="écran cassé",
                               replaces=old, factor_set=load_factor_set())
    orders.decide(order, approver=manager, approve=True, comment="")
    orders.deliver(order)
    order.delivered_at = NOW - timedelta(days=2)
    db.session.commit()
    switched_on(TriggerKind.ORDER_DELIVERED.value)
    assert automatic.run(now=NOW).sent == 1
    (mine,) = received(ana)
    assert "il remplace votre HP EliteBook 840" in mine.body
    assert mine.message.cta_url == "/collection-points"


def test_a_confirmed_return_says_thank_you(make_user, make_asset, switched_on, points):  # noqa: F811
    admin = make_user(roles=("admin",))
    ana = make_user(first_name="Ana")
    phone = make_asset(user=ana, category="smartphone", model_name="Fairphone 4", status="to_return")
    returned = declare_return(points["33039"], user=ana, asset=phone, now=NOW - timedelta(days=3))
    confirm_receipt(returned, admin=admin, now=NOW - timedelta(days=1))
    db.session.commit()
    switched_on(TriggerKind.RETURN_CONFIRMED.value)
    assert automatic.run(now=NOW).sent == 1
    (mine,) = received(ana)
    assert "Votre dépôt (Fairphone 4) a bien été reçu au point de collecte." in mine.body


def test_campaign_participants_hear_when_it_starts_ends_and_when_they_progress(
        make_user, make_campaign, import_rows, switched_on):  # noqa: F811
    campaign = make_campaign(published_at=paris(2026, 2, 20), now=paris(2026, 3, 10))
    ana, bea, outsider = make_user(first_name="Ana"), make_user(first_name="Béa"), make_user()
    for person in (ana, bea):
        campaign_services.join(person, campaign, now=paris(2026, 3, 1))
    db.session.commit()
    for key in (TriggerKind.CAMPAIGN_STARTED, TriggerKind.CAMPAIGN_ENDED, TriggerKind.STORAGE_PROGRESS):
        switched_on(key.value)

    assert automatic.run(now=paris(2026, 3, 10, 9)).sent == 2  # it started on 9 March
    assert [r.message.trigger_key for r in received(ana)] == ["campaign_started"]
    assert received(outsider) == []

    batch = import_rows([(ana, "mailbox", 5 * 10**9, None, paris(2026, 3, 9, 8)),
                         (ana, "mailbox", 3 * 10**9, None, paris(2026, 3, 16, 8))])
    batch.imported_at = paris(2026, 3, 16, 12)  # the import of that Monday
    db.session.execute(sa.update(AutomaticQuota).values(last_sent_at=paris(2026, 3, 1)))  # a week went by
    db.session.commit()
    progress = automatic.run(now=paris(2026, 3, 17, 9))
    assert progress.sent == 1  # only Ana was measured
    assert received(ana)[-1].message.trigger_key == "storage_progress"
    assert "vous avez libéré **2 Go**" in received(ana)[-1].body

    db.session.execute(sa.update(AutomaticQuota).values(last_sent_at=paris(2026, 3, 1)))
    db.session.commit()
    assert automatic.run(now=paris(2026, 3, 31, 9)).sent == 2  # it ended on 29 March (midnight, the 30th)
    assert received(bea)[-1].message.trigger_key == "campaign_ended"
    assert received(bea)[-1].message.campaign_id == campaign.id


def test_one_automatic_message_a_week_per_employee_the_others_wait(make_user, make_item, make_asset,
                                                                    switched_on):
    laptop = make_item(lifetime_years=Decimal("5"))
    ana = make_user()
    make_asset(user=ana, item=laptop, acquired_on=date(2023, 9, 10))
    make_asset(user=ana, item=laptop, acquired_on=date(2023, 9, 12))  # a second device the same week
    switched_on(TriggerKind.DEVICE_AGE.value)
    first = automatic.run(now=NOW)
    assert (first.recorded, first.sent) == (2, 1)
    found = automatic.trigger(TriggerKind.DEVICE_AGE.value)
    (waiting,) = automatic.next_sends(found, now=NOW)
    assert waiting.recorded and waiting.not_before == NOW + timedelta(days=7)
    assert automatic.run(now=NOW + timedelta(days=6, hours=23)).sent == 0
    assert automatic.run(now=NOW + timedelta(days=7)).sent == 1
    assert len(received(ana)) == 2


def test_the_audience_filter_and_the_switch_decide_who_gets_it(app, make_user, make_item, make_asset,
                                                                switched_on, monkeypatch):
    laptop = make_item(lifetime_years=Decimal("5"))
    fr, en = make_user(locale="fr"), make_user(locale="en")
    for person in (fr, en):
        make_asset(user=person, item=laptop, acquired_on=date(2023, 9, 10))
    found = switched_on(TriggerKind.DEVICE_AGE.value, audience=Criteria(languages=("en",)))
    upcoming = automatic.next_sends(found, now=NOW)
    assert [(n.user.id, n.recorded) for n in upcoming] == [(en.id, False)]  # the dry run writes nothing
    assert db.session.scalar(sa.select(sa.func.count(AutomaticEvent.id))) == 0
    automatic.switch(found, on=False)
    db.session.commit()
    assert automatic.run(now=NOW).recorded == 0  # paused: nothing happens
    automatic.switch(found, on=True)
    db.session.commit()
    assert automatic.run(now=NOW).sent == 1
    assert received(fr) == [] and len(received(en)) == 1


def test_an_event_that_waited_too_long_is_dropped(make_user, make_item, make_asset, switched_on):
    laptop = make_item(lifetime_years=Decimal("5"))
    ana = make_user()
    make_asset(user=ana, item=laptop, acquired_on=date(2023, 9, 10))
    make_asset(user=ana, item=laptop, acquired_on=date(2023, 9, 11))
    switched_on(TriggerKind.DEVICE_AGE.value)
    automatic.run(now=NOW)
    db.session.execute(sa.update(AutomaticQuota).values(last_sent_at=NOW + timedelta(days=60)))  # never free
    db.session.commit()
    assert automatic.run(now=NOW + timedelta(days=40)).expired == 1


def test_a_trigger_needs_a_template_to_be_turned_on():
    found = automatic.trigger(TriggerKind.RETURN_CONFIRMED.value)  # no ready template seeded
    with pytest.raises(MessageError) as refused:
        automatic.switch(found, on=True)
    assert refused.value.code == "trigger_without_template"


# ------------------------------------------------------------------------------ two jobs processes

RUN_ONE = """
import json, sys, time
from datetime import datetime
from pathlib import Path
from portal import create_app
from portal.messaging import automatic
from portal.messaging.services import MessageError
from tests.conftest import app_config

app = create_app(app_config(sys.argv[1], Path(sys.argv[2])))
with app.app_context():
    time.sleep(max(0.0, float(sys.argv[4]) - time.time()))  # both processes start together
    print(json.dumps(automatic.run(now=datetime.fromisoformat(sys.argv[3])).summary()))
"""


def test_two_jobs_processes_running_at_once_never_send_twice(database_url, tmp_path, make_user, make_item,
                                                              make_asset, switched_on):
    laptop = make_item(lifetime_years=Decimal("5"))
    people = [make_user() for _ in range(60)]
    for person in people:
        make_asset(user=person, item=laptop, acquired_on=date(2023, 9, 10))
        make_asset(user=person, item=laptop, acquired_on=date(2023, 9, 12))  # a second event each: queued
    switched_on(TriggerKind.DEVICE_AGE.value)
    db.session.commit()
    start_at = time.time() + 4
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [
        subprocess.Popen(  # nosec B603 - this interpreter, a fixed script
            [sys.executable, "-c", RUN_ONE, database_url, str(tmp_path / str(n)), NOW.isoformat(), str(start_at)],
            cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in range(2)
    ]
    reports = []
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err[-2000:]
        reports.append(json.loads(out.strip().splitlines()[-1]))
    print("two processes:", reports)
    assert sum(r["recorded"] for r in reports) == 120  # each event recorded by one process only
    assert sum(r["sent"] for r in reports) == 60  # one message per employee: the second event waits
    db.session.expire_all()
    per_person = dict(db.session.execute(
        sa.select(MessageRecipient.user_id, sa.func.count(MessageRecipient.id)).join(Message)
        .where(Message.trigger_key.is_not(None)).group_by(MessageRecipient.user_id)).all())
    assert per_person == {person.id: 1 for person in people}
    assert db.session.scalar(sa.select(sa.func.count(AutomaticEvent.id))) == 120
    assert db.session.scalar(sa.select(sa.func.count(AutomaticQuota.user_id))) == 60


# ------------------------------------------------------------------------------------------------ pages


def test_the_team_sees_what_each_trigger_sent_and_would_send_and_can_pause_it(
        client, login_as, make_user, make_item, make_asset, switched_on):
    from tests.conftest import csrf_token

    login_as("comms")
    laptop = make_item(manufacturer="Dell", name="Latitude 5420", lifetime_years=Decimal("5"))
    ana = make_user(first_name="Ana", last_name="Agent")
    today = datetime.now(PARIS).date()
    make_asset(user=ana, item=laptop, acquired_on=today - timedelta(days=int(Decimal("2.5") * Decimal("365.25")) + 1))
    listing = client.get("/comms/automatic").get_data(as_text=True)
    assert "Un équipement atteint son âge" in listing and "Une campagne se termine" in listing
    assert listing.count("Désactivé") == 6

    switched_on(TriggerKind.DEVICE_AGE.value)
    page = client.get("/comms/automatic/device_age").get_data(as_text=True)
    assert "Prochains envois" in page and "Ana Agent" in page and "au prochain passage" in page
    assert "Rien n’a encore été envoyé." in page
    automatic.run(now=datetime.now(PARIS))
    page = client.get("/comms/automatic/device_age").get_data(as_text=True)
    assert "Ana Agent – Dell Latitude 5420" in page and "Rien à envoyer pour l’instant." in page
    assert "Un équipement prend de l’âge" in page  # the template it sends

    token = csrf_token(client)
    client.post("/comms/automatic/device_age/switch", data={"csrf_token": token, "on": "0"})
    assert not automatic.trigger("device_age").enabled
    saved = client.post("/comms/automatic/device_age", data={
        "csrf_token": token, "template": automatic.trigger("device_age").template_id, "years": "3"})
    assert saved.status_code == 303
    db.session.expire_all()
    assert automatic.trigger("device_age").years == Decimal("3.0")
    refused = client.post("/comms/automatic/device_age", data={"csrf_token": token, "template": "", "years": "90"})
    assert refused.status_code == 422
    audience_page = client.get("/comms/automatic/device_age/audience").get_data(as_text=True)
    assert "<h1>Destinataires <span class=\"subtitle\">Un équipement atteint son âge</span></h1>" in audience_page
    client.post("/comms/automatic/device_age/audience", data={
        "csrf_token": token, "languages": ["en"], "participation": "", "open_order": "", "campaign": ""})
    db.session.expire_all()
    assert automatic.trigger("device_age").audience == {"languages": ["en"]}
    assert client.get("/comms/automatic/nope").status_code == 404


def test_the_command_runs_the_triggers_or_lists_what_they_would_send(app, make_user, make_item, make_asset,
                                                                    switched_on):
    laptop = make_item(lifetime_years=Decimal("5"))
    ana = make_user(email="ana@test.example")
    today = datetime.now(PARIS).date()
    make_asset(user=ana, item=laptop, acquired_on=today - timedelta(days=int(Decimal("2.5") * Decimal("365.25")) + 1))
    switched_on(TriggerKind.DEVICE_AGE.value)
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["messaging", "triggers", "--dry-run"])
    assert listed.exit_code == 0
    assert "device_age (on): 1 to send" in listed.output and "ana@test.example" in listed.output
    assert "order_delivered (off): 0 to send" in listed.output
    assert db.session.scalar(sa.select(sa.func.count(AutomaticEvent.id))) == 0
    ran = runner.invoke(args=["messaging", "triggers"])
    assert (ran.exit_code, ran.output.strip()) == (0, "recorded: 1, sent: 1, expired: 0")


def test_a_first_switch_sent_twice_at_once_creates_the_trigger_once(app):
    """A double click on "Turn on" for a trigger never saved: the second request waits for the first one's new row
    and switches it, instead of failing on its unique key."""
    from portal.messaging.models import MessageTrigger
    from tests.concurrency import first_then_second, postgresql_only

    postgresql_only()
    seed_ready_templates()
    db.session.commit()

    def turn_on() -> bool:
        return automatic.switch(automatic.trigger(TriggerKind.DEVICE_AGE.value), on=True).enabled

    assert first_then_second(app, turn_on, turn_on) == (True, True)
    rows = db.session.scalars(sa.select(MessageTrigger)).all()
    assert [(row.key, row.enabled) for row in rows] == [(TriggerKind.DEVICE_AGE.value, True)]
