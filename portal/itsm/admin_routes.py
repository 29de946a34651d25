"""The ITSM link's administration: status and runs, a run's report, the models to map, the e-mails of no
employee, the import of an exported file. Admins only."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from portal import csvio, uploads
from portal.accounts.models import Role
from portal.catalogue.footprints import load_factor_set
from portal.catalogue.services import CATALOGUE_CATEGORIES
from portal.footprint import CATEGORY_KEYS
from portal.htmx import render
from portal.itsm import bp, services, sync
from portal.itsm.client import ItsmError
from portal.itsm.display import REASONS
from portal.itsm.forms import ImportForm
from portal.itsm.mapping import TABLES
from portal.itsm.models import ItsmModel, RunTrigger, SyncRun
from portal.itsm.settings import from_config
from portal.itsm.store import TableReport
from portal.main.services import jobs_status
from portal.models import db
from portal.pagination import requested_page
from portal.security import roles_required

ADMIN = Role.ADMIN.value
#: Catalogue categories first, then the others of the factor library (servers, network boxes).
CATEGORIES = (*CATALOGUE_CATEGORIES, *(key for key in CATEGORY_KEYS if key not in CATALOGUE_CATEGORIES))


def _csv(body: str, filename: str) -> Response:
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.get("/admin/itsm")
@roles_required(ADMIN)
def admin_status() -> Response:
    """Configuration, last success, the sync in progress, watermarks, what to fix, and the runs (paginated)."""
    status = services.link_status(current_app.config)
    runs = requested_page(services.runs_statement())
    jobs = jobs_status(current_app.config["PORTAL_JOBS_HEARTBEAT_SECONDS"])
    return render("itsm/admin_status.html", "itsm/_current.html", status=status, runs=runs, jobs=jobs)


@bp.post("/admin/itsm/sync")
@roles_required(ADMIN)
def admin_request_sync() -> Response:
    """Ask the jobs process for a sync now (the web request never runs it)."""
    run = sync.request_sync(by=current_user._get_current_object())
    if run is None:
        flash(_("A sync is already waiting or running: its progress is shown below."), "info")
    else:
        db.session.commit()
        flash(_("Sync requested: the jobs process starts it within a minute."), "success")
    return redirect(url_for("itsm.admin_status"), code=303)


@bp.get("/admin/itsm/runs/<int:run_id>")
@roles_required(ADMIN)
def admin_run(run_id: int) -> str:
    """A run's report: per table, what was read, created, updated, unchanged, refused; refused records paginated."""
    run = db.get_or_404(SyncRun, run_id)
    table = request.args.get("table", "")
    table = table if table in TABLES else ""
    problems = requested_page(services.problems_statement(run, table))
    described = csvio.describe(services.problems_report(problems.items), REASONS)
    return render_template("itsm/admin_run.html", run=run, table=table, problems=problems,
                           rows=list(zip(problems.items, described, strict=True)))


@bp.get("/admin/itsm/runs/<int:run_id>/problems.csv")
@roles_required(ADMIN)
def admin_run_problems_csv(run_id: int) -> Response:
    """A run's refused records as CSV (UTF-8 with a byte-order mark, for spreadsheets)."""
    run = db.get_or_404(SyncRun, run_id)
    return _csv(services.problems_csv(run, REASONS), f"itsm-run-{run.id}-refused.csv")


@bp.get("/admin/itsm/models")
@roles_required(ADMIN)
def admin_models() -> str:
    """The ITSM's models with their devices: those waiting for a mapping first."""
    filters = services.ModelFilters.from_args(request.args)
    page = requested_page(services.models_statement(filters), rows=True)
    return render_template("itsm/admin_models.html", filters=filters, page=page)


@bp.get("/admin/itsm/models.csv")
@roles_required(ADMIN)
def admin_models_csv() -> Response:
    """The models of the list as CSV."""
    return _csv(services.models_csv(services.ModelFilters.from_args(request.args)), "itsm-models.csv")


def _model_page(model: ItsmModel, target: services.Target, status: int = 200) -> tuple[str, int]:
    query = (request.args.get("q") or "").strip()[:100]
    preview = services.mapping_preview(model, target, load_factor_set()) if target.chosen else None
    current = services.mapping_preview(model, services.Target(model.item, model.category or ""), load_factor_set())
    return render_template(
        "itsm/admin_model.html", model=model, target=target, preview=preview, current=current, query=query,
        suggestions=services.suggestions(model, query=query), categories=CATEGORIES,
    ), status


@bp.get("/admin/itsm/models/<int:model_id>")
@roles_required(ADMIN)
def admin_model(model_id: int) -> tuple[str, int]:
    """Map a model to a catalogue item or a category, with the effect previewed first."""
    model = db.get_or_404(ItsmModel, model_id)
    return _model_page(model, services.Target.from_args(request.args))


@bp.post("/admin/itsm/models/<int:model_id>")
@roles_required(ADMIN)
def admin_map_model(model_id: int) -> Response | tuple[str, int]:
    """Apply a mapping to the model's devices, past and future."""
    model = db.get_or_404(ItsmModel, model_id)
    target = services.Target.from_args(request.form)
    if not target.chosen:
        flash(_("Choose a catalogue item or a category, then preview the change."), "error")
        return _model_page(model, target, 422)
    pending = model.pending_since is not None
    changed = services.apply_mapping(model, target, by=current_user._get_current_object())
    db.session.commit()
    flash(ngettext("%(model)s is mapped: %(num)d device changed.", "%(model)s is mapped: %(num)d devices changed.",
                   changed, model=model.name), "success")
    if pending:
        flash(_("Its devices refused so far are read again at the next sync."), "info")
    return redirect(url_for("itsm.admin_models"), code=303)


@bp.get("/admin/itsm/emails")
@roles_required(ADMIN)
def admin_emails() -> str:
    """The ITSM's e-mails of no employee, with their devices: the directory must know them."""
    page = requested_page(services.unknown_emails_statement(), rows=True)
    return render_template("itsm/admin_emails.html", page=page)


@bp.get("/admin/itsm/emails.csv")
@roles_required(ADMIN)
def admin_emails_csv() -> Response:
    """The e-mails of no employee as CSV."""
    return _csv(services.emails_csv(), "itsm-unknown-emails.csv")


@bp.get("/admin/itsm/import")
@roles_required(ADMIN)
def admin_import_form() -> str:
    """Import an exported file (for sites whose portal cannot reach the instance)."""
    return render_template("itsm/admin_import.html", form=ImportForm())


@bp.post("/admin/itsm/import")
@roles_required(ADMIN)
def admin_import() -> tuple[str, int] | str:
    """Store the records of an uploaded file as a sync would, and show its report."""
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("itsm/admin_import.html", form=form), 422
    upload = form.file.data
    reports: list[TableReport] = []
    try:
        settings = from_config({**current_app.config, "SERVICENOW_INSTANCE_URL": ""})
        run = sync.import_file(form.table.data, uploads.read_upload(upload), source=upload.filename or "",
                               checkpoint=db.session.commit, settings=settings, by=current_user._get_current_object(),
                               trigger=RunTrigger.IMPORT, progress=reports.append)
    except (ItsmError, uploads.NotTextError, csvio.CsvFileError) as problem:
        db.session.rollback()
        form.file.errors = [problem.message()]
        return render_template("itsm/admin_import.html", form=form), 422
    report = reports[-1].report if reports else csvio.ImportReport()
    return render_template(
        "itsm/admin_import.html", form=ImportForm(formdata=None), run=run, report=report,
        rejections=csvio.describe(report, REASONS), json=(upload.filename or "").lower().endswith(".json"),
    )
