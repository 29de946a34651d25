"""Administration of the collection points: edit, import and export, confirm returns, weigh, count."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from portal import csvio, uploads
from portal.accounts.models import Role
from portal.domain_error import DomainError
from portal.form_fields import choices
from portal.formatting import number
from portal.locator import bp, exchange, services
from portal.locator.display import POINT_ERRORS
from portal.locator.forms import ImportForm, PointForm, WeighingForm
from portal.locator.models import CollectionPoint, DeviceReturn
from portal.models import db, utcnow
from portal.org.models import Commune
from portal.pagination import requested_page
from portal.security import roles_required
from portal.timezone import PARIS

ADMIN = Role.ADMIN.value
RETURN_STATUSES = ("pending", "received", "all")


@bp.get("/admin/collection-points")
@roles_required(ADMIN)
def admin_points() -> str:
    """Every point with its counters; links to edit, import, export, returns and statistics."""
    points = db.session.scalars(sa.select(CollectionPoint).join(Commune).order_by(Commune.name, CollectionPoint.name))
    stats = services.statistics_by_point()
    pending = sum(s.pending for s in stats.values())
    return render_template(
        "locator/admin_points.html", points=list(points), stats=stats, empty=services.PointStatistics(), pending=pending
    )


def _commune_choices() -> list[Any]:
    return choices((c.insee, c.name) for c in services.all_communes())


def _form_data(point: CollectionPoint) -> dict[str, Any]:
    return {
        **exchange.point_values(point),
        "lat": str(Decimal(point.lat).normalize()),
        "lon": str(Decimal(point.lon).normalize()),
    }


def _validated(form: PointForm, point: CollectionPoint | None) -> exchange.PointData | None:
    """The form's point checked like an import row; errors are put on the fields."""
    if not form.validate_on_submit():
        return None
    raw = {name: form[name].data for name in exchange.CSV_COLUMNS if name in form}
    raw["active"] = bool(form.active.data)
    try:
        data = exchange.validate_point(raw, exchange.communes_by_insee())
    except exchange.PointDataError as problem:
        target = form._fields.get(problem.field, form.name)
        message = problem.message()
        target.errors = [*target.errors, f"{message} ({problem.value})" if problem.value else message]
        return None
    other = db.session.scalar(sa.select(CollectionPoint).where(CollectionPoint.code == data.code))
    if other is not None and other is not point:
        form.code.errors = [*form.code.errors, _("This code is already used by another point.")]
        return None
    return data


@bp.get("/admin/collection-points/new")
@roles_required(ADMIN)
def admin_new_point() -> str:
    """The form of a new point."""
    form = PointForm()
    form.insee.choices = _commune_choices()
    return render_template("locator/admin_point_form.html", form=form, point=None)


@bp.post("/admin/collection-points/new")
@roles_required(ADMIN)
def admin_create_point() -> BaseResponse | tuple[str, int]:
    """Create a point."""
    form = PointForm()
    form.insee.choices = _commune_choices()
    data = _validated(form, None)
    if data is None:
        return render_template("locator/admin_point_form.html", form=form, point=None), 422
    point = CollectionPoint(code=data.code)
    data.apply_to(point)
    db.session.add(point)
    db.session.commit()
    flash(_("The point %(name)s is created.", name=point.name), "success")
    return redirect(url_for("locator.admin_point", point_id=point.id), code=303)


def _point_page(point: CollectionPoint, form: PointForm, weighing: WeighingForm) -> str:
    return render_template(
        "locator/admin_point_form.html",
        form=form,
        point=point,
        weighing=weighing,
        weighings=services.recent_weighings(point),
        stats=services.point_statistics(point),
    )


@bp.get("/admin/collection-points/<int:point_id>")
@roles_required(ADMIN)
def admin_point(point_id: int) -> str:
    """Edit a point; record the weight collected there."""
    point = db.get_or_404(CollectionPoint, point_id)
    form = PointForm(data=_form_data(point))
    form.insee.choices = _commune_choices()
    weighing = WeighingForm(data={"collected_on": utcnow().astimezone(PARIS).date()})
    return _point_page(point, form, weighing)


@bp.post("/admin/collection-points/<int:point_id>")
@roles_required(ADMIN)
def admin_update_point(point_id: int) -> BaseResponse | tuple[str, int]:
    """Save a point's changes."""
    point = db.get_or_404(CollectionPoint, point_id)
    form = PointForm()
    form.insee.choices = _commune_choices()
    data = _validated(form, point)
    if data is None:
        return _point_page(point, form, WeighingForm(formdata=None)), 422
    data.apply_to(point)
    db.session.commit()
    flash(_("The point %(name)s is saved.", name=point.name), "success")
    return redirect(url_for("locator.admin_point", point_id=point.id), code=303)


