"""What someone freed in a clean-up campaign is theirs only: the communications team's previews show the
example value in its place, while the recipient's own message carries their figure."""

from __future__ import annotations

from datetime import timedelta

from portal.campaigns import steps
from portal.campaigns.models import Campaign, Participation, StorageImport, StorageSnapshot
from portal.messaging import services
from portal.messaging.audience import Criteria
from portal.models import db, utcnow
from tests.messaging.test_sending import recipients_of

GB = 10**9


def _participant_who_freed_three_gb(make_user):
    now = utcnow()
    campaign = Campaign(name="Printemps", starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=18),
                        horizon_year=2030)
    db.session.add(campaign)
    db.session.flush()
    ana = make_user(locale="fr", first_name="Ana")
    report = StorageImport(filename="m.csv", format="csv")
    db.session.add(report)
    db.session.flush()
    db.session.add(Participation(campaign_id=campaign.id, user_id=ana.id, joined_at=now - timedelta(days=3)))
    db.session.add_all([
        StorageSnapshot(user_id=ana.id, source="mailbox", size_bytes=10 * GB, measured_at=now - timedelta(days=5),
                        import_id=report.id),
        StorageSnapshot(user_id=ana.id, source="mailbox", size_bytes=7 * GB, measured_at=now - timedelta(days=1),
                        import_id=report.id),
    ])
    db.session.flush()
    steps.refresh_progress(campaign)
    db.session.commit()
    return campaign, ana


def test_previews_for_someone_else_show_the_example_not_the_persons_figure(client, login, make_user, make_message,
                                                                          start):
    campaign, ana = _participant_who_freed_three_gb(make_user)
    comms = make_user(roles=("comms",), locale="fr")
    message = make_message(body_fr="Vous avez libéré {{ campaign_freed_gb }} Go.", author=comms,
                           audience=Criteria(campaign_id=campaign.id, campaign_participation="joined"))
    (as_comms,) = services.previews(message, [ana], today=utcnow().date(), now=utcnow(), viewer=comms)
    assert "12,4 Go" in as_comms.rendered.text and "3 Go" not in as_comms.rendered.text
    (as_ana,) = services.previews(message, [ana], today=utcnow().date(), now=utcnow(), viewer=ana)
    assert "3 Go" in as_ana.rendered.text

    login(comms)
    page = client.get(f"/comms/messages/{message.id}/preview?recipient={ana.id}").get_data(as_text=True)
    assert "Vous avez libéré 12,4" in page and "libéré 3 Go" not in page
    assert "le destinataire lit le sien" in page

    (mine,) = recipients_of(start(message)).values()
    assert mine.body_text.strip() == "Vous avez libéré 3 Go."
