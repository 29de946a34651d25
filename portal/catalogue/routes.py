"""Employee side of the catalogue: browse, compare, order; managers approve; admins deliver; my footprint."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from portal.areas import domain_panels
from portal.catalogue import bp, display, orders, services
from portal.catalogue.advice import next_step
from portal.catalogue.charts import device_bars
from portal.catalogue.display import years_old
from portal.catalogue.footprints import difference_to_reference, item_footprint, load_factor_set
from portal.catalogue.forms import DecisionForm, OrderForm
from portal.catalogue.models import CatalogueItem, Order
from portal.catalogue.my_footprint import (
    DeviceFootprint,
    current_devices_of_requesters,
    device_footprints,
    my_footprint,
    organisation_average,
    replaceable_assets,
    today_in_paris,
)
from portal.catalogue.specs import SCREEN_BANDS
from portal.catalogue.team import team_overview
from portal.footprint import LABEL_THRESHOLDS, REFURBISHED_RULES
from portal.htmx import render
from portal.main.services import mark_notices_read
from portal.models import db, utcnow
from portal.pagination import page_number, paginate
from portal.security import roles_required

MAX_COMPARED = 3


@bp.get("/catalogue")
def index() -> Response:
    """The catalogue, filtered and sorted; htmx swaps the results and the URL stays bookmarkable."""
    filters = services.CatalogueFilters.from_args(request.args, locale=str(get_locale()))
    number, size = page_number(request.args.get("page")), current_app.config["PORTAL_PAGE_SIZE"]
    return render(
        "catalogue/index.html",
        "catalogue/_results.html",
        page=services.result_page(filters, number=number, size=size, language=str(get_locale())),
        filters=filters,
        categories=services.CATALOGUE_CATEGORIES,
        category_counts=services.category_counts(),
        screen_bands=SCREEN_BANDS,
        labels=services.LABELS,
        compare_ids=_compare_ids(),
    )


def _requested_compare_ids() -> list[int]:
    """Ids from `ids=1,2,3` (links) or repeated `id=` (the catalogue's checkboxes), without duplicates."""
    parts = request.args.get("ids", "").split(",") + request.args.getlist("id")
    return list(dict.fromkeys(int(part) for part in parts if part.strip().isdigit()))


def _compare_ids() -> list[int]:
    return _requested_compare_ids()[:MAX_COMPARED]


@bp.get("/catalogue/method")
def method() -> str:
    """How footprints and labels are computed, with every factor and its source."""
    factor_set = load_factor_set()
    categories = [factor_set.factors[key] for key in services.CATALOGUE_CATEGORIES]
    return render_template(
        "catalogue/method.html",
        factor_set=factor_set,
        categories=categories,
        thresholds=LABEL_THRESHOLDS,
        refurbished_rules=REFURBISHED_RULES,
        electricity=factor_set.factors["electricity_fr"],
    )


@bp.get("/catalogue/compare")
def compare() -> str:
    """Up to three items side by side."""
    ids = _compare_ids()
    if len(_requested_compare_ids()) > MAX_COMPARED:
        flash(_("You can compare up to 3 items: the first 3 are shown."), "warning")
    items = services.items_by_ids(ids)
    factor_set = load_factor_set()
    footprints = {item.id: item_footprint(item, factor_set) for item in items}
    differences = {
        item.id: difference_to_reference(item.annualised_kgco2e, item.category, factor_set) for item in items
    }
    return render_template("catalogue/compare.html", items=items, footprints=footprints, differences=differences)


def _visible_item(item_id: int) -> CatalogueItem:
    item = services.get_item(item_id, include_inactive=current_user.has_role("admin"))
    if item is None:
        abort(404)
    return item


@bp.get("/catalogue/<int:item_id>")
def item(item_id: int) -> str:
    """An item's footprint broken down, with its range, sources and lower-impact alternatives."""
    include_inactive = current_user.has_role("admin")
    page = services.item_page(item_id, include_inactive=include_inactive, language=str(get_locale()))
    if page is None:
        abort(404)
    return render_template("catalogue/item.html", page=page)


def _replacement_choices(devices: list[DeviceFootprint]) -> list[tuple[str, str]]:
    return [
        (str(d.asset.id), _("%(model)s (%(tag)s), %(age)s", model=d.asset.model_name, tag=d.asset.asset_tag,
                            age=years_old(d.age_years)))
        for d in devices
    ]


def _order_page(item: CatalogueItem, form: OrderForm, devices: list[DeviceFootprint]) -> str:
    form.offer_replacements(_replacement_choices(devices), _("None: it is an additional device"))
    factor_set = load_factor_set()
    refurbished = services.refurbished_variant(item) if not item.refurbished else None
    better = services.best_in_category(item)
    return render_template(
        "catalogue/order.html",
        item=item,
        form=form,
        refurbished=refurbished,
        better=better if better is not None and better != refurbished else None,
        keep_options=devices,
        footprint=item_footprint(item, factor_set),
    )


def _my_devices_of(item: CatalogueItem) -> list[DeviceFootprint]:
    """My devices in use of the item's category, with their age and footprint: those the order may replace."""
    assets = replaceable_assets(current_user, category=item.category)
    return device_footprints(assets, load_factor_set(), today=today_in_paris())


@bp.get("/catalogue/<int:item_id>/order")
def order_form(item_id: int) -> str:
    """The request form, with the sober alternatives shown first."""
    item = _visible_item(item_id)
    return _order_page(item, OrderForm(), _my_devices_of(item))


@bp.post("/catalogue/<int:item_id>/order")
def place_order(item_id: int) -> Response | tuple[str, int]:
    """Submit a request: its footprint, factors and price are frozen now."""
    item = _visible_item(item_id)
    if not item.active:
        abort(404)
    devices = _my_devices_of(item)
    form = OrderForm()
    form.offer_replacements(_replacement_choices(devices), "")
    if form.validate_on_submit():
        replaces = next((d.asset for d in devices if d.asset.id == form.replaced_asset_id), None)
        try:
            order = orders.place_order(
                requester=current_user,
                item=item,
                quantity=form.quantity.data,
                justification=form.justification.data,
                replaces=replaces,
                additional_reason=form.additional_reason.data or "",
                factor_set=load_factor_set(),
            )
        except orders.OrderError as error:
            flash(error.message(), "error")
        else:
            db.session.commit()
            flash(_("Your request has been sent to your manager."), "success")
            return redirect(url_for("catalogue.order_detail", order_id=order.id), code=303)
    return _order_page(item, form, devices), 422


@bp.get("/orders")
def my_orders() -> str:
    """My requests and their status."""
    page = paginate(
        orders.orders_of(current_user),
        number=page_number(request.args.get("page")),
        size=current_app.config["PORTAL_PAGE_SIZE"],
    )
    return render_template("catalogue/orders.html", page=page)


@bp.get("/orders/<int:order_id>")
def order_detail(order_id: int) -> str:
    """One request: only the requester, their manager and admins may see it (404 for anyone else)."""
    order = orders.visible_order(order_id, current_user)
    if order is None:
        abort(404)
    if order.requester_id == current_user.id and mark_notices_read(current_user, key="order_id", value=order.id):
        db.session.commit()
    return render_template(
        "catalogue/order_detail.html",
        order=order,
        can_decide=order.status == "submitted" and orders.can_decide(order, current_user),
        form=DecisionForm(),
    )


@bp.post("/orders/<int:order_id>/cancel")
def cancel_order(order_id: int) -> Response:
    """Withdraw my request before it is decided."""
    order = orders.visible_order(order_id, current_user)
    if order is None or order.requester_id != current_user.id:
        abort(404)
    try:
        orders.cancel(order, requester=current_user)
    except orders.OrderError as error:
        flash(error.message(), "error")
    else:
        db.session.commit()
        flash(_("Your request has been cancelled."), "success")
    return redirect(url_for("catalogue.order_detail", order_id=order.id), code=303)


def _approvals_page(card_error: tuple[int, str] | None = None, comment: str = "") -> str:
    """The approvals page; `card_error` (order id, message) is shown on that request's card, its comment focused."""
    pending = db.session.scalars(orders.pending_for(current_user)).all()
    current_devices = current_devices_of_requesters(
        {(order.requester_id, order.item.category) for order in pending}, load_factor_set(), today=today_in_paris()
    )
    return render_template(
        "catalogue/approvals.html",
        pending=pending,
        current_devices=current_devices,
        panels={order.id: domain_panels("APPROVAL_PANELS", order, utcnow()) for order in pending},
        form=DecisionForm(),
        team=orders.team_year(current_user),
        decided=orders.decided_by_me(current_user),
        card_error=card_error,
        kept_comment=comment,
    )


@bp.get("/approvals")
@roles_required("manager")
def approvals() -> str:
    """Requests from my team waiting for my decision, with their footprint and the team's year so far."""
    return _approvals_page()


@bp.post("/approvals/<int:order_id>")
@roles_required("manager")
def decide(order_id: int) -> Response | tuple[str, int]:
    """Approve or refuse a request (a refusal needs a comment: its absence is shown on the request's card)."""
    order = orders.visible_order(order_id, current_user)
    if order is None or not orders.can_decide(order, current_user):
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit() or request.form.get("decision") not in {"approve", "refuse"}:
        flash(_("The decision could not be read. Try again."), "error")
        return redirect(url_for("catalogue.approvals"), code=303)
    approve = request.form["decision"] == "approve"
    comment = form.comment.data or ""
    try:
        orders.decide(order, approver=current_user, approve=approve, comment=comment)
    except orders.OrderError as error:
        if error.code != "comment_required":
            flash(error.message(), "error")
            return redirect(url_for("catalogue.approvals"), code=303)
        return _approvals_page((order.id, error.message()), comment), 422
    db.session.commit()
    flash(display.decision_message(order.requester.full_name, approved=approve), "success")
    return redirect(url_for("catalogue.approvals"), code=303)


@bp.get("/admin/orders")
@roles_required("admin")
def admin_orders() -> str:
    """Approved requests waiting for delivery."""
    page = paginate(
        orders.to_deliver(), number=page_number(request.args.get("page")), size=current_app.config["PORTAL_PAGE_SIZE"]
    )
    return render_template("catalogue/admin_orders.html", page=page)


@bp.post("/admin/orders/<int:order_id>/deliver")
@roles_required("admin")
def deliver(order_id: int) -> Response:
    """Record a delivery: the requester gets the new devices; the replaced one is to be returned."""
    order = db.session.get(Order, order_id, options=[joinedload(Order.item)])
    if order is None:
        abort(404)
    try:
        assets = orders.deliver(order, today=today_in_paris())
    except orders.OrderError as error:
        flash(error.message(), "error")
    else:
        db.session.commit()
        flash(
            _(
                "Delivered: %(count)d device(s) assigned to %(name)s.",
                count=len(assets),
                name=order.requester.full_name,
            ),
            "success",
        )
    return redirect(url_for("catalogue.admin_orders"), code=303)


@bp.get("/me/footprint", endpoint="my_footprint")
def my_footprint_page() -> str:
    """My devices, their footprint per year, what keeping them longer saves, and the organisation's average."""
    mine = my_footprint(current_user, load_factor_set(), today=today_in_paris())
    chart = device_bars(
        [(d.asset.model_name, d.footprint.annualised.value) for d in mine.devices],
        _("All my devices"),
        mine.organisation_average,
    )
    return render_template(
        "catalogue/my_footprint.html",
        mine=mine,
        chart=chart,
        step=next_step(mine.devices),
        panels=domain_panels("FOOTPRINT_PANELS", current_user, utcnow()),
    )


@bp.get("/team")
@roles_required("manager")
def team() -> str:
    """My team's devices (ages, footprint, returns waiting), its orders of the year, its footprint per employee."""
    factor_set = load_factor_set()
    overview = team_overview(
        current_user,
        factor_set,
        now=utcnow(),
        return_days=current_app.config["PORTAL_RETURN_DAYS"],
        organisation_average=organisation_average(factor_set),
    )
    return render_template("catalogue/team.html", team=overview, return_days=current_app.config["PORTAL_RETURN_DAYS"])
