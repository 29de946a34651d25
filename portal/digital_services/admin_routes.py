"""Owners' and admins' pages: manage a service, the yearly review and its decisions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.digital_services import bp, display, services
from portal.digital_services.forms import ServiceForm
from portal.digital_services.models import CRITICALITIES, Access, DigitalService
from portal.models import db


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


def _manage_page(service: DigitalService, form: ServiceForm) -> str:
    return render_template(
        "digital_services/admin/service.html", service=service, form=form, decisions=services.decisions_of(service)
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
