"""A campaign's guides and checklist kept per web worker (portal.reference_cache): reused while nothing changes,
shown again at the next request when another worker changes a section or an action."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.campaigns import content, services
from portal.campaigns.models import GuideAction, GuideSection
from portal.models import db, utcnow
from tests.conftest import another_worker_commits_a_change, write_behind_the_portals_back


@pytest.fixture
def own_campaign(make_campaign):
    """A campaign active today with its own copy of the default guides."""
    today = services.paris_today(utcnow())
    campaign = make_campaign(name="Nettoyage de printemps", first_day=today - timedelta(days=5),
                             last_day=today + timedelta(days=15), published_at=utcnow() - timedelta(days=10),
                             now=utcnow())
    content.own_content(campaign)
    db.session.commit()
    return campaign


@pytest.fixture
def reader(client, login, make_user, own_campaign):
    participant = make_user(locale="en")
    services.join(participant, own_campaign, now=utcnow())
    db.session.commit()
    login(participant)
    return lambda: client.get(f"/campaigns/{own_campaign.id}").get_data(as_text=True)


def test_the_guides_are_kept_until_another_worker_changes_reference_data(reader):
    assert "Mailbox" in reader()
    write_behind_the_portals_back("UPDATE campaign_guide_section SET title_en = 'Inbox' WHERE title_en = 'Mailbox'")
    assert "Mailbox" in reader()  # kept: the guides were not read again
    another_worker_commits_a_change()
    page = reader()
    assert "Inbox" in page and "Mailbox" not in page


def test_a_section_and_an_action_changed_through_another_worker_show_at_the_next_request(reader, own_campaign):
    assert "0 actions done out of 12." in reader()
    other_worker = sa.orm.Session(db.engine)
    section = other_worker.scalar(sa.select(GuideSection).where(GuideSection.title_en == "Mailbox"))
    section.title_en = "Inbox"
    other_worker.add(GuideAction(campaign_id=own_campaign.id, section_id=section.id, position=99, key="print-less",
                                 label_fr="Imprimer moins", label_en="Print less"))
    other_worker.commit()
    other_worker.close()
    page = reader()
    assert "Inbox" in page and "Print less" in page
    assert "0 actions done out of 13." in page
    assert "print-less" in services.action_keys(own_campaign)  # a tick on it is accepted


def test_the_guides_are_kept_as_plain_values(own_campaign):
    kept = content.guides_of(own_campaign, "en")
    assert kept is content.guides_of(own_campaign, "en")
    assert isinstance(services.action_keys(own_campaign), frozenset)
    assert content.guides_of(own_campaign, "fr")[0].title == "Boîte aux lettres"
