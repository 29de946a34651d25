"""Messages about a campaign: timed on its dates (its start, its middle, the day after its end), re-timed when
the dates move; the reminder's audience: those who have not joined or ticked nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from portal.campaigns import services as campaign_services
from portal.messaging import audience, services
from portal.messaging.audience import Criteria
from portal.messaging.models import Message, MessageStatus
from portal.models import db
from tests.campaigns.conftest import make_campaign, paris  # noqa: F401  (fixtures)
from tests.messaging.conftest import confirm_in_pages


def test_a_launch_message_goes_on_the_campaigns_dates_and_follows_them(client, login_as, make_message,
                                                                      make_campaign):  # noqa: F811
    campaign = make_campaign(published_at=paris(2026, 2, 20), now=paris(2026, 2, 21))  # then moved to 2099:
    campaign_services.update_campaign(campaign, campaign_services.CampaignInput(
        name=campaign.name, first_day=date(2099, 3, 9), last_day=date(2099, 3, 29)), now=paris(2026, 2, 21))
    db.session.commit()
    comms = login_as("comms")
    launch = make_message(author=comms, audience=Criteria(campaign_id=campaign.id))
    fixed = make_message(author=comms, audience=Criteria(campaign_id=campaign.id))
    page = client.get(f"/comms/messages/{launch.id}").get_data(as_text=True)
    assert "Programmer selon les dates de la campagne…" in page
    query = "campaign_anchor=start&campaign_offset=-2&campaign_time=09:30"
    confirm = client.get(f"/comms/messages/{launch.id}/confirm?{query}").get_data(as_text=True)
    assert "2 jours avant le premier jour de la campagne, à 09:30" in confirm
    assert "il suit les dates de la campagne si elles changent" in confirm
    recipients = confirm.split('name="recipients" type="hidden" value="')[1].split('"')[0]
    from tests.conftest import csrf_token

    response = client.post(f"/comms/messages/{launch.id}/schedule", data={
        "csrf_token": csrf_token(client), "recipients": recipients, "campaign_anchor": "start",
        "campaign_offset": "-2", "campaign_time": "09:30"})
    assert response.status_code == 303
    confirm_in_pages(client, fixed, send_at="2099-03-20T10:00")
    db.session.refresh(launch)
    assert launch.status == MessageStatus.SCHEDULED.value
    assert launch.scheduled_at == datetime(2099, 3, 7, 8, 30, tzinfo=UTC)  # 09:30 in Paris, winter time

    campaign_services.update_campaign(campaign, campaign_services.CampaignInput(
        name=campaign.name, first_day=date(2099, 4, 6), last_day=date(2099, 4, 26)), now=paris(2026, 2, 22))
    db.session.commit()
    db.session.refresh(launch)
    db.session.refresh(fixed)
    assert launch.scheduled_at == datetime(2099, 4, 4, 7, 30, tzinfo=UTC)  # moved with the dates (summer time)
    assert fixed.scheduled_at == datetime(2099, 3, 20, 9, 0, tzinfo=UTC)  # a fixed time stays
    detail = client.get(f"/comms/messages/{launch.id}").get_data(as_text=True)
    assert "il suit les dates de la campagne si elles changent" in detail


def test_the_middle_and_the_end_of_a_campaign(make_campaign):  # noqa: F811
    campaign = make_campaign()  # 9 to 29 March 2026
    message = Message(campaign_id=campaign.id)
    middle = services.CampaignTiming("middle", 0, datetime(2026, 1, 1, 12).time())
    end = services.CampaignTiming("end", 1, datetime(2026, 1, 1, 9).time())
    assert services.campaign_moment(message, middle) == paris(2026, 3, 19, 12).astimezone(UTC)
    assert services.campaign_moment(message, end) == paris(2026, 3, 31, 9).astimezone(UTC)  # the day after the 30th


def test_a_message_without_a_campaign_cannot_be_timed_on_one(client, login_as, make_message):
    message = make_message(author=login_as("comms"))
    response = client.get(f"/comms/messages/{message.id}/confirm?campaign_anchor=start&campaign_offset=0"
                          "&campaign_time=09:00")
    assert response.status_code == 303
    assert "Choisissez la campagne dont parle ce message" in client.get(response.headers["Location"]).get_data(
        as_text=True)


def test_the_reminder_goes_to_those_who_have_not_joined_or_ticked_nothing(make_user, make_campaign):  # noqa: F811
    campaign = make_campaign(published_at=paris(2026, 2, 20), now=paris(2026, 3, 15))
    idle, busy, absent = make_user(), make_user(), make_user()
    for person in (idle, busy):
        campaign_services.join(person, campaign, now=paris(2026, 3, 10))
    campaign_services.set_ticks(busy, campaign, ["mailbox-bins"], now=paris(2026, 3, 11))
    db.session.commit()
    criteria = Criteria(campaign_id=campaign.id, campaign_participation="inactive")
    chosen = set(db.session.scalars(sa.select(audience.User.id).where(*audience.conditions(criteria,
                                                                                     today=date(2026, 3, 15)))))
    assert idle.id in chosen and absent.id in chosen and busy.id not in chosen
