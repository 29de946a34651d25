"""The communications team's pages: messages, templates, audience, previews, sending and delivery status."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from portal import mail
from portal.accounts.models import Role, User
from portal.domain_error import DomainError
from portal.form_fields import choices
from portal.htmx import is_htmx_request, render, retarget
from portal.messaging import audience, automatic, bp, conditions, dispatch, display, services
from portal.messaging.audience import LANGUAGES, TARGETABLE_ROLES, Criteria
from portal.messaging.display import CATEGORY_NAMES
from portal.messaging.forms import (
    ActionForm,
    AudienceForm,
    CampaignTimingForm,
    ConditionForm,
    ConfirmForm,
    MessageForm,
    PreviewAsForm,
    ScheduleForm,
    TemplateNameForm,
    TriggerForm,
)
from portal.messaging.models import Message, MessageStatus, MessageTemplate, MessageTrigger, TriggerKind
from portal.messaging.placeholders import PLACEHOLDERS, language
from portal.models import db, utcnow
from portal.org.models import Commune, OrgUnit, Site
from portal.pagination import requested_page
from portal.security import roles_required
from portal.timezone import PARIS

COMMS = Role.COMMS.value


def _me() -> User:
    return current_user._get_current_object()


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
    page = requested_page(services.messages_statement(filters))
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


def _condition_form(formdata: Any = None) -> ConditionForm:
    form = ConditionForm(formdata=formdata, prefix="cond")
    locale = language(str(get_locale() or "fr"))
    form.placeholder.choices = [SelectChoice(p.name, f"{p.label(locale)} ({p.name})") for p in PLACEHOLDERS.values()]
    form.operator.choices = [SelectChoice(key, display.CONDITION_OPERATORS[key]) for key in conditions.OPERATORS]
    form.field.choices = [SelectChoice(name, display.FIELD_NAMES[name]) for name in conditions.TARGET_FIELDS]
    return form


def _live_preview(form: MessageForm, message: Message | None, preview: PreviewAsForm) -> services.LivePreview:
    """The content of the form as the chosen (or drawn) recipient of the message's audience gets it."""
    criteria = services.criteria_of(message) if message else Criteria()
    recipient = audience.pick(criteria, today=_today(), query=preview.query.data or "", draw=preview.draw.data or 0)
    campaign_id = message.campaign_id if message else None
    return services.live_preview(_form_input(form), recipient=recipient, campaign_id=campaign_id, today=_today(),
                                 now=utcnow(), viewer=_me())


def _compose_context(form: MessageForm, message: Message | None, problems: dict[str, list[str]], *,
                     templates: list[MessageTemplate] | None = None, template_id: int | None = None,
                     condition: ConditionForm | None = None, preview: PreviewAsForm | None = None,
                     notice: str = "") -> dict[str, Any]:
    for name, found in problems.items():  # what is wrong with a field that is not a template, under it
        if name not in services.SOURCE_FIELDS and name in form:
            form[name].errors = list(found)
    preview = preview or PreviewAsForm(formdata=None, prefix="preview")
    return {
        "form": form,
        "message": message,
        "problems": problems,
        "templates": templates or [],
        "template_id": template_id,
        "title_of": services.template_title,
        "condition": condition or _condition_form(),
        "preview_form": preview,
        "live": _live_preview(form, message, preview),
        "language_names": display.LANGUAGE_NAMES,
        "notice": notice,
    }


def _compose_page(form: MessageForm, message: Message | None, problems: dict[str, list[str]], status: int = 200,
                  **options: Any) -> Any:
    page = render_template("messaging/comms/compose.html", **_compose_context(form, message, problems, **options))
    return (page, status) if status != 200 else page


def _posted_message() -> Message | None:
    """The message the compose form edits (None for a new one)."""
    message_id = request.form.get("message_id", "")
    return _message_or_404(int(message_id)) if message_id.isdigit() else None


