"""Budget pages for admins and managers: the year's budgets by unit, a unit's budget with its planned purchases
and their sober variants, a unit's printable summary."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.budgets import bp, figures, services
from portal.catalogue.footprints import load_factor_set
from portal.footprint import MONETARY_IT_PRODUCTS
from portal.footprint.budget import BUDGET_USE_THRESHOLDS, INTENSITY_THRESHOLDS
from portal.models import db
from portal.org.services import unit_and_descendant_ids
from portal.pagination import page_number, paginate_list
from portal.security import roles_required

#: Width of the chart's bars standing for 150 % of a carbon budget (SVG units).
BAR_WIDTH = 360


def _filters() -> services.BudgetFilters:
    return services.BudgetFilters.from_args(request.args, default_year=services.current_year())


def _reference() -> dict[str, object]:
    """What every budget page says about its yardsticks."""
    return {
        "reference": MONETARY_IT_PRODUCTS,
        "intensity_thresholds": INTENSITY_THRESHOLDS,
        "use_thresholds": BUDGET_USE_THRESHOLDS,
    }


@bp.get("/budgets")
@roles_required("manager")
def overview() -> str | Response:
    """Admins: every unit's budget for a year, sortable; a manager goes to their unit's budget."""
    filters = _filters()
    if not current_user.has_role("admin"):
        if current_user.org_unit_id is None:
            return render_template("budgets/no_unit.html")
        return redirect(url_for("budgets.unit", unit_id=current_user.org_unit_id, year=filters.year))
    factor_set = load_factor_set()
    budget = figures.year_budget(filters.year, factor_set)
    previous = figures.year_budget(filters.year - 1, factor_set)
    units = figures.sorted_units(budget.units, filters.sort)
    page = paginate_list(
        units, number=page_number(request.args.get("page")), size=current_app.config["PORTAL_PAGE_SIZE"]
    )
    return render_template(
        "budgets/overview.html",
        filters=filters,
        budget=budget,
        units=units,
        page=page,
        previous={unit.unit.id: unit.reading for unit in previous.units},
        bars=figures.used_bars(page.items, BAR_WIDTH),
        bar_width=BAR_WIDTH,
        **_reference(),
    )


def _unit_budget(unit_id: int) -> tuple[object, figures.YearBudget, services.BudgetFilters]:
    unit = services.visible_unit(unit_id, current_user)
    if unit is None:
        abort(404)
    filters = _filters()
    lines = db.session.scalars(services.lines_statement(filters.year, unit_and_descendant_ids(unit.id))).all()
    # The variants are shown for the unit's own lines; its sub-units' pages show theirs.
    budget = figures.year_budget(
        filters.year, load_factor_set(), lines=lines, with_variants=True, variants_of={unit.id}
    )
    return unit, budget, filters


@bp.get("/budgets/<int:unit_id>")
@roles_required("manager")
def unit(unit_id: int) -> str:
    """A unit's budget and its sub-units': lines, planned purchases with their sober variants (read-only for
    managers; admins get the links to edit)."""
    org_unit, budget, filters = _unit_budget(unit_id)
    return render_template("budgets/unit.html", unit=org_unit, budget=budget, filters=filters, **_reference())


@bp.get("/budgets/<int:unit_id>/summary")
@roles_required("manager")
def summary(unit_id: int) -> str:
    """A unit's budget on one printable page, for the budget debate."""
    org_unit, budget, filters = _unit_budget(unit_id)
    return render_template("budgets/summary.html", unit=org_unit, budget=budget, filters=filters, **_reference())
