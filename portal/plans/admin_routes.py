"""The action plans' admin pages: a new plan; a new or changed action (on an estate indicator or a declared
one) with its milestones and contributors. Another plan's action answers 404."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.accounts.models import Role
from portal.accounts.services import find_user_by_email
from portal.domain_error import DomainError
from portal.estate.display import indicator_name
from portal.estate.services import indicators
from portal.models import db
from portal.org.models import OrgUnit
from portal.plans import bp, services
from portal.plans.display import baseline_source_name, trend_name
from portal.plans.forms import NEW_MILESTONE_ROWS, ActionForm, PlanForm
from portal.plans.models import Action, Plan
from portal.security import roles_required

ADMIN = Role.ADMIN.value


def _plan_or_404(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        abort(404)
    return plan


BASELINE_SOURCES = ("start", "reference_year")


def _action_form(action: Action | None = None) -> ActionForm:
    """The action's form with its choices; on a first display, filled from the action and its milestones."""
    form = ActionForm()
    form.indicator.choices = [("", _("Declared (entered by hand)"))] + [
        (i.code, indicator_name(i.code)) for i in indicators() if i.direction.value != "none"
    ]
    units = db.session.execute(sa.select(OrgUnit.id, OrgUnit.name).order_by(OrgUnit.name)).all()
    form.unit_id.choices = [(0, _("The whole organisation"))] + [(unit_id, name) for unit_id, name in units]
    form.trend.choices = [(code, trend_name(code)) for code in ("decrease", "increase")]
    form.baseline_source.choices = [(code, baseline_source_name(code)) for code in BASELINE_SOURCES]
    if request.method == "GET":
        if action is not None:
            form.title.data, form.description.data = action.title, action.description
            form.owner_email.data = action.owner.email if action.owner else ""
            form.indicator.data, form.unit_id.data = action.indicator_code, action.unit_id or 0
            form.declared_name.data, form.declared_unit.data = action.declared_name, action.declared_unit
            form.trend.data, form.start_on.data, form.deadline.data = action.trend, action.start_on, action.deadline
            form.baseline.data = action.baseline if action.declared else None
            form.baseline_source.data, form.target.data = action.baseline_source, action.target
            form.public.data = action.public
            form.contributor_emails.data = "\n".join(user.email for user in action.contributors)
            for milestone in action.milestones:
                form.milestones.append_entry({"due_on": milestone.due_on, "value": milestone.value})
        for _row in range(NEW_MILESTONE_ROWS):
            form.milestones.append_entry()
    for number, row in enumerate(form.milestones, 1):  # each row's fields named apart, for screen readers
        row.form.due_on.label.text = _("Milestone %(number)s: date", number=number)
        row.form.value.label.text = _("Milestone %(number)s: target", number=number)
        row.form.remove.label.text = _("Remove milestone %(number)s", number=number)
    return form


def _fields(form: ActionForm) -> services.ActionFields:
    """The service's fields from a valid form; raises PlanError for an unknown owner or contributor."""
    owner = _employee(form.owner_email.data or "")
    return services.ActionFields(
        title=form.title.data or "",
        description=form.description.data or "",
        owner=owner,
        indicator_code=form.indicator.data or "",
        declared_name=form.declared_name.data or "",
        declared_unit=form.declared_unit.data or "",
        unit_id=form.unit_id.data or None,
        trend=form.trend.data or "decrease",
        start_on=form.start_on.data,
        deadline=form.deadline.data,
        baseline=form.baseline.data,
        baseline_source=form.baseline_source.data or "start",
        target=form.target.data,
        public=bool(form.public.data),
        contributors=tuple(_employee(email) for email in form.contributor_addresses()),
        milestones=form.milestone_values(),
    )


def _employee(email: str) -> Any:
    user = find_user_by_email(email.strip())
    if user is None or not user.active:
        raise services.PlanError("unknown_owner", email=email)
    return user


def _action_of_plan_or_404(plan_id: int, action_id: int) -> Action:
    action = db.session.get(Action, action_id)
    if action is None or action.plan_id != plan_id:
        abort(404)
    return action


@bp.post("/admin/plans")
@roles_required(ADMIN)
def create_plan() -> Any:
    """Create a plan, then add its actions."""
    form = PlanForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("plans.index"))
    plan = services.create_plan(title=form.title.data or "", description=form.description.data or "")
    db.session.commit()
    return redirect(url_for("plans.new_action", plan_id=plan.id))


@bp.get("/admin/plans/<int:plan_id>/actions/new")
@roles_required(ADMIN)
def new_action(plan_id: int) -> str:
    """The form of a new action."""
    return render_template("plans/action_form.html", plan=_plan_or_404(plan_id), form=_action_form(), action=None)


@bp.post("/admin/plans/<int:plan_id>/actions/new")
@roles_required(ADMIN)
def add_action(plan_id: int) -> Any:
    """Add an action; its baseline is read from the estate at once when the start month is frozen."""
    plan = _plan_or_404(plan_id)
    form = _action_form()
    if not form.validate_on_submit():
        return render_template("plans/action_form.html", plan=plan, form=form, action=None), 400
    try:
        action = services.create_action(plan, _fields(form))
    except DomainError as error:
        db.session.rollback()
        flash(error.message(), "error")
        return render_template("plans/action_form.html", plan=plan, form=form, action=None), 400
    db.session.commit()
    flash(_("Action added."), "success")
    return redirect(url_for("plans.action", action_id=action.id))


@bp.get("/admin/plans/<int:plan_id>/actions/<int:action_id>/edit")
@roles_required(ADMIN)
def edit_action(plan_id: int, action_id: int) -> str:
    """The form of an action, filled, with its milestones and contributors."""
    action = _action_of_plan_or_404(plan_id, action_id)
    return render_template("plans/action_form.html", plan=action.plan, form=_action_form(action), action=action)


@bp.post("/admin/plans/<int:plan_id>/actions/<int:action_id>/edit")
@roles_required(ADMIN)
def save_action(plan_id: int, action_id: int) -> Any:
    """Save an action's changes; once measured, what its history was read from stays fixed."""
    action = _action_of_plan_or_404(plan_id, action_id)
    form = _action_form(action)
    if not form.validate_on_submit():
        return render_template("plans/action_form.html", plan=action.plan, form=form, action=action), 400
    try:
        services.update_action(action, _fields(form))
    except DomainError as error:
        db.session.rollback()
        flash(error.message(), "error")
        action = _action_of_plan_or_404(plan_id, action_id)
        return render_template("plans/action_form.html", plan=action.plan, form=form, action=action), 400
    db.session.commit()
    flash(_("Action saved."), "success")
    return redirect(url_for("plans.action", action_id=action.id))
