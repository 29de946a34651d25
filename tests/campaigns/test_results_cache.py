"""The per-process cache of campaign results: reused while nothing changes, never served after a change."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from portal import reference_cache
from portal.campaigns import results, services
from portal.campaigns.models import Campaign, Participation
from portal.locator import exchange
from portal.locator.models import CollectionPoint
from portal.locator.services import declare_return
from portal.models import db
from tests.campaigns.conftest import GB, paris

BEFORE = paris(2026, 3, 1)
MID = paris(2026, 3, 15, 10)
LATE = paris(2026, 3, 25, 10)
JOINED = paris(2026, 3, 10)


@pytest.fixture
def cache_on(app, monkeypatch):
    """Results cached for a minute, as in production (the other tests run without the cache)."""
    monkeypatch.setitem(app.config, "PORTAL_CAMPAIGN_RESULTS_CACHE_SECONDS", 60)
    reference_cache.clear()
    yield
    reference_cache.clear()


@pytest.fixture
def queries():
    """Count the statements sent to the database: `with queries() as counted: …; counted[0]`."""

    class Counter:
        def __enter__(self):
            self.count = [0]
            sa.event.listen(db.engine, "before_cursor_execute", self._seen)
            return self.count

        def _seen(self, *_args):
            self.count[0] += 1

        def __exit__(self, *_exc):
            sa.event.remove(db.engine, "before_cursor_execute", self._seen)

    return Counter


@pytest.fixture
def unit_of_five(make_user, make_org_unit, import_rows):
    """Five measured employees of one service, each freeing 1 GB of mailbox."""
    unit = make_org_unit(name="Service Archives")
    users = [make_user(org_unit=unit) for _ in range(5)]
    import_rows(
        [(u, "mailbox", 4 * GB, None, BEFORE) for u in users] + [(u, "mailbox", 3 * GB, None, MID) for u in users]
    )
    return users


def test_organisation_wide_results_are_computed_once_while_nothing_changes(
    cache_on, active_campaign, unit_of_five, queries
):
    services.join(unit_of_five[0], active_campaign, now=JOINED)
    db.session.commit()
    first = results.totals(active_campaign), results.leaderboard(active_campaign)
    with queries() as counted:
        again = results.totals(active_campaign), results.leaderboard(active_campaign)
        results.daily_series(active_campaign, today=LATE.date())
        results.daily_series(active_campaign, today=LATE.date())
        results.my_team(unit_of_five[0], active_campaign)
    assert again[0] == first[0] and again[1] == first[1]
    # The import behind the "latest measure" line (an identity-map hit) and the series once: no aggregate again.
    assert counted[0] <= 4


def test_joining_leaving_and_hiding_show_at_once(cache_on, active_campaign, unit_of_five):
    first, *others = unit_of_five
    assert results.totals(active_campaign).participants == 0
    services.join(first, active_campaign, now=JOINED)
    db.session.commit()
    assert results.totals(active_campaign).participants == 1
    assert results.measured_totals(active_campaign).freed_bytes == GB
    assert results.totals(active_campaign).freed_bytes is None  # one person's figure: never shown
    assert results.my_team(first, active_campaign).counted_participants == 1
    for user in others:
        services.join(user, active_campaign, now=JOINED)
    db.session.commit()
    assert [(t.participants, t.freed_bytes) for t in results.leaderboard(active_campaign).teams] == [(5, 5 * GB)]
    assert results.totals(active_campaign).freed_bytes == 5 * GB
    services.set_hidden_from_team(first, active_campaign, True)
    db.session.commit()
    assert results.leaderboard(active_campaign).teams == []  # four counted: grouped with the others
    assert results.my_team(others[0], active_campaign).counted_participants == 4
    services.leave(others[0], active_campaign, now=MID)
    db.session.commit()
    assert results.totals(active_campaign).participants == 4
    assert results.measured_totals(active_campaign).freed_bytes == 4 * GB
    assert results.totals(active_campaign).freed_bytes is None  # four people: withheld at once


def test_a_new_import_and_a_new_period_show_at_once(cache_on, active_campaign, unit_of_five, import_rows):
    for user in unit_of_five:
        services.join(user, active_campaign, now=JOINED)
    db.session.commit()
    assert results.totals(active_campaign).freed_bytes == 5 * GB
    import_rows([(unit_of_five[0], "mailbox", 1 * GB, None, LATE)])
    assert results.totals(active_campaign).freed_bytes == 7 * GB
    later_start = services.CampaignInput(name=active_campaign.name, first_day=date(2026, 3, 16), last_day=LATE.date())
    services.update_campaign(active_campaign, later_start, now=LATE)
    db.session.commit()
    # Only the step measured after the new start, one person's: measured, and withheld from the pages.
    assert results.measured_totals(active_campaign).freed_bytes == 2 * GB
    assert results.totals(active_campaign).freed_bytes is None


def test_a_change_made_through_another_worker_is_seen_by_its_version(cache_on, active_campaign, unit_of_five):
    """Another process's join commits the participation and the version together: this process sees both."""
    assert results.totals(active_campaign).participants == 0
    other_worker = sa.orm.Session(db.engine)
    campaign = other_worker.get(Campaign, active_campaign.id)
    other_worker.add(Participation(campaign_id=campaign.id, user_id=unit_of_five[0].id, joined_at=JOINED))
    campaign.results_version = Campaign.results_version + 1
    other_worker.commit()
    other_worker.close()
    db.session.expire_all()  # a new request loads the campaign again
    assert results.totals(active_campaign).participants == 1