@bp.post("/comms/messages/compose/preview")
@roles_required(COMMS)
def compose_preview() -> Response:
    """The live preview beside the editor (htmx, as the text is typed), or the compose page with it; nothing
    is saved. "Another one" draws another recipient."""
    form = MessageForm()
    if not form.validate_on_submit():
        abort(400)
    preview = PreviewAsForm(formdata=request.form, prefix="preview")
    if not preview.validate():
        preview.draw.data = 0
    if "preview-another" in request.form:
        preview.draw.data = (preview.draw.data or 0) + 1
        preview.draw.raw_data = [str(preview.draw.data)]  # the field shows what was posted unless told
    context = _compose_context(form, _posted_message(), {}, preview=preview)
    response = render("messaging/comms/compose.html", "messaging/comms/_live_preview.html", **context)
    return retarget(response, "#live-preview") if is_htmx_request() else response


@bp.post("/comms/messages/compose/condition")
@roles_required(COMMS)
def compose_condition() -> Any:
    """Write the builder's condition around its paragraph: inserted at the cursor by the page's script (htmx,
    through the `condition-ready` event), or added at the end of the chosen message without it."""
    form = MessageForm()
    if not form.validate_on_submit():
        abort(400)
    condition = _condition_form(request.form)
    wanted = conditions.ConditionRequest(
        placeholder=condition.placeholder.data or "", operator=condition.operator.data or "",
        value=condition.value.data or "", text=condition.text.data or "", field=condition.field.data or "",
        locale=str(get_locale()),
    )
    try:
        snippet = conditions.condition_snippet(wanted)
    except DomainError as error:
        condition.value.errors = [error.message()]
        if is_htmx_request():
            builder = render_template("messaging/comms/_condition_builder.html", condition=condition, opened=True)
            return retarget(make_response(builder), "#condition-builder")
        return _compose_page(form, _posted_message(), {}, condition=condition, status=422)
    if is_htmx_request():
        response = make_response(render_template("messaging/comms/_condition_builder.html",
                                                 condition=_condition_form(), opened=True, added=True))
        response.headers["HX-Trigger"] = json.dumps({"condition-ready": {"field": wanted.field, "text": snippet}})
        return retarget(response, "#condition-builder")
    form[wanted.field].data = conditions.append_snippet(form[wanted.field].data or "", snippet)
    return _compose_page(form, _posted_message(), {}, notice=_(
        "The paragraph and its condition are added at the end of the message: save it to keep them."))


def _form_input(form: MessageForm) -> services.MessageInput:
    return services.MessageInput(
        subject_fr=form.subject_fr.data or "",
        body_fr=form.body_fr.data or "",
        subject_en=form.subject_en.data or "",
        body_en=form.body_en.data or "",
        category=form.category.data or "",
        channels=form.channels.data or "",
        cta_url=form.cta_url.data or "",
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


def _choices(statement: sa.Select[*tuple[Any, ...]]) -> list[SelectChoice]:
    return choices(db.session.execute(statement))


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
            "service_codes": ", ".join(criteria.service_codes),
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
            "service_codes": [code.strip() for code in (form.service_codes.data or "").split(",")],
        }
    )


@dataclass(frozen=True)
class AudienceTarget:
    """What an audience is chosen for (a message, or an automatic message's trigger): the page's words and
    the URLs its form saves to and counts with."""

    title: str
    heading: Markup
    save_url: str
    count_url: str
    editable: bool
    message: Message | None = None


def _message_target(message: Message) -> AudienceTarget:
    return AudienceTarget(
        title=display.subject_text(message.subject_fr), heading=display.subject_chips(message.subject_fr),
        save_url=url_for("messaging.save_audience", message_id=message.id),
        count_url=url_for("messaging.audience_count", message_id=message.id),
        editable=message.editable, message=message,
    )


def _audience_page(target: AudienceTarget, form: AudienceForm, count: int | None, status: int = 200) -> Any:
    page = render_template("messaging/comms/audience.html", target=target, form=form, count=count)
    return (page, status) if status != 200 else page


def _audience_count(target: AudienceTarget) -> Response:
    """How many employees the criteria being edited select: the count for htmx, the whole page without it."""
    form = _audience_form(formdata=request.args)
    count = audience.count(_criteria_from(form), today=_today()) if form.validate() else None
    return render("messaging/comms/audience.html", "messaging/comms/_audience_count.html", target=target,
                  form=form, count=count)


