"""A person logs in through the real form in Chromium, switches language, and logs out."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.helpers import assert_accessible, measure_ecoindex


def test_log_in_switch_language_and_log_out(page: Page, make_user):
    make_user(email="ana.agent@test.example", first_name="Ana", last_name="Agent")

    page.goto("/")
    expect(page).to_have_url("/login?next=%2F")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion au portail du numérique responsable")
    assert_accessible(page)

    page.get_by_label("Adresse de courriel professionnelle").fill("ana.agent@test.example")
    page.get_by_label("Mot de passe").fill("not the password")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Adresse de courriel ou mot de passe incorrect.")
    assert_accessible(page)

    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Ana")
    assert_accessible(page)

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello Ana")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)

    # The choice is saved on the account: it survives logging out and in again.
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status").first).to_have_text("You are logged out.")
    page.get_by_label("Work e-mail address").fill("ana.agent@test.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello Ana")


def test_keyboard_only_login(page: Page, make_user):
    make_user(email="kb@test.example", first_name="Kim")
    page.goto("/login")
    # The e-mail field has the focus on arrival; the skip link is the first stop before it.
    expect(page.get_by_label("Adresse de courriel professionnelle")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(page.get_by_label("Adresse de courriel professionnelle")).to_be_focused()
    page.keyboard.type("kb@test.example")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Kim")


def test_login_and_home_pages_score_ecoindex_a(page: Page, make_user):
    make_user(email="eco@test.example", first_name="Eco")
    login = measure_ecoindex(page, "/login")
    print(login)
    page.get_by_label("Adresse de courriel professionnelle").fill("eco@test.example")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Eco")
    home = measure_ecoindex(page, "/")
    print(home)
    assert login.grade == "A", str(login)
    assert home.grade == "A", str(home)


def test_admin_searches_employees_with_htmx_and_pages(page: Page, make_user):
    make_user(email="admin@test.example", first_name="Adèle", roles=("admin",))
    make_user(first_name="Bérénice", last_name="Lacoste")
    for n in range(22):
        make_user(last_name=f"Durand{n:02d}")
    page.goto("/login")
    page.get_by_label("Adresse de courriel professionnelle").fill("admin@test.example")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Administration").first.click()  # the menu's hub of the admin pages
    page.get_by_role("link", name="Agents", exact=True).first.click()
    expect(page.get_by_role("heading", level=2)).to_have_text("24 agents trouvés")
    assert_accessible(page)
    page.get_by_role("link", name="Page suivante").click()
    expect(page).to_have_url("/admin/users?page=2")
    page.get_by_label("Nom ou courriel").fill("lacoste")
    expect(page.get_by_role("heading", level=2)).to_have_text("1 agent trouvé")
    expect(page).to_have_url("/admin/users?q=lacoste")
    expect(page.locator("#live-status")).to_have_text("1 agent trouvé")
    assert_accessible(page)
    page.go_back()
    expect(page.get_by_role("heading", level=2)).to_have_text("24 agents trouvés")
