"""Budget pages for admins and managers: the year's budgets by unit, a unit's budget with its planned purchases
and their sober variants, a unit's printable summary."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.budgets import bp, display, figures, services
from portal.catalogue.footprints import load_factor_set
from portal.org.models import OrgUnit
from portal.pagination import page_number
from portal.security import roles_required


def _filters() -> services.BudgetFilters:
    return services.BudgetFilters.from_args(request.args, default_year=services.current_year())


@bp.get("/budgets")
@roles_required("manager")
def overview() -> str | Response:
    """Admins: every unit's budget for a year, sortable; a manager goes to their unit's budget."""
    filters = _filters()
    if not current_user.has_role("admin"):
        if current_user.org_unit_id is None:
            return render_template("budgets/no_unit.html")
        return redirect(url_for("budgets.unit", unit_id=current_user.org_unit_id, year=filters.year))
    body = figures.overview_body(
        filters.year,
        filters.sort,
        number=page_number(request.args.get("page")),
        size=current_app.config["PORTAL_PAGE_SIZE"],
        language=str(get_locale()),
        render=lambda **context: display.body("budgets/_overview_body.html", filters=filters, **context),
    )
    return render_template("budgets/overview.html", filters=filters, body=body)


def _visible_unit(unit_id: int) -> OrgUnit:
    unit = services.visible_unit(unit_id, current_user)
    if unit is None:
        abort(404)
    return unit


@bp.get("/budgets/<int:unit_id>")
@roles_required("manager")
def unit(unit_id: int) -> str:
    """A unit's budget and its sub-units': lines, planned purchases with their sober variants (read-only for
    managers; admins get the links to edit)."""
    visible = services.visible_unit_ids(current_user)
    if visible is not None and unit_id not in visible:
        abort(404)
    filters = _filters()
    admin = visible is None
    page = figures.unit_page(
        unit_id,
        filters.year,
        admin=admin,
        language=str(get_locale()),
        render=lambda **context: display.body("budgets/_unit_body.html", filters=filters, admin=admin, **context),
    )
    if page is None:
        abort(404)
    return render_template("budgets/unit.html", unit=page, filters=filters, admin=admin, body=page.body)


@bp.get("/budgets/<int:unit_id>/summary")
@roles_required("manager")
def summary(unit_id: int) -> str:
    """A unit's budget on one printable page, for the budget debate."""
    org_unit = _visible_unit(unit_id)
    filters = _filters()
    budget = figures.unit_budget(org_unit.id, filters.year)
    return render_template(
        "budgets/summary.html",
        unit=org_unit,
        budget=budget,
        filters=filters,
        **figures.reference_context(load_factor_set()),
    )