@bp.get("/comms/messages/<int:message_id>/audience")
@roles_required(COMMS)
def audience_page(message_id: int) -> Any:
    """The audience builder, with the number of recipients the criteria select now."""
    message = _message_or_404(message_id)
    criteria = services.criteria_of(message)
    return _audience_page(_message_target(message), _audience_form(criteria=criteria),
                          audience.count(criteria, today=_today()))


@bp.get("/comms/messages/<int:message_id>/audience/count")
@roles_required(COMMS)
def audience_count(message_id: int) -> Response:
    """How many employees the criteria being edited select: the count for htmx, the whole page without it."""
    return _audience_count(_message_target(_message_or_404(message_id)))


@bp.post("/comms/messages/<int:message_id>/audience")
@roles_required(COMMS)
def save_audience(message_id: int) -> Any:
    """Save the audience criteria."""
    message = _message_or_404(message_id)
    form = _audience_form()
    if not form.validate_on_submit():
        return _audience_page(_message_target(message), form, None, 422)
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
    me = _me()
    if choice.recipient_id is not None:
        chosen = db.session.get(User, choice.recipient_id)
        if chosen is None or not audience.is_recipient(criteria, chosen.id, today=_today()):
            abort(404)
        shown = services.previews(message, [chosen], today=_today(), now=now, viewer=me, locales=locales)
    elif choice.random:
        drawn = audience.sample(criteria, today=_today())
        shown = services.previews(message, drawn, today=_today(), now=now, viewer=me, locales=locales)
    return {
        "message": message,
        "query": choice.query,
        "found": found,
        "chosen": chosen,
        "shown": shown,
        "random": choice.random,
        "language_names": display.LANGUAGE_NAMES,
        "private_example": PLACEHOLDERS["campaign_freed_gb"].example,
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
        "timing_form": CampaignTimingForm(formdata=None),
        "timing": display.timing_words(timing) if (timing := services.timing_of(message)) else "",
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


def _outcome(message: Message, action: Any, success: str, refused: BaseResponse | None = None) -> BaseResponse:
    """Run an action on the message and commit it, or roll it back on a refusal; flash either, then go back to
    its page (or to `refused` after a refusal)."""
    try:
        outcome = action(message)
    except DomainError as error:
        db.session.rollback()
        flash(error.message(), "error")
        return refused or _back(message)
    db.session.commit()
    flash(success % {"count": outcome if isinstance(outcome, int) else 0}, "success")
    return _back(message)


def _action(message_id: int, action: Any, success: str) -> BaseResponse:
    """Run a life-cycle action after the CSRF check; flash its outcome."""
    message = _message_or_404(message_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _outcome(message, action, success)


def _paris(local: datetime) -> datetime:
    return local.replace(tzinfo=PARIS).astimezone(UTC)


@dataclass(frozen=True)
class When:
    """When the team asks a message to go: now, at a Paris time, or on its campaign's dates."""

    local_at: datetime | None = None
    timing: services.CampaignTiming | None = None

    def query_args(self) -> dict[str, Any]:
        """The same choice as the confirmation page's URL parameters."""
        if self.timing is not None:
            return {"campaign_anchor": self.timing.anchor, "campaign_offset": self.timing.offset_days,
                    "campaign_time": self.timing.at_time.strftime("%H:%M")}
        if self.local_at is not None:
            return {"send_at": self.local_at.strftime("%Y-%m-%dT%H:%M")}
        return {}

    def instant(self, message: Message) -> datetime | None:
        """The UTC instant it means for this message (None: now); MessageError if it has no campaign."""
        if self.timing is not None:
            return services.campaign_moment(message, self.timing)
        return _paris(self.local_at) if self.local_at is not None else None


def _when_asked() -> When | None:
    """The choice of the message page's forms (GET); None if its time is missing or unreadable."""
    if "campaign_anchor" in request.args:
        timing = CampaignTimingForm(formdata=request.args)
        if not timing.validate():
            return None
        return When(timing=services.CampaignTiming(timing.campaign_anchor.data, timing.campaign_offset.data,
                                                   timing.campaign_time.data))
    if "send_at" in request.args:
        at = ScheduleForm(formdata=request.args, meta={"csrf": False})
        return When(local_at=at.send_at.data) if at.validate() else None
    return When()


def _when_confirmed(form: ConfirmForm) -> When:
    if form.campaign_anchor.data and form.campaign_time.data is not None:
        return When(timing=services.CampaignTiming(form.campaign_anchor.data, form.campaign_offset.data or 0,
                                                   form.campaign_time.data))
    return When(local_at=form.send_at.data)


@bp.get("/comms/messages/<int:message_id>/confirm")
@roles_required(COMMS)
def confirm_send(message_id: int) -> Any:
    """The confirmation step before sending now (or at a Paris time, or on the campaign's dates): audience size,
    channels, languages, time, a few recipients and the number of e-mails; nothing changes until confirmed."""
    message = _message_or_404(message_id)
    when = _when_asked()
    if when is None:
        flash(_("Give the date and time when sending should start."), "error")
        return _back(message)
    try:
        summary = services.send_summary(message, at=when.instant(message), now=utcnow())
    except DomainError as error:
        flash(error.message(), "error")
        return _back(message)
    data: dict[str, object] = {"recipients": summary.recipients, "send_at": when.local_at}
    if when.timing is not None:
        data.update(campaign_anchor=when.timing.anchor, campaign_offset=when.timing.offset_days,
                    campaign_time=when.timing.at_time)
    return render_template(
        "messaging/comms/confirm.html", message=message, summary=summary, form=ConfirmForm(data=data),
        channel_names=display.CHANNEL_NAMES,
        timing=display.timing_words(when.timing) if when.timing is not None else "",
    )


def _confirmed(message_id: int, send: Any, success: str) -> BaseResponse:
    """Send or schedule with what the confirmation step shows; back to it when the figures no longer hold."""
    message = _message_or_404(message_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    confirmation = services.Confirmation(form.recipients.data, form.typed.data or "")
    when = _when_confirmed(form)
    again = redirect(url_for("messaging.confirm_send", message_id=message.id, **when.query_args()), code=303)
    return _outcome(message, lambda m: send(m, when, confirmation), success, refused=again)


@bp.post("/comms/messages/<int:message_id>/send")
@roles_required(COMMS)
def send_now(message_id: int) -> BaseResponse:
    """Send now, as confirmed: the jobs process starts it within seconds (a second click changes nothing)."""
    return _confirmed(
        message_id,
        lambda m, _when, confirmation: services.send_now(m, now=utcnow(), confirmation=confirmation),
        _("The message is queued: sending starts within a few seconds."),
    )


@bp.post("/comms/messages/<int:message_id>/schedule")
@roles_required(COMMS)
def schedule(message_id: int) -> BaseResponse:
    """Schedule the sending, as confirmed, for a Paris time or on the campaign's dates."""

    def at_time(message: Message, when: When, confirmation: services.Confirmation) -> None:
        if when.timing is not None:
            services.schedule_on_campaign(message, when.timing, now=utcnow(), confirmation=confirmation)
        elif when.local_at is not None:
            services.schedule(message, _paris(when.local_at), now=utcnow(), confirmation=confirmation)
        else:
            raise services.MessageError("schedule_in_past")

    return _confirmed(message_id, at_time, _("Sending is scheduled."))


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


# ---------------------------------------------------------------------------------- automatic messages


def _trigger_or_404(trigger_key: str) -> MessageTrigger:
    if trigger_key not in automatic.TRIGGERS:
        abort(404)
    return automatic.trigger(trigger_key)


def _trigger_target(found: MessageTrigger) -> AudienceTarget:
    name = str(display.TRIGGER_NAMES[found.key])
    return AudienceTarget(
        title=name, heading=Markup("{}").format(name),
        save_url=url_for("messaging.save_trigger_audience", trigger_key=found.key),
        count_url=url_for("messaging.trigger_audience_count", trigger_key=found.key),
        editable=True,
    )


def _trigger_form(found: MessageTrigger, formdata: Any = None) -> TriggerForm:
    form = TriggerForm(formdata=formdata, data=None if formdata else {"template": found.template_id,
                                                                       "years": found.years})
    templates = db.session.scalars(services.templates_statement()).all()
    form.template.choices = [SelectChoice(template.id, services.template_title(template)) for template in templates]
    return form


@bp.get("/comms/automatic")
@roles_required(COMMS)
def automatic_list() -> str:
    """The automatic messages: each trigger, on or paused, its template, what it sent lately and what waits."""
    return render_template(
        "messaging/comms/automatic.html",
        triggers=automatic.all_triggers(),
        counts=automatic.counts(since=utcnow() - timedelta(days=30)),
        title_of=services.template_title,
    )


def _trigger_page(found: MessageTrigger, form: TriggerForm, status: int = 200) -> Any:
    criteria = Criteria.from_json(found.audience)
    page = render_template(
        "messaging/comms/trigger.html",
        found=found,
        form=form,
        asks_years=found.key == TriggerKind.DEVICE_AGE.value,
        criteria=criteria,
        names=services.describe_criteria(criteria),
        role_names=display.ROLE_NAMES,
        count=None,
        sent=automatic.sent_events(found),
        upcoming=automatic.next_sends(found, now=utcnow()),
        title_of=services.template_title,
    )
    return (page, status) if status != 200 else page


@bp.get("/comms/automatic/<trigger_key>")
@roles_required(COMMS)
def automatic_detail(trigger_key: str) -> Any:
    """One trigger: its settings, what it sent and what it would send next (computed, nothing is sent)."""
    found = _trigger_or_404(trigger_key)
    return _trigger_page(found, _trigger_form(found))


@bp.post("/comms/automatic/<trigger_key>")
@roles_required(COMMS)
def save_trigger(trigger_key: str) -> Any:
    """Save a trigger's template (and, for devices, the age that triggers it)."""
    found = _trigger_or_404(trigger_key)
    form = _trigger_form(found, request.form)
    if not form.validate_on_submit():
        return _trigger_page(found, form, 422)
    template = db.get_or_404(MessageTemplate, form.template.data)
    automatic.save_trigger(found, template=template, years=form.years.data)
    db.session.commit()
    flash(_("The automatic message is saved."), "success")
    return redirect(url_for("messaging.automatic_detail", trigger_key=trigger_key), code=303)


@bp.post("/comms/automatic/<trigger_key>/switch")
@roles_required(COMMS)
def switch_trigger(trigger_key: str) -> BaseResponse:
    """Turn an automatic message on, or pause it (what waits stays queued until it is on again)."""
    found = _trigger_or_404(trigger_key)
    if not ActionForm().validate_on_submit():
        abort(400)
    on = request.form.get("on") == "1"
    try:
        automatic.switch(found, on=on)
    except DomainError as error:
        db.session.rollback()
        flash(error.message(), "error")
    else:
        db.session.commit()
        flash(_("The automatic message is on.") if on else _("The automatic message is paused."), "success")
    return redirect(url_for("messaging.automatic_detail", trigger_key=trigger_key), code=303)


@bp.get("/comms/automatic/<trigger_key>/audience")
@roles_required(COMMS)
def trigger_audience(trigger_key: str) -> Any:
    """Who may get an automatic message: the audience builder, with how many employees it selects now."""
    found = _trigger_or_404(trigger_key)
    criteria = Criteria.from_json(found.audience)
    return _audience_page(_trigger_target(found), _audience_form(criteria=criteria),
                          audience.count(criteria, today=_today()))


@bp.get("/comms/automatic/<trigger_key>/audience/count")
@roles_required(COMMS)
def trigger_audience_count(trigger_key: str) -> Response:
    """How many employees the criteria being edited select (htmx), or the whole page."""
    return _audience_count(_trigger_target(_trigger_or_404(trigger_key)))


@bp.post("/comms/automatic/<trigger_key>/audience")
@roles_required(COMMS)
def save_trigger_audience(trigger_key: str) -> Any:
    """Save who may get an automatic message."""
    found = _trigger_or_404(trigger_key)
    form = _audience_form()
    if not form.validate_on_submit():
        return _audience_page(_trigger_target(found), form, None, 422)
    automatic.save_trigger(found, template=None, years=found.years, criteria=_criteria_from(form))
    db.session.commit()
    flash(_("The audience is saved."), "success")
    return redirect(url_for("messaging.automatic_detail", trigger_key=trigger_key), code=303)