def test_results_computed_before_a_rollback_are_never_kept(cache_on, active_campaign, unit_of_five):
    """A transaction that bumps the version keeps nothing: its figures die with its rollback, and the next
    change, which commits the same version number, is not served what the rolled-back one computed."""
    first, second, third, *_ = unit_of_five
    assert results.totals(active_campaign).participants == 0
    services.join(first, active_campaign, now=JOINED)
    services.join(second, active_campaign, now=JOINED)
    assert results.totals(active_campaign).participants == 2  # seen by its own transaction
    db.session.rollback()
    assert results.totals(active_campaign).participants == 0
    services.join(third, active_campaign, now=JOINED)
    db.session.commit()
    services.set_hidden_from_team(third, active_campaign, True)  # two changes: the rolled-back version number
    db.session.commit()
    assert results.totals(active_campaign).participants == 1


def test_what_the_version_does_not_see_lasts_at_most_the_time_limit(
    cache_on, active_campaign, unit_of_five, make_user, monkeypatch
):
    assert results.totals(active_campaign).eligible == 5
    make_user()  # a directory import: eligible employees are not part of the version
    assert results.totals(active_campaign).eligible == 5
    clock = reference_cache.time.monotonic() + 61
    monkeypatch.setattr(reference_cache.time, "monotonic", lambda: clock)
    assert results.totals(active_campaign).eligible == 6


def test_no_cache_when_the_time_limit_is_zero(app, active_campaign, unit_of_five, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_CAMPAIGN_RESULTS_CACHE_SECONDS", 0)
    reference_cache.clear()
    assert results.totals(active_campaign).eligible == 5
    db.session.add(Participation(campaign_id=active_campaign.id, user_id=unit_of_five[0].id, joined_at=JOINED))
    db.session.commit()
    assert results.totals(active_campaign).participants == 1
    assert not [key for key in reference_cache._cache if key[0].startswith("campaigns.")]


def main_content(page) -> str:
    """The page's main content (the header's CSRF token changes with each page)."""
    html = page if isinstance(page, str) else page.get_data(as_text=True)
    return re.search(r"<main.*</main>", html, re.DOTALL).group(0)


def test_the_leaderboard_page_shows_each_change_in_each_language(
    cache_on, client, login, active_campaign, unit_of_five
):
    """The ranked table is rendered once per results version and language: never stale, never mixed."""
    first, second, *_ = unit_of_five
    for user in unit_of_five:
        services.join(user, active_campaign, now=JOINED)
    db.session.commit()
    login(first)
    url = f"/campaigns/{active_campaign.id}/leaderboard"
    html = client.get(url).get_data(as_text=True)
    assert "1 équipe classée" in html and '<th scope="row">Service Archives</th>' in html
    assert main_content(client.get(url)) == main_content(html)  # the same page while nothing changes
    first.locale = "en"
    db.session.commit()
    english = client.get(url).get_data(as_text=True)
    assert "1 ranked team" in english and "équipe" not in english
    services.set_hidden_from_team(second, active_campaign, True)
    db.session.commit()
    after = client.get(url).get_data(as_text=True)
    assert "0 ranked teams" in after and '<th scope="row">Service Archives</th>' not in after
    assert client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True).lstrip().startswith(
        '<section id="leaderboard"'
    )


def participants_on_summary(html: str) -> str:
    return re.search(r"<dt>Participants</dt><dd>([^<]*)", html).group(1).strip()


def test_the_summary_and_results_pages_show_joins_and_returns_at_once(
    cache_on, client, login, communes, active_campaign, unit_of_five, make_user
):
    assert len(exchange.import_points(exchange.packaged_rows()).created) == 28
    db.session.commit()
    first = unit_of_five[0]
    login(first)
    summary, by_day = (f"/campaigns/{active_campaign.id}/{page}" for page in ("summary", "results"))
    html = client.get(summary).get_data(as_text=True)
    assert participants_on_summary(html) == "0" and "0 appareil déclaré" in html
    assert "0 participants le dernier jour" in client.get(by_day).get_data(as_text=True)
    assert main_content(client.get(summary)) == main_content(html)  # the same while nothing changes

    services.join(first, active_campaign, now=JOINED)
    db.session.commit()
    assert participants_on_summary(client.get(summary).get_data(as_text=True)) == "1"
    assert "1 participants le dernier jour" in client.get(by_day).get_data(as_text=True)

    # A return is not part of the campaign's results: it shows at once all the same.
    begles = db.session.scalar(sa.select(CollectionPoint).where(CollectionPoint.code == "33039"))
    declare_return(begles, user=make_user(), item="smartphone", quantity=2, now=paris(2026, 3, 16, 10, 0))
    db.session.commit()
    assert "2 appareils déclarés" in client.get(summary).get_data(as_text=True)

    first.locale = "en"
    db.session.commit()
    english = client.get(summary).get_data(as_text=True)
    assert "2 devices declared" in english and "Summary of" in english and "Bilan de" not in english
