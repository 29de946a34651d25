"""The action plans' admin pages: a new plan, a new action on an estate indicator or a declared one."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from portal.accounts.models import Role
from portal.accounts.services import find_user_by_email
from portal.domain_error import DomainError
from portal.estate.display import indicator_name
from portal.estate.services import indicators
from portal.models import db
from portal.org.models import OrgUnit
from portal.plans import bp, services
from portal.plans.display import trend_name
from portal.plans.forms import ActionForm, PlanForm
from portal.plans.models import Plan
from portal.security import roles_required

ADMIN = Role.ADMIN.value


def _plan_or_404(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        abort(404)
    return plan


def _action_form() -> ActionForm:
    form = ActionForm()
    form.indicator.choices = [("", _("Declared (entered by hand)"))] + [
        (i.code, indicator_name(i.code)) for i in indicators() if i.direction.value != "none"
    ]
    units = db.session.execute(sa.select(OrgUnit.id, OrgUnit.name).order_by(OrgUnit.name)).all()
    form.unit_id.choices = [(0, _("The whole organisation"))] + [(unit_id, name) for unit_id, name in units]
    form.trend.choices = [(code, trend_name(code)) for code in ("decrease", "increase")]
    return form


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
    return render_template("plans/new_action.html", plan=_plan_or_404(plan_id), form=_action_form())


@bp.post("/admin/plans/<int:plan_id>/actions/new")
@roles_required(ADMIN)
def add_action(plan_id: int) -> Any:
    """Add an action; its baseline is read from the estate at once when the start month is frozen."""
    plan = _plan_or_404(plan_id)
    form = _action_form()
    if not form.validate_on_submit():
        return render_template("plans/new_action.html", plan=plan, form=form), 400
    owner = find_user_by_email(form.owner_email.data or "")
    try:
        if owner is None or not owner.active:
            raise services.PlanError("unknown_owner", email=form.owner_email.data)
        action = services.create_action(
            plan,
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
            target=form.target.data,
            public=bool(form.public.data),
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message(), "error")
        return render_template("plans/new_action.html", plan=plan, form=form), 400
    db.session.commit()
    flash(_("Action added."), "success")
    return redirect(url_for("plans.action", action_id=action.id))
