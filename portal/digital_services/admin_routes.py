"""Owners' and admins' pages: manage a service, the yearly review and its decisions, the CSV files."""

from __future__ import annotations

import io

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal import csvio, uploads
from portal.catalogue.my_footprint import today_in_paris
from portal.digital_services import bp, display, servers, services, transfer
from portal.digital_services.forms import ImportForm, ReviewDecisionForm, ServiceForm
from portal.digital_services.models import CATEGORIES, CRITICALITIES, DECISIONS, Access, DigitalService
from portal.digital_services.review import ReviewFilters, cached_review, measured_savings
from portal.digital_services.review import record_decision as decide_on_service
from portal.domain_error import DomainError
from portal.itsm.client import ItsmError
from portal.itsm.settings import from_config
from portal.models import db
from portal.pagination import page_number, paginate_list
from portal.security import roles_required


def _editable_service(service_id: int) -> DigitalService:
    """The service if this user may edit it: 404 otherwise (no hint that it exists)."""
    service = services.get_service(service_id)
    if service is None or not services.can_edit(service, current_user):
        abort(404)
    return service


def _service_form(form: ServiceForm) -> ServiceForm:
    form.criticality.choices = [(key, display.CRITICALITY_NAMES[key]) for key in CRITICALITIES]
    form.access.choices = [
        (Access.GRANTED_TO_ALL.value, _("granted to every employee")),
        (Access.ON_REQUEST.value, _("on request, approved by the owner")),
    ]
    return form


def _manage_page(service: DigitalService, form: ServiceForm, decision_form: ReviewDecisionForm | None = None) -> str:
    if decision_form is None:  # the page is its owner's or an admin's: both record the review's decisions
        decision_form = _decision_form(ReviewDecisionForm(year=today_in_paris().year))
    decisions = services.decisions_of(service)
    return render_template(
        "digital_services/admin/service.html",
        service=service,
        form=form,
        decisions=decisions,
        measured=measured_savings(decisions, today=today_in_paris()),
        decision_form=decision_form,
    )


@bp.get("/admin/services/<int:service_id>")
def admin_service(service_id: int) -> str:
    """A service's owner (or an admin) keeps its description, criticality, access and estimate up to date."""
    service = _editable_service(service_id)
    return _manage_page(service, _service_form(ServiceForm(obj=service)))


@bp.post("/admin/services/<int:service_id>")
def save_service(service_id: int) -> Response | tuple[str, int]:
    """Save what the owner changed."""
    service = _editable_service(service_id)
    form = _service_form(ServiceForm())
    if not form.validate_on_submit():
        return _manage_page(service, form), 422
    services.update_service(
        service,
        description_fr=form.description_fr.data or "",
        description_en=form.description_en.data or "",
        criticality=form.criticality.data,
        access=form.access.data,
        per_user_estimate_kgco2e=form.per_user_estimate_kgco2e.data,
        estimate_source=form.estimate_source.data or "",
    )
    db.session.commit()
    flash(_("The service has been saved."), "success")
    return redirect(url_for("digital_services.admin_service", service_id=service.id), code=303)


def _decision_form(form: ReviewDecisionForm) -> ReviewDecisionForm:
    form.decision.choices = [(key, display.DECISION_NAMES[key]) for key in DECISIONS]
    return form


@bp.get("/admin/services/review")
@roles_required("admin")
def review() -> str:
    """Every service placed by usefulness against footprint per active user, "high footprint, low use" first."""
    filters = ReviewFilters.from_args(request.args)
    review = cached_review(filters, today=today_in_paris())
    page = paginate_list(
        review.rows, number=page_number(request.args.get("page")), size=current_app.config["PORTAL_PAGE_SIZE"]
    )
    return render_template(
        "digital_services/admin/review.html",
        filters=filters,
        page=page,
        median=review.median,
        chart=review.chart,
        counts=review.counts,
        units=services.owner_units(),
        categories=CATEGORIES,
    )


@bp.post("/admin/services/<int:service_id>/decisions")
def record_decision(service_id: int) -> Response | tuple[str, int]:
    """Record the review's decision for a year (discontinuing sets the service's end date): the service's owner
    for their own services, admins for every one; anyone else gets a 404."""
    service = _editable_service(service_id)
    form = _decision_form(ReviewDecisionForm())
    if form.validate_on_submit():
        try:
            record = decide_on_service(
                service,
                year=form.year.data,
                decision=form.decision.data,
                rationale=form.rationale.data,
                decided_on=today_in_paris(),
                owner=service.owner,
                recorded_by=current_user,
                expected_saving_kgco2e=form.expected_saving_kgco2e.data,
                measured_saving_kgco2e=form.measured_saving_kgco2e.data,
                end_date=form.end_date.data,
            )
        except services.ServiceError as error:
            flash(error.message(), "error")
        else:
            db.session.commit()
            flash(_("Decision recorded: %(decision)s.", decision=display.DECISION_NAMES[record.decision]), "success")
            return redirect(url_for("digital_services.admin_service", service_id=service.id), code=303)
    return _manage_page(service, _service_form(ServiceForm(obj=service)), form), 422


def _import_form(form: ImportForm) -> ImportForm:
    form.kind.choices = [(kind, display.FILE_KINDS[kind]) for kind in transfer.KINDS]
    return form


def _files_page(form: ImportForm, **context: object) -> str:
    return render_template(
        "digital_services/admin/files.html", form=form, kinds=transfer.KINDS, exports=transfer.EXPORTS, **context
    )


@bp.get("/admin/services/files")
@roles_required("admin")
def files() -> str:
    """Import and export the services, hosts, components, subscriptions and usage as CSV files."""
    return _files_page(_import_form(ImportForm()))


@bp.post("/admin/services/files")
@roles_required("admin")
def import_file() -> str | tuple[str, int]:
    """Import one CSV file; show what was created, updated and rejected, line by line."""
    form = _import_form(ImportForm())
    if not form.validate_on_submit():
        return _files_page(form), 422
    try:
        report = transfer.import_kind(form.kind.data, uploads.read_upload(form.file.data), today=today_in_paris())
    except DomainError as problem:  # the file as a whole: not text, empty, too long, columns missing
        db.session.rollback()
        form.file.errors = [problem.message()]
        return _files_page(form), 422
    db.session.commit()
    return _files_page(
        _import_form(ImportForm(formdata=None)),
        report=report,
        rejections=csvio.describe(report, display.IMPORT_REJECTIONS),
    )


@bp.post("/admin/services/servers/sync")
@roles_required("admin")
def sync_servers() -> str | tuple[str, int]:
    """Read the data-centre servers from the ITSM now (a few pages: the CMDB holds hundreds of servers, not
    the tens of thousands of devices of the link's sync) and show what was created, updated and refused."""
    form = _import_form(ImportForm(formdata=None))
    try:
        report = servers.sync_servers(from_config(current_app.config))
    except ItsmError as error:  # not configured, account refused, instance unavailable: nothing stored
        db.session.rollback()
        return _files_page(form, sync_error=error.message()), 422
    db.session.commit()
    return _files_page(
        form, report=report, rejections=csvio.describe(report, display.IMPORT_REJECTIONS), servers_synced=True
    )


@bp.get("/admin/services/export/<kind>.csv")
@roles_required("admin")
def export_file(kind: str) -> Response:
    """One kind as CSV, with the columns of its import (UTF-8 with a byte-order mark, formulas neutralised)."""
    if kind not in transfer.EXPORTS:
        abort(404)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    transfer.EXPORTS[kind](buffer)
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=services-{kind}.csv"},
    )
