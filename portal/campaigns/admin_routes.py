"""The admin's campaign pages: the campaign editor, and the storage imports with their reports."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from portal import uploads
from portal.accounts.models import Role
from portal.campaigns import bp, content, display, imports, services
from portal.campaigns.forms import CampaignForm, GuideActionForm, MoveForm, SectionForm, StorageImportForm
from portal.campaigns.models import Campaign, GuideAction, GuideSection, StorageImport
from portal.campaigns.routes import _me
from portal.domain_error import DomainError
from portal.htmx import render
from portal.models import db, utcnow
from portal.org.models import Commune, OrgUnit
from portal.pagination import requested_page
from portal.security import roles_required

# --------------------------------------------------------------------------------- admin: campaigns


def _scope_choices(form: CampaignForm) -> CampaignForm:
    form.communes.choices = [
        SelectChoice(c.insee, c.name) for c in db.session.scalars(sa.select(Commune).order_by(Commune.name))
    ]
    form.org_units.choices = [
        SelectChoice(u.id, f"{u.name} ({u.code})")
        for u in db.session.scalars(sa.select(OrgUnit).order_by(OrgUnit.code))
    ]
    return form


@bp.get("/admin/campaigns")
@roles_required(Role.ADMIN.value)
def admin_campaigns() -> Response:
    """Every campaign, drafts included, with its state and what to do next."""
    page = requested_page(services.all_campaigns_statement())
    return render(
        "campaigns/admin_campaigns.html", "campaigns/_admin_campaign_list.html", page=page, state_labels=display.STATES
    )


@bp.get("/admin/campaigns/new")
@roles_required(Role.ADMIN.value)
def new_campaign_form() -> str:
    """The campaign editor, with three weeks around the next Digital Cleanup Day suggested."""
    first, last = services.suggested_period(services.paris_today(utcnow()))
    form = _scope_choices(
        CampaignForm(first_day=first, last_day=last, horizon_year=last.year + services.DEFAULT_HORIZON_YEARS)
    )
    return render_template("campaigns/campaign_form.html", form=form, campaign=None)


@bp.post("/admin/campaigns/new")
@roles_required(Role.ADMIN.value)
def create_campaign() -> tuple[str, int] | BaseResponse:
    """Create a draft campaign."""
    form = _scope_choices(CampaignForm())
    if form.validate_on_submit():
        campaign = services.create_campaign(form.to_input(), created_by=_me())
        content.start_from_previous(campaign)  # its guides and checklist: the previous campaign's
        db.session.commit()
        flash(_("Campaign created as a draft: publish it when it is ready."), "success")
        return redirect(url_for("campaigns.edit_campaign_form", campaign_id=campaign.id), code=303)
    return render_template("campaigns/campaign_form.html", form=form, campaign=None), 422


def _form_for(campaign: Campaign) -> CampaignForm:
    percent = campaign.goal_participation
    return _scope_choices(
        CampaignForm(
            obj=campaign,
            first_day=services.first_day(campaign),
            last_day=services.last_day(campaign),
            communes=[c.insee for c in campaign.communes],
            org_units=[u.id for u in campaign.org_units],
            goal_participation_percent=int(percent * 100) if percent is not None else None,
        )
    )


@bp.get("/admin/campaigns/<int:campaign_id>/edit")
@roles_required(Role.ADMIN.value)
def edit_campaign_form(campaign_id: int) -> str:
    """The campaign editor for an existing campaign."""
    campaign = db.get_or_404(Campaign, campaign_id)
    return render_template(
        "campaigns/campaign_form.html", form=_form_for(campaign), campaign=campaign, state_labels=display.STATES
    )


@bp.post("/admin/campaigns/<int:campaign_id>/edit")
@roles_required(Role.ADMIN.value)
def update_campaign(campaign_id: int) -> tuple[str, int] | BaseResponse:
    """Save a campaign that has not closed (new dates recompute its results and its state)."""
    campaign = db.get_or_404(Campaign, campaign_id)
    try:
        services.check_editable(campaign)
    except services.CampaignError as error:
        flash(error.message(), "error")
        return redirect(url_for("campaigns.edit_campaign_form", campaign_id=campaign.id), code=303)
    form = _scope_choices(CampaignForm())
    if form.validate_on_submit():
        services.update_campaign(campaign, form.to_input(), now=utcnow())
        db.session.commit()
        flash(_("Campaign saved."), "success")
        return redirect(url_for("campaigns.edit_campaign_form", campaign_id=campaign.id), code=303)
    return render_template(
        "campaigns/campaign_form.html", form=form, campaign=campaign, state_labels=display.STATES
    ), 422


@bp.post("/admin/campaigns/<int:campaign_id>/publish")
@roles_required(Role.ADMIN.value)
def publish_campaign(campaign_id: int) -> BaseResponse:
    """Publish a draft: employees in scope see it; the jobs process then moves it by the clock."""
    campaign = db.get_or_404(Campaign, campaign_id)
    services.publish_campaign(campaign, now=utcnow())
    db.session.commit()
    flash(_("Campaign published: it is now %(state)s.", state=display.STATES[campaign.state]), "success")
    return redirect(url_for("campaigns.edit_campaign_form", campaign_id=campaign.id), code=303)


# ---------------------------------------------------------------------- admin and comms: guides and checklist

CONTENT_ROLE = Role.COMMS.value  # the communications team and the admins (who hold every role)


def _content_page(campaign: Campaign, section_form: SectionForm | None = None, status: int = 200) -> Any:
    sections = content.sections_of(campaign)
    page = render_template(
        "campaigns/admin_content.html",
        campaign=campaign,
        sections=sections,
        defaults=None if sections else content.guides_of(campaign, str(get_locale() or "fr")),
        editable=campaign.state != "closed",
        form=section_form or SectionForm(formdata=None),
    )
    return (page, status) if status != 200 else page


def _back_to_content(campaign_id: int) -> BaseResponse:
    return redirect(url_for("campaigns.campaign_content", campaign_id=campaign_id), code=303)


def _changed(campaign_id: int, change: Callable[[], object], success: str, then: str) -> BaseResponse:
    """Make a change of the guides and commit it, or roll it back when refused; flash either and go to `then`
    (the guides' page after a refusal)."""
    try:
        change()
    except DomainError as error:
        db.session.rollback()
        flash(error.message(), "error")
        return _back_to_content(campaign_id)
    db.session.commit()
    flash(success, "success")
    return redirect(then, code=303)


def _section_url(campaign_id: int, section_id: int, anchor: str | None = None) -> str:
    return url_for("campaigns.edit_section", campaign_id=campaign_id, section_id=section_id, _anchor=anchor)


@bp.get("/admin/campaigns/<int:campaign_id>/content")
@roles_required(CONTENT_ROLE)
def campaign_content(campaign_id: int) -> Any:
    """A campaign's guides and checklist: its sections in order, to edit, move, remove or add to."""
    return _content_page(db.get_or_404(Campaign, campaign_id))


@bp.post("/admin/campaigns/<int:campaign_id>/content")
@roles_required(CONTENT_ROLE)
def add_section(campaign_id: int) -> Any:
    """Add a section at the end of the guides; then its page, to add its actions."""
    campaign = db.get_or_404(Campaign, campaign_id)
    form = SectionForm()
    if not form.validate_on_submit():
        return _content_page(campaign, form, 422)
    try:
        section = content.add_section(campaign, form.to_input())
    except DomainError as error:
        db.session.rollback()
        flash(error.message(), "error")
        return _back_to_content(campaign_id)
    db.session.commit()
    flash(_("The section is added: now add its actions."), "success")
    return redirect(_section_url(campaign_id, section.id), code=303)


@bp.post("/admin/campaigns/<int:campaign_id>/content/own")
@roles_required(CONTENT_ROLE)
def copy_default_content(campaign_id: int) -> BaseResponse:
    """Give the campaign its own copy of the default guides, to edit them."""
    campaign = db.get_or_404(Campaign, campaign_id)
    return _changed(campaign_id, lambda: content.own_content(campaign),
                    _("The campaign has its own guides now: edit them below."),
                    url_for("campaigns.campaign_content", campaign_id=campaign_id))


def _section_or_404(campaign_id: int, section_id: int) -> GuideSection:
    section = db.get_or_404(GuideSection, section_id)
    if section.campaign_id != campaign_id:
        abort(404)
    return section


def _section_page(section: GuideSection, form: SectionForm | None = None, new_action: GuideActionForm | None = None,
                  status: int = 200) -> Any:
    campaign = db.session.get_one(Campaign, section.campaign_id)
    page = render_template(
        "campaigns/admin_section.html",
        campaign=campaign,
        section=section,
        form=form or SectionForm(formdata=None, obj=section),
        action_forms=[(action, GuideActionForm(formdata=None, obj=action, prefix=f"a{action.id}"))
                      for action in section.actions],
        new_action=new_action or GuideActionForm(formdata=None, prefix="new"),
        editable=campaign.state != "closed",
    )
    return (page, status) if status != 200 else page


@bp.get("/admin/campaigns/<int:campaign_id>/content/<int:section_id>")
@roles_required(CONTENT_ROLE)
def edit_section(campaign_id: int, section_id: int) -> Any:
    """One section: its titles and advice, and its actions with their help, in both languages."""
    return _section_page(_section_or_404(campaign_id, section_id))


@bp.post("/admin/campaigns/<int:campaign_id>/content/<int:section_id>")
@roles_required(CONTENT_ROLE)
def save_section(campaign_id: int, section_id: int) -> Any:
    """Save a section's titles and advice."""
    section = _section_or_404(campaign_id, section_id)
    form = SectionForm()
    if not form.validate_on_submit():
        return _section_page(section, form=form, status=422)
    return _changed(campaign_id, lambda: content.update_section(section, form.to_input()),
                    _("The section is saved."), _section_url(campaign_id, section_id))


def _offset() -> int:
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    return form.offset.data


@bp.post("/admin/campaigns/<int:campaign_id>/content/<int:section_id>/move")
@roles_required(CONTENT_ROLE)
def move_section(campaign_id: int, section_id: int) -> BaseResponse:
    """Move a section one place up or down."""
    section, offset = _section_or_404(campaign_id, section_id), _offset()
    return _changed(campaign_id, lambda: content.move(section, offset), _("The section is moved."),
                    url_for("campaigns.campaign_content", campaign_id=campaign_id))


@bp.post("/admin/campaigns/<int:campaign_id>/content/<int:section_id>/delete")
@roles_required(CONTENT_ROLE)
def delete_section(campaign_id: int, section_id: int) -> BaseResponse:
    """Remove a section with its actions (and the ticks employees made on them)."""
    section = _section_or_404(campaign_id, section_id)
    return _changed(campaign_id, lambda: content.delete_section(section), _("The section is removed."),
                    url_for("campaigns.campaign_content", campaign_id=campaign_id))


@bp.post("/admin/campaigns/<int:campaign_id>/content/<int:section_id>/actions")
@roles_required(CONTENT_ROLE)
def add_action(campaign_id: int, section_id: int) -> Any:
    """Add an action at the end of the section."""
    section = _section_or_404(campaign_id, section_id)
    form = GuideActionForm(prefix="new")
    if not form.validate_on_submit():
        return _section_page(section, new_action=form, status=422)
    return _changed(campaign_id, lambda: content.add_action(section, form.to_input()), _("The action is added."),
                    _section_url(campaign_id, section_id))


def _action_or_404(campaign_id: int, action_id: int) -> GuideAction:
    action = db.get_or_404(GuideAction, action_id)
    if action.campaign_id != campaign_id:
        abort(404)
    return action


@bp.post("/admin/campaigns/<int:campaign_id>/actions/<int:action_id>")
@roles_required(CONTENT_ROLE)
def save_action(campaign_id: int, action_id: int) -> Any:
    """Save an action's label and help (its ticks stay)."""
    action = _action_or_404(campaign_id, action_id)
    form = GuideActionForm(prefix=f"a{action.id}")
    if not form.validate_on_submit():
        return _section_page(action.section, status=422)
    return _changed(campaign_id, lambda: content.update_action(action, form.to_input()), _("The action is saved."),
                    _section_url(campaign_id, action.section_id, f"action-{action.id}"))


@bp.post("/admin/campaigns/<int:campaign_id>/actions/<int:action_id>/move")
@roles_required(CONTENT_ROLE)
def move_action(campaign_id: int, action_id: int) -> BaseResponse:
    """Move an action one place up or down in its section."""
    action, offset = _action_or_404(campaign_id, action_id), _offset()
    return _changed(campaign_id, lambda: content.move(action, offset), _("The action is moved."),
                    _section_url(campaign_id, action.section_id, f"action-{action.id}"))


@bp.post("/admin/campaigns/<int:campaign_id>/actions/<int:action_id>/delete")
@roles_required(CONTENT_ROLE)
def delete_action(campaign_id: int, action_id: int) -> BaseResponse:
    """Remove an action (and the ticks employees made on it)."""
    action = _action_or_404(campaign_id, action_id)
    then = _section_url(campaign_id, action.section_id)
    return _changed(campaign_id, lambda: content.delete_action(action), _("The action is removed."), then)


# ----------------------------------------------------------------------------------- admin: imports


def _imports_page(form: StorageImportForm) -> str:
    page = requested_page(imports.imports_statement())
    return render_template(
        "campaigns/admin_imports.html",
        form=form,
        page=page,
        format_labels=display.FORMATS,
        max_mb=current_app.config["MAX_CONTENT_LENGTH"] / 1024 / 1024
        if current_app.config["MAX_CONTENT_LENGTH"]
        else None,
    )


@bp.get("/admin/storage-imports")
@roles_required(Role.ADMIN.value)
def admin_imports() -> str:
    """The upload form and the reports of past imports."""
    return _imports_page(StorageImportForm())


@bp.post("/admin/storage-imports")
@roles_required(Role.ADMIN.value)
def upload_import() -> tuple[str, int] | BaseResponse:
    """Import an uploaded export; a file that is not a known export imports nothing."""
    form = StorageImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            batch = imports.import_storage_file(
                io.StringIO(uploads.read_upload(upload)),
                filename=upload.filename or "",
                format=form.format.data,
                measured_at=form.measured_on.data or services.paris_today(utcnow()),
                imported_by=_me(),
            )
        except DomainError as error:  # not text, an unknown export, too many lines
            db.session.rollback()  # a file found unreadable halfway imports nothing either
            form.file.errors = [error.message()]
        else:
            db.session.commit()
            not_used = batch.invalid + batch.unmatched
            if not_used and not (batch.created or batch.updated or batch.unchanged):
                # Nothing was used: not a success, and the reasons come first.
                flash(_("No line of the file was used (%(problems)d lines): the reasons are below.",
                        problems=not_used), "warning")
            else:
                flash(
                    _(
                        "Import done: %(created)d snapshots created, %(unchanged)d unchanged, "
                        "%(problems)d lines not used.",
                        created=batch.created,
                        unchanged=batch.unchanged,
                        problems=not_used,
                    ),
                    "success",
                )
            return redirect(url_for("campaigns.import_report", import_id=batch.id), code=303)
    return _imports_page(form), 422


@bp.get("/admin/storage-imports/<int:import_id>")
@roles_required(Role.ADMIN.value)
def import_report(import_id: int) -> Response:
    """An import's report: counts, then each invalid or unmatched line with its reason."""
    batch = db.get_or_404(StorageImport, import_id)
    kind = request.args.get("kind") if request.args.get("kind") in display.PROBLEM_KINDS else None
    page = requested_page(imports.problems_statement(batch, kind))
    not_used = {"invalid": batch.invalid, "unmatched": batch.unmatched}.get(kind or "", batch.invalid + batch.unmatched)
    return render(
        "campaigns/import_report.html",
        "campaigns/_import_problems.html",
        batch=batch,
        page=page,
        not_used=not_used,
        kind=kind,
        reasons=display.REASONS,
        kinds=display.PROBLEM_KINDS,
        format_labels=display.FORMATS,
    )