@bp.post("/admin/collection-points/<int:point_id>/weighings")
@roles_required(ADMIN)
def admin_record_weighing(point_id: int) -> BaseResponse | tuple[str, int]:
    """Record the weight collected at a point on a day."""
    point = db.get_or_404(CollectionPoint, point_id)
    weighing = WeighingForm()
    today = utcnow().astimezone(PARIS).date()
    if weighing.validate_on_submit():
        if weighing.collected_on.data > today:
            weighing.collected_on.errors = [_("The collection date cannot be in the future.")]
        else:
            services.record_weighing(
                point,
                weight_kg=weighing.weight_kg.data,
                collected_on=weighing.collected_on.data,
                admin=current_user._get_current_object(),
                note=weighing.note.data or "",
            )
            db.session.commit()
            flash(
                _("%(kg)s kg recorded for %(name)s.", kg=number(weighing.weight_kg.data, 2), name=point.name), "success"
            )
            return redirect(url_for("locator.admin_point", point_id=point.id), code=303)
    form = PointForm(formdata=None, data=_form_data(point))
    form.insee.choices = _commune_choices()
    return _point_page(point, form, weighing), 422


@bp.get("/admin/collection-points/import")
@roles_required(ADMIN)
def admin_import_form() -> str:
    """The import form and the formats it reads."""
    return render_template("locator/admin_import.html", form=ImportForm(), columns=exchange.CSV_COLUMNS)


@bp.post("/admin/collection-points/import")
@roles_required(ADMIN)
def admin_import() -> tuple[str, int] | str:
    """Import a CSV or GeoJSON file of points; show what was created, updated and rejected."""
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("locator/admin_import.html", form=form, columns=exchange.CSV_COLUMNS), 422
    upload = form.file.data
    filename = (upload.filename or "").lower()
    geojson = filename.endswith((".geojson", ".json"))
    try:
        if filename.endswith(".csv"):
            report = exchange.import_points(exchange.read_points_csv(uploads.read_upload(upload)))
        elif geojson:
            report = exchange.import_points(exchange.read_points_geojson(uploads.read_upload(upload)))
        else:
            raise exchange.PointsFormatError("unknown_format")
    except DomainError as problem:
        db.session.rollback()
        form.file.errors = [problem.message()]
        return render_template("locator/admin_import.html", form=form, columns=exchange.CSV_COLUMNS), 422
    db.session.commit()
    return render_template(
        "locator/admin_import.html",
        form=ImportForm(formdata=None),
        columns=exchange.CSV_COLUMNS,
        report=report,
        rejections=csvio.describe(report, POINT_ERRORS),
        geojson=geojson,
    )


def _all_points() -> list[CollectionPoint]:
    return list(db.session.scalars(sa.select(CollectionPoint).order_by(CollectionPoint.code)))


@bp.get("/admin/collection-points/export.csv")
@roles_required(ADMIN)
def admin_export_csv() -> Response:
    """Every point as CSV (UTF-8 with a byte-order mark, for spreadsheets); formulas neutralised."""
    body = exchange.export_csv(_all_points())
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=collection-points.csv"},
    )


@bp.get("/admin/collection-points/export.geojson")
@roles_required(ADMIN)
def admin_export_geojson() -> Response:
    """Every point, inactive ones included, as a GeoJSON FeatureCollection."""
    document = exchange.points_geojson(_all_points())
    return Response(
        json.dumps(document, ensure_ascii=False, indent=1),
        mimetype="application/geo+json",
        headers={"Content-Disposition": "attachment; filename=collection-points.geojson"},
    )


@bp.get("/admin/collection-points/returns")
@roles_required(ADMIN)
def admin_returns() -> str:
    """Declared returns, awaiting confirmation first; confirm each receipt."""
    status = request.args.get("status", "pending")
    if status not in RETURN_STATUSES:
        abort(400)
    page = requested_page(services.returns_statement(status=status))
    return render_template("locator/admin_returns.html", page=page, status=status)


@bp.post("/admin/collection-points/returns/<int:return_id>/receive")
@roles_required(ADMIN)
def admin_receive_return(return_id: int) -> BaseResponse:
    """Confirm that a declared return reached the point."""
    device_return = db.get_or_404(DeviceReturn, return_id)
    if services.confirm_receipt(device_return, admin=current_user._get_current_object()):
        db.session.commit()
        flash(
            _(
                "Receipt confirmed: %(name)s, %(point)s.",
                name=device_return.user.full_name,
                point=device_return.point.name,
            ),
            "success",
        )
    status = request.form.get("status")
    return redirect(
        url_for(
            "locator.admin_returns",
            status=status if status in RETURN_STATUSES else None,
            page=request.form.get("page") or None,
        ),
        code=303,
    )


@bp.get("/admin/collection-points/statistics")
@roles_required(ADMIN)
def admin_statistics() -> str:
    """Devices and kilograms per commune, this year and since the start."""
    year = utcnow().astimezone(PARIS).year
    communes = services.statistics_by_commune()
    return render_template(
        "locator/admin_statistics.html",
        communes=communes,
        total_items=sum(c.items for c in communes),
        total_kg=sum((c.kg for c in communes), Decimal(0)),
        year=year,
        this_year=services.returns_in_year(year),  # the same figure as the locator's page
    )
