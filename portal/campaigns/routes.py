"""Campaign pages for employees (the admin's campaign editor and the storage imports are in admin_routes)."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from portal.accounts.models import Role, User
from portal.areas import domain_panels
from portal.campaigns import bp, content, display, exports, published, results, services, steps
from portal.campaigns.conventions import (
    ADEME_STORAGE,
    CLEANUP_DAY,
    CLEANUP_DAY_2024_GB,
    CLEANUP_DAY_2024_KGCO2E,
    co2e_kg,
    ratio_between_conventions,
)
from portal.campaigns.models import Campaign, Participation
from portal.htmx import is_htmx_request, render, render_prerendered
from portal.models import db, utcnow
from portal.pagination import page_number, requested_page

PARTICIPATION_CHANGED = "participation-changed"


def _me() -> User:
    return current_user._get_current_object()


def _visible_or_404(campaign: Campaign | None) -> Campaign:
    """The campaign, if it exists and this user may see it (drafts and other scopes are 404, as if they did not
    exist)."""
    if campaign is None or not services.can_see(_me(), campaign):
        abort(404)
    return campaign


def _campaign_or_404(campaign_id: int) -> Campaign:
    return _visible_or_404(db.session.get(Campaign, campaign_id))


# ------------------------------------------------------------------------------------ employee pages


@bp.get("/campaigns")
def index() -> Response:
    """Campaigns meant for me: upcoming, in progress and closed, the latest first."""
    page = requested_page(services.visible_campaigns_statement(_me()))
    return render("campaigns/index.html", "campaigns/_list.html", page=page, state_labels=display.STATES)


def _participation_context(
    campaign: Campaign,
    me: User,
    participation: Participation | None,
    error: str | None = None,
    ticks: set[str] | None = None,
) -> dict[str, Any]:
    """What the participation section shows (`participation`: my row in the campaign, if any; `ticks`: the
    actions I ticked when already read, else they are read here)."""
    return {
        "campaign": campaign,
        "participation": participation if participation and participation.active else None,
        "can_join": services.can_join(me, campaign),
        "is_open": services.is_open(campaign),
        "ticks": services.ticked_actions(me, campaign) if ticks is None else ticks,
        "guides": content.guides_of(campaign, str(get_locale() or "fr")),
        "action_count": len(services.action_keys(campaign)),
        "team": results.my_team(me, campaign),
        "min_team_size": results.MIN_TEAM_SIZE,
        "error": error,
    }


def _campaign_context(campaign: Campaign, participation: Participation | None, ticks: set[str]) -> dict[str, Any]:
    me, now = _me(), utcnow()
    return {
        **_participation_context(campaign, me, participation, ticks=ticks),
        "now": now,
        "first_day": services.first_day(campaign),
        "last_day": services.last_day(campaign),
        "days_left": services.days_left(campaign, now),
        "my_progress": steps.my_progress(me, campaign),
        "state_labels": display.STATES,
        "source_labels": display.SOURCES,
        "convention_labels": display.CONVENTIONS,
        "is_admin": me.has_role(Role.ADMIN.value),
        "edits_content": me.has_role(Role.COMMS.value),
    }


@bp.get("/campaigns/<int:campaign_id>")
def show(campaign_id: int) -> Response:
    """A campaign: countdown, goals and progress, join or leave, my team, guides and checklist, my progress."""
    found, participation, ticks = services.campaign_and_participation(campaign_id, _me())
    campaign = _visible_or_404(found)
    # htmx asks for the totals alone after a change of participation: the rest of the page is not computed then.
    totals = published.totals_fragment(campaign, language=str(get_locale()))
    return render_prerendered(
        "campaigns/campaign.html", totals, page_context=lambda: _campaign_context(campaign, participation, ticks)
    )


def _after_participation_change(campaign: Campaign, message: str, error: str | None = None) -> BaseResponse:
    """htmx: the participation fragment and an event for the other widgets; otherwise back to the page."""
    if not is_htmx_request():
        flash(error or message, "error" if error else "success")
        return redirect(url_for("campaigns.show", campaign_id=campaign.id, _anchor="participation"), code=303)
    me = _me()
    context = _participation_context(campaign, me, services.participation_of(me, campaign), error=error)
    context["status_message"] = None if error else message
    response = render("campaigns/campaign.html", "campaigns/_participation.html", **context)
    if not error:
        response.headers["HX-Trigger"] = PARTICIPATION_CHANGED
    return response


@bp.post("/campaigns/<int:campaign_id>/join")
def join(campaign_id: int) -> BaseResponse:
    """Take part in the campaign."""
    campaign = _campaign_or_404(campaign_id)
    try:
        services.join(_me(), campaign, now=utcnow())
    except services.CampaignError as error:
        return _after_participation_change(campaign, "", error=error.message())
    db.session.commit()
    return _after_participation_change(campaign, _("You take part in %(name)s.", name=campaign.name))


@bp.post("/campaigns/<int:campaign_id>/leave")
def leave(campaign_id: int) -> BaseResponse:
    """Stop taking part in the campaign."""
    campaign = _campaign_or_404(campaign_id)
    try:
        services.leave(_me(), campaign, now=utcnow())
    except services.CampaignError as error:
        return _after_participation_change(campaign, "", error=error.message())
    db.session.commit()
    return _after_participation_change(campaign, _("You no longer take part in %(name)s.", name=campaign.name))


@bp.post("/campaigns/<int:campaign_id>/team-visibility")
def set_team_visibility(campaign_id: int) -> BaseResponse:
    """Count me in my team's figures, or not."""
    campaign = _campaign_or_404(campaign_id)
    if not services.is_participant(_me(), campaign):
        abort(403)
    hidden = request.form.get("hidden") == "1"
    try:
        services.set_hidden_from_team(_me(), campaign, hidden)
    except services.CampaignError as error:
        return _after_participation_change(campaign, "", error=error.message())
    db.session.commit()
    message = (
        _("You are no longer counted in your team's figures.")
        if hidden
        else _("You are counted in your team's figures again.")
    )
    return _after_participation_change(campaign, message)


