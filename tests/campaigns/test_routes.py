"""Campaign pages over HTTP: who sees what (403/404), join/leave/ticks with and without htmx, uploads, forms."""

from __future__ import annotations

import importlib
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.campaigns import services
from portal.campaigns.models import Campaign, ChecklistTick, StorageImport, StorageSnapshot
from portal.models import db
from tests.campaigns.conftest import GB, paris
from tests.conftest import csrf_token

SAMPLES = Path(__file__).parent / "samples"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def open_campaign(make_campaign):
    """A campaign active today (whatever today is), for the pages that read the clock."""
    from portal.models import utcnow

    today = services.paris_today(utcnow())
    from datetime import timedelta

    return make_campaign(
        name="Nettoyage de printemps",
        first_day=today - timedelta(days=5),
        last_day=today + timedelta(days=15),
        published_at=utcnow() - timedelta(days=10),
        now=utcnow(),
        goal_gb=100,
    )


def test_pages_need_a_login(client, open_campaign):
    for path in ("/campaigns", f"/campaigns/{open_campaign.id}", "/campaigns/co2e", "/admin/storage-imports"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


@pytest.mark.parametrize("path", ["/admin/campaigns", "/admin/campaigns/new", "/admin/storage-imports"])
@pytest.mark.parametrize("role", ["employee", "manager", "comms"])
def test_admin_pages_are_403_for_other_roles(client, login_as, role, path):
    login_as(role)
    assert client.get(path).status_code == 403


def test_drafts_and_campaigns_of_other_scopes_are_404(client, login_as, make_campaign, make_site):
    login_as("employee", site=make_site(commune_insee="33063"))
    draft = make_campaign()
    elsewhere = make_campaign(scope_all=False, commune_insees=["33318"], published_at=paris(2026, 2, 1))
    for campaign in (draft, elsewhere):
        for suffix in ("", "/leaderboard", "/results", "/summary"):
            assert client.get(f"/campaigns/{campaign.id}{suffix}").status_code == 404
    assert client.get("/campaigns/999999").status_code == 404
    token = csrf_token(client)
    assert client.post(f"/campaigns/{elsewhere.id}/join", data={"csrf_token": token}).status_code == 404


def test_campaign_page_shows_countdown_goal_guides_and_join_button(client, login_as, open_campaign):
    login_as("employee")
    page = client.get(f"/campaigns/{open_campaign.id}").get_data(as_text=True)
    assert "Nettoyage de printemps" in page
    assert "15 jours restants" in page or "16 jours restants" in page
    assert '<progress id="goal-gb"' in page
    assert 'id="participation"' in page and "Rejoindre la campagne" in page
    assert "Boîte aux lettres" in page  # the guides are readable before joining
    assert 'type="checkbox"' not in page  # …but ticked only once joined
    assert "CO₂e selon le facteur de stockage ADEME" in page  # any CO₂e names its convention


def test_join_tick_and_leave_without_javascript(client, login_as, open_campaign):
    user = login_as("employee")
    token = csrf_token(client)
    response = client.post(f"/campaigns/{open_campaign.id}/join", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/campaigns/{open_campaign.id}#participation")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Vous participez" in page and 'id="action-mailbox-bins"' in page

    response = client.post(
        f"/campaigns/{open_campaign.id}/checklist",
        data={"csrf_token": token, "action": ["mailbox-bins", "drive-bin"]},
    )
    assert response.status_code == 303
    assert services.ticked_actions(user, open_campaign) == {"mailbox-bins", "drive-bin"}
    page = client.get(f"/campaigns/{open_campaign.id}").get_data(as_text=True)
    assert "2 actions faites sur 12" in page
    assert re.search(r'id="action-drive-bin"[^>]*checked', page)

    assert client.post(f"/campaigns/{open_campaign.id}/leave", data={"csrf_token": token}).status_code == 303
    assert not services.is_participant(user, open_campaign)


def test_join_and_ticks_with_htmx_answer_fragments(client, login_as, open_campaign):
    login_as("employee")
    token = csrf_token(client)
    response = client.post(f"/campaigns/{open_campaign.id}/join", data={"csrf_token": token}, headers=HTMX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="participation"') and "<html" not in body
    assert response.headers["HX-Trigger"] == "participation-changed"
    assert "HX-Request" in response.headers["Vary"]

    response = client.post(
        f"/campaigns/{open_campaign.id}/checklist", data={"csrf_token": token, "action": "photos-sort"}, headers=HTMX
    )
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="checklist"')
    assert 'data-status="Liste enregistrée' in body

    totals = client.get(f"/campaigns/{open_campaign.id}", headers=HTMX).get_data(as_text=True)
    assert totals.lstrip().startswith("{#") is False and 'id="campaign-totals"' in totals and "<html" not in totals


def test_hide_me_from_my_team(client, login_as, open_campaign):
    user = login_as("employee")
    token = csrf_token(client)
    assert (
        client.post(
            f"/campaigns/{open_campaign.id}/team-visibility", data={"csrf_token": token, "hidden": "1"}
        ).status_code
        == 403
    )
    client.post(f"/campaigns/{open_campaign.id}/join", data={"csrf_token": token})
    client.post(f"/campaigns/{open_campaign.id}/team-visibility", data={"csrf_token": token, "hidden": "1"})
    assert services.participation_of(user, open_campaign).hidden_from_team


def test_ticking_without_joining_is_refused(client, login_as, open_campaign):
    login_as("employee")
    response = client.post(
        f"/campaigns/{open_campaign.id}/checklist", data={"csrf_token": csrf_token(client), "action": "photos-sort"}
    )
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChecklistTick)) == 0


def test_posts_without_csrf_token_are_refused(client, login_as, open_campaign):
    login_as("employee")
    assert client.post(f"/campaigns/{open_campaign.id}/join").status_code == 400
    assert db.session.scalars(sa.select(Campaign)).first().id is not None


def test_closed_campaign_cannot_be_joined(client, login_as, make_campaign):
    login_as("employee")
    campaign = make_campaign(published_at=paris(2026, 2, 1), now=paris(2026, 4, 1))
    response = client.post(f"/campaigns/{campaign.id}/join", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303
    assert "ne peut plus être rejointe" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert not services.participation_of(
        db.session.scalars(sa.select(Campaign)).first().__class__ and _any_user(), campaign
    )


def _any_user():
    from portal.accounts.models import User

    return db.session.scalars(sa.select(User)).first()


def test_my_progress_is_shown_to_me_only(client, login_as, open_campaign, import_rows, make_user):
    me = login_as("employee")
    other = make_user(first_name="Zoé", last_name="Secrète")
    start, now = open_campaign.starts_at, open_campaign.starts_at.replace(hour=12)
    from datetime import timedelta

    import_rows([(u, "mailbox", 8 * GB, 100, start - timedelta(days=1)) for u in (me, other)])
    import_rows(
        [
            (me, "mailbox", 5_500_000_000, 60, now + timedelta(days=1)),
            (other, "mailbox", 1 * GB, 10, now + timedelta(days=1)),
        ]
    )
    token = csrf_token(client)
    client.post(f"/campaigns/{open_campaign.id}/join", data={"csrf_token": token})
    page = client.get(f"/campaigns/{open_campaign.id}").get_data(as_text=True)
    assert "2,5 Go" in page  # mine
    assert "7 Go" not in page and "Secrète" not in page  # never someone else's


def test_leaderboard_shows_teams_not_people(client, login_as, open_campaign, make_user, make_org_unit, import_rows):
    unit = make_org_unit(name="Service Propreté numérique")
    users = [make_user(org_unit=unit, last_name=f"Agent{n}") for n in range(5)]
    for user in users:
        services.join(user, open_campaign, now=open_campaign.starts_at)
    db.session.commit()
    login_as("employee")
    page = client.get(f"/campaigns/{open_campaign.id}/leaderboard").get_data(as_text=True)
    assert "Service Propreté numérique" in page
    assert "Agent0" not in page
    assert client.get(f"/campaigns/{open_campaign.id}/leaderboard?sort=rate&page=abc").status_code == 200


def test_results_page_draws_svg_charts_with_a_data_table(client, login_as, open_campaign):
    login_as("employee")
    page = client.get(f"/campaigns/{open_campaign.id}/results").get_data(as_text=True)
    assert page.count('role="img"') == 2
    assert '<title id="freed-chart-title">' in page and '<desc id="freed-chart-desc">' in page
    assert "<caption>Données des deux graphiques</caption>" in page


def test_summary_and_csv_export(client, login_as, open_campaign, make_user):
    login_as("employee")
    page = client.get(f"/campaigns/{open_campaign.id}/summary").get_data(as_text=True)
    assert "provisoires" in page and "summary.csv" not in page
    locator = importlib.import_module("portal.locator.services")
    assert ("Rapportés aux points de collecte" in page) == hasattr(locator, "returns_between")
    assert client.get(f"/campaigns/{open_campaign.id}/summary.csv").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login_as("comms")
    response = client.get(f"/campaigns/{open_campaign.id}/summary.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True).splitlines()[0].lstrip("\ufeff").startswith("row,team,")


def test_co2e_explanation_page(client, login_as):
    login_as("employee")
    page = client.get("/campaigns/co2e").get_data(as_text=True)
    assert "0,235" in page and "250" in page and "1 829 132" in page.replace("\u202f", " ").replace("\xa0", " ")


def test_the_privacy_rule_is_explained_in_french_and_english(client, login_as, open_campaign):
    """Where the leaderboard points to: how teams, other teams, the total, places and days stay anonymous."""
    user = login_as("employee")
    leaderboard = client.get(f"/campaigns/{open_campaign.id}/leaderboard").get_data(as_text=True)
    assert '<a href="/campaigns/co2e#privacy">Comment les chiffres restent anonymes</a>' in leaderboard
    page = client.get("/campaigns/co2e").get_data(as_text=True)
    assert '<h2 id="privacy">Comment les chiffres restent anonymes</h2>' in page
    assert "ne dit ce qu’ont libéré moins de 5 personnes" in page
    assert "la plus petite équipe affichée les rejoint" in page
    assert "juste avant et juste après le changement d’une seule personne" in page  # what the rule does not cover
    user.locale = "en"
    db.session.commit()
    page = client.get("/campaigns/co2e").get_data(as_text=True)
    assert '<h2 id="privacy">How the figures stay anonymous</h2>' in page
    assert "the smallest team shown joins them" in page


def test_admin_creates_edits_and_publishes_a_campaign(client, login_as, communes):
    login_as("admin")
    form = client.get("/admin/campaigns/new").get_data(as_text=True)
    assert 'name="first_day"' in form and "Mérignac" in form
    token = csrf_token(client)
    bad = client.post(
        "/admin/campaigns/new",
        data={
            "csrf_token": token,
            "name": "X",
            "first_day": "2027-03-28",
            "last_day": "2027-03-08",
            "team_rule": "org_unit",
            "co2e_convention": "cleanup_day",
        },
    )
    assert bad.status_code == 422
    assert "Le dernier jour doit" in bad.get_data(as_text=True)
    no_scope = client.post(
        "/admin/campaigns/new",
        data={
            "csrf_token": token,
            "name": "X",
            "first_day": "2027-03-08",
            "last_day": "2027-03-28",
            "team_rule": "org_unit",
            "co2e_convention": "cleanup_day",
        },
    )
    assert no_scope.status_code == 422
    response = client.post(
        "/admin/campaigns/new",
        data={
            "csrf_token": token,
            "name": "Nettoyage 2027",
            "first_day": "2027-03-08",
            "last_day": "2027-03-28",
            "communes": ["33281", "33318"],
            "goal_gb": "1 500,5",
            "goal_participation_percent": "30",
            "team_rule": "commune",
            "co2e_convention": "cleanup_day",
        },
    )
    assert response.status_code == 303
    campaign = db.session.scalars(sa.select(Campaign)).one()
    assert (campaign.state, campaign.scope_all, campaign.team_rule) == ("draft", False, "commune")
    assert sorted(c.insee for c in campaign.communes) == ["33281", "33318"]
    assert float(campaign.goal_participation) == 0.3
    edit = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="Nettoyage 2027"' in edit and "Publier" in edit
    # The goal typed the French way is read, and shown back as French writes it (not "1500.5").
    assert campaign.goal_gb == Decimal("1500.5")
    assert 'value="1\u202f500,5"' in edit
    response = client.post(f"/admin/campaigns/{campaign.id}/publish", data={"csrf_token": token})
    assert response.status_code == 303
    db.session.refresh(campaign)
    assert campaign.state == "upcoming"
    response = client.post(
        f"/admin/campaigns/{campaign.id}/edit",
        data={
            "csrf_token": token,
            "name": "Nettoyage 2027 bis",
            "first_day": "2027-03-08",
            "last_day": "2027-03-28",
            "scope_all": "y",
            "team_rule": "org_unit",
            "co2e_convention": "ademe_storage",
            "horizon_year": "2030",
        },
    )
    assert response.status_code == 303
    db.session.refresh(campaign)
    assert (campaign.name, campaign.scope_all, campaign.communes, campaign.horizon_year) == (
        "Nettoyage 2027 bis",
        True,
        [],
        2030,
    )


def test_admin_uploads_an_export_and_reads_its_report(client, login_as, make_user):
    make_user(email="alice.martin@example.org")
    login_as("admin")
    token = csrf_token(client)
    data = {
        "csrf_token": token,
        "format": "auto",
        "file": (io.BytesIO((SAMPLES / "m365_mailbox_fr_semicolon.csv").read_bytes()), "mailbox.csv"),
    }
    response = client.post("/admin/storage-imports", data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    report = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Import n° 1" in report
    assert "nom masqué" in report  # concealed names are listed, never guessed
    assert "taille négative" in report
    batch = db.session.scalars(sa.select(StorageImport)).one()
    assert batch.created == 1 and batch.invalid >= 3
    invalid_only = client.get(response.headers["Location"] + "?kind=invalid").get_data(as_text=True)
    assert "nom masqué" not in invalid_only
    fragment = client.get(response.headers["Location"] + "?page=2", headers=HTMX)
    assert fragment.get_data(as_text=True).lstrip().startswith('<section id="import-problems"')


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04\x14\x00binary", "classeur Excel"),
        (b"\x00\x01\x02\x03" * 100, "pas du texte CSV"),
        (b"nom,taille\nalice,12\n", "ne correspondent à aucun export connu"),
    ],
)
def test_upload_of_a_binary_or_unknown_file_imports_nothing(client, login_as, content, message):
    login_as("admin")
    data = {"csrf_token": csrf_token(client), "format": "auto", "file": (io.BytesIO(content), "export.xlsx")}
    response = client.post("/admin/storage-imports", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(StorageImport.id))) == 0


def test_upload_without_a_file_is_refused(client, login_as):
    login_as("admin")
    response = client.post("/admin/storage-imports", data={"csrf_token": csrf_token(client), "format": "auto"})
    assert response.status_code == 422


def test_upload_above_the_limit_is_413(app, client, login_as, monkeypatch):
    login_as("admin")
    token = csrf_token(client)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    data = {
        "csrf_token": token,
        "format": "auto",
        "file": (io.BytesIO(b"email,source,bytes\n" + b"x" * 4096), "big.csv"),
    }
    response = client.post("/admin/storage-imports", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Fichier trop volumineux" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(StorageSnapshot.id))) == 0


def test_the_home_page_lists_the_campaign_for_employees_in_scope(client, login_as, open_campaign):
    login_as("employee")
    html = client.get("/").get_data(as_text=True)
    assert 'id="home-campaigns-title"' in html and "Nettoyage de printemps" in html
    assert f"/campaigns/{open_campaign.id}" in html


def test_help_section_is_included_in_the_help_page(client, login_as):
    login_as("employee")
    page = client.get("/help").get_data(as_text=True)
    assert 'id="campaigns"' in page


def test_campaign_page_in_english(client, login_as, open_campaign):
    login_as("employee", locale="en")
    page = client.get(f"/campaigns/{open_campaign.id}").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Join the campaign" in page and "days left" in page and "ADEME storage factor" in page


def test_campaign_page_shows_my_participation_not_a_colleagues(client, login_as, make_user, open_campaign):
    colleague = make_user()
    services.join(colleague, open_campaign, now=paris(2026, 3, 20))
    db.session.commit()
    me = login_as("employee")
    page = client.get(f"/campaigns/{open_campaign.id}").get_data(as_text=True)
    assert "Rejoindre la campagne" in page and "Vous participez depuis" not in page
    services.join(me, open_campaign, now=paris(2026, 3, 21))
    db.session.commit()
    page = client.get(f"/campaigns/{open_campaign.id}").get_data(as_text=True)
    assert "Vous participez depuis le 21 mars 2026." in page and "Quitter la campagne" in page
