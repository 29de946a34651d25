"""Clean-up campaigns in Chromium: an admin imports an export; an employee joins, ticks and sees what they freed."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from portal.campaigns import imports, services
from portal.models import db, utcnow
from tests.campaigns.conftest import GB, generic_csv
from tests.e2e.helpers import assert_accessible, measure_ecoindex

SAMPLES = Path(__file__).resolve().parent.parent / "campaigns" / "samples"


def measure(rows: list[tuple]) -> None:
    imports.import_storage_file(io.BytesIO(generic_csv(rows)), filename="mesures.csv")
    db.session.commit()


def test_admin_imports_a_mailbox_export_through_the_web_form(page: Page, make_user, browser_login):
    admin = make_user(email="admin@test.example", first_name="Adèle", roles=("admin",))
    make_user(email="alice.martin@example.org", first_name="Alice", last_name="Martin")
    make_user(email="bruno.lefevre@example.org", first_name="Bruno", last_name="Lefèvre")
    browser_login(admin)

    page.get_by_role("link", name="Administration").first.click()  # the menu's hub of the admin pages
    page.get_by_role("link", name="Imports de stockage").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Imports de stockage")
    assert_accessible(page)

    page.get_by_role("button", name="Importer").click()  # no file chosen: refused, nothing imported
    expect(page.get_by_role("alert")).to_contain_text("Choisissez un fichier à importer.")
    assert_accessible(page)

    page.get_by_label("Fichier d’export (CSV)").set_input_files(str(SAMPLES / "m365_mailbox_usage_detail.csv"))
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Import n° \d+"))
    expect(page.get_by_role("status").first).to_contain_text("2 relevés créés")
    figures = page.locator("dl.figures")
    expect(figures).to_contain_text("Lignes lues")
    expect(figures.locator("div", has_text="Relevés créés")).to_contain_text("2")
    expect(page.get_by_role("cell", name=re.compile("nom masqué"))).to_be_visible()
    assert_accessible(page)

    # The same file again creates nothing: the report says so.
    page.get_by_role("link", name="Imports de stockage").first.click()
    page.get_by_label("Fichier d’export (CSV)").set_input_files(str(SAMPLES / "m365_mailbox_usage_detail.csv"))
    page.get_by_role("button", name="Importer").click()
    expect(page.locator("dl.figures div", has_text="Inchangés")).to_contain_text("2")
    expect(page.locator("dl.figures div", has_text="Relevés créés")).to_contain_text("0")


def test_employee_joins_ticks_guide_actions_and_sees_their_freed_gb(
    page: Page, make_user, browser_login, campaign_today
):
    agent = make_user(email="ana@test.example", first_name="Ana")
    start = campaign_today.starts_at
    measure(
        [
            (agent.email, "mailbox", 8 * GB, 40_000, start - timedelta(days=2)),
            (agent.email, "drive", 20 * GB, 900, start - timedelta(days=2)),
            (agent.email, "mailbox", 6 * GB, 31_000, start + timedelta(days=2)),
            (agent.email, "drive", 19_500_000_000, 850, start + timedelta(days=3)),
        ]
    )
    browser_login(agent)
    page.get_by_role("link", name="Campagnes de nettoyage").first.click()
    page.get_by_role("link", name="Grand nettoyage de printemps").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grand nettoyage de printemps")
    expect(page.locator("body")).to_contain_text("jours restants")
    assert_accessible(page)

    page.get_by_role("button", name="Rejoindre la campagne").click()  # htmx: the section is swapped
    participation = page.locator("#participation")
    expect(participation).to_contain_text("Vous participez")
    # The news takes the focus (read out once by screen readers), so the live region does not repeat it.
    expect(participation.locator(".notice.success")).to_be_focused()
    expect(participation.locator(".notice.success")).to_have_text(re.compile("Vous participez"))
    expect(page.locator("#live-status")).to_have_text("")
    participants = page.locator("#campaign-totals dt:text-is('Participants') + dd")
    expect(participants).to_have_text(re.compile(r"^1\b"))  # the totals followed the event
    assert_accessible(page)

    page.get_by_label("Vider les dossiers Éléments supprimés et Courrier indésirable").check()
    expect(page.locator("#checklist")).to_contain_text("1 action faite sur 12")
    page.get_by_label("Vider la corbeille de OneDrive").check()
    expect(page.locator("#checklist")).to_contain_text("2 actions faites sur 12")
    expect(page.get_by_label("Vider la corbeille de OneDrive")).to_be_focused()  # focus kept after the swap
    assert_accessible(page)

    page.reload()
    expect(page.get_by_label("Vider la corbeille de OneDrive")).to_be_checked()
    progress = page.locator("#my-progress")
    expect(progress).to_contain_text("Libéré depuis le début : 2,5 Go")
    expect(progress.get_by_role("row", name=re.compile("Boîte aux lettres"))).to_contain_text("2 Go")
    # Ana is the only one who freed anything: the campaign's total would be her own figure, shown to everyone.
    totals = page.locator("#campaign-totals")
    expect(totals).not_to_contain_text("2,5 Go")
    expect(totals.locator("dt:text-is('Stockage libéré par les participants') + dd")).to_have_text("non affiché")
    expect(totals).to_contain_text("Le stockage de moins de 5 participants a changé jusqu’ici")
    assert_accessible(page)

    for link, heading in (
        ("Graphiques : Go libérés et participation par jour", "Résultats par jour"),
        ("Bilan", "Bilan de Grand nettoyage de printemps"),
    ):
        page.goto(f"/campaigns/{campaign_today.id}")
        page.get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page)
    page.get_by_role("link", name="Pourquoi deux conventions ?").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("CO₂e du stockage libéré : deux conventions")
    assert_accessible(page)


def test_leaderboard_shows_teams_without_individuals(
    page: Page, make_user, make_org_unit, browser_login, campaign_today
):
    unit = make_org_unit(name="Service Sobriété numérique")
    small, smaller = make_org_unit(name="Service Minuscule"), make_org_unit(name="Service Petit")
    team = [make_user(org_unit=unit, last_name=f"Équipier{n}") for n in range(6)]
    grouped = [make_user(org_unit=small, last_name="Solitaire")] + [make_user(org_unit=smaller) for _ in range(3)]
    start = campaign_today.starts_at
    measure(
        [(u.email, "mailbox", 5 * GB, None, start - timedelta(days=1)) for u in [*team, *grouped]]
        + [(u.email, "mailbox", 3 * GB, None, start + timedelta(days=1)) for u in [*team, *grouped]]
    )
    for user in [*team, *grouped]:
        services.join(user, campaign_today, now=utcnow())
    # One of the team asks not to be counted in it: total − the team = the four others and them, five people.
    services.set_hidden_from_team(team[-1], campaign_today, True)
    db.session.commit()

    browser_login(team[0])
    page.goto(f"/campaigns/{campaign_today.id}")
    page.get_by_role("link", name="Classement des équipes").click()
    table = page.get_by_role("table")
    expect(table.get_by_role("rowheader", name="Service Sobriété numérique")).to_be_visible()
    expect(table).to_contain_text("Autres équipes")
    expect(table).to_contain_text("Non affiché\u00a0: avec les autres chiffres, il dirait ce qu’ont libéré moins de 5")
    body = page.locator("main").inner_text()
    assert "Équipier" not in body and "Solitaire" not in body and "Service Minuscule" not in body
    assert_accessible(page)
    page.get_by_role("link", name="Par taux de participation").click()
    expect(page.get_by_role("link", name="Par taux de participation")).to_have_attribute("aria-current", "page")
    assert_accessible(page)


def test_campaign_page_scores_ecoindex_a(page: Page, make_user, browser_login, campaign_today):
    agent = make_user(email="eco@test.example")
    services.join(agent, campaign_today, now=utcnow())
    db.session.commit()
    browser_login(agent)
    result = measure_ecoindex(page, f"/campaigns/{campaign_today.id}")
    print(result)
    assert result.grade == "A", str(result)
