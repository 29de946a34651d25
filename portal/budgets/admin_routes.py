"""The budget administration: lines of a year, a line with its planned purchases, CSV import and export, carbon
budgets from a trajectory. Admins only."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from portal import csvio, uploads
from portal.accounts.models import Role
from portal.budgets import bp, figures, services, trajectory, transfer
from portal.budgets.display import BUDGET_ERRORS
from portal.budgets.forms import ImportForm, LineForm, PurchaseForm, TrajectoryForm
from portal.budgets.models import BudgetLine, PlannedPurchase
from portal.catalogue.display import CATEGORY_NAMES
from portal.catalogue.footprints import load_factor_set
from portal.catalogue.models import CatalogueItem
from portal.footprint import CATEGORY_KEYS
from portal.models import db
from portal.org.models import OrgUnit
from portal.pagination import page_number, paginate_list
from portal.security import roles_required

ADMIN = Role.ADMIN.value


def _year() -> int:
    return services.BudgetFilters.from_args(request.args, default_year=services.current_year()).year


def _line_form(line: BudgetLine | None = None, *, year: int | None = None) -> LineForm:
    form = LineForm() if request.method == "POST" else LineForm(formdata=None)
    form.org_unit.choices = [
        (u.id, f"{u.name} ({u.code})") for u in db.session.scalars(sa.select(OrgUnit).order_by(OrgUnit.name))
    ]
    if request.method != "POST":
        if line is not None:
            form.fiscal_year.data = str(line.fiscal_year)
            form.org_unit.data = line.org_unit_id
            form.nature.data = line.nature
            form.label.data = line.label
            form.amount_eur.data = str(line.amount_eur)
            form.carbon_budget_kgco2e.data = "" if line.carbon_budget_kgco2e is None else str(line.carbon_budget_kgco2e)
        else:
            form.fiscal_year.data = str(year or services.current_year())
    return form


def _purchase_form() -> PurchaseForm:
    form = PurchaseForm() if request.method == "POST" else PurchaseForm(formdata=None)
    form.category.choices = [(key, str(CATEGORY_NAMES.get(key, key))) for key in CATEGORY_KEYS]
    return form


def _line_or_404(line_id: int) -> BudgetLine:
    line = db.session.get(BudgetLine, line_id)
    if line is None:
        abort(404)
    return line


@bp.get("/admin/budgets")
@roles_required(ADMIN)
def admin_lines() -> str:
    """The lines of a year, and a form to add one."""
    year = _year()
    budget = figures.year_budget(year, load_factor_set())
    page = paginate_list(
        budget.line_figures(), number=page_number(request.args.get("page")), size=current_app.config["PORTAL_PAGE_SIZE"]
    )
    return render_template("budgets/admin_lines.html", year=year, page=page)


@bp.get("/admin/budgets/lines/new")
@roles_required(ADMIN)
def admin_new_line() -> str:
    """The form of a new line."""
    return render_template("budgets/admin_new_line.html", form=_line_form(year=_year()))


@bp.post("/admin/budgets/lines")
@roles_required(ADMIN)
def admin_create_line() -> Response | tuple[str, int]:
    """Add a line."""
    form = _line_form()
    return _save_line(None, form) or (render_template("budgets/admin_new_line.html", form=form), 422)


def _save_line(line: BudgetLine | None, form: LineForm) -> Response | None:
    values = form.values()
    unit = db.session.get(OrgUnit, form.org_unit.data) if form.org_unit.data else None
    if values is None or unit is None:
        return None
    try:
        saved = services.save_line(line, unit=unit, **values)
    except services.BudgetError as error:
        form.label.errors = [*form.label.errors, error.message()]
        return None
    db.session.commit()
    flash(_("Budget line saved."), "success")
    return redirect(url_for("budgets.admin_line", line_id=saved.id), code=303)


@bp.get("/admin/budgets/lines/<int:line_id>")
@roles_required(ADMIN)
def admin_line(line_id: int) -> str:
    """A line: its values, its planned purchases with their forecast and variants, a form to plan more."""
    line = _line_or_404(line_id)
    return _line_page(line, _line_form(line), _purchase_form())


def _line_page(line: BudgetLine, form: LineForm, purchase_form: PurchaseForm) -> str:
    budget = figures.year_budget(line.fiscal_year, load_factor_set(), lines=[line], with_variants=True)
    return render_template(
        "budgets/admin_line.html", line=line, figures=budget.units[0].lines[0], form=form, purchase_form=purchase_form
    )


@bp.post("/admin/budgets/lines/<int:line_id>")
@roles_required(ADMIN)
def admin_update_line(line_id: int) -> Response | tuple[str, int]:
    """Change a line."""
    line = _line_or_404(line_id)
    form = _line_form(line)
    response = _save_line(line, form)
    if response is None:
        db.session.rollback()
        return _line_page(_line_or_404(line_id), form, _purchase_form()), 422
    return response


@bp.post("/admin/budgets/lines/<int:line_id>/delete")
@roles_required(ADMIN)
def admin_delete_line(line_id: int) -> Response:
    """Delete a line and its planned purchases."""
    line = _line_or_404(line_id)
    year = line.fiscal_year
    services.delete_line(line)
    db.session.commit()
    flash(_("Budget line deleted."), "success")
    return redirect(url_for("budgets.admin_lines", year=year), code=303)


@bp.post("/admin/budgets/lines/<int:line_id>/purchases")
@roles_required(ADMIN)
def admin_add_purchase(line_id: int) -> Response | tuple[str, int]:
    """Plan devices in a line."""
    line = _line_or_404(line_id)
    form = _purchase_form()
    values = form.values()
    if values is not None:
        sku = (form.sku.data or "").strip()
        item = db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.sku == sku)) if sku else None
        try:
            if sku and item is None:
                raise services.BudgetError("item", value=sku)
            services.add_purchase(line, item=item, category=form.category.data or "", **values)
        except services.BudgetError as error:
            field = form.sku if error.code == "item" else form.unit_price_eur
            field.errors = [*field.errors, error.message()]
        else:
            db.session.commit()
            flash(_("Purchase planned: its variants are shown below."), "success")
            return redirect(url_for("budgets.admin_line", line_id=line.id) + "#purchases", code=303)
    return _line_page(line, _line_form(line), form), 422


@bp.post("/admin/budgets/purchases/<int:purchase_id>/delete")
@roles_required(ADMIN)
def admin_delete_purchase(purchase_id: int) -> Response:
    """Remove a planned purchase."""
    purchase = db.session.get(PlannedPurchase, purchase_id)
    if purchase is None:
        abort(404)
    line_id = purchase.line_id
    services.delete_purchase(purchase)
    db.session.commit()
    flash(_("Planned purchase removed."), "success")
    return redirect(url_for("budgets.admin_line", line_id=line_id), code=303)


@bp.get("/admin/budgets/export.csv")
@roles_required(ADMIN)
def admin_export() -> Response:
    """The lines of a year as CSV, with their figures (formulas neutralised)."""
    year = _year()
    budget = figures.year_budget(year, load_factor_set())
    return Response(
        transfer.export_text(budget),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=budgets-{year}.csv"},
    )


@bp.get("/admin/budgets/import")
@roles_required(ADMIN)
def admin_import_form() -> str:
    """Import budget lines from a CSV file."""
    return render_template("budgets/admin_import.html", form=ImportForm())


@bp.post("/admin/budgets/import")
@roles_required(ADMIN)
def admin_import() -> str | tuple[str, int]:
    """Create or update lines from a CSV file, and show the line-by-line report."""
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("budgets/admin_import.html", form=form), 422
    try:
        report = transfer.import_lines(transfer.read_lines_csv(uploads.read_upload(form.file.data)))
    except (uploads.NotTextError, csvio.CsvFileError) as problem:
        db.session.rollback()
        form.file.errors = [problem.message()]
        return render_template("budgets/admin_import.html", form=form), 422
    db.session.commit()
    return render_template(
        "budgets/admin_import.html",
        form=ImportForm(formdata=None),
        report=report,
        rejections=csvio.describe(report, BUDGET_ERRORS),
    )


@bp.get("/admin/budgets/trajectory")
@roles_required(ADMIN)
def admin_trajectory() -> str | tuple[str, int]:
    """Carbon budgets from a trajectory: the proposal per unit, to review before it is written."""
    form = TrajectoryForm(request.args, meta={"csrf": False})
    proposals = None
    values = form.values() if request.args else None
    if request.args and values is None:
        return render_template("budgets/admin_trajectory.html", form=form, proposals=None), 422
    if values is not None:
        reference = trajectory.reference_emissions_by_unit(values["reference_year"], load_factor_set())
        proposals = trajectory.propose(reference, **values)
    else:
        year = services.current_year() + 1
        form.reference_year.data, form.fiscal_year.data, form.yearly_cut.data = str(year - 2), str(year), "5"
    return render_template("budgets/admin_trajectory.html", form=form, proposals=proposals, values=values)


@bp.post("/admin/budgets/trajectory")
@roles_required(ADMIN)
def admin_apply_trajectory() -> Response | tuple[str, int]:
    """Write the trajectory's carbon budgets on the year's lines."""
    form = TrajectoryForm()
    values = form.values()
    if values is None:
        return render_template("budgets/admin_trajectory.html", form=form, proposals=None), 422
    reference = trajectory.reference_emissions_by_unit(values["reference_year"], load_factor_set())
    changed = trajectory.apply(trajectory.propose(reference, **values), year=values["year"])
    db.session.commit()
    flash(
        ngettext("Carbon budget written on %(num)d line.", "Carbon budgets written on %(num)d lines.", changed),
        "success",
    )
    return redirect(url_for("budgets.admin_lines", year=values["year"]), code=303)