@bp.post("/campaigns/<int:campaign_id>/checklist")
def save_checklist(campaign_id: int) -> BaseResponse:
    """Save the guide actions I have done."""
    campaign = _campaign_or_404(campaign_id)
    me = _me()
    if not services.is_participant(me, campaign):
        abort(403)
    saved = False
    try:
        ticks = services.set_ticks(me, campaign, request.form.getlist("action"), now=utcnow())
    except services.CampaignError as error:
        message = error.message()
    else:
        saved = True
        db.session.commit()
        message = ngettext(
            "Checklist saved: %(num)d action done out of %(total)d.",
            "Checklist saved: %(num)d actions done out of %(total)d.",
            len(ticks),
            total=len(services.action_keys(campaign)),
        )
    if not is_htmx_request():
        flash(message, "success")
        return redirect(url_for("campaigns.show", campaign_id=campaign.id, _anchor="checklist"), code=303)
    context = _participation_context(campaign, me, services.participation_of(me, campaign))
    context["checklist_status"] = message
    context["checklist_saved"] = saved
    return render("campaigns/campaign.html", "campaigns/_checklist.html", **context)


@bp.get("/campaigns/<int:campaign_id>/leaderboard")
def leaderboard(campaign_id: int) -> Response:
    """Teams ranked by GB freed per participant or by participation rate; no individual figure."""
    campaign = _campaign_or_404(campaign_id)
    sort = "rate" if request.args.get("sort") == "rate" else "gb"
    size, number = current_app.config["PORTAL_PAGE_SIZE"], page_number(request.args.get("page"))
    table = published.leaderboard_fragment(campaign, sort=sort, number=number, size=size, language=str(get_locale()))
    return render_prerendered(
        "campaigns/leaderboard.html",
        table,
        campaign=campaign,
        sort=sort,
        min_team_size=results.MIN_TEAM_SIZE,
        team_rule_label=display.TEAM_RULES[campaign.team_rule],
    )


@bp.get("/campaigns/<int:campaign_id>/results")
def results_page(campaign_id: int) -> str:
    """Cumulative GB freed per day and participation over time: SVG charts with their data table."""
    campaign = _campaign_or_404(campaign_id)
    today = services.paris_today(utcnow())
    fragment = published.results_fragment(campaign, today=today, language=str(get_locale()))
    # What the domains above count in a campaign (their CAMPAIGN_PANELS: e.g. the services given up).
    panels = domain_panels("CAMPAIGN_PANELS", campaign, utcnow())
    return render_template("campaigns/results.html", campaign=campaign, fragment=fragment, panels=panels)


@bp.get("/campaigns/<int:campaign_id>/summary")
def summary(campaign_id: int) -> str:
    """End-of-campaign summary: what was freed, by whom (teams), against which goals; CSV export."""
    campaign = _campaign_or_404(campaign_id)
    can_export = _me().has_role(Role.ADMIN.value, Role.COMMS.value)
    fragment = published.summary_fragment(campaign, can_export=can_export, language=str(get_locale()))
    return render_template("campaigns/summary.html", campaign=campaign, fragment=fragment)


@bp.get("/campaigns/<int:campaign_id>/summary.csv")
def summary_csv(campaign_id: int) -> Response:
    """The results per team as CSV (formula-safe), for the communications team and admins."""
    campaign = _campaign_or_404(campaign_id)
    if not _me().has_role(Role.ADMIN.value, Role.COMMS.value):
        abort(403)
    text = exports.summary_csv(campaign, other_teams_label=_("Other teams"), total_label=_("Whole campaign"))
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="campaign-{campaign.id}-results.csv"'
    return response


@bp.get("/campaigns/co2e")
def conventions() -> str:
    """Why the two CO₂e conventions for storage differ about a thousandfold, and how results stay anonymous.

    The worked example counts the years as a campaign does (`results.co2e`): the campaign's own when
    `?campaign=` names one, else those of a new campaign (its default horizon).
    """
    example_bytes = 10 * 10**9
    campaign_id = request.args.get("campaign", type=int)
    campaign = _campaign_or_404(campaign_id) if campaign_id is not None else None
    years = results.co2e(campaign, example_bytes).years if campaign else services.DEFAULT_HORIZON_YEARS
    return render_template(
        "campaigns/co2e.html",
        campaign=campaign,
        last_day=services.last_day(campaign) if campaign else None,
        ademe=ADEME_STORAGE,
        cleanup_day=CLEANUP_DAY,
        dcd_gb=CLEANUP_DAY_2024_GB,
        dcd_kg=CLEANUP_DAY_2024_KGCO2E,
        ratio=ratio_between_conventions(),
        example_years=years,
        example_ademe_kg=co2e_kg(example_bytes, ADEME_STORAGE, years=years),
        example_dcd_kg=co2e_kg(example_bytes, CLEANUP_DAY),
        min_group_size=results.MIN_TEAM_SIZE,
    )


from portal.campaigns import admin_routes  # noqa: E402,F401  (admin pages register themselves on bp)
