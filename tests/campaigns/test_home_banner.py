"""The home page's campaign banner: the current campaigns meant for me (at most five), and whether I take part."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from flask_login import login_user

from portal.campaigns import services
from portal.models import utcnow


def _current(make_campaign, name, **overrides):
    today = services.paris_today(utcnow())
    return make_campaign(
        name=name,
        first_day=today - timedelta(days=2),
        last_day=today + timedelta(days=10),
        published_at=utcnow() - timedelta(days=5),
        now=utcnow(),
        **overrides,
    )


def test_five_current_campaigns_meant_for_me_even_when_others_come_first(
    app, make_user, make_site, make_campaign
):
    me = make_user(site=make_site(commune_insee="33063"))
    mine = [_current(make_campaign, f"Pour moi {n}") for n in range(3)]
    mine += [_current(make_campaign, f"Ma commune {n}", scope_all=False, commune_insees=["33063"]) for n in range(3)]
    for n in range(4):  # newer ids, same dates: listed first, but for another commune
        _current(make_campaign, f"Ailleurs {n}", scope_all=False, commune_insees=["33318"])
    make_campaign(name="Brouillon")  # a draft is never shown

    shown = services.current_campaigns_for(me)
    assert len(shown) == 5
    assert all(c.name.startswith(("Pour moi", "Ma commune")) for c in shown)
    expected = sorted(mine, key=lambda c: (c.starts_at, c.id), reverse=True)[:5]
    assert [c.id for c in shown] == [c.id for c in expected]


def test_the_banner_says_whether_i_take_part(app, make_user, make_campaign):
    me, other = make_user(), make_user()
    joined = _current(make_campaign, "Rejoint")
    left = _current(make_campaign, "Quitté")
    services.join(me, joined, now=utcnow())
    services.join(me, left, now=utcnow())
    services.leave(me, left, now=utcnow())
    services.join(other, left, now=utcnow())

    with app.test_request_context("/"):
        panel = services.home_campaigns(me, utcnow())
        items = {item.name: item.participant for item in panel["campaigns"]}
        assert items == {"Rejoint": True, "Quitté": False}
        assert {item.participant for item in services.home_campaigns(other, utcnow())["campaigns"]} == {False, True}
        login_user(me)
        html = render_template("campaigns/_home.html", data=panel)
    assert html.count("Vous participez.") == 1 and "Rejoignez-la" in html
