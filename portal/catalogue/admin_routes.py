"""Administration of the catalogue: items (with CSV import and export) and the versioned factor library."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from portal import csvio, uploads
from portal.accounts.models import Role
from portal.catalogue import bp, item_values, items, transfer
from portal.catalogue.admin_forms import FACTOR_FIELD_NAMES, FactorForm, ItemForm, ItemImportForm
from portal.catalogue.display import CATEGORY_NAMES, ITEM_PROBLEMS
from portal.catalogue.footprints import ELECTRICITY_KEY, FactorValues, difference_to_reference, load_factor_set
from portal.catalogue.models import CatalogueItem, Factor, FactorVersion, Order
from portal.catalogue.services import CATALOGUE_CATEGORIES, update_factor, version_changes
from portal.domain_error import DomainError
from portal.formatting import kgco2e
from portal.htmx import render
from portal.models import db
from portal.pagination import requested_page
from portal.security import roles_required

ADMIN = Role.ADMIN.value


# ---------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------


@bp.get("/admin/catalogue")
@roles_required(ADMIN)
def admin_items() -> Response:
    """Every item, active or not, searchable and filtered by category; htmx updates the results."""
    query = request.args.get("q", "").strip()[:100]
    category = request.args.get("category", "")
    category = category if category in CATALOGUE_CATEGORIES else ""
    page = requested_page(items.search_items_statement(query, category))
    return render("catalogue/admin/items.html", "catalogue/admin/_items_results.html",
                  page=page, query=query, category=category, categories=CATALOGUE_CATEGORIES)


def _item_page(form: ItemForm, item: CatalogueItem | None) -> str:
    context: dict[str, object] = {"form": form, "item": item}
    if item is not None:
        factor_set = load_factor_set()
        context["vs_reference"] = difference_to_reference(item.annualised_kgco2e, item.category, factor_set)
        context["orders"] = db.session.scalar(sa.select(sa.func.count(Order.id)).where(Order.item_id == item.id))
    return render_template("catalogue/admin/item_form.html", **context)


def _saved_message(result: items.SaveResult) -> str:
    item = result.item
    message = _("“%(name)s” is saved: label %(label)s, %(annualised)s per year over its life.",
                name=item.name, label=item.label, annualised=kgco2e(item.annualised_kgco2e))
    if result.recomputed:
        message += " " + ngettext(
            "The category's label yardstick moved: %(num)d item recomputed.",
            "The category's label yardstick moved: %(num)d items recomputed.",
            result.recomputed,
        )
    return message


@bp.get("/admin/catalogue/new")
@roles_required(ADMIN)
def admin_item_new() -> str:
    """The form of a new item."""
    return _item_page(ItemForm(), None)


@bp.post("/admin/catalogue/new")
@roles_required(ADMIN)
def admin_item_create() -> Response | tuple[str, int]:
    """Create an item; its footprint and label are computed at once."""
    form = ItemForm()
    if form.validate_on_submit():
        result = items.save_item(None, form.values)
        db.session.commit()
        flash(_saved_message(result), "success")
        return redirect(url_for("catalogue.admin_item_edit", item_id=result.item.id), code=303)
    return _item_page(form, None), 422


def _skus_of_original(item: CatalogueItem) -> dict[int, str]:
    return {item.refurbished_of.id: item.refurbished_of.sku} if item.refurbished_of is not None else {}


@bp.get("/admin/catalogue/<int:item_id>/edit")
@roles_required(ADMIN)
def admin_item_edit(item_id: int) -> str:
    """An item's form, with its computed footprint and label."""
    item = db.get_or_404(CatalogueItem, item_id)
    return _item_page(ItemForm.for_item(item, _skus_of_original(item)), item)


@bp.post("/admin/catalogue/<int:item_id>/edit")
@roles_required(ADMIN)
def admin_item_update(item_id: int) -> Response | tuple[str, int]:
    """Save an item; its footprint and label are recomputed."""
    item = db.get_or_404(CatalogueItem, item_id)
    form = ItemForm(item=item)
    if form.validate_on_submit():
        result = items.save_item(item, form.values)
        db.session.commit()
        if result.changed:
            flash(_saved_message(result), "success")
        else:
            flash(_("Nothing has changed."), "info")
        return redirect(url_for("catalogue.admin_item_edit", item_id=item.id), code=303)
    return _item_page(form, item), 422


@bp.post("/admin/catalogue/<int:item_id>/active")
@roles_required(ADMIN)
def admin_item_set_active(item_id: int) -> Response:
    """Withdraw an item from the catalogue or offer it again (items are never deleted: orders keep them)."""
    item = db.get_or_404(CatalogueItem, item_id)
    active = request.form.get("active") == "1"
    recomputed = items.set_item_active(item, active)
    db.session.commit()
    if active:
        message = _("“%(name)s” is offered in the catalogue again.", name=item.name)
    else:
        message = _("“%(name)s” is withdrawn from the catalogue; past orders and devices keep it.", name=item.name)
    if recomputed:
        message += " " + ngettext(
            "The category's label yardstick moved: %(num)d item recomputed.",
            "The category's label yardstick moved: %(num)d items recomputed.",
            recomputed,
        )
    flash(message, "success")
    return redirect(url_for("catalogue.admin_item_edit", item_id=item.id), code=303)


