"""Feedback after an action, in French and English, on a phone (390 px) and a desktop (1280 px): a storage
import that used none of its lines is a warning, with the reasons first, not a green "Import done"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_accessible, small_tap_targets
from tests.e2e.test_header import _page

WORDS = {
    "fr": {
        "file": "Fichier d’export (CSV)",
        "import": "Importer",
        "warning": "Aucune ligne du fichier n’a été utilisée",
        "problems": "3 lignes non utilisées",
    },
    "en": {
        "file": "Export file (CSV)",
        "import": "Import",
        "warning": "No line of the file was used",
        "problems": "3 lines not used",
    },
}
UNKNOWN_PEOPLE = (
    b"email,source,bytes,items,measured_at\n"
    b"nobody1@example.org,mailbox,1000,10,2026-03-01\n"
    b"nobody2@example.org,mailbox,2000,20,2026-03-01\n"
    b"nobody3@example.org,mailbox,3000,30,2026-03-01\n"
)


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_an_import_that_used_no_line_is_a_warning_with_its_reasons_first(browser, base_url, make_user, locale, size):
    words = WORDS[locale]
    admin = make_user(first_name="Adèle", roles=("admin",), locale=locale)
    page = _page(browser, base_url, admin, size)
    page.goto("/admin/storage-imports")
    page.get_by_label(words["file"]).set_input_files(
        {"name": "mesures.csv", "mimeType": "text/csv", "buffer": UNKNOWN_PEOPLE}
    )
    page.get_by_role("button", name=words["import"], exact=True).click()
    flash = page.locator("p.notice").first
    expect(flash).to_contain_text(words["warning"])
    expect(flash).to_have_class("notice warning")
    expect(page.locator("p.notice.success")).to_have_count(0)
    problems = page.locator("#import-problems")
    expect(problems).to_contain_text(words["problems"])
    # The reasons come before the figures.
    assert problems.bounding_box()["y"] < page.locator("dl.figures").bounding_box()["y"]
    assert small_tap_targets(page) == []
    assert_accessible(page)
    page.context.close()


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_tick_says_saved_and_the_button_is_only_there_without_script(
    browser, base_url, make_user, campaign_today, locale, size
):
    saved, button = ("✓ Enregistré", "Enregistrer ma liste") if locale == "fr" else ("✓ Saved", "Save my checklist")
    join = "Rejoindre la campagne" if locale == "fr" else "Join the campaign"
    agent = make_user(first_name="Ana", locale=locale)
    page = _page(browser, base_url, agent, size)
    page.goto(f"/campaigns/{campaign_today.id}")
    page.get_by_role("button", name=join).click()
    expect(page.get_by_role("button", name=button)).to_have_count(0)
    page.locator("#checklist input[type=checkbox]").first.check()
    expect(page.locator("#checklist .saved-state")).to_have_text(saved)
    assert small_tap_targets(page) == []
    assert_accessible(page)
    page.context.close()

    without_script = _page(browser, base_url, agent, size, javascript=False)
    without_script.goto(f"/campaigns/{campaign_today.id}")
    expect(without_script.get_by_role("button", name=button)).to_be_visible()
    without_script.context.close()


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_publish_comes_after_the_saved_form_and_not_over_unsaved_input(browser, base_url, make_user, locale, size):
    from datetime import date as day

    from portal.campaigns import services
    from portal.models import db

    draft = services.create_campaign(
        services.CampaignInput(name="Brouillon", description="", first_day=day(2027, 3, 1), last_day=day(2027, 3, 21))
    )
    db.session.commit()
    publish, save, who = (
        ("Publier", "Enregistrer", "Agents concernés") if locale == "fr" else ("Publish", "Save", "Who it is for")
    )
    admin = make_user(first_name="Adèle", roles=("admin",), locale=locale)
    page = _page(browser, base_url, admin, size)
    page.goto(f"/admin/campaigns/{draft.id}/edit")
    publish_button = page.get_by_role("button", name=publish, exact=True)
    save_button = page.get_by_role("button", name=save, exact=True)
    assert publish_button.bounding_box()["y"] > save_button.bounding_box()["y"]  # after the form, not above it
    legend = page.locator("legend", has_text=who)
    fieldset_bottom = legend.locator("xpath=..").bounding_box()
    next_label = page.locator("label[for=goal_gb]").bounding_box()
    assert next_label["y"] >= fieldset_bottom["y"] + fieldset_bottom["height"] + 8  # room between the two
    assert_accessible(page)
    page.get_by_label("Nom" if locale == "fr" else "Name", exact=True).fill("")
    save_button.click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("button", name=publish, exact=True)).to_have_count(0)  # unsaved input shown
    page.context.close()
