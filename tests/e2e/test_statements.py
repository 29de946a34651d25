"""A visitor who is not logged in reaches both statements from the footer, with the keyboard: both pages are
axe clean and score EcoIndex A, and the eco-design figures are a paginated table with its caption."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from portal.main.statements import ecoindex_report
from tests.e2e.helpers import assert_accessible, measure_ecoindex


def _tab_to(page: Page, name: str) -> None:
    link = page.get_by_role("link", name=name, exact=True)
    for _ in range(20):
        if link.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(link).to_be_focused()


def test_both_statements_from_the_footer_of_the_login_page(page: Page):
    report = ecoindex_report()
    page.goto("/login")
    _tab_to(page, "Accessibilité : non conforme")
    page.keyboard.press("Enter")
    expect(page).to_have_url("/accessibility")
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclaration d’accessibilité")
    expect(page.get_by_role("heading", level=2, name="État de conformité")).to_be_visible()
    expect(page.get_by_text("Le portail du numérique responsable est non conforme avec le RGAA, version 4.1.")) \
        .to_be_visible()
    expect(page.get_by_role("link", name="accessibilite-numerique@bordeaux-metropole.example")).to_have_attribute(
        "href", "mailto:accessibilite-numerique@bordeaux-metropole.example")
    assert_accessible(page)
    eco = measure_ecoindex(page, "/accessibility")
    assert eco.grade == "A", eco

    _tab_to(page, "Écoconception")
    page.keyboard.press("Enter")
    expect(page).to_have_url("/eco-design")
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclaration d’écoconception")
    table = page.get_by_role("table")
    expect(table.locator("caption")).to_contain_text("EcoIndex de chaque page, mesuré le")
    expect(table.get_by_role("columnheader", name="Éléments du DOM")).to_be_visible()
    first = report.pages[0]
    expect(table.get_by_role("row").nth(1)).to_contain_text(f"{first.path}")
    expect(table.get_by_role("row").nth(1)).to_contain_text(f"{first.grade} ({first.score}/100)")
    assert_accessible(page)
    eco = measure_ecoindex(page, "/eco-design")
    assert eco.grade == "A", eco

    # The next rows are one link away, and the table is where the reader lands.
    page.get_by_role("link", name="Page suivante").click()
    expect(page).to_have_url("/eco-design?page=2#measures")
    expect(page.get_by_role("table").get_by_role("row").nth(1)).to_contain_text(report.pages[20].path)
    assert_accessible(page)
