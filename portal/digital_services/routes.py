"""Employee side of the services: the catalogue's "Services", a service's page, request it, give it up."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.campaigns.models import Campaign
from portal.catalogue.my_footprint import today_in_paris
from portal.digital_services import bp, services
from portal.digital_services.forms import AccessRequestForm, RequestDecisionForm
from portal.digital_services.models import CATEGORIES, HOSTINGS, AccessRequest, DigitalService
from portal.footprint.digital_services import car_km_equivalent
from portal.htmx import render
from portal.main.services import mark_notices_read
from portal.models import db
from portal.pagination import page_number, paginate, paginate_list


@bp.get("/services")
def index() -> Response:
    """The digital services, filtered; each with its footprint per user per year and whether I have it."""
    filters = services.ServiceFilters.from_args(request.args)
    today = today_in_paris()
    statement = services.services_statement(filters, user=current_user, today=today)
    number, size = page_number(request.args.get("page")), current_app.config["PORTAL_PAGE_SIZE"]
    if filters.sort == "footprint":  # every matching row (1,600 plain tuples at most), ordered by the kept figures
        rows = services.by_footprint(db.session.execute(statement).all(), today=today)
        page = paginate_list(rows, number=number, size=size)
    else:
        page = paginate(statement, number=number, size=size, rows=True)
    return render(
        "digital_services/index.html",
        "digital_services/_results.html",
        page=page,
        filters=filters,
        categories=CATEGORIES,
        hostings=HOSTINGS,
        entries=services.result_entries(page.items, today=today, language=str(get_locale())),
        mine=services.my_service_ids(current_user, [s.id for s in page.items]),
        owns_services=services.decides_requests(current_user),
    )


def _visible_service(service_id: int) -> DigitalService:
    service = services.get_service(service_id)
    if service is None:
        abort(404)
    return service


def _service_page(service: DigitalService, form: AccessRequestForm) -> str:
    today = today_in_paris()
    figures = services.figures_of(service, today=today)
    per_user = services.per_user_kgco2e(figures)
    subscription = services.subscription_of(service, current_user)
    return render_template(
        "digital_services/service.html",
        service=service,
        description=service.description(str(get_locale())),
        figures=figures,
        per_user=per_user,
        car_km=None if per_user is None else car_km_equivalent(per_user),
        has_it=subscription is not None and subscription.ended_on is None,
        pending=services.pending_request(service, current_user),
        may_request=services.may_request(service, current_user),
        discontinued=service.end_date is not None and service.end_date <= today,
        can_edit=services.can_edit(service, current_user),
        form=form,
    )


@bp.get("/services/<int:service_id>")
def service(service_id: int) -> str:
    """A service: what it is for, its footprint per user per year with an everyday equivalent, do I have it."""
    service = _visible_service(service_id)
    if mark_notices_read(current_user, key="service_id", value=service.id):
        db.session.commit()
    return _service_page(service, AccessRequestForm())


@bp.post("/services/<int:service_id>/request")
def ask_for(service_id: int) -> Response | tuple[str, int]:
    """Get the service: at once when it is granted to everyone, else a request its owner decides."""
    service = _visible_service(service_id)
    form = AccessRequestForm()
    if form.validate_on_submit():
        try:
            sent = services.ask_for(
                service, user=current_user, justification=form.justification.data or "", today=today_in_paris()
            )
        except services.ServiceError as error:
            flash(error.message(), "error")
            return _service_page(service, form), 422
        db.session.commit()
        flash(
            _("Your request has been sent to the service's owner.")
            if sent
            else _("You now have %(service)s.", service=service.name),
            "success",
        )
        return redirect(url_for("digital_services.service", service_id=service.id), code=303)
    return _service_page(service, form), 422


@bp.post("/services/<int:service_id>/give-up")
def give_up(service_id: int) -> Response:
    """ "I no longer use it": my subscription ends, and "My footprint" counts what it saves."""
    service = _visible_service(service_id)
    try:
        subscription = services.give_up(service, user=current_user, today=today_in_paris())
    except services.ServiceError as error:
        flash(error.message(), "error")
    else:
        campaign = subscription.campaign_id and db.session.get(Campaign, subscription.campaign_id)
        db.session.commit()
        if campaign:
            message = _(
                "You no longer have %(service)s. It is counted as a saving on your footprint page and as a "
                "clean-up action of %(campaign)s.",
                service=service.name,
                campaign=campaign.name,
            )
        else:
            message = _(
                "You no longer have %(service)s. It is counted as a saving on your footprint page.",
                service=service.name,
            )
        flash(message, "success")
        if request.form.get("back") == "footprint":
            return redirect(url_for("catalogue.my_footprint"), code=303)
    return redirect(url_for("digital_services.service", service_id=service.id), code=303)


@bp.get("/services/requests")
def requests() -> str:
    """Requests for the services I own waiting for my decision (admins: every service's)."""
    if not services.decides_requests(current_user):
        abort(403)
    page = paginate(
        services.requests_to_decide(current_user),
        number=page_number(request.args.get("page")),
        size=current_app.config["PORTAL_PAGE_SIZE"],
    )
    return render_template("digital_services/requests.html", page=page, form=RequestDecisionForm())


@bp.post("/services/requests/<int:request_id>")
def decide(request_id: int) -> Response:
    """Approve or refuse a request for a service I own (a refusal needs a comment)."""
    access_request = db.session.get(AccessRequest, request_id)
    if access_request is None or not services.can_decide(access_request, current_user):
        abort(404)
    form = RequestDecisionForm()
    if not form.validate_on_submit() or request.form.get("decision") not in {"approve", "refuse"}:
        flash(_("The decision could not be read. Try again."), "error")
        return redirect(url_for("digital_services.requests"), code=303)
    approve = request.form["decision"] == "approve"
    try:
        services.decide(
            access_request,
            approver=current_user,
            approve=approve,
            comment=form.comment.data or "",
            today=today_in_paris(),
        )
    except services.ServiceError as error:
        flash(error.message(), "error")
    else:
        db.session.commit()
        name = access_request.requester.full_name
        flash(
            _("Request of %(name)s approved.", name=name) if approve else _("Request of %(name)s refused.", name=name),
            "success",
        )
    return redirect(url_for("digital_services.requests"), code=303)