@bp.get("/admin/catalogue/export.csv")
@roles_required(ADMIN)
def admin_items_export() -> Response:
    """Every item as CSV (the import's columns); cells a spreadsheet would run as formulas are neutralised."""
    response = make_response(transfer.export_items_text())
    response.mimetype = "text/csv"
    response.headers["Content-Disposition"] = f'attachment; filename="catalogue-{date.today().isoformat()}.csv"'
    return response


@bp.get("/admin/catalogue/import")
@roles_required(ADMIN)
def admin_items_import_form() -> str:
    """The CSV upload form."""
    return render_template("catalogue/admin/import.html", form=ItemImportForm(), report=None,
                           columns=item_values.ITEM_COLUMNS)


@bp.post("/admin/catalogue/import")
@roles_required(ADMIN)
def admin_items_import() -> str | tuple[str, int]:
    """Import a catalogue CSV: items created or updated by SKU, and a report of every line refused."""
    form = ItemImportForm()
    if form.validate_on_submit():
        try:
            rows = transfer.read_items_csv(uploads.read_upload(form.file.data))
        except DomainError as error:
            form.file.errors.append(error.message())
        else:
            report = transfer.import_items(rows)
            db.session.commit()
            rejections = csvio.describe(report, ITEM_PROBLEMS)
            return render_template("catalogue/admin/import.html", form=ItemImportForm(formdata=None), report=report,
                                   rejections=rejections, columns=item_values.ITEM_COLUMNS)
    return render_template("catalogue/admin/import.html", form=form, report=None, columns=item_values.ITEM_COLUMNS), 422


# ---------------------------------------------------------------------------
# Factor library
# ---------------------------------------------------------------------------


def _factor_order(factor: FactorValues) -> tuple[int, str]:
    order = {key: n for n, key in enumerate(CATALOGUE_CATEGORIES)}
    return (order.get(factor.key, len(order) + (factor.kind == "scalar")), factor.key)


@bp.get("/admin/factors")
@roles_required(ADMIN)
def admin_factors() -> str:
    """The factor library: every factor's values, quality, source, version and label yardstick."""
    factor_set = load_factor_set()
    factors = sorted(factor_set.factors.values(), key=_factor_order)
    counts = {
        category: count
        for category, count in db.session.execute(
            sa.select(CatalogueItem.category, sa.func.count(CatalogueItem.id)).group_by(CatalogueItem.category)
        )
    }
    yardsticks = {f.key: factor_set.yardstick(f.key) for f in factors if f.kind == "category"}
    return render_template("catalogue/admin/factors.html", factors=factors, counts=counts, yardsticks=yardsticks)


def _factor_or_404(key: str) -> Factor:
    factor = db.session.scalar(
        sa.select(Factor).where(Factor.key == key)
        .options(selectinload(Factor.versions).selectinload(FactorVersion.changed_by))
    )
    if factor is None:
        abort(404)
    return factor


def _factor_page(form: FactorForm, factor: Factor) -> str:
    return render_template("catalogue/admin/factor_form.html", form=form, factor=factor,
                           history=version_changes(list(factor.versions)), field_names=FACTOR_FIELD_NAMES)


@bp.get("/admin/factors/<key>/edit")
@roles_required(ADMIN)
def admin_factor_edit(key: str) -> str:
    """A factor's form and its version history."""
    factor = _factor_or_404(key)
    return _factor_page(FactorForm.for_factor(factor), factor)


@bp.post("/admin/factors/<key>/edit")
@roles_required(ADMIN)
def admin_factor_update(key: str) -> Response | tuple[str, int]:
    """Save a factor as a new version; the items it applies to are recomputed."""
    factor = _factor_or_404(key)
    form = FactorForm(factor=factor)
    if not form.validate_on_submit():
        return _factor_page(form, factor), 422
    if not form.changes:
        flash(_("Nothing has changed: no new version was made."), "info")
        return redirect(url_for("catalogue.admin_factor_edit", key=factor.key), code=303)
    changes = update_factor(factor, form.changes, by=current_user._get_current_object(),
                            comment=form.comment.data.strip())
    items.refresh_moved_yardsticks()
    concerned = sa.select(sa.func.count(CatalogueItem.id))
    if factor.kind == "category":
        concerned = concerned.where(CatalogueItem.category == factor.key)
    recomputed = db.session.scalar(concerned) or 0
    db.session.commit()
    flash(
        _("%(factor)s is now at version %(version)d.", factor=_factor_title(factor), version=factor.version)
        + " " + ngettext("%(num)d value changed.", "%(num)d values changed.", len(changes))
        + " " + ngettext("%(num)d item recomputed.", "%(num)d items recomputed.", recomputed),
        "success",
    )
    return redirect(url_for("catalogue.admin_factor_edit", key=factor.key), code=303)


def _factor_title(factor: Factor) -> str:
    if factor.kind == "scalar":
        return _("The electricity factor") if factor.key == ELECTRICITY_KEY else factor.key
    return _("The %(category)s factor", category=CATEGORY_NAMES.get(factor.key, factor.key))
