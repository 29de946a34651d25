"""Personal data: the information notice, the download of one's data, the processing register, and the nightly
retention rules with an injected clock (figures counted with the data stay the same)."""

from __future__ import annotations

import csv
import html
import io
import json
import zipfile
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from jobs.schedule import jobs
from portal import reference_cache
from portal.accounts.models import User
from portal.accounts.services import set_active
from portal.campaigns import results
from portal.campaigns import services as campaign_services
from portal.campaigns.models import StorageSnapshot
from portal.main.models import Notice
from portal.main.services import notify
from portal.messaging.models import EmailOptOut, MessageRecipient, OutboxEntry
from portal.messaging.services import delivery_figures
from portal.models import db
from portal.personal_data import months_before
from portal.privacy.services import apply_retention
from portal.timezone import PARIS
from tests.campaigns.conftest import paris
from tests.conftest import csrf_token


def text(response) -> str:  # noqa: ANN001
    return html.unescape(response.get_data(as_text=True))


# ------------------------------------------------------------------------------------------------ the notice


def test_the_notice_is_public_and_says_what_why_who_how_long_and_the_rights(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_DPO_CONTACT", "dpo@example.org")
    monkeypatch.setitem(app.config, "PORTAL_RETENTION_STORAGE_MONTHS", 18)
    response = client.get("/privacy")
    assert response.status_code == 200
    page = text(response)
    assert "<h1>Données personnelles\u202f: notice d’information</h1>" in page
    assert "mission d’intérêt public (article 6, paragraphe 1, point e, du RGPD)" in page
    assert "Mesures de stockage 18\u00a0mois" in page
    assert '<a href="mailto:dpo@example.org">dpo@example.org</a>' in page
    assert "Campagnes de nettoyage" in page and "Sécurité de la connexion" in page
    assert 'href="https://www.cnil.fr/fr/plaintes"' in page


def test_the_notice_in_english(client):
    client.post("/language", data={"locale": "en", "next": "/privacy", "csrf_token": csrf_token(client)})
    page = text(client.get("/privacy"))
    assert "<h1>Personal data: information notice</h1>" in page
    assert "Storage measures 24 months" in page


@pytest.mark.parametrize("path", ["/login", "/accessibility", "/privacy"])
def test_every_page_footer_links_the_notice(client, path):
    assert '<a href="/privacy">Données personnelles</a>' in text(client.get(path))


# ------------------------------------------------------------------------------------------------ my data


@pytest.fixture
def someone(make_user, make_asset, measure, make_campaign, make_message, start):  # noqa: ANN001, ANN201
    """An employee with data in every domain, and a colleague with data of their own."""
    me = make_user(email="claire@test.example", first_name="Claire", last_name="Martin")
    colleague = make_user(email="colleague@test.example")
    make_asset(user=me, asset_tag="PC-CLAIRE", model_name="Latitude 5440")
    make_asset(user=colleague, asset_tag="PC-COLLEAGUE")
    measure(me, 12.5, paris(2026, 3, 1))
    measure(colleague, 3, paris(2026, 3, 1))
    campaign = make_campaign(published_at=paris(2026, 2, 20), now=paris(2026, 3, 15))
    campaign_services.join(me, campaign, now=paris(2026, 3, 10))
    notify(me, "order_delivered", {"item": "Latitude", "order_id": 1})
    db.session.add(EmailOptOut(user_id=me.id, category="news"))
    start(make_message(subject_fr="Votre parc",
                       body_fr="Bonjour {{ first_name }}, vous avez {{ device_count }} appareil."))
    db.session.commit()
    return me


def test_my_data_lists_what_the_file_holds(client, login, someone):
    login(someone)
    page = text(client.get("/me/data"))
    assert "<h1>Mes données personnelles</h1>" in page
    for table in ("profile.csv", "devices.csv", "storage_measured.csv", "messages_received.csv", "notices.csv"):
        assert table in page
    assert 'href="/me/data.zip"' in page


def test_my_data_downloads_everything_about_me_as_json_and_csv_in_a_zip(client, login, someone):
    login(someone)
    response = client.get("/me/data.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="personal-data-')
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("personal-data.json"))["tables"]
    assert data["profile"][0]["email"] == "claire@test.example"
    assert [d["asset_tag"] for d in data["devices"]] == ["PC-CLAIRE"]  # the colleague's device is not mine
    assert [s["size_bytes"] for s in data["storage_measured"]] == [12_500_000_000]
    assert data["campaign_participation"][0]["campaign"] == "Grand nettoyage 2026"
    assert [n["kind"] for n in data["notices"]] == ["order_delivered"]
    assert [p["category_without_email"] for p in data["email_preferences"]] == ["news"]
    [message] = data["messages_received"]
    assert message["subject"] == "Votre parc" and "Bonjour Claire, vous avez 1 appareil." in message["body"]
    # Each table also as a CSV file a spreadsheet opens (UTF-8 with a byte-order mark).
    devices = archive.read("devices.csv").decode("utf-8")
    assert devices.startswith("\ufeff")
    assert next(csv.DictReader(io.StringIO(devices.lstrip("\ufeff"))))["asset_tag"] == "PC-CLAIRE"
    assert set(archive.namelist()) == {"personal-data.json", *(f"{name}.csv" for name in data)}


def test_the_download_needs_a_login(client):
    assert client.get("/me/data.zip").status_code == 302


# ------------------------------------------------------------------------------------------------ the register


def test_the_register_shows_each_activity_and_the_retention_rules_to_admins(client, login_as):
    login_as("admin")
    page = text(client.get("/admin/privacy"))
    assert "<h1>Registre des données personnelles</h1>" in page
    assert "Messages personnalisés" in page and "Appareils et demandes d’équipement" in page
    assert "<code>PORTAL_RETENTION_STORAGE_MONTHS</code>" in page and "24\u00a0mois" in page
    assert "<code>PORTAL_RETENTION_OUTBOX_DAYS</code>" in page and "90\u00a0jours" in page


def test_retention_runs_every_night_in_the_jobs_process(app):
    [job] = [job for job in jobs(app.config) if job.name == "personal-data-retention"]
    assert (job.trigger, job.options) == ("cron", {"hour": 3, "minute": 30})


# ------------------------------------------------------------------------------------------------ retention

NOW = datetime(2029, 6, 15, 1, 30, tzinfo=PARIS)


def test_months_are_calendar_months():
    assert months_before(datetime(2029, 3, 31, tzinfo=PARIS), 1) == datetime(2029, 2, 28, tzinfo=PARIS)
    assert months_before(datetime(2029, 6, 15, tzinfo=PARIS), 24) == datetime(2027, 6, 15, tzinfo=PARIS)


def test_storage_measures_older_than_24_months_are_deleted_and_closed_campaign_totals_stay(
    app, make_user, measure, make_campaign
):
    me = make_user()
    campaign = make_campaign(published_at=paris(2026, 2, 20), now=paris(2026, 3, 10))
    campaign_services.join(me, campaign, now=paris(2026, 3, 10))
    measure(me, 20, paris(2026, 3, 1))
    measure(me, 15, paris(2026, 3, 20))
    campaign_services.advance_campaign_states(now=paris(2026, 4, 15))  # closed
    measure(me, 14, datetime(2027, 7, 1, tzinfo=PARIS))  # within 24 months of NOW
    db.session.commit()
    before = results.measured_totals(campaign).freed_bytes
    assert before == 5 * 10**9

    outcomes = {o.key: o.affected for o in apply_retention(app.config, now=NOW)}
    db.session.commit()
    assert outcomes["storage_snapshots"] == 2
    kept = db.session.scalars(sa.select(StorageSnapshot.measured_at)).all()
    assert [m.astimezone(PARIS).date().isoformat() for m in kept] == ["2027-07-01"]
    reference_cache.clear()
    assert results.measured_totals(campaign).freed_bytes == before


def test_measures_a_campaign_not_closed_needs_as_baseline_are_kept(app, make_user, measure, make_campaign):
    me = make_user()
    measure(me, 20, datetime(2027, 1, 10, tzinfo=PARIS))  # older than 24 months at NOW…
    make_campaign(name="2029", first_day=datetime(2027, 3, 1).date(), last_day=datetime(2029, 12, 1).date(),
                  published_at=datetime(2027, 2, 1, tzinfo=PARIS), now=NOW)  # …but the baseline of an open one
    outcomes = {o.key: o.affected for o in apply_retention(app.config, now=NOW)}
    assert outcomes["storage_snapshots"] == 0


def test_departed_accounts_are_pseudonymised_after_12_months_and_the_figures_stay(
    app, make_user, measure, make_campaign, make_message, start
):
    campaign = make_campaign(published_at=paris(2026, 2, 20), now=paris(2026, 3, 10))
    gone = make_user(email="gone@test.example", first_name="Léa", last_name="Départ")
    recent = make_user(email="recent@test.example")
    stays = make_user(email="stays@test.example")
    for person, freed in ((gone, 4), (stays, 2)):
        campaign_services.join(person, campaign, now=paris(2026, 3, 10))
        measure(person, 10, paris(2026, 3, 1))
        measure(person, 10 - freed, paris(2026, 3, 20))
    campaign_services.advance_campaign_states(now=paris(2026, 4, 15))  # closed
    message = start(make_message())
    notify(gone, "order_delivered", {"item": "x", "order_id": 1})
    db.session.add(EmailOptOut(user_id=gone.id, category="news"))
    set_active(gone, False, by=None, now=NOW - timedelta(days=400))
    set_active(recent, False, by=None, now=NOW - timedelta(days=200))
    db.session.commit()
    totals_before, figures_before = results.measured_totals(campaign), delivery_figures(message)

    outcomes = {o.key: o.affected for o in apply_retention(app.config, now=NOW)}
    db.session.commit()
    assert outcomes["deactivated_accounts"] == 1
    pseudonym = db.session.get(User, gone.id)
    assert (pseudonym.full_name, pseudonym.email) == (f"Agent #{gone.id}",
                                                      f"pseudonymised-{gone.id}@pseudonymised.invalid")
    assert pseudonym.password_hash is None and pseudonym.pseudonymised_at == NOW
    assert db.session.get(User, recent.id).email == "recent@test.example"  # deactivated 200 days ago: not yet
    # What the person received goes with them; what was counted stays counted.
    assert db.session.scalar(sa.select(sa.func.count(Notice.id)).where(Notice.user_id == gone.id)) == 0
    assert db.session.scalars(sa.select(EmailOptOut.category).where(EmailOptOut.user_id == gone.id)).all() == []
    inbox = db.session.scalar(sa.select(MessageRecipient).where(MessageRecipient.user_id == gone.id))
    assert (inbox.subject, inbox.body, inbox.in_inbox) == ("", "", False)
    reference_cache.clear()
    totals_after = results.measured_totals(campaign)
    assert (totals_after.freed_bytes, totals_after.participants) == (totals_before.freed_bytes,
                                                                     totals_before.participants)
    assert totals_after.freed_bytes == 6 * 10**9
    figures_after = delivery_figures(message)
    assert (figures_after.recipients, figures_after.read, figures_after.emails) == (
        figures_before.recipients, figures_before.read, figures_before.emails)


def test_inbox_contents_go_after_36_months_and_mail_server_replies_after_90_days(
    app, make_user, make_message, start
):
    make_user(email="reader@test.example")
    old = start(make_message(subject_fr="Ancien"), now=NOW - timedelta(days=365 * 3 + 30))
    new = start(make_message(subject_fr="Récent"), now=NOW - timedelta(days=100))
    db.session.execute(sa.update(OutboxEntry).values(status="failed",
                                                     last_error="550 5.1.1 <reader@test.example> unknown"))
    db.session.commit()

    outcomes = {o.key: o.affected for o in apply_retention(app.config, now=NOW)}
    db.session.commit()
    assert outcomes["inbox"] >= 1
    subjects = dict(db.session.execute(sa.select(MessageRecipient.message_id, MessageRecipient.subject)).all())
    assert subjects[old.id] == "" and subjects[new.id] == "Récent"
    assert set(db.session.scalars(sa.select(OutboxEntry.last_error))) == {"550"}


def test_notices_read_more_than_12_months_ago_are_deleted(app, make_user):
    me = make_user()
    old, recent = notify(me, "order_delivered", {"item": "a"}), notify(me, "order_delivered", {"item": "b"})
    unread = notify(me, "order_delivered", {"item": "c"})
    old.read_at, recent.read_at = NOW - timedelta(days=400), NOW - timedelta(days=100)
    db.session.commit()
    apply_retention(app.config, now=NOW)
    db.session.commit()
    assert set(db.session.scalars(sa.select(Notice.id))) == {recent.id, unread.id}


def test_a_period_of_zero_keeps_that_data(app, make_user, measure, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_RETENTION_STORAGE_MONTHS", 0)
    measure(make_user(), 20, datetime(2020, 1, 10, tzinfo=PARIS))
    assert "storage_snapshots" not in {o.key for o in apply_retention(app.config, now=NOW)}
    assert db.session.scalar(sa.select(sa.func.count(StorageSnapshot.id))) == 1


def test_the_command_applies_the_rules(app, make_user):
    me = make_user()
    set_active(me, False, by=None, now=datetime(2000, 1, 1, tzinfo=PARIS))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["privacy", "apply-retention"])
    assert result.exit_code == 0, result.output
    assert "deactivated_accounts: 1 (older than 12 months)" in result.output


def test_the_help_explains_signing_in_the_directory_and_personal_data(client, login_as):
    login_as()
    page = text(client.get("/help"))
    assert '<h2 id="sign-in">Se connecter avec le compte de l’organisation</h2>' in page
    assert "le compte d’un départ est désactivé et ses appareils sont marqués «\u202fà rendre\u202f»" in page
    assert '<h2 id="personal-data">Vos données personnelles</h2>' in page
