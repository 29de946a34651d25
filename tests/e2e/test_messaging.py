"""Personalised messages in a real browser: the comms user writes a message with a condition, fixes a live
validation error, targets, previews it as a named recipient, sends it; after dispatch the recipient reads it
in the inbox with their own numbers. axe-core on every page and htmx state; EcoIndex of compose and inbox."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal.messaging import dispatch
from portal.messaging.models import Message
from portal.models import db
from tests.e2e.helpers import assert_accessible, measure_ecoindex
from tests.messaging.conftest import confirmed, make_message, smtp, smtp_server  # noqa: F401  (fixtures)

BODY = (
    "Bonjour {{ first_name }},\n\n"
    "Vous avez **{{ device_count }} équipements** ({{ footprint_kg_per_year }} kg CO₂e par an).\n"
    "{% if device_count > 1 %}\nPensez à rendre ceux dont vous ne vous servez plus.\n{% endif %}"
)


def test_write_target_preview_send_and_read(
    page: Page, browser, base_url, make_user, make_site, make_item, make_asset, browser_login, smtp  # noqa: F811
):
    begles = make_site(commune_insee="33039")
    bordeaux = make_site(commune_insee="33063")
    comms = make_user(roles=("comms",), first_name="Chloé", last_name="Com", email="chloe@test.example",
                      site_id=bordeaux.id)
    ana = make_user(first_name="Ana", last_name="Agent", email="ana@test.example", site_id=begles.id)
    bob = make_user(first_name="Bob", last_name="Martin", email="bob@test.example", site_id=begles.id)
    laptop = make_item(fabrication_kgco2e=Decimal("250"), annual_kwh=Decimal("20"))
    make_asset(user=ana, item=laptop, acquired_on=date(2021, 5, 1))
    make_asset(user=ana, item=None, category="smartphone", acquired_on=date(2024, 1, 10))
    make_asset(user=bob, item=laptop, acquired_on=date(2023, 9, 1))

    browser_login(comms)
    page.get_by_role("link", name="Communication").first.click()  # the menu's hub of the comms pages
    page.get_by_role("link", name="Messages aux agents").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Messages aux agents")
    assert_accessible(page)
    page.get_by_role("link", name="Bibliothèque de modèles").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bibliothèque de modèles")
    assert_accessible(page)
    page.go_back()
    page.get_by_role("link", name="Rédiger un message").click()
    compose_url = page.url.replace(base_url, "")
    page.get_by_label("Catégorie").select_option("footprint")
    page.get_by_label("Objet (français)").fill("{{ first_name }}, vos équipements")
    body = page.get_by_label("Message (français)")
    body.fill(BODY.replace("{{ device_count }} équipements", "{{ nb_appareils }} équipements"))
    problems = page.locator("#body_fr-problems")
    # checked as it is typed
    expect(problems).to_contain_text("Ligne 3\u00a0: Variable inconnue «\u00a0nb_appareils\u00a0»")
    assert_accessible(page)
    body.fill(BODY)
    expect(problems.locator("li")).to_have_count(0)
    page.get_by_role("button", name="Enregistrer le brouillon").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Destinataires")
    communes = page.get_by_role("group", name="Communes du site de travail")
    communes.get_by_label("Chercher dans la liste").fill("begl")  # accents aside
    expect(communes.get_by_label("Talence")).to_be_hidden()
    communes.get_by_label("Bègles").check()
    expect(page.locator("#audience-count")).to_contain_text("2 destinataires")  # updated live
    assert_accessible(page)
    audience_url = page.url.replace(base_url, "")
    page.get_by_role("button", name="Enregistrer les destinataires").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Aperçu")
    page.get_by_label("Aperçu pour un destinataire (nom ou e-mail)").fill("agent")
    expect(page.locator("#recipient-results")).to_contain_text("Aperçu pour Ana Agent")
    assert_accessible(page)
    page.get_by_role("link", name="Aperçu pour Ana Agent").click()
    preview = page.locator("section.preview")
    expect(preview).to_contain_text("Ana, vos équipements")
    expect(preview).to_contain_text("Vous avez 2 équipements")
    expect(preview).to_contain_text("Pensez à rendre ceux dont vous ne vous servez plus.")
    assert_accessible(page)

    page.get_by_role("link", name="Étape suivante : envoyer le message").click()
    page.get_by_role("link", name="Envoyer maintenant…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confirmer l’envoi")
    expect(page.locator("dl.confirm")).to_contain_text("2 personnes")
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer à 2 personnes").click()
    expect(page.get_by_role("status").first).to_contain_text("Le message est en file d’attente")
    expect(page.locator("#delivery-status")).to_contain_text("L’envoi commence dans quelques secondes")
    assert_accessible(page)

    report = dispatch.run()  # what the jobs process does
    db.session.expire_all()
    assert (report.started, report.sent) == ([report.started[0]], 2)
    expect(page.locator("#delivery-status")).to_contain_text("Envoyé", timeout=10_000)  # htmx polling
    expect(page.locator("#delivery-status")).to_contain_text("E-mails envoyés")
    assert_accessible(page)
    compose = measure_ecoindex(page, compose_url)
    print(f"compose: {compose}")
    print(f"audience: {measure_ecoindex(page, audience_url)}")

    ana_context = browser.new_context(base_url=base_url, locale="fr-FR")
    ana_page = ana_context.new_page()
    ana_page.goto("/login")
    ana_page.locator("#email").fill("ana@test.example")
    ana_page.locator("#password").fill("correct horse battery")
    ana_page.locator("form.stacked button[type=submit]").click()
    menu_entry = ana_page.locator("nav.main").get_by_role("link", name="Mes messages")
    expect(menu_entry).to_contain_text("1")  # the unread count in the menu
    menu_entry.click()
    expect(ana_page.locator("#inbox-results")).to_contain_text("Ana, vos équipements")
    assert_accessible(ana_page)
    inbox = measure_ecoindex(ana_page, "/messages")
    print(f"inbox: {inbox}")
    ana_page.get_by_role("link", name="Ana, vos équipements").click()
    expect(ana_page.get_by_role("heading", level=1)).to_have_text("Ana, vos équipements")
    expect(ana_page.locator(".message-body")).to_contain_text("Vous avez 2 équipements")
    expect(ana_page.locator(".message-body")).to_contain_text("Pensez à rendre")
    expect(ana_page.locator("nav.main").get_by_role("link", name="Mes messages")).not_to_contain_text("1")
    assert_accessible(ana_page)
    ana_page.goto("/me/preferences")
    ana_page.get_by_label("Actualité du programme").uncheck()
    ana_page.get_by_role("button", name="Enregistrer mes préférences").click()
    expect(ana_page.get_by_role("status").first).to_contain_text("Vos préférences d’e-mail sont enregistrées.")
    expect(ana_page.get_by_label("Actualité du programme")).not_to_be_checked()
    assert_accessible(ana_page)
    ana_context.close()

    (email,) = smtp.to("bob@test.example")  # Bob has one device: the condition is false for him
    assert "Vous avez 1 équipements" in email.part("text/plain")
    assert "Pensez à rendre" not in email.part("text/plain")
    assert compose.grade == "A" and inbox.grade == "A", (compose, inbox)


def test_a_template_that_cannot_render_is_explained_as_typed_and_a_failed_start_can_be_cancelled(
    page: Page, make_user, make_message, browser_login, monkeypatch  # noqa: F811
):
    from portal.messaging import context, services
    from portal.messaging.models import MessageStatus
    from portal.models import utcnow

    comms = make_user(roles=("comms",), first_name="Chloé", email="chloe@test.example")
    browser_login(comms)
    page.goto("/comms/messages/new")
    page.get_by_label("Objet (français)").fill("Bonjour {{ first_name }}")
    body = page.get_by_label("Message (français)")
    problems = page.locator("#body_fr-problems")
    # These used to save, then break the preview and sending with a 500 (the last one after a minute of CPU).
    body.fill("Bonjour,\n\n" + "{% if 1 %}" * 100 + "x" + "{% endif %}" * 100)
    expect(problems).to_contain_text(
        "Ligne 3\u00a0: Trop de conditions imbriquées les unes dans les autres (10 au plus)\u00a0: simplifiez-les.")
    body.fill("Bonjour,\n\n" + ("{{ first_name" + "|upper" * 200 + " }}\n") * 15)
    expect(problems).to_contain_text("Ligne 3\u00a0: Cette expression est trop longue")
    body.fill("Bonjour,\n\n[le portail](https://portail.example.org@evil.example)")
    expect(problems).to_contain_text("Ligne 3\u00a0: Lien non autorisé")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.locator("#body_fr-problems")).to_contain_text("Lien non autorisé")  # refused: still composing

    def unreachable_directory(self, batch):
        raise RuntimeError("the directory is unreachable")

    message = make_message(author=comms)
    monkeypatch.setattr(context.ContextBuilder, "contexts", unreachable_directory)
    services.send_now(message, now=utcnow(), confirmation=confirmed(message))
    db.session.commit()
    dispatch.run()
    db.session.expire_all()
    page.goto(f"/comms/messages/{message.id}")
    status = page.locator("#delivery-status")
    expect(status).to_contain_text("Démarrage impossible")
    expect(status).to_contain_text("Le message n’a pas pu être démarré. "
                                   "Une erreur s’est produite pendant sa préparation.")
    expect(status).to_contain_text("RuntimeError: the directory is unreachable")
    expect(status.get_by_role("link", name="Modifier le message")).to_be_visible()
    assert_accessible(page)
    status.get_by_role("button", name="Annuler le message").click()
    expect(page.locator("dl.summary")).to_contain_text("Annulé")
    db.session.refresh(message)
    assert message.status == MessageStatus.CANCELLED.value


WORDS = {
    "fr": {
        "hub": "Communication",
        "messages": "Messages aux agents", "write": "Rédiger un message", "subject": "Objet (français)",
        "body": "Message (français)", "insert": "Insérer {{ first_name }}",
        "builder": "Afficher un paragraphe seulement si…", "comparison": "Comparaison", "value": "Valeur",
        "paragraph": "Paragraphe à afficher", "add": "Ajouter ce paragraphe",
        "text": "Vous avez plusieurs équipements : pensez à rendre ceux qui ne vous servent plus.",
        "preview_as": "Aperçu pour (nom ou e-mail)", "as": "Tel que {} le recevra", "save": "Enregistrer le brouillon",
        "audience": "Destinataires", "departments": "Directions et services (avec leurs sous-unités)",
        "search": "Chercher dans la liste", "count": "3 destinataires",
        "save_audience": "Enregistrer les destinataires",
        "next": "Étape suivante : envoyer le message", "when": "Date et heure (heure de Paris)",
        "schedule": "Programmer…",
        "confirm": "Confirmer la programmation", "people": "3 personnes", "button": "Programmer pour 3 personnes",
        "scheduled": "Programmé",
    },
    "en": {
        "hub": "Communication",
        "messages": "Messages to employees", "write": "Write a message", "subject": "Subject (French)",
        "body": "Message (French)", "insert": "Insert {{ first_name }}",
        "builder": "Show a paragraph only if…", "comparison": "Comparison", "value": "Value",
        "paragraph": "Paragraph to show", "add": "Add this paragraph",
        "text": "Vous avez plusieurs équipements : pensez à rendre ceux qui ne vous servent plus.",
        "preview_as": "Preview as (name or e-mail)", "as": "As {}", "save": "Save the draft",
        "audience": "Audience", "departments": "Departments (with their sub-units)",
        "search": "Search the list", "count": "3 recipients", "save_audience": "Save the audience",
        "next": "Next: send the message", "when": "Date and time (Paris)", "schedule": "Schedule…",
        "confirm": "Confirm the schedule", "people": "3 people", "button": "Schedule for 3 people",
        "scheduled": "Scheduled",
    },
}


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_a_newcomer_writes_a_condition_previews_three_people_and_schedules_to_a_department(
    page: Page, base_url, locale, make_user, make_org_unit, make_item, make_asset, browser_login
):
    """The issue's journey for someone who has never seen a template language, in French and in English."""
    words = WORDS[locale]
    numerique = make_org_unit(name="Direction du numérique", kind="direction")
    other = make_org_unit(name="Direction des mobilités", kind="direction")
    laptop = make_item(fabrication_kgco2e=Decimal("250"), annual_kwh=Decimal("20"))
    ana = make_user(first_name="Ana", last_name="Agent", org_unit_id=numerique.id)
    bruno = make_user(first_name="Bruno", last_name="Barre", org_unit_id=numerique.id)
    chloe = make_user(first_name="Chloé", last_name="Cazes", org_unit_id=numerique.id)
    make_user(first_name="Dora", last_name="Dupuy", org_unit_id=other.id)
    for person, devices in ((ana, 2), (bruno, 1), (chloe, 3)):
        for _ in range(devices):
            make_asset(user=person, item=laptop, acquired_on=date(2023, 1, 1))
    writer = make_user(roles=("comms",), first_name="Emma", last_name="Écrit", locale=locale,
                       org_unit_id=other.id)

    browser_login(writer)
    page.get_by_role("navigation").get_by_role("link", name=words["hub"]).first.click()  # the menu's hub
    page.get_by_role("main").get_by_role("link", name=words["messages"]).first.click()
    page.get_by_role("link", name=words["write"]).click()
    page.wait_for_load_state()  # the insert buttons work once the page's script has run (a loaded machine)
    subject = page.get_by_label(words["subject"])
    subject.fill("Bonjour ")
    page.get_by_role("button", name=words["insert"]).click()  # inserted where the cursor is
    expect(subject).to_have_value("Bonjour {{ first_name }}")
    body = page.get_by_label(words["body"])
    body.fill("Bonjour ")
    page.get_by_role("button", name=words["insert"]).click()
    body.press("End")
    body.press_sequentially(",\n\nMerci de votre attention.\n")
    page.get_by_text(words["builder"]).click()
    builder = page.locator("#condition-builder")
    builder.locator("select[name=cond-placeholder]").select_option("device_count")
    builder.get_by_label(words["comparison"]).select_option("gt")
    builder.get_by_label(words["value"]).fill("1")
    builder.get_by_label(words["paragraph"]).fill(words["text"])
    builder.get_by_role("button", name=words["add"]).click()
    expect(body).to_have_value(re.compile(r"\{% if device_count is not none and device_count > 1 %\}\n"
                                          + re.escape(words["text"]) + r"\n\{% endif %\}"))
    expect(page.locator("#body_fr-problems li")).to_have_count(0)
    assert_accessible(page)

    preview = page.locator("#live-preview")
    for person, shows_paragraph in ((ana, True), (bruno, False), (chloe, True)):
        page.get_by_label(words["preview_as"]).fill(person.last_name)
        expect(preview).to_contain_text(words["as"].format(person.full_name))
        expect(preview.locator(".message-body")).to_contain_text(f"Bonjour {person.first_name},")
        paragraph = expect(preview.locator(".message-body"))
        if shows_paragraph:
            paragraph.to_contain_text("pensez à rendre")
        else:
            paragraph.not_to_contain_text("pensez à rendre")
    page.get_by_role("button", name=words["save"]).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(words["audience"])
    departments = page.get_by_role("group", name=words["departments"])
    departments.get_by_label(words["search"]).fill("numerique")
    departments.get_by_label("Direction du numérique").check()
    expect(page.locator("#audience-count")).to_contain_text(words["count"])
    assert_accessible(page)
    page.get_by_role("button", name=words["save_audience"]).click()
    page.get_by_role("link", name=words["next"]).click()
    page.get_by_label(words["when"]).fill("2099-03-21T09:30")
    page.get_by_role("button", name=words["schedule"]).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(words["confirm"])
    expect(page.locator("dl.confirm")).to_contain_text(words["people"])
    assert_accessible(page)
    page.get_by_role("button", name=words["button"]).click()
    expect(page.locator("dl.summary")).to_contain_text(words["scheduled"])
    message = db.session.scalar(sa.select(Message).order_by(Message.id.desc()))
    assert (message.status, message.audience) == ("scheduled", {"org_unit_ids": [numerique.id]})
    assert message.scheduled_at.isoformat().startswith("2099-03-21T08:30")
