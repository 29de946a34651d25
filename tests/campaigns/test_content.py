"""Each campaign's guides and checklist, edited by the admins and the communications team in French and
English: sections, actions with help, their order; a new campaign starts from the previous one's."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.campaigns import content, services
from portal.campaigns.guides import ACTIONS
from portal.campaigns.models import Campaign, ChecklistTick, GuideAction, GuideSection
from portal.models import db, utcnow
from tests.conftest import csrf_token

HTMX = {"HX-Request": "true"}


@pytest.fixture
def open_campaign(make_campaign):
    """A campaign active today, whatever today is."""
    today = services.paris_today(utcnow())
    return make_campaign(name="Nettoyage de printemps", first_day=today - timedelta(days=5),
                         last_day=today + timedelta(days=15), published_at=utcnow() - timedelta(days=10),
                         now=utcnow())


def _post(client, path, **data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client)})


def test_the_team_writes_a_campaigns_own_guides_and_employees_read_and_tick_them(client, login, login_as,
                                                                                  make_user, open_campaign):
    participant = make_user(locale="en")
    services.join(participant, open_campaign, now=utcnow())
    services.set_ticks(participant, open_campaign, ["mailbox-bins"], now=utcnow())
    db.session.commit()
    login_as("comms")
    base = f"/admin/campaigns/{open_campaign.id}/content"
    page = client.get(base).get_data(as_text=True)
    assert "Cette campagne affiche les guides par défaut." in page
    _post(client, f"{base}/own")  # its own copy of the default guides, with their keys
    sections = content.sections_of(open_campaign)
    assert len(sections) == 5 and sections[0].title_fr == "Boîte aux lettres" and sections[0].title_en == "Mailbox"
    assert services.action_keys(open_campaign) == set(ACTIONS)

    added = _post(client, base, title_fr="Imprimantes", title_en="Printers",
                  advice_fr="Moins d’impressions, moins de papier.", advice_en="Fewer prints, less paper.")
    section = db.session.scalar(sa.select(GuideSection).where(GuideSection.title_en == "Printers"))
    assert added.headers["Location"].endswith(f"{base}/{section.id}")
    _post(client, f"{base}/{section.id}/actions", **{
        "new-label_fr": "Imprimer en recto verso par défaut", "new-label_en": "Print double-sided by default",
        "new-help_fr": "Dans les préférences de l’imprimante.", "new-help_en": "In the printer's preferences."})
    refused = _post(client, f"{base}/{section.id}/actions", **{"new-label_fr": "Seulement en français"})
    assert refused.status_code == 422  # both languages, always
    action = db.session.scalar(sa.select(GuideAction).where(GuideAction.section_id == section.id))
    assert action.key == "print-double-sided-by-default"
    _post(client, f"{base}/{section.id}/move", offset="-1")  # before the last default section
    titles = [s.title_en for s in content.sections_of(open_campaign)]
    assert titles[-2:] == ["Printers", "Newsletters and notifications"]

    login(participant)
    page = client.get(f"/campaigns/{open_campaign.id}").get_data(as_text=True)
    assert "Print double-sided by default" in page and "In the printer&#39;s preferences." in page
    assert 'aria-describedby="help-print-double-sided-by-default"' in page
    assert "1 action done out of 13." in page  # the tick on a default action is still there
    ticked = client.post(f"/campaigns/{open_campaign.id}/checklist", headers=HTMX, data={
        "action": ["mailbox-bins", action.key], "csrf_token": csrf_token(client)})
    assert "2 actions done out of 13." in ticked.get_data(as_text=True)


def test_order_and_removal_of_actions_and_their_ticks(client, login_as, make_user, open_campaign):
    login_as("admin")
    sections = content.own_content(open_campaign)
    mailbox = sections[0]
    keys = [a.key for a in mailbox.actions]
    person = make_user()
    services.join(person, open_campaign, now=utcnow())
    services.set_ticks(person, open_campaign, [keys[0], keys[1]], now=utcnow())
    db.session.commit()
    base = f"/admin/campaigns/{open_campaign.id}"
    _post(client, f"{base}/actions/{mailbox.actions[2].id}/move", offset="-1")
    db.session.expire_all()
    assert [a.key for a in content.sections_of(open_campaign)[0].actions] == [keys[0], keys[2], keys[1]]
    _post(client, f"{base}/actions/{mailbox.actions[0].id}/delete")
    db.session.expire_all()
    assert [a.key for a in content.sections_of(open_campaign)[0].actions] == [keys[2], keys[1]]
    assert services.ticked_actions(person, open_campaign) == {keys[1]}  # its tick went with it
    _post(client, f"{base}/actions/{content.sections_of(open_campaign)[0].actions[0].id}", **{
        f"a{content.sections_of(open_campaign)[0].actions[0].id}-label_fr": "Vider la corbeille",
        f"a{content.sections_of(open_campaign)[0].actions[0].id}-label_en": "Empty the bin"})
    db.session.expire_all()
    assert content.sections_of(open_campaign)[0].actions[0].label_en == "Empty the bin"
    _post(client, f"{base}/content/{mailbox.id}/delete")
    assert db.session.scalar(sa.select(sa.func.count(ChecklistTick.action))) == 0
    assert len(content.sections_of(open_campaign)) == 4


def test_a_new_campaign_starts_from_the_previous_ones_content(client, login_as, open_campaign):
    login_as("admin")
    content.add_section(open_campaign, content.SectionInput("Imprimantes", "Printers"))
    db.session.commit()
    today = services.paris_today(utcnow())
    response = _post(client, "/admin/campaigns/new", name="Nettoyage d’automne", description="",
                     first_day=(today + timedelta(days=200)).isoformat(),
                     last_day=(today + timedelta(days=220)).isoformat(), scope_all="y", team_rule="org_unit",
                     co2e_convention="ademe_storage")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    new = db.session.scalar(sa.select(Campaign).where(Campaign.name == "Nettoyage d’automne"))
    assert [s.title_en for s in content.sections_of(new)] == [s.title_en for s in content.sections_of(open_campaign)]
    assert [s.title_en for s in content.sections_of(new)][-1] == "Printers"
    assert services.action_keys(new) == services.action_keys(open_campaign)


def test_a_closed_campaigns_guides_stay_and_only_the_team_edits_them(client, login_as, make_campaign):
    from tests.campaigns.conftest import paris

    closed = make_campaign(published_at=paris(2026, 2, 20), now=paris(2026, 4, 15))
    with pytest.raises(services.CampaignError):
        content.own_content(closed)
    login_as("employee")
    assert client.get(f"/admin/campaigns/{closed.id}/content").status_code == 403
