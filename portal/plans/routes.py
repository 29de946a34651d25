"""The action plans' pages: plans and actions for admins and owners, the yearly review, and the shared objectives
every employee follows. Someone else's plan or a private action answers 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal import csvio
from portal.catalogue.my_footprint import assets_to_return
from portal.domain_error import DomainError
from portal.estate.services import today_paris
from portal.models import db
from portal.pagination import Page, page_number
from portal.plans import bp, services
from portal.plans.display import status_name, trend_name
from portal.plans.forms import CheckInForm
from portal.plans.models import Action, CheckIn


def _me() -> Any:
    return current_user._get_current_object()


def _action_or_404(action_id: int) -> Action:
    action = services.action_for(action_id, _me())
    if action is None:
        abort(404)
    return action


@bp.get("/plans")
def index() -> str:
    """The plans an admin runs, or those holding the owner's actions."""
    plans = services.visible_plans(_me())
    if not plans and not services.is_admin(_me()):
        abort(403)  # the list itself, like an admin page; a given plan that is not theirs answers 404
    return render_template("plans/index.html", plans=plans)


@bp.get("/plans/<int:plan_id>")
def plan(plan_id: int) -> str:
    """A plan's actions with their latest measure and status."""
    found = services.plan_for(plan_id, _me())
    if found is None:
        abort(404)
    table = services.plan_table(
        found.id,
        number=page_number(request.args.get("page")),
        size=current_app.config["PORTAL_PAGE_SIZE"],
        language=str(get_locale()),
    )
    page: Page[object] = Page([], table.number, table.size, table.total)
    return render_template("plans/plan.html", plan=found, table=table, page=page)


@bp.get("/plans/actions/<int:action_id>")
def action(action_id: int) -> str:
    """An action: its monthly series against the target trajectory, its check-ins, its declared values."""
    found = _action_or_404(action_id)
    return render_template(
        "plans/action.html",
        action=found,
        series=services.action_series(found, language=str(get_locale())),
        check_ins=services.check_ins(found),
        declared=services.declared_values(found) if found.declared else [],
        may_edit=services.may_edit(found, _me()),
        may_check_in=services.may_check_in(found, _me()),
        may_edit_check_in=lambda check_in: services.may_edit_check_in(check_in, found, _me()),
        is_admin=services.is_admin(_me()),
        unit=services.unit_of(found),
        today=today_paris(),
    )


def _change_action(
    action_id: int,
    change: Callable[[Action], object],
    *,
    form_anchor: str,
    list_anchor: str,
    done: str,
    allowed: Callable[[Action, Any], bool] = services.may_edit,
) -> Response:
    """Apply an owner's (or an admin's) change to their action; a refusal goes back to its form, said."""
    found = _action_or_404(action_id)
    if not allowed(found, _me()):
        abort(404)
    try:
        change(found)
    except DomainError as error:
        flash(error.message(), "error")
        return redirect(url_for("plans.action", action_id=found.id, _anchor=form_anchor))
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("plans.action", action_id=found.id, _anchor=list_anchor))


@bp.post("/plans/actions/<int:action_id>/check-ins")
def add_check_in(action_id: int) -> Response:
    """The owner (or an admin) adds a check-in."""
    form = request.form
    return _change_action(
        action_id,
        lambda found: services.add_check_in(
            found, by=_me(), comment=form.get("comment", ""), on=form.get("on", ""), link=form.get("link", "")
        ),
        form_anchor="check-in",
        list_anchor="check-ins",
        done=_("Check-in added."),
        allowed=services.may_check_in,
    )


def _check_in_or_404(action_id: int, check_in_id: int) -> tuple[Action, CheckIn]:
    """An action's check-in the user may change (404: not found, another action's, or not theirs to edit)."""
    found = _action_or_404(action_id)
    check_in = services.check_in_of(found, check_in_id)
    if check_in is None or not services.may_edit_check_in(check_in, found, _me()):
        abort(404)
    return found, check_in


@bp.route("/plans/actions/<int:action_id>/check-ins/<int:check_in_id>/edit", methods=["GET", "POST"])
def edit_check_in(action_id: int, check_in_id: int) -> Any:
    """The owner (or an admin, or its author among the contributors) corrects a check-in."""
    found, check_in = _check_in_or_404(action_id, check_in_id)
    form = CheckInForm(obj=check_in if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.edit_check_in(
                check_in, comment=form.comment.data or "", on=form.on.data.isoformat(), link=form.link.data or ""
            )
        except DomainError as error:
            db.session.rollback()
            flash(error.message(), "error")
        else:
            db.session.commit()
            flash(_("Check-in saved."), "success")
            return redirect(url_for("plans.action", action_id=found.id, _anchor="check-ins"))
    status = 400 if request.method == "POST" else 200
    return render_template("plans/check_in_form.html", action=found, check_in=check_in, form=form), status


@bp.post("/plans/actions/<int:action_id>/declared")
def add_declared_value(action_id: int) -> Response:
    """The owner (or an admin) enters a declared value, with its date and source."""
    form = request.form
    return _change_action(
        action_id,
        lambda found: services.add_declared_value(
            found,
            by=_me(),
            value=form.get("value", ""),
            on=form.get("on", ""),
            source=form.get("source", ""),
            locale=str(get_locale()),
        ),
        form_anchor="declare",
        list_anchor="declared",
        done=_("Value recorded: it counts from the next monthly measure."),
    )


def _review_year() -> int:
    text = request.args.get("year", "")
    if not text:
        return today_paris().year - 1
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        abort(400, _("“%(value)s” is not a year.", value=text))
    return int(text)


@bp.get("/plans/<int:plan_id>/review")
def review(plan_id: int) -> Any:
    """The printable yearly review (and its CSV with ?format=csv)."""
    found = services.plan_for(plan_id, _me())
    if found is None:
        abort(404)
    year = _review_year()
    lines = services.review(found, year)
    if request.args.get("format") == "csv":
        header = [
            "action", "indicator", "unit", "scope", "trend", "baseline", "target", "deadline",
            "year_end_month", "value", "progress_pct", "status", "last_check_in_date", "last_check_in",
        ]  # fmt: skip
        rows = [
            [
                line.action.title,
                line.action.indicator_code or "declared",
                services.unit_of(line.action),
                line.action.unit.name if line.action.unit else "",
                trend_name(line.action.trend),
                line.action.baseline,
                line.action.target,
                line.action.deadline.isoformat(),
                f"{year}-{line.year_end.month:02d}" if line.year_end else "",
                line.year_end.value if line.year_end else "",
                round(line.year_end.progress * 100, 1) if line.year_end and line.year_end.progress is not None else "",
                status_name(line.year_end.status) if line.year_end else "",
                line.last_check_in.on.isoformat() if line.last_check_in else "",
                line.last_check_in.comment if line.last_check_in else "",
            ]
            for line in lines
        ]
        body = csvio.to_text(header, rows)
        return Response(
            body,
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename=plan-{found.id}-review-{year}.csv"},
        )
    return render_template("plans/review.html", plan=found, year=year, lines=lines, unit_of=services.unit_of)


@bp.get("/objectives")
def objectives() -> str:
    """The shared objectives: what we committed to, where we stand, and what I can do."""
    language = str(get_locale())
    cards = services.objective_cards(language=language)
    return render_template(
        "plans/objectives.html",
        cards=cards,
        to_return=len(assets_to_return(_me())),
        contributions=services.unit_contribution_lines(_me(), cards, language=language),
    )
