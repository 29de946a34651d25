"""Campaign life cycle (frozen clock), dates in Paris, scope, participation and checklists."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.campaigns import services
from portal.campaigns.models import ChecklistTick
from portal.models import db
from tests.campaigns.conftest import FIRST_DAY, LAST_DAY, paris


def test_campaign_days_are_paris_days_stored_as_utc_instants(make_campaign):
    campaign = make_campaign()
    assert campaign.starts_at == datetime(2026, 3, 8, 23, 0, tzinfo=UTC)  # midnight in Paris (UTC+1)
    assert campaign.ends_at == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # after the switch to summer time
    assert (services.first_day(campaign), services.last_day(campaign)) == (FIRST_DAY, LAST_DAY)
    assert campaign.state == "draft"
    assert campaign.horizon_year == 2031


def test_the_suggested_period_is_three_weeks_around_the_third_saturday_of_march():
    assert services.third_saturday_of_march(2026) == date(2026, 3, 21)
    assert services.third_saturday_of_march(2027) == date(2027, 3, 20)
    assert services.suggested_period(date(2026, 1, 10)) == (date(2026, 3, 9), date(2026, 3, 29))
    assert services.suggested_period(date(2026, 11, 28)) == (date(2027, 3, 8), date(2027, 3, 28))


def test_life_cycle_moves_by_the_clock_once_published(make_campaign):
    campaign = make_campaign()
    assert services.advance_campaign_states(now=paris(2026, 3, 10)) == []  # drafts stay drafts
    services.publish_campaign(campaign, now=paris(2026, 2, 20))
    assert campaign.state == "upcoming"
    assert services.advance_campaign_states(now=paris(2026, 3, 8, 23, 59)) == []
    changes = services.advance_campaign_states(now=paris(2026, 3, 9))
    assert [(c.campaign, c.before, c.after) for c in changes] == [(campaign, "upcoming", "active")]
    assert services.advance_campaign_states(now=paris(2026, 3, 29, 23, 59)) == []
    changes = services.advance_campaign_states(now=paris(2026, 3, 30))
    assert [(c.before, c.after) for c in changes] == [("active", "closed")]
    assert services.advance_campaign_states(now=paris(2026, 5, 1)) == []


def test_publishing_late_makes_the_campaign_active_at_once(make_campaign):
    campaign = make_campaign()
    services.publish_campaign(campaign, now=paris(2026, 3, 12))
    assert campaign.state == "active"


def test_countdown_in_whole_paris_days(active_campaign):
    assert services.days_left(active_campaign, paris(2026, 3, 15, 22)) == 15  # 15 to 29 March
    assert services.days_left(active_campaign, paris(2026, 3, 29, 10)) == 1
    assert services.days_left(active_campaign, paris(2026, 3, 1, 10)) == 8  # starts in 8 days


def test_changing_the_dates_recomputes_the_state(active_campaign):
    data = services.CampaignInput(name="Plus tard", first_day=date(2026, 4, 6), last_day=date(2026, 4, 26))
    services.update_campaign(active_campaign, data, now=paris(2026, 3, 15))
    assert active_campaign.state == "upcoming"


def test_a_closed_campaign_cannot_be_changed(make_campaign):
    campaign = make_campaign(published_at=paris(2026, 2, 1), now=paris(2026, 4, 1))
    assert campaign.state == "closed"
    with pytest.raises(ValueError):
        services.update_campaign(campaign, services.CampaignInput("x", FIRST_DAY, LAST_DAY), now=paris(2026, 4, 1))


def test_scope_by_commune_or_org_unit_includes_sub_units(make_campaign, make_user, make_site, make_org_unit):
    direction = make_org_unit(kind="direction")
    service = make_org_unit(parent=direction)
    pessac = make_site(commune_insee="33318")
    bordeaux = make_site(commune_insee="33063")
    in_service = make_user(org_unit=service, site=bordeaux)
    in_pessac = make_user(site=pessac)
    elsewhere = make_user(site=bordeaux)
    campaign = make_campaign(
        scope_all=False, commune_insees=["33318"], org_unit_ids=[direction.id], published_at=paris(2026, 2, 1)
    )
    assert [services.can_see(u, campaign) for u in (in_service, in_pessac, elsewhere)] == [True, True, False]
    visible = db.session.scalars(services.visible_campaigns_statement(elsewhere)).all()
    assert visible == []
    assert db.session.scalars(services.visible_campaigns_statement(in_pessac)).all() == [campaign]


def test_drafts_are_for_admins_only(make_campaign, make_user):
    campaign = make_campaign()
    assert not services.can_see(make_user(), campaign)
    assert services.can_see(make_user(roles=("admin",)), campaign)


def test_join_leave_and_join_again(active_campaign, make_user):
    user = make_user()
    services.join(user, active_campaign, now=paris(2026, 3, 10))
    assert services.is_participant(user, active_campaign)
    services.leave(user, active_campaign, now=paris(2026, 3, 11))
    assert not services.is_participant(user, active_campaign)
    again = services.join(user, active_campaign, now=paris(2026, 3, 12))
    assert again.joined_at == paris(2026, 3, 12) and again.left_at is None


def test_no_joining_a_closed_campaign(make_campaign, make_user):
    campaign = make_campaign(published_at=paris(2026, 2, 1), now=paris(2026, 4, 1))
    with pytest.raises(ValueError):
        services.join(make_user(), campaign, now=paris(2026, 4, 2))


def test_ticks_are_replaced_by_the_submitted_set_and_unknown_actions_ignored(active_campaign, make_user):
    user = make_user()
    with pytest.raises(ValueError):
        services.set_ticks(user, active_campaign, ["mailbox-bins"], now=paris(2026, 3, 10))
    services.join(user, active_campaign, now=paris(2026, 3, 10))
    services.set_ticks(user, active_campaign, ["mailbox-bins", "drive-bin", "rm -rf"], now=paris(2026, 3, 10))
    assert services.ticked_actions(user, active_campaign) == {"mailbox-bins", "drive-bin"}
    services.set_ticks(user, active_campaign, ["drive-bin", "photos-sort"], now=paris(2026, 3, 11))
    assert services.ticked_actions(user, active_campaign) == {"drive-bin", "photos-sort"}
    assert db.session.get(ChecklistTick, (active_campaign.id, user.id, "drive-bin")).ticked_at == paris(2026, 3, 10)


def test_hiding_from_my_team_needs_participation(active_campaign, make_user):
    user = make_user()
    with pytest.raises(ValueError):
        services.set_hidden_from_team(user, active_campaign, True)
    services.join(user, active_campaign, now=paris(2026, 3, 10))
    services.set_hidden_from_team(user, active_campaign, True)
    assert services.participation_of(user, active_campaign).hidden_from_team


def test_joining_twice_at_once_takes_part_once(app, active_campaign, make_user):
    """A double click on "Take part": the second request meets the first one's new row and takes part as well,
    instead of failing on the unique constraint."""
    from portal.accounts.models import User
    from portal.campaigns.models import Campaign, Participation
    from tests.concurrency import first_then_second, postgresql_only

    postgresql_only()
    user_id, campaign_id = make_user().id, active_campaign.id
    db.session.commit()

    def join() -> int:
        user, campaign = db.session.get(User, user_id), db.session.get(Campaign, campaign_id)
        return services.join(user, campaign, now=paris(2026, 3, 10)).campaign_id

    first, second = first_then_second(app, join, join)
    assert (first, second) == (campaign_id, campaign_id)
    rows = db.session.scalars(db.select(Participation).where(Participation.user_id == user_id)).all()
    assert [(row.campaign_id, row.left_at) for row in rows] == [(campaign_id, None)]
