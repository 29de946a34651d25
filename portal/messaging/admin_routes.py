"""The communications team's pages: messages, templates, audience, previews, sending and delivery status."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from portal import mail
from portal.accounts.models import Role, User
from portal.domain_error import DomainError
from portal.htmx import render
from portal.messaging import audience, bp, dispatch, display, services
from portal.messaging.audience import LANGUAGES, TARGETABLE_ROLES, Criteria
from portal.messaging.display import CATEGORY_NAMES
from portal.messaging.forms import (
    ActionForm,
    AudienceForm,
    MessageForm,
    ScheduleForm,
    TemplateNameForm,
)
from portal.messaging.models import Message, MessageStatus, MessageTemplate
from portal.models import db, utcnow
from portal.org.models import Commune, OrgUnit, Site
from portal.pagination import page_number, paginate
from portal.security import roles_required
from portal.timezone import PARIS

COMMS = Role.COMMS.value


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def _message_or_404(message_id: int) -> Message:
    return db.get_or_404(Message, message_id)


def _today() -> Any:
    return utcnow().astimezone(PARIS).date()


# ------------------------------------------------------------------------------------------- lists


@bp.get("/comms/messages")
@roles_required(COMMS)
def comms_messages() -> Response:
    """Every message, the most recent first, with its status and e-mails sent."""
    filters = services.MessageFilters.from_args(request.args)
    page = paginate(
        services.messages_statement(filters),
        number=page_number(request.args.get("page")),
        size=current_app.config["PORTAL_PAGE_SIZE"],
    )
    return render(
        "messaging/comms/messages.html",
        "messaging/comms/_messages_results.html",
        page=page,
        filters=filters,
        counts=services.sent_counts(m.id for m in page.items),
        categories=CATEGORY_NAMES,
        statuses=display.status_choices(),
    )


@bp.get("/comms/templates")
@roles_required(COMMS)
def comms_templates() -> str:
    """The template library: the ready ones and those saved by the team."""
    templates = db.session.scalars(services.templates_statement()).all()
    return render_template(
        "messaging/comms/templates.html",
        templates=templates,
        title_of=services.template_title,
        categories=CATEGORY_NAMES,
    )


@bp.post("/comms/templates/<int:template_id>/delete")
@roles_required(COMMS)
def delete_template(template_id: int) -> BaseResponse:
    """Remove a saved template."""
    template = db.get_or_404(MessageTemplate, template_id)
    if ActionForm().validate_on_submit():
        try:
            services.delete_template(template)
        except DomainError as error:
            flash(error.message(), "error")
        else:
            db.session.commit()
            flash(_("The template is deleted."), "success")
    return redirect(url_for("messaging.comms_templates"), code=303)


# ----------------------------------------------------------------------------------------- content


def _compose_page(form: MessageForm, message: Message | None, problems: dict[str, list[str]], status: int = 200,
                  templates: list[MessageTemplate] | None = None, template_id: int | None = None) -> Any:
    page = render_template(
        "messaging/comms/compose.html",
        form=form,
        message=message,
        problems=problems,
        placeholders=display.placeholders_shown(str(get_locale() or "fr")),
        templates=templates or [],
        template_id=template_id,
        title_of=services.template_title,
    )
    return (page, status) if status != 200 else page


def _form_input(form: MessageForm) -> services.MessageInput:
    return services.MessageInput(
        subject_fr=form.subject_fr.data or "",
        body_fr=form.body_fr.data or "",
        subject_en=form.subject_en.data or "",
        body_en=form.body_en.data or "",
        category=form.category.data or "",
        channels=form.channels.data or "",
    )


@bp.get("/comms/messages/new")
@roles_required(COMMS)
def new_message() -> str:
    """The compose page, empty or started from a template of the library."""
    templates = db.session.scalars(services.templates_statement()).all()
    template_id = request.args.get("template", type=int)
    template = db.session.get(MessageTemplate, template_id) if template_id else None
    form = MessageForm(data=asdict(services.message_input(template)) if template else None)
    return _compose_page(form, None, {}, templates=templates, template_id=template_id)


@bp.post("/comms/messages")
@roles_required(COMMS)
def create_message() -> Any:
    """Save a new draft; a template error is shown with its line and the draft is not saved."""
    form = MessageForm()
    if form.validate_on_submit():
        try:
            message = services.create_message(_form_input(form), author=_me())
        except services.ContentRejected as rejected:
            return _compose_page(form, None, display.problems_by_field(rejected), 422)
        db.session.commit()
        flash(_("The draft is saved. Now choose who receives it."), "success")
        return redirect(url_for("messaging.audience_page", message_id=message.id), code=303)
    return _compose_page(form, None, {name: list(errors) for name, errors in form.errors.items()}, 422)


@bp.get("/comms/messages/<int:message_id>/edit")
@roles_required(COMMS)
def edit_message(message_id: int) -> Any:
    """The compose page for a draft or scheduled message."""
    message = _message_or_404(message_id)
    if not message.editable:
        return redirect(url_for("messaging.message_detail", message_id=message.id))
    return _compose_page(MessageForm(data=asdict(services.message_input(message))), message, {})


@bp.post("/comms/messages/<int:message_id>/edit")
@roles_required(COMMS)
def update_message(message_id: int) -> Any:
    """Save the content of a draft or scheduled message."""
    message = _message_or_404(message_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            services.update_message(message, _form_input(form))
        except services.ContentRejected as rejected:
            return _compose_page(form, message, display.problems_by_field(rejected), 422)
        except DomainError as error:
            flash(error.message(), "error")
            return redirect(url_for("messaging.message_detail", message_id=message.id), code=303)
        db.session.commit()
        flash(_("The message is saved."), "success")
        return redirect(url_for("messaging.message_detail", message_id=message.id), code=303)
    return _compose_page(form, message, {name: list(errors) for name, errors in form.errors.items()}, 422)


@bp.post("/comms/messages/validate")
@roles_required(COMMS)
def validate_field() -> str:
    """Live check of one subject or body while it is typed (htmx): its problems with their lines."""
    name = request.form.get("field", "")
    if name not in services.SOURCE_FIELDS:
        abort(400)
    source = request.form.get(name, "")
    problems = display.problem_lines(services.field_problems(name, source))
    return render_template("messaging/comms/_problems.html", name=name, problems=problems, checked=True)


# ---------------------------------------------------------------------------------------- audience


def _choices(statement: sa.Select[Any]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in db.session.execute(statement)]


def _audience_form(formdata: Any = None, criteria: Criteria | None = None) -> AudienceForm:
    if criteria is not None:
        data = {
            "roles": list(criteria.roles),
            "org_units": list(criteria.org_unit_ids),
            "communes": list(criteria.commune_insees),
            "sites": list(criteria.site_ids),
            "languages": list(criteria.languages),
            "oldest_min": criteria.oldest_device_min_years,
            "oldest_max": criteria.oldest_device_max_years,
            "labels": list(criteria.device_labels),
            "campaign": str(criteria.campaign_id) if criteria.campaign_id is not None else "",
            "participation": criteria.campaign_participation or "",
            "open_order": {True: "yes", False: "no", None: ""}[criteria.open_order],
        }
        form = AudienceForm(formdata=None, data=data)
    elif formdata is not None:
        form = AudienceForm(formdata=formdata, meta={"csrf": False})
    else:
        form = AudienceForm()
    form.roles.choices = [SelectChoice(role, display.ROLE_NAMES[role]) for role in TARGETABLE_ROLES]
    form.org_units.choices = _choices(sa.select(OrgUnit.id, OrgUnit.name).order_by(OrgUnit.name))
    form.communes.choices = _choices(sa.select(Commune.insee, Commune.name).order_by(Commune.name))
    form.sites.choices = _choices(sa.select(Site.id, Site.name).order_by(Site.name))
    form.languages.choices = [SelectChoice(code, display.LANGUAGE_NAMES[code]) for code in LANGUAGES]
    form.campaign.choices = [SelectChoice("", _("No campaign"))] + [
        SelectChoice(str(i), name) for i, name in services.campaign_choices()
    ]
    return form


def _criteria_from(form: AudienceForm) -> Criteria:
    campaign = form.campaign.data
    return Criteria.from_json(
        {
            "roles": form.roles.data or [],
            "org_unit_ids": form.org_units.data or [],
            "commune_insees": form.communes.data or [],
            "site_ids": form.sites.data or [],
            "languages": form.languages.data or [],
            "oldest_device_min_years": form.oldest_min.data,
            "oldest_device_max_years": form.oldest_max.data,
            "device_labels": form.labels.data or [],
            "campaign_id": int(campaign) if campaign and campaign.isdigit() else None,
            "campaign_participation": form.participation.data or None,
            "open_order": {"yes": True, "no": False}.get(form.open_order.data or ""),
        }
    )


def _audience_page(message: Message, form: AudienceForm, count: int | None, status: int = 200) -> Any:
    page = render_template(
        "messaging/comms/audience.html",
        message=message,
        form=form,
        count=count,
    )
    return (page, status) if status != 200 else page


@bp.get("/comms/messages/<int:message_id>/audience")
@roles_required(COMMS)
def audience_page(message_id: int) -> Any:
    """The audience builder, with the number of recipients the criteria select now."""
    message = _message_or_404(message_id)
    criteria = services.criteria_of(message)
    return _audience_page(message, _audience_form(criteria=criteria), audience.count(criteria, today=_today()))


@bp.get("/comms/messages/<int:message_id>/audience/count")
@roles_required(COMMS)
def audience_count(message_id: int) -> Response:
    """How many employees the criteria being edited select: the count for htmx, the whole page without it."""
    message = _message_or_404(message_id)
    form = _audience_form(formdata=request.args)
    count = audience.count(_criteria_from(form), today=_today()) if form.validate() else None
    return render(
        "messaging/comms/audience.html",
        "messaging/comms/_audience_count.html",
        message=message,
        form=form,
        count=count,
    )


@bp.post("/comms/messages/<int:message_id>/audience")
@roles_required(COMMS)
def save_audience(message_id: int) -> Any:
    """Save the audience criteria."""
    message = _message_or_404(message_id)
    form = _audience_form()
    if not form.validate_on_submit():
        return _audience_page(message, form, None, 422)
    try:
        services.save_audience(message, _criteria_from(form))
    except DomainError as error:
        flash(error.message(), "error")
        return redirect(url_for("messaging.message_detail", message_id=message.id), code=303)
    db.session.commit()
    flash(_("The audience is saved. Preview the message as some of its recipients."), "success")
    return redirect(url_for("messaging.preview", message_id=message.id), code=303)


# ----------------------------------------------------------------------------------------- preview


def _preview_context(message: Message) -> dict[str, Any]:
    criteria = services.criteria_of(message)
    choice = services.PreviewChoice.from_args(request.args)
    found = audience.search(criteria, choice.query, today=_today()) if choice.query else []
    chosen = None
    shown: list[services.Preview] = []
    now = utcnow()
    locales = ("fr", "en") if message.has_english else ("fr",)  # every version, whatever each one reads
    if choice.recipient_id is not None:
        chosen = db.session.get(User, choice.recipient_id)
        if chosen is None or not audience.is_recipient(criteria, chosen.id, today=_today()):
            abort(404)
        shown = services.previews(message, [chosen], today=_today(), now=now, locales=locales)
    elif choice.random:
        drawn = audience.sample(criteria, today=_today())
        shown = services.previews(message, drawn, today=_today(), now=now, locales=locales)
    return {
        "message": message,
        "query": choice.query,
        "found": found,
        "chosen": chosen,
        "shown": shown,
        "random": choice.random,
        "language_names": display.LANGUAGE_NAMES,
    }


@bp.get("/comms/messages/<int:message_id>/preview")
@roles_required(COMMS)
def preview(message_id: int) -> str:
    """The message as a chosen recipient (both languages) or as 5 recipients drawn at random."""
    return render_template("messaging/comms/preview.html", **_preview_context(_message_or_404(message_id)))


@bp.get("/comms/messages/<int:message_id>/preview/recipients")
@roles_required(COMMS)
def preview_search(message_id: int) -> Response:
    """Recipients of the audience matching a name (the list for htmx, the preview page without it)."""
    context = _preview_context(_message_or_404(message_id))
    return render("messaging/comms/preview.html", "messaging/comms/_recipient_results.html", **context)


# ----------------------------------------------------------------------------------- detail, status


def _detail_context(message: Message) -> dict[str, Any]:
    criteria = services.criteria_of(message)
    started = message.started_at is not None
    figures = services.delivery_figures(message) if started else None
    return {
        "message": message,
        "figures": figures,
        "actions": services.allowed_actions(message, figures),
        "criteria": criteria,
        "names": services.describe_criteria(criteria),
        "role_names": display.ROLE_NAMES,
        "count": None if started else audience.count(criteria, today=_today()),
        "categories": CATEGORY_NAMES,
        "channel_names": display.CHANNEL_NAMES,
        "schedule_form": ScheduleForm(),
        "template_form": TemplateNameForm(),
        "start_failure": display.start_failure(message),
        "pause": display.pause_notice(message),
        "polling": message.status in (MessageStatus.STARTING.value, MessageStatus.SENDING.value)
        or (message.status == MessageStatus.SCHEDULED.value and message.scheduled_at is not None
            and message.scheduled_at <= utcnow()),
    }


@bp.get("/comms/messages/<int:message_id>")
@roles_required(COMMS)
def message_detail(message_id: int) -> Response:
    """A message: summary, sending actions, and delivery figures refreshed live while it is being sent."""
    message = _message_or_404(message_id)
    return render("messaging/comms/detail.html", "messaging/comms/_status.html", **_detail_context(message))


def _back(message: Message) -> BaseResponse:
    return redirect(url_for("messaging.message_detail", message_id=message.id), code=303)


def _outcome(message: Message, action: Any, success: str) -> BaseResponse:
    """Run an action on the message and commit it, or roll it back on a refusal; flash either, back to its page."""
    try:
        outcome = action(message)
    except DomainError as error:
        db.session.rollback()
        flash(error.message(), "error")
        return _back(message)
    db.session.commit()
    flash(success % {"count": outcome if isinstance(outcome, int) else 0}, "success")
    return _back(message)


def _action(message_id: int, action: Any, success: str) -> BaseResponse:
    """Run a life-cycle action after the CSRF check; flash its outcome."""
    message = _message_or_404(message_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _outcome(message, action, success)


@bp.post("/comms/messages/<int:message_id>/send")
@roles_required(COMMS)
def send_now(message_id: int) -> BaseResponse:
    """Send now: the jobs process starts it within seconds (a second click changes nothing)."""
    return _action(
        message_id,
        lambda m: services.send_now(m, now=utcnow()),
        _("The message is queued: sending starts within a few seconds."),
    )


@bp.post("/comms/messages/<int:message_id>/schedule")
@roles_required(COMMS)
def schedule(message_id: int) -> Any:
    """Schedule the sending for a date and time in Paris."""
    message = _message_or_404(message_id)
    form = ScheduleForm()
    if not form.validate_on_submit():
        flash(_("Give the date and time when sending should start."), "error")
        return _back(message)
    at = form.send_at.data.replace(tzinfo=PARIS).astimezone(UTC)
    return _outcome(message, lambda m: services.schedule(m, at, now=utcnow()), _("Sending is scheduled."))


@bp.post("/comms/messages/<int:message_id>/cancel")
@roles_required(COMMS)
def cancel(message_id: int) -> BaseResponse:
    """Cancel the schedule: the message goes back to draft."""
    return _action(message_id, services.cancel_schedule, _("The schedule is cancelled: the message is a draft again."))


@bp.post("/comms/messages/<int:message_id>/resume")
@roles_required(COMMS)
def resume(message_id: int) -> BaseResponse:
    """Resume a paused message."""
    return _action(message_id, lambda m: services.resume(m, now=utcnow()), _("Sending resumes."))


@bp.post("/comms/messages/<int:message_id>/retry")
@roles_required(COMMS)
def retry(message_id: int) -> BaseResponse:
    """Send the failed e-mails again."""
    return _action(
        message_id, lambda m: services.retry_failed(m, now=utcnow()), _("%(count)d e-mail(s) will be sent again.")
    )


@bp.post("/comms/messages/<int:message_id>/stop")
@roles_required(COMMS)
def stop(message_id: int) -> BaseResponse:
    """Stop sending, or cancel a message that could not be started: the e-mails not sent yet are dropped
    (portal messages stay delivered)."""
    return _action(
        message_id, lambda m: services.stop(m, now=utcnow()), _("Sending is stopped: %(count)d e-mail(s) dropped.")
    )


@bp.post("/comms/messages/<int:message_id>/template")
@roles_required(COMMS)
def save_as_template(message_id: int) -> BaseResponse:
    """Keep the message's content in the template library."""
    message = _message_or_404(message_id)
    form = TemplateNameForm()
    if not form.validate_on_submit():
        flash(_("Give the template a name."), "error")
        return _back(message)
    name = form.name.data
    return _outcome(message, lambda m: services.save_as_template(m, name, author=_me()),
                    _("The template is saved in the library."))


@bp.post("/comms/messages/<int:message_id>/test")
@roles_required(COMMS)
def send_test(message_id: int) -> BaseResponse:
    """Send the message, personalised for me, to my own address now (the only e-mail a request sends)."""
    message = _message_or_404(message_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    me = _me()
    try:
        dispatch.send_test(message, me, today=_today(), now=utcnow(), subject_prefix=_("[Test]"))
    except DomainError as error:
        flash(error.message(), "error")
    except mail.DeliveryError as error:
        flash(_("The test e-mail was not accepted: %(reason)s", reason=str(error)), "error")
    else:
        flash(_("A test e-mail has been sent to %(email)s.", email=me.email), "success")
    return _back(message)


@bp.get("/comms/messages/<int:message_id>/failures.csv")
@roles_required(COMMS)
def failures_csv(message_id: int) -> Response:
    """The e-mails that failed, with their reasons, as a CSV file for a spreadsheet."""
    message = _message_or_404(message_id)
    header = [_("E-mail address"), _("Last name"), _("First name"), _("Attempts"), _("Reason")]
    response = make_response(services.failures_csv(message, header=header))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="message-{message.id}-failures.csv"'
    return response
